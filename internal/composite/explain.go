package composite

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ChildChange is one line of a plan's explanation: what happens to one
// child and why, in words a reviewer reads in `terraform plan`.
type ChildChange struct {
	Key  string
	Kind Kind
	Name string
	Op   Op
	// Reason names the inputs whose change causes the action, "changed
	// outside Terraform", or the dependency that carries it along.
	Reason string
	// Disruptive marks a replacement or deletion that drops traffic or data
	// (DisruptiveKinds).
	Disruptive string
}

// disruptive says what replacing or deleting a child of these kinds loses.
var disruptive = map[Kind]string{
	KindTargetGroup:         "drops traffic: registered targets are deregistered and the listener rule moves to the new group",
	KindECRRepository:       "deletes the repository's images unless it is kept",
	KindLogGroup:            "deletes the log group's logs",
	KindDiscoveryService:    "drops Cloud Map registrations: clients resolve nothing until tasks register again",
	KindECSService:          "stops every task of the service before new ones run",
	KindLoadBalancer:        "drops all traffic: the load balancer's DNS name changes",
	KindPrivateDNSNamespace: "drops every Cloud Map service of the namespace",
	KindHTTPNamespace:       "drops every Cloud Map service of the namespace",
	KindListener:            "drops the listener's traffic until the new one is up",
}

// maxFields is how many changed fields a reason names before "and N more".
const maxFields = 4

// ExplainPlan turns the actions of a plan (Diff) into one ChildChange per
// child that changes, in the actions' order. prior is the expansion of the
// configuration last applied (nil on create, or when it cannot be
// expanded): a child whose props differ from prior's names the fields that
// changed; one whose props are prior's but whose record lost its hash to a
// Read (DriftedHash) changed outside Terraform. Pure.
func ExplainPlan(prior *Graph, g Graph, recorded map[string]Recorded, actions []Action) []ChildChange {
	desired := map[string]Child{}
	kinds := map[string]Kind{}
	for _, c := range g.Children {
		desired[c.Key] = c
		kinds[c.Key] = c.Kind
	}
	before := map[string]Child{}
	if prior != nil {
		for _, c := range prior.Children {
			before[c.Key] = c
		}
	}
	var out []ChildChange
	for _, a := range actions {
		if !a.Changes() {
			continue
		}
		ch := ChildChange{Key: a.Key, Kind: a.Kind, Op: a.Op, Reason: a.Reason}
		c, inGraph := desired[a.Key]
		rec, wasRecorded := recorded[a.Key]
		switch {
		case inGraph:
			ch.Name = c.Name
		case wasRecorded:
			ch.Name = rec.Name
		}
		if inGraph {
			ch.Reason = explainReason(a, c, before, rec, wasRecorded, kinds)
		}
		if a.Op == OpReplace || a.Op == OpDelete {
			ch.Disruptive = disruptive[a.Kind]
		}
		out = append(out, ch)
	}
	return out
}

func explainReason(a Action, c Child, before map[string]Child, rec Recorded, wasRecorded bool, kinds map[string]Kind) string {
	own := ownReason(a.Reason)
	carried := carriedReasons(a.Reason)
	for i, r := range carried {
		// "depends on task_definition, which will be replaced": a task
		// definition gets a new revision.
		if dep, rest, ok := strings.Cut(strings.TrimPrefix(r, "depends on "), ", which will be replaced"); ok && rest == "" && kinds[dep] == KindTaskDefinition {
			carried[i] = "depends on " + dep + ", which gets a new revision"
		}
	}
	p, hadPrior := before[c.Key]
	var why string
	switch {
	case a.Op == OpCreate && !wasRecorded && hadPrior:
		// The last apply's configuration had it and no record is left: a
		// refresh found it gone, or that apply never created it.
		why = "missing in AWS (deleted outside Terraform, or an earlier apply did not create it)"
	case a.Op == OpCreate && wasRecorded:
		why = "not created yet (an earlier apply did not finish)"
	case a.Op == OpCreate:
		why = "new in the configuration"
	case own == "":
		// Only carried by a dependency.
	case strings.HasPrefix(own, "kind changed") || strings.HasPrefix(own, "replacement did not complete"):
		why = own
	case wasRecorded && rec.Hash == "" && rec.DriftedHash != "" && (!hadPrior || p.Hash == c.Hash || rec.DriftedHash == c.Hash):
		why = "changed outside Terraform"
		if c.Kind == KindECSService && slices.Equal(rec.DriftedFields, []string{"desired_count"}) {
			// The ECS service handler itself holds a service at desired
			// count 0 while its image is not pushed (the bootstrap).
			why = "desired_count differs (changed outside Terraform, or held at 0 until its image was pushed)"
		} else if len(rec.DriftedFields) > 0 {
			why += ": " + joinFields(rec.DriftedFields)
		}
		if a.Op == OpReplace {
			why += " (cannot be undone in place)"
		} else {
			why += "; the apply puts it back"
		}
	case hadPrior:
		fields := ChangedFields(p.Props, c.Props)
		if len(fields) > 1 {
			// A derived name (it carries a hash of the replace-forcing
			// settings) is not the input that changed.
			fields = slices.DeleteFunc(fields, func(f string) bool { return f == "name" })
		}
		if len(fields) > 0 {
			why = "changed: " + joinFields(fields)
			if a.Op == OpReplace && c.Kind != KindTaskDefinition {
				why = "cannot change in place: " + joinFields(fields)
			}
		} else {
			why = own
			if p.Hash == c.Hash && strings.HasPrefix(own, "previous apply did not complete") {
				why = "the previous apply did not finish it, or an import found it different"
			}
		}
	default:
		why = own
	}
	parts := []string{}
	if why != "" {
		parts = append(parts, why)
	}
	parts = append(parts, carried...)
	return strings.Join(parts, "; ")
}

