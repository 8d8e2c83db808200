package adapter

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ModelBuilder builds the tfsdk values of a resource model from a spec (each
// resource's fromSpec, for import). Every value is typed,
// and defaulted, from the attribute of the resource schema at its path
// (attribute names; map and list element steps are implied), so fromSpec
// never drifts from schema.go.
type ModelBuilder struct {
	ctx   context.Context
	sch   schema.Schema
	diags diag.Diagnostics
}

// NewModelBuilder returns a builder typed by the resource schema sch.
func NewModelBuilder(ctx context.Context, sch schema.Schema) *ModelBuilder {
	return &ModelBuilder{ctx: ctx, sch: sch}
}

// attribute returns the schema attribute at names (nil and an error when the
// schema has none).
func (b *ModelBuilder) attribute(names ...string) schema.Attribute {
	attrs := b.sch.Attributes
	var a schema.Attribute
	for i, n := range names {
		var ok bool
		if a, ok = attrs[n]; !ok {
			b.diags.AddError("Converting the spec into the model", "the schema has no attribute "+strings.Join(names[:i+1], "."))
			return nil
		}
		switch x := a.(type) {
		case schema.SingleNestedAttribute:
			attrs = x.Attributes
		case schema.MapNestedAttribute:
			attrs = x.NestedObject.Attributes
		case schema.ListNestedAttribute:
			attrs = x.NestedObject.Attributes
		case schema.SetNestedAttribute:
			attrs = x.NestedObject.Attributes
		default:
			attrs = nil
		}
	}
	return a
}

// typ is the type of the attribute at names.
func (b *ModelBuilder) typ(names ...string) attr.Type {
	if a := b.attribute(names...); a != nil {
		return a.GetType()
	}
	return nil
}

// ElemType is the element type of the list, set or map attribute at names.
func (b *ModelBuilder) ElemType(names ...string) attr.Type {
	if t, ok := b.typ(names...).(attr.TypeWithElementType); ok {
		return t.ElementType()
	}
	b.diags.AddError("Converting the spec into the model", strings.Join(names, ".")+" is not a collection in the schema")
	return nil
}

// objectTypes are the attribute types of the object at names, or of the
// elements of the map/list/set of objects at names.
func (b *ModelBuilder) ObjectTypes(names ...string) map[string]attr.Type {
	t := b.typ(names...)
	if c, ok := t.(attr.TypeWithElementType); ok {
		t = c.ElementType()
	}
	if o, ok := t.(attr.TypeWithAttributeTypes); ok {
		return o.AttributeTypes()
	}
	b.diags.AddError("Converting the spec into the model", strings.Join(names, ".")+" is not an object in the schema")
	return nil
}

// SchemaDefault is the value the schema plans for the attribute at names
// when the configuration leaves it out (ok=false: no default).
func (b *ModelBuilder) SchemaDefault(names ...string) (attr.Value, bool) {
	a := b.attribute(names...)
	p := path.Root(names[0])
	for _, n := range names[1:] {
		p = p.AtName(n)
	}
	var diags diag.Diagnostics
	var v attr.Value
	switch x := a.(type) {
	case interface{ StringDefaultValue() defaults.String }:
		if d := x.StringDefaultValue(); d != nil {
			var r defaults.StringResponse
			d.DefaultString(b.ctx, defaults.StringRequest{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	case interface{ Int64DefaultValue() defaults.Int64 }:
		if d := x.Int64DefaultValue(); d != nil {
			var r defaults.Int64Response
			d.DefaultInt64(b.ctx, defaults.Int64Request{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	case interface{ BoolDefaultValue() defaults.Bool }:
		if d := x.BoolDefaultValue(); d != nil {
			var r defaults.BoolResponse
			d.DefaultBool(b.ctx, defaults.BoolRequest{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	case interface{ ListDefaultValue() defaults.List }:
		if d := x.ListDefaultValue(); d != nil {
			var r defaults.ListResponse
			d.DefaultList(b.ctx, defaults.ListRequest{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	case interface{ SetDefaultValue() defaults.Set }:
		if d := x.SetDefaultValue(); d != nil {
			var r defaults.SetResponse
			d.DefaultSet(b.ctx, defaults.SetRequest{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	case interface{ MapDefaultValue() defaults.Map }:
		if d := x.MapDefaultValue(); d != nil {
			var r defaults.MapResponse
			d.DefaultMap(b.ctx, defaults.MapRequest{Path: p}, &r)
			v, diags = r.PlanValue, r.Diagnostics
		}
	}
	b.diags.Append(diags...)
	return v, v != nil && !diags.HasError()
}

func (b *ModelBuilder) Str(v string, names ...string) types.String {
	if v != "" {
		return types.StringValue(v)
	}
	if d, ok := b.SchemaDefault(names...); ok {
		if s, ok := d.(types.String); ok {
			return s
		}
	}
	return types.StringNull()
}

func (b *ModelBuilder) Int(v *int64, names ...string) types.Int64 {
	if v != nil {
		return types.Int64Value(*v)
	}
	if d, ok := b.SchemaDefault(names...); ok {
		if n, ok := d.(types.Int64); ok {
			return n
		}
	}
	return types.Int64Null()
}

func (b *ModelBuilder) Bool(v *bool, names ...string) types.Bool {
	if v != nil {
		return types.BoolValue(*v)
	}
	if d, ok := b.SchemaDefault(names...); ok {
		if x, ok := d.(types.Bool); ok {
			return x
		}
	}
	return types.BoolNull()
}

// Flag converts a plain spec bool, where false means unset.
func (b *ModelBuilder) Flag(v bool, names ...string) types.Bool {
	if v {
		return types.BoolValue(true)
	}
	return b.Bool(nil, names...)
}

// List is a list of strings; empty means unset.
func (b *ModelBuilder) List(v []string, names ...string) types.List {
	et := b.ElemType(names...)
	if len(v) == 0 {
		if d, ok := b.SchemaDefault(names...); ok {
			if l, ok := d.(types.List); ok {
				return l
			}
		}
		return types.ListNull(et)
	}
	elems := make([]attr.Value, len(v))
	for i, s := range v {
		elems[i] = types.StringValue(s)
	}
	l, diags := types.ListValue(et, elems)
	b.diags.Append(diags...)
	return l
}

// Set is a set of strings, sorted and distinct; empty means unset.
func (b *ModelBuilder) Set(v []string, names ...string) types.Set {
	et := b.ElemType(names...)
	if len(v) == 0 {
		if d, ok := b.SchemaDefault(names...); ok {
			if s, ok := d.(types.Set); ok {
				return s
			}
		}
		return types.SetNull(et)
	}
	sorted := append([]string(nil), v...)
	sort.Strings(sorted)
	elems := make([]attr.Value, 0, len(sorted))
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			elems = append(elems, types.StringValue(s))
		}
	}
	s, diags := types.SetValue(et, elems)
	b.diags.Append(diags...)
	return s
}

// StrMap is a map of strings; empty means unset.
func (b *ModelBuilder) StrMap(v map[string]string, names ...string) types.Map {
	if len(v) == 0 {
		if d, ok := b.SchemaDefault(names...); ok {
			if m, ok := d.(types.Map); ok {
				return m
			}
		}
		return types.MapNull(b.ElemType(names...))
	}
	elems := make(map[string]attr.Value, len(v))
	for k, s := range v {
		elems[k] = types.StringValue(s)
	}
	return b.MapOf(elems, names...)
}

// MapOf is a known map of elems, typed as the map attribute at names.
func (b *ModelBuilder) MapOf(elems map[string]attr.Value, names ...string) types.Map {
	m, diags := types.MapValue(b.ElemType(names...), elems)
	b.diags.Append(diags...)
	return m
}

// Null is a null object typed as the object attribute at names.
func (b *ModelBuilder) Null(names ...string) types.Object {
	return types.ObjectNull(b.ObjectTypes(names...))
}

// Object converts a model struct into an object typed as the object (or
// the element object of the map/list at names); the struct's tfsdk tags
// must match the schema.
func (b *ModelBuilder) Object(v any, names ...string) types.Object {
	o, diags := types.ObjectValueFrom(b.ctx, b.ObjectTypes(names...), v)
	b.diags.Append(diags...)
	return o
}

// ListKeepEmpty is a list of strings where nil means unset and an empty
// List is kept (lists where "none" differs from "unset", the default).
func (b *ModelBuilder) ListKeepEmpty(v []string, names ...string) types.List {
	et := b.ElemType(names...)
	if v == nil {
		return b.UnsetList(et, names...)
	}
	elems := make([]attr.Value, len(v))
	for i, s := range v {
		elems[i] = types.StringValue(s)
	}
	return b.ListOf(elems, names...)
}

// UnsetList is the schema default of the list at names, or a null list.
func (b *ModelBuilder) UnsetList(et attr.Type, names ...string) types.List {
	if d, ok := b.SchemaDefault(names...); ok {
		if l, ok := d.(types.List); ok {
			return l
		}
	}
	return types.ListNull(et)
}

// ListOf is a known list of elems, typed as the list attribute at names.
func (b *ModelBuilder) ListOf(elems []attr.Value, names ...string) types.List {
	l, diags := types.ListValue(b.ElemType(names...), elems)
	b.diags.Append(diags...)
	return l
}

// Diags are the problems met so far.
func (b *ModelBuilder) Diags() diag.Diagnostics { return b.diags }
