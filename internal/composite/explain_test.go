package composite

import (
	"slices"
	"strings"
	"testing"
)

// explainCase expands before and after, records before as applied (edit
// may change the records, as a refresh would) and explains the plan from
// before to after.
func explainCase(t *testing.T, before, after ServiceSpec, edit func(map[string]Recorded, Graph) map[string]Recorded) ([]ChildChange, string) {
	t.Helper()
	pg := mustExpand(t, before)
	g := mustExpand(t, after)
	rec := diffTestRecorded(pg)
	if edit != nil {
		rec = edit(rec, g)
	}
	ch := ExplainPlan(&pg, g, rec, Diff(g, rec))
	return ch, PlanExplanationSummary(`containerapp_service "web"`, ch, len(g.Children)) + "\n" + RenderPlanExplanation(ch)
}

func withWeb(s ServiceSpec, fn func(*ContainerSpec)) ServiceSpec {
	c := s.Containers["web"]
	fn(&c)
	s.Containers["web"] = c
	return s
}

func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	if g := strings.Join(want, "\n"); got != g {
		t.Errorf("explanation:\n%s\nwant:\n%s", got, g)
	}
}

func TestExplainPlan_emptyPlan(t *testing.T) {
	ch, _ := explainCase(t, goldenFullSpec(), goldenFullSpec(), nil)
	if len(ch) != 0 || RenderPlanExplanation(ch) != "" {
		t.Fatalf("an empty plan explains nothing, got %+v", ch)
	}
}

func TestExplainPlan_imageChange(t *testing.T) {
	after := withWeb(goldenFullSpec(), func(c *ContainerSpec) { c.ImageTag = "v4" })
	_, text := explainCase(t, goldenFullSpec(), after, nil)
	wantLines(t, text,
		`containerapp_service "web": 2 of 11 children change (1 to update, 1 new revision)`,
		`  -/+ task_definition (aws_ecs_task_definition platform_web): new revision: changed: containers[web].image`,
		`  ~   service (aws_ecs_service web): update in place: depends on task_definition, which gets a new revision`)
}

func TestExplainPlan_portChange(t *testing.T) {
	after := withWeb(goldenFullSpec(), func(c *ContainerSpec) { c.Port = Ptr[int64](9090) })
	ch, text := explainCase(t, goldenFullSpec(), after, nil)
	if !strings.Contains(text, "  -/+ target_group (aws_lb_target_group web-") ||
		!strings.Contains(text, "): replace: cannot change in place: port\n      ! drops traffic") {
		t.Errorf("the target group's replacement names the port and is marked disruptive:\n%s", text)
	}
	for _, want := range []string{
		"  ~   listener_rule (aws_lb_listener_rule web-rule-b7e8a513): update in place: depends on target_group, which will be replaced",
		"  -/+ task_definition (aws_ecs_task_definition platform_web): new revision: changed: containers[web].port",
		"  ~   service (aws_ecs_service web): update in place: changed: load_balancers[0].container_port, service_registries[0].container_port; " +
			"depends on target_group, which will be replaced; depends on task_definition, which gets a new revision",
	} {
		if !strings.Contains(text, want+"\n") && !strings.HasSuffix(text, want) {
			t.Errorf("missing line %q in:\n%s", want, text)
		}
	}
	if !strings.HasSuffix(strings.SplitN(text, "\n", 2)[0], "(2 to update, 1 to replace, 1 new revision), 1 disruptive") {
		t.Errorf("summary: %s", strings.SplitN(text, "\n", 2)[0])
	}
	for _, c := range ch {
		if c.Op == OpUpdate && c.Disruptive != "" {
			t.Errorf("an update in place is not disruptive: %+v", c)
		}
	}
}

// A listener rule changed out of band: the refresh observes it, the drift
// rule clears its hash and names the fields, and the plan says so without
// any input having changed.
func TestExplainPlan_listenerRuleDrift(t *testing.T) {
	_, text := explainCase(t, goldenFullSpec(), goldenFullSpec(), func(rec map[string]Recorded, g Graph) map[string]Recorded {
		refreshed := map[string]Recorded{}
		for k, r := range rec {
			// In sync: the live fingerprint is the desired one (children
			// whose references these records cannot resolve stay without).
			c := *diffTestChild(t, &g, k)
			if props, err := Resolve(c.Props, outputsOf(rec)); err == nil {
				r.Observed, _ = Fingerprint(c.Kind, props)
			}
			refreshed[k] = r
		}
		before := refreshed
		r := refreshed[KeyListenerRule]
		live := *mustResolve(t, *diffTestChild(t, &g, KeyListenerRule), rec).(*ListenerRuleProps)
		live.PathPatterns = []string{"/api/*", "/admin/*"}
		r.ObservedProps = &live
		r.Observed, _ = Fingerprint(KindListenerRule, &live)
		refreshed = map[string]Recorded{}
		for k, v := range before {
			refreshed[k] = v
		}
		refreshed[KeyListenerRule] = r
		return ApplyDriftRule(g, func(c Child) (string, bool) { return Fingerprint(c.Kind, c.Props) }, before, refreshed)
	})
	wantLines(t, text,
		`containerapp_service "web": 1 of 11 children change (1 to update)`,
		`  ~   listener_rule (aws_lb_listener_rule web-rule-b7e8a513): update in place: changed outside Terraform: path_patterns; the apply puts it back`)
}

