package composite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Ref points at an output attribute of another child: ${key.attr}.
type Ref struct {
	Key  string
	Attr string
}

func (r Ref) String() string { return "${" + r.Key + "." + r.Attr + "}" }

// RefString returns the reference token for key.attr, for use in props.
func RefString(key, attr string) string { return Ref{Key: key, Attr: attr}.String() }

var refPattern = regexp.MustCompile(`\$\{([a-z0-9_]+)\.([a-z0-9_]+)\}`)

// Refs returns the distinct references found in any string of props, sorted.
func Refs(props any) []Ref {
	seen := map[Ref]bool{}
	walkStrings(reflect.ValueOf(props), func(s string) {
		for _, m := range refPattern.FindAllStringSubmatch(s, -1) {
			seen[Ref{Key: m[1], Attr: m[2]}] = true
		}
	})
	out := make([]Ref, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// DependsOn returns the keys of the children c references or must wait for
// (After), sorted.
func (c Child) DependsOn() []string {
	seen := map[string]bool{}
	var keys []string
	for _, r := range Refs(c.Props) {
		if !seen[r.Key] {
			seen[r.Key] = true
			keys = append(keys, r.Key)
		}
	}
	for _, k := range c.After {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Resolve returns a deep copy of props (a pointer to a props struct) with
// every ${key.attr} replaced by outputs[key][attr]. A reference that cannot be
// resolved is an error naming it.
func Resolve(props any, outputs map[string]map[string]string) (any, error) {
	raw, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	var missing []string
	var jsonErr error
	resolved := refPattern.ReplaceAllStringFunc(string(raw), func(tok string) string {
		m := refPattern.FindStringSubmatch(tok)
		v, ok := outputs[m[1]][m[2]]
		if !ok || v == "" {
			missing = append(missing, tok)
			return tok
		}
		// The value lands inside a JSON string: escape it.
		b, err := json.Marshal(v)
		if err != nil {
			jsonErr = err
			return tok
		}
		return strings.Trim(string(b), `"`)
	})
	if jsonErr != nil {
		return nil, jsonErr
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("unresolved reference(s): %s", strings.Join(missing, ", "))
	}
	out := reflect.New(reflect.TypeOf(props).Elem()).Interface()
	if err := json.Unmarshal([]byte(resolved), out); err != nil {
		return nil, err
	}
	return out, nil
}

func walkStrings(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), fn)
		}
	case reflect.String:
		fn(v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			walkStrings(iter.Key(), fn)
			walkStrings(iter.Value(), fn)
		}
	}
}
