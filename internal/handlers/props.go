package handlers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// childProps returns c.Props as *T, or an error naming the child when the
// engine handed over props of another kind.
func childProps[T any](c composite.Child) (*T, error) {
	p, ok := c.Props.(*T)
	if !ok || p == nil {
		var zero T
		return nil, fmt.Errorf("child %q (%s): props are %T, want *%T", c.Key, c.Kind, c.Props, zero)
	}
	return p, nil
}

// recordedOutput returns rec.Outputs[attr], or "" when there are no outputs.
func recordedOutput(rec composite.Recorded, attr string) string {
	if rec.Outputs == nil {
		return ""
	}
	return rec.Outputs[attr]
}

// firstNonEmpty returns the first argument that is not "".
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// optString returns nil for "" (leave the AWS default), else a pointer.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// optInt32 returns nil for 0 (leave the AWS default), else a pointer.
func optInt32(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return aws.Int32(v)
}

// formatBool renders a bool output.
func formatBool(b bool) string { return strconv.FormatBool(b) }

// jsonEquivalent reports whether two JSON documents are equal once parsed
// (whitespace and key order do not matter). Documents that do not parse are
// compared as text.
func jsonEquivalent(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return reflect.DeepEqual(va, vb)
}

// normalizedSet returns the distinct non-empty members of ss, sorted.
func normalizedSet(ss []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// sameSet reports whether a and b hold the same distinct members.
func sameSet(a, b []string) bool {
	na, nb := normalizedSet(a), normalizedSet(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortedSetKeys returns the members of a set in sorted order.
func sortedSetKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// arnResource returns the resource part of an ARN ("targetgroup/name/id"),
// or "" when s is not an ARN.
func arnResource(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Resource
}

// lastSegment returns what follows the last "/" of s (s itself without one).
func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}
