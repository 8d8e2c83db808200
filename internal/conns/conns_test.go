package conns

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
	} {
		if got := PartitionForRegion(region); got != want {
			t.Errorf("PartitionForRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestRedactHeaders(t *testing.T) {
	h := map[string][]string{
		"Authorization":        {"AWS4-HMAC-SHA256 Credential=AKID/..., Signature=abc"},
		"X-Amz-Security-Token": {"token"},
		"X-Amz-Target":         {"AmazonEC2ContainerServiceV20141113.ListClusters"},
	}
	got := RedactHeaders(h)
	if got["Authorization"][0] != "[REDACTED]" || got["X-Amz-Security-Token"][0] != "[REDACTED]" {
		t.Fatalf("credentials not redacted: %v", got)
	}
	if got["X-Amz-Target"][0] != h["X-Amz-Target"][0] {
		t.Fatalf("other headers must be kept: %v", got)
	}
	if h["Authorization"][0] == "[REDACTED]" {
		t.Fatal("input map modified")
	}
}

// A call through Clients goes to the endpoints-block URL, makes no STS call
// when both skip flags are set, and logs one line in the aws subsystem with
// service, operation, status, attempts and no credentials.
func TestClients_endpointAndLogging(t *testing.T) {
	var hits atomic.Int32
	var sawAuth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		sawAuth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-RequestId", "req-123")
		_, _ = w.Write([]byte(`{"clusterArns":[]}`))
	}))
	defer srv.Close()

	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	t.Setenv(LogLevelEnv, "TRACE")
	ctx = WithLogging(ctx)
	c, err := New(ctx, Config{
		Region: "us-east-1", AccessKey: "AKIDEXAMPLE", SecretKey: "secret", Token: "sessiontoken",
		SkipCredentialsValidation: true, SkipRequestingAccountID: true,
		Endpoints: map[string]string{ServiceECS: srv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 0 {
		t.Fatalf("configure with both skip flags made %d calls", hits.Load())
	}
	if c.ECS() != c.ECS() {
		t.Fatal("clients must be built once")
	}
	if _, err := c.ECS().ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Fatalf("endpoint got %d calls, want 1", hits.Load())
	}
	if !strings.Contains(sawAuth.Load().(string), "AKIDEXAMPLE") {
		t.Fatal("request was not signed with the static credentials")
	}
	logs := buf.String()
	if strings.Contains(logs, "sessiontoken") || strings.Contains(logs, "Signature=") {
		t.Fatalf("credentials leaked into logs:\n%s", logs)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["@message"] != "AWS call" {
			continue
		}
		found = true
		if m["aws.service"] != "ECS" || m["aws.operation"] != "ListClusters" || m["http.status"] != float64(200) ||
			m["aws.request_id"] != "req-123" || m["aws.attempts"] != float64(1) || m["@module"] != "provider.aws" {
			t.Fatalf("unexpected log line: %v", m)
		}
	}
	if !found {
		t.Fatalf("no 'AWS call' log line:\n%s", logs)
	}
}

func TestLoadAWSConfig_errors(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	if _, err := LoadAWSConfig(context.Background(), Config{AccessKey: "a", SecretKey: "b"}); err == nil {
		t.Fatal("expected an error without a region")
	}
	if _, err := LoadAWSConfig(context.Background(), Config{Region: "us-east-1", AccessKey: "a"}); err == nil {
		t.Fatal("expected an error for access_key without secret_key")
	}
}
