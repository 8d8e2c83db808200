package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestOrder(t *testing.T) {
	g := serviceGraph(svcOpts{})
	got, err := Order(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"execution_role", "task_role", "log_group", "repository", "execution_role_policy",
		"target_group", "listener_rule", "discovery_service", "task_definition", "service"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Order = %v\nwant    %v", got, want)
	}
	pos := map[string]int{}
	for i, k := range got {
		pos[k] = i
	}
	for _, c := range g.Children {
		for _, d := range c.DependsOn() {
			if pos[d] > pos[c.Key] {
				t.Errorf("%s ordered before its dependency %s", c.Key, d)
			}
		}
	}
}

func TestOrder_errors(t *testing.T) {
	ref := composite.RefString
	lg := func(key, name string) composite.Child {
		return composite.Child{Key: key, Kind: composite.KindLogGroup, Props: &composite.LogGroupProps{Name: name}}
	}
	for name, tc := range map[string]struct {
		g    composite.Graph
		want string
	}{
		"cycle": {composite.Graph{Children: []composite.Child{
			lg("a", ref("b", "name")), lg("b", ref("c", "name")), lg("c", ref("a", "name")), lg("d", "x")}},
			"dependency cycle among children a, b, c"},
		"self": {composite.Graph{Children: []composite.Child{lg("a", ref("a", "arn"))}}, "dependency cycle among children a"},
		"unknown": {composite.Graph{Children: []composite.Child{lg("a", ref("nope", "arn"))}},
			`child "a" references unknown child "nope"`},
		"duplicate": {composite.Graph{Children: []composite.Child{lg("a", "x"), lg("a", "y")}}, `duplicate child key "a"`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Order(tc.g); err == nil || err.Error() != tc.want {
				t.Errorf("Order error = %v, want %q", err, tc.want)
			}
			// Apply refuses before any call.
			f := newFakeCloud()
			rec, err := Apply(context.Background(), f.registry(), tc.g, nil, composite.Diff(tc.g, nil), Options{})
			if err == nil || rec == nil || len(rec) != 0 || len(f.callLog()) != 0 {
				t.Errorf("Apply = %v, %v, %d calls", rec, err, len(f.callLog()))
			}
		})
	}
}

func TestEngine_childError(t *testing.T) {
	inner := errors.New("boom")
	for op, want := range map[composite.Op]string{
		composite.OpCreate:  `creating aws_lb_target_group (child "target_group"): boom`,
		composite.OpUpdate:  `updating aws_lb_target_group (child "target_group"): boom`,
		composite.OpReplace: `replacing aws_lb_target_group (child "target_group"): boom`,
		composite.OpDelete:  `deleting aws_lb_target_group (child "target_group"): boom`,
		OpRead:              `reading aws_lb_target_group (child "target_group"): boom`,
	} {
		err := fmt.Errorf("wrapped: %w", &ChildError{Key: "target_group", Kind: composite.KindTargetGroup, Op: op, Err: inner})
		if got := errors.Unwrap(err).Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
		if !errors.Is(err, inner) {
			t.Error("ChildError does not unwrap")
		}
	}
}

func TestApply_createsInDependencyOrderWithResolvedReferences(t *testing.T) {
	f := newFakeCloud()
	f.delay = 20 * time.Millisecond
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{Concurrency: 4})

	calls := f.callLog()
	if len(calls) != len(g.Children) {
		t.Errorf("%d calls for %d children", len(calls), len(g.Children))
	}
	for _, c := range g.Children {
		mine := findCalls(calls, "create", c.Key)
		if len(mine) != 1 {
			t.Fatalf("%s created %d times", c.Key, len(mine))
		}
		for _, d := range c.DependsOn() {
			dep := findCalls(calls, "create", d)[0]
			if mine[0].Start.Before(dep.End) {
				t.Errorf("%s started before its dependency %s finished", c.Key, d)
			}
		}
	}
	if p := f.peak(); p < 2 || p > 4 {
		t.Errorf("peak concurrency %d, want 2..4", p)
	}

	// References were resolved with the real outputs.
	svc := f.obj(rec["service"].ARN).Props.(*composite.ServiceProps)
	if svc.TaskDefinition != rec["task_definition"].ARN || svc.LoadBalancers[0].TargetGroupARN != rec["target_group"].ARN ||
		svc.ServiceRegistries[0].RegistryARN != rec["discovery_service"].ARN {
		t.Errorf("service props not resolved: %+v", svc)
	}
	td := f.obj(rec["task_definition"].ARN).Props.(*composite.TaskDefinitionProps)
	if td.ExecutionRoleARN != rec["execution_role"].ARN || td.TaskRoleARN != rec["task_role"].ARN ||
		td.Containers[0].Image != rec["repository"].Outputs[composite.AttrURL]+":v1" || td.Containers[0].LogGroup != "/ecs/web" {
		t.Errorf("task definition props not resolved: %+v", td)
	}
	pol := rec["execution_role_policy"]
	if pol.ARN != "web-exec:web-exec-policy" || pol.Outputs[composite.AttrID] != pol.ARN {
		t.Errorf("policy recorded with id %q (kinds without ARN record their id)", pol.ARN)
	}
	// The graph itself is untouched (resolution works on a copy).
	if p := g.Children[9].Props.(*composite.ServiceProps); !strings.HasPrefix(p.TaskDefinition, "${") {
		t.Errorf("graph props were mutated: %q", p.TaskDefinition)
	}
	destroyAll(t, f, rec, Options{})
}

