package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func childIndex(t *testing.T, g composite.Graph, key string) int {
	t.Helper()
	for i, c := range g.Children {
		if c.Key == key {
			return i
		}
	}
	t.Fatalf("no child %q", key)
	return -1
}

// moveDiscoveryService returns g with the Cloud Map service in namespace ns,
// a replace-forcing change that keeps the name.
func moveDiscoveryService(t *testing.T, g composite.Graph, ns string) composite.Graph {
	i := childIndex(t, g, "discovery_service")
	c := &g.Children[i]
	p := *c.Props.(*composite.DiscoveryServiceProps)
	p.NamespaceID = ns
	*c = testChild(c.Key, c.Kind, c.Name, &p, c.ReplaceOn...)
	c.ReplaceHash = testHash(string(c.Kind), c.Name, ns)
	return g
}

// A Cloud Map service moved to another namespace keeps its name, but in
// another scope: it is created before the old one is deleted, because the
// ECS service references the old one until it is updated (deleting it first
// fails with ResourceInUse).
func TestApply_replaceInAnotherNameScopeCreatesFirst(t *testing.T) {
	f := newFakeCloud()
	rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
	if s := rec["discovery_service"].NameScope; s != "ns-1" {
		t.Fatalf("discovery service recorded with name scope %q", s)
	}
	old := rec["discovery_service"].ARN

	g2 := moveDiscoveryService(t, serviceGraph(svcOpts{}), "ns-2")
	actions := composite.Diff(g2, rec)
	if a := actionFor(actions, "discovery_service"); a.Op != composite.OpReplace {
		t.Fatalf("discovery_service planned as %+v", a)
	}
	if a := actionFor(actions, "service"); a.Op != composite.OpUpdate {
		t.Fatalf("service planned as %+v", a)
	}
	f.resetCalls()
	rec, err := Apply(context.Background(), f.registry(), g2, rec, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g2, rec)
	calls := f.callLog()
	create := findCalls(calls, "create", "discovery_service")
	update := findCalls(calls, "update", "service")
	del := findCalls(calls, "delete", "discovery_service#deposed")
	if len(create) != 1 || len(update) != 1 || len(del) != 1 || len(findCalls(calls, "delete", "discovery_service")) != 0 {
		t.Fatalf("calls = %+v", calls)
	}
	if del[0].Ident != old || !update[0].Start.After(create[0].End) || !del[0].Start.After(update[0].End) {
		t.Errorf("want create new -> update service -> delete old, got %+v", calls)
	}
	if s := rec["discovery_service"].NameScope; s != "ns-2" {
		t.Errorf("name scope recorded as %q", s)
	}
	destroyAll(t, f, rec, Options{})
}

// In the same scope (or when the recorded scope is unknown) a replacement
// that keeps the name still deletes the old object first.
func TestApply_replaceInSameOrUnknownNameScopeDeletesFirst(t *testing.T) {
	for name, tc := range map[string]struct {
		ns           string
		forgetScope  bool // a record from before name scopes were kept
		wantNewScope string
	}{
		"same namespace":             {ns: "ns-1", wantNewScope: "ns-1"},
		"unknown recorded namespace": {ns: "ns-2", forgetScope: true, wantNewScope: "ns-2"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeCloud()
			only := func(g composite.Graph) composite.Graph {
				return composite.Graph{Owner: g.Owner, Children: []composite.Child{g.Children[childIndex(t, g, "discovery_service")]}}
			}
			g1 := only(serviceGraph(svcOpts{}))
			rec := createAll(t, f, g1, Options{})
			if tc.forgetScope {
				r := rec["discovery_service"]
				r.NameScope = ""
				rec["discovery_service"] = r
			}
			old := rec["discovery_service"].ARN
			g2 := moveDiscoveryService(t, only(serviceGraph(svcOpts{})), tc.ns)
			if tc.ns == "ns-1" {
				g2.Children[0].ReplaceHash = "routing policy changed"
			}
			f.resetCalls()
			rec, err := Apply(context.Background(), f.registry(), g2, rec, composite.Diff(g2, rec), Options{})
			if err != nil {
				t.Fatal(err)
			}
			assertConverged(t, f, g2, rec)
			calls := f.callLog()
			del := findCalls(calls, "delete", "discovery_service")
			create := findCalls(calls, "create", "discovery_service")
			if len(calls) != 2 || len(del) != 1 || len(create) != 1 || del[0].Ident != old || create[0].Start.Before(del[0].End) {
				t.Errorf("want delete old -> create new, got %+v", calls)
			}
			if s := rec["discovery_service"].NameScope; s != tc.wantNewScope {
				t.Errorf("name scope recorded as %q", s)
			}
		})
	}
}

