package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

func TestImageScanBlockedError(t *testing.T) {
	err := &ImageScanBlockedError{
		Image:     "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/web:v2",
		Digest:    "sha256:0123abcd",
		Threshold: "HIGH",
		Counts:    map[string]int32{"LOW": 4, "HIGH": 2, "CRITICAL": 1, "MEDIUM": 3},
	}
	msg := err.Error()
	for _, want := range []string{
		"platform/web:v2 (digest sha256:0123abcd)",
		"at or above HIGH: CRITICAL 1, HIGH 2 (all findings: CRITICAL 1, HIGH 2, MEDIUM 3, LOW 4)",
		"keeps running its current task definition",
		"repository.block_on_severity",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

func TestScanGateApplies(t *testing.T) {
	gated := &composite.ServiceProps{DesiredCount: 2, ScanGate: &composite.ScanGate{Repository: "r", Severity: "HIGH"}}
	td := &ecs.UpdateServiceInput{TaskDefinition: aws.String("arn:td:2")}
	count := &ecs.UpdateServiceInput{DesiredCount: aws.Int32(2)}
	zero := *gated
	zero.DesiredCount = 0
	for _, tc := range []struct {
		name    string
		want    *composite.ServiceProps
		current int32
		in      *ecs.UpdateServiceInput
		applies bool
	}{
		{"new task definition", gated, 2, td, true},
		{"scaled up from 0", gated, 0, count, true},
		{"scaled from 1 to 2, same task definition", gated, 1, count, false},
		{"nothing to update", gated, 2, nil, false},
		{"new task definition, nothing to run", &zero, 0, td, false},
		{"no gate", &composite.ServiceProps{DesiredCount: 2}, 2, td, false},
	} {
		if got := scanGateApplies(tc.want, tc.current, tc.in); got != tc.applies {
			t.Errorf("%s: scanGateApplies = %v, want %v", tc.name, got, tc.applies)
		}
	}
}

// scanWorld is a repository that scans on push, the ECS service fixture and
// a handler whose scan waits are short.
type scanWorld struct {
	a       *accEnv
	f       serviceFixture
	h       *ECSServiceHandler
	repo    string
	repoURL string
}

func newScanWorld(t *testing.T) *scanWorld {
	a := newAcc(t)
	fastWaiters(t)
	oldMin, oldMax := imageScanMinDelay, imageScanMaxDelay
	imageScanMinDelay, imageScanMaxDelay = 100*time.Millisecond, 200*time.Millisecond
	t.Cleanup(func() { imageScanMinDelay, imageScanMaxDelay = oldMin, oldMax })
	return &scanWorld{a: a, f: a.newServiceFixture(), h: NewECSServiceHandler(a.ecs, a.ecr)}
}

// newRepository creates the repository images are pushed into from now on,
// scanning on push or not (the SDK cannot switch scan on push off later: it
// omits scanOnPush false).
func (w *scanWorld) newRepository(scanOnPush bool) {
	a := w.a
	w.repo = acctest.RandomName("app")
	out, err := a.ecr.CreateRepository(a.ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(w.repo),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: scanOnPush},
	})
	if err != nil {
		a.t.Fatalf("CreateRepository: %v", err)
	}
	repo := w.repo
	a.t.Cleanup(func() {
		_, _ = a.ecr.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String(repo), Force: true})
	})
	w.repoURL = aws.ToString(out.Repository.RepositoryUri)
}

// push pushes tag with the given scan result and returns its digest and a
// task definition running it.
func (w *scanWorld) push(tag, status string, counts map[string]int32) (digest, td string) {
	digest = acctest.PushUniqueImage(w.a.t, w.repo, tag)
	if status != "" {
		acctest.SetScanFindings(w.a.t, w.repo, digest, status, counts)
	}
	return digest, w.f.register(w.a, w.repoURL+":"+tag)
}

func (w *scanWorld) props(name, td string, severity string) *composite.ServiceProps {
	p := w.f.props(name, td, 2, nil)
	p.ScanGate = &composite.ScanGate{Repository: w.repoURL, Severity: severity}
	return p
}

