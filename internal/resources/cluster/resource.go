package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
)

var (
	_ resource.Resource                   = &clusterResource{}
	_ resource.ResourceWithConfigure      = &clusterResource{}
	_ resource.ResourceWithModifyPlan     = &clusterResource{}
	_ resource.ResourceWithValidateConfig = &clusterResource{}
	_ resource.ResourceWithImportState    = &clusterResource{}
)

// NewClusterResource returns the containerapp_cluster resource.
func NewClusterResource() resource.Resource { return &clusterResource{} }

type clusterResource struct {
	clients *conns.Clients
}

const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 30 * time.Minute
	engineConcurrency    = 6
)

// Placeholders standing in for a network looked up at apply, so the plan
// can expand the children (names known, ARNs unknown).
const (
	placeholderVPC     = "vpc-00000000000000000"
	placeholderSubnetA = "subnet-00000000000000000"
	placeholderSubnetB = "subnet-00000000000000001"
)

func (r *clusterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

func (r *clusterResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := adapter.Clients(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if c != nil {
		r.clients = c
	}
}

// clusterHandlers returns the handlers of every child kind.
func clusterHandlers(c *conns.Clients) handlers.ClusterHandlers {
	return handlers.ClusterHandlers{
		Cluster:       handlers.NewECSClusterHandler(c.ECS()),
		Namespace:     handlers.NewNamespaceHandler(c.ServiceDiscovery()),
		SecurityGroup: handlers.NewSecurityGroupHandler(c.EC2()),
		LoadBalancer:  handlers.NewLoadBalancerHandler(c.ELBv2()),
		Listener:      handlers.NewListenerHandler(c.ELBv2()),
	}
}

// Registry maps every child kind of a cluster to its handler.
func Registry(c *conns.Clients) engine.Registry {
	h := clusterHandlers(c)
	return engine.Registry{
		composite.KindECSCluster:          h.Cluster,
		composite.KindPrivateDNSNamespace: h.Namespace,
		composite.KindHTTPNamespace:       h.Namespace,
		composite.KindSecurityGroup:       h.SecurityGroup,
		composite.KindLoadBalancer:        h.LoadBalancer,
		composite.KindListener:            h.Listener,
	}
}

func (r *clusterResource) env() composite.Env {
	return composite.Env{
		Region: r.clients.Region, Partition: r.clients.Partition,
		AccountID: r.clients.AccountID, DefaultTags: r.clients.DefaultTags,
	}
}

// ValidateConfig runs the composite's validation: no AWS call. Values
// unknown until apply are checked when known.
func (r *clusterResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m clusterResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, unknown, diags := toSpec(ctx, m)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	resp.Diagnostics.Append(fieldDiagnostics(spec.Validate(), unknown)...)
}

// expand converts a fully known model (network resolved) into the graph.
func (r *clusterResource) expand(ctx context.Context, m clusterResourceModel) (composite.Graph, diag.Diagnostics) {
	spec, unknown, diags := toSpec(ctx, m)
	if diags.HasError() {
		return composite.Graph{}, diags
	}
	g, err := composite.ExpandCluster(spec, r.env())
	if err != nil {
		var ve composite.ValidationErrors
		if errors.As(err, &ve) {
			diags.Append(fieldDiagnostics(ve, unknown)...)
			if !diags.HasError() {
				diags.AddError("Invalid cluster", err.Error())
			}
			return g, diags
		}
		diags.AddError("Expanding cluster", err.Error())
	}
	return g, diags
}

// resolveNetwork looks up what the user left unset (default VPC, its
// subnets) and writes it into the model. Attribute errors name vpc_id or
// subnet_ids.
func (r *clusterResource) resolveNetwork(ctx context.Context, m *clusterResourceModel) diag.Diagnostics {
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
	vpc, subnets, err := handlers.ResolveNetwork(ctx, r.clients.EC2(), vpc, subnets)
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

// ModifyPlan shows the expansion: every child with its name, and as unknown
// the ARN of each child the apply creates, replaces or restores after
// drift. It makes no AWS call: a VPC and subnets still to be looked up are
// stood in for by placeholders (only names matter here).
func (r *clusterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var plan clusterResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, unknown, diags := toSpec(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if adapter.UnderUnknown(ap("name"), unknown) {
		return // names unknown: leave every computed value unknown
	}
	// Unknown values that decide which children exist (or their kind or
	// name) leave the resources map unknown; others only make ARNs unknown.
	structureUnknown := adapter.UnderUnknown(ap("service_discovery", "name"), unknown) || adapter.UnderUnknown(ap("service_discovery", "type"), unknown) ||
		adapter.UnderUnknown(ap("load_balancer", "certificate_arn"), unknown)
	networkOnly := true
	for _, u := range unknown {
		if !adapter.UnderUnknown(u, [][]composite.PathStep{ap("vpc_id"), ap("subnet_ids")}) {
			networkOnly = false
		}
	}
	if plan.VpcID.IsUnknown() {
		spec.VpcID = placeholderVPC
	}
	if plan.SubnetIDs.IsUnknown() {
		spec.SubnetIDs = []string{placeholderSubnetA, placeholderSubnetB}
	}
	g, err := composite.ExpandCluster(spec, r.env())
	if err != nil {
		var ve composite.ValidationErrors
		if errors.As(err, &ve) {
			resp.Diagnostics.Append(fieldDiagnostics(ve, unknown)...)
			return
		}
		resp.Diagnostics.AddError("Expanding cluster", err.Error())
		return
	}

	recorded := map[string]composite.Recorded{}
	if !req.State.Raw.IsNull() {
		recorded, diags = adapter.LoadRecorded(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
	}
	ops := map[string]composite.Op{}
	for _, a := range composite.Diff(g, recorded) {
		ops[a.Key] = a.Op
	}
	known := func(key string) (composite.Recorded, bool) {
		rec, ok := recorded[key]
		if !ok || !networkOnly && len(unknown) > 0 {
			return rec, false
		}
		switch ops[key] {
		case composite.OpNoop:
			return rec, true
		case composite.OpUpdate:
			// An empty hash: drift or an incomplete apply. The unknown ARN
			// makes the plan show (and apply) the restoring update.
			return rec, rec.Hash != ""
		}
		return rec, false
	}
	inGraph := map[string]bool{}
	for _, c := range g.Children {
		inGraph[c.Key] = true
	}
	plan.ID = types.StringValue(composite.ClusterID(spec.Name))
	if structureUnknown {
		plan.Resources = types.MapUnknown(adapter.ChildObjectType)
	} else {
		plan.Resources = adapter.ResourcesMap(g.Children, func(key string) (string, bool) {
			rec, ok := known(key)
			return rec.ARN, ok
		})
	}
	setComputed(&plan, spec.ListenerKey(), func(key, output string) types.String {
		if structureUnknown {
			return types.StringUnknown()
		}
		if !inGraph[key] {
			return types.StringNull()
		}
		if rec, ok := known(key); ok {
			if output == composite.AttrARN {
				return types.StringValue(rec.ARN)
			}
			if v := rec.Outputs[output]; v != "" {
				return types.StringValue(v)
			}
		}
		return types.StringUnknown()
	})
	if adapter.UnderUnknown(ap("tags"), unknown) {
		plan.TagsAll = types.MapUnknown(types.StringType)
	} else {
		plan.TagsAll, diags = types.MapValueFrom(ctx, types.StringType, adapter.MergeTags(r.clients.DefaultTags, spec.Tags))
		resp.Diagnostics.Append(diags...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = conns.WithLogging(ctx)
	var plan clusterResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	resp.Diagnostics.Append(r.resolveNetwork(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
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
		resp.Diagnostics.AddError(fmt.Sprintf("Creating containerapp_cluster %q", plan.Name.ValueString()), err.Error())
	}
}

func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = conns.WithLogging(ctx)
	var state clusterResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	recorded, diags := adapter.LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var out map[string]composite.Recorded
	if len(recorded) == 0 {
		// Imported (or state without private data): rediscover the children.
		found, ok, err := handlers.DiscoverCluster(ctx, clusterHandlers(r.clients), state.Name.ValueString(), false)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Importing containerapp_cluster %q", state.Name.ValueString()), err.Error())
			return
		}
		if !ok {
			resp.State.RemoveResource(ctx)
			return
		}
		var subnets []string
		if _, hasLB := found[composite.KeyLoadBalancer]; !hasLB {
			// Without a load balancer the subnets are stored nowhere: the
			// default (every subnet of the VPC) is what a config without
			// subnet_ids means.
			if sg, ok := found[composite.KeyServiceSecurityGroup]; ok && sg.Outputs[handlers.AttrVpcID] != "" {
				if _, s, err := handlers.ResolveNetwork(ctx, r.clients.EC2(), sg.Outputs[handlers.AttrVpcID], nil); err == nil {
					subnets = s
				}
			}
		}
		resp.Diagnostics.Append(fillImported(ctx, &state, found, subnets, r.clients.DefaultTags)...)
		out = found
	} else {
		var gone []string
		var err error
		out, gone, err = engine.Refresh(ctx, Registry(r.clients), recorded, engine.Options{Concurrency: engineConcurrency})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Reading containerapp_cluster %q", state.Name.ValueString()), err.Error())
			return
		}
		if len(out) == 0 && len(gone) > 0 {
			// Every child is gone: so is the cluster.
			resp.State.RemoveResource(ctx)
			return
		}
		// A gone child (the ECS cluster included) stays absent from the
		// record: the next plan shows it and the apply re-creates just it,
		// the other children kept (removing the whole composite would orphan
		// them).
	}
	r.checkDrift(ctx, state, out)
	applyRecorded(&state, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
}

// checkDrift compares each recorded child's observed configuration with
// what the state's inputs expand to. A child changed out of band loses its
// hash (the next plan updates it); an unknown hash (import, incomplete
// apply) whose child matches is adopted, so an unchanged configuration
// plans nothing.
func (r *clusterResource) checkDrift(ctx context.Context, state clusterResourceModel, rec map[string]composite.Recorded) {
	g, diags := r.expand(ctx, state)
	if diags.HasError() {
		return // the inputs cannot expand (e.g. an incomplete import): nothing to compare with
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
		want, ok := handlers.ExpectedObserved(c)
		if !ok {
			continue
		}
		switch {
		case want != observed:
			cur.Hash = ""
		case cur.Hash == "" && (cur.ReplaceHash == "" || cur.ReplaceHash == c.ReplaceHash):
			cur.Hash, cur.ReplaceHash = c.Hash, c.ReplaceHash
		}
		rec[c.Key] = cur
	}
}

func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = conns.WithLogging(ctx)
	var plan, prior clusterResourceModel
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
	resp.Diagnostics.Append(r.resolveNetwork(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
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
		resp.Diagnostics.AddError(fmt.Sprintf("Updating containerapp_cluster %q", plan.Name.ValueString()), err.Error())
		return
	}
	applyRecorded(&plan, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, out)...)
}

// Delete refuses, before deleting anything, while the ECS cluster still has
// services (naming them); then deletes the children in teardown order.
func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = conns.WithLogging(ctx)
	var state clusterResourceModel
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
		// Terraform passes no private state to the destroy half of a
		// replacement (e.g. of a tainted, partially created cluster):
		// rediscover the children by name and ownership tags, so none is
		// orphaned.
		found, _, err := handlers.DiscoverCluster(ctx, clusterHandlers(r.clients), state.Name.ValueString(), true)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Deleting containerapp_cluster %q", state.Name.ValueString()), err.Error())
			return
		}
		recorded = found
	}
	if cl, ok := recorded[composite.KeyCluster]; ok {
		names, err := handlers.ActiveServices(ctx, r.clients.ECS(), firstNonEmpty(cl.ARN, cl.Name))
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Deleting containerapp_cluster %q", state.Name.ValueString()), err.Error())
			return
		}
		if len(names) > 0 {
			resp.Diagnostics.AddError(fmt.Sprintf("Deleting containerapp_cluster %q", state.Name.ValueString()),
				fmt.Sprintf("the ECS cluster still has %d service(s): %s. Delete them (or their containerapp_service resources) first; nothing was deleted.",
					len(names), strings.Join(names, ", ")))
			return
		}
	}
	remaining, err := engine.Destroy(ctx, Registry(r.clients), recorded, engine.Options{Concurrency: engineConcurrency})
	if err != nil {
		// Keep what could not be deleted so a retry resumes.
		applyRecorded(&state, remaining)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		resp.Diagnostics.Append(adapter.SaveRecorded(ctx, resp.Private, remaining)...)
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting containerapp_cluster %q", state.Name.ValueString()), err.Error())
	}
}

// ImportState accepts the cluster name (or ECS cluster ARN); Read then
// rediscovers the children.
func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, err := composite.ParseClusterID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected the cluster name, got %q: %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), composite.ClusterID(name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