func TestApply_concurrencyLimit(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			f := newFakeCloud()
			f.delay = 15 * time.Millisecond
			g := serviceGraph(svcOpts{})
			rec := createAll(t, f, g, Options{Concurrency: limit})
			if p := f.peak(); p != limit {
				t.Errorf("create peak concurrency %d, want %d", p, limit)
			}
			f.resetCalls()
			if _, _, err := Refresh(context.Background(), f.registry(), rec, Options{Concurrency: limit}); err != nil {
				t.Fatal(err)
			}
			if p := f.peak(); p != limit {
				t.Errorf("refresh peak concurrency %d, want %d", p, limit)
			}
			f.resetCalls()
			destroyAll(t, f, rec, Options{Concurrency: limit})
			if p := f.peak(); p > limit {
				t.Errorf("destroy peak concurrency %d > %d", p, limit)
			}
		})
	}
}

func TestApply_startsChildAsSoonAsDependenciesAreDone(t *testing.T) {
	f := newFakeCloud()
	f.delay = 10 * time.Millisecond
	f.delays[composite.KindDiscoveryService] = 300 * time.Millisecond
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{Concurrency: 4})
	calls := f.callLog()
	slow := findCalls(calls, "create", "discovery_service")[0]
	for _, k := range []string{"listener_rule", "execution_role_policy", "task_definition"} {
		if c := findCalls(calls, "create", k)[0]; !c.Start.Before(slow.End) {
			t.Errorf("%s waited for the unrelated slow discovery_service (no level barriers)", k)
		}
	}
	if c := findCalls(calls, "create", "service")[0]; c.Start.Before(slow.End) {
		t.Error("service started before its dependency discovery_service finished")
	}
	destroyAll(t, f, rec, Options{})
}

// TestApply_faultAtEveryCreateStep fails each child's create in turn (plain
// and partial), then proves: no orphans, the error names the child, a new
// plan+apply converges and destroy removes everything.
func TestApply_faultAtEveryCreateStep(t *testing.T) {
	g := serviceGraph(svcOpts{})
	for _, limit := range []int{1, 4} {
		for _, partial := range []bool{false, true} {
			for _, c := range g.Children {
				t.Run(fmt.Sprintf("limit%d/partial=%v/%s", limit, partial, c.Key), func(t *testing.T) {
					f := newFakeCloud()
					f.delay = 2 * time.Millisecond
					opts := Options{Concurrency: limit}
					f.addFault(&fakeFault{Op: "create", Key: c.Key, N: 1, Partial: partial})

					rec, err := Apply(context.Background(), f.registry(), g, nil, composite.Diff(g, nil), opts)
					if err == nil {
						t.Fatal("Apply succeeded despite the fault")
					}
					if rec == nil {
						t.Fatal("Apply returned a nil recorded set")
					}
					ces := childErrors(err)
					if len(ces) != 1 || ces[0].Key != c.Key || ces[0].Op != composite.OpCreate || !errors.Is(err, errInjected) {
						t.Errorf("error = %v", err)
					}
					if !strings.Contains(err.Error(), fmt.Sprintf("creating %s (child %q)", c.Kind, c.Key)) {
						t.Errorf("error does not name the child: %v", err)
					}
					assertNoOrphans(t, f, rec)
					r, ok := rec[c.Key]
					if partial != ok {
						t.Errorf("failed child recorded = %v, want %v", ok, partial)
					}
					if ok && (r.Hash != "" || r.ReplaceHash != "" || r.ARN == "") {
						t.Errorf("partial child recorded as %+v, want ARN and empty hashes", r)
					}
					// No dependent of the failed child was attempted.
					for _, d := range g.Children {
						if dependsOn(g, d.Key, c.Key) && len(findCalls(f.callLog(), "", d.Key)) > 0 {
							t.Errorf("%s was attempted although its dependency %s failed", d.Key, c.Key)
						}
					}
					if limit == 1 {
						// Nothing starts after the failure.
						calls := f.callLog()
						if last := calls[len(calls)-1]; last.Key != c.Key || last.Err == nil {
							t.Errorf("a call ran after the failure: %+v", last)
						}
					}

					f.clearFaults()
					actions := composite.Diff(g, rec)
					if partial {
						if a := actionFor(actions, c.Key); a.Op != composite.OpUpdate {
							t.Errorf("partial child planned as %+v, want update", a)
						}
					}
					rec, err = Apply(context.Background(), f.registry(), g, rec, actions, opts)
					if err != nil {
						t.Fatalf("second apply: %v", err)
					}
					assertConverged(t, f, g, rec)
					destroyAll(t, f, rec, opts)
				})
			}
		}
	}
}

