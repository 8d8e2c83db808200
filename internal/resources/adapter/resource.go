package adapter

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// Common points at the attributes every composite model has; the adapter
// reads and writes them.
type Common struct {
	ID        *types.String
	Resources *types.Map
	TagsAll   *types.Map
	Timeouts  *timeouts.Value
}

// Definition is what one composite resource supplies to the generic
// adapter: its schema, its model <-> spec conversion, and small hooks. M is
// the tfsdk model, S the composite spec. Every method is pure or framework
// only, unless it says otherwise; none makes an AWS call except the optional
// hooks that take the clients.
type Definition[M any, S any] interface {
	// TypeSuffix is the type name after the provider's ("_service").
	TypeSuffix() string
	Schema(ctx context.Context, resp *resource.SchemaResponse)
	Registry(c *conns.Clients) engine.Registry
	Common(m *M) Common

	// ToSpec converts a model; unknown values become placeholders and their
	// paths are returned (validation errors under them are dropped).
	ToSpec(ctx context.Context, m M) (S, [][]composite.PathStep, diag.Diagnostics)
	// FromSpec writes a spec's inputs into the model (import); nil/empty
	// spec fields become null attributes.
	FromSpec(ctx context.Context, s S, m *M) diag.Diagnostics
	// Validate applies defaults to a copy of s and validates it.
	Validate(s S) []composite.FieldError
	Expand(s S, env composite.Env) (composite.Graph, error)
	// SetAttrs names the set-typed attributes (validation paths stop there).
	SetAttrs() map[string]bool
	Tags(s S) map[string]string

	// ID is the composite id of a spec (the containerapp:owner tag value).
	ID(s S) string
	// IdentityUnknown reports whether an unknown value hides the names of
	// the children (every computed value then stays unknown).
	IdentityUnknown(unknown [][]composite.PathStep) bool
	// StructureUnknown reports whether an unknown value decides which
	// children exist: the resources map stays unknown.
	StructureUnknown(unknown [][]composite.PathStep) bool
	// SameIdentity is false when the plan replaces the whole composite
	// (then it starts from nothing).
	SameIdentity(prior, plan M) bool
	// SetComputed writes the computed attributes; s is the planned spec at
	// plan time and nil after an apply or a read. get returns the value of a
	// child's output: known, unknown ("known after apply") or null (no such
	// child).
	SetComputed(m *M, s *S, get func(key, output string) types.String, priority func(key string) types.Int64)

	// ImportAttributes parses an import id into the attributes to set.
	ImportAttributes(id string) (map[string]string, error)
	// Lookups is the composite's pure discovery plan (an import, or state
	// without private data): the lookups possible given what was observed.
	Lookups(m M, env composite.Env, observed map[string]composite.Observed) []composite.Lookup
	// AnchorKey is the child whose absence means "the composite does not
	// exist" on import.
	AnchorKey() string
	// SpecFromObserved rebuilds the spec from the observed children.
	SpecFromObserved(m M, observed map[string]composite.Observed, env composite.Env) (S, error)
}

// Planner is an optional hook: stand-ins for values the apply looks up
// (the cluster's VPC and subnets), so the plan can expand the children.
type Planner[M any, S any] interface {
	PlanPlaceholders(m M, s *S)
}

// PlanWarner is an optional hook: ModifyPlan shows its warnings (pure, from
// the spec and the planned child actions).
type PlanWarner[S any] interface {
	PlanWarnings(spec S, actions []composite.Action) []composite.PlanWarning
}

// UnknownHider is an optional hook for a resource whose conversion cannot
// show an unknown input as a change (it converts it to ""): when it reports
// true, every child's ARN is planned unknown.
type UnknownHider interface {
	HidesChanges(unknown [][]composite.PathStep) bool
}

// PlanLooker is an optional hook run by ModifyPlan before it converts the
// plan: it may fill computed inputs the user left unset by a lookup (AWS
// read calls allowed; prior is nil on create). The filled values are part
// of the plan, so the apply and later reads need no lookup.
type PlanLooker[M any] interface {
	PlanLookup(ctx context.Context, c *conns.Clients, prior *M, plan *M) diag.Diagnostics
}

// Preparer is an optional hook run before an apply expands the model: it
// may look up what the user left unset (AWS calls allowed).
type Preparer[M any] interface {
	Prepare(ctx context.Context, c *conns.Clients, m *M) diag.Diagnostics
}

