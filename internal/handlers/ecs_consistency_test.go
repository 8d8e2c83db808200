package handlers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// Tests that reproduce AWS behaviours moto does not have (issue 8, items
// 2-5, 9, 14, 19-21): through the consistency proxy of internal/acctest
// (AWS's eventual-consistency windows), through the patched emulator where
// it models them, and, where neither does, through a client wrapper that
// reshapes the emulator's answers the way AWS answers (named after what it
// reproduces).

// consistent is the acceptance environment's ECS and IAM clients through a
// consistency proxy with realistic windows; the test skips when the mode is
// turned off (CONTAINERAPP_TEST_CONSISTENCY=0).
type consistent struct {
	p   *acctest.Proxy
	ecs *ecs.Client
	iam *iam.Client
}

func (a *accEnv) throughConsistencyProxy() consistent {
	a.t.Helper()
	p, err := acctest.NewProxy(acctest.Endpoint(), acctest.WithConsistency(acctest.RealisticWindows()))
	if err != nil {
		a.t.Fatalf("starting the consistency proxy: %v", err)
	}
	a.t.Cleanup(p.Close)
	if !p.ConsistencyEnabled() {
		a.t.Skipf("consistency mode is off (%s)", acctest.ConsistencyEnv)
	}
	at := func(o *ecs.Options) { o.BaseEndpoint = aws.String(p.URL()) }
	return consistent{
		p:   p,
		ecs: ecs.NewFromConfig(a.cfg, at),
		iam: iam.NewFromConfig(a.cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(p.URL()) }),
	}
}

// Item 2: right after CreateService, DescribeServices reports the service
// MISSING for a while; the steady-state wait takes it for a read that lags,
// not for a service that disappeared.
func TestAccECSServiceHandler_waitToleratesMissingNewService(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	c := a.throughConsistencyProxy()
	h := NewECSServiceHandler(c.ecs, a.ecr)
	child := serviceChild(f.props(acctest.RandomName("web"), f.tdARN, 2, nil))
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })
	requireHits(t, c.p, acctest.RuleServiceMissing)
}

// staleReadsECS answers the first `stale` DescribeServices after an
// UpdateService with the answer the service had before it: AWS's reads lag
// its writes (the deployment list does not show the new deployment yet, the
// service still reads the previous task definition).
type staleReadsECS struct {
	ECSServiceAPI
	mu       sync.Mutex
	stale    int
	last     *ecs.DescribeServicesOutput
	replayed int
	pending  int
}

func (s *staleReadsECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, o ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	out, err := s.ECSServiceAPI.UpdateService(ctx, in, o...)
	if err == nil {
		s.mu.Lock()
		s.pending = s.stale
		s.mu.Unlock()
	}
	return out, err
}

func (s *staleReadsECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, o ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	s.mu.Lock()
	if s.pending > 0 && s.last != nil {
		s.pending--
		s.replayed++
		last := s.last
		s.mu.Unlock()
		return last, nil
	}
	s.mu.Unlock()
	out, err := s.ECSServiceAPI.DescribeServices(ctx, in, o...)
	if err == nil {
		s.mu.Lock()
		s.last = out
		s.mu.Unlock()
	}
	return out, err
}

// Item 2: right after UpdateService, a read that does not list the new
// deployment yet (and still shows the previous task definition) is not a
// rollback.
func TestAccECSServiceHandler_waitToleratesStaleDeployments(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	api := &staleReadsECS{ECSServiceAPI: a.ecs, stale: 2}
	h := NewECSServiceHandler(api, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, f.tdARN, 2, nil))
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })

	child2 := serviceChild(f.props(name, f.register(a, "public.ecr.aws/nginx/nginx:1.28"), 2, nil))
	if _, err := h.Update(a.ctx, child2, rec); err != nil {
		t.Fatalf("Update with reads that lag: %v", err)
	}
	if api.replayed != 2 {
		t.Errorf("stale reads answered = %d, want 2", api.replayed)
	}
}

// Item 3: a service of the same name deleted moments ago is DRAINING and
// holds its name; Create waits for it to be INACTIVE instead of failing.
func TestAccECSServiceHandler_recreateAfterDelete(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	c := a.throughConsistencyProxy()
	h := NewECSServiceHandler(c.ecs, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, f.tdARN, 1, nil))
	if _, err := h.Create(a.ctx, child); err != nil {
		t.Fatalf("Create: %v", err)
	}
	// Deleted out of band (the console, a CI job): DRAINING for a while.
	if _, err := c.ecs.DeleteService(a.ctx, &ecs.DeleteServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(name), Force: aws.Bool(true)}); err != nil {
		t.Fatalf("DeleteService: %v", err)
	}
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create right after the delete: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })
	requireHits(t, c.p, acctest.RuleServiceDraining)
	if svc := describeService(t, a, f.cluster, name); aws.ToString(svc.Status) != serviceStatusActive {
		t.Errorf("re-created service is %s", aws.ToString(svc.Status))
	}
}

