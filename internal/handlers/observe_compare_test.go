package handlers

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	awspolicy "github.com/hashicorp/awspolicyequivalence"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// expectObservedProps fails unless the props Observe reported for a child
// (observed) equal the resolved props it was created or updated with
// (desired), once both are normalized the way a drift comparison
// normalizes them: defaults filled, sets sorted and made distinct, empty
// and nil alike, policy documents compared for equivalence, and the fields
// a read cannot report (write-only settings, lookup hints) left out. When
// composite.Fingerprint knows the kind, the two fingerprints must agree
// too.
func expectObservedProps(t *testing.T, what string, kind composite.Kind, desired, observed any) {
	t.Helper()
	if observed == nil || reflect.ValueOf(observed).IsNil() {
		t.Fatalf("%s: Observe reported no props", what)
	}
	if reflect.TypeOf(desired) != reflect.TypeOf(observed) {
		t.Fatalf("%s: observed props are %T, desired %T", what, observed, desired)
	}
	d, o := clone(desired), clone(observed)
	comparableProps(t, what, d, o)
	normalizeValue(reflect.ValueOf(d).Elem())
	normalizeValue(reflect.ValueOf(o).Elem())
	if dj, oj := mustJSON(d), mustJSON(o); dj != oj {
		t.Errorf("%s: observed props differ from the desired ones\nobserved %s\ndesired  %s", what, oj, dj)
	}
	if fd, ok := composite.Fingerprint(kind, desired); ok {
		if fo, _ := composite.Fingerprint(kind, observed); fo != fd {
			t.Errorf("%s: observed fingerprint %s, desired %s", what, fo, fd)
		}
	}
}

// comparableProps fills defaults, compares policy documents and clears
// what a read cannot report, on a copy of desired (d) and observed (o).
func comparableProps(t *testing.T, what string, d, o any) {
	t.Helper()
	samePolicy := func(field string, a, b *string) {
		t.Helper()
		if eq, err := awspolicy.PoliciesAreEquivalent(*a, *b); err != nil || !eq {
			t.Errorf("%s: observed %s %s, desired %s (%v)", what, field, *b, *a, err)
		}
		*a, *b = "", ""
	}
	switch d := d.(type) {
	case *composite.RoleProps:
		o := o.(*composite.RoleProps)
		samePolicy("trust policy", &d.AssumeRolePolicy, &o.AssumeRolePolicy)
		d.Path, o.Path = firstNonEmpty(d.Path, "/"), firstNonEmpty(o.Path, "/")
		d.MaxSessionDuration, o.MaxSessionDuration = effectiveMaxSession(d.MaxSessionDuration), effectiveMaxSession(o.MaxSessionDuration)
	case *composite.RolePolicyProps:
		samePolicy("policy", &d.Policy, &o.(*composite.RolePolicyProps).Policy)
	case *composite.RepositoryProps:
		o := o.(*composite.RepositoryProps)
		if !jsonEquivalent(d.LifecyclePolicy, o.LifecyclePolicy) {
			t.Errorf("%s: observed lifecycle policy %s, desired %s", what, o.LifecyclePolicy, d.LifecyclePolicy)
		}
		d.LifecyclePolicy, o.LifecyclePolicy = "", ""
		d.ImageTagMutability, o.ImageTagMutability = firstNonEmpty(d.ImageTagMutability, "MUTABLE"), firstNonEmpty(o.ImageTagMutability, "MUTABLE")
		d.EncryptionType, o.EncryptionType = firstNonEmpty(d.EncryptionType, "AES256"), firstNonEmpty(o.EncryptionType, "AES256")
	case *composite.TargetGroupProps:
		o := o.(*composite.TargetGroupProps)
		if d.VpcID == "" { // looked up from VPCFromSubnet
			o.VpcID = ""
		}
		d.VPCFromSubnet = ""
	case *composite.ListenerRuleProps:
		d.PriorityHint = 0
	case *composite.ServiceProps:
		o := o.(*composite.ServiceProps)
		d.Cluster, o.Cluster = lastSegment(d.Cluster), lastSegment(o.Cluster)
		if taskDefinitionMatches(o.TaskDefinition, d.TaskDefinition) {
			o.TaskDefinition = d.TaskDefinition
		}
		d.WaitForSteadyState = false
	case *composite.NamespaceProps:
		d.VpcID = "" // GetNamespace does not report it
	case *composite.SecurityGroupProps:
		o := o.(*composite.SecurityGroupProps)
		d.Ingress, o.Ingress = atomRules(d.Ingress), atomRules(o.Ingress)
		d.Egress, o.Egress = atomRules(d.Egress), atomRules(o.Egress)
	case *composite.ListenerProps:
		o := o.(*composite.ListenerProps)
		d.DefaultAction, o.DefaultAction = normalizeAction(d.DefaultAction), normalizeAction(o.DefaultAction)
		if d.Protocol != "HTTPS" {
			d.SSLPolicy, o.SSLPolicy = "", ""
		}
	}
}

// atomRules renders rules as one rule per source, without descriptions.
func atomRules(rules []composite.SecurityGroupRule) []composite.SecurityGroupRule {
	var out []composite.SecurityGroupRule
	for _, a := range ruleAtoms(rules) {
		out = append(out, composite.SecurityGroupRule{Description: a})
	}
	return out
}

// normalizeValue sorts and dedupes string slices, sorts other slices by
// their JSON form, makes empty slices and maps nil, drops "aws:" tags.
func normalizeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalizeValue(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				normalizeValue(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := 0; i < v.Len(); i++ {
			normalizeValue(v.Index(i))
		}
		if v.Type().Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf(normalizedSet(v.Interface().([]string))).Convert(v.Type()))
			return
		}
		elems := make([]reflect.Value, v.Len())
		for i := range elems {
			elems[i] = reflect.ValueOf(v.Index(i).Interface())
		}
		sort.SliceStable(elems, func(i, j int) bool { return mustJSON(elems[i].Interface()) < mustJSON(elems[j].Interface()) })
		for i, e := range elems {
			v.Index(i).Set(e)
		}
	case reflect.Map:
		if m, ok := v.Interface().(map[string]string); ok {
			for k := range m {
				if strings.HasPrefix(k, "aws:") {
					delete(m, k)
				}
			}
		}
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// clone deep-copies a props pointer through JSON.
func clone(p any) any {
	c := reflect.New(reflect.TypeOf(p).Elem()).Interface()
	if err := json.Unmarshal([]byte(mustJSON(p)), c); err != nil {
		panic(err)
	}
	return c
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
