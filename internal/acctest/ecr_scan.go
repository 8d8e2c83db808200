package acctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// Helpers for the image scan gate's tests: distinct images, and the scan
// findings the emulator reports for them.

// NewImageManifest returns a new image manifest (a random layer, so an
// image of its own) and its digest, the SHA-256 of the manifest as ECR
// computes it.
func NewImageManifest(t testing.TB) (manifest, digest string) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	manifest = strings.Replace(imageManifest, "e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f", hex.EncodeToString(b), 1)
	sum := sha256.Sum256([]byte(manifest))
	return manifest, "sha256:" + hex.EncodeToString(sum[:])
}

// PushManifest puts the image manifest (with its digest, see
// NewImageManifest) tagged tag into the ECR repository repo, as a CI
// pipeline's push would.
func PushManifest(t testing.TB, repo, tag, manifest, digest string) {
	t.Helper()
	if _, err := ecr.NewFromConfig(MustConfig(t)).PutImage(context.Background(), &ecr.PutImageInput{
		RepositoryName: aws.String(repo),
		ImageTag:       aws.String(tag),
		ImageManifest:  aws.String(manifest),
		ImageDigest:    aws.String(digest),
	}); err != nil {
		t.Fatalf("pushing %s:%s: %v", repo, tag, err)
	}
}

// PushUniqueImage pushes a new image tagged tag into the ECR repository
// repo and returns its digest.
func PushUniqueImage(t testing.TB, repo, tag string) string {
	t.Helper()
	manifest, digest := NewImageManifest(t)
	PushManifest(t, repo, tag, manifest, digest)
	return digest
}

// SetScanFindings makes the emulator (moto) report, from the next
// DescribeImageScanFindings of the image digest in repo on, a scan in status
// (COMPLETE, IN_PROGRESS, FAILED, ...) with counts as its
// findingSeverityCounts. Through moto's API
// (/moto-api/static/ecr/scan-finding-results); the test is skipped when the
// endpoint is not moto (real AWS scans real images).
func SetScanFindings(t testing.TB, repo, digest, status string, counts map[string]int32) {
	t.Helper()
	ep := Endpoint()
	if ep == "" {
		t.Skip("scan findings are set through the emulator (moto): set " + EndpointEnv)
	}
	result := map[string]any{
		"registryId":      "123456789012",
		"repositoryName":  repo,
		"imageId":         map[string]string{"imageDigest": digest},
		"imageScanStatus": map[string]string{"status": status, "description": "set by the test"},
	}
	if counts != nil {
		result["imageScanFindings"] = map[string]any{"findingSeverityCounts": counts, "findings": []any{}}
	}
	body, err := json.Marshal(map[string]any{"results": []any{result}, "region": Region()})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(strings.TrimSuffix(ep, "/")+"/moto-api/static/ecr/scan-finding-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("setting scan findings: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Skip(fmt.Sprintf("the endpoint does not take scan findings (HTTP %d): not moto", resp.StatusCode))
	}
}
