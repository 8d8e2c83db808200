// Package adapter holds what every composite resource's framework adapter
// shares: reading the provider's clients, the recorded children kept in
// private state, converting a tfsdk model into a composite spec while
// tracking unknown values, turning composite validation errors into
// attribute diagnostics, and rendering the `resources` map.
package adapter

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
)

// Clients returns the provider's clients from ProviderData (nil before the
// provider is configured).
func Clients(providerData any) (*conns.Clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	if providerData == nil {
		return nil, diags
	}
	c, ok := providerData.(*conns.Clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *conns.Clients, got %T", providerData))
	}
	return c, diags
}

// Converter turns tfsdk values into spec values, recording the paths of
// unknown values: validation errors under them are dropped (the value is
// checked again once known). Unknown strings (and the single element of an
// unknown list or set) become Placeholder.
type Converter struct {
	Ctx         context.Context
	Placeholder string
	Diags       diag.Diagnostics
	Unknown     [][]composite.PathStep
}

// MarkUnknown records p as unknown.
func (c *Converter) MarkUnknown(p []composite.PathStep) {
	c.Unknown = append(c.Unknown, At(p))
}

// Str converts a string.
func (c *Converter) Str(v types.String, p []composite.PathStep) string {
	if v.IsUnknown() {
		c.MarkUnknown(p)
		return c.Placeholder
	}
	return v.ValueString()
}

// IntPtr converts a number; nil when null or unknown.
func (c *Converter) IntPtr(v types.Int64, p []composite.PathStep) *int64 {
	if v.IsUnknown() {
		c.MarkUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	x := v.ValueInt64()
	return &x
}

// BoolPtr converts a bool; nil when null or unknown.
func (c *Converter) BoolPtr(v types.Bool, p []composite.PathStep) *bool {
	if v.IsUnknown() {
		c.MarkUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	x := v.ValueBool()
	return &x
}

func (c *Converter) unknownList(p []composite.PathStep) []string {
	c.MarkUnknown(p)
	if c.Placeholder == "" {
		return nil
	}
	return []string{c.Placeholder}
}

// List converts a list of strings; nil when null.
func (c *Converter) List(v types.List, p []composite.PathStep) []string {
	if v.IsUnknown() {
		return c.unknownList(p)
	}
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	for i, e := range v.Elements() {
		s, _ := e.(types.String)
		out = append(out, c.Str(s, At(p, composite.IndexStep(i))))
	}
	return out
}

// Set converts a set of strings, sorted; an unknown element marks the set.
func (c *Converter) Set(v types.Set, p []composite.PathStep) []string {
	if v.IsUnknown() {
		return c.unknownList(p)
	}
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	for _, e := range v.Elements() {
		s, _ := e.(types.String)
		if s.IsUnknown() {
			c.MarkUnknown(p)
			out = append(out, c.Placeholder)
			continue
		}
		out = append(out, s.ValueString())
	}
	sort.Strings(out)
	return out
}

// StrMap converts a map of strings; nil when null or unknown.
func (c *Converter) StrMap(v types.Map, p []composite.PathStep) map[string]string {
	if v.IsUnknown() {
		c.MarkUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.Elements() {
		s, _ := e.(types.String)
		out[k] = c.Str(s, At(p, composite.KeyStep(k)))
	}
	return out
}

// Object decodes a nested object into target; false when null or unknown.
func (c *Converter) Object(v types.Object, p []composite.PathStep, target any) bool {
	if v.IsUnknown() {
		c.MarkUnknown(p)
		return false
	}
	if v.IsNull() {
		return false
	}
	c.Diags.Append(v.As(c.Ctx, target, basetypes.ObjectAsOptions{})...)
	return !c.Diags.HasError()
}

// AP is a path of attribute names.
func AP(names ...string) []composite.PathStep { return composite.AttrPath(names...) }

// At returns a copy of p extended with steps.
func At(p []composite.PathStep, steps ...composite.PathStep) []composite.PathStep {
	out := append([]composite.PathStep(nil), p...)
	return append(out, steps...)
}

// UnderUnknown reports whether p equals or lies under an unknown path.
func UnderUnknown(p []composite.PathStep, unknown [][]composite.PathStep) bool {
	for _, u := range unknown {
		if len(u) > len(p) {
			continue
		}
		match := true
		for i := range u {
			if u[i] != p[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// TFPath converts a composite path into a framework attribute path. An index
// under one of setAttrs (a set has no index) stops at the set attribute.
func TFPath(steps []composite.PathStep, setAttrs map[string]bool) path.Path {
	var p path.Path
	for i, st := range steps {
		switch {
		case i == 0:
			p = path.Root(st.Attr)
		case st.IsKey:
			p = p.AtMapKey(st.MapKey)
		case st.IsIndex:
			if setAttrs[steps[i-1].Attr] {
				return p
			}
			p = p.AtListIndex(st.Index)
		default:
			p = p.AtName(st.Attr)
		}
	}
	return p
}

// FieldDiagnostics turns composite validation errors into attribute
// diagnostics, skipping those under unknown values. The detail starts with
// the path: Terraform (1.5) points at the resource block, not at the value,
// for nested attributes.
func FieldDiagnostics(errs []composite.FieldError, unknown [][]composite.PathStep, setAttrs map[string]bool) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range errs {
		if UnderUnknown(e.Path, unknown) {
			continue
		}
		if len(e.Path) == 0 {
			diags.AddError(e.Summary, e.Detail)
			continue
		}
		diags.AddAttributeError(TFPath(e.Path, setAttrs), e.Summary, composite.PathString(e.Path)+": "+e.Detail)
	}
	return diags
}

// MergeTags returns default tags overlaid with resource tags (tags_all).
func MergeTags(defaults, tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// ChildObjectType is one entry of a composite's `resources` map.
var ChildObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"kind": types.StringType,
	"name": types.StringType,
	"arn":  types.StringType,
}}

func child(kind composite.Kind, name string, arn types.String) attr.Value {
	return types.ObjectValueMust(ChildObjectType.AttrTypes, map[string]attr.Value{
		"kind": types.StringValue(string(kind)),
		"name": types.StringValue(name),
		"arn":  arn,
	})
}

// ResourcesMap renders the planned children; arnOf returns the known ARN of
// a key, or ok=false for "known after apply".
func ResourcesMap(children []composite.Child, arnOf func(key string) (string, bool)) types.Map {
	elems := map[string]attr.Value{}
	for _, ch := range children {
		arn := types.StringUnknown()
		if a, ok := arnOf(ch.Key); ok {
			arn = types.StringValue(a)
		}
		elems[ch.Key] = child(ch.Kind, ch.Name, arn)
	}
	return types.MapValueMust(ChildObjectType, elems)
}

// RecordedResourcesMap renders recorded children (state after apply/read).
func RecordedResourcesMap(rec map[string]composite.Recorded) types.Map {
	elems := map[string]attr.Value{}
	for k, r := range rec {
		elems[k] = child(r.Kind, r.Name, types.StringValue(r.ARN))
	}
	return types.MapValueMust(ChildObjectType, elems)
}
