// Package cluster implements the containerapp_cluster resource and data
// source: schema, model <-> spec conversion and the hooks the generic
// composite adapter (internal/resources/adapter) needs around
// composite.ExpandCluster (the network lookup, the "services still
// running" guard).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// Placeholders standing in for a network looked up at apply, so the plan
// can expand the children (names known, ARNs unknown).
const (
	placeholderVPC     = "vpc-00000000000000000"
	placeholderSubnetA = "subnet-00000000000000000"
	placeholderSubnetB = "subnet-00000000000000001"
)

// NewClusterResource returns the containerapp_cluster resource.
func NewClusterResource() resource.Resource {
	return adapter.New[clusterResourceModel, composite.ClusterSpec](definition, adapter.DefaultOptions(30*time.Minute))
}

// Registry maps every child kind of a cluster to its handler.
func Registry(c *conns.Clients) engine.Registry { return handlers.ClusterRegistry(c) }

type clusterDef struct {
	adapter.Base[clusterResourceModel, composite.ClusterSpec]
}

var definition = clusterDef{adapter.Base[clusterResourceModel, composite.ClusterSpec]{
	Suffix: "_cluster", SchemaFunc: schemaInto, RegistryFunc: Registry, ToSpecFunc: toSpec, FromSpecFunc: fromSpec,
	ExpandFunc: composite.ExpandCluster, Anchor: composite.KeyCluster,
	CommonFunc: func(m *clusterResourceModel) adapter.Common {
		return adapter.Common{ID: &m.ID, Resources: &m.Resources, TagsAll: &m.TagsAll, Timeouts: &m.Timeouts}
	},
}}

var (
	_ adapter.Definition[clusterResourceModel, composite.ClusterSpec] = clusterDef{}
	_ adapter.Planner[clusterResourceModel, composite.ClusterSpec]    = clusterDef{}
	_ adapter.Preparer[clusterResourceModel]                          = clusterDef{}
	_ adapter.DeleteGuard                                             = clusterDef{}
	_ adapter.ImportFinisher[composite.ClusterSpec]                   = clusterDef{}
	_ adapter.UnknownHider                                            = clusterDef{}
)

func (clusterDef) Validate(s composite.ClusterSpec) []composite.FieldError { return s.Validate() }

func (clusterDef) Tags(s composite.ClusterSpec) map[string]string { return s.Tags }

func (clusterDef) ID(s composite.ClusterSpec) string { return composite.ClusterID(s.Name) }

func (clusterDef) IdentityUnknown(unknown [][]composite.PathStep) bool {
	return adapter.UnderUnknown(ap("name"), unknown)
}

// StructureUnknown: the namespace's name and type decide its kind and name,
// a certificate decides whether there is an HTTPS listener.
func (clusterDef) StructureUnknown(unknown [][]composite.PathStep) bool {
	return adapter.UnderUnknown(ap("service_discovery", "name"), unknown) || adapter.UnderUnknown(ap("service_discovery", "type"), unknown) ||
		adapter.UnderUnknown(ap("load_balancer", "certificate_arn"), unknown)
}

// SameIdentity: the name forces replacement; the records of the old cluster
// never apply to the new one.
func (clusterDef) SameIdentity(prior, plan clusterResourceModel) bool {
	return prior.Name.Equal(plan.Name)
}

func (clusterDef) SetComputed(m *clusterResourceModel, s *composite.ClusterSpec, get func(key, output string) types.String, _ func(string) types.Int64) {
	m.ARN = get(composite.KeyCluster, composite.AttrARN)
	m.NamespaceID = get(composite.KeyNamespace, composite.AttrID)
	m.NamespaceARN = get(composite.KeyNamespace, composite.AttrARN)
	m.LoadBalancerARN = get(composite.KeyLoadBalancer, composite.AttrARN)
	m.LoadBalancerDNSName = get(composite.KeyLoadBalancer, composite.AttrDNSName)
	m.LoadBalancerSecurityGroupID = get(composite.KeyLoadBalancerSecurityGroup, composite.AttrID)
	m.ServiceSecurityGroupID = get(composite.KeyServiceSecurityGroup, composite.AttrID)
	listener := get(composite.KeyHTTPSListener, composite.AttrARN)
	if s != nil {
		m.ListenerARN = types.StringNull()
		if k := s.ListenerKey(); k != "" {
			m.ListenerARN = get(k, composite.AttrARN)
		}
		return
	}
	if listener.IsNull() {
		listener = get(composite.KeyHTTPListener, composite.AttrARN)
	}
	m.ListenerARN = listener
}

func (clusterDef) ImportAttributes(id string) (map[string]string, error) {
	name, err := composite.ParseClusterID(id)
	if err != nil {
		return nil, fmt.Errorf("expected the cluster name, got %q: %s", id, err)
	}
	return map[string]string{"id": composite.ClusterID(name), "name": name}, nil
}

