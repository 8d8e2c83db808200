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
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// The test harness of the handlers' acceptance tests (TestAcc...): real SDK
// clients pointed at the emulator, one log of the operations they send (for
// call budgets) that can also fail chosen operations (fault injection on the
// real client, not a fake of AWS), and the record/tag helpers. Fixtures
// (networks, load balancers, clusters, roles, props) are in fixtures_test.go.

// accEnv is what one acceptance test needs.
type accEnv struct {
	t    *testing.T
	ctx  context.Context
	cfg  aws.Config // every client made from it logs to ops
	ops  *opLog
	ec2  *ec2.Client
	elb  *elbv2.Client
	ecs  *ecs.Client
	iam  *iam.Client
	sd   *servicediscovery.Client
	logs *cloudwatchlogs.Client
	ecr  *ecr.Client
}

// newAcc skips unless TF_ACC and the emulator endpoint are set (see
// internal/acctest), and shortens the load balancer waiters.
func newAcc(t *testing.T) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it")
	}
	if acctest.Endpoint() == "" {
		t.Skipf("acceptance test: set %s to the emulator endpoint (e.g. http://127.0.0.1:4566) to run it", acctest.EndpointEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	cfg, err := acctest.AWSConfig(ctx)
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	ops := &opLog{}
	cfg.APIOptions = append(cfg.APIOptions, ops.register)
	oldMin, oldMax := lbWaitMinDelay, lbWaitMaxDelay
	lbWaitMinDelay, lbWaitMaxDelay = 100*time.Millisecond, 500*time.Millisecond
	t.Cleanup(func() { lbWaitMinDelay, lbWaitMaxDelay = oldMin, oldMax })
	return &accEnv{
		t: t, ctx: ctx, cfg: cfg, ops: ops,
		ec2:  ec2.NewFromConfig(cfg),
		elb:  elbv2.NewFromConfig(cfg),
		ecs:  ecs.NewFromConfig(cfg),
		iam:  iam.NewFromConfig(cfg),
		sd:   servicediscovery.NewFromConfig(cfg),
		logs: cloudwatchlogs.NewFromConfig(cfg),
		ecr:  ecr.NewFromConfig(cfg),
	}
}

// opLog records the operation name of every SDK call, and can answer calls
// of an operation with an injected AWS error instead of sending them.
type opLog struct {
	mu     sync.Mutex
	ops    []string
	faults map[string][]error // operation -> errors for its next calls
	always map[string]string  // operation -> error code for every call
}

func (l *opLog) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("opLog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			l.mu.Lock()
			l.ops = append(l.ops, op)
			var fault error
			if q := l.faults[op]; len(q) > 0 {
				fault, l.faults[op] = q[0], q[1:]
			} else if code, ok := l.always[op]; ok {
				fault = &smithy.GenericAPIError{Code: code, Message: "injected failure of " + op}
			}
			l.mu.Unlock()
			if fault != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, fault
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// failNext makes the next `times` calls of op fail with the AWS error.
func (l *opLog) failNext(op, code, message string, times int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.faults == nil {
		l.faults = map[string][]error{}
	}
	for i := 0; i < times; i++ {
		l.faults[op] = append(l.faults[op], &smithy.GenericAPIError{Code: code, Message: message})
	}
}

// failOperation makes every later call of op fail with the AWS error code
// (message "injected failure of <op>") until clearFailures.
func (l *opLog) failOperation(op, code string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.always == nil {
		l.always = map[string]string{}
	}
	l.always[op] = code
}

// clearFailures stops injecting failures.
func (l *opLog) clearFailures() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faults, l.always = nil, nil
}

// reset forgets the operations recorded so far.
func (l *opLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = nil
}

// calls returns the operations recorded since the last reset.
func (l *opLog) calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ops...)
}

// mutating returns the recorded operations that are not reads.
func (l *opLog) mutating() []string {
	var out []string
	for _, op := range l.calls() {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
			out = append(out, op)
		}
	}
	return out
}

// expectCalls fails unless exactly the given operations were logged since
// the last reset; it then resets the log.
func (a *accEnv) expectCalls(what string, want ...string) {
	a.t.Helper()
	requireCalls(a.t, what, a.ops.calls(), want...)
	a.ops.reset()
}

// requireCalls fails unless exactly the given operations were recorded.
func requireCalls(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: calls = %v, want %v", what, got, want)
	}
}

// newChild builds a child the way Expand does (hashes included).
func newChild(key string, kind composite.Kind, name string, props any) composite.Child {
	h := composite.HashJSON(props)
	return composite.Child{Key: key, Kind: kind, Name: name, Props: props, Hash: h, ReplaceHash: h}
}

// recorded builds what the engine records after a create or update of c:
// the outputs, and the kind's typed fields from the applied props.
func recorded(c composite.Child, outputs map[string]string) composite.Recorded {
	rec := composite.Recorded{
		Key:     c.Key,
		Kind:    c.Kind,
		Name:    c.Name,
		ARN:     firstNonEmpty(outputs[composite.AttrARN], outputs[composite.AttrID]),
		Outputs: outputs,
		Hash:    c.Hash,
	}
	switch p := c.Props.(type) {
	case *composite.RepositoryProps:
		rec.ForceDelete = p.ForceDelete
	case *composite.ListenerRuleProps:
		explicit := p.Priority != 0
		rec.PriorityExplicit = &explicit
	case *composite.ServiceProps:
		rec.Cluster = p.Cluster
	}
	return rec
}

// ownerTags are the ownership tags Expand puts on every taggable child,
// with extra tags.
func ownerTags(owner, key string, extra map[string]string) map[string]string {
	m := map[string]string{composite.TagOwner: owner, composite.TagKey: key}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// sameTags reports whether two tag maps are equal.
func sameTags(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// requireTags fails unless the tag maps are equal.
func requireTags(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !sameTags(got, want) {
		t.Errorf("%s: tags = %v, want %v", what, got, want)
	}
}

// requireOutputs fails unless every listed output is present and non-empty.
func requireOutputs(t *testing.T, outputs map[string]string, attrs ...string) {
	t.Helper()
	for _, a := range attrs {
		if outputs[a] == "" {
			t.Errorf("output %q missing in %v", a, outputs)
		}
	}
}
