// The two rules every composite adapter applies the same way: what a plan may show as known (PlanKnown) and
// what a Read does with a child found changed out of band (ApplyDriftRule).
//
// Plan-time knowledge. A child's recorded ARN and outputs stay known in the
// plan when the apply cannot change them: the child is unchanged (noop), or
// it is updated in place, its record is complete (a Hash), and its kind keeps
// its identity on update, or, for a kind whose ARN changes on update (a task
// definition registers a new revision), its own properties are unchanged and
// it is updated only because a dependency it reads by name alone is created
// again under the same name. A created or replaced child, an update of a
// drifted or incomplete record (empty Hash), and a new revision show as
// "(known after apply)", so the reviewer sees every child the apply touches.
//
// Drift adoption. After each refresh, every recorded child with a live
// fingerprint (Recorded.Observed) is compared with the fingerprint of the
// child the state's inputs expand to. A child that differs loses its Hash, so
// the next plan updates it (and shows it touched); the Hash it lost is kept in
// DriftedHash, carried from Read to Read while the child stays drifted. A
// child with an empty Hash that matches again gets its Hash (and ReplaceHash)
// back only when all three hold: the record as loaded has a DriftedHash, so it
// was this rule that cleared the Hash; that DriftedHash equals the Hash of the
// child the inputs expand to now, so the inputs are the ones it was last
// applied with; and the record as loaded has a fingerprint, so no Create or
// Update touched the child since that Read (the engine leaves the desired
// fingerprint and a fresh Hash after a successful apply, and no fingerprint
// after a failed one). Any other empty Hash - left by a failed or interrupted
// apply, by an import that found a difference, by a record that never had
// one - is never restored by a Read, even when the fingerprint matches: the
// fingerprint covers only what a refresh observes, and such a hash may stand
// for a difference it does not see (a setting that costs extra calls, such as
// an ECR lifecycle policy, a target group's deregistration delay or the tags
// of a kind whose describe call omits them, or the half of an update that
// did not happen). Only an apply, which sends the whole desired
// configuration, clears it. A Hash this rule cleared was valid until the
// fingerprint changed, so the fingerprint matching again proves the
// out-of-band change was undone, and the plan returns to empty.

package composite

// PlanKnown reports, for each child of g, whether its recorded ARN and
// outputs stay known in the plan (true) or must be planned as "(known after
// apply)" (false). actions is Diff(g, recorded). Keys not in g (deletions)
// are absent, i.e. false.
//
// A child is known when it is recorded, with the kind of the graph child, and
// its action is
//   - OpNoop; or
//   - OpUpdate with a non-empty recorded Hash (an empty one is a drifted or
//     incomplete record: the plan must show the apply touches it, although
//     its inputs are unchanged), and either its kind keeps its ARN on update
//     (ARNChangesOnUpdate false) or arnKeptOnUpdate holds.
//
// OpCreate and OpReplace are never known.
//
// This is the service adapter's rule. The cluster adapter's differed in two
// ways, neither of which changes a result for the cluster's kinds: it never
// asked ARNChangesOnUpdate (none of its kinds changes ARN on update, so the
// service's rule is the general one), and it planned every child unknown as
// soon as any input other than the network was unknown. That second check
// belongs to the adapter, not here: it is needed because the cluster's
// conversion turns an unknown value into "", which may equal the recorded
// value and let Diff plan a noop; PlanKnown trusts the actions, so the caller
// must make unknown inputs show up in g (the service's placeholder makes the
// hashes differ) or treat every child as unknown itself.
func PlanKnown(g Graph, recorded map[string]Recorded, actions []Action) map[string]bool {
	ops := make(map[string]Op, len(actions))
	for _, a := range actions {
		ops[a.Key] = a.Op
	}
	names := make(map[string]string, len(g.Children))
	for _, c := range g.Children {
		names[c.Key] = c.Name
	}
	known := make(map[string]bool, len(g.Children))
	for _, c := range g.Children {
		rec, ok := recorded[c.Key]
		switch {
		case !ok || rec.Kind != c.Kind:
			known[c.Key] = false
		case ops[c.Key] == OpNoop:
			known[c.Key] = true
		case ops[c.Key] == OpUpdate:
			known[c.Key] = rec.Hash != "" && (!ARNChangesOnUpdate(c.Kind) || arnKeptOnUpdate(c, rec, ops, recorded, names))
		default:
			known[c.Key] = false
		}
	}
	return known
}