// Item 3: CreateService refusing the name ("Creation of service was not
// idempotent.") while no ACTIVE service holds it is retried; while an
// ACTIVE service of another owner holds it, Create refuses at once.
func TestAccECSServiceHandler_createRetriesNameNotReleased(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, f.tdARN, 1, nil))
	a.ops.failNext("CreateService", errCodeInvalidParameter, "Creation of service was not idempotent.", 2)
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })
	a.expectCalls("Create retried", "DescribeServices", "DescribeTaskDefinition",
		"CreateService", "DescribeServices", "CreateService", "DescribeServices", "CreateService", "DescribeServices")

	// Held by an ACTIVE service the pre-check did not see: the take-over
	// rules decide at once (here: another owner's, refused).
	other := serviceChild(f.props(name, f.tdARN, 1, ownerTags("someone-else", "service", nil)))
	a.ops.failNext("DescribeServices", "ServiceNotFoundException", "not visible yet", 1)
	a.ops.failNext("CreateService", errCodeInvalidParameter, "Creation of service was not idempotent.", 1)
	start := time.Now()
	if _, err := h.Create(a.ctx, other); !errors.Is(err, ErrServiceAlreadyExists) {
		t.Fatalf("Create over an ACTIVE service: err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusal took %s: an ACTIVE holder must not be retried", d)
	}
}

// Item 4: a cluster and its services created in one apply: CreateService
// and DescribeServices answer ClusterNotFoundException for a new cluster for
// a while; the service's Create retries it.
func TestAccECSServiceHandler_newCluster(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	c := a.throughConsistencyProxy()
	clusters := NewECSClusterHandler(c.ecs)
	name := acctest.RandomName("cluster")
	cchild := newChild(composite.KeyCluster, composite.KindECSCluster, name, testClusterProps(name, ownerTags(name, composite.KeyCluster, nil)))
	crec, err := clusters.Create(a.ctx, cchild)
	if err != nil {
		t.Fatalf("cluster Create: %v", err)
	}
	h := NewECSServiceHandler(c.ecs, a.ecr)
	p := f.props(acctest.RandomName("web"), f.tdARN, 1, nil)
	p.Cluster = name
	child := serviceChild(p)
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("service Create in the new cluster: %v", err)
	}
	requireHits(t, c.p, acctest.RuleClusterNotFound)
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("service Delete: %v", err)
	}
	if err := clusters.Delete(a.ctx, recorded(cchild, crec)); err != nil {
		t.Fatalf("cluster Delete: %v", err)
	}
}

// clusterStatusECS reports the cluster with the given statuses in
// CreateCluster's answer and the first DescribeClusters answers, as AWS
// does while capacity providers are attached (PROVISIONING) or detached
// (DEPROVISIONING).
type clusterStatusECS struct {
	ECSClusterAPI
	mu        sync.Mutex
	created   string
	described []string
	polls     int
}

func (s *clusterStatusECS) CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, o ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error) {
	out, err := s.ECSClusterAPI.CreateCluster(ctx, in, o...)
	if err == nil && out.Cluster != nil && s.created != "" {
		out.Cluster.Status = aws.String(s.created)
	}
	return out, err
}

func (s *clusterStatusECS) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, o ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	out, err := s.ECSClusterAPI.DescribeClusters(ctx, in, o...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	if err == nil && len(s.described) > 0 {
		status := s.described[0]
		s.described = s.described[1:]
		if len(out.Clusters) == 0 {
			out.Clusters = []ecstypes.Cluster{{ClusterArn: aws.String(in.Clusters[0]), ClusterName: aws.String(lastSegment(in.Clusters[0]))}}
			out.Failures = nil
		}
		out.Clusters[0].Status = aws.String(status)
	}
	return out, err
}

