package cluster

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// fromSpec is the inverse of toSpec: it sets every input attribute of the
// model from the spec, as a plan of a configuration that writes exactly the
// spec would hold them. Import uses it on the spec composite rebuilds from
// what AWS reports (composite.ClusterSpecFromObserved).
//
//   - An unset spec field (nil pointer, "", nil list, nil or empty map, nil
//     block) is an attribute the configuration leaves out: null, or the
//     schema default when the attribute has one (capacity_providers,
//     default_capacity_provider_strategy and its weight/base,
//     container_insights, service_discovery.type, load_balancer.internal,
//     ingress_cidr_blocks and idle_timeout), because that is what the plan
//     holds for it.
//   - An empty (non-nil) list is kept as an empty list: for the cluster
//     "none" (capacity_providers = []) differs from "unset" (the default).
//   - Nested objects are built with the resource schema's attribute types.
//
// Computed attributes (id, arn, namespace_*, load_balancer_*, listener_arn,
// *_security_group_id, resources, tags_all) and timeouts are left untouched:
// the caller fills them. vpc_id and subnet_ids are inputs (optional and
// computed): "" / nil become null, which the plan's UseStateForUnknown keeps
// unknown; the adapter resolves them before expanding.
//
// Hence toSpec(fromSpec(s)) == s up to the schema defaults (nil -> the
// default) and empty tags (-> nil).
func fromSpec(ctx context.Context, s composite.ClusterSpec, into *clusterResourceModel) diag.Diagnostics {
	b := newSpecModelBuilder(ctx)
	m := into

	m.Name = b.str(s.Name, "name")
	m.CapacityProviders = b.list(s.CapacityProviders, "capacity_providers")
	m.ContainerInsights = b.bool(s.ContainerInsights, "container_insights")
	m.VpcID = b.str(s.VpcID, "vpc_id")
	m.SubnetIDs = b.list(s.SubnetIDs, "subnet_ids")
	m.Tags = b.strMap(s.Tags, "tags")

	const strategies = "default_capacity_provider_strategy"
	if s.DefaultCapacityProviderStrategy == nil {
		m.DefaultCapacityProviderStrategy = b.unsetList(b.elemType(strategies), strategies)
	} else {
		elems := make([]attr.Value, 0, len(s.DefaultCapacityProviderStrategy))
		for _, st := range s.DefaultCapacityProviderStrategy {
			elems = append(elems, b.object(strategyModel{
				CapacityProvider: b.str(st.CapacityProvider, strategies, "capacity_provider"),
				Weight:           b.int(st.Weight, strategies, "weight"),
				Base:             b.int(st.Base, strategies, "base"),
			}, strategies))
		}
		m.DefaultCapacityProviderStrategy = b.listOf(elems, strategies)
	}

	m.ServiceDiscovery = b.null("service_discovery")
	if sd := s.ServiceDiscovery; sd != nil {
		m.ServiceDiscovery = b.object(serviceDiscoveryModel{
			Name:        b.str(sd.Name, "service_discovery", "name"),
			Type:        b.str(sd.Type, "service_discovery", "type"),
			Description: b.str(sd.Description, "service_discovery", "description"),
		}, "service_discovery")
	}

	m.LoadBalancer = b.null("load_balancer")
	if lb := s.LoadBalancer; lb != nil {
		m.LoadBalancer = b.object(loadBalancerModel{
			Internal:          b.bool(lb.Internal, "load_balancer", "internal"),
			IngressCIDRBlocks: b.list(lb.IngressCIDRBlocks, "load_balancer", "ingress_cidr_blocks"),
			CertificateARN:    b.str(lb.CertificateARN, "load_balancer", "certificate_arn"),
			SSLPolicy:         b.str(lb.SSLPolicy, "load_balancer", "ssl_policy"),
			IdleTimeout:       b.int(lb.IdleTimeout, "load_balancer", "idle_timeout"),
		}, "load_balancer")
	}
	return b.diags
}

// clusterSchema returns the resource schema.
func clusterSchema(ctx context.Context) schema.Schema {
	var resp resource.SchemaResponse
	schemaInto(ctx, &resp)
	return resp.Schema
}

// specModelBuilder builds tfsdk values for fromSpec. Every value is typed,
// and defaulted, from the attribute of the resource schema at its path
// (attribute names; map and list element steps are implied), so fromSpec
// never drifts from schema.go.
type specModelBuilder struct {
	ctx   context.Context
	sch   schema.Schema
	diags diag.Diagnostics
}