// DeleteGuard is an optional hook run before a Delete removes anything: an
// error refuses the delete (the cluster's "services still running").
type DeleteGuard interface {
	CheckDelete(ctx context.Context, c *conns.Clients, recorded map[string]composite.Recorded) error
}

// ImportFinisher is an optional hook run after SpecFromObserved on import,
// for what the observed children do not hold (AWS calls allowed).
type ImportFinisher[S any] interface {
	FinishImport(ctx context.Context, c *conns.Clients, s *S, observed map[string]composite.Observed) error
}

// Options of a composite resource.
type Options struct {
	CreateTimeout, UpdateTimeout, DeleteTimeout time.Duration
	Concurrency                                 int
}

// DefaultOptions are 30-minute create and update timeouts, the given delete
// timeout, and 6 concurrent handler calls.
func DefaultOptions(deleteTimeout time.Duration) Options {
	return Options{CreateTimeout: 30 * time.Minute, UpdateTimeout: 30 * time.Minute, DeleteTimeout: deleteTimeout, Concurrency: 6}
}

// Resource is the one framework adapter of every composite resource.
type Resource[M any, S any] struct {
	def     Definition[M, S]
	opts    Options
	clients *conns.Clients
}

var (
	_ resource.Resource                   = &Resource[struct{}, struct{}]{}
	_ resource.ResourceWithConfigure      = &Resource[struct{}, struct{}]{}
	_ resource.ResourceWithModifyPlan     = &Resource[struct{}, struct{}]{}
	_ resource.ResourceWithValidateConfig = &Resource[struct{}, struct{}]{}
	_ resource.ResourceWithImportState    = &Resource[struct{}, struct{}]{}
)

// New returns the framework resource of a composite definition.
func New[M any, S any](def Definition[M, S], opts Options) *Resource[M, S] {
	return &Resource[M, S]{def: def, opts: opts}
}

func (r *Resource[M, S]) typeName() string { return "containerapp" + r.def.TypeSuffix() }

func (r *Resource[M, S]) engineOptions() engine.Options {
	return engine.Options{Concurrency: r.opts.Concurrency}
}

func (r *Resource[M, S]) env() composite.Env {
	return composite.Env{
		Region: r.clients.Region, Partition: r.clients.Partition,
		AccountID: r.clients.AccountID, DefaultTags: r.clients.DefaultTags,
	}
}

func (r *Resource[M, S]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.def.TypeSuffix()
}

func (r *Resource[M, S]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.def.Schema(ctx, resp)
}

