package composite

import "testing"

// AdoptMatching gives a discovered child the expansion's hashes only when
// its observation matches: the fingerprint, and for a full observation the
// settings that cost extra calls too.
func TestAdoptMatching(t *testing.T) {
	g := Graph{Children: []Child{
		{Key: "repository", Kind: KindECRRepository, Name: "r", Hash: "h1", ReplaceHash: "r1",
			Props: &RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, LifecyclePolicy: `{"rules":[]}`, Tags: map[string]string{"a": "1"}}},
		{Key: "rule", Kind: KindListenerRule, Name: "", Hash: "h2", ReplaceHash: "r2",
			Props: &ListenerRuleProps{ListenerARN: "l", PathPatterns: []string{"/*"}, TargetGroupARN: "tg", PriorityHint: 7}},
	}}
	observe := func(lifecycle string, priority int32) (map[string]Recorded, map[string]Observed) {
		recs := map[string]Recorded{
			"repository": {Key: "repository", Kind: KindECRRepository, Name: "r"},
			"rule":       {Key: "rule", Kind: KindListenerRule},
		}
		obs := map[string]Observed{
			"repository": {Full: true, Props: &RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, LifecyclePolicy: lifecycle,
				Tags: map[string]string{"a": "1", "aws:x": "y"}}},
			"rule": {Full: true, Props: &ListenerRuleProps{ListenerARN: "l", PathPatterns: []string{"/*"}, TargetGroupARN: "tg", Priority: priority}},
		}
		return recs, obs
	}
	recs, obs := observe(` { "rules" : [ ] } `, 123)
	AdoptMatching(g, recs, obs)
	if r := recs["repository"]; r.Hash != "h1" || r.ReplaceHash != "r1" || r.Observed == "" || r.ForceDelete {
		t.Errorf("matching repository = %+v", r)
	}
	// The expansion allocates the rule's priority: the live one is not
	// compared, and the record learns it was allocated.
	if r := recs["rule"]; r.Hash != "h2" || r.PriorityExplicit == nil || *r.PriorityExplicit {
		t.Errorf("matching rule = %+v", r)
	}

	recs, obs = observe(`{"rules":[{"rulePriority":1}]}`, 1)
	AdoptMatching(g, recs, obs)
	if r := recs["repository"]; r.Hash != "" {
		t.Errorf("a different lifecycle policy must not be adopted: %+v", r)
	}
}