// Item 4: cluster Create waits until the cluster is ACTIVE; Item 14: Delete
// waits until it is INACTIVE.
func TestAccECSClusterHandler_waitsForStatus(t *testing.T) {
	a := newAcc(t)
	old := clusterPollInterval
	clusterPollInterval = 50 * time.Millisecond
	t.Cleanup(func() { clusterPollInterval = old })
	api := &clusterStatusECS{ECSClusterAPI: a.ecs, created: "PROVISIONING"}
	h := NewECSClusterHandler(api)
	name := acctest.RandomName("cluster")
	child := newChild(composite.KeyCluster, composite.KindECSCluster, name, testClusterProps(name, ownerTags(name, composite.KeyCluster, nil)))
	t.Cleanup(func() {
		_, _ = a.ecs.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	})

	// The name check finds nothing; then PROVISIONING twice.
	api.described = []string{"INACTIVE", "PROVISIONING", "PROVISIONING"}
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if api.polls != 4 {
		t.Errorf("DescribeClusters calls = %d, want 4 (the name check, then until ACTIVE)", api.polls)
	}

	api.polls, api.described = 0, []string{"DEPROVISIONING", "DEPROVISIONING"}
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if api.polls != 3 {
		t.Errorf("DescribeClusters calls after DeleteCluster = %d, want 3 (until INACTIVE)", api.polls)
	}

	// FAILED (capacity providers not set up) is an error naming it.
	api.created, api.described = "PROVISIONING", []string{"INACTIVE", "FAILED"}
	name2 := acctest.RandomName("cluster")
	t.Cleanup(func() {
		_, _ = a.ecs.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name2)})
	})
	out2, err := h.Create(a.ctx, newChild(composite.KeyCluster, composite.KindECSCluster, name2, testClusterProps(name2, nil)))
	if err == nil || !strings.Contains(err.Error(), "FAILED") || out2[composite.AttrARN] == "" {
		t.Errorf("Create of a FAILED cluster = %v, %v; want an error and the outputs", out2, err)
	}
}

// Item 5: on an account's first use of ECS, CreateCluster answers "Unable
// to assume the service linked role" until the new AWSServiceRoleForECS
// propagates; Create retries it.
func TestAccECSClusterHandler_firstUseOfECS(t *testing.T) {
	a := newAcc(t)
	c := a.throughConsistencyProxy()
	suffix := strings.TrimPrefix(acctest.RandomName("t"), "t-")
	role, err := c.iam.CreateServiceLinkedRole(a.ctx, &iam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String("ecs.amazonaws.com"), CustomSuffix: aws.String(suffix),
	})
	if err != nil {
		t.Fatalf("CreateServiceLinkedRole: %v", err)
	}
	t.Cleanup(func() {
		_, _ = a.iam.DeleteServiceLinkedRole(context.Background(), &iam.DeleteServiceLinkedRoleInput{RoleName: role.Role.RoleName})
	})
	h := NewECSClusterHandler(c.ecs)
	name := acctest.RandomName("cluster")
	child := newChild(composite.KeyCluster, composite.KindECSCluster, name, testClusterProps(name, ownerTags(name, composite.KeyCluster, nil)))
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireHits(t, c.p, acctest.RuleRoleNotAssumable)
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

