package composite

import (
	"reflect"
	"strings"
	"testing"
)

// diffTestGraph is a small service-shaped graph. Hashes are fixed strings:
// Diff only compares them.
func diffTestGraph() Graph {
	return Graph{Owner: "platform/web", Children: []Child{
		{Key: "execution_role", Kind: KindIAMRole, Name: "web-exec", Props: &RoleProps{Name: "web-exec"}, Hash: "h-er", ReplaceHash: "r-er"},
		{Key: "task_role", Kind: KindIAMRole, Name: "web-task", Props: &RoleProps{Name: "web-task"}, Hash: "h-tr", ReplaceHash: "r-tr"},
		{Key: "log_group", Kind: KindLogGroup, Name: "/ecs/web", Props: &LogGroupProps{Name: "/ecs/web"}, Hash: "h-lg", ReplaceHash: "r-lg"},
		{Key: "target_group", Kind: KindTargetGroup, Name: "web-tg", Props: &TargetGroupProps{Name: "web-tg"}, Hash: "h-tg", ReplaceHash: "r-tg"},
		{Key: "listener_rule", Kind: KindListenerRule, Name: "web-rule",
			Props: &ListenerRuleProps{ListenerARN: "arn:listener", TargetGroupARN: RefString("target_group", AttrARN)}, Hash: "h-lr", ReplaceHash: "r-lr"},
		{Key: "task_definition", Kind: KindTaskDefinition, Name: "web",
			Props: &TaskDefinitionProps{Family: "web", ExecutionRoleARN: RefString("execution_role", AttrARN), TaskRoleARN: RefString("task_role", AttrARN),
				Containers: []ContainerDef{{Name: "web", Image: "nginx", LogGroup: RefString("log_group", AttrName)}}},
			Hash: "h-td", ReplaceHash: "h-td", ReplaceOn: []string{"execution_role", "task_role"}},
		{Key: "service", Kind: KindECSService, Name: "web",
			Props: &ServiceProps{Name: "web", TaskDefinition: RefString("task_definition", AttrARN),
				LoadBalancers: []ServiceLoadBalancer{{TargetGroupARN: RefString("target_group", AttrARN)}}},
			Hash: "h-svc", ReplaceHash: "r-svc"},
	}}
}

// diffTestRecorded records every child of g as applied.
func diffTestRecorded(g Graph) map[string]Recorded {
	rec := map[string]Recorded{}
	for _, c := range g.Children {
		rec[c.Key] = Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn:" + c.Key, Outputs: map[string]string{AttrARN: "arn:" + c.Key},
			Hash: c.Hash, ReplaceHash: c.ReplaceHash}
	}
	return rec
}

func diffTestChild(t *testing.T, g *Graph, key string) *Child {
	t.Helper()
	for i := range g.Children {
		if g.Children[i].Key == key {
			return &g.Children[i]
		}
	}
	t.Fatalf("no child %q", key)
	return nil
}

func diffTestOps(actions []Action) map[string]Op {
	out := map[string]Op{}
	for _, a := range actions {
		out[a.Key] = a.Op
	}
	return out
}

func diffTestAction(t *testing.T, actions []Action, key string) Action {
	t.Helper()
	for _, a := range actions {
		if a.Key == key {
			return a
		}
	}
	t.Fatalf("no action for %q in %v", key, actions)
	return Action{}
}

func TestDiff_createAll(t *testing.T) {
	g := diffTestGraph()
	actions := Diff(g, nil)
	if len(actions) != len(g.Children) {
		t.Fatalf("got %d actions, want %d", len(actions), len(g.Children))
	}
	for i, a := range actions {
		if a.Key != g.Children[i].Key || a.Kind != g.Children[i].Kind || a.Op != OpCreate || a.Reason != "not yet created" {
			t.Errorf("action %d = %+v, want create of %s in graph order", i, a, g.Children[i].Key)
		}
	}
	if s := Summarize(actions); s[OpCreate] != len(g.Children) || len(s) != 1 {
		t.Errorf("Summarize = %v", s)
	}
}

func TestDiff_noop(t *testing.T) {
	g := diffTestGraph()
	actions := Diff(g, diffTestRecorded(g))
	if len(actions) != len(g.Children) {
		t.Fatalf("noops must be included: got %d actions", len(actions))
	}
	for _, a := range actions {
		if a.Op != OpNoop || a.Changes() {
			t.Errorf("%s: op %s (%s), want noop", a.Key, a.Op, a.Reason)
		}
	}
}

func TestDiff_missingChildIsCreated(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	delete(rec, "log_group")
	actions := Diff(g, rec)
	a := diffTestAction(t, actions, "log_group")
	if a.Op != OpCreate || !strings.Contains(a.Reason, "missing in AWS") {
		t.Errorf("log_group = %+v", a)
	}
	// The task definition references the log group by name: updated, not
	// replaced (log_group is not in its ReplaceOn); the service is updated
	// because a task definition update may register a new revision, never
	// replaced.
	ops := diffTestOps(actions)
	if ops["task_definition"] != OpUpdate || ops["service"] != OpUpdate || ops["target_group"] != OpNoop {
		t.Errorf("ops = %v", ops)
	}
}

