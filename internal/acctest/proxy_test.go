package acctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// fakeBackend answers every request with a minimal success response in the
// request's protocol and remembers the decoded form bodies it received.
type fakeBackend struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
}

func newFakeBackend(t *testing.T) *fakeBackend {
	t.Helper()
	b := &fakeBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Target") != "" {
			w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
			_, _ = io.WriteString(w, "{}")
			return
		}
		form, _ := url.ParseQuery(string(body))
		b.mu.Lock()
		b.forms = append(b.forms, form)
		b.mu.Unlock()
		action := form.Get("Action")
		w.Header().Set("Content-Type", "text/xml")
		if strings.Contains(r.Header.Get("Authorization"), "/ec2/aws4_request") {
			fmt.Fprintf(w, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId></%[1]sResponse>`, action)
			return
		}
		fmt.Fprintf(w, `<%sResponse><%[1]sResult></%[1]sResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%[1]sResponse>`, action)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *fakeBackend) Forms() []url.Values {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]url.Values(nil), b.forms...)
}

func newTestProxy(t *testing.T) (*Proxy, *fakeBackend) {
	t.Helper()
	b := newFakeBackend(t)
	p, err := NewProxy(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, b
}

// testConfig is an SDK config with static credentials pointed at the proxy,
// without retries.
func testConfig(p *Proxy) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(p.URL()),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// wantAPIError asserts err is a smithy.APIError with the given code and message.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want smithy.APIError %s, got %T: %v", code, err, err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func injectedFlags(calls []Call) []bool {
	out := make([]bool, len(calls))
	for i, c := range calls {
		out[i] = c.Injected
	}
	return out
}

func TestProxy_recordsServiceAndOperation(t *testing.T) {
	p, backend := newTestProxy(t)
	ctx := context.Background()
	cfg := testConfig(p)

	if _, err := ecs.NewFromConfig(cfg).ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ecs.NewFromConfig(cfg).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("role-1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := elbv2.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"ecs:ListClusters",
		"ecs:CreateCluster",
		"iam:GetRole",
		"ec2:DescribeVpcs",
		"elasticloadbalancing:DescribeLoadBalancers",
	}
	if got := p.Operations(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Operations() = %q, want %q", got, want)
	}
	for _, c := range p.Calls() {
		if c.Status != http.StatusOK || c.Injected || c.Duration <= 0 {
			t.Errorf("call %s: status %d injected %v duration %v", c, c.Status, c.Injected, c.Duration)
		}
	}

	// The query body was read for the Action and forwarded intact.
	forms := backend.Forms()
	if len(forms) != 3 || forms[0].Get("Action") != "GetRole" || forms[0].Get("RoleName") != "role-1" {
		t.Fatalf("backend forms = %v", forms)
	}

	if got := p.MutatingCalls(); len(got) != 1 || got[0].String() != "ecs:CreateCluster" {
		t.Fatalf("MutatingCalls() = %v", got)
	}
	if n := p.CountCalls(func(c Call) bool { return c.Service == "ecs" }); n != 2 {
		t.Fatalf("CountCalls(ecs) = %d, want 2", n)
	}
	if n := p.CountCalls(nil); n != 5 {
		t.Fatalf("CountCalls(nil) = %d, want 5", n)
	}
	p.ResetCalls()
	if n := len(p.Calls()); n != 0 {
		t.Fatalf("after ResetCalls: %d calls", n)
	}
}

func TestProxy_faultNthJSON(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	client := ecs.NewFromConfig(testConfig(p))

	p.Inject(Fault{Service: "ecs", Operation: "ListClusters", Nth: 2, Code: "AccessDeniedException", Status: 400, Message: "not today"})

	for i := 1; i <= 3; i++ {
		_, err := client.ListClusters(ctx, &ecs.ListClustersInput{})
		if i == 2 {
			wantAPIError(t, err, "AccessDeniedException", "not today")
		} else if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		// A non-matching operation does not count towards Nth.
		if _, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{}); err != nil {
			t.Fatalf("DescribeClusters: %v", err)
		}
	}
	calls := p.Calls()
	if got, want := injectedFlags(calls), []bool{false, false, true, false, false, false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("injected = %v, want %v", got, want)
	}
	if calls[2].Status != 400 || calls[2].Operation != "ListClusters" {
		t.Fatalf("injected call = %+v", calls[2])
	}

	// A modeled error code yields the typed error, still a smithy.APIError.
	p.Inject(Fault{Service: "ecs", Operation: "DescribeClusters", Code: "ClusterNotFoundException", Message: "gone"})
	_, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	wantAPIError(t, err, "ClusterNotFoundException", "gone")
}

func TestProxy_faultQueryXML(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	client := iam.NewFromConfig(testConfig(p))

	p.Inject(Fault{Service: "iam", Operation: "GetRole", Nth: 1, Code: "NoSuchEntity", Status: 404, Message: "The role with name r cannot be found."})
	_, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name r cannot be found.")

	// Unmodeled code and a message that needs XML escaping.
	p.Inject(Fault{Service: "iam", Operation: "CreateRole", Code: "LimitExceeded", Status: 409, Message: `quota <roles> & "more"`})
	_, err = client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String("{}")})
	wantAPIError(t, err, "LimitExceeded", `quota <roles> & "more"`)

	if _, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatalf("after fault: %v", err)
	}
	if got, want := injectedFlags(p.Calls()), []bool{true, true, false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("injected = %v, want %v", got, want)
	}
}

func TestProxy_faultEC2(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	client := ec2.NewFromConfig(testConfig(p))

	p.Inject(Fault{Service: "ec2", Operation: "DescribeVpcs", Nth: 1, Code: "InvalidVpcID.NotFound", Status: 400, Message: "The vpc ID 'vpc-1' does not exist"})
	_, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-1"}})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist")
	if _, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("second call: %v", err)
	}
}

func TestProxy_faultTimesAndClear(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	client := ecs.NewFromConfig(testConfig(p))

	p.Inject(Fault{Service: "ecs", Operation: "ListClusters", Nth: 2, Times: 2, Code: "InvalidParameterException", Message: "bad"})
	var got []bool
	for i := 0; i < 5; i++ {
		_, err := client.ListClusters(ctx, &ecs.ListClustersInput{})
		got = append(got, err != nil)
		if err != nil {
			wantAPIError(t, err, "InvalidParameterException", "bad")
		}
	}
	if want := []bool{false, true, true, false, false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("failures = %v, want %v", got, want)
	}

	// Wildcard fault (any service/operation), then ClearFaults.
	p.Inject(Fault{Times: 100, Code: "AccessDenied", Status: 403, Message: "denied"})
	_, err := iam.NewFromConfig(testConfig(p)).ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "AccessDenied", "denied")
	p.ClearFaults()
	if _, err := client.ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}

// TestProxy_faultRetried shows why tests should prefer 4xx, non-throttling
// codes: the SDK retries throttling and 5xx faults, and each attempt is a
// matching call.
func TestProxy_faultRetried(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	cfg := testConfig(p)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	client := ecs.NewFromConfig(cfg)

	// Two throttles are absorbed by retries: the operation succeeds.
	p.Inject(Fault{Service: "ecs", Operation: "ListClusters", Times: 2, Code: "ThrottlingException", Status: 400, Message: "Rate exceeded"})
	if _, err := client.ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("want success after retries, got %v", err)
	}
	if got, want := injectedFlags(p.Calls()), []bool{true, true, false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("injected = %v, want %v", got, want)
	}

	// A 5xx fault on every attempt exhausts them and surfaces the error.
	p.ClearFaults()
	p.ResetCalls()
	p.Inject(Fault{Service: "ecs", Times: 3, Code: "ServerException", Status: 500, Message: "boom"})
	_, err := client.ListClusters(ctx, &ecs.ListClustersInput{})
	wantAPIError(t, err, "ServerException", "boom")
	if n := p.CountCalls(func(c Call) bool { return c.Injected && c.Status == 500 }); n != 3 {
		t.Fatalf("injected 500s = %d, want 3", n)
	}
}

func TestProxy_latency(t *testing.T) {
	p, _ := newTestProxy(t)
	const d = 80 * time.Millisecond
	p.SetLatency(d)
	start := time.Now()
	if _, err := ecs.NewFromConfig(testConfig(p)).ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < d {
		t.Fatalf("call took %v, want >= %v", el, d)
	}
	if c := p.Calls()[0]; c.Duration < d {
		t.Fatalf("recorded duration %v, want >= %v", c.Duration, d)
	}

	// Latency also delays injected faults.
	p.Inject(Fault{Code: "AccessDeniedException", Message: "x"})
	start = time.Now()
	_, err := ecs.NewFromConfig(testConfig(p)).ListClusters(context.Background(), &ecs.ListClustersInput{})
	wantAPIError(t, err, "AccessDeniedException", "x")
	if el := time.Since(start); el < d {
		t.Fatalf("injected call took %v, want >= %v", el, d)
	}
}

func TestProxy_concurrent(t *testing.T) {
	p, _ := newTestProxy(t)
	ctx := context.Background()
	cfg := testConfig(p)
	ecsClient, iamClient := ecs.NewFromConfig(cfg), iam.NewFromConfig(cfg)

	var hooked, failed atomic.Int64
	p.OnCall(func(Call) { hooked.Add(1) })
	p.Inject(Fault{Service: "ecs", Times: 10, Code: "InvalidParameterException", Message: "bad"})
	p.SetLatency(time.Millisecond)

	const workers, perWorker = 16, 6
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				var err error
				if i%2 == 0 {
					_, err = ecsClient.ListClusters(ctx, &ecs.ListClustersInput{})
				} else {
					_, err = iamClient.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
				}
				if err != nil {
					failed.Add(1)
				}
				_ = p.Operations()
			}
		}()
	}
	wg.Wait()

	total := workers * perWorker
	if n := p.CountCalls(nil); n != total {
		t.Fatalf("recorded %d calls, want %d", n, total)
	}
	if n := p.CountCalls(func(c Call) bool { return c.Injected }); n != 10 || failed.Load() != 10 {
		t.Fatalf("injected %d, failed %d, want 10", n, failed.Load())
	}
	if n := p.CountCalls(func(c Call) bool { return c.Injected && c.Service != "ecs" }); n != 0 {
		t.Fatalf("%d non-ecs calls injected", n)
	}
	if hooked.Load() != int64(total) {
		t.Fatalf("OnCall ran %d times, want %d", hooked.Load(), total)
	}
}

func TestProxy_forwardErrorAndBadTarget(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	p, err := NewProxy(dead.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Get(p.URL() + "/?Action=DescribeVpcs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := p.Calls(); len(c) != 1 || c[0].Status != http.StatusBadGateway || c[0].Operation != "DescribeVpcs" {
		t.Fatalf("calls = %+v", c)
	}
	p.Close() // idempotent

	for _, target := range []string{"", "127.0.0.1:4566", "://x"} {
		if _, err := NewProxy(target); err == nil {
			t.Errorf("NewProxy(%q): want error", target)
		}
	}
}

func TestSigningServiceAndOperation(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	r.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
	if s, o := signingService(r), operationName(r); s != "logs" || o != "CreateLogGroup" {
		t.Fatalf("got %q %q", s, o)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=AssumeRole&Version=2011-06-15"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=abc")
	if s, o := signingService(r), operationName(r); s != "sts" || o != "AssumeRole" {
		t.Fatalf("got %q %q", s, o)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "Action=AssumeRole&Version=2011-06-15" {
		t.Fatalf("body not restored: %q", b)
	}
}

func TestIsMutating(t *testing.T) {
	for op, want := range map[string]bool{
		"CreateService":                 true,
		"ecs:UpdateService":             true,
		"TagResource":                   true,
		"UntagResource":                 true,
		"PutRetentionPolicy":            true,
		"RegisterTaskDefinition":        true,
		"AuthorizeSecurityGroupIngress": true,
		"Stop":                          true,
		"DescribeServices":              false,
		"ListTagsForResource":           false,
		"GetRole":                       false,
		"iam:GetRole":                   false,
		"Settings":                      false,
		"":                              false,
	} {
		if got := IsMutating(op); got != want {
			t.Errorf("IsMutating(%q) = %v, want %v", op, got, want)
		}
	}
}