// staleTaskDefinition returns the recorded set with the task definition's
// hashes cleared, as a partial create leaves them.
func staleTaskDefinition(rec map[string]composite.Recorded) map[string]composite.Recorded {
	out := map[string]composite.Recorded{}
	for k, r := range rec {
		out[k] = r
	}
	r := out["task_definition"]
	r.Hash, r.ReplaceHash = "", ""
	out["task_definition"] = r
	return out
}

// An update of a task definition that registers a new revision deregisters
// the previous one at the end of the apply, after the service moved to the
// new one; an update that keeps the revision deletes nothing.
func TestApply_taskDefinitionUpdateDeletesPreviousRevision(t *testing.T) {
	f := newFakeCloud()
	rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
	oldTD := rec["task_definition"].ARN

	// Same definition: same revision, nothing deposed.
	g1 := serviceGraph(svcOpts{})
	f.resetCalls()
	rec, err := Apply(context.Background(), f.registry(), g1, staleTaskDefinition(rec), composite.Diff(g1, staleTaskDefinition(rec)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g1, rec)
	if rec["task_definition"].ARN != oldTD || len(findCalls(f.callLog(), "delete", "")) != 0 {
		t.Fatalf("unchanged definition: ARN %s, calls %+v", rec["task_definition"].ARN, f.callLog())
	}

	// Changed definition (Diff plans an update, not a replacement, because
	// the recorded replace hash is unknown): a new revision.
	g2 := serviceGraph(svcOpts{image: "nginx:2"})
	stale := staleTaskDefinition(rec)
	actions := composite.Diff(g2, stale)
	if a := actionFor(actions, "task_definition"); a.Op != composite.OpUpdate {
		t.Fatalf("task_definition planned as %+v", a)
	}
	if a := actionFor(actions, "service"); a.Op != composite.OpUpdate {
		t.Fatalf("service planned as %+v", a)
	}
	f.resetCalls()
	rec, err = Apply(context.Background(), f.registry(), g2, stale, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g2, rec)
	newTD := rec["task_definition"].ARN
	if newTD == oldTD {
		t.Fatal("no new revision registered")
	}
	calls := f.callLog()
	upd := findCalls(calls, "update", "task_definition")
	svc := findCalls(calls, "update", "service")
	del := findCalls(calls, "delete", "task_definition#deposed")
	if len(upd) != 1 || len(svc) != 1 || len(del) != 1 || del[0].Ident != oldTD ||
		!svc[0].Start.After(upd[0].End) || !del[0].Start.After(svc[0].End) {
		t.Errorf("want update task definition -> update service -> delete previous revision, got %+v", calls)
	}
	if p := f.obj(rec["service"].ARN).Props.(*composite.ServiceProps); p.TaskDefinition != newTD {
		t.Errorf("service points at %s, want %s", p.TaskDefinition, newTD)
	}
	destroyAll(t, f, rec, Options{})
}

// A task definition update that registered a new revision and then failed
// (outputs and an error) records the new revision and keeps the previous one
// deposed, so nothing leaks; the next apply deletes it.
func TestApply_partialTaskDefinitionUpdateDeposesPreviousRevision(t *testing.T) {
	f := newFakeCloud()
	rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
	oldTD := rec["task_definition"].ARN
	g2 := serviceGraph(svcOpts{image: "nginx:2"})
	stale := staleTaskDefinition(rec)
	f.addFault(&fakeFault{Op: "update", Key: "task_definition", N: 1, Partial: true})
	rec, err := Apply(context.Background(), f.registry(), g2, stale, composite.Diff(g2, stale), Options{})
	if ces := childErrors(err); len(ces) != 1 || ces[0].Key != "task_definition" || !errors.Is(err, errInjected) {
		t.Fatalf("error = %v", err)
	}
	assertNoOrphans(t, f, rec)
	if d := rec["task_definition#deposed"]; d.ARN != oldTD {
		t.Fatalf("previous revision recorded as %+v", d)
	}
	if r := rec["task_definition"]; r.ARN == oldTD || r.Hash != "" {
		t.Fatalf("new revision recorded as %+v", r)
	}
	f.clearFaults()
	actions := composite.Diff(g2, rec)
	if a := actionFor(actions, "task_definition#deposed"); a.Op != composite.OpDelete {
		t.Fatalf("deposed revision planned as %+v", a)
	}
	rec, err = Apply(context.Background(), f.registry(), g2, rec, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g2, rec)
	if f.obj(oldTD) != nil {
		t.Error("previous revision still exists")
	}
	destroyAll(t, f, rec, Options{})
}
