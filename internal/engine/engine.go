package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/errgroup"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// DefaultConcurrency bounds concurrent handler calls when Options leaves it 0.
const DefaultConcurrency = 4

// Subsystem is the tflog subsystem the engine logs to. The caller creates it
// (tflog.NewSubsystem); without it, logging falls back to the root logger or
// is a no-op.
const Subsystem = "engine"

// Options tune an engine run.
type Options struct {
	// Concurrency bounds the number of handler calls in flight; <= 0 means
	// DefaultConcurrency.
	Concurrency int
}

func (o Options) limit() int {
	if o.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return o.Concurrency
}

// Order returns the keys of g in a dependency order (every child after the
// children it references), stable with respect to the graph order. It fails
// on duplicate keys, on a reference to a key not in the graph and on cycles.
func Order(g composite.Graph) ([]string, error) {
	order, _, err := plan(g)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(order))
	for n, i := range order {
		keys[n] = g.Children[i].Key
	}
	return keys, nil
}

// plan returns the topological order of g's children (as indexes) and, for
// each child, the indexes of the children it depends on.
func plan(g composite.Graph) (order []int, deps [][]int, err error) {
	index := make(map[string]int, len(g.Children))
	for i, c := range g.Children {
		if _, dup := index[c.Key]; dup {
			return nil, nil, fmt.Errorf("duplicate child key %q", c.Key)
		}
		index[c.Key] = i
	}
	deps = make([][]int, len(g.Children))
	remaining := make([]int, len(g.Children))
	dependents := make([][]int, len(g.Children))
	for i, c := range g.Children {
		for _, k := range c.DependsOn() {
			j, ok := index[k]
			if !ok {
				return nil, nil, fmt.Errorf("child %q references unknown child %q", c.Key, k)
			}
			deps[i] = append(deps[i], j)
			dependents[j] = append(dependents[j], i)
			remaining[i]++
		}
	}
	// Kahn's algorithm, always taking the ready child that comes first in the
	// graph: deterministic and close to the author's order.
	var ready []int
	for i := range g.Children {
		if remaining[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		order = append(order, i)
		for _, d := range dependents[i] {
			if remaining[d]--; remaining[d] == 0 {
				ready = insertSorted(ready, d)
			}
		}
	}
	if len(order) < len(g.Children) {
		var cyclic []string
		for i, c := range g.Children {
			if remaining[i] > 0 {
				cyclic = append(cyclic, c.Key)
			}
		}
		sort.Strings(cyclic)
		return nil, nil, fmt.Errorf("dependency cycle among children %s", strings.Join(cyclic, ", "))
	}
	return order, deps, nil
}

func insertSorted(s []int, v int) []int {
	n := sort.SearchInts(s, v)
	s = append(s, 0)
	copy(s[n+1:], s[n:])
	s[n] = v
	return s
}

// errSkipped marks a scheduled child that did not run because the apply was
// already failing or cancelled.
var errSkipped = errors.New("skipped")

// Apply executes the actions against the handlers. It always returns the
// recorded set that reflects exactly what exists in AWS after the call (never
// nil), plus an error if anything failed.
//
// Creates, updates and replacements run first, each child as soon as the
// children it references are done, at most opts.Concurrency at a time.
// References are resolved against the outputs recorded at that moment. A
// replacement is create-before-destroy unless the new object's name clashes
// with the old one's (composite.NamesClash: same kind, name and name scope,
// e.g. a Cloud Map service re-created in the same namespace; never for task
// definitions): the old record moves to "<key>#deposed[N]" and is deleted at
// the end. A replacement whose name clashes deletes the old object first. An
// update that gives the child a new ARN (composite.ARNChangesOnUpdate: a task
// definition registers a new revision) deposes the previous ARN the same way.
// When every create and update succeeded, OpDelete children and the children
// deposed by this run are deleted in teardown order (composite.TeardownRank,
// same rank concurrently).
//
// On the first failure no new work starts; calls in flight finish and are
// recorded. Errors are *ChildError values (errors.Join of several when
// concurrent calls failed).
func Apply(ctx context.Context, reg Registry, g composite.Graph, recorded map[string]composite.Recorded, actions []composite.Action, opts Options) (map[string]composite.Recorded, error) {
	j := newJournal(recorded)
	_, deps, err := plan(g)
	if err != nil {
		return j.snapshot(), err
	}
	ops, deletes, err := checkActions(reg, g, j, actions)
	if err != nil {
		return j.snapshot(), err
	}
	r := &run{reg: reg, j: j, created: map[string]bool{}}
	if errs, completed := r.applyGraph(ctx, g, deps, ops, opts.limit()); len(errs) > 0 {
		r.markIncomplete(g, ops, completed)
		return j.snapshot(), errors.Join(errs...)
	}
	deletes = append(deletes, r.supersededObjects()...)
	if errs := deleteRanked(ctx, reg, j, deletes, opts.limit()); len(errs) > 0 {
		return j.snapshot(), errors.Join(errs...)
	}
	return j.snapshot(), nil
}

// supersededObjects returns the keys deposed by this run that name an
// object the child no longer is. A deposed record naming the very object
// its successor is (a task definition Create that adopted the revision
// already recorded, because only its tags changed) is dropped from the
// journal instead: deleting it would delete the child.
func (r *run) supersededObjects() []string {
	var out []string
	for _, dk := range r.deposed {
		old, ok := r.j.get(dk)
		if !ok {
			continue
		}
		base := dk[:strings.Index(dk, composite.DeposedSuffix)]
		if cur, ok := r.j.get(base); ok && old.ARN != "" && cur.ARN == old.ARN && cur.Kind == old.Kind {
			r.j.remove(dk)
			continue
		}
		out = append(out, dk)
	}
	return out
}

// checkActions validates the actions against the graph and the handlers
// before anything runs, and returns the op of each graph child (by index) and
// the recorded keys to delete.
func checkActions(reg Registry, g composite.Graph, j *journal, actions []composite.Action) ([]composite.Op, []string, error) {
	index := make(map[string]int, len(g.Children))
	for i, c := range g.Children {
		index[c.Key] = i
	}
	ops := make([]composite.Op, len(g.Children))
	for i := range ops {
		ops[i] = composite.OpNoop
	}
	var deletes []string
	var errs []error
	seen := map[string]bool{}
	needHandler := func(key string, kind composite.Kind, op composite.Op) {
		if reg[kind] == nil {
			errs = append(errs, &ChildError{Key: key, Kind: kind, Op: op, Err: fmt.Errorf("no handler registered for kind %s", kind)})
		}
	}
	for _, a := range actions {
		if seen[a.Key] {
			errs = append(errs, fmt.Errorf("more than one action for child %q", a.Key))
			continue
		}
		seen[a.Key] = true
		i, inGraph := index[a.Key]
		switch a.Op {
		case composite.OpNoop, "":
		case composite.OpCreate, composite.OpUpdate, composite.OpReplace:
			if !inGraph {
				errs = append(errs, fmt.Errorf("action %s for child %q, which is not in the graph", a.Op, a.Key))
				continue
			}
			ops[i] = a.Op
			needHandler(a.Key, g.Children[i].Kind, a.Op)
			if prev, ok := j.get(a.Key); ok && prev.Kind != g.Children[i].Kind {
				needHandler(a.Key, prev.Kind, a.Op)
			}
		case composite.OpDelete:
			if inGraph {
				errs = append(errs, fmt.Errorf("action delete for child %q, which is in the graph", a.Key))
				continue
			}
			if prev, ok := j.get(a.Key); ok {
				deletes = append(deletes, a.Key)
				needHandler(a.Key, prev.Kind, a.Op)
			}
		default:
			errs = append(errs, fmt.Errorf("unknown op %q for child %q", a.Op, a.Key))
		}
	}
	return ops, deletes, errors.Join(errs...)
}

type run struct {
	reg Registry
	j   *journal

	mu      sync.Mutex
	deposed []string        // keys deposed by this run, deleted at its end
	created map[string]bool // keys whose record is an object created by this run
}

// markIncomplete makes the recorded set carry the rest of an interrupted
// plan. Hashes cover unresolved props, so once a dependency has been created
// or replaced, a dependent that was planned for update or replacement (by
// propagation) would otherwise look unchanged to the next Diff and keep
// pointing at the old object. Every planned child that did not complete
// therefore keeps a record the next Diff plans again: an update clears Hash;
// a replacement that had not yet created the new object also gets
// composite.ReplacePending.
func (r *run) markIncomplete(g composite.Graph, ops []composite.Op, completed []bool) {
	for i, c := range g.Children {
		if ops[i] == composite.OpNoop || completed[i] {
			continue
		}
		rec, ok := r.j.get(c.Key)
		if !ok {
			continue
		}
		r.mu.Lock()
		created := r.created[c.Key]
		r.mu.Unlock()
		if created {
			// The record is a new object; the create rules left it right.
			continue
		}
		rec.Hash = ""
		if ops[i] != composite.OpUpdate {
			rec.ReplaceHash = composite.ReplacePending
		}
		r.j.set(c.Key, rec)
	}
}

type result struct {
	i   int
	err error
}

// applyGraph runs the creates, updates and replacements: each child once all
// its dependencies are done, bounded by limit.
func (r *run) applyGraph(ctx context.Context, g composite.Graph, deps [][]int, ops []composite.Op, limit int) (errs []error, completed []bool) {
	n := len(g.Children)
	remaining := make([]int, n)
	dependents := make([][]int, n)
	for i, ds := range deps {
		remaining[i] = len(ds)
		for _, d := range ds {
			dependents[d] = append(dependents[d], i)
		}
	}
	var ready []int
	for i := range n {
		if remaining[i] == 0 {
			ready = append(ready, i)
		}
	}
	completed = make([]bool, n)
	complete := func(i int) {
		completed[i] = true
		for _, d := range dependents[i] {
			if remaining[d]--; remaining[d] == 0 {
				ready = insertSorted(ready, d)
			}
		}
	}

	var (
		eg      errgroup.Group
		failed  atomic.Bool
		done    int
		running int
		results = make(chan result, n) // every child sends at most once: never blocks
	)
	eg.SetLimit(limit)
	stopping := func() bool { return failed.Load() || ctx.Err() != nil }
	for {
		for len(ready) > 0 && !stopping() {
			i := ready[0]
			ready = ready[1:]
			if ops[i] == composite.OpNoop {
				done++
				complete(i)
				continue
			}
			running++
			c, op := g.Children[i], ops[i]
			// Go blocks while limit calls are in flight; they finish into the
			// buffered results channel, so this cannot deadlock.
			eg.Go(func() error {
				if stopping() {
					results <- result{i, errSkipped}
					return nil
				}
				err := r.applyChild(ctx, c, op)
				if err != nil {
					failed.Store(true)
				}
				results <- result{i, err}
				return nil
			})
		}
		if running == 0 {
			break
		}
		res := <-results
		running--
		switch {
		case res.err == errSkipped:
		case res.err != nil:
			errs = append(errs, res.err)
		default:
			done++
			complete(res.i)
		}
	}
	_ = eg.Wait()
	if len(errs) == 0 && done < n {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("apply interrupted: %w", err))
		} else {
			// Unreachable with a validated graph; guard against silent loss.
			errs = append(errs, fmt.Errorf("apply stopped with %d of %d children not processed", n-done, n))
		}
	}
	return errs, completed
}