// TestApply_faultAtEveryStepOfAnUpdate changes the image and renames the
// execution role (create-before-destroy of the role, replacement of the task
// definition, updates of the policy and the service, deposed deletions), and
// fails each mutating call of that apply in turn.
func TestApply_faultAtEveryStepOfAnUpdate(t *testing.T) {
	g1 := serviceGraph(svcOpts{})
	for name, change := range map[string]struct {
		opts  svcOpts
		steps int
	}{
		// role created, policy + task definition + service follow, two deposed deletes
		"role+image": {svcOpts{execRoleName: "web-exec-v2", image: "nginx:2"}, 6},
		// same, but the task definition's own hash does not change: only the
		// plan's propagation says it must be replaced
		"role":  {svcOpts{execRoleName: "web-exec-v2"}, 6},
		"image": {svcOpts{image: "nginx:2"}, 3},
	} {
		t.Run(name, func(t *testing.T) { faultEveryStep(t, g1, serviceGraph(change.opts), change.steps) })
	}
}

func faultEveryStep(t *testing.T, g1, g2 composite.Graph, steps int) {
	for _, partial := range []bool{false, true} {
		for n := 1; ; n++ {
			f := newFakeCloud()
			f.delay = time.Millisecond
			opts := Options{Concurrency: 1}
			rec := createAll(t, f, g1, opts)
			ft := f.addFault(&fakeFault{N: n, Partial: partial})
			rec, err := Apply(context.Background(), f.registry(), g2, rec, composite.Diff(g2, rec), opts)
			if ft.hit == 0 {
				if err != nil {
					t.Fatalf("apply without fault: %v", err)
				}
				assertConverged(t, f, g2, rec)
				if n-1 != steps {
					t.Fatalf("%d mutating steps, want %d", n-1, steps)
				}
				t.Logf("partial=%v: covered %d mutating steps", partial, n-1)
				break
			}
			name := fmt.Sprintf("partial=%v step %d", partial, n)
			if err == nil || len(childErrors(err)) != 1 {
				t.Fatalf("%s: error = %v", name, err)
			}
			assertNoOrphans(t, f, rec)
			f.clearFaults()
			rec, err = Apply(context.Background(), f.registry(), g2, rec, composite.Diff(g2, rec), opts)
			if err != nil {
				t.Fatalf("%s: second apply: %v", name, err)
			}
			assertConverged(t, f, g2, rec)
			destroyAll(t, f, rec, opts)
			if t.Failed() {
				t.Fatalf("%s failed", name)
			}
		}
	}
}

