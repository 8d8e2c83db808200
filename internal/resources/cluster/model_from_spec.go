package cluster

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
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
	b := adapter.NewModelBuilder(ctx, clusterSchema(ctx))
	m := into

	m.Name = b.Str(s.Name, "name")
	m.CapacityProviders = b.ListKeepEmpty(s.CapacityProviders, "capacity_providers")
	m.ContainerInsights = b.Bool(s.ContainerInsights, "container_insights")
	m.VpcID = b.Str(s.VpcID, "vpc_id")
	m.SubnetIDs = b.ListKeepEmpty(s.SubnetIDs, "subnet_ids")
	m.Tags = b.StrMap(s.Tags, "tags")

	const strategies = "default_capacity_provider_strategy"
	if s.DefaultCapacityProviderStrategy == nil {
		m.DefaultCapacityProviderStrategy = b.UnsetList(b.ElemType(strategies), strategies)
	} else {
		elems := make([]attr.Value, 0, len(s.DefaultCapacityProviderStrategy))
		for _, st := range s.DefaultCapacityProviderStrategy {
			elems = append(elems, b.Object(strategyModel{
				CapacityProvider: b.Str(st.CapacityProvider, strategies, "capacity_provider"),
				Weight:           b.Int(st.Weight, strategies, "weight"),
				Base:             b.Int(st.Base, strategies, "base"),
			}, strategies))
		}
		m.DefaultCapacityProviderStrategy = b.ListOf(elems, strategies)
	}

	m.ServiceDiscovery = b.Null("service_discovery")
	if sd := s.ServiceDiscovery; sd != nil {
		m.ServiceDiscovery = b.Object(serviceDiscoveryModel{
			Name:        b.Str(sd.Name, "service_discovery", "name"),
			Type:        b.Str(sd.Type, "service_discovery", "type"),
			Description: b.Str(sd.Description, "service_discovery", "description"),
		}, "service_discovery")
	}

	m.LoadBalancer = b.Null("load_balancer")
	if lb := s.LoadBalancer; lb != nil {
		m.LoadBalancer = b.Object(loadBalancerModel{
			Internal:          b.Bool(lb.Internal, "load_balancer", "internal"),
			IngressCIDRBlocks: b.ListKeepEmpty(lb.IngressCIDRBlocks, "load_balancer", "ingress_cidr_blocks"),
			CertificateARN:    b.Str(lb.CertificateARN, "load_balancer", "certificate_arn"),
			SSLPolicy:         b.Str(lb.SSLPolicy, "load_balancer", "ssl_policy"),
			IdleTimeout:       b.Int(lb.IdleTimeout, "load_balancer", "idle_timeout"),
		}, "load_balancer")
	}
	return b.Diags()
}

// clusterSchema returns the resource schema.
func clusterSchema(ctx context.Context) schema.Schema {
	var resp resource.SchemaResponse
	schemaInto(ctx, &resp)
	return resp.Schema
}