// Item 14: DeleteCluster answers ClusterContainsServicesException while a
// deleted service drains (ListServices no longer lists it); Delete retries
// until it is gone.
func TestAccECSClusterHandler_deleteWhileServicesDrain(t *testing.T) {
	a := newAcc(t)
	c := a.throughConsistencyProxy()
	cluster := a.newCluster()
	td, err := a.ecs.RegisterTaskDefinition(a.ctx, &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String(acctest.RandomName("td")),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(64)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ecs.CreateService(a.ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(cluster), ServiceName: aws.String("draining"), TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ecs.DeleteService(a.ctx, &ecs.DeleteServiceInput{Cluster: aws.String(cluster), Service: aws.String("draining"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	h := NewECSClusterHandler(c.ecs)
	if err := h.Delete(a.ctx, composite.Recorded{Name: cluster, ARN: cluster}); err != nil {
		t.Fatalf("Delete while a service drains: %v", err)
	}
	requireHits(t, c.p, acctest.RuleServiceDraining)
	if _, found, err := h.Observe(a.ctx, composite.Recorded{Name: cluster, ARN: cluster}, false); err != nil || found {
		t.Errorf("Observe after Delete = %v, %v", found, err)
	}
}

// failuresECS answers DescribeServices/DescribeClusters with a failure of
// another reason than MISSING (as AWS does, e.g., for a resource it cannot
// answer for), without the object.
type failuresECS struct {
	ECSServiceAPI
	clusters ECSClusterAPI
	on       bool
}

func (f *failuresECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, o ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	if !f.on {
		return f.ECSServiceAPI.DescribeServices(ctx, in, o...)
	}
	return &ecs.DescribeServicesOutput{Failures: []ecstypes.Failure{{Arn: aws.String(in.Services[0]), Reason: aws.String("UNAVAILABLE"), Detail: aws.String("try again")}}}, nil
}

type clusterFailuresECS struct{ ECSClusterAPI }

func (clusterFailuresECS) DescribeClusters(_ context.Context, in *ecs.DescribeClustersInput, _ ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	return &ecs.DescribeClustersOutput{Failures: []ecstypes.Failure{{Arn: aws.String(in.Clusters[0]), Reason: aws.String("UNAVAILABLE"), Detail: aws.String("try again")}}}, nil
}

// Item 19: ServiceNotFoundException means gone; a DescribeServices or
// DescribeClusters failure other than MISSING is an error, not "gone".
func TestAccECSHandlers_notFoundAndFailures(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	api := &failuresECS{ECSServiceAPI: a.ecs}
	h := NewECSServiceHandler(api, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, f.tdARN, 1, nil))
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = NewECSServiceHandler(a.ecs, nil).Delete(context.Background(), rec) })

	a.ops.failNext("DescribeServices", errCodeServiceNotFound, "Service not found.", 2)
	if _, found, err := h.Observe(a.ctx, rec, false); err != nil || found {
		t.Errorf("Observe on ServiceNotFoundException = %v, %v; want gone", found, err)
	}
	if err := h.Delete(a.ctx, rec); err != nil {
		t.Errorf("Delete on ServiceNotFoundException: %v", err)
	}

	api.on = true
	if _, found, err := h.Observe(a.ctx, rec, false); err == nil || found || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Errorf("Observe with a failure = %v, %v; want an error", found, err)
	}
	if err := h.waitInactive(a.ctx, f.cluster, name); err == nil || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Errorf("INACTIVE wait with a failure: err = %v; want an error, not gone", err)
	}
	api.on = false

	clusters := NewECSClusterHandler(clusterFailuresECS{a.ecs})
	if _, found, err := clusters.Observe(a.ctx, composite.Recorded{Name: f.cluster}, false); err == nil || found || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Errorf("cluster Observe with a failure = %v, %v; want an error", found, err)
	}
}

// scaleLagECS reports, for the first `lag` DescribeServices after an
// UpdateService that sets the desired count, the tasks of the previous
// count still running and the rest pending, the primary deployment
// COMPLETED: AWS does not start a deployment for a desired-count-only change.
type scaleLagECS struct {
	ECSServiceAPI
	mu      sync.Mutex
	lag     int
	left    int
	running int32
	reads   int
}

func (s *scaleLagECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, o ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	prev, _ := s.ECSServiceAPI.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: in.Cluster, Services: []string{aws.ToString(in.Service)}})
	out, err := s.ECSServiceAPI.UpdateService(ctx, in, o...)
	if err == nil && in.DesiredCount != nil && prev != nil && len(prev.Services) == 1 {
		s.mu.Lock()
		s.left, s.running, s.reads = s.lag, prev.Services[0].DesiredCount, 0
		s.mu.Unlock()
	}
	return out, err
}

func (s *scaleLagECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, o ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	out, err := s.ECSServiceAPI.DescribeServices(ctx, in, o...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if err == nil && s.left > 0 && len(out.Services) == 1 {
		s.left--
		svc := &out.Services[0]
		svc.RunningCount, svc.PendingCount = s.running, svc.DesiredCount-s.running
	}
	return out, err
}

// Item 20: a desired-count-only update waits until the new count runs.
func TestAccECSServiceHandler_desiredCountUpdateWaits(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	api := &scaleLagECS{ECSServiceAPI: a.ecs, lag: 3}
	h := NewECSServiceHandler(api, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, f.tdARN, 2, nil))
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })
	if _, err := h.Update(a.ctx, child, rec); err != nil { // converge what moto drops on create
		t.Fatalf("first Update: %v", err)
	}
	if _, err := h.Update(a.ctx, serviceChild(f.props(name, f.tdARN, 3, nil)), rec); err != nil {
		t.Fatalf("desired-count Update: %v", err)
	}
	if api.reads < 4 {
		t.Errorf("DescribeServices polls after the desired-count update = %d, want at least 4 (3 with tasks pending, then steady)", api.reads)
	}
}

// A minimal Docker image manifest (ECR PutImage stores it as the image).
const testImageManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
	`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,` +
	`"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},` +
	`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,` +
	`"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}`

