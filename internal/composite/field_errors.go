package composite

// Validation errors with attribute paths, ready to become Terraform
// attribute diagnostics.

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// PathStep is one step of an attribute path: an attribute name, a map key
// (IsKey) or a list index (IsIndex).
type PathStep struct {
	Attr    string
	MapKey  string
	Index   int
	IsKey   bool
	IsIndex bool
}

// FieldError is a validation error at an attribute path, ready to become a
// Terraform attribute diagnostic.
type FieldError struct {
	Path    []PathStep
	Summary string
	Detail  string
}

// AttrStep, KeyStep and IndexStep build path steps.
func AttrStep(name string) PathStep { return PathStep{Attr: name} }
func KeyStep(key string) PathStep   { return PathStep{MapKey: key, IsKey: true} }
func IndexStep(i int) PathStep      { return PathStep{Index: i, IsIndex: true} }

// AttrPath is a path of nested attribute names, e.g. AttrPath("network", "subnet_ids").
func AttrPath(names ...string) []PathStep {
	p := make([]PathStep, len(names))
	for i, n := range names {
		p[i] = AttrStep(n)
	}
	return p
}

// NewFieldError returns a FieldError; the path is copied.
func NewFieldError(path []PathStep, summary, detail string) FieldError {
	return FieldError{Path: append([]PathStep(nil), path...), Summary: summary, Detail: detail}
}

// PathString renders a path the way Terraform shows it:
// containers["web"].port, network.subnet_ids[0].
func PathString(path []PathStep) string {
	var b strings.Builder
	for _, st := range path {
		switch {
		case st.IsKey:
			fmt.Fprintf(&b, "[%q]", st.MapKey)
		case st.IsIndex:
			fmt.Fprintf(&b, "[%d]", st.Index)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.Attr)
		}
	}
	return b.String()
}

func (e FieldError) Error() string {
	return PathString(e.Path) + ": " + e.Summary + ": " + e.Detail
}

// ValidationErrors is the error ExpandService returns for an invalid spec.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return "invalid service: " + strings.Join(msgs, "; ")
}

// walkSpecStrings calls fn with every string (map keys included) of the spec
// and its attribute path, in a deterministic order.
func walkSpecStrings(v reflect.Value, path []PathStep, fn func([]PathStep, string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkSpecStrings(v.Elem(), path, fn)
		}
	case reflect.String:
		fn(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			walkSpecStrings(v.Field(i), at(path, AttrStep(name)), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkSpecStrings(v.Index(i), at(path, IndexStep(i)), fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			p := at(path, KeyStep(k.String()))
			fn(p, k.String())
			walkSpecStrings(v.MapIndex(k), p, fn)
		}
	}
}

// at returns a new path: path followed by steps (never aliasing path).
func at(path []PathStep, steps ...PathStep) []PathStep {
	out := make([]PathStep, 0, len(path)+len(steps))
	out = append(out, path...)
	return append(out, steps...)
}
