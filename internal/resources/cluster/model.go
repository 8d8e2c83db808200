package cluster

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
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

// setComputed fills the top-level computed attributes from get(key, output).
func setComputed(m *clusterResourceModel, listenerKey string, get func(key, output string) types.String) {
	m.ARN = get(composite.KeyCluster, composite.AttrARN)
	m.NamespaceID = get(composite.KeyNamespace, composite.AttrID)
	m.NamespaceARN = get(composite.KeyNamespace, composite.AttrARN)
	m.LoadBalancerARN = get(composite.KeyLoadBalancer, composite.AttrARN)
	m.LoadBalancerDNSName = get(composite.KeyLoadBalancer, composite.AttrDNSName)
	m.LoadBalancerSecurityGroupID = get(composite.KeyLoadBalancerSecurityGroup, composite.AttrID)
	m.ServiceSecurityGroupID = get(composite.KeyServiceSecurityGroup, composite.AttrID)
	m.ListenerARN = types.StringNull()
	if listenerKey != "" {
		m.ListenerARN = get(listenerKey, composite.AttrARN)
	}
}

// applyRecorded writes the recorded children into the computed attributes.
func applyRecorded(m *clusterResourceModel, rec map[string]composite.Recorded) {
	m.Resources = adapter.RecordedResourcesMap(rec)
	listenerKey := composite.KeyHTTPListener
	if _, ok := rec[composite.KeyHTTPSListener]; ok {
		listenerKey = composite.KeyHTTPSListener
	}
	setComputed(m, listenerKey, func(key, output string) types.String {
		r, ok := rec[key]
		if !ok {
			return types.StringNull()
		}
		if output == composite.AttrARN {
			return types.StringValue(r.ARN)
		}
		if v, ok := r.Outputs[output]; ok && v != "" {
			return types.StringValue(v)
		}
		return types.StringNull()
	})
}

// fillImported sets the input attributes of an imported cluster from what
// discovery found, so that the state matches a configuration that would
// have created it. Defaults stay as the schema would plan them.
func fillImported(ctx context.Context, m *clusterResourceModel, rec map[string]composite.Recorded, subnets []string, defaultTags map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	out := func(key, attr string) string { return rec[key].Outputs[attr] }
	jsonList := func(s string) []string {
		var l []string
		_ = json.Unmarshal([]byte(s), &l)
		return l
	}

	m.ID = m.Name
	if cl, ok := rec[composite.KeyCluster]; ok {
		m.ContainerInsights = types.BoolValue(cl.Outputs[handlers.AttrContainerInsights] != "disabled")
		m.CapacityProviders = stringList(jsonList(cl.Outputs[handlers.AttrCapacityProviders])...)
		var items []composite.CapacityProviderStrategyItem
		_ = json.Unmarshal([]byte(cl.Outputs[handlers.AttrDefaultStrategy]), &items)
		elems := []attr.Value{}
		for _, it := range items {
			elems = append(elems, types.ObjectValueMust(strategyType.AttrTypes, map[string]attr.Value{
				"capacity_provider": types.StringValue(it.CapacityProvider),
				"weight":            types.Int64Value(int64(it.Weight)),
				"base":              types.Int64Value(int64(it.Base)),
			}))
		}
		m.DefaultCapacityProviderStrategy = types.ListValueMust(strategyType, elems)
		var tags map[string]string
		_ = json.Unmarshal([]byte(cl.Outputs[handlers.AttrTags]), &tags)
		user := map[string]string{}
		for k, v := range tags {
			if k == composite.TagOwner || k == composite.TagKey || len(k) > 4 && k[:4] == "aws:" {
				continue
			}
			if dv, isDefault := defaultTags[k]; isDefault && dv == v {
				continue
			}
			user[k] = v
		}
		if len(user) > 0 {
			m.Tags, diags = types.MapValueFrom(ctx, types.StringType, user)
		} else {
			m.Tags = types.MapNull(types.StringType)
		}
	}
	for _, k := range []string{composite.KeyServiceSecurityGroup, composite.KeyLoadBalancerSecurityGroup, composite.KeyLoadBalancer} {
		if v := out(k, handlers.AttrVpcID); v != "" {
			m.VpcID = types.StringValue(v)
			break
		}
	}
	if len(subnets) > 0 {
		m.SubnetIDs = stringList(subnets...)
	}
	m.ServiceDiscovery = types.ObjectNull(serviceDiscoveryType.AttrTypes)
	if ns, ok := rec[composite.KeyNamespace]; ok {
		desc := types.StringNull()
		if d := ns.Outputs[handlers.AttrDescription]; d != "" {
			desc = types.StringValue(d)
		}
		m.ServiceDiscovery = types.ObjectValueMust(serviceDiscoveryType.AttrTypes, map[string]attr.Value{
			"name": types.StringValue(ns.Outputs[composite.AttrName]), "type": types.StringValue(ns.Outputs[handlers.AttrType]), "description": desc,
		})
	}
	m.LoadBalancer = types.ObjectNull(loadBalancerType.AttrTypes)
	if lb, ok := rec[composite.KeyLoadBalancer]; ok {
		idle, _ := strconv.ParseInt(lb.Outputs[handlers.AttrIdleTimeout], 10, 64)
		cert, policy := types.StringNull(), types.StringNull()
		if c := out(composite.KeyHTTPSListener, handlers.AttrCertificateARN); c != "" {
			cert = types.StringValue(c)
			if p := out(composite.KeyHTTPSListener, handlers.AttrSSLPolicy); p != "" && p != composite.DefaultSSLPolicy {
				policy = types.StringValue(p)
			}
		}
		cidrs := jsonList(out(composite.KeyLoadBalancerSecurityGroup, handlers.AttrIngressCIDRs))
		sort.Strings(cidrs)
		m.LoadBalancer = types.ObjectValueMust(loadBalancerType.AttrTypes, map[string]attr.Value{
			"internal":            types.BoolValue(lb.Outputs[handlers.AttrInternal] == "true"),
			"ingress_cidr_blocks": stringList(cidrs...),
			"certificate_arn":     cert,
			"ssl_policy":          policy,
			"idle_timeout":        types.Int64Value(idle),
		})
		if len(subnets) == 0 {
			m.SubnetIDs = stringList(jsonList(lb.Outputs[handlers.AttrSubnets])...)
		}
	}
	m.TagsAll, _ = types.MapValueFrom(ctx, types.StringType, adapter.MergeTags(defaultTags, tagsOf(m.Tags)))
	return diags
}

func tagsOf(m types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return out
}