// Item 9: the composite's own repository is still empty on the first apply:
// the service is created with desired count 0, no steady-state wait, and a
// warning telling to push; once the image is pushed, an Update scales it up.
// (The patched emulator fails the rollout of a deployment whose image is
// absent from this account's ECR, as tasks would with
// CannotPullContainerError.)
func TestAccECSServiceHandler_imageNotPushedYet(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	repoName := acctest.RandomName("app")
	repo, err := a.ecr.CreateRepository(a.ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repoName)})
	if err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	t.Cleanup(func() {
		_, _ = a.ecr.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String(repoName), Force: true})
	})
	image := aws.ToString(repo.Repository.RepositoryUri) + ":v1"
	td := f.register(a, image)
	h := NewECSServiceHandler(a.ecs, a.ecr)
	name := acctest.RandomName("web")
	child := serviceChild(f.props(name, td, 2, nil))

	ctx, warnings := engine.WithWarnings(a.ctx)
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create with the image not pushed: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 0 {
		t.Errorf("desired count = %d, want 0 while the image is absent", svc.DesiredCount)
	}
	requireWarning(t, warnings, image, "push", "scales the service to 2")

	// Observe reports the live count: the drift rule plans the update.
	if obs, _, err := h.Observe(a.ctx, rec, false); err != nil || obs.Props.(*composite.ServiceProps).DesiredCount != 0 {
		t.Errorf("Observe = %+v, %v; want desired count 0", obs.Props, err)
	}
	// Still not pushed: kept at 0, warned again.
	ctx, warnings = engine.WithWarnings(a.ctx)
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("Update with the image still absent: %v", err)
	}
	requireWarning(t, warnings, image, "kept")
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 0 {
		t.Errorf("desired count = %d, want still 0", svc.DesiredCount)
	}

	// Pushed: the next Update scales the service up and waits.
	if _, err := a.ecr.PutImage(a.ctx, &ecr.PutImageInput{RepositoryName: aws.String(repoName), ImageTag: aws.String("v1"),
		ImageManifest: aws.String(testImageManifest)}); err != nil {
		t.Fatalf("PutImage: %v", err)
	}
	ctx, warnings = engine.WithWarnings(a.ctx)
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("Update after the push: %v", err)
	}
	if w := warnings.All(); len(w) != 0 {
		t.Errorf("warnings after the push: %v", w)
	}
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 2 {
		t.Errorf("desired count after the push = %d, want 2", svc.DesiredCount)
	}
}

func requireWarning(t *testing.T, w *engine.Warnings, parts ...string) {
	t.Helper()
	all := w.All()
	if len(all) != 1 {
		t.Fatalf("warnings = %v, want one", all)
	}
	text := all[0].Summary + "\n" + all[0].Detail
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("warning %q does not mention %q", text, p)
		}
	}
}