// applyChild performs one create, update or replacement and records what
// exists afterwards.
func (r *run) applyChild(ctx context.Context, c composite.Child, op composite.Op) (err error) {
	start := time.Now()
	defer func() { logAction(ctx, c.Key, c.Kind, op, start, err) }()

	resolved, err := resolveChild(c, r.j.outputs())
	if err != nil {
		return &ChildError{Key: c.Key, Kind: c.Kind, Op: op, Err: err}
	}
	prev, had := r.j.get(c.Key)
	switch {
	case !had:
		// Nothing to update or replace (gone since the plan): create it,
		// after deleting any deposed object it would clash with (left by an
		// interrupted replacement).
		if err := r.clearClashingDeposed(ctx, c, resolved, op); err != nil {
			return err
		}
		return r.create(ctx, c, resolved, op)
	case op == composite.OpUpdate && prev.Kind == c.Kind:
		return r.update(ctx, c, resolved, prev)
	default:
		// OpReplace, or OpCreate over an existing record (never drop a
		// record: that would orphan the object).
		return r.replace(ctx, c, resolved, prev, op)
	}
}

// clearClashingDeposed deletes the deposed records of c's key whose names
// (or listener priorities) clash with the child about to be created.
func (r *run) clearClashingDeposed(ctx context.Context, c, resolved composite.Child, op composite.Op) error {
	for _, k := range r.j.keys() {
		if !composite.IsDeposed(k) || !strings.HasPrefix(k, c.Key+composite.DeposedSuffix) {
			continue
		}
		prev, ok := r.j.get(k)
		if !ok || !composite.NamesClash(prev, resolved) {
			continue
		}
		if err := r.reg[prev.Kind].Delete(ctx, prev); err != nil {
			return &ChildError{Key: c.Key, Kind: c.Kind, Op: op, Err: fmt.Errorf("deleting the deposed %s %q before creating its successor: %w", prev.Kind, prev.Name, err)}
		}
		r.j.remove(k)
	}
	return nil
}