func TestApply_replaceCreateBeforeDestroy(t *testing.T) {
	f := newFakeCloud()
	g1 := serviceGraph(svcOpts{})
	rec := createAll(t, f, g1, Options{})
	oldTD := rec["task_definition"].ARN

	g2 := serviceGraph(svcOpts{image: "nginx:2"})
	actions := composite.Diff(g2, rec)
	if a := actionFor(actions, "task_definition"); a.Op != composite.OpReplace {
		t.Fatalf("task_definition planned as %+v", a)
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
	newTD := rec["task_definition"].ARN
	if newTD == oldTD {
		t.Fatal("task definition not replaced")
	}
	calls := f.callLog()
	create := findCalls(calls, "create", "task_definition")
	update := findCalls(calls, "update", "service")
	del := findCalls(calls, "delete", "task_definition#deposed")
	if len(create) != 1 || len(update) != 1 || len(del) != 1 || len(calls) != 3 {
		t.Fatalf("calls = %+v", calls)
	}
	if del[0].Ident != oldTD || !update[0].Start.After(create[0].End) || !del[0].Start.After(update[0].End) {
		t.Errorf("want create new -> update service -> delete old, got %+v", calls)
	}
	if p := f.obj(rec["service"].ARN).Props.(*composite.ServiceProps); p.TaskDefinition != newTD {
		t.Errorf("service points at %s, want %s", p.TaskDefinition, newTD)
	}
	destroyAll(t, f, rec, Options{})
}

func TestApply_replaceRoleDeletesDeposedInTeardownOrder(t *testing.T) {
	f := newFakeCloud()
	g1 := serviceGraph(svcOpts{})
	rec := createAll(t, f, g1, Options{})
	g2 := serviceGraph(svcOpts{execRoleName: "web-exec-v2"})
	actions := composite.Diff(g2, rec)
	f.resetCalls()
	rec, err := Apply(context.Background(), f.registry(), g2, rec, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g2, rec)
	calls := f.callLog()
	td := findCalls(calls, "delete", "task_definition#deposed")
	role := findCalls(calls, "delete", "execution_role#deposed")
	if len(td) != 1 || len(role) != 1 || !role[0].Start.After(td[0].End) {
		t.Errorf("deposed task definition must be deleted before the deposed role: %+v", calls)
	}
	destroyAll(t, f, rec, Options{})
}

func TestApply_deposedDeleteFailureIsRetried(t *testing.T) {
	f := newFakeCloud()
	rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
	oldTD := rec["task_definition"].ARN

	g2 := serviceGraph(svcOpts{image: "nginx:2"})
	f.addFault(&fakeFault{Op: "delete", Kind: composite.KindTaskDefinition, N: 0})
	rec, err := Apply(context.Background(), f.registry(), g2, rec, composite.Diff(g2, rec), Options{})
	if ces := childErrors(err); len(ces) != 1 || ces[0].Key != "task_definition#deposed" || ces[0].Op != composite.OpDelete {
		t.Fatalf("error = %v", err)
	}
	assertNoOrphans(t, f, rec)
	if rec["task_definition#deposed"].ARN != oldTD {
		t.Fatalf("deposed record = %+v", rec["task_definition#deposed"])
	}
	if p := f.obj(rec["service"].ARN).Props.(*composite.ServiceProps); p.TaskDefinition != rec["task_definition"].ARN {
		t.Error("service not updated to the new task definition")
	}

	// Another replacement while the first deposed one is still there: the
	// new one is deposed under "#deposed2"; both go once deletes work.
	g3 := serviceGraph(svcOpts{image: "nginx:3"})
	actions := composite.Diff(g3, rec)
	if a := actionFor(actions, "task_definition#deposed"); a.Op != composite.OpDelete {
		t.Fatalf("deposed planned as %+v", a)
	}
	rec, err = Apply(context.Background(), f.registry(), g3, rec, actions, Options{})
	if err == nil || rec["task_definition#deposed2"].ARN == "" || rec["task_definition#deposed"].ARN != oldTD {
		t.Fatalf("err = %v, recorded %v", err, keysOf(rec))
	}
	assertNoOrphans(t, f, rec)

	f.clearFaults()
	rec, err = Apply(context.Background(), f.registry(), g3, rec, composite.Diff(g3, rec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g3, rec)
	destroyAll(t, f, rec, Options{})
}

func TestApply_replaceSameNameDeletesFirst(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	old := rec["log_group"].ARN

	// A replace-forcing change that keeps the name (e.g. a new KMS key).
	lg := &g.Children[3]
	lg.Props.(*composite.LogGroupProps).KMSKeyID = "arn:aws:kms:us-east-1:123456789012:key/1"
	lg.Hash, lg.ReplaceHash = "h2", "r2"
	actions := composite.Diff(g, rec)
	if a := actionFor(actions, "log_group"); a.Op != composite.OpReplace {
		t.Fatalf("log_group planned as %+v", a)
	}
	f.resetCalls()
	rec, err := Apply(context.Background(), f.registry(), g, rec, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g, rec)
	calls := f.callLog()
	del := findCalls(calls, "delete", "log_group")
	create := findCalls(calls, "create", "log_group")
	if len(del) != 1 || len(create) != 1 || del[0].Ident != old || create[0].Start.Before(del[0].End) {
		t.Errorf("same-name replace must delete first: %+v", calls)
	}
	if rec["log_group"].ARN == old {
		t.Error("log group not replaced")
	}
	// Dependents were updated after the new log group existed.
	for _, k := range []string{"execution_role_policy", "task_definition"} {
		if u := findCalls(calls, "", k); len(u) != 1 || u[0].Start.Before(create[0].End) {
			t.Errorf("%s: %+v", k, u)
		}
	}
	destroyAll(t, f, rec, Options{})
}

func TestApply_sameNameReplaceDeleteFailureKeepsRecord(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	g.Children[3].ReplaceHash = "r2"
	f.addFault(&fakeFault{Op: "delete", Key: "log_group", N: 1})
	rec, err := Apply(context.Background(), f.registry(), g, rec, composite.Diff(g, rec), Options{})
	if ces := childErrors(err); len(ces) != 1 || ces[0].Op != composite.OpReplace || ces[0].Key != "log_group" {
		t.Fatalf("error = %v", err)
	}
	assertNoOrphans(t, f, rec)
	f.clearFaults()
	rec, err = Apply(context.Background(), f.registry(), g, rec, composite.Diff(g, rec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g, rec)
}

func TestApply_updatePartialAndFailedUpdate(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprint("partial=", partial), func(t *testing.T) {
			f := newFakeCloud()
			rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
			g := serviceGraph(svcOpts{})
			g.Children[3].Props.(*composite.LogGroupProps).RetentionDays = 90
			g = rehash(g)
			f.addFault(&fakeFault{Op: "update", Key: "log_group", N: 1, Partial: partial})
			before := rec["log_group"]
			rec, err := Apply(context.Background(), f.registry(), g, rec, composite.Diff(g, rec), Options{})
			if ces := childErrors(err); len(ces) != 1 || ces[0].Op != composite.OpUpdate {
				t.Fatalf("error = %v", err)
			}
			after := rec["log_group"]
			if after.Hash != "" || after.ARN != before.ARN || after.ReplaceHash != before.ReplaceHash {
				t.Errorf("failed update recorded as %+v", after)
			}
			assertNoOrphans(t, f, rec)
			f.clearFaults()
			rec, err = Apply(context.Background(), f.registry(), g, rec, composite.Diff(g, rec), Options{})
			if err != nil {
				t.Fatal(err)
			}
			assertConverged(t, f, g, rec)
		})
	}
}

func TestApply_concurrentFailuresAreJoined(t *testing.T) {
	f := newFakeCloud()
	f.delay = 30 * time.Millisecond
	g := serviceGraph(svcOpts{})
	f.addFault(&fakeFault{Op: "create", Key: "log_group", N: 1})
	f.addFault(&fakeFault{Op: "create", Key: "repository", N: 1})
	rec, err := Apply(context.Background(), f.registry(), g, nil, composite.Diff(g, nil), Options{Concurrency: 4})
	var keys []string
	for _, ce := range childErrors(err) {
		keys = append(keys, ce.Key)
	}
	if strings.Join(sortedCopy(keys), ",") != "log_group,repository" {
		t.Errorf("errors = %v", err)
	}
	assertNoOrphans(t, f, rec)
	// execution_role and task_role were in flight and are recorded.
	if _, ok := rec["execution_role"]; !ok {
		t.Errorf("in-flight child not recorded: %v", keysOf(rec))
	}
}

func TestApply_contextCancelled(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.after = func(c fakeCall) {
		if c.Key == "log_group" {
			cancel()
		}
	}
	rec, err := Apply(ctx, f.registry(), g, nil, composite.Diff(g, nil), Options{Concurrency: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v", err)
	}
	assertNoOrphans(t, f, rec)
	if len(rec) == 0 || len(rec) == len(g.Children) {
		t.Errorf("recorded %v", keysOf(rec))
	}
	f.after = nil
	rec, err = Apply(context.Background(), f.registry(), g, rec, composite.Diff(g, rec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g, rec)
}

func TestApply_unresolvedReference(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	g.Children[6].Props.(*composite.ListenerRuleProps).TargetGroupARN = composite.RefString("target_group", "bogus")
	rec, err := Apply(context.Background(), f.registry(), g, nil, composite.Diff(g, nil), Options{Concurrency: 1})
	ces := childErrors(err)
	if len(ces) != 1 || ces[0].Key != "listener_rule" || !strings.Contains(err.Error(), "${target_group.bogus}") {
		t.Fatalf("error = %v", err)
	}
	if len(findCalls(f.callLog(), "", "listener_rule")) != 0 {
		t.Error("handler called with an unresolved reference")
	}
	assertNoOrphans(t, f, rec)
}

func TestApply_missingHandler(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	reg := f.registry()
	delete(reg, composite.KindDiscoveryService)
	rec, err := Apply(context.Background(), reg, g, nil, composite.Diff(g, nil), Options{})
	if ces := childErrors(err); len(ces) != 1 || ces[0].Key != "discovery_service" || len(rec) != 0 || len(f.callLog()) != 0 {
		t.Errorf("err = %v, rec = %v", err, rec)
	}
}

func TestApply_deletesRemovedChildrenAfterUpdates(t *testing.T) {
	f := newFakeCloud()
	g1 := serviceGraph(svcOpts{})
	rec := createAll(t, f, g1, Options{})
	// Drop the load balancer: rule and target group go, the service is
	// updated first (the fake refuses to delete a target group in use).
	g2 := serviceGraph(svcOpts{})
	var kept []composite.Child
	for _, c := range g2.Children {
		if c.Key == "listener_rule" || c.Key == "target_group" {
			continue
		}
		if p, ok := c.Props.(*composite.ServiceProps); ok {
			p.LoadBalancers = nil
		}
		kept = append(kept, c)
	}
	g2 = rehash(composite.Graph{Owner: g2.Owner, Children: kept})
	actions := composite.Diff(g2, rec)
	f.resetCalls()
	rec, err := Apply(context.Background(), f.registry(), g2, rec, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g2, rec)
	calls := f.callLog()
	u := findCalls(calls, "update", "service")[0]
	r := findCalls(calls, "delete", "listener_rule")[0]
	tg := findCalls(calls, "delete", "target_group")[0]
	if r.Start.Before(u.End) || tg.Start.Before(r.End) {
		t.Errorf("want update service -> delete rule -> delete target group: %+v", calls)
	}
}

func TestDestroy_teardownOrder(t *testing.T) {
	f := newFakeCloud()
	f.delay = 15 * time.Millisecond
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	f.resetCalls()
	destroyAll(t, f, rec, Options{Concurrency: 4})
	calls := f.callLog()
	if len(calls) != len(g.Children) {
		t.Fatalf("%d delete calls", len(calls))
	}
	for _, a := range calls {
		for _, b := range calls {
			if composite.TeardownRank(a.Kind) < composite.TeardownRank(b.Kind) && b.Start.Before(a.End) {
				t.Errorf("%s (rank %d) started before %s (rank %d) finished", b.Key, composite.TeardownRank(b.Kind), a.Key, composite.TeardownRank(a.Kind))
			}
		}
	}
	// Same rank runs concurrently: log group, repository and policy (rank 5).
	var rank5 []fakeCall
	for _, c := range calls {
		if composite.TeardownRank(c.Kind) == 5 {
			rank5 = append(rank5, c)
		}
	}
	if len(rank5) != 3 || !rank5[2].Start.Before(rank5[0].End) {
		t.Errorf("rank-5 deletes did not overlap: %+v", rank5)
	}
}

func TestDestroy_failureKeepsChildrenAndRetryResumes(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	f.addFault(&fakeFault{Op: "delete", Key: "target_group", N: 1})
	out, err := Destroy(context.Background(), f.registry(), rec, Options{})
	ces := childErrors(err)
	if len(ces) != 1 || ces[0].Key != "target_group" || !strings.Contains(err.Error(), `deleting aws_lb_target_group (child "target_group")`) {
		t.Fatalf("error = %v", err)
	}
	assertNoOrphans(t, f, out)
	for _, k := range []string{"service", "listener_rule"} {
		if _, ok := out[k]; ok {
			t.Errorf("%s (deleted before the failure) still recorded", k)
		}
	}
	if len(out) != len(g.Children)-2 {
		t.Errorf("recorded after failed destroy: %v", keysOf(out))
	}
	f.resetCalls()
	destroyAll(t, f, out, Options{})
	if n := len(findCalls(f.callLog(), "delete", "service")); n != 0 {
		t.Errorf("retry deleted the service again (%d)", n)
	}
}

func TestDestroy_alreadyGone(t *testing.T) {
	f := newFakeCloud()
	rec := createAll(t, f, serviceGraph(svcOpts{}), Options{})
	f.removeOutOfBand(rec["listener_rule"].ARN)
	f.removeOutOfBand(rec["log_group"].ARN)
	destroyAll(t, f, rec, Options{})
	if _, err := Destroy(context.Background(), f.registry(), nil, Options{}); err != nil {
		t.Errorf("destroy of nothing: %v", err)
	}
}

func TestRefresh(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	f.removeOutOfBand(rec["service"].ARN)
	f.removeOutOfBand(rec["listener_rule"].ARN)
	f.obj(rec["repository"].ARN).Outputs["scan_status"] = "COMPLETE" // an output nothing references

	out, gone, err := Refresh(context.Background(), f.registry(), rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gone, []string{"listener_rule", "service"}) {
		t.Errorf("gone = %v", gone)
	}
	assertNoOrphans(t, f, out)
	if r := out["repository"]; r.Outputs["scan_status"] != "COMPLETE" || r.Hash != rec["repository"].Hash || r.ARN != rec["repository"].ARN {
		t.Errorf("repository refreshed as %+v", r)
	}
	if len(rec) != len(g.Children) {
		t.Error("Refresh modified its input")
	}

	// Drift: the plan recreates just the missing children.
	actions := composite.Diff(g, out)
	if s := composite.Summarize(actions); s[composite.OpCreate] != 2 || s[composite.OpUpdate]+s[composite.OpReplace]+s[composite.OpDelete] != 0 {
		t.Errorf("plan after drift: %v", actions)
	}
	out, err = Apply(context.Background(), f.registry(), g, out, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, f, g, out)

	// A read failure keeps the record and names the child.
	f.addFault(&fakeFault{Op: "read", Key: "log_group", N: 0})
	out2, gone, err := Refresh(context.Background(), f.registry(), out, Options{})
	if ces := childErrors(err); len(ces) != 1 || ces[0].Op != OpRead || !strings.Contains(err.Error(), `reading aws_cloudwatch_log_group (child "log_group")`) {
		t.Errorf("error = %v", err)
	}
	if len(gone) != 0 || !reflect.DeepEqual(out2["log_group"], out["log_group"]) || len(out2) != len(out) {
		t.Errorf("gone = %v, out = %v", gone, keysOf(out2))
	}
}

func TestApply_logsOneLinePerChildAction(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	ctx = tflog.NewSubsystem(ctx, Subsystem)
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec, err := Apply(ctx, f.registry(), g, nil, composite.Diff(g, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Destroy(ctx, f.registry(), rec, Options{}); err != nil {
		t.Fatal(err)
	}
	lines, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, l := range lines {
		if l["@module"] != "provider."+Subsystem {
			continue
		}
		if _, ok := l["elapsed_ms"].(float64); !ok || l["kind"] == "" {
			t.Errorf("line without fields: %v", l)
		}
		seen[fmt.Sprint(l["op"], ":", l["child_key"])]++
	}
	for _, c := range g.Children {
		for _, op := range []string{"create", "delete"} {
			if seen[op+":"+c.Key] != 1 {
				t.Errorf("%d %s lines for %s (lines: %v)", seen[op+":"+c.Key], op, c.Key, seen)
			}
		}
	}
}

// --- helpers ---

func actionFor(actions []composite.Action, key string) composite.Action {
	for _, a := range actions {
		if a.Key == key {
			return a
		}
	}
	return composite.Action{}
}

// dependsOn reports whether key depends (transitively) on dep.
func dependsOn(g composite.Graph, key, dep string) bool {
	for _, c := range g.Children {
		if c.Key != key {
			continue
		}
		for _, d := range c.DependsOn() {
			if d == dep || dependsOn(g, d, dep) {
				return true
			}
		}
	}
	return false
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
