package handlers

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// accTestA holds what one acceptance test of this file set needs: a context,
// an SDK config pointed at the emulator, and a recorder of the operations
// sent through that config.
type accTestA struct {
	ctx context.Context
	cfg aws.Config
	ops *opRecorderA
}

// newAccTestA skips unless TF_ACC and the emulator endpoint are set; it
// returns a config whose every client records its operations and can be told
// to fail one operation (fault injection on the real client, not a fake).
func newAccTestA(t *testing.T) *accTestA {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it")
	}
	if acctest.Endpoint() == "" {
		t.Skipf("acceptance test: set %s to the emulator endpoint (e.g. http://127.0.0.1:4566) to run it", acctest.EndpointEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cfg, err := acctest.AWSConfig(ctx)
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	rec := &opRecorderA{fail: map[string]string{}}
	cfg.APIOptions = append(cfg.APIOptions, rec.register)
	return &accTestA{ctx: ctx, cfg: cfg, ops: rec}
}

// opRecorderA records operation names and fails chosen operations.
type opRecorderA struct {
	mu   sync.Mutex
	ops  []string
	fail map[string]string // operation -> error code to answer with
}

func (r *opRecorderA) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("opRecorderA",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			r.mu.Lock()
			r.ops = append(r.ops, op)
			code, fail := r.fail[op]
			r.mu.Unlock()
			if fail {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: code, Message: "injected failure of " + op}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// reset forgets the operations recorded so far.
func (r *opRecorderA) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = nil
}

// calls returns the operations recorded since the last reset.
func (r *opRecorderA) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ops...)
}

// mutating returns the recorded operations that are not reads.
func (r *opRecorderA) mutating() []string {
	var out []string
	for _, op := range r.calls() {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
			out = append(out, op)
		}
	}
	return out
}

// failOperation makes every later call of op fail with the AWS error code.
func (r *opRecorderA) failOperation(op, code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[op] = code
}

// clearFailures stops injecting failures.
func (r *opRecorderA) clearFailures() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = map[string]string{}
}

// recordedA builds what the engine would record after a create or update.
func recordedA(c composite.Child, outputs map[string]string) composite.Recorded {
	return composite.Recorded{
		Key:     c.Key,
		Kind:    c.Kind,
		Name:    c.Name,
		ARN:     firstNonEmpty(outputs[composite.AttrARN], outputs[composite.AttrID]),
		Outputs: outputs,
		Hash:    c.Hash,
	}
}

// ownerTagsA are the ownership tags Expand puts on every taggable child.
func ownerTagsA(owner, key string, extra map[string]string) map[string]string {
	m := map[string]string{composite.TagOwner: owner, composite.TagKey: key}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// requireOutputsA fails unless every listed output is present and non-empty.
func requireOutputsA(t *testing.T, outputs map[string]string, attrs ...string) {
	t.Helper()
	for _, a := range attrs {
		if outputs[a] == "" {
			t.Errorf("output %q missing in %v", a, outputs)
		}
	}
}

// requireCallsA fails unless exactly the given operations were recorded.
func requireCallsA(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: calls = %v, want %v", what, got, want)
	}
}

// requireTagsA compares tag maps.
func requireTagsA(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: tags = %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: tags = %v, want %v", what, got, want)
			return
		}
	}
}
