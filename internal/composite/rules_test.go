package composite

import (
	"maps"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// ruleProps stands in for a kind's props in the rule tests: the rules only
// look at references, hashes and (through the fingerprint func) props.
type ruleProps struct {
	Setting string
	Role    string `json:",omitempty"`
	Log     string `json:",omitempty"`
	Def     string `json:",omitempty"`
}

func ruleChild(key string, kind Kind, name string, p ruleProps) Child {
	return Child{Key: key, Kind: kind, Name: name, Props: &p, Hash: HashJSON(p), ReplaceHash: HashJSON(key + "|" + name)}
}

// ruleGraph: a task definition that reads the execution role's ARN and the
// log group's name, a service running the task definition, a target group,
// and an inline policy whose kind has no fingerprint in these tests.
func ruleGraph() Graph {
	return Graph{Owner: "platform/web", Children: []Child{
		ruleChild("execution_role", KindIAMRole, "web-exec", ruleProps{Setting: "trust"}),
		ruleChild("execution_role_policy", KindIAMRolePolicy, "containerapp-execution", ruleProps{Setting: "policy", Role: RefString("execution_role", AttrName)}),
		ruleChild("log_group", KindLogGroup, "/ecs/web", ruleProps{Setting: "7"}),
		ruleChild("task_definition", KindTaskDefinition, "web", ruleProps{Setting: "image:1",
			Role: RefString("execution_role", AttrARN), Log: RefString("log_group", AttrName)}),
		ruleChild("target_group", KindTargetGroup, "web-tg", ruleProps{Setting: "80"}),
		ruleChild("service", KindECSService, "web", ruleProps{Setting: "2", Def: RefString("task_definition", AttrARN)}),
	}}
}

func ruleGraphChild(t *testing.T, g *Graph, key string) *Child {
	t.Helper()
	for i := range g.Children {
		if g.Children[i].Key == key {
			return &g.Children[i]
		}
	}
	t.Fatalf("no child %q", key)
	return nil
}

// ruleFingerprint is the tests' Fingerprint: it sees resolved props only.
func ruleFingerprint(c Child) (string, bool) {
	if c.Kind == KindIAMRolePolicy {
		return "", false
	}
	p := c.Props.(*ruleProps)
	if strings.Contains(p.Role+p.Log+p.Def, "${") {
		panic("fingerprint of unresolved props")
	}
	return "fp:" + p.Setting + "|" + p.Role + "|" + p.Log + "|" + p.Def, true
}

// ruleRecorded records every child of g as applied and in sync: Hash,
// ReplaceHash and the fingerprint of its resolved props.
func ruleRecorded(t *testing.T, g Graph) map[string]Recorded {
	t.Helper()
	rec := map[string]Recorded{}
	outputs := map[string]map[string]string{}
	for _, c := range g.Children {
		outs := map[string]string{AttrARN: "arn:" + c.Key, AttrName: c.Name}
		outputs[c.Key] = outs
		rec[c.Key] = Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn:" + c.Key, Outputs: outs, Hash: c.Hash, ReplaceHash: c.ReplaceHash}
	}
	for _, c := range g.Children {
		props, err := Resolve(c.Props, outputs)
		if err != nil {
			t.Fatal(err)
		}
		c.Props = props
		r := rec[c.Key]
		r.Observed, _ = ruleFingerprint(c)
		rec[c.Key] = r
	}
	return rec
}

func setRec(m map[string]Recorded, key string, f func(r *Recorded)) {
	r := m[key]
	f(&r)
	m[key] = r
}

func TestPlanKnown(t *testing.T) {
	all := []string{"execution_role", "execution_role_policy", "log_group", "task_definition", "target_group", "service"}
	cases := []struct {
		name    string
		graph   func(g *Graph)
		rec     func(m map[string]Recorded)
		unknown []string // every other key of the graph is known
	}{
		{name: "noop"},
		{
			name: "update in place keeps the ARN",
			rec:  func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.Hash = "old" }) },
		},
		{
			name: "updated log group: the task definition is untouched",
			rec:  func(m map[string]Recorded) { setRec(m, "log_group", func(r *Recorded) { r.Hash = "old" }) },
		},
		{
			name:    "replace",
			rec:     func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.ReplaceHash = "old" }) },
			unknown: []string{"target_group"},
		},
		{
			name: "kind changed: replaced",
			rec: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Kind = KindListenerRule })
			},
			unknown: []string{"target_group"},
		},
		{
			name:    "create",
			rec:     func(m map[string]Recorded) { delete(m, "target_group") },
			unknown: []string{"target_group"},
		},
		{
			name:    "create everything",
			rec:     func(m map[string]Recorded) { clear(m) },
			unknown: all,
		},
		{
			name: "delete: the removed child is not in the result",
			rec: func(m map[string]Recorded) {
				m["listener_rule"] = Recorded{Key: "listener_rule", Kind: KindListenerRule, Name: "r", ARN: "arn:rule", Hash: "h"}
				m["task_definition#deposed"] = Recorded{Key: "task_definition#deposed", Kind: KindTaskDefinition, Name: "web", ARN: "arn:td:1", Hash: "h"}
			},
		},
		{
			name:    "drifted record (empty hash) shows as touched",
			rec:     func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.Hash = "" }) },
			unknown: []string{"target_group"},
		},
		{
			name:    "drifted ECS service shows as touched",
			rec:     func(m map[string]Recorded) { setRec(m, "service", func(r *Recorded) { r.Hash = "" }) },
			unknown: []string{"service"},
		},
		{
			name:    "drifted task definition: a new revision",
			rec:     func(m map[string]Recorded) { setRec(m, "task_definition", func(r *Recorded) { r.Hash = "" }) },
			unknown: []string{"task_definition"},
		},
		{
			name:    "task definition's own properties changed: a new revision, the service keeps its ARN",
			rec:     func(m map[string]Recorded) { setRec(m, "task_definition", func(r *Recorded) { r.Hash = "old" }) },
			unknown: []string{"task_definition"},
		},
		{
			name:    "task definition updated only because the log group is re-created under the same name",
			rec:     func(m map[string]Recorded) { delete(m, "log_group") },
			unknown: []string{"log_group"},
		},
		{
			name:    "task definition updated only because the log group is replaced under the same name",
			rec:     func(m map[string]Recorded) { setRec(m, "log_group", func(r *Recorded) { r.ReplaceHash = "old" }) },
			unknown: []string{"log_group"},
		},
		{
			name:    "log group replaced under another name: a new revision",
			rec:     func(m map[string]Recorded) { setRec(m, "log_group", func(r *Recorded) { r.Name = "/ecs/old" }) },
			unknown: []string{"log_group", "task_definition"},
		},
		{
			name:    "execution role replaced: the task definition reads its ARN",
			rec:     func(m map[string]Recorded) { setRec(m, "execution_role", func(r *Recorded) { r.ReplaceHash = "old" }) },
			unknown: []string{"execution_role", "task_definition"},
		},
		{
			name:    "execution role re-created: the policy reads only its name, the task definition its ARN",
			rec:     func(m map[string]Recorded) { delete(m, "execution_role") },
			unknown: []string{"execution_role", "task_definition"},
		},
		{
			name: "reference to an updated kind whose ARN changes",
			graph: func(g *Graph) {
				g.Children = append(g.Children, ruleChild("sidecar_definition", KindTaskDefinition, "web-sidecar",
					ruleProps{Setting: "x", Def: RefString("task_definition", AttrARN)}))
			},
			rec:     func(m map[string]Recorded) { setRec(m, "task_definition", func(r *Recorded) { r.Hash = "old" }) },
			unknown: []string{"task_definition", "sidecar_definition"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := ruleGraph()
			rec := ruleRecorded(t, g)
			if tc.graph != nil {
				tc.graph(&g)
				for _, c := range g.Children {
					if _, ok := rec[c.Key]; !ok {
						rec[c.Key] = Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn:" + c.Key, Hash: c.Hash, ReplaceHash: c.ReplaceHash}
					}
				}
			}
			if tc.rec != nil {
				tc.rec(rec)
			}
			want := map[string]bool{}
			for _, c := range g.Children {
				want[c.Key] = true
			}
			for _, k := range tc.unknown {
				if _, ok := want[k]; !ok {
					t.Fatalf("unknown key %q not in the graph", k)
				}
				want[k] = false
			}
			actions := Diff(g, rec)
			got := PlanKnown(g, rec, actions)
			if !maps.Equal(got, want) {
				var diffs []string
				for _, a := range actions {
					if got[a.Key] != want[a.Key] {
						diffs = append(diffs, a.Key+" ("+string(a.Op)+": "+a.Reason+")")
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						diffs = append(diffs, k+" (not in the graph)")
					}
				}
				sort.Strings(diffs)
				t.Errorf("known differs for %s\ngot  %v\nwant %v", strings.Join(diffs, ", "), got, want)
			}
		})
	}
}

