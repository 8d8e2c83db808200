package handlers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

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

// firstNonEmpty returns the first argument that is not "".
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// recordedOutput returns rec.Outputs[attr], or "" when there are no outputs.
func recordedOutput(rec composite.Recorded, attr string) string {
	if rec.Outputs == nil {
		return ""
	}
	return rec.Outputs[attr]
}

// tagChanges compares the tags an object has with the tags it should have.
// It returns the tags to set (new or changed values) and the keys to remove,
// both in sorted order. Keys reserved by AWS ("aws:" prefix) are never
// removed: they cannot be.
func tagChanges(current, desired map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range desired {
		if cur, ok := current[k]; !ok || cur != v {
			set[k] = v
		}
	}
	for k := range current {
		if _, ok := desired[k]; !ok && !strings.HasPrefix(k, "aws:") {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
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

// formatBool renders a bool output.
func formatBool(b bool) string { return strconv.FormatBool(b) }

// sortedSetKeys returns the members of a set in sorted order.
func sortedSetKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
