// Package service implements the containerapp_service resource: its schema,
// its model <-> spec conversion and the small hooks the generic composite
// adapter (internal/resources/adapter) needs around composite.ExpandService.
package service

import (
	"context"
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

// NewServiceResource returns the containerapp_service resource.
func NewServiceResource() resource.Resource { return newResource() }

func newResource() *adapter.Resource[serviceModel, composite.ServiceSpec] {
	return adapter.New[serviceModel, composite.ServiceSpec](definition, adapter.DefaultOptions(20*time.Minute))
}

// Registry maps every child kind of a service to its handler.
func Registry(c *conns.Clients) engine.Registry { return handlers.ServiceRegistry(c) }

type serviceDef struct {
	adapter.Base[serviceModel, composite.ServiceSpec]
}

var _ adapter.Definition[serviceModel, composite.ServiceSpec] = serviceDef{}

var definition = serviceDef{adapter.Base[serviceModel, composite.ServiceSpec]{
	Suffix: "_service", SchemaFunc: schemaInto, RegistryFunc: Registry, ToSpecFunc: toSpec, FromSpecFunc: fromSpec,
	ExpandFunc: composite.ExpandService, SetAttributes: setAttributes, Anchor: composite.KeyService,
	CommonFunc: func(m *serviceModel) adapter.Common {
		return adapter.Common{ID: &m.ID, Resources: &m.Resources, TagsAll: &m.TagsAll, Timeouts: &m.Timeouts}
	},
}}

func (serviceDef) Validate(s composite.ServiceSpec) []composite.FieldError {
	s.ApplyDefaults()
	return composite.Validate(s)
}

func (serviceDef) Tags(s composite.ServiceSpec) map[string]string { return s.Tags }

func (serviceDef) ID(s composite.ServiceSpec) string { return composite.ServiceID(s.Cluster, s.Name) }

func (serviceDef) IdentityUnknown(unknown [][]composite.PathStep) bool {
	return adapter.UnderUnknown(ap("name"), unknown) || adapter.UnderUnknown(ap("cluster"), unknown)
}

// StructureUnknown: which children a service has is decided by the presence
// of its blocks, always known at plan.
func (serviceDef) StructureUnknown([][]composite.PathStep) bool { return false }

// SameIdentity: a changed name or cluster replaces the whole service.
func (serviceDef) SameIdentity(prior, plan serviceModel) bool {
	return prior.Name.Equal(plan.Name) && composite.ClusterName(prior.Cluster.ValueString()) == composite.ClusterName(plan.Cluster.ValueString())
}

func (serviceDef) SetComputed(m *serviceModel, s *composite.ServiceSpec, get func(key, output string) types.String, priority func(key string) types.Int64) {
	m.ARN = get(composite.KeyService, composite.AttrARN)
	m.TaskDefinitionARN = get(composite.KeyTaskDefinition, composite.AttrARN)
	m.TargetGroupARN = get(composite.KeyTargetGroup, composite.AttrARN)
	m.ListenerRuleARN = get(composite.KeyListenerRule, composite.AttrARN)
	m.DiscoveryServiceARN = get(composite.KeyDiscoveryService, composite.AttrARN)
	m.RepositoryURL = get(composite.KeyRepository, composite.AttrURL)
	m.ExecutionRoleARN = get(composite.KeyExecutionRole, composite.AttrARN)
	m.TaskRoleARN = get(composite.KeyTaskRole, composite.AttrARN)
	m.LogGroupName = get(composite.KeyLogGroup, composite.AttrName)
	m.ListenerRulePriority = priority(composite.KeyListenerRule)
	// At plan time an explicit priority is known whatever the rule's op.
	if s != nil && s.LoadBalancer != nil && s.LoadBalancer.Priority != nil && !m.ListenerRulePriority.IsNull() {
		m.ListenerRulePriority = types.Int64Value(*s.LoadBalancer.Priority)
	}
}

func (serviceDef) ImportAttributes(id string) (map[string]string, error) {
	cluster, name, err := composite.ParseServiceID(id)
	if err != nil {
		return nil, fmt.Errorf("expected <cluster>/<service name>, got %q: %s", id, err)
	}
	return map[string]string{"id": composite.ServiceID(cluster, name), "cluster": cluster, "name": name}, nil
}

func (serviceDef) Lookups(m serviceModel, env composite.Env, observed map[string]composite.Observed) []composite.Lookup {
	cluster, name := identity(m)
	return composite.ServiceLookups(cluster, name, env, observed)
}

func (serviceDef) SpecFromObserved(m serviceModel, observed map[string]composite.Observed, env composite.Env) (composite.ServiceSpec, error) {
	cluster, name := identity(m)
	return composite.ServiceSpecFromObserved(cluster, name, observed, env)
}

// identity returns the cluster and service name of a model (after an
// import only the id may be set).
func identity(m serviceModel) (cluster, name string) {
	cluster, name = m.Cluster.ValueString(), m.Name.ValueString()
	if c, n, err := composite.ParseServiceID(m.ID.ValueString()); err == nil && (cluster == "" || name == "") {
		cluster, name = c, n
	}
	return cluster, name
}

// PlanWarnings: the image bootstrap of a new repository
// (composite.ServicePlanWarnings).
func (serviceDef) PlanWarnings(s composite.ServiceSpec, actions []composite.Action) []composite.PlanWarning {
	return composite.ServicePlanWarnings(s, actions)
}

var (
	_ adapter.PlanWarner[composite.ServiceSpec]     = serviceDef{}
	_ adapter.PlanLooker[serviceModel]              = serviceDef{}
	_ adapter.Preparer[serviceModel]                = serviceDef{}
	_ adapter.ImportFinisher[composite.ServiceSpec] = serviceDef{}
)

// PlanLookup fills service_discovery.namespace_type when the user left it
// unset: from the prior state when the namespace is the same one, else by
// one Cloud Map GetNamespace call when the namespace id is known. A
// namespace created in the same apply leaves it unknown until Prepare.
func (serviceDef) PlanLookup(ctx context.Context, c *conns.Clients, prior *serviceModel, plan *serviceModel) diag.Diagnostics {
	var keep string
	if prior != nil {
		if sd, ok, _ := discoveryOf(ctx, prior.ServiceDiscovery); ok && !sd.NamespaceType.IsUnknown() && !sd.NamespaceType.IsNull() {
			keep = sd.NamespaceID.ValueString() + "\x00" + sd.NamespaceType.ValueString()
		}
	}
	return fillNamespaceType(ctx, c, plan, keep)
}

// Prepare looks the namespace type up at apply when the plan could not
// (the namespace was created in the same apply).
func (serviceDef) Prepare(ctx context.Context, c *conns.Clients, m *serviceModel) diag.Diagnostics {
	return fillNamespaceType(ctx, c, m, "")
}

// FinishImport: the discovery service of a DNS namespace does not say which
// DNS type; the namespace does.
func (serviceDef) FinishImport(ctx context.Context, c *conns.Clients, s *composite.ServiceSpec, _ map[string]composite.Observed) error {
	if sd := s.ServiceDiscovery; sd != nil && sd.NamespaceType == "" {
		t, err := handlers.NamespaceType(ctx, c.ServiceDiscovery(), sd.NamespaceID)
		if err != nil {
			return err
		}
		sd.NamespaceType = t
	}
	return nil
}

func discoveryOf(ctx context.Context, v types.Object) (serviceDiscoveryModel, bool, diag.Diagnostics) {
	var sd serviceDiscoveryModel
	if v.IsNull() || v.IsUnknown() {
		return sd, false, nil
	}
	diags := v.As(ctx, &sd, basetypes.ObjectAsOptions{})
	return sd, !diags.HasError(), diags
}

// fillNamespaceType sets an unknown namespace_type: from keep
// ("<namespace id>\x00<type>") when it names the same namespace, else from
// Cloud Map when the namespace id is known.
func fillNamespaceType(ctx context.Context, c *conns.Clients, m *serviceModel, keep string) diag.Diagnostics {
	sd, ok, diags := discoveryOf(ctx, m.ServiceDiscovery)
	if !ok || !sd.NamespaceType.IsUnknown() || sd.NamespaceID.IsUnknown() || sd.NamespaceID.IsNull() || c == nil {
		return diags
	}
	id := sd.NamespaceID.ValueString()
	if prevID, typ, found := strings.Cut(keep, "\x00"); found && prevID == id {
		sd.NamespaceType = types.StringValue(typ)
	} else {
		t, err := handlers.NamespaceType(ctx, c.ServiceDiscovery(), id)
		if err != nil {
			diags.AddAttributeError(path.Root("service_discovery").AtName("namespace_id"), "Looking up the Cloud Map namespace", err.Error())
			return diags
		}
		sd.NamespaceType = types.StringValue(t)
	}
	obj, d := types.ObjectValueFrom(ctx, m.ServiceDiscovery.AttributeTypes(ctx), sd)
	diags.Append(d...)
	if !diags.HasError() {
		m.ServiceDiscovery = obj
	}
	return diags
}