// ownReason is the part of an action's reason that is about the child
// itself; carriedReasons the "depends on X, which will be ..." parts.
func ownReason(r string) string {
	var own []string
	for _, p := range strings.Split(r, "; ") {
		if p != "" && !strings.HasPrefix(p, "depends on ") {
			own = append(own, p)
		}
	}
	return strings.Join(own, "; ")
}

func carriedReasons(r string) []string {
	var out []string
	for _, p := range strings.Split(r, "; ") {
		if strings.HasPrefix(p, "depends on ") {
			out = append(out, p)
		}
	}
	return out
}

func joinFields(f []string) string {
	if len(f) <= maxFields {
		return strings.Join(f, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(f[:maxFields], ", "), len(f)-maxFields)
}

// ChangedFields returns the JSON paths (e.g. "containers[0].image",
// "tags.team") where two props differ, sorted. Values are never part of the
// result: props may hold environment values.
func ChangedFields(a, b any) []string {
	var va, vb any
	if ja, err := json.Marshal(a); err == nil {
		_ = json.Unmarshal(ja, &va)
	}
	if jb, err := json.Marshal(b); err == nil {
		_ = json.Unmarshal(jb, &vb)
	}
	var out []string
	diffJSON("", va, vb, &out)
	sort.Strings(out)
	return out
}

func diffJSON(path string, a, b any, out *[]string) {
	ma, aMap := a.(map[string]any)
	mb, bMap := b.(map[string]any)
	if aMap && bMap {
		keys := map[string]bool{}
		for k := range ma {
			keys[k] = true
		}
		for k := range mb {
			keys[k] = true
		}
		for k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffJSON(p, ma[k], mb[k], out)
		}
		return
	}
	la, aList := a.([]any)
	lb, bList := b.([]any)
	if aList && bList {
		if na, ok := byName(la); ok {
			if nb, ok := byName(lb); ok {
				// Lists of named objects (containers, environment,
				// secrets): compare by name, so that a reviewer reads
				// containers[web].image, not an index.
				keys := map[string]bool{}
				for k := range na {
					keys[k] = true
				}
				for k := range nb {
					keys[k] = true
				}
				for k := range keys {
					diffJSON(fmt.Sprintf("%s[%s]", path, k), na[k], nb[k], out)
				}
				return
			}
		}
	}
	if aList && bList && len(la) == len(lb) && !scalars(la) && !scalars(lb) {
		// Lists of scalars (path patterns, subnets: often sets, sorted)
		// are named whole; an index into them would point at the wrong
		// element.
		for i := range la {
			diffJSON(fmt.Sprintf("%s[%d]", path, i), la[i], lb[i], out)
		}
		return
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		if path == "" {
			path = "(all)"
		}
		*out = append(*out, path)
	}
}

func scalars(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// byName indexes a list whose elements are all objects with a distinct,
// non-empty string "name" (or "Name") by that name.
func byName(l []any) (map[string]any, bool) {
	if len(l) == 0 {
		return nil, false
	}
	out := make(map[string]any, len(l))
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		n, _ := m["name"].(string)
		if n == "" {
			n, _ = m["Name"].(string)
		}
		if _, dup := out[n]; n == "" || dup {
			return nil, false
		}
		out[n] = e
	}
	return out, true
}

// RenderPlanExplanation renders changes as the detail of a plan
// diagnostic: one line per child, "  <symbol> <key> (<kind> <name>): <op>: <reason>",
// with a second line for a disruptive one. Empty when nothing changes.
func RenderPlanExplanation(changes []ChildChange) string {
	if len(changes) == 0 {
		return ""
	}
	symbol := map[Op]string{OpCreate: "+", OpUpdate: "~", OpReplace: "-/+", OpDelete: "-"}
	verb := map[Op]string{OpCreate: "create", OpUpdate: "update in place", OpReplace: "replace", OpDelete: "delete"}
	var b strings.Builder
	for _, c := range changes {
		v := verb[c.Op]
		if c.Kind == KindTaskDefinition && c.Op == OpReplace {
			// A task definition is never changed: ECS registers a new
			// revision and the service moves to it.
			v = "new revision"
		}
		name := c.Name
		if name == "" {
			name = "-"
		}
		// Lines start with two spaces: Terraform prints an indented line
		// of a diagnostic as it is, without re-wrapping it.
		fmt.Fprintf(&b, "  %-3s %s (%s %s): %s", symbol[c.Op], c.Key, c.Kind, name, v)
		if c.Reason != "" {
			fmt.Fprintf(&b, ": %s", c.Reason)
		}
		b.WriteString("\n")
		if c.Disruptive != "" {
			fmt.Fprintf(&b, "      ! %s\n", c.Disruptive)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// PlanExplanationSummary is the diagnostic's summary line.
func PlanExplanationSummary(what string, changes []ChildChange, total int) string {
	n := map[Op]int{}
	disruptive, revisions := 0, 0
	for _, c := range changes {
		if c.Kind == KindTaskDefinition && c.Op == OpReplace {
			revisions++
			continue
		}
		n[c.Op]++
		if c.Disruptive != "" {
			disruptive++
		}
	}
	var parts []string
	for _, op := range []Op{OpCreate, OpUpdate, OpReplace, OpDelete} {
		if n[op] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n[op], op))
		}
	}
	if revisions > 0 {
		parts = append(parts, fmt.Sprintf("%d new revision", revisions))
	}
	s := fmt.Sprintf("%s: %d of %d children change (%s)", what, len(changes), total, strings.Join(parts, ", "))
	if disruptive > 0 {
		s += fmt.Sprintf(", %d disruptive", disruptive)
	}
	return s
}