func newSpecModelBuilder(ctx context.Context) *specModelBuilder {
	return &specModelBuilder{ctx: ctx, sch: clusterSchema(ctx)}
}

// attribute returns the schema attribute at names (nil and an error when the
// schema has none).
func (b *specModelBuilder) attribute(names ...string) schema.Attribute {
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
func (b *specModelBuilder) typ(names ...string) attr.Type {
	if a := b.attribute(names...); a != nil {
		return a.GetType()
	}
	return nil
}

// elemType is the element type of the list, set or map attribute at names.
func (b *specModelBuilder) elemType(names ...string) attr.Type {
	if t, ok := b.typ(names...).(attr.TypeWithElementType); ok {
		return t.ElementType()
	}
	b.diags.AddError("Converting the spec into the model", strings.Join(names, ".")+" is not a collection in the schema")
	return nil
}

// objectTypes are the attribute types of the object at names, or of the
// elements of the map/list/set of objects at names.
func (b *specModelBuilder) objectTypes(names ...string) map[string]attr.Type {
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

// schemaDefault is the value the schema plans for the attribute at names
// when the configuration leaves it out (ok=false: no default).
func (b *specModelBuilder) schemaDefault(names ...string) (attr.Value, bool) {
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

func (b *specModelBuilder) str(v string, names ...string) types.String {
	if v != "" {
		return types.StringValue(v)
	}
	if d, ok := b.schemaDefault(names...); ok {
		if s, ok := d.(types.String); ok {
			return s
		}
	}
	return types.StringNull()
}

func (b *specModelBuilder) int(v *int64, names ...string) types.Int64 {
	if v != nil {
		return types.Int64Value(*v)
	}
	if d, ok := b.schemaDefault(names...); ok {
		if n, ok := d.(types.Int64); ok {
			return n
		}
	}
	return types.Int64Null()
}

func (b *specModelBuilder) bool(v *bool, names ...string) types.Bool {
	if v != nil {
		return types.BoolValue(*v)
	}
	if d, ok := b.schemaDefault(names...); ok {
		if x, ok := d.(types.Bool); ok {
			return x
		}
	}
	return types.BoolNull()
}

// list is a list of strings; nil means unset, an empty list is kept (for
// the cluster's lists, "none" differs from "unset": the default).
func (b *specModelBuilder) list(v []string, names ...string) types.List {
	et := b.elemType(names...)
	if v == nil {
		return b.unsetList(et, names...)
	}
	elems := make([]attr.Value, len(v))
	for i, s := range v {
		elems[i] = types.StringValue(s)
	}
	return b.listOf(elems, names...)
}

// unsetList is the schema default of the list at names, or a null list.
func (b *specModelBuilder) unsetList(et attr.Type, names ...string) types.List {
	if d, ok := b.schemaDefault(names...); ok {
		if l, ok := d.(types.List); ok {
			return l
		}
	}
	return types.ListNull(et)
}

// listOf is a known list of elems, typed as the list attribute at names.
func (b *specModelBuilder) listOf(elems []attr.Value, names ...string) types.List {
	l, diags := types.ListValue(b.elemType(names...), elems)
	b.diags.Append(diags...)
	return l
}

// strMap is a map of strings; empty means unset.
func (b *specModelBuilder) strMap(v map[string]string, names ...string) types.Map {
	if len(v) == 0 {
		if d, ok := b.schemaDefault(names...); ok {
			if m, ok := d.(types.Map); ok {
				return m
			}
		}
		return types.MapNull(b.elemType(names...))
	}
	elems := make(map[string]attr.Value, len(v))
	for k, s := range v {
		elems[k] = types.StringValue(s)
	}
	return b.mapOf(elems, names...)
}

// mapOf is a known map of elems, typed as the map attribute at names.
func (b *specModelBuilder) mapOf(elems map[string]attr.Value, names ...string) types.Map {
	m, diags := types.MapValue(b.elemType(names...), elems)
	b.diags.Append(diags...)
	return m
}

// null is a null object typed as the object attribute at names.
func (b *specModelBuilder) null(names ...string) types.Object {
	return types.ObjectNull(b.objectTypes(names...))
}

// object converts a model struct into an object typed as the object (or
// the element object of the map/list at names); the struct's tfsdk tags
// must match the schema.
func (b *specModelBuilder) object(v any, names ...string) types.Object {
	o, diags := types.ObjectValueFrom(b.ctx, b.objectTypes(names...), v)
	b.diags.Append(diags...)
	return o
}
