package composite

import (
	"fmt"
	"sort"
	"strings"
)

// DeposedSuffix marks a recorded child that an earlier replacement moved
// aside (create-before-destroy): "<key>#deposed", "<key>#deposed2", ... Such
// keys never appear in a Graph, so Diff always plans their deletion.
const DeposedSuffix = "#deposed"

// ReplacePending is a recorded ReplaceHash that marks a child whose planned
// replacement did not happen because the apply stopped early (a failure or a
// cancellation elsewhere). It never equals a real hash, so the next Diff plans
// the replacement again.
const ReplacePending = "replace-pending"

// IsDeposed reports whether a recorded key names a deposed child.
func IsDeposed(key string) bool { return strings.Contains(key, DeposedSuffix) }

// DeposedKey returns the first "<key>#deposed[N]" key not in taken.
func DeposedKey(key string, taken func(string) bool) string {
	k := key + DeposedSuffix
	for n := 2; taken(k); n++ {
		k = fmt.Sprintf("%s%s%d", key, DeposedSuffix, n)
	}
	return k
}

// Changes reports whether the action does anything.
func (a Action) Changes() bool { return a.Op != OpNoop && a.Op != "" }

// Summarize counts actions per op.
func Summarize(actions []Action) map[Op]int {
	out := map[Op]int{}
	for _, a := range actions {
		out[a.Op]++
	}
	return out
}

// Diff compares the desired graph with the recorded children and returns one
// action per graph child (in graph order, noops included) followed by one
// OpDelete per recorded key that is not in the graph (deposed children
// included), sorted by TeardownRank then key.
//
// Per child:
//   - not recorded: OpCreate;
//   - recorded with another Name or Kind, or a non-empty recorded ReplaceHash
//     that differs: OpReplace;
//   - recorded Hash empty (a previous apply did not complete) or different:
//     OpUpdate;
//   - otherwise OpNoop.
//
// An empty recorded ReplaceHash means "unknown" (partial create, import) and
// never forces a replacement on its own; the child is updated instead.
//
// Then, transitively: a child that depends on (references, or lists in
// ReplaceOn) a child being created or replaced is replaced itself if that key
// is in its ReplaceOn list, and otherwise updated at least. A child that
// depends on a child being updated whose ARN may change on update
// (ARNChangesOnUpdate: a task definition registers a new revision) is
// updated at least, so that it moves to the new ARN.
func Diff(g Graph, recorded map[string]Recorded) []Action {
	actions := make([]Action, len(g.Children))
	index := make(map[string]int, len(g.Children))
	for i, c := range g.Children {
		index[c.Key] = i
		actions[i] = diffOne(c, recorded)
	}

	// Propagation to a fixed point. Ops only ever escalate (noop -> update ->
	// replace; create stays create), so this terminates even on a cyclic graph
	// and does not depend on the order of g.Children.
	deps := make([][]string, len(g.Children))
	replaceOn := make([]map[string]bool, len(g.Children))
	for i, c := range g.Children {
		replaceOn[i] = map[string]bool{}
		seen := map[string]bool{}
		for _, k := range c.DependsOn() {
			seen[k] = true
			deps[i] = append(deps[i], k)
		}
		for _, k := range c.ReplaceOn {
			replaceOn[i][k] = true
			if !seen[k] {
				seen[k] = true
				deps[i] = append(deps[i], k)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range g.Children {
			for _, dep := range deps[i] {
				j, ok := index[dep]
				if !ok || j == i {
					continue
				}
				depOp := actions[j].Op
				want := OpUpdate
				var verb string
				switch {
				case depOp == OpCreate:
					verb = "created"
				case depOp == OpReplace:
					verb = "replaced"
				case depOp == OpUpdate && ARNChangesOnUpdate(g.Children[j].Kind):
					verb = "updated (its ARN may change)"
				default:
					continue
				}
				reason := fmt.Sprintf("depends on %s, which will be %s", dep, verb)
				if depOp != OpUpdate && replaceOn[i][dep] {
					want = OpReplace
				}
				if escalate(&actions[i], want, reason) {
					changed = true
				}
			}
		}
	}

	var deletes []Action
	for key, rec := range recorded {
		if _, ok := index[key]; ok {
			continue
		}
		reason := "no longer in the configuration"
		if IsDeposed(key) {
			reason = "deposed by an earlier replacement"
		}
		deletes = append(deletes, Action{Key: key, Kind: rec.Kind, Op: OpDelete, Reason: reason})
	}
	sort.Slice(deletes, func(i, j int) bool {
		ri, rj := TeardownRank(deletes[i].Kind), TeardownRank(deletes[j].Kind)
		if ri != rj {
			return ri < rj
		}
		return deletes[i].Key < deletes[j].Key
	})
	return append(actions, deletes...)
}

func diffOne(c Child, recorded map[string]Recorded) Action {
	a := Action{Key: c.Key, Kind: c.Kind, Op: OpNoop}
	rec, ok := recorded[c.Key]
	switch {
	case !ok:
		a.Op = OpCreate
		a.Reason = "not yet created"
		if len(recorded) > 0 {
			// The composite exists: the child is new in the configuration or
			// was found missing in AWS by the last refresh.
			a.Reason = "not yet created, or missing in AWS"
		}
	case rec.Kind != c.Kind:
		a.Op, a.Reason = OpReplace, fmt.Sprintf("kind changed (%s -> %s)", rec.Kind, c.Kind)
	case rec.Name != c.Name:
		a.Op, a.Reason = OpReplace, fmt.Sprintf("name changed (%q -> %q)", rec.Name, c.Name)
	case rec.ReplaceHash == ReplacePending:
		a.Op, a.Reason = OpReplace, "replacement did not complete in the previous apply"
	case rec.ReplaceHash != "" && rec.ReplaceHash != c.ReplaceHash:
		a.Op, a.Reason = OpReplace, "replace-forcing properties changed"
	case rec.Hash == "":
		a.Op, a.Reason = OpUpdate, "previous apply did not complete"
	case rec.Hash != c.Hash:
		a.Op, a.Reason = OpUpdate, "properties changed"
	}
	return a
}

var opRank = map[Op]int{OpNoop: 0, OpUpdate: 1, OpReplace: 2, OpCreate: 3}

// escalate raises a's op to want (never lowers it) and records why. It
// reports whether the action changed.
func escalate(a *Action, want Op, reason string) bool {
	if opRank[a.Op] > opRank[want] {
		return false
	}
	if a.Op == want {
		if strings.Contains(a.Reason, reason) {
			return false
		}
		if a.Reason == "" {
			a.Reason = reason
		} else {
			a.Reason += "; " + reason
		}
		return true
	}
	a.Op, a.Reason = want, reason
	return true
}