func (r *run) create(ctx context.Context, c, resolved composite.Child, op composite.Op) error {
	out, err := r.reg[c.Kind].Create(ctx, resolved)
	if err == nil || len(out) > 0 {
		rec := composite.Recorded{Kind: c.Kind, Name: c.Name, ARN: arnOf(out), Outputs: copyOutputs(out), Hash: c.Hash, ReplaceHash: c.ReplaceHash,
			NameScope: composite.NameScope(resolved)}
		applied(&rec, resolved, err)
		if err != nil {
			// Created but incomplete: record it so nothing is orphaned, with
			// no hash so that the next plan updates it.
			rec.Hash, rec.ReplaceHash = "", ""
		}
		r.j.set(c.Key, rec)
		r.mu.Lock()
		r.created[c.Key] = true
		r.mu.Unlock()
	}
	if err != nil {
		return &ChildError{Key: c.Key, Kind: c.Kind, Op: op, Err: err}
	}
	return nil
}

func (r *run) update(ctx context.Context, c, resolved composite.Child, prev composite.Recorded) error {
	out, err := r.reg[c.Kind].Update(ctx, resolved, prev)
	outputs := copyOutputs(prev.Outputs)
	if outputs == nil {
		outputs = map[string]string{}
	}
	for k, v := range out {
		outputs[k] = v
	}
	rec := composite.Recorded{Kind: c.Kind, Name: c.Name, ARN: arnOf(outputs), Outputs: outputs, Hash: c.Hash, ReplaceHash: c.ReplaceHash,
		NameScope: composite.NameScope(resolved)}
	if rec.ARN == "" {
		rec.ARN = prev.ARN
	}
	applied(&rec, resolved, err)
	// An update that registered a new object (a task definition revision)
	// leaves the previous one in AWS: depose it, so that it is deleted at
	// the end of the apply like a create-before-destroy replacement.
	supersede := composite.ARNChangesOnUpdate(c.Kind) && prev.ARN != "" && rec.ARN != prev.ARN
	set := func(rec composite.Recorded) {
		if !supersede {
			r.j.set(c.Key, rec)
			return
		}
		dk := r.j.supersede(c.Key, rec)
		r.mu.Lock()
		r.deposed = append(r.deposed, dk)
		r.mu.Unlock()
	}
	switch {
	case err == nil:
		set(rec)
		return nil
	case len(out) > 0:
		rec.Hash, rec.ReplaceHash = "", prev.ReplaceHash
		set(rec)
	default:
		prev.Hash = ""
		r.j.set(c.Key, prev)
	}
	return &ChildError{Key: c.Key, Kind: c.Kind, Op: composite.OpUpdate, Err: err}
}