func TestDiff_update(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	diffTestChild(t, &g, "log_group").Hash = "h-lg-2"
	r := rec["target_group"]
	r.Hash = "" // previous apply incomplete
	rec["target_group"] = r
	actions := Diff(g, rec)
	if a := diffTestAction(t, actions, "log_group"); a.Op != OpUpdate || a.Reason != "properties changed" {
		t.Errorf("log_group = %+v", a)
	}
	if a := diffTestAction(t, actions, "target_group"); a.Op != OpUpdate || a.Reason != "previous apply did not complete" {
		t.Errorf("target_group = %+v", a)
	}
	// Updates do not propagate.
	if ops := diffTestOps(actions); ops["listener_rule"] != OpNoop || ops["task_definition"] != OpNoop || ops["service"] != OpNoop {
		t.Errorf("ops = %v", ops)
	}
}

// A task definition update may register a new revision (a new ARN): the
// service that references it is updated too, never replaced.
func TestDiff_updateOfARNChangingKindUpdatesDependents(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	r := rec["task_definition"]
	r.Hash, r.ReplaceHash = "", "" // e.g. a partial create
	rec["task_definition"] = r
	actions := Diff(g, rec)
	if a := diffTestAction(t, actions, "task_definition"); a.Op != OpUpdate {
		t.Fatalf("task_definition = %+v", a)
	}
	want := "depends on task_definition, which will be updated (its ARN may change)"
	if a := diffTestAction(t, actions, "service"); a.Op != OpUpdate || a.Reason != want {
		t.Errorf("service = %+v, want update: %s", a, want)
	}
	if ops := diffTestOps(actions); ops["listener_rule"] != OpNoop || ops["target_group"] != OpNoop {
		t.Errorf("ops = %v", ops)
	}
	// Even a dependent listing it in ReplaceOn is only updated.
	diffTestChild(t, &g, "service").ReplaceOn = []string{"task_definition"}
	if a := diffTestAction(t, Diff(g, rec), "service"); a.Op != OpUpdate {
		t.Errorf("service with replace_on = %+v, want update", a)
	}
}

func TestDiff_emptyRecordedReplaceHashUpdates(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	r := rec["target_group"]
	r.Hash, r.ReplaceHash = "", "" // partial create
	rec["target_group"] = r
	if a := diffTestAction(t, Diff(g, rec), "target_group"); a.Op != OpUpdate {
		t.Errorf("target_group = %+v, want update", a)
	}
}

func TestDiff_replaceTargetGroupUpdatesRule(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	tg := diffTestChild(t, &g, "target_group")
	tg.Hash, tg.ReplaceHash = "h-tg-2", "r-tg-2"
	actions := Diff(g, rec)
	if a := diffTestAction(t, actions, "target_group"); a.Op != OpReplace || a.Reason != "replace-forcing properties changed" {
		t.Errorf("target_group = %+v", a)
	}
	for _, k := range []string{"listener_rule", "service"} {
		a := diffTestAction(t, actions, k)
		if a.Op != OpUpdate || a.Reason != "depends on target_group, which will be replaced" {
			t.Errorf("%s = %+v", k, a)
		}
	}
	if ops := diffTestOps(actions); ops["task_definition"] != OpNoop || ops["execution_role"] != OpNoop {
		t.Errorf("ops = %v", ops)
	}
}

func TestDiff_replaceExecutionRolePropagates(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	diffTestChild(t, &g, "execution_role").Name = "web-exec-2"
	actions := Diff(g, rec)
	if a := diffTestAction(t, actions, "execution_role"); a.Op != OpReplace || !strings.HasPrefix(a.Reason, "name changed") {
		t.Errorf("execution_role = %+v", a)
	}
	if a := diffTestAction(t, actions, "task_definition"); a.Op != OpReplace || a.Reason != "depends on execution_role, which will be replaced" {
		t.Errorf("task_definition = %+v (ReplaceOn)", a)
	}
	if a := diffTestAction(t, actions, "service"); a.Op != OpUpdate || a.Reason != "depends on task_definition, which will be replaced" {
		t.Errorf("service = %+v (transitive)", a)
	}
	want := map[string]Op{"execution_role": OpReplace, "task_role": OpNoop, "log_group": OpNoop, "target_group": OpNoop,
		"listener_rule": OpNoop, "task_definition": OpReplace, "service": OpUpdate}
	if got := diffTestOps(actions); !reflect.DeepEqual(got, want) {
		t.Errorf("ops = %v, want %v", got, want)
	}
}

