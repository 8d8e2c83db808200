// Package service implements the containerapp_service resource: the
// framework adapter around composite.ExpandService and the engine.
package service

import (
	"context"
	"fmt"
	"strconv"
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

var (
	_ resource.Resource                   = &serviceResource{}
	_ resource.ResourceWithConfigure      = &serviceResource{}
	_ resource.ResourceWithModifyPlan     = &serviceResource{}
	_ resource.ResourceWithValidateConfig = &serviceResource{}
	_ resource.ResourceWithImportState    = &serviceResource{}
)

// NewServiceResource returns the containerapp_service resource.
func NewServiceResource() resource.Resource { return &serviceResource{} }

type serviceResource struct {
	clients *conns.Clients
}

const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
	engineConcurrency    = 6
)

func (r *serviceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}

func (r *serviceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := adapter.Clients(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if c != nil {
		r.clients = c
	}
}

// Registry maps every child kind of a service to its handler.
func Registry(c *conns.Clients) engine.Registry {
	return engine.Registry{
		composite.KindIAMRole:          handlers.NewRoleHandler(c.IAM()),
		composite.KindIAMRolePolicy:    handlers.NewRolePolicyHandler(c.IAM()),
		composite.KindLogGroup:         handlers.NewLogGroupHandler(c.Logs()),
		composite.KindECRRepository:    handlers.NewRepositoryHandler(c.ECR()),
		composite.KindTargetGroup:      handlers.NewTargetGroupHandler(c.ELBv2(), c.EC2()),
		composite.KindListenerRule:     handlers.NewListenerRuleHandler(c.ELBv2()),
		composite.KindDiscoveryService: handlers.NewDiscoveryServiceHandler(c.ServiceDiscovery()),
		composite.KindTaskDefinition:   handlers.NewTaskDefinitionHandler(c.ECS()),
		composite.KindECSService:       handlers.NewECSServiceHandler(c.ECS()),
	}
}

func (r *serviceResource) env() composite.Env {
	return composite.Env{
		Region: r.clients.Region, Partition: r.clients.Partition,
		AccountID: r.clients.AccountID, DefaultTags: r.clients.DefaultTags,
	}
}

// ValidateConfig runs the composite's validation at validate/plan time: no
// AWS call. Values unknown until apply are checked when known.
func (r *serviceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m serviceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, unknown, diags := toSpec(ctx, m)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	spec.ApplyDefaults()
	resp.Diagnostics.Append(fieldDiagnostics(composite.Validate(spec), unknown)...)
}

// expand converts a fully known model into the desired graph.
func (r *serviceResource) expand(ctx context.Context, m serviceModel) (composite.Graph, diag.Diagnostics) {
	spec, unknown, diags := toSpec(ctx, m)
	if diags.HasError() {
		return composite.Graph{}, diags
	}
	g, err := composite.ExpandService(spec, r.env())
	if err != nil {
		if ve, ok := err.(composite.ValidationErrors); ok {
			diags.Append(fieldDiagnostics(ve, unknown)...)
			if !diags.HasError() { // every error was under an unknown value
				diags.AddError("Invalid service", err.Error())
			}
			return g, diags
		}
		diags.AddError("Expanding service", err.Error())
	}
	return g, diags
}

// arnChangesOnUpdate lists kinds whose identity changes on an in-place update.
func arnChangesOnUpdate(k composite.Kind) bool { return composite.ARNChangesOnUpdate(k) }

// arnKeptOnUpdate reports whether updating c (recorded as rec) keeps its
// identity. Only kinds in arnChangesOnUpdate may change it, and they do not
// when their own properties are unchanged and every reference to a child
// created or replaced by this plan reads only its name, which is known at
// plan time (Diff escalated c to an update only because of that child, e.g. a
// log group deleted out of band and created again under the same name).
func arnKeptOnUpdate(c composite.Child, rec composite.Recorded, ops map[string]composite.Op, recorded map[string]composite.Recorded, names map[string]string) bool {
	if rec.Hash == "" {
		// Changed out of band (or left incomplete): the plan must show that
		// the apply touches this child, even though its inputs are unchanged.
		return false
	}
	if !arnChangesOnUpdate(c.Kind) {
		return true
	}
	if rec.Hash == "" || rec.Hash != c.Hash {
		return false
	}
	for _, ref := range composite.Refs(c.Props) {
		switch ops[ref.Key] {
		case composite.OpCreate, composite.OpReplace:
			if ref.Attr != composite.AttrName {
				return false
			}
			if dep, ok := recorded[ref.Key]; ok && dep.Name != names[ref.Key] {
				return false // replaced under another name
			}
		case composite.OpUpdate:
			if dep, ok := recorded[ref.Key]; ok && arnChangesOnUpdate(dep.Kind) {
				return false
			}
		}
	}
	return true
}

// ModifyPlan shows the expansion: every child with its name, and the ARN of
// each child the apply creates or replaces as unknown.
func (r *serviceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var plan serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, unknown, diags := toSpec(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if adapter.UnderUnknown(ap("name"), unknown) || adapter.UnderUnknown(ap("cluster"), unknown) {
		return // names unknown: leave every computed value unknown
	}
	g, err := composite.ExpandService(spec, r.env())
	if err != nil {
		if ve, ok := err.(composite.ValidationErrors); ok {
			resp.Diagnostics.Append(fieldDiagnostics(ve, unknown)...)
			return
		}
		resp.Diagnostics.AddError("Expanding service", err.Error())
		return
	}
	recorded := map[string]composite.Recorded{}
	if !req.State.Raw.IsNull() {
		var prior serviceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		// A changed name or cluster replaces the whole service: the new one
		// starts from nothing.
		if prior.Name.Equal(plan.Name) && composite.ClusterName(prior.Cluster.ValueString()) == composite.ClusterName(plan.Cluster.ValueString()) {
			recorded, diags = adapter.LoadRecorded(ctx, req.Private)
			resp.Diagnostics.Append(diags...)
		}
	}
	actions := composite.Diff(g, recorded)
	ops := map[string]composite.Op{}
	for _, a := range actions {
		ops[a.Key] = a.Op
	}
	inGraph := map[string]bool{}
	byKey := map[string]composite.Child{}
	names := map[string]string{}
	for _, c := range g.Children {
		inGraph[c.Key] = true
		byKey[c.Key] = c
		names[c.Key] = c.Name
	}
	known := func(key string) (composite.Recorded, bool) {
		rec, ok := recorded[key]
		if !ok {
			return rec, false
		}
		switch ops[key] {
		case composite.OpNoop:
			return rec, true
		case composite.OpUpdate:
			return rec, rec.Kind == byKey[key].Kind && arnKeptOnUpdate(byKey[key], rec, ops, recorded, names)
		}
		return rec, false
	}
	plan.ID = types.StringValue(composite.ServiceID(spec.Cluster, spec.Name))
	plan.Resources = adapter.ResourcesMap(g.Children, func(key string) (string, bool) {
		rec, ok := known(key)
		return rec.ARN, ok
	})
	computed := func(key, output string) types.String {
		if !inGraph[key] {
			return types.StringNull()
		}
		if rec, ok := known(key); ok {
			if output == composite.AttrARN {
				return types.StringValue(rec.ARN)
			}
			return types.StringValue(rec.Outputs[output])
		}
		return types.StringUnknown()
	}
	setComputed(&plan, computed)
	// The rule's priority is known when explicit, or kept from state.
	plan.ListenerRulePriority = types.Int64Null()
	if inGraph[composite.KeyListenerRule] {
		plan.ListenerRulePriority = types.Int64Unknown()
		if spec.LoadBalancer != nil && spec.LoadBalancer.Priority != nil {
			plan.ListenerRulePriority = types.Int64Value(*spec.LoadBalancer.Priority)
		} else if rec, ok := recorded[composite.KeyListenerRule]; ok && ops[rec.Key] != composite.OpReplace && ops[rec.Key] != composite.OpCreate {
			if n, err := strconv.ParseInt(rec.Outputs[composite.AttrPriority], 10, 64); err == nil {
				plan.ListenerRulePriority = types.Int64Value(n)
			}
		}
	}
	if adapter.UnderUnknown(ap("tags"), unknown) {
		plan.TagsAll = types.MapUnknown(types.StringType)
	} else {
		plan.TagsAll, diags = types.MapValueFrom(ctx, types.StringType, adapter.MergeTags(r.clients.DefaultTags, spec.Tags))
		resp.Diagnostics.Append(diags...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// setComputed fills the top-level computed attributes.
func setComputed(m *serviceModel, get func(key, output string) types.String) {
	m.ARN = get(composite.KeyService, composite.AttrARN)
	m.TaskDefinitionARN = get(composite.KeyTaskDefinition, composite.AttrARN)
	m.TargetGroupARN = get(composite.KeyTargetGroup, composite.AttrARN)
	m.ListenerRuleARN = get(composite.KeyListenerRule, composite.AttrARN)
	m.DiscoveryServiceARN = get(composite.KeyDiscoveryService, composite.AttrARN)
	m.RepositoryURL = get(composite.KeyRepository, composite.AttrURL)
	m.ExecutionRoleARN = get(composite.KeyExecutionRole, composite.AttrARN)
	m.TaskRoleARN = get(composite.KeyTaskRole, composite.AttrARN)
	m.LogGroupName = get(composite.KeyLogGroup, composite.AttrName)
}

// applyRecorded writes the recorded children into the model's computed
// attributes.
func applyRecorded(m *serviceModel, rec map[string]composite.Recorded) {
	m.Resources = adapter.RecordedResourcesMap(rec)
	setComputed(m, func(key, output string) types.String {
		r, ok := rec[key]
		if !ok {
			return types.StringNull()
		}
		if output == composite.AttrARN {
			return types.StringValue(r.ARN)
		}
		if v, ok := r.Outputs[output]; ok {
			return types.StringValue(v)
		}
		return types.StringNull()
	})
	m.ListenerRulePriority = types.Int64Null()
	if r, ok := rec[composite.KeyListenerRule]; ok {
		if n, err := strconv.ParseInt(r.Outputs[composite.AttrPriority], 10, 64); err == nil {
			m.ListenerRulePriority = types.Int64Value(n)
		}
	}
}

func (r *serviceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = conns.WithLogging(ctx)
	var plan serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	g, diags := r.expand(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	recorded := map[string]composite.Recorded{}
	out, err := engine.Apply(ctx, Registry(r.clients), g, recorded, composite.Diff(g, recorded), engine.Options{Concurrency: engineConcurrency})
	if len(out) > 0 || err == nil {
		// Partial state on failure: Terraform taints the resource and every
		// child that exists is recorded, so nothing is orphaned.
		applyRecorded(&plan, out)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating containerapp_service %q", plan.ID.ValueString()), err.Error())
	}
}

func (r *serviceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = conns.WithLogging(ctx)
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	recorded, diags := adapter.LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(recorded) == 0 {
		// Imported (or state without private data): rediscover the children.
		found, imported, err := r.discover(ctx, state.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Importing containerapp_service %q", state.ID.ValueString()), err.Error())
			return
		}
		if !found {
			resp.State.RemoveResource(ctx)
			return
		}
		resp.Diagnostics.Append(imported.fill(ctx, &state)...)
		recorded = imported.recorded
	}
	out, gone, err := engine.Refresh(ctx, Registry(r.clients), recorded, engine.Options{Concurrency: engineConcurrency})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading containerapp_service %q", state.ID.ValueString()), err.Error())
		return
	}
	for _, k := range gone {
		if k == composite.KeyService && len(out) == 0 {
			// The anchor is gone and so is every other child: the whole
			// service is gone.
			resp.State.RemoveResource(ctx)
			return
		}
	}
	// A gone child, the anchor included, is dropped from the record while
	// the children that still exist stay recorded: removing the resource
	// would orphan them (and their names would block a re-create). The next
	// plan shows the missing children as created, and apply restores them.
	// A child changed out of band loses its hash: the next plan shows it
	// (unknown arn) and apply restores just that child.
	r.checkDrift(ctx, state, recorded, out)
	applyRecorded(&state, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
}

// outputDriftedHash is an output the adapter adds to a child whose hash
// checkDrift cleared: the hash it had, so that a later Read can give it back
// if the child is changed back out of band before any apply touches it.
const outputDriftedHash = "drifted_hash"

// checkDrift compares each refreshed child's observed configuration (the
// handlers' AttrObserved output) with what the state's inputs expand to, the
// way the cluster resource does. A child changed out of band loses its hash,
// so the next plan updates it; children without a fingerprint (records that
// predate it) are skipped. It makes no AWS call and never fails the Read.
//
// A child whose hash is empty and that matches gets its hash back only when
// it was this check that cleared it (the hash is kept in the
// outputDriftedHash output), the inputs are still the ones it was applied
// with, and no Create or Update touched it since (which would have left its
// fingerprint: the desired one, or none after a failure). Any other empty
// hash - a failed create or update, an import that found a difference -
// may stand for a setting the fingerprint does not cover (a lifecycle
// policy, tags, a deregistration delay): only an apply may clear it.
// before is the record as loaded (before the refresh), rec the refreshed one,
// updated in place.
func (r *serviceResource) checkDrift(ctx context.Context, state serviceModel, before, rec map[string]composite.Recorded) {
	g, diags := r.expand(ctx, state)
	if diags.HasError() {
		return // the inputs cannot expand: nothing to compare with
	}
	outputs := map[string]map[string]string{}
	for k, v := range rec {
		outputs[k] = v.Outputs
	}
	for _, c := range g.Children {
		cur, ok := rec[c.Key]
		observed := cur.Outputs[handlers.AttrObserved]
		if !ok || observed == "" || cur.Kind != c.Kind || cur.Name != c.Name {
			continue
		}
		props, err := composite.Resolve(c.Props, outputs)
		if err != nil {
			continue
		}
		c.Props = props
		want, ok := handlers.ExpectedObservedService(c)
		if !ok {
			continue
		}
		prevDrifted := ""
		if prev, ok := before[c.Key]; ok && prev.Outputs[handlers.AttrObserved] != "" {
			prevDrifted = prev.Outputs[outputDriftedHash]
		}
		switch {
		case want != observed:
			drifted := cur.Hash
			if drifted == "" {
				drifted = prevDrifted // still drifted since an earlier Read
			}
			if drifted != "" {
				outs := make(map[string]string, len(cur.Outputs)+1)
				for k, v := range cur.Outputs {
					outs[k] = v
				}
				outs[outputDriftedHash] = drifted
				cur.Outputs = outs
			}
			cur.Hash = ""
		case cur.Hash == "" && prevDrifted != "" && prevDrifted == c.Hash && (cur.ReplaceHash == "" || cur.ReplaceHash == c.ReplaceHash):
			cur.Hash, cur.ReplaceHash = c.Hash, c.ReplaceHash
		}
		rec[c.Key] = cur
	}
}

func (r *serviceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = conns.WithLogging(ctx)
	var plan, prior serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	recorded, diags := adapter.LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	g, diags := r.expand(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	out, err := engine.Apply(ctx, Registry(r.clients), g, recorded, composite.Diff(g, recorded), engine.Options{Concurrency: engineConcurrency})
	if err != nil {
		// Keep the prior inputs so the next plan shows the change again, but
		// record exactly which children exist now.
		applyRecorded(&prior, out)
		resp.Diagnostics.Append(resp.State.Set(ctx, &prior)...)
		resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
		resp.Diagnostics.AddError(fmt.Sprintf("Updating containerapp_service %q", plan.ID.ValueString()), err.Error())
		return
	}
	applyRecorded(&plan, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
}

func (r *serviceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = conns.WithLogging(ctx)
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	recorded, diags := adapter.LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(recorded) == 0 {
		// Terraform hands Delete an empty private state when it replaces a
		// tainted resource (a create that failed half way): fall back on the
		// resources map, or the children of the failed create are orphaned.
		recorded, diags = recordedFromResources(ctx, state)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	remaining, err := engine.Destroy(ctx, Registry(r.clients), recorded, engine.Options{Concurrency: engineConcurrency})
	if err != nil {
		// Keep what could not be deleted so a retry resumes.
		applyRecorded(&state, remaining)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, remaining)...)
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting containerapp_service %q", state.ID.ValueString()), err.Error())
	}
}

// recordedFromResources rebuilds a record of every child from the state's
// resources map (kind, name, arn or id): what the handlers' Delete needs.
// Hashes are left empty, so a Diff against it would update every child.
func recordedFromResources(ctx context.Context, m serviceModel) (map[string]composite.Recorded, diag.Diagnostics) {
	rec := map[string]composite.Recorded{}
	if m.Resources.IsNull() || m.Resources.IsUnknown() {
		return rec, nil
	}
	var children map[string]struct {
		Kind types.String `tfsdk:"kind"`
		Name types.String `tfsdk:"name"`
		ARN  types.String `tfsdk:"arn"`
	}
	diags := m.Resources.ElementsAs(ctx, &children, false)
	if diags.HasError() {
		return rec, diags
	}
	forceDelete := false
	if !m.Repository.IsNull() && !m.Repository.IsUnknown() {
		var rm repositoryModel
		diags.Append(m.Repository.As(ctx, &rm, basetypes.ObjectAsOptions{})...)
		forceDelete = rm.ForceDelete.ValueBool()
	}
	for key, c := range children {
		r := composite.Recorded{Key: key, Kind: composite.Kind(c.Kind.ValueString()), Name: c.Name.ValueString(), ARN: c.ARN.ValueString()}
		r.Outputs = map[string]string{composite.AttrName: r.Name}
		switch r.Kind {
		case composite.KindIAMRolePolicy:
			r.Outputs[composite.AttrID] = r.ARN
		case composite.KindECRRepository:
			r.Outputs[handlers.AttrForceDelete] = strconv.FormatBool(forceDelete)
		case composite.KindECSService:
			r.Outputs[handlers.AttrCluster] = m.Cluster.ValueString()
		}
		if r.Kind == composite.KindListenerRule {
			delete(r.Outputs, composite.AttrName)
		}
		rec[key] = r
	}
	return rec, diags
}

func (r *serviceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	cluster, name, err := composite.ParseServiceID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected <cluster>/<service name>, got %q: %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), composite.ServiceID(cluster, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster"), cluster)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}
