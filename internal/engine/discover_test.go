package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// TestDiscover runs a plan in waves: the anchor first by name, then the
// children its observed props reference, then one found by name only after
// the second wave. It stops when the plan asks nothing new, and the records
// it returns have no hashes and the fingerprint of their observation.
func TestDiscover(t *testing.T) {
	f := newFakeCloud()
	g := serviceGraph(svcOpts{})
	rec := createAll(t, f, g, Options{})
	var waves [][]string
	plan := func(obs map[string]composite.Observed) []composite.Lookup {
		var wave []string
		var qs []composite.Lookup
		add := func(q composite.Lookup) { qs = append(qs, q); wave = append(wave, q.Key) }
		add(composite.Lookup{Key: "service", Kind: composite.KindECSService, Name: rec["service"].Name})
		if s, ok := obs["service"]; ok {
			p := s.Props.(*composite.ServiceProps)
			add(composite.Lookup{Key: "task_definition", Kind: composite.KindTaskDefinition, ID: p.TaskDefinition})
		}
		if td, ok := obs["task_definition"]; ok {
			p := td.Props.(*composite.TaskDefinitionProps)
			add(composite.Lookup{Key: "execution_role", Kind: composite.KindIAMRole, ID: p.ExecutionRoleARN})
			add(composite.Lookup{Key: "log_group", Kind: composite.KindLogGroup, Name: "/ecs/web"})
			add(composite.Lookup{Key: "missing", Kind: composite.KindLogGroup, Name: "/ecs/none"})
		}
		waves = append(waves, wave)
		return qs
	}
	recs, obs, err := Discover(context.Background(), f.registry(), plan, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(waves) != 4 { // 3 waves with new keys, one that adds nothing
		t.Errorf("waves = %v", waves)
	}
	for _, k := range []string{"service", "task_definition", "execution_role", "log_group"} {
		r, ok := recs[k]
		if !ok || r.ARN != rec[k].ARN || r.Key != k || r.Hash != "" || obs[k].Props == nil {
			t.Errorf("%s discovered as %+v (found %v)", k, r, ok)
		}
		if want, ok := composite.Fingerprint(r.Kind, obs[k].Props); ok && r.Observed != want {
			t.Errorf("%s fingerprint %q, want %q", k, r.Observed, want)
		}
	}
	if _, ok := recs["missing"]; ok || len(recs) != 4 {
		t.Errorf("discovered %v", keysOf(recs))
	}

	// A lookup of an owned child that finds another key's object fails,
	// naming the child; nothing else is lost.
	_, _, err = Discover(context.Background(), f.registry(), func(map[string]composite.Observed) []composite.Lookup {
		return []composite.Lookup{{Key: "task_role", Kind: composite.KindIAMRole, ID: rec["execution_role"].ARN, OwnedOnly: true}}
	}, Options{})
	if err == nil || !strings.Contains(err.Error(), `finding aws_iam_role (child "task_role")`) {
		t.Errorf("foreign object: %v", err)
	}
}