// TestPlanKnown_followsActions: PlanKnown trusts the actions it is given.
func TestPlanKnown_followsActions(t *testing.T) {
	g := ruleGraph()
	rec := ruleRecorded(t, g)
	actions := Diff(g, rec)
	for i := range actions {
		if actions[i].Key == "target_group" {
			actions[i].Op = OpReplace
		}
	}
	if got := PlanKnown(g, rec, actions); got["target_group"] || !got["service"] {
		t.Errorf("got %v", got)
	}
	if got := PlanKnown(g, rec, nil); len(got) != len(g.Children) || got["service"] {
		t.Errorf("no actions: got %v, want every child unknown", got)
	}
}

func TestApplyDriftRule(t *testing.T) {
	g0 := ruleGraph()
	h := ruleGraphChild(t, &g0, "target_group").Hash
	rh := ruleGraphChild(t, &g0, "target_group").ReplaceHash
	const live, live2 = "fp:8080|||", "fp:8081|||"

	type want struct{ Hash, ReplaceHash, DriftedHash string }
	cases := []struct {
		name      string
		key       string // the record checked against want; every other one must come back as refreshed
		graph     func(g *Graph)
		before    func(m map[string]Recorded)
		refreshed func(m map[string]Recorded)
		want      want
	}{
		{
			name: "in sync",
			key:  "target_group",
			want: want{h, rh, ""},
		},
		{
			name: "in sync: a stale drifted hash is dropped",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.DriftedHash = "stale" })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.DriftedHash = "stale" })
			},
			want: want{h, rh, ""},
		},
		{
			name:      "drifted: hash cleared and kept as the drifted hash",
			key:       "target_group",
			refreshed: func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.Observed = live }) },
			want:      want{"", rh, h},
		},
		{
			name: "drifted twice: the drifted hash is carried from the earlier Read",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, live })
			},
			refreshed: func(m map[string]Recorded) {
				// Whether the refresh carries DriftedHash or not, before's counts.
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", "", live2 })
			},
			want: want{"", rh, h},
		},
		{
			name: "matched again: hash restored",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, live })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash = "", h })
			},
			want: want{h, rh, ""},
		},
		{
			name: "matched again with an unknown replace hash: both restored",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.ReplaceHash, r.DriftedHash, r.Observed = "", "", h, live })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.ReplaceHash, r.DriftedHash = "", "", h })
			},
			want: want{h, rh, ""},
		},
		{
			name: "matched again but the inputs changed: not restored",
			key:  "target_group",
			graph: func(g *Graph) {
				*ruleGraphChild(t, g, "target_group") = ruleChild("target_group", KindTargetGroup, "web-tg", ruleProps{Setting: "8080"})
			},
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, live })
			},
			refreshed: func(m map[string]Recorded) {
				// Changed by hand to what the new inputs ask for.
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, live })
			},
			want: want{"", rh, ""},
		},
		{
			name: "matched again but the recorded replace hash differs: not restored",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.ReplaceHash, r.DriftedHash, r.Observed = "", "old", h, live })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.ReplaceHash, r.DriftedHash = "", "old", h })
			},
			want: want{"", "old", ""},
		},
		{
			name: "empty hash from a failed apply: not restored",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.Observed = "", "" })
			},
			refreshed: func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.Hash = "" }) },
			want:      want{"", rh, ""},
		},
		{
			name: "failed apply after a drift: the old drifted hash no longer counts",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, "" })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash = "", h })
			},
			want: want{"", rh, ""},
		},
		{
			name: "failed apply after a drift, still different: no drifted hash",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, "" })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.DriftedHash, r.Observed = "", h, live })
			},
			want: want{"", rh, ""},
		},
		{
			name: "import that found a difference: not restored",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash = "" })
			},
			refreshed: func(m map[string]Recorded) { setRec(m, "target_group", func(r *Recorded) { r.Hash = "" }) },
			want:      want{"", rh, ""},
		},
		{
			name: "drifted after a successful apply: the new hash is kept",
			key:  "target_group",
			before: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.DriftedHash = "stale" })
			},
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.DriftedHash, r.Observed = "stale", live })
			},
			want: want{"", rh, h},
		},
		{
			name: "no live fingerprint: untouched",
			key:  "target_group",
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Hash, r.Observed, r.DriftedHash = "", "", h })
			},
			want: want{"", rh, h},
		},
		{
			name: "kind without a fingerprint: untouched",
			key:  "execution_role_policy",
			refreshed: func(m map[string]Recorded) {
				setRec(m, "execution_role_policy", func(r *Recorded) { r.Observed = "fp:changed" })
			},
			want: want{ruleGraphChild(t, &g0, "execution_role_policy").Hash, ruleGraphChild(t, &g0, "execution_role_policy").ReplaceHash, ""},
		},
		{
			name: "another name than the graph's: untouched (Diff replaces it)",
			key:  "target_group",
			refreshed: func(m map[string]Recorded) {
				setRec(m, "target_group", func(r *Recorded) { r.Name, r.Observed = "web-tg-old", live })
			},
			want: want{h, rh, ""},
		},
		{
			name: "child not in the graph: untouched",
			key:  "target_group#deposed",
			refreshed: func(m map[string]Recorded) {
				m["target_group#deposed"] = Recorded{Key: "target_group#deposed", Kind: KindTargetGroup, Name: "web-tg", Hash: "h0", Observed: live, DriftedHash: "d"}
			},
			want: want{"h0", "", "d"},
		},
		{
			name: "reference that does not resolve: untouched",
			key:  "task_definition",
			refreshed: func(m map[string]Recorded) {
				setRec(m, "execution_role", func(r *Recorded) { r.Outputs = map[string]string{AttrName: "web-exec"} })
				setRec(m, "task_definition", func(r *Recorded) { r.Observed = "fp:other" })
			},
			want: want{ruleGraphChild(t, &g0, "task_definition").Hash, ruleGraphChild(t, &g0, "task_definition").ReplaceHash, ""},
		},
		{
			name: "desired props resolved against the refreshed outputs",
			key:  "task_definition",
			refreshed: func(m map[string]Recorded) {
				// The role was re-created out of band: a new ARN the task
				// definition does not use.
				setRec(m, "execution_role", func(r *Recorded) { r.Outputs = map[string]string{AttrARN: "arn:new-role", AttrName: "web-exec"} })
			},
			want: want{"", ruleGraphChild(t, &g0, "task_definition").ReplaceHash, ruleGraphChild(t, &g0, "task_definition").Hash},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := ruleGraph()
			before := ruleRecorded(t, g)
			if tc.graph != nil {
				tc.graph(&g)
			}
			if tc.before != nil {
				tc.before(before)
			}
			// A refresh keeps Hash, ReplaceHash and DriftedHash and sets
			// Observed from the live object: as last applied, unless the case
			// says otherwise.
			live := ruleRecorded(t, ruleGraph())
			refreshed := maps.Clone(before)
			for k, r := range refreshed {
				r.Observed = live[k].Observed
				refreshed[k] = r
			}
			if tc.refreshed != nil {
				tc.refreshed(refreshed)
			}
			beforeCopy, refreshedCopy := deepCopyRecords(before), deepCopyRecords(refreshed)

			got := ApplyDriftRule(g, ruleFingerprint, before, refreshed)

			if !reflect.DeepEqual(before, beforeCopy) || !reflect.DeepEqual(refreshed, refreshedCopy) {
				t.Fatal("ApplyDriftRule modified its arguments")
			}
			if len(got) != len(refreshed) {
				t.Fatalf("got %d records, want %d", len(got), len(refreshed))
			}
			r, ok := got[tc.key]
			if !ok {
				t.Fatalf("no record %q", tc.key)
			}
			if g := (want{r.Hash, r.ReplaceHash, r.DriftedHash}); g != tc.want {
				t.Errorf("%s: got {Hash %q ReplaceHash %q DriftedHash %q}, want {%q %q %q}",
					tc.key, g.Hash, g.ReplaceHash, g.DriftedHash, tc.want.Hash, tc.want.ReplaceHash, tc.want.DriftedHash)
			}
			// Only Hash, ReplaceHash and DriftedHash may change, and only
			// for the key under test.
			r.Hash, r.ReplaceHash, r.DriftedHash = refreshed[tc.key].Hash, refreshed[tc.key].ReplaceHash, refreshed[tc.key].DriftedHash
			if !reflect.DeepEqual(r, refreshed[tc.key]) {
				t.Errorf("%s: other fields changed: %+v", tc.key, r)
			}
			for k, rr := range got {
				if k != tc.key && !reflect.DeepEqual(rr, refreshed[k]) {
					t.Errorf("%s changed: %+v, refreshed %+v", k, rr, refreshed[k])
				}
			}
		})
	}
}