func (r *run) replace(ctx context.Context, c, resolved composite.Child, prev composite.Recorded, op composite.Op) error {
	if composite.NamesClash(prev, resolved) {
		// The name cannot exist twice in its scope: delete the old object
		// first.
		if err := r.reg[prev.Kind].Delete(ctx, prev); err != nil {
			return &ChildError{Key: c.Key, Kind: c.Kind, Op: op, Err: fmt.Errorf("deleting the previous %s %q before re-creating it: %w", prev.Kind, prev.Name, err)}
		}
		r.j.remove(c.Key)
		return r.create(ctx, c, resolved, op)
	}
	// Create before destroy: keep the old object recorded under a deposed
	// key until the end of the apply.
	if dk, ok := r.j.depose(c.Key); ok {
		r.mu.Lock()
		r.deposed = append(r.deposed, dk)
		r.mu.Unlock()
	}
	return r.create(ctx, c, resolved, op)
}

// applied fills the record of a child the handler just created or updated
// from the resolved desired props: the kind's typed facts
// (composite.RecordFacts) and the fingerprint. The handler converged every
// fingerprinted setting to the desired one on success, so that is the
// fingerprint; after a failure the object may be half converged, and the
// fingerprint is unknown (empty): it is neither compared nor adopted.
func applied(rec *composite.Recorded, resolved composite.Child, err error) {
	composite.RecordFacts(resolved.Kind, resolved.Props, rec)
	rec.Observed, rec.DriftedHash, rec.DriftedFields = "", "", nil
	if err == nil {
		rec.Observed, _ = composite.Fingerprint(resolved.Kind, resolved.Props)
	}
}