func TestDiff_propagationIndependentOfGraphOrder(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	diffTestChild(t, &g, "execution_role").Name = "web-exec-2"
	// Reverse the graph: dependents come before their dependencies.
	rev := Graph{Owner: g.Owner}
	for i := len(g.Children) - 1; i >= 0; i-- {
		rev.Children = append(rev.Children, g.Children[i])
	}
	if a, b := diffTestOps(Diff(g, rec)), diffTestOps(Diff(rev, rec)); !reflect.DeepEqual(a, b) {
		t.Errorf("graph order changed the plan: %v vs %v", a, b)
	}
}

func TestDiff_createdDependencyForcesUpdate(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	delete(rec, "task_role")
	actions := Diff(g, rec)
	if a := diffTestAction(t, actions, "task_definition"); a.Op != OpReplace || a.Reason != "depends on task_role, which will be created" {
		t.Errorf("task_definition = %+v", a)
	}
	if a := diffTestAction(t, actions, "service"); a.Op != OpUpdate {
		t.Errorf("service = %+v", a)
	}
}

func TestDiff_ownChangeAndPropagationCombine(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	diffTestChild(t, &g, "service").Hash = "h-svc-2"
	diffTestChild(t, &g, "target_group").ReplaceHash = "r-tg-2"
	a := diffTestAction(t, Diff(g, rec), "service")
	if a.Op != OpUpdate || a.Reason != "properties changed; depends on target_group, which will be replaced" {
		t.Errorf("service = %+v", a)
	}
}

func TestDiff_kindChangeReplaces(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	r := rec["log_group"]
	r.Kind = KindECRRepository
	rec["log_group"] = r
	if a := diffTestAction(t, Diff(g, rec), "log_group"); a.Op != OpReplace || !strings.HasPrefix(a.Reason, "kind changed") {
		t.Errorf("log_group = %+v", a)
	}
}

func TestDiff_deletesDeposedAndRemoved(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	rec["task_definition#deposed"] = Recorded{Key: "task_definition#deposed", Kind: KindTaskDefinition, Name: "web", ARN: "arn:td:1"}
	rec["execution_role#deposed"] = Recorded{Key: "execution_role#deposed", Kind: KindIAMRole, Name: "web-exec-old"}
	rec["discovery_service"] = Recorded{Key: "discovery_service", Kind: KindDiscoveryService, Name: "web"}
	rec["execution_role_policy"] = Recorded{Key: "execution_role_policy", Kind: KindIAMRolePolicy, Name: "web-exec"}
	rec["repository"] = Recorded{Key: "repository", Kind: KindECRRepository, Name: "web"}
	actions := Diff(g, rec)
	if len(actions) != len(g.Children)+5 {
		t.Fatalf("got %d actions", len(actions))
	}
	var got []string
	for _, a := range actions[len(g.Children):] {
		if a.Op != OpDelete {
			t.Errorf("%+v: want delete", a)
		}
		got = append(got, a.Key)
	}
	// teardown rank, then key
	want := []string{"discovery_service", "task_definition#deposed", "execution_role_policy", "repository", "execution_role#deposed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delete order = %v, want %v", got, want)
	}
	if a := diffTestAction(t, actions, "task_definition#deposed"); a.Reason != "deposed by an earlier replacement" || a.Kind != KindTaskDefinition {
		t.Errorf("deposed = %+v", a)
	}
	if a := diffTestAction(t, actions, "repository"); a.Reason != "no longer in the configuration" {
		t.Errorf("repository = %+v", a)
	}
	if s := Summarize(actions); s[OpDelete] != 5 || s[OpNoop] != len(g.Children) {
		t.Errorf("Summarize = %v", s)
	}
}

func TestDiff_deterministic(t *testing.T) {
	g := diffTestGraph()
	rec := diffTestRecorded(g)
	diffTestChild(t, &g, "execution_role").Name = "web-exec-2"
	diffTestChild(t, &g, "target_group").ReplaceHash = "r-tg-2"
	for i := range 5 {
		rec["old_"+string(rune('a'+i))] = Recorded{Kind: KindLogGroup}
		rec["x#deposed"+string(rune('2'+i))] = Recorded{Kind: KindTaskDefinition}
	}
	first := Diff(g, rec)
	for range 50 {
		if again := Diff(g, rec); !reflect.DeepEqual(first, again) {
			t.Fatalf("Diff not deterministic:\n%v\n%v", first, again)
		}
	}
}

func TestDiff_deposedKey(t *testing.T) {
	taken := map[string]bool{}
	isTaken := func(k string) bool { return taken[k] }
	for _, want := range []string{"service#deposed", "service#deposed2", "service#deposed3"} {
		got := DeposedKey("service", isTaken)
		if got != want {
			t.Fatalf("DeposedKey = %q, want %q", got, want)
		}
		if !IsDeposed(got) {
			t.Errorf("IsDeposed(%q) = false", got)
		}
		taken[got] = true
	}
	if IsDeposed("service") {
		t.Error("IsDeposed(service) = true")
	}
}