// TestApplyDriftRule_sequence runs the rule over successive Reads: drift,
// still drifted, changed back (hash restored, plan empty again).
func TestApplyDriftRule_sequence(t *testing.T) {
	g := ruleGraph()
	state := ruleRecorded(t, g)
	c := ruleGraphChild(t, &g, "log_group")
	desired := state["log_group"].Observed
	read := func(observed string) {
		t.Helper()
		refreshed := maps.Clone(state)
		setRec(refreshed, "log_group", func(r *Recorded) { r.Observed = observed })
		state = ApplyDriftRule(g, ruleFingerprint, state, refreshed)
	}
	check := func(step string, op Op, drifted string) {
		t.Helper()
		r := state["log_group"]
		if r.DriftedHash != drifted {
			t.Errorf("%s: DriftedHash %q, want %q", step, r.DriftedHash, drifted)
		}
		for _, a := range Diff(g, state) {
			if a.Key == "log_group" && a.Op != op {
				t.Errorf("%s: log_group planned %s, want %s", step, a.Op, op)
			}
			if a.Key != "log_group" && a.Changes() {
				t.Errorf("%s: %s planned %s (%s)", step, a.Key, a.Op, a.Reason)
			}
		}
		if known := PlanKnown(g, state, Diff(g, state)); known["log_group"] != (op == OpNoop) {
			t.Errorf("%s: log_group known = %v", step, known["log_group"])
		}
	}
	read(desired)
	check("in sync", OpNoop, "")
	read("fp:30|||")
	check("drifted", OpUpdate, c.Hash)
	read("fp:90|||")
	check("drifted twice", OpUpdate, c.Hash)
	read(desired)
	check("changed back", OpNoop, "")
}

func deepCopyRecords(m map[string]Recorded) map[string]Recorded {
	out := make(map[string]Recorded, len(m))
	for k, r := range m {
		r.Outputs = maps.Clone(r.Outputs)
		out[k] = r
	}
	return out
}