func (r *Resource[M, S]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := Clients(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if c != nil {
		r.clients = c
	}
}

// ValidateConfig runs the composite's validation at validate/plan time: no
// AWS call. Values unknown until apply are checked when known.
func (r *Resource[M, S]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, unknown, diags := r.def.ToSpec(ctx, m)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	resp.Diagnostics.Append(FieldDiagnostics(r.def.Validate(spec), unknown, r.def.SetAttrs())...)
}

// expand converts a model into the desired graph. Validation errors become
// attribute diagnostics (an error only under unknown values still fails).
func (r *Resource[M, S]) expand(ctx context.Context, m M) (composite.Graph, S, [][]composite.PathStep, diag.Diagnostics) {
	spec, unknown, diags := r.def.ToSpec(ctx, m)
	if diags.HasError() {
		return composite.Graph{}, spec, unknown, diags
	}
	g, err := r.expandSpec(spec, unknown, &diags)
	_ = err
	return g, spec, unknown, diags
}

func (r *Resource[M, S]) expandSpec(spec S, unknown [][]composite.PathStep, diags *diag.Diagnostics) (composite.Graph, error) {
	g, err := r.def.Expand(spec, r.env())
	if err == nil {
		return g, nil
	}
	var ve composite.ValidationErrors
	if errors.As(err, &ve) {
		fd := FieldDiagnostics(ve, unknown, r.def.SetAttrs())
		diags.Append(fd...)
		if !fd.HasError() { // every error was under an unknown value
			diags.AddError("Invalid "+r.typeName(), err.Error())
		}
		return g, err
	}
	diags.AddError("Expanding "+r.typeName(), err.Error())
	return g, err
}

// prepare runs the resource's Preparer on the planned model (lookups of what
// the user left unset) and expands it; ok is false after an error.
func (r *Resource[M, S]) prepare(ctx context.Context, plan *M, diags *diag.Diagnostics) (composite.Graph, S, bool) {
	if p, ok := r.def.(Preparer[M]); ok {
		diags.Append(p.Prepare(ctx, r.clients, plan)...)
		if diags.HasError() {
			var zero S
			return composite.Graph{}, zero, false
		}
	}
	g, spec, _, d := r.expand(ctx, *plan)
	diags.Append(d...)
	return g, spec, !diags.HasError()
}

// ModifyPlan shows the expansion: every child with its name, and as unknown
// the ARN of each child the apply creates, replaces or restores after drift
// (composite.PlanKnown). It makes no AWS call.
func (r *Resource[M, S]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *M
	if !req.State.Raw.IsNull() {
		prior = new(M)
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if l, ok := r.def.(PlanLooker[M]); ok {
		lctx, warnings := engine.WithWarnings(conns.WithLogging(ctx))
		resp.Diagnostics.Append(l.PlanLookup(lctx, r.clients, prior, &plan)...)
		addWarnings(&resp.Diagnostics, warnings)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	spec, unknown, diags := r.def.ToSpec(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || r.def.IdentityUnknown(unknown) {
		return // names unknown: leave every computed value unknown
	}
	if p, ok := r.def.(Planner[M, S]); ok {
		p.PlanPlaceholders(plan, &spec)
	}
	g, err := r.def.Expand(spec, r.env())
	if err != nil {
		var ve composite.ValidationErrors
		if errors.As(err, &ve) {
			resp.Diagnostics.Append(FieldDiagnostics(ve, unknown, r.def.SetAttrs())...)
			return
		}
		resp.Diagnostics.AddError("Expanding "+r.typeName(), err.Error())
		return
	}
	recorded := map[string]composite.Recorded{}
	if prior != nil {
		if r.def.SameIdentity(*prior, plan) {
			recorded, diags = LoadRecorded(ctx, req.Private)
			resp.Diagnostics.Append(diags...)
		}
	}
	actions := composite.Diff(g, recorded)
	r.explainPlan(ctx, prior, g, recorded, actions, r.def.ID(spec), &resp.Diagnostics)
	for _, line := range composite.PlanNotes(recorded, actions) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("%s %q: %s", r.typeName(), r.def.ID(spec), line), "")
	}
	if w, ok := r.def.(PlanWarner[S]); ok {
		for _, x := range w.PlanWarnings(spec, actions) {
			resp.Diagnostics.AddWarning(x.Summary, x.Detail)
		}
	}
	known := composite.PlanKnown(g, recorded, actions)
	if u, ok := r.def.(UnknownHider); ok && u.HidesChanges(unknown) {
		known = map[string]bool{}
	}
	inGraph := map[string]bool{}
	for _, c := range g.Children {
		inGraph[c.Key] = true
	}
	structure := r.def.StructureUnknown(unknown)
	cm := r.def.Common(&plan)
	*cm.ID = types.StringValue(r.def.ID(spec))
	if structure {
		*cm.Resources = types.MapUnknown(ChildObjectType)
	} else {
		*cm.Resources = ResourcesMap(g.Children, func(key string) (string, bool) {
			return recorded[key].ARN, known[key]
		})
	}
	get := func(key, output string) types.String {
		switch {
		case structure:
			return types.StringUnknown()
		case !inGraph[key]:
			return types.StringNull()
		case known[key]:
			if v := outputOf(recorded[key], output); v != "" {
				return types.StringValue(v)
			}
		}
		return types.StringUnknown()
	}
	priority := func(key string) types.Int64 {
		switch {
		case structure:
			return types.Int64Unknown()
		case !inGraph[key]:
			return types.Int64Null()
		}
		// An allocated priority is kept by an in-place update: it is known
		// unless the rule is created or replaced.
		if rec, ok := recorded[key]; ok && (known[key] || opOf(actions, key) == composite.OpUpdate) {
			if n, ok := priorityOf(rec); ok {
				return types.Int64Value(n)
			}
		}
		return types.Int64Unknown()
	}
	r.def.SetComputed(&plan, &spec, get, priority)
	if UnderUnknown(AP("tags"), unknown) {
		*cm.TagsAll = types.MapUnknown(types.StringType)
	} else {
		*cm.TagsAll, diags = types.MapValueFrom(ctx, types.StringType, MergeTags(r.clients.DefaultTags, r.def.Tags(spec)))
		resp.Diagnostics.Append(diags...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// explainPlan shows, as one warning per composite with changes, a line per
// child that changes: its action and why (composite.ExplainPlan), so that a
// reviewer reads in the plan text which child is created, updated, replaced
// or deleted, and what the replacement of a disruptive one costs. The
// configuration last applied (prior) names the changed fields. Nothing is
// shown for an empty plan; diagnostics never change the plan itself.
func (r *Resource[M, S]) explainPlan(ctx context.Context, prior *M, g composite.Graph, recorded map[string]composite.Recorded,
	actions []composite.Action, id string, diags *diag.Diagnostics) {
	var priorGraph *composite.Graph
	if prior != nil && len(recorded) > 0 {
		if ps, _, d := r.def.ToSpec(ctx, *prior); !d.HasError() {
			if pg, err := r.def.Expand(ps, r.env()); err == nil {
				priorGraph = &pg
			}
		}
	}
	changes := composite.ExplainPlan(priorGraph, g, recorded, actions)
	if len(changes) == 0 {
		return
	}
	diags.AddWarning(composite.PlanExplanationSummary(fmt.Sprintf("%s %q", r.typeName(), id), changes, len(g.Children)),
		composite.RenderPlanExplanation(changes))
}

func opOf(actions []composite.Action, key string) composite.Op {
	for _, a := range actions {
		if a.Key == key {
			return a.Op
		}
	}
	return ""
}

func outputOf(rec composite.Recorded, output string) string {
	if output == composite.AttrARN {
		return rec.ARN
	}
	return rec.Outputs[output]
}

func priorityOf(rec composite.Recorded) (int64, bool) {
	var n int64
	if _, err := fmt.Sscan(rec.Outputs[composite.AttrPriority], &n); err != nil {
		return 0, false
	}
	return n, true
}

// setRecorded writes the recorded children into the model's computed
// attributes.
func (r *Resource[M, S]) setRecorded(m *M, rec map[string]composite.Recorded) {
	*r.def.Common(m).Resources = RecordedResourcesMap(rec)
	r.def.SetComputed(m, nil, func(key, output string) types.String {
		c, ok := rec[key]
		if !ok {
			return types.StringNull()
		}
		if v := outputOf(c, output); v != "" || output == composite.AttrARN {
			return types.StringValue(v)
		}
		if _, ok := c.Outputs[output]; ok {
			return types.StringValue("")
		}
		return types.StringNull()
	}, func(key string) types.Int64 {
		if c, ok := rec[key]; ok {
			if n, ok := priorityOf(c); ok {
				return types.Int64Value(n)
			}
		}
		return types.Int64Null()
	})
}

// save writes state and private state.
func (r *Resource[M, S]) save(ctx context.Context, state interface {
	Set(context.Context, any) diag.Diagnostics
}, private PrivateSetter, m *M, rec map[string]composite.Recorded, diags *diag.Diagnostics) {
	r.setRecorded(m, rec)
	diags.Append(state.Set(ctx, m)...)
	diags.Append(SaveRecorded(ctx, private, rec)...)
}

func (r *Resource[M, S]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, warnings := engine.WithWarnings(conns.WithLogging(ctx))
	defer addWarnings(&resp.Diagnostics, warnings)
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := r.def.Common(&plan).Timeouts.Create(ctx, r.opts.CreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	g, spec, ok := r.prepare(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	recorded := map[string]composite.Recorded{}
	out, err := engine.Apply(ctx, r.def.Registry(r.clients), g, recorded, composite.Diff(g, recorded), r.engineOptions())
	if len(out) > 0 || err == nil {
		// Partial state on failure: Terraform taints the resource and every
		// child that exists is recorded, so nothing is orphaned.
		r.save(ctx, &resp.State, resp.Private, &plan, out, &resp.Diagnostics)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating %s %q", r.typeName(), r.def.ID(spec)), err.Error())
	}
}

// Read refreshes every recorded child (or, without records, rediscovers
// them: an import) and applies the drift rule (composite.ApplyDriftRule).
// A gone child is dropped from the record while the others stay: the next
// plan shows it created and apply restores just it. The resource leaves
// state only when every child is gone.
func (r *Resource[M, S]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, warnings := engine.WithWarnings(conns.WithLogging(ctx))
	defer addWarnings(&resp.Diagnostics, warnings)
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	recorded, diags := LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := r.def.Common(&state).ID.ValueString()
	if len(recorded) == 0 {
		found, err := r.discover(ctx, &state)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Importing %s %q", r.typeName(), id), err.Error())
			return
		}
		if found == nil {
			resp.State.RemoveResource(ctx)
			return
		}
		r.save(ctx, &resp.State, resp.Private, &state, found, &resp.Diagnostics)
		return
	}
	out, gone, err := engine.Refresh(ctx, r.def.Registry(r.clients), recorded, r.engineOptions())
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading %s %q", r.typeName(), id), err.Error())
		return
	}
	if len(out) == 0 && len(gone) > 0 {
		resp.State.RemoveResource(ctx)
		return
	}
	out = composite.ClearNotes(out) // the last Read's
	if moved, ok := composite.ExternalRevision(out); ok {
		// A pipeline deployed a revision of the task definition's family
		// (deployment.image_owner "external"): observe it and adopt it.
		got, _, err := engine.Refresh(ctx, r.def.Registry(r.clients), map[string]composite.Recorded{moved.Key: moved}, r.engineOptions())
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Reading %s %q", r.typeName(), id), err.Error())
			return
		}
		if adopted, ok := got[moved.Key]; ok {
			out = composite.AdoptRevision(out, adopted)
		}
	}
	if g, _, _, diags := r.expand(ctx, state); !diags.HasError() {
		out = composite.ApplyDriftRule(g, func(c composite.Child) (string, bool) { return composite.Fingerprint(c.Kind, c.Props) }, recorded, out)
		out = composite.ReconcileNotes(g, out)
	}
	r.save(ctx, &resp.State, resp.Private, &state, out, &resp.Diagnostics)
}

// discover rediscovers the children of a composite without records and
// rebuilds its inputs from them. nil when the anchor does not exist.
func (r *Resource[M, S]) discover(ctx context.Context, state *M) (map[string]composite.Recorded, error) {
	if r.clients == nil {
		return nil, errors.New("the provider is not configured")
	}
	env := r.env()
	recs, obs, err := engine.Discover(ctx, r.def.Registry(r.clients), func(o map[string]composite.Observed) []composite.Lookup {
		return r.def.Lookups(*state, env, o)
	}, r.engineOptions())
	if err != nil {
		return nil, err
	}
	if _, ok := recs[r.def.AnchorKey()]; !ok {
		return nil, nil
	}
	spec, err := r.def.SpecFromObserved(*state, obs, env)
	if err != nil {
		return nil, fmt.Errorf("rebuilding the configuration: %w", err)
	}
	if f, ok := r.def.(ImportFinisher[S]); ok {
		if err := f.FinishImport(ctx, r.clients, &spec, obs); err != nil {
			return nil, err
		}
	}
	cm := r.def.Common(state)
	keepID, keepTimeouts := *cm.ID, *cm.Timeouts
	if diags := r.def.FromSpec(ctx, spec, state); diags.HasError() {
		return nil, diagError(diags)
	}
	*cm.ID, *cm.Timeouts = keepID, keepTimeouts
	tagsAll, diags := types.MapValueFrom(ctx, types.StringType, MergeTags(r.clients.DefaultTags, r.def.Tags(spec)))
	if diags.HasError() {
		return nil, diagError(diags)
	}
	*cm.TagsAll = tagsAll
	g, err := r.def.Expand(spec, env)
	if err != nil {
		return nil, fmt.Errorf("expanding the rebuilt configuration: %w", err)
	}
	composite.AdoptMatching(g, recs, obs)
	return recs, nil
}

// Lookup finds an existing composite by the identity m holds (a data
// source): m's inputs are rebuilt from AWS and its computed attributes
// filled. found is false when the anchor does not exist.
func (r *Resource[M, S]) Lookup(ctx context.Context, c *conns.Clients, m *M) (found bool, err error) {
	r.clients = c
	recs, err := r.discover(ctx, m)
	if err != nil || recs == nil {
		return false, err
	}
	r.setRecorded(m, recs)
	return true, nil
}

func (r *Resource[M, S]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, warnings := engine.WithWarnings(conns.WithLogging(ctx))
	defer addWarnings(&resp.Diagnostics, warnings)
	var plan, prior M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := r.def.Common(&plan).Timeouts.Update(ctx, r.opts.UpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	recorded, diags := LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, spec, ok := r.prepare(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	actions := composite.Diff(g, recorded)
	g = composite.FollowImages(g, recorded) // a pipeline's images are kept
	out, err := engine.Apply(ctx, r.def.Registry(r.clients), g, recorded, actions, r.engineOptions())
	if out != nil {
		out = composite.ClearNotes(out) // reconciled by this apply
	}
	if err != nil {
		// Keep the prior inputs so the next plan shows the change again, but
		// record exactly which children exist now.
		r.save(ctx, &resp.State, resp.Private, &prior, out, &resp.Diagnostics)
		resp.Diagnostics.AddError(fmt.Sprintf("Updating %s %q", r.typeName(), r.def.ID(spec)), err.Error())
		return
	}
	r.save(ctx, &resp.State, resp.Private, &plan, out, &resp.Diagnostics)
}

// Delete removes the children in teardown order. Without private state
// (Terraform passes none to the destroy half of a replacement of a tainted,
// partially created composite) it rediscovers the children it owns and adds
// every child the state's resources map still names, so none is orphaned.
func (r *Resource[M, S]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, warnings := engine.WithWarnings(conns.WithLogging(ctx))
	defer addWarnings(&resp.Diagnostics, warnings)
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cm := r.def.Common(&state)
	id := cm.ID.ValueString()
	timeout, diags := cm.Timeouts.Delete(ctx, r.opts.DeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	recorded, diags := LoadRecorded(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(recorded) == 0 {
		var err error
		recorded, err = r.fallbackRecorded(ctx, state)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Deleting %s %q", r.typeName(), id), err.Error())
			return
		}
	}
	if g, ok := r.def.(DeleteGuard); ok {
		if err := g.CheckDelete(ctx, r.clients, recorded); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Deleting %s %q", r.typeName(), id), err.Error())
			return
		}
	}
	remaining, err := engine.Destroy(ctx, r.def.Registry(r.clients), recorded, r.engineOptions())
	if err != nil {
		// Keep what could not be deleted so a retry resumes.
		r.save(ctx, &resp.State, resp.Private, &state, remaining, &resp.Diagnostics)
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting %s %q", r.typeName(), id), err.Error())
	}
}

// fallbackRecorded rebuilds the records Delete needs without private state:
// the children discovery finds by ownership (owned only), plus every child
// of the resources map it did not find (kind, name and ARN, and the typed
// facts of the state's expansion).
func (r *Resource[M, S]) fallbackRecorded(ctx context.Context, state M) (map[string]composite.Recorded, error) {
	env := r.env()
	recs, _, err := engine.Discover(ctx, r.def.Registry(r.clients), func(o map[string]composite.Observed) []composite.Lookup {
		qs := r.def.Lookups(state, env, o)
		for i := range qs {
			qs[i].OwnedOnly = true
		}
		return qs
	}, r.engineOptions())
	if err != nil {
		return nil, err
	}
	fromMap, diags := RecordedFromResources(context.Background(), *r.def.Common(&state).Resources)
	if diags.HasError() {
		return nil, diagError(diags)
	}
	if g, _, _, d := r.expand(ctx, state); !d.HasError() {
		for _, c := range g.Children {
			if rec, ok := fromMap[c.Key]; ok && rec.Kind == c.Kind {
				composite.RecordFacts(c.Kind, c.Props, &rec)
				fromMap[c.Key] = rec
			}
		}
	}
	for k, rec := range fromMap {
		if _, ok := recs[k]; !ok && rec.ARN != "" {
			recs[k] = rec
		}
	}
	return recs, nil
}

func (r *Resource[M, S]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	attrs, err := r.def.ImportAttributes(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(k), attrs[k])...)
	}
}

// addWarnings turns the warnings handlers reported into diagnostics.
func addWarnings(diags *diag.Diagnostics, w *engine.Warnings) {
	for _, x := range w.All() {
		diags.AddWarning(x.Summary, x.Detail)
	}
}

func diagError(diags diag.Diagnostics) error {
	var msgs []string
	for _, d := range diags.Errors() {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	return errors.New(strings.Join(msgs, "; "))
}
