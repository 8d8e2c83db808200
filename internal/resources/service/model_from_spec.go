package service

import (
	"context"
	"sort"
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
// what AWS reports (composite.ServiceSpecFromObserved).
//
//   - An unset spec field (nil pointer, "", nil or empty list/map, nil
//     block, false for a plain bool) is an attribute the configuration leaves
//     out: null, or the schema default when the attribute has one (cpu,
//     memory, desired_count, cpu_architecture, log_retention_days,
//     enable_execute_command), because that is what the plan holds for it.
//   - Set values become known values; sets are sorted and distinct.
//   - Nested objects are built with the resource schema's attribute types.
//
// Computed attributes (id, arn, the *_arn / url / name / priority outputs,
// resources, tags_all) and timeouts are left untouched: the caller fills them.
//
// Hence toSpec(fromSpec(s)) == s up to the schema defaults (nil -> the
// default), set order and duplicates, and empty lists/maps (-> nil), none of
// which change what ExpandService builds.
func fromSpec(ctx context.Context, s composite.ServiceSpec, into *serviceModel) diag.Diagnostics {
	b := newSpecModelBuilder(ctx)
	m := into

	m.Name = b.str(s.Name, "name")
	m.Cluster = b.str(s.Cluster, "cluster")
	m.CPU = b.int(s.CPU, "cpu")
	m.Memory = b.int(s.Memory, "memory")
	m.DesiredCount = b.int(s.DesiredCount, "desired_count")
	m.CPUArchitecture = b.str(s.CPUArchitecture, "cpu_architecture")
	m.TaskRolePolicyJSON = b.str(s.TaskRolePolicyJSON, "task_role_policy_json")
	m.LogRetentionDays = b.int(s.LogRetentionDays, "log_retention_days")
	m.EnableExecuteCommand = b.flag(s.EnableExecuteCommand, "enable_execute_command")
	m.HealthCheckGracePeriod = b.int(s.HealthCheckGracePeriod, "health_check_grace_period")
	m.Tags = b.strMap(s.Tags, "tags")

	// Containers.
	if s.Containers == nil {
		m.Containers = types.MapNull(b.elemType("containers"))
	} else {
		cms := make(map[string]attr.Value, len(s.Containers))
		for name, c := range s.Containers {
			cms[name] = b.object(containerModel{
				Image:       b.str(c.Image, "containers", "image"),
				ImageTag:    b.str(c.ImageTag, "containers", "image_tag"),
				Port:        b.int(c.Port, "containers", "port"),
				Command:     b.list(c.Command, "containers", "command"),
				EntryPoint:  b.list(c.EntryPoint, "containers", "entry_point"),
				Environment: b.strMap(c.Environment, "containers", "environment"),
				Secrets:     b.strMap(c.Secrets, "containers", "secrets"),
				Essential:   b.bool(c.Essential, "containers", "essential"),
				CPU:         b.int(c.CPU, "containers", "cpu"),
				Memory:      b.int(c.Memory, "containers", "memory"),
			}, "containers")
		}
		m.Containers = b.mapOf(cms, "containers")
	}

	// Network (required: always an object).
	n := s.Network
	m.Network = b.object(networkModel{
		SubnetIDs:        b.set(n.SubnetIDs, "network", "subnet_ids"),
		SecurityGroupIDs: b.set(n.SecurityGroupIDs, "network", "security_group_ids"),
		AssignPublicIP:   b.flag(n.AssignPublicIP, "network", "assign_public_ip"),
		VpcID:            b.str(n.VpcID, "network", "vpc_id"),
	}, "network")

	// Load balancer.
	m.LoadBalancer = b.null("load_balancer")
	if lb := s.LoadBalancer; lb != nil {
		hc := b.null("load_balancer", "health_check")
		if h := lb.HealthCheck; h != nil {
			hp := func(n string) []string { return []string{"load_balancer", "health_check", n} }
			hc = b.object(healthCheckModel{
				Path:               b.str(h.Path, hp("path")...),
				Matcher:            b.str(h.Matcher, hp("matcher")...),
				Interval:           b.int(h.Interval, hp("interval")...),
				Timeout:            b.int(h.Timeout, hp("timeout")...),
				HealthyThreshold:   b.int(h.HealthyThreshold, hp("healthy_threshold")...),
				UnhealthyThreshold: b.int(h.UnhealthyThreshold, hp("unhealthy_threshold")...),
			}, "load_balancer", "health_check")
		}
		m.LoadBalancer = b.object(loadBalancerModel{
			ListenerARN:         b.str(lb.ListenerARN, "load_balancer", "listener_arn"),
			ContainerName:       b.str(lb.ContainerName, "load_balancer", "container_name"),
			PathPatterns:        b.set(lb.PathPatterns, "load_balancer", "path_patterns"),
			HostHeaders:         b.set(lb.HostHeaders, "load_balancer", "host_headers"),
			Priority:            b.int(lb.Priority, "load_balancer", "priority"),
			DeregistrationDelay: b.int(lb.DeregistrationDelay, "load_balancer", "deregistration_delay"),
			ProtocolVersion:     b.str(lb.ProtocolVersion, "load_balancer", "protocol_version"),
			HealthCheck:         hc,
		}, "load_balancer")
	}

	// Service discovery.
	m.ServiceDiscovery = b.null("service_discovery")
	if sd := s.ServiceDiscovery; sd != nil {
		m.ServiceDiscovery = b.object(serviceDiscoveryModel{
			NamespaceID:   b.str(sd.NamespaceID, "service_discovery", "namespace_id"),
			DNSTTL:        b.int(sd.DNSTTL, "service_discovery", "dns_ttl"),
			NamespaceType: b.str(sd.NamespaceType, "service_discovery", "namespace_type"),
			ContainerName: b.str(sd.ContainerName, "service_discovery", "container_name"),
		}, "service_discovery")
	}

	// Repository.
	m.Repository = b.null("repository")
	if r := s.Repository; r != nil {
		m.Repository = b.object(repositoryModel{
			ScanOnPush:         b.bool(r.ScanOnPush, "repository", "scan_on_push"),
			ImageTagMutability: b.str(r.ImageTagMutability, "repository", "image_tag_mutability"),
			KeepImages:         b.int(r.KeepImages, "repository", "keep_images"),
			ForceDelete:        b.flag(r.ForceDelete, "repository", "force_delete"),
		}, "repository")
	}

	// Deployment.
	m.Deployment = b.null("deployment")
	if d := s.Deployment; d != nil {
		m.Deployment = b.object(deploymentModel{
			CircuitBreakerRollback: b.bool(d.CircuitBreakerRollback, "deployment", "circuit_breaker_rollback"),
			MinimumHealthyPercent:  b.int(d.MinimumHealthyPercent, "deployment", "minimum_healthy_percent"),
			MaximumPercent:         b.int(d.MaximumPercent, "deployment", "maximum_percent"),
			WaitForSteadyState:     b.bool(d.WaitForSteadyState, "deployment", "wait_for_steady_state"),
		}, "deployment")
	}
	return b.diags
}

// serviceSchema returns the resource schema.
func serviceSchema(ctx context.Context) schema.Schema {
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
	return &specModelBuilder{ctx: ctx, sch: serviceSchema(ctx)}
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

// flag converts a plain spec bool, where false means unset.
func (b *specModelBuilder) flag(v bool, names ...string) types.Bool {
	if v {
		return types.BoolValue(true)
	}
	return b.bool(nil, names...)
}

// list is a list of strings; empty means unset.
func (b *specModelBuilder) list(v []string, names ...string) types.List {
	et := b.elemType(names...)
	if len(v) == 0 {
		if d, ok := b.schemaDefault(names...); ok {
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

// set is a set of strings, sorted and distinct; empty means unset.
func (b *specModelBuilder) set(v []string, names ...string) types.Set {
	et := b.elemType(names...)
	if len(v) == 0 {
		if d, ok := b.schemaDefault(names...); ok {
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
