package service

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// The call budget: the same service written as eleven raw
// hashicorp/aws resources takes 38 calls to create and 22 to refresh.
const (
	createCallBudget  = 24
	refreshCallBudget = 12
	budgetLatency     = 50 * time.Millisecond
	// The same service autoscaled (a scalable target, CPU and requests
	// policies, one scheduled action) on its own Spot strategy.
	autoscaledCreateBudget  = 28
	autoscaledRefreshBudget = 15
)

// autoscaledBudgetSpec is budgetSpec with autoscaling and a strategy.
func autoscaledBudgetSpec(name, cluster string, n acctest.Network) composite.ServiceSpec {
	s := budgetSpec(name, cluster, n)
	s.Autoscaling = &composite.AutoscalingSpec{
		MinCount: composite.Ptr[int64](2), MaxCount: composite.Ptr[int64](6),
		CPUTarget: composite.Ptr[int64](60), RequestsPerTarget: composite.Ptr[int64](1000),
		Schedules: map[string]composite.ScheduleSpec{"night": {Schedule: "cron(0 22 * * ? *)", MaxCount: composite.Ptr[int64](2)}},
	}
	s.CapacityProviderStrategy = []composite.CapacityProviderStrategySpec{
		{CapacityProvider: "FARGATE", Base: composite.Ptr[int64](1)}, {CapacityProvider: "FARGATE_SPOT", Weight: composite.Ptr[int64](3)},
	}
	return s
}