func TestAccECSServiceHandler_scanGate(t *testing.T) {
	w := newScanWorld(t)
	a, h := w.a, w.h
	w.newRepository(true)

	// Create with findings at the threshold: refused, nothing created.
	bad, tdBad := w.push("v1", "COMPLETE", map[string]int32{"HIGH": 2, "LOW": 5})
	name := acctest.RandomName("web")
	a.ops.reset()
	_, err := h.Create(a.ctx, serviceChild(w.props(name, tdBad, "HIGH")))
	var blocked *ImageScanBlockedError
	if !errors.As(err, &blocked) {
		t.Fatalf("Create with HIGH findings: err = %v, want an ImageScanBlockedError", err)
	}
	for _, want := range []string{bad, "HIGH 2", "LOW 5", w.repoURL + ":v1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if countCalls(a, "CreateService") != 0 {
		t.Errorf("CreateService called although the gate refused: %v", a.ops.calls())
	}

	// Below the threshold: created and running.
	_, tdOK := w.push("v2", "COMPLETE", map[string]int32{"MEDIUM": 3, "LOW": 1})
	child := serviceChild(w.props(name, tdOK, "HIGH"))
	a.ops.reset()
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create with MEDIUM findings: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })
	a.expectCalls("Create through the gate", "DescribeServices", "DescribeTaskDefinition", "DescribeImages",
		"DescribeTaskDefinition", "DescribeImages", "DescribeImageScanFindings", "CreateService", "DescribeServices")

	// Update to the image with findings: refused before UpdateService, the
	// service keeps its task definition.
	a.ops.reset()
	_, err = h.Update(a.ctx, serviceChild(w.props(name, tdBad, "HIGH")), rec)
	if !errors.As(err, &blocked) || blocked.Digest != bad {
		t.Fatalf("Update to the image with findings: err = %v", err)
	}
	if countCalls(a, "UpdateService") != 0 {
		t.Errorf("UpdateService called although the gate refused: %v", a.ops.calls())
	}
	if svc := describeService(t, a, w.f.cluster, name); aws.ToString(svc.TaskDefinition) != tdOK {
		t.Errorf("service runs %s after the refusal, want %s", aws.ToString(svc.TaskDefinition), tdOK)
	}

	// A CRITICAL threshold lets the HIGH findings through.
	if _, err := h.Update(a.ctx, serviceChild(w.props(name, tdBad, "CRITICAL")), rec); err != nil {
		t.Fatalf("Update with block_on_severity CRITICAL: %v", err)
	}
	if svc := describeService(t, a, w.f.cluster, name); aws.ToString(svc.TaskDefinition) != tdBad {
		t.Errorf("service runs %s, want %s", aws.ToString(svc.TaskDefinition), tdBad)
	}

	// Images of other repositories are not judged.
	other := w.f.register(a, "public.ecr.aws/nginx/nginx:1.28")
	a.ops.reset()
	if _, err := h.Update(a.ctx, serviceChild(w.props(name, other, "MEDIUM")), rec); err != nil {
		t.Fatalf("Update to an image elsewhere: %v", err)
	}
	if n := countCalls(a, "DescribeImageScanFindings"); n != 0 {
		t.Errorf("%d DescribeImageScanFindings for an image of another registry", n)
	}
}

func TestAccECSServiceHandler_scanGateScanStates(t *testing.T) {
	w := newScanWorld(t)
	a, h := w.a, w.h
	name := acctest.RandomName("web")

	// No scan (scan on push off): StartImageScan once, then judged.
	w.newRepository(false)
	digest, td := w.push("noscan", "", nil)
	a.ops.reset()
	_, err := h.Create(a.ctx, serviceChild(w.props(name, td, "HIGH")))
	var blocked *ImageScanBlockedError
	if !errors.As(err, &blocked) || blocked.Digest != digest { // moto's own scan reports one HIGH finding
		t.Fatalf("Create with no scan: err = %v, want the started scan's HIGH finding", err)
	}
	if n := countCalls(a, "StartImageScan"); n != 1 {
		t.Errorf("StartImageScan called %d times, want once: %v", n, a.ops.calls())
	}

	// A failed scan refuses the deploy and says so.
	w.newRepository(true)
	_, td = w.push("failed", "FAILED", nil)
	_, err = h.Create(a.ctx, serviceChild(w.props(name, td, "HIGH")))
	if err == nil || !strings.Contains(err.Error(), "ended FAILED") {
		t.Fatalf("Create with a failed scan: err = %v", err)
	}

	// A scan that does not complete in time refuses the deploy.
	old := ImageScanTimeout
	ImageScanTimeout = time.Second
	t.Cleanup(func() { ImageScanTimeout = old })
	_, td = w.push("slow", "IN_PROGRESS", nil)
	_, err = h.Create(a.ctx, serviceChild(w.props(name, td, "HIGH")))
	if err == nil || !strings.Contains(err.Error(), "did not complete within 1s (last status IN_PROGRESS)") {
		t.Fatalf("Create with a scan in progress: err = %v", err)
	}
	if countCalls(a, "CreateService") != 0 {
		t.Errorf("CreateService called although the gate refused: %v", a.ops.calls())
	}

	// An image not pushed yet is the bootstrap's, not a scan failure: the
	// service is created at desired count 0 with the image gate's warning.
	td = w.f.register(a, w.repoURL+":absent")
	child := serviceChild(w.props(name, td, "HIGH"))
	ctx, warnings := engine.WithWarnings(a.ctx)
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create with the image not pushed: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })
	requireWarning(t, warnings, w.repoURL+":absent", "push")
	if svc := describeService(t, a, w.f.cluster, name); svc.DesiredCount != 0 {
		t.Errorf("desired count = %d, want 0 while the image is absent", svc.DesiredCount)
	}
}

func countCalls(a *accEnv, op string) int {
	n := 0
	for _, c := range a.ops.calls() {
		if c == op {
			n++
		}
	}
	return n
}
