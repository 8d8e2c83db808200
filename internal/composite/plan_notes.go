package composite

import (
	"fmt"
	"slices"
	"sort"
)

// The plan says why (one line each) when a Read found AWS holding something
// other than what the state last applied, and the apply either keeps it or
// puts the configuration back: the desired count (a scaler's, or one set by
// hand), the image (a pipeline's revision under deployment.image_owner
// "external") and the task definition (a revision registered outside
// Terraform, put back under "terraform"). A Read records its notes on the
// children (Recorded.Notes, replacing the last Read's), an apply clears them
// (ClearNotes), and the plan shows each note whose child the plan changes,
// or that stands on its own (an adopted revision: the plan is then empty,
// and the note is the only trace of what the Read did).

// Note is one line the plan shows about a child.
type Note struct {
	Text string `json:"text"`
	// WhenChanged: shown only when the plan changes the child (the note
	// says what the apply does to it).
	WhenChanged bool `json:"when_changed,omitempty"`
}

// ReconcileNotes returns recs (refreshed, the drift rule applied) with the
// notes a Read records, given the desired graph g (the state's inputs).
// Notes set before (an adoption: AdoptRevision) are kept; the ECS
// service's are computed here. It modifies none of its arguments.
func ReconcileNotes(g Graph, recs map[string]Recorded) map[string]Recorded {
	out := make(map[string]Recorded, len(recs))
	for k, r := range recs {
		out[k] = r
	}
	svc, ok := out[KeyService]
	if !ok {
		return out
	}
	live, ok := svc.ObservedProps.(*ServiceProps)
	if !ok || live == nil {
		return out
	}
	var want *ServiceProps
	for _, c := range g.Children {
		if c.Key == KeyService {
			want, _ = c.Props.(*ServiceProps)
		}
	}
	if want == nil {
		return out
	}
	var notes []Note
	// The task definition: a revision the state does not know.
	if td, ok := out[KeyTaskDefinition]; ok && live.TaskDefinition != "" && td.ARN != "" && live.TaskDefinition != td.ARN {
		notes = append(notes, Note{WhenChanged: true, Text: fmt.Sprintf(
			"the ECS service runs task definition revision %s, registered outside Terraform: this apply puts back revision %s of the configuration (with deployment.image_owner = %q a pipeline's revisions are kept)",
			driftLastSegment(live.TaskDefinition), driftLastSegment(td.ARN), ImageOwnerExternal)})
	}
	// The desired count.
	switch r := want.Scaling; {
	case r != nil && live.DesiredCount < r.Min:
		notes = append(notes, Note{WhenChanged: true, Text: fmt.Sprintf(
			"the desired count %d is below autoscaling.min_count: this apply raises it to %d", live.DesiredCount, r.Min)})
	case r != nil && live.DesiredCount > r.Max:
		notes = append(notes, Note{WhenChanged: true, Text: fmt.Sprintf(
			"the desired count %d is above autoscaling.max_count: this apply lowers it to %d", live.DesiredCount, r.Max)})
	case r != nil && live.DesiredCount != want.DesiredCount:
		notes = append(notes, Note{WhenChanged: true, Text: fmt.Sprintf(
			"the desired count %d is the scaler's and is kept (desired_count = %d is the count the service was created with)", live.DesiredCount, want.DesiredCount)})
	case r == nil && live.DesiredCount != want.DesiredCount && slices.Contains(svc.DriftedFields, "desired_count"):
		notes = append(notes, Note{WhenChanged: true, Text: fmt.Sprintf(
			"the desired count was set to %d outside Terraform: this apply sets it back to %d (desired_count; with autoscaling a scaler owns the count)", live.DesiredCount, want.DesiredCount)})
	}
	svc.Notes = notes
	out[KeyService] = svc
	return out
}

// ClearNotes returns recs without notes (after an apply: what it reconciled
// is done).
func ClearNotes(recs map[string]Recorded) map[string]Recorded {
	out := make(map[string]Recorded, len(recs))
	for k, r := range recs {
		r.Notes = nil
		out[k] = r
	}
	return out
}

// PlanNotes returns the lines the plan shows: each recorded note whose
// child the plan changes (actions, from Diff) or that is not WhenChanged,
// sorted by child key, in the order they were recorded.
func PlanNotes(recs map[string]Recorded, actions []Action) []string {
	changed := map[string]bool{}
	for _, a := range actions {
		if a.Changes() {
			changed[a.Key] = true
		}
	}
	keys := make([]string, 0, len(recs))
	for k, r := range recs {
		if len(r.Notes) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, n := range recs[k].Notes {
			if !n.WhenChanged || changed[k] {
				out = append(out, n.Text)
			}
		}
	}
	return out
}