// budgetSpec is the full configuration: every optional child (load
// balancer, discovery, repository, secrets, task role policy).
func budgetSpec(name, cluster string, n acctest.Network) composite.ServiceSpec {
	return composite.ServiceSpec{
		Name:         name,
		Cluster:      cluster,
		DesiredCount: composite.Ptr[int64](2),
		Containers: map[string]composite.ContainerSpec{"web": {
			Image:       "public.ecr.aws/nginx/nginx:1.27",
			Port:        composite.Ptr[int64](8080),
			Environment: map[string]string{"LOG_LEVEL": "info"},
			Secrets:     map[string]string{"DB_PASSWORD": n.SecretARN},
		}},
		Network:          composite.NetworkSpec{SubnetIDs: n.SubnetIDs, SecurityGroupIDs: []string{n.SecurityGroupID}},
		LoadBalancer:     &composite.LoadBalancerSpec{ListenerARN: n.ListenerARN, PathPatterns: []string{"/*"}, HealthCheck: &composite.HealthCheckSpec{Path: "/healthz"}},
		ServiceDiscovery: &composite.ServiceDiscoverySpec{NamespaceID: n.NamespaceID, NamespaceType: composite.NamespaceTypeHTTP},
		Repository:       &composite.RepositorySpec{},
		TaskRolePolicyJSON: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],` +
			`"Resource":["arn:aws:s3:::bucket/*"]}]}`,
		Tags: map[string]string{"team": "payments"},
	}
}

// proxyClients builds the provider's clients with every endpoint at the proxy
// (skipping STS: the call budget is about the service's children).
func proxyClients(t *testing.T, p *acctest.Proxy) *conns.Clients {
	t.Helper()
	eps := map[string]string{}
	for _, s := range conns.EndpointServices {
		eps[s] = p.URL()
	}
	c, err := conns.New(context.Background(), conns.Config{
		Region: acctest.Region(), Endpoints: eps, SkipCredentialsValidation: true, SkipRequestingAccountID: true,
	})
	if err != nil {
		t.Fatalf("building clients: %v", err)
	}
	return c
}

// TestAccService_callBudget counts the AWS calls of one full create and of
// one refresh (what `terraform plan` does for the resource), through the
// provider's own engine and handlers, and measures the create with 50 ms of
// latency per call.
func TestAccService_callBudget(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests need TF_ACC=1 (make test sets it)")
	}
	if acctest.Endpoint() == "" {
		t.Skip("the call budget is measured against the emulator")
	}
	t.Parallel()
	ctx := context.Background()
	cluster := acctest.RandomName("cl")
	acctest.CreateCluster(t, cluster)
	// The autoscaled service's strategy uses both Fargate providers.
	if _, err := ecs.NewFromConfig(acctest.MustConfig(t)).PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster: aws.String(cluster), CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{},
	}); err != nil {
		t.Fatal(err)
	}

	proxy, err := acctest.NewProxy(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	clients := proxyClients(t, proxy)
	reg := Registry(clients)
	env := composite.Env{Region: clients.Region, Partition: clients.Partition}
	opts := engine.Options{Concurrency: adapter.DefaultOptions(0).Concurrency}

	// run creates one service, refreshes it and destroys it, returning the
	// calls of the create and of the refresh and the create's wall time.
	run := func(latency time.Duration, spec func(name, cluster string, n acctest.Network) composite.ServiceSpec) (create, refresh []acctest.Call, elapsed time.Duration) {
		t.Helper()
		name := acctest.RandomName("svc")
		n := acctest.CreateNetwork(t, name)
		g, err := composite.ExpandService(spec(name, cluster, n), env)
		if err != nil {
			t.Fatalf("expand: %v", err)
		}
		empty := map[string]composite.Recorded{}
		proxy.SetLatency(latency)
		proxy.ResetCalls()
		start := time.Now()
		rec, err := engine.Apply(ctx, reg, g, empty, composite.Diff(g, empty), opts)
		elapsed = time.Since(start)
		create = proxy.Calls()
		t.Cleanup(func() {
			proxy.SetLatency(0)
			if _, err := engine.Destroy(ctx, reg, rec, opts); err != nil {
				t.Errorf("destroy: %v", err)
			}
			if err := acctest.CheckServiceDestroyed(cluster, name)(nil); err != nil {
				t.Error(err)
			}
		})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		proxy.ResetCalls()
		out, gone, err := engine.Refresh(ctx, reg, rec, opts)
		refresh = proxy.Calls()
		if err != nil || len(gone) > 0 || len(out) != len(rec) {
			t.Fatalf("refresh: err %v, gone %v, %d of %d children", err, gone, len(out), len(rec))
		}
		if actions := composite.Diff(g, out); changes(actions) > 0 {
			t.Errorf("plan after refresh is not empty: %v", actions)
		}
		return create, refresh, elapsed
	}

	create, refresh, _ := run(0, budgetSpec)
	t.Logf("create: %d calls (%d mutating): %s", len(create), countMutating(create), opList(create))
	t.Logf("refresh: %d calls: %s", len(refresh), opList(refresh))
	if len(create) > createCallBudget {
		t.Errorf("a full create made %d AWS calls, budget %d", len(create), createCallBudget)
	}
	if len(refresh) > refreshCallBudget {
		t.Errorf("a refresh made %d AWS calls, budget %d", len(refresh), refreshCallBudget)
	}
	// No operation is repeated in a refresh: every child is read with one call
	// and no call repeats what another already answered.
	seen := map[string]int{}
	for _, c := range refresh {
		seen[c.String()]++
	}
	kinds := map[string]int{}
	for _, ch := range mustExpandKinds(t, cluster, env) {
		kinds[ch]++
	}
	for op, n := range seen {
		if n > 1 && n > kinds[op] {
			t.Errorf("refresh repeats %s %d times", op, n)
		}
	}
	for _, c := range append(append([]acctest.Call(nil), create...), refresh...) {
		if c.Status >= 400 {
			t.Errorf("call %s answered HTTP %d", c, c.Status)
		}
	}

	_, _, elapsed := run(budgetLatency, budgetSpec)
	t.Logf("create with %s latency per call: %s", budgetLatency, elapsed.Round(time.Millisecond))

	// Autoscaled, on its own strategy.
	create, refresh, _ = run(0, autoscaledBudgetSpec)
	t.Logf("autoscaled create: %d calls (%d mutating): %s", len(create), countMutating(create), opList(create))
	t.Logf("autoscaled refresh: %d calls: %s", len(refresh), opList(refresh))
	if len(create) > autoscaledCreateBudget {
		t.Errorf("an autoscaled create made %d AWS calls, budget %d", len(create), autoscaledCreateBudget)
	}
	if len(refresh) > autoscaledRefreshBudget {
		t.Errorf("an autoscaled refresh made %d AWS calls, budget %d", len(refresh), autoscaledRefreshBudget)
	}
}

// mustExpandKinds returns, per read operation, how many children legitimately
// use it (two IAM roles are read with two GetRole calls, two inline policies
// with two GetRolePolicy calls).
func mustExpandKinds(t *testing.T, cluster string, env composite.Env) []string {
	t.Helper()
	n := acctest.Network{SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupID: "sg-1",
		ListenerARN: "arn:aws:elasticloadbalancing:" + env.Region + ":123456789012:listener/app/x/1/2",
		NamespaceID: "ns-1", SecretARN: "arn:aws:secretsmanager:" + env.Region + ":123456789012:secret:db-AbCdEf"}
	g, err := composite.ExpandService(budgetSpec("x", cluster, n), env)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	readOp := map[composite.Kind]string{
		composite.KindIAMRole:       "iam:GetRole",
		composite.KindIAMRolePolicy: "iam:GetRolePolicy",
	}
	var out []string
	for _, c := range g.Children {
		if op, ok := readOp[c.Kind]; ok {
			out = append(out, op)
		}
	}
	return out
}

func changes(actions []composite.Action) int {
	n := 0
	for _, a := range actions {
		if a.Changes() {
			n++
		}
	}
	return n
}

func countMutating(calls []acctest.Call) int {
	n := 0
	for _, c := range calls {
		if acctest.IsMutating(c.Operation) {
			n++
		}
	}
	return n
}

// opList renders calls as "svc:Op xN" in first-seen order.
func opList(calls []acctest.Call) string {
	count := map[string]int{}
	var order []string
	for _, c := range calls {
		if count[c.String()] == 0 {
			order = append(order, c.String())
		}
		count[c.String()]++
	}
	parts := make([]string, len(order))
	for i, op := range order {
		parts[i] = op
		if count[op] > 1 {
			parts[i] += fmt.Sprintf(" x%d", count[op])
		}
	}
	return strings.Join(parts, ", ")
}