// Item 21: with wait_for_steady_state = false the previous task definition
// revision is not deregistered while the deployment of the new one (which
// may roll back to it) is in progress: it stays registered, recorded by the
// service, and a later update deletes it once no deployment uses it.
func TestAccECSServiceHandler_keepsRollbackRevision(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)
	tds := h.KeepRollbackRevisions(f.td)
	name := acctest.RandomName("web")
	p1 := f.props(name, f.tdARN, 2, nil)
	child := serviceChild(p1)
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })

	// The new revision rolls out without a wait; more tasks than the
	// emulator starts (MOTO_ECS_SERVICE_RUNNING) keep it IN_PROGRESS.
	td2 := f.register(a, "public.ecr.aws/nginx/nginx:1.28")
	p2 := f.props(name, td2, 5000, nil)
	p2.WaitForSteadyState = false
	out2, err := h.Update(a.ctx, serviceChild(p2), rec)
	if err != nil {
		t.Fatalf("Update without a wait: %v", err)
	}
	if out2[AttrRetainedTaskDefinitions] != f.tdARN {
		t.Errorf("retained revisions = %q, want %q", out2[AttrRetainedTaskDefinitions], f.tdARN)
	}
	rec2 := rec
	rec2.Outputs = out2
	svc := describeService(t, a, f.cluster, name)
	if len(svc.Deployments) < 2 {
		t.Skip("the emulator does not start a deployment on UpdateService (plain moto); the patched emulator does")
	}

	// The engine deletes the deposed revision at the end of the apply.
	ctx, warnings := engine.WithWarnings(a.ctx)
	if err := tds.Delete(ctx, composite.Recorded{Key: "task_definition#deposed", Kind: composite.KindTaskDefinition, ARN: f.tdARN}); err != nil {
		t.Fatalf("deleting the deposed revision: %v", err)
	}
	requireWarning(t, warnings, lastSegment(f.tdARN), "kept registered", "may roll back")
	if st := taskDefinitionStatus(t, a, f.tdARN); st != ecstypes.TaskDefinitionStatusActive {
		t.Errorf("previous revision is %s, want ACTIVE while the rollout may roll back to it", st)
	}
	// Observe keeps the record of it across refreshes.
	if obs, _, err := h.Observe(a.ctx, rec2, false); err != nil || obs.Outputs[AttrRetainedTaskDefinitions] != f.tdARN {
		t.Errorf("Observe outputs = %v, %v", obs.Outputs, err)
	}

	// A later apply (a new registry) whose deployment completes: the
	// revision no deployment uses is deleted, the record cleared.
	h2 := NewECSServiceHandler(a.ecs, a.ecr)
	h2.KeepRollbackRevisions(f.td)
	td3 := f.register(a, "public.ecr.aws/nginx/nginx:1.29")
	out3, err := h2.Update(a.ctx, serviceChild(f.props(name, td3, 2, nil)), rec2)
	if err != nil {
		t.Fatalf("later Update: %v", err)
	}
	if got, ok := out3[AttrRetainedTaskDefinitions]; !ok || got != "" {
		t.Errorf("retained revisions after the later update = %q (set %v), want cleared", got, ok)
	}
	if st := taskDefinitionStatus(t, a, f.tdARN); st == ecstypes.TaskDefinitionStatusActive {
		t.Errorf("previous revision still %s after the later update", st)
	}
}

func taskDefinitionStatus(t *testing.T, a *accEnv, arn string) ecstypes.TaskDefinitionStatus {
	t.Helper()
	out, err := a.ecs.DescribeTaskDefinition(a.ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return "GONE"
	}
	return out.TaskDefinition.Status
}

// revisionUsed: which previous revisions a service still needs.
func TestRevisionUsed(t *testing.T) {
	const (
		oldTD = "arn:aws:ecs:us-east-1:1:task-definition/web:1"
		newTD = "arn:aws:ecs:us-east-1:1:task-definition/web:2"
	)
	dep := func(id, status, td string, state ecstypes.DeploymentRolloutState) ecstypes.Deployment {
		return ecstypes.Deployment{Id: aws.String(id), Status: aws.String(status), TaskDefinition: aws.String(td), RolloutState: state}
	}
	svc := func(td string, deps ...ecstypes.Deployment) *ecstypes.Service {
		return &ecstypes.Service{TaskDefinition: aws.String(td), Deployments: deps}
	}
	inProgress, completed, failed := ecstypes.DeploymentRolloutStateInProgress, ecstypes.DeploymentRolloutStateCompleted, ecstypes.DeploymentRolloutStateFailed
	for _, tc := range []struct {
		name string
		svc  *ecstypes.Service
		want bool
	}{
		{"rolling out, previous ACTIVE", svc(newTD, dep("n", "PRIMARY", newTD, inProgress), dep("o", "ACTIVE", oldTD, completed)), true},
		{"failed, rolling back", svc(oldTD, dep("r", "PRIMARY", oldTD, inProgress), dep("n", "ACTIVE", newTD, failed)), true},
		{"rolled back", svc(oldTD, dep("r", "PRIMARY", oldTD, completed)), true},
		{"completed", svc(newTD, dep("n", "PRIMARY", newTD, completed)), false},
		{"emulator: stale single completed deployment", svc(newTD, dep("o", "PRIMARY", oldTD, completed)), false},
		{"rolling out from another revision", svc(newTD, dep("n", "PRIMARY", newTD, inProgress), dep("x", "ACTIVE", "arn:aws:ecs:us-east-1:1:task-definition/web:0", completed)), false},
	} {
		if got, why := revisionUsed(tc.svc, oldTD); got != tc.want {
			t.Errorf("%s: used = %v (%s), want %v", tc.name, got, why, tc.want)
		}
	}
	if got := splitRevisions(" a, b,,a "); strings.Join(got, "|") != "a|b" {
		t.Errorf("splitRevisions = %v", got)
	}
	if acc, reg := arnAccountRegion("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3"); acc != "123456789012" || reg != "eu-west-1" {
		t.Errorf("arnAccountRegion = %q, %q", acc, reg)
	}
}
