package composite

// The validator both composites' validation uses (service_validate.go,
// cluster_validate.go) and its checks shared by both.

import (
	"fmt"
	"regexp"
	"strings"
)

type validator struct{ errs []FieldError }

func (v *validator) add(path []PathStep, summary, format string, args ...any) {
	v.errs = append(v.errs, NewFieldError(path, summary, fmt.Sprintf(format, args...)))
}

// intRange checks lo <= *p <= hi for a set value.
func (v *validator) intRange(path []PathStep, p *int64, lo, hi int64, summary string) {
	if p != nil && (*p < lo || *p > hi) {
		v.add(path, summary, "must be between %d and %d, got %d", lo, hi, *p)
	}
}

func (v *validator) idList(path []PathStep, ids []string, re *regexp.Regexp, what, prefix string) {
	seen := map[string]bool{}
	for i, id := range ids {
		p := at(path, IndexStep(i))
		if !re.MatchString(id) {
			v.add(p, "Invalid "+what, "%q is not a %s (%s...)", id, what, prefix)
		} else if seen[id] {
			v.add(p, "Duplicate "+what, "%q is listed twice", id)
		}
		seen[id] = true
	}
}

func (v *validator) stringList(path []PathStep, vals []string, re *regexp.Regexp, what, rule string) {
	seen := map[string]bool{}
	for i, s := range vals {
		p := at(path, IndexStep(i))
		if !re.MatchString(s) {
			v.add(p, "Invalid "+what, "%q: %s", s, rule)
		} else if seen[s] {
			v.add(p, "Duplicate "+what, "%q is listed twice", s)
		}
		seen[s] = true
	}
}

func (v *validator) tags(tags map[string]string) {
	root := AttrPath("tags")
	if len(tags) > maxUserTags {
		v.add(root, "Too many tags", "at most %d tags (AWS allows 50 per resource, 2 are the ownership tags), got %d", maxUserTags, len(tags))
	}
	for _, k := range sortedKeys(tags) {
		p := at(root, KeyStep(k))
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "aws:"):
			v.add(p, "Reserved tag key", "%q: keys starting with aws: are reserved by AWS", k)
		case strings.HasPrefix(lk, "containerapp:"):
			v.add(p, "Reserved tag key", "%q: keys starting with containerapp: are reserved for ownership tags", k)
		case k == "" || len([]rune(k)) > 128 || !tagCharsRe.MatchString(k):
			v.add(p, "Invalid tag key", "%q must be 1 to 128 letters, digits, spaces and _ . : / = + - @", k)
		}
		if val := tags[k]; len([]rune(val)) > 256 || !tagCharsRe.MatchString(val) {
			v.add(p, "Invalid tag value", "value of %q must be at most 256 letters, digits, spaces and _ . : / = + - @", k)
		}
	}
}