func (clusterDef) Lookups(m clusterResourceModel, env composite.Env, observed map[string]composite.Observed) []composite.Lookup {
	return composite.ClusterLookups(m.Name.ValueString(), env, observed)
}

func (clusterDef) SpecFromObserved(m clusterResourceModel, observed map[string]composite.Observed, env composite.Env) (composite.ClusterSpec, error) {
	return composite.ClusterSpecFromObserved(m.Name.ValueString(), observed, env)
}

// HidesChanges: the cluster's conversion turns unknown values into "" (its
// validation needs no placeholder), which can read as "unchanged"; an
// unknown value other than the network looked up at apply therefore plans
// every child's ARN unknown.
func (clusterDef) HidesChanges(unknown [][]composite.PathStep) bool {
	for _, u := range unknown {
		if !adapter.UnderUnknown(u, [][]composite.PathStep{ap("vpc_id"), ap("subnet_ids")}) {
			return true
		}
	}
	return false
}

// PlanPlaceholders stands in for the VPC and subnets the apply looks up.
func (clusterDef) PlanPlaceholders(m clusterResourceModel, s *composite.ClusterSpec) {
	if m.VpcID.IsUnknown() {
		s.VpcID = placeholderVPC
	}
	if m.SubnetIDs.IsUnknown() {
		s.SubnetIDs = []string{placeholderSubnetA, placeholderSubnetB}
	}
}

// Prepare looks up what the user left unset (default VPC, its subnets: for a
// load balancer one per Availability Zone, public ones unless it is internal)
// and writes it into the model. Attribute errors name vpc_id or subnet_ids.
func (clusterDef) Prepare(ctx context.Context, c *conns.Clients, m *clusterResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.VpcID.IsUnknown() && !m.SubnetIDs.IsUnknown() {
		return diags
	}
	vpc := ""
	if !m.VpcID.IsUnknown() {
		vpc = m.VpcID.ValueString()
	}
	var subnets []string
	if !m.SubnetIDs.IsUnknown() && !m.SubnetIDs.IsNull() {
		diags.Append(m.SubnetIDs.ElementsAs(ctx, &subnets, false)...)
	}
	vpc, subnets, err := handlers.ResolveNetwork(ctx, c.EC2(), vpc, subnets, placement(ctx, m.LoadBalancer, &diags))
	if err != nil {
		var ne *handlers.NetworkError
		if errors.As(err, &ne) {
			diags.AddAttributeError(path.Root(ne.Attr), "Resolving the cluster's network", err.Error())
		} else {
			diags.AddError("Resolving the cluster's network", err.Error())
		}
		return diags
	}
	m.VpcID = types.StringValue(vpc)
	if m.SubnetIDs.IsUnknown() {
		m.SubnetIDs = stringList(subnets...)
	}
	return diags
}

// placement reads what the cluster's subnets are for from its planned
// load_balancer block (internal unset or unknown: internet-facing, the
// default).
func placement(ctx context.Context, lb types.Object, diags *diag.Diagnostics) composite.LoadBalancerPlacement {
	if lb.IsNull() || lb.IsUnknown() {
		return composite.NoLoadBalancer
	}
	var m loadBalancerModel
	diags.Append(lb.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if m.Internal.ValueBool() {
		return composite.InternalLoadBalancer
	}
	return composite.InternetFacingLoadBalancer
}

// CheckDelete refuses, before deleting anything, while the ECS cluster still
// has services, naming them.
func (clusterDef) CheckDelete(ctx context.Context, c *conns.Clients, recorded map[string]composite.Recorded) error {
	cl, ok := recorded[composite.KeyCluster]
	if !ok {
		return nil
	}
	ref := cl.ARN
	if ref == "" {
		ref = cl.Name
	}
	names, err := handlers.ActiveServices(ctx, c.ECS(), ref)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("the ECS cluster still has %d service(s): %s. Delete them (or their containerapp_service resources) first; nothing was deleted",
			len(names), strings.Join(names, ", "))
	}
	return nil
}

// FinishImport: without a load balancer the subnets are stored nowhere; the
// default (every subnet of the VPC) is what a configuration without
// subnet_ids means.
func (clusterDef) FinishImport(ctx context.Context, c *conns.Clients, s *composite.ClusterSpec, _ map[string]composite.Observed) error {
	if len(s.SubnetIDs) > 0 || s.VpcID == "" {
		return nil
	}
	_, subnets, err := handlers.ResolveNetwork(ctx, c.EC2(), s.VpcID, nil, composite.PlacementOf(s.LoadBalancer))
	if err != nil {
		return err
	}
	s.SubnetIDs = subnets
	return nil
}
