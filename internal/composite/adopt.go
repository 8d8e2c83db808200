package composite

// AdoptMatching finishes the records an import (or a rediscovery) found:
// each discovered child whose live configuration is what the rebuilt
// configuration expands to (equal fingerprints) gets that child's hashes,
// so the configuration the import writes plans empty. A child that differs
// in a way the configuration cannot express keeps an empty hash, and the
// next apply converges it. The kind's typed facts are taken from the
// expansion (for a listener rule, whether its priority is the configured
// one is a property of the rebuilt configuration, not of AWS).
func AdoptMatching(g Graph, recs map[string]Recorded, obs map[string]Observed) {
	outputs := make(map[string]map[string]string, len(recs))
	for k, r := range recs {
		outputs[k] = r.Outputs
	}
	for _, c := range g.Children {
		rec, ok := recs[c.Key]
		if !ok || rec.Kind != c.Kind || rec.Name != c.Name {
			continue
		}
		resolved, err := Resolve(c.Props, outputs)
		if err != nil {
			continue
		}
		RecordFacts(c.Kind, resolved, &rec)
		o := obs[c.Key]
		view := ObservedView(c.Kind, o.Props, rec)
		have, okHave := Fingerprint(c.Kind, view)
		want, okWant := Fingerprint(c.Kind, resolved)
		rec.Observed = have
		if okHave && okWant && have == want && (!o.Full || FullView(c.Kind, view) == FullView(c.Kind, resolved)) {
			rec.Hash, rec.ReplaceHash = c.Hash, c.ReplaceHash
		}
		recs[c.Key] = rec
	}
}

// FullView is the canonical JSON of the settings of a kind that only a full
// observation reads (they cost extra calls, so the drift fingerprint leaves
// them out): the tags of the kinds whose describe call omits them, an ECR
// lifecycle policy, a target group's deregistration delay. An import
// compares them too before it adopts a child's hash, so a difference there
// is converged by the first apply instead of hidden. "" for other kinds.
func FullView(k Kind, props any) string {
	switch p := props.(type) {
	case *RepositoryProps:
		return driftCanonicalJSON(struct {
			Lifecycle string            `json:"lifecycle"`
			Tags      map[string]string `json:"tags"`
		}{driftCanonicalPolicy(p.LifecyclePolicy), driftUserTags(p.Tags)})
	case *TargetGroupProps:
		return driftCanonicalJSON(struct {
			Delay int32             `json:"deregistration_delay"`
			Tags  map[string]string `json:"tags"`
		}{p.DeregistrationDelay, driftUserTags(p.Tags)})
	case *ListenerRuleProps:
		return driftCanonicalJSON(driftUserTags(p.Tags))
	case *DiscoveryServiceProps:
		return driftCanonicalJSON(driftUserTags(p.Tags))
	case *LogGroupProps:
		return driftCanonicalJSON(driftUserTags(p.Tags))
	}
	return ""
}

// ObservedView returns the observed props of a child as its record says
// they compare with the desired ones: a listener rule's allocated priority
// (PriorityExplicit false) is whatever AWS holds and is not compared; when
// the record does not know (nil) the rule has no view (nil).
func ObservedView(k Kind, props any, rec Recorded) any {
	if sp, ok := props.(*ServiceProps); ok && k == KindECSService && sp != nil {
		cp := *sp
		if rec.Autoscaled && sp.Scaling == nil {
			// The scaler's count: not compared (driftECSService).
			cp.Scaling = &ScalingRange{}
		}
		if !rec.OwnCapacity {
			// Runs on what its cluster's default was: not compared.
			cp.CapacityProviderStrategy, cp.LaunchType = nil, ""
		}
		return &cp
	}
	if tp, ok := props.(*TaskDefinitionProps); ok && k == KindTaskDefinition && tp != nil && rec.ExternalImages {
		cp := *tp
		cp.ExternalImages = true // the images are not compared
		return &cp
	}
	p, ok := props.(*ListenerRuleProps)
	if !ok || k != KindListenerRule {
		return props
	}
	if rec.PriorityExplicit == nil {
		return nil
	}
	if *rec.PriorityExplicit {
		return p
	}
	cp := *p
	cp.Priority, cp.PriorityHint = 0, 0
	return &cp
}
