package composite

import "testing"

func TestSeverityAtOrAbove(t *testing.T) {
	for _, tc := range []struct {
		severity, threshold string
		want                bool
	}{
		{"CRITICAL", "CRITICAL", true},
		{"HIGH", "CRITICAL", false},
		{"CRITICAL", "HIGH", true},
		{"HIGH", "HIGH", true},
		{"MEDIUM", "HIGH", false},
		{"HIGH", "MEDIUM", true},
		{"MEDIUM", "MEDIUM", true},
		{"LOW", "MEDIUM", false},
		{"INFORMATIONAL", "MEDIUM", false},
		{"UNDEFINED", "MEDIUM", false}, // basic scanning's "no severity": never blocks
		{"UNTRIAGED", "MEDIUM", false}, // enhanced scanning's: never blocks
		{"critical", "HIGH", false},    // ECR's keys are upper case
		{"CRITICAL", "", false},
	} {
		if got := SeverityAtOrAbove(tc.severity, tc.threshold); got != tc.want {
			t.Errorf("SeverityAtOrAbove(%q, %q) = %v, want %v", tc.severity, tc.threshold, got, tc.want)
		}
	}
}

func TestBlockingFindings(t *testing.T) {
	counts := map[string]int32{"CRITICAL": 0, "HIGH": 2, "MEDIUM": 3, "LOW": 7, "UNDEFINED": 1}
	for _, tc := range []struct {
		threshold, want string
	}{
		{"CRITICAL", "none"}, // a zero count does not block
		{"HIGH", "HIGH 2"},
		{"MEDIUM", "HIGH 2, MEDIUM 3"},
	} {
		if got := FormatSeverityCounts(BlockingFindings(counts, tc.threshold)); got != tc.want {
			t.Errorf("BlockingFindings(%s) = %s, want %s", tc.threshold, got, tc.want)
		}
	}
	if got := BlockingFindings(nil, "MEDIUM"); len(got) != 0 {
		t.Errorf("BlockingFindings(no findings) = %v", got)
	}
}

func TestFormatSeverityCounts(t *testing.T) {
	got := FormatSeverityCounts(map[string]int32{"LOW": 4, "UNTRIAGED": 1, "CRITICAL": 1, "NEW": 2, "INFORMATIONAL": 0, "MEDIUM": 3, "HIGH": 2, "UNDEFINED": 5})
	if want := "CRITICAL 1, HIGH 2, MEDIUM 3, LOW 4, UNDEFINED 5, UNTRIAGED 1, NEW 2"; got != want {
		t.Errorf("FormatSeverityCounts = %q, want %q", got, want)
	}
	if got := FormatSeverityCounts(map[string]int32{"HIGH": 0}); got != "none" {
		t.Errorf("FormatSeverityCounts(zeros) = %q, want none", got)
	}
}

// The gate expands into the ECS service's props only with
// block_on_severity, referencing the repository's URL.
func TestExpandService_scanGate(t *testing.T) {
	s := goldenFullSpec()
	g, err := ExpandService(s, goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	if p := expChild(t, g, KeyService).Props.(*ServiceProps); p.ScanGate != nil {
		t.Errorf("ScanGate without block_on_severity: %+v", p.ScanGate)
	}
	s.Repository.BlockOnSeverity = "CRITICAL"
	if g, err = ExpandService(s, goldenEnv()); err != nil {
		t.Fatal(err)
	}
	svc := expChild(t, g, KeyService)
	p := svc.Props.(*ServiceProps)
	if p.ScanGate == nil || p.ScanGate.Severity != "CRITICAL" || p.ScanGate.Repository != RefString(KeyRepository, AttrURL) {
		t.Fatalf("ScanGate = %+v", p.ScanGate)
	}
	if !contains(svc.DependsOn(), KeyRepository) {
		t.Errorf("service depends on %v, want the repository", svc.DependsOn())
	}
}