// resolveChild returns c with its Props references substituted (a deep copy).
func resolveChild(c composite.Child, outputs map[string]map[string]string) (composite.Child, error) {
	if c.Props == nil {
		return c, nil
	}
	if reflect.ValueOf(c.Props).Kind() != reflect.Pointer {
		if len(composite.Refs(c.Props)) > 0 {
			return c, fmt.Errorf("props of type %T hold references but are not a pointer", c.Props)
		}
		return c, nil
	}
	p, err := composite.Resolve(c.Props, outputs)
	if err != nil {
		return c, err
	}
	c.Props = p
	return c, nil
}

// Destroy deletes every recorded child in teardown order
// (composite.TeardownRank ascending; same rank concurrently). After a rank
// with a failure it stops: children it could not delete (or did not reach)
// stay in the returned map, so a retry resumes. Already-gone children count
// as deleted (handlers return nil).
func Destroy(ctx context.Context, reg Registry, recorded map[string]composite.Recorded, opts Options) (map[string]composite.Recorded, error) {
	j := newJournal(recorded)
	var errs []error
	for _, k := range j.keys() {
		rec, _ := j.get(k)
		if reg[rec.Kind] == nil {
			errs = append(errs, &ChildError{Key: k, Kind: rec.Kind, Op: composite.OpDelete, Err: fmt.Errorf("no handler registered for kind %s", rec.Kind)})
		}
	}
	if len(errs) > 0 {
		return j.snapshot(), errors.Join(errs...)
	}
	if errs := deleteRanked(ctx, reg, j, j.keys(), opts.limit()); len(errs) > 0 {
		return j.snapshot(), errors.Join(errs...)
	}
	return j.snapshot(), nil
}