// arnKeptOnUpdate reports whether updating c, of a kind whose ARN may change
// on update, keeps its identity: its own properties are unchanged (the
// recorded Hash is c's), and every reference to a child this plan creates or
// replaces reads only that child's name, which is the recorded one (Diff
// escalated c to an update only because of that child, e.g. a log group
// deleted out of band and created again under the same name). A reference to
// an updated child of a kind whose ARN may change is taken as a change.
func arnKeptOnUpdate(c Child, rec Recorded, ops map[string]Op, recorded map[string]Recorded, names map[string]string) bool {
	if rec.Hash != c.Hash {
		return false
	}
	for _, ref := range Refs(c.Props) {
		switch ops[ref.Key] {
		case OpCreate, OpReplace:
			if ref.Attr != AttrName {
				return false
			}
			if dep, ok := recorded[ref.Key]; ok && dep.Name != names[ref.Key] {
				return false // replaced under another name
			}
		case OpUpdate:
			if dep, ok := recorded[ref.Key]; ok && ARNChangesOnUpdate(dep.Kind) {
				return false
			}
		}
	}
	return true
}

// ApplyDriftRule applies the drift rule (see the package comment) after a
// refresh and returns the updated records; it modifies none of its
// arguments.
//
//   - g is the expansion of the state's inputs, references unresolved; each
//     child's props are resolved here against the refreshed outputs before
//     wantFingerprint is asked.
//   - wantFingerprint returns the fingerprint of a desired child (props
//     resolved), normally Fingerprint(c.Kind, c.Props); ok=false for a kind
//     without one.
//   - before holds the records as loaded from state, refreshed the records
//     after the engine's refresh (Observed: the live fingerprint).
//
// The result holds every refreshed record. A record is returned unchanged
// when its child is not in g, has another kind or name, has no live
// fingerprint, has references that do not resolve, or wantFingerprint gives
// none. Otherwise:
//   - live != desired: Hash "", DriftedHash = the Hash it had, or, if already
//     empty, before's DriftedHash when before has a fingerprint (drifted
//     since an earlier Read); "" when neither;
//   - live == desired, Hash "", before has Observed != "" and DriftedHash ==
//     c.Hash, and the recorded ReplaceHash is empty or c's: Hash and
//     ReplaceHash are c's again, DriftedHash "";
//   - otherwise (in sync, or matching but not restorable): DriftedHash "".
func ApplyDriftRule(g Graph, wantFingerprint func(Child) (string, bool), before, refreshed map[string]Recorded) map[string]Recorded {
	out := make(map[string]Recorded, len(refreshed))
	outputs := make(map[string]map[string]string, len(refreshed))
	for k, r := range refreshed {
		out[k] = r
		outputs[k] = r.Outputs
	}
	for _, c := range g.Children {
		cur, ok := refreshed[c.Key]
		if !ok || cur.Observed == "" || cur.Kind != c.Kind || cur.Name != c.Name {
			continue
		}
		resolved := c
		if c.Props != nil {
			props, err := Resolve(c.Props, outputs)
			if err != nil {
				continue
			}
			resolved.Props = props
		}
		want, ok := wantFingerprint(resolved)
		if !ok {
			continue
		}
		prevDrifted := ""
		var prevFields []string
		if prev, ok := before[c.Key]; ok && prev.Observed != "" {
			prevDrifted, prevFields = prev.DriftedHash, prev.DriftedFields
		}
		switch {
		case want != cur.Observed:
			cur.DriftedHash = cur.Hash
			if cur.DriftedHash == "" {
				cur.DriftedHash = prevDrifted // still drifted since an earlier Read
			}
			cur.Hash = ""
			cur.DriftedFields = prevFields
			if cur.ObservedProps != nil {
				cur.DriftedFields = DriftedFields(c.Kind, resolved.Props, cur.ObservedProps)
			}
		case cur.Hash == "" && prevDrifted != "" && prevDrifted == c.Hash && (cur.ReplaceHash == "" || cur.ReplaceHash == c.ReplaceHash):
			cur.Hash, cur.ReplaceHash, cur.DriftedHash, cur.DriftedFields = c.Hash, c.ReplaceHash, "", nil
		default:
			cur.DriftedHash, cur.DriftedFields = "", nil
		}
		out[c.Key] = cur
	}
	return out
}