func outputsOf(rec map[string]Recorded) map[string]map[string]string {
	outs := map[string]map[string]string{}
	for k, r := range rec {
		outs[k] = r.Outputs
	}
	return outs
}

func mustResolve(t *testing.T, c Child, rec map[string]Recorded) any {
	t.Helper()
	p, err := Resolve(c.Props, outputsOf(rec))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExplainPlan_deleteAndCreate(t *testing.T) {
	after := goldenFullSpec()
	after.LoadBalancer = nil
	ch, text := explainCase(t, goldenFullSpec(), after, nil)
	var deleted []string
	for _, c := range ch {
		if c.Op == OpDelete {
			deleted = append(deleted, string(c.Kind))
			if c.Reason != "no longer in the configuration" {
				t.Errorf("delete reason %q", c.Reason)
			}
		}
	}
	if !slices.Contains(deleted, string(KindTargetGroup)) || !slices.Contains(deleted, string(KindListenerRule)) {
		t.Errorf("deletes %v:\n%s", deleted, text)
	}
	if !strings.Contains(text, "(no longer in the configuration)") && !strings.Contains(text, "delete: no longer in the configuration\n      ! drops traffic") {
		t.Errorf("the target group's deletion is marked disruptive:\n%s", text)
	}

	// A child created where the composite exists: new in the configuration.
	ch, _ = explainCase(t, after, goldenFullSpec(), nil)
	for _, c := range ch {
		if c.Kind == KindTargetGroup && (c.Op != OpCreate || c.Reason != "new in the configuration") {
			t.Errorf("target group: %+v", c)
		}
	}
	// A recorded child missing in AWS (the refresh dropped its record).
	ch, _ = explainCase(t, goldenFullSpec(), goldenFullSpec(), func(rec map[string]Recorded, _ Graph) map[string]Recorded {
		delete(rec, KeyLogGroup)
		return rec
	})
	if len(ch) == 0 || ch[0].Key != KeyLogGroup || ch[0].Op != OpCreate ||
		ch[0].Reason != "missing in AWS (deleted outside Terraform, or an earlier apply did not create it)" {
		t.Errorf("missing log group: %+v", ch)
	}
	// A record without an ARN: a create that did not finish.
	ch, _ = explainCase(t, goldenFullSpec(), goldenFullSpec(), func(rec map[string]Recorded, _ Graph) map[string]Recorded {
		r := rec[KeyLogGroup]
		r.ARN, r.Hash = "", ""
		rec[KeyLogGroup] = r
		return rec
	})
	if len(ch) == 0 || ch[0].Key != KeyLogGroup || ch[0].Reason == "" {
		t.Errorf("unfinished log group: %+v", ch)
	}
}

func TestChangedFields(t *testing.T) {
	type env struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type c struct {
		Image string            `json:"image"`
		Env   []env             `json:"environment"`
		Ports []int             `json:"ports"`
		Tags  map[string]string `json:"tags"`
	}
	a := c{Image: "a", Env: []env{{"A", "secret-1"}, {"B", "x"}}, Ports: []int{1, 2}, Tags: map[string]string{"t": "1"}}
	b := c{Image: "b", Env: []env{{"B", "x"}, {"A", "secret-2"}, {"C", "y"}}, Ports: []int{1, 2, 3}, Tags: map[string]string{"t": "1", "u": "2"}}
	got := ChangedFields(a, b)
	want := []string{"environment[A].value", "environment[C]", "image", "ports", "tags.u"}
	if !slices.Equal(got, want) {
		t.Fatalf("ChangedFields = %v, want %v", got, want)
	}
	for _, f := range got {
		if strings.Contains(f, "secret") {
			t.Fatalf("a field path carries a value: %q", f)
		}
	}
	if f := ChangedFields(a, a); len(f) != 0 {
		t.Fatalf("equal props: %v", f)
	}
	if got := joinFields([]string{"a", "b", "c", "d", "e", "f"}); got != "a, b, c, d and 2 more" {
		t.Fatalf("joinFields = %q", got)
	}
}