// deleteRanked deletes the recorded keys rank by rank. Within a rank every
// delete is attempted; a rank with failures stops the teardown.
func deleteRanked(ctx context.Context, reg Registry, j *journal, keys []string, limit int) []error {
	byRank := map[int][]string{}
	for _, k := range keys {
		if rec, ok := j.get(k); ok {
			rank := composite.TeardownRank(rec.Kind)
			byRank[rank] = append(byRank[rank], k)
		}
	}
	ranks := make([]int, 0, len(byRank))
	for rank := range byRank {
		ranks = append(ranks, rank)
	}
	sort.Ints(ranks)
	for _, rank := range ranks {
		batch := byRank[rank]
		sort.Strings(batch)
		errs := bounded(ctx, limit, batch, func(key string) (err error) {
			rec, ok := j.get(key)
			if !ok {
				return nil
			}
			start := time.Now()
			defer func() { logAction(ctx, key, rec.Kind, composite.OpDelete, start, err) }()
			if err := reg[rec.Kind].Delete(ctx, rec); err != nil {
				return &ChildError{Key: key, Kind: rec.Kind, Op: composite.OpDelete, Err: err}
			}
			j.remove(key)
			return nil
		})
		if len(errs) > 0 {
			return errs
		}
	}
	return nil
}

// Refresh reads every recorded child concurrently. Gone children are removed
// from the returned map and listed in gone (sorted); found children get their
// outputs and ARN refreshed (Name and hashes kept). A child whose read failed
// is kept unchanged and its error returned.
func Refresh(ctx context.Context, reg Registry, recorded map[string]composite.Recorded, opts Options) (out map[string]composite.Recorded, gone []string, err error) {
	j := newJournal(recorded)
	var mu sync.Mutex
	errs := bounded(ctx, opts.limit(), j.keys(), func(key string) (err error) {
		rec, _ := j.get(key)
		h := reg[rec.Kind]
		if h == nil {
			return &ChildError{Key: key, Kind: rec.Kind, Op: OpRead, Err: fmt.Errorf("no handler registered for kind %s", rec.Kind)}
		}
		start := time.Now()
		defer func() { logRead(ctx, key, rec.Kind, start, err) }()
		obs, found, err := h.Observe(ctx, rec, false)
		if err != nil {
			return &ChildError{Key: key, Kind: rec.Kind, Op: OpRead, Err: err}
		}
		if !found {
			j.remove(key)
			mu.Lock()
			gone = append(gone, key)
			mu.Unlock()
			return nil
		}
		if len(obs.Outputs) > 0 {
			rec.Outputs = copyOutputs(obs.Outputs)
			if a := arnOf(obs.Outputs); a != "" {
				rec.ARN = a
			}
		}
		view := composite.ObservedView(rec.Kind, obs.Props, rec)
		rec.Observed, _ = composite.Fingerprint(rec.Kind, view)
		rec.ObservedProps = view
		j.set(key, rec)
		return nil
	})
	sort.Strings(gone)
	return j.snapshot(), gone, errors.Join(errs...)
}

// bounded runs fn for every key, at most limit at a time, and returns the
// errors. Once ctx is done no new call starts and the interruption is
// reported.
func bounded(ctx context.Context, limit int, keys []string, fn func(key string) error) []error {
	var (
		eg   errgroup.Group
		mu   sync.Mutex
		errs []error
	)
	eg.SetLimit(limit)
	add := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	interrupted := false
	for _, k := range keys {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		eg.Go(func() error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := fn(k); err != nil {
				add(err)
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		interrupted = true
	}
	if interrupted {
		add(fmt.Errorf("interrupted: %w", ctx.Err()))
	}
	return errs
}

// logAction writes the one structured line per child action. tflog is a
// no-op when the context carries no logger, and falls back to a new
// subsystem logger when the caller did not create the "engine" subsystem.
func logAction(ctx context.Context, key string, kind composite.Kind, op composite.Op, start time.Time, err error) {
	fields := map[string]any{
		"child_key":  key,
		"kind":       string(kind),
		"op":         string(op),
		"elapsed_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.SubsystemError(ctx, Subsystem, "child action failed", fields)
		return
	}
	tflog.SubsystemInfo(ctx, Subsystem, "child action done", fields)
}

func logRead(ctx context.Context, key string, kind composite.Kind, start time.Time, err error) {
	fields := map[string]any{
		"child_key":  key,
		"kind":       string(kind),
		"op":         string(OpRead),
		"elapsed_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.SubsystemWarn(ctx, Subsystem, "child read failed", fields)
		return
	}
	tflog.SubsystemDebug(ctx, Subsystem, "child read", fields)
}
