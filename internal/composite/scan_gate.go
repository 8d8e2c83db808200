package composite

// The image scan gate of containerapp_service: repository.block_on_severity.
//
// Before a deploy that Terraform makes - the ECS service created, pointed at
// a new task definition, or scaled up from 0 - the ECS service handler waits
// for the ECR scan of each image of the task definition that lives in the
// service's own repository (the containers given with image_tag), and
// refuses the deploy when one has findings at or above the severity: the
// service keeps running what it ran. An image not pushed yet is not judged
// here: the handler's image gate (the bootstrap at desired count 0) reports
// it. This file holds the pure parts: the allowed thresholds, validation,
// the ServiceProps.ScanGate expansion and the severity comparison.

import (
	"fmt"
	"sort"
	"strings"
)

// ScanGate is ServiceProps.ScanGate.
type ScanGate struct {
	// Repository is the URL of the service's own repository
	// ("${repository.url}"): the task definition's images under it are
	// gated.
	Repository string `json:"repository"`
	// Severity is the threshold: CRITICAL, HIGH or MEDIUM.
	Severity string `json:"severity"`
}

// ScanSeverities are ECR's finding severities, most severe first
// (FindingSeverity: CRITICAL | HIGH | MEDIUM | LOW | INFORMATIONAL |
// UNDEFINED; enhanced scanning adds UNTRIAGED). UNDEFINED and UNTRIAGED have
// no rank: they never block.
var ScanSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED", "UNTRIAGED"}

// BlockOnSeverities are the allowed values of repository.block_on_severity.
var BlockOnSeverities = []string{"CRITICAL", "HIGH", "MEDIUM"}

// severityRank is the rank of a ranked severity (CRITICAL 4 ... INFORMATIONAL
// 0), -1 for UNDEFINED, UNTRIAGED and anything unknown.
func severityRank(s string) int {
	switch s {
	case "CRITICAL":
		return 4
	case "HIGH":
		return 3
	case "MEDIUM":
		return 2
	case "LOW":
		return 1
	case "INFORMATIONAL":
		return 0
	}
	return -1
}

// SeverityAtOrAbove reports whether severity is at or above threshold
// (e.g. CRITICAL and HIGH are at or above HIGH, MEDIUM is not). Unranked
// severities (UNDEFINED, UNTRIAGED) are never at or above any threshold.
func SeverityAtOrAbove(severity, threshold string) bool {
	r, t := severityRank(severity), severityRank(threshold)
	return r >= 0 && t >= 0 && r >= t
}

// BlockingFindings returns the counts of counts (severity -> number of
// findings, ECR's findingSeverityCounts) at or above threshold, without
// zeros; empty when the image passes the gate.
func BlockingFindings(counts map[string]int32, threshold string) map[string]int32 {
	out := map[string]int32{}
	for sev, n := range counts {
		if n > 0 && SeverityAtOrAbove(sev, threshold) {
			out[sev] = n
		}
	}
	return out
}

// FormatSeverityCounts renders counts as "CRITICAL 1, HIGH 2", most severe
// first (unknown severities last, by name), zeros left out; "none" when
// there is no finding.
func FormatSeverityCounts(counts map[string]int32) string {
	order := map[string]int{}
	for i, s := range ScanSeverities {
		order[s] = i
	}
	keys := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		return "none"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// scanGate validates repository.block_on_severity.
func (v *validator) scanGate(s *ServiceSpec, r *RepositorySpec) {
	if r.BlockOnSeverity == "" {
		return
	}
	p := AttrPath("repository", "block_on_severity")
	if !contains(BlockOnSeverities, r.BlockOnSeverity) {
		v.add(p, "Invalid block_on_severity", "must be one of %s, got %q", strings.Join(BlockOnSeverities, ", "), r.BlockOnSeverity)
		return
	}
	for _, c := range s.Containers {
		if c.ImageTag != "" {
			return
		}
	}
	v.add(p, "block_on_severity without image_tag",
		"the scan gate checks the images of the service's own repository, which containers name with image_tag; no container does, "+
			"so the gate would never run: set a container's image_tag, or remove block_on_severity")
}

// scanGate is the ECS service's ScanGate: nil without block_on_severity.
func (x *expander) scanGate() *ScanGate {
	r := x.s.Repository
	if r == nil || r.BlockOnSeverity == "" {
		return nil
	}
	return &ScanGate{Repository: RefString(KeyRepository, AttrURL), Severity: r.BlockOnSeverity}
}
