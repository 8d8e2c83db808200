package cluster

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

type clusterResourceModel struct {
	ID                              types.String   `tfsdk:"id"`
	Name                            types.String   `tfsdk:"name"`
	CapacityProviders               types.List     `tfsdk:"capacity_providers"`
	DefaultCapacityProviderStrategy types.List     `tfsdk:"default_capacity_provider_strategy"`
	ContainerInsights               types.Bool     `tfsdk:"container_insights"`
	VpcID                           types.String   `tfsdk:"vpc_id"`
	SubnetIDs                       types.List     `tfsdk:"subnet_ids"`
	ServiceDiscovery                types.Object   `tfsdk:"service_discovery"`
	LoadBalancer                    types.Object   `tfsdk:"load_balancer"`
	Tags                            types.Map      `tfsdk:"tags"`
	TagsAll                         types.Map      `tfsdk:"tags_all"`
	Timeouts                        timeouts.Value `tfsdk:"timeouts"`

	ARN                         types.String `tfsdk:"arn"`
	NamespaceID                 types.String `tfsdk:"namespace_id"`
	NamespaceARN                types.String `tfsdk:"namespace_arn"`
	LoadBalancerARN             types.String `tfsdk:"load_balancer_arn"`
	LoadBalancerDNSName         types.String `tfsdk:"load_balancer_dns_name"`
	ListenerARN                 types.String `tfsdk:"listener_arn"`
	LoadBalancerSecurityGroupID types.String `tfsdk:"load_balancer_security_group_id"`
	ServiceSecurityGroupID      types.String `tfsdk:"service_security_group_id"`
	Resources                   types.Map    `tfsdk:"resources"`
}

type strategyModel struct {
	CapacityProvider types.String `tfsdk:"capacity_provider"`
	Weight           types.Int64  `tfsdk:"weight"`
	Base             types.Int64  `tfsdk:"base"`
}

type serviceDiscoveryModel struct {
	Name        types.String `tfsdk:"name"`
	Type        types.String `tfsdk:"type"`
	Description types.String `tfsdk:"description"`
}

type loadBalancerModel struct {
	Internal          types.Bool   `tfsdk:"internal"`
	IngressCIDRBlocks types.List   `tfsdk:"ingress_cidr_blocks"`
	CertificateARN    types.String `tfsdk:"certificate_arn"`
	SSLPolicy         types.String `tfsdk:"ssl_policy"`
	IdleTimeout       types.Int64  `tfsdk:"idle_timeout"`
}

func ap(names ...string) []composite.PathStep { return adapter.AP(names...) }

func at(p []composite.PathStep, steps ...composite.PathStep) []composite.PathStep {
	return adapter.At(p, steps...)
}

// toSpec converts the model into a spec and returns the unknown paths.
func toSpec(ctx context.Context, m clusterResourceModel) (composite.ClusterSpec, [][]composite.PathStep, diag.Diagnostics) {
	// Unknown strings become "" and unknown lists unset.
	c := &adapter.Converter{Ctx: ctx}
	s := composite.ClusterSpec{
		Name:              c.Str(m.Name, ap("name")),
		CapacityProviders: c.List(m.CapacityProviders, ap("capacity_providers")),
		ContainerInsights: c.BoolPtr(m.ContainerInsights, ap("container_insights")),
		VpcID:             c.Str(m.VpcID, ap("vpc_id")),
		SubnetIDs:         c.List(m.SubnetIDs, ap("subnet_ids")),
		Tags:              c.StrMap(m.Tags, ap("tags")),
	}
	sp := ap("default_capacity_provider_strategy")
	if m.DefaultCapacityProviderStrategy.IsUnknown() {
		c.MarkUnknown(sp)
	} else if !m.DefaultCapacityProviderStrategy.IsNull() {
		var items []strategyModel
		c.Diags.Append(m.DefaultCapacityProviderStrategy.ElementsAs(ctx, &items, false)...)
		s.DefaultCapacityProviderStrategy = []composite.CapacityProviderStrategySpec{}
		for i, it := range items {
			p := at(sp, composite.IndexStep(i))
			s.DefaultCapacityProviderStrategy = append(s.DefaultCapacityProviderStrategy, composite.CapacityProviderStrategySpec{
				CapacityProvider: c.Str(it.CapacityProvider, at(p, composite.AttrStep("capacity_provider"))),
				Weight:           c.IntPtr(it.Weight, at(p, composite.AttrStep("weight"))),
				Base:             c.IntPtr(it.Base, at(p, composite.AttrStep("base"))),
			})
		}
	}
	var sd serviceDiscoveryModel
	if c.Object(m.ServiceDiscovery, ap("service_discovery"), &sd) {
		s.ServiceDiscovery = &composite.ClusterServiceDiscoverySpec{
			Name:        c.Str(sd.Name, ap("service_discovery", "name")),
			Type:        c.Str(sd.Type, ap("service_discovery", "type")),
			Description: c.Str(sd.Description, ap("service_discovery", "description")),
		}
	}
	var lb loadBalancerModel
	if c.Object(m.LoadBalancer, ap("load_balancer"), &lb) {
		s.LoadBalancer = &composite.ClusterLoadBalancerSpec{
			Internal:          c.BoolPtr(lb.Internal, ap("load_balancer", "internal")),
			IngressCIDRBlocks: c.List(lb.IngressCIDRBlocks, ap("load_balancer", "ingress_cidr_blocks")),
			CertificateARN:    c.Str(lb.CertificateARN, ap("load_balancer", "certificate_arn")),
			SSLPolicy:         c.Str(lb.SSLPolicy, ap("load_balancer", "ssl_policy")),
			IdleTimeout:       c.IntPtr(lb.IdleTimeout, ap("load_balancer", "idle_timeout")),
		}
	}
	return s, c.Unknown, c.Diags
}

// fieldDiagnostics maps validation errors onto this resource's attributes
// (it has no set attributes).
func fieldDiagnostics(errs []composite.FieldError, unknown [][]composite.PathStep) diag.Diagnostics {
	return adapter.FieldDiagnostics(errs, unknown, nil)
}
