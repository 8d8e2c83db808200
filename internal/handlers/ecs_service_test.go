package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// serviceFixture is a network, listener, target group, cluster and one task
// definition revision to run services on.
type serviceFixture struct {
	net     testNetwork
	tg      string
	cluster string
	role    string
	td      *TaskDefinitionHandler
	tdARN   string
}

func (a *accEnv) newServiceFixture() serviceFixture {
	a.t.Helper()
	f := serviceFixture{net: a.newNetwork(), cluster: a.newCluster(), role: a.newTaskRole(), td: NewTaskDefinitionHandler(a.ecs)}
	_, listenerARN := a.newListener(f.net)
	f.tg = a.newTargetGroup(f.net)
	// Attach the target group to the load balancer, as the listener rule child does.
	if _, err := NewListenerRuleHandler(a.elb).Create(a.ctx, ruleChild("rule", &composite.ListenerRuleProps{
		ListenerARN: listenerARN, PathPatterns: []string{"/*"}, TargetGroupARN: f.tg,
	})); err != nil {
		a.t.Fatalf("creating listener rule: %v", err)
	}
	f.tdARN = f.register(a, "public.ecr.aws/nginx/nginx:1.27")
	a.ops.reset()
	return f
}

func (f serviceFixture) register(a *accEnv, image string) string {
	a.t.Helper()
	out, err := f.td.Create(a.ctx, composite.Child{
		Key: "task_definition", Kind: composite.KindTaskDefinition,
		Props: testTaskDefinitionProps(acctest.RandomName("td"), f.role, image, nil),
	})
	if err != nil {
		a.t.Fatalf("registering task definition: %v", err)
	}
	return out[composite.AttrARN]
}

func (f serviceFixture) props(name, tdARN string, desired int32, tags map[string]string) *composite.ServiceProps {
	return &composite.ServiceProps{
		Name:                   name,
		Cluster:                f.cluster,
		TaskDefinition:         tdARN,
		DesiredCount:           desired,
		LaunchType:             "FARGATE",
		PlatformVersion:        "LATEST",
		Subnets:                f.net.Subnets,
		SecurityGroups:         []string{f.net.SG},
		LoadBalancers:          []composite.ServiceLoadBalancer{{TargetGroupARN: f.tg, ContainerName: "web", ContainerPort: 8080}},
		CircuitBreaker:         true,
		CircuitBreakerRollback: true,
		MinimumHealthyPercent:  100,
		MaximumPercent:         200,
		HealthCheckGracePeriod: 30,
		PropagateTags:          "SERVICE",
		EnableECSManagedTags:   true,
		WaitForSteadyState:     true,
		Tags:                   tags,
	}
}

func serviceChild(p *composite.ServiceProps) composite.Child {
	return composite.Child{Key: "service", Kind: composite.KindECSService, Name: p.Name, Props: p}
}

func TestAccECSServiceHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	ctx := a.ctx
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)

	name := acctest.RandomName("web")
	tags := ownerTags(f.cluster+"/"+name, "service", nil)
	child := serviceChild(f.props(name, f.tdARN, 2, tags))

	// Create: take-over check, create, one steady-state poll.
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "DescribeServices", "DescribeTaskDefinition", "CreateService", "DescribeServices")
	if out[composite.AttrName] != name || out[composite.AttrARN] == "" || out["cluster"] != "" {
		t.Fatalf("Create outputs = %v", out)
	}
	rec := recorded(child, out)
	svc := describeService(t, a, f.cluster, name)
	if svc.DesiredCount != 2 || aws.ToString(svc.TaskDefinition) != f.tdARN || len(svc.LoadBalancers) != 1 ||
		svc.NetworkConfiguration == nil || len(svc.NetworkConfiguration.AwsvpcConfiguration.Subnets) != 2 ||
		svc.LaunchType != ecstypes.LaunchTypeFargate || !sameTags(ecsTagMap(svc.Tags), tags) {
		t.Errorf("service after Create = %+v", svc)
	}

	// Observe: one call, in the recorded cluster; the props are the
	// created ones but for what moto drops on CreateService (deployment
	// configuration, grace period, managed tags: sent by the first update).
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found || obs.Outputs[composite.AttrARN] != out[composite.AttrARN] || obs.Outputs[composite.AttrName] != name {
		t.Fatalf("Observe = %v, %v, %v", obs, found, err)
	}
	a.expectCalls("Observe", "DescribeServices")
	if p := obs.Props.(*composite.ServiceProps); !strings.HasSuffix(p.Cluster, "/"+f.cluster) || p.TaskDefinition != f.tdARN {
		t.Errorf("observed cluster %q, task definition %q", p.Cluster, p.TaskDefinition)
	}
	created := clone(child.Props).(*composite.ServiceProps)
	if !a.keepsCreateServiceFields(svc) {
		created.CircuitBreaker, created.CircuitBreakerRollback, created.MinimumHealthyPercent, created.MaximumPercent = false, false, 0, 0
		created.HealthCheckGracePeriod, created.EnableECSManagedTags = 0, false
	}
	expectObservedProps(t, "Observe", child.Kind, created, obs.Props)

	// Refuse to take over an existing service of the same name; leave it untouched.
	other := serviceChild(f.props(name, f.register(a, "public.ecr.aws/nginx/nginx:1.29"), 5, nil))
	a.ops.reset()
	_, err = h.Create(ctx, other)
	if !errors.Is(err, ErrServiceAlreadyExists) || !strings.Contains(err.Error(), "terraform import") ||
		!strings.Contains(err.Error(), f.cluster+"/"+name) {
		t.Fatalf("Create over an existing service: err = %v", err)
	}
	a.expectCalls("refused Create", "DescribeServices")
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 2 || aws.ToString(svc.TaskDefinition) != f.tdARN {
		t.Errorf("refused Create changed the service: desired %d, task definition %s", svc.DesiredCount, aws.ToString(svc.TaskDefinition))
	}

	// Update desired count, task definition and tags.
	td2 := f.register(a, "public.ecr.aws/nginx/nginx:1.28")
	tags2 := ownerTags(f.cluster+"/"+name, "service", map[string]string{"team": "payments"})
	child2 := serviceChild(f.props(name, td2, 3, tags2))
	a.ops.reset()
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeServices", "UpdateService", "TagResource", "DescribeServices")
	if out2[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("Update outputs = %v", out2)
	}
	svc = describeService(t, a, f.cluster, name)
	if svc.DesiredCount != 3 || aws.ToString(svc.TaskDefinition) != td2 || !sameTags(ecsTagMap(svc.Tags), tags2) {
		t.Errorf("service after Update: desired %d, task definition %s, tags %v", svc.DesiredCount, aws.ToString(svc.TaskDefinition), ecsTagMap(svc.Tags))
	}
	if dc := svc.DeploymentConfiguration; dc == nil || dc.DeploymentCircuitBreaker == nil || !dc.DeploymentCircuitBreaker.Rollback ||
		aws.ToInt32(dc.MaximumPercent) != 200 {
		t.Errorf("deployment configuration after Update = %+v", dc)
	}

	// Find by cluster and name: the updated props; the record knows the
	// cluster. A service the composite does not own is an error even when
	// any owner would do: only services this provider created are imported.
	q := composite.Lookup{Key: "service", Kind: composite.KindECSService, Owner: f.cluster + "/" + name, Name: name,
		Scope: map[string]string{composite.LookupCluster: f.cluster}}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeServices")
	if frec.Key != "service" || frec.Kind != composite.KindECSService || frec.Name != name || frec.ARN != out[composite.AttrARN] ||
		frec.Cluster != f.cluster || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", child2.Kind, child2.Props, fobs.Props)
	q.Owner = f.cluster + "/other"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "only services this provider created") {
		t.Errorf("Find of a service another composite owns: err = %v", err)
	}
	q.Name = name + "-missing"
	if _, _, found, err := h.Find(ctx, q); err != nil || found {
		t.Errorf("Find of a missing service = %v, %v", found, err)
	}
	q.Scope[composite.LookupCluster] = f.cluster + "-missing"
	if _, _, found, err := h.Find(ctx, q); err != nil || found {
		t.Errorf("Find in a missing cluster = %v, %v", found, err)
	}

	// Out of band: a desired count changed shows in the observed props.
	if _, err := a.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(name), DesiredCount: aws.Int32(7)}); err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	if obs, _, err := h.Observe(ctx, recorded(child2, out2), false); err != nil || obs.Props.(*composite.ServiceProps).DesiredCount != 7 {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}
	a.ops.reset()

	// Delete: scaled to 0, deleted, INACTIVE.
	rec2 := recorded(child2, out2)
	if err := h.Delete(ctx, rec2); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	a.expectCalls("Delete", "DescribeServices", "UpdateService", "DeleteService", "DescribeServices")
	if svc := describeService(t, a, f.cluster, name); aws.ToString(svc.Status) != serviceStatusInactive || svc.DesiredCount != 0 {
		t.Errorf("service after Delete: status %s, desired %d", aws.ToString(svc.Status), svc.DesiredCount)
	}
	if _, found, err := h.Observe(ctx, rec2, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
	}
	a.ops.reset()
	if err := h.Delete(ctx, rec2); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	a.expectCalls("second Delete", "DescribeServices")

	// An INACTIVE service of the same name does not block a new one.
	out3, err := h.Create(ctx, child2)
	if err != nil {
		t.Fatalf("Create after INACTIVE: %v", err)
	}
	if err := h.Delete(ctx, recorded(child2, out3)); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	// A service in a cluster that no longer exists is gone; deleting it is fine.
	ghost := composite.Recorded{Key: "service", Kind: composite.KindECSService, Name: "ghost",
		ARN: "arn:aws:ecs:us-east-1:123456789012:service/no-such-cluster/ghost"}
	if _, found, err := h.Observe(ctx, ghost, false); err != nil || found {
		t.Fatalf("Observe in missing cluster: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, ghost); err != nil {
		t.Fatalf("Delete in missing cluster: %v", err)
	}
}

func TestAccECSServiceHandler_steadyStateTimeout(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)

	// The emulator reports more running tasks than this service wants only up
	// to MOTO_ECS_SERVICE_RUNNING (1000): above it the rollout never completes.
	name := acctest.RandomName("slow")
	child := serviceChild(f.props(name, f.tdARN, 5000, nil))

	ctx, cancel := context.WithTimeout(a.ctx, 2*time.Second)
	defer cancel()
	out, err := h.Create(ctx, child)
	if err == nil {
		t.Fatal("Create: want a steady-state timeout")
	}
	t.Logf("steady-state error:\n%v", err)
	if out[composite.AttrARN] == "" {
		t.Errorf("Create returned no outputs with the wait error: the service exists and must be recorded")
	}
	for _, want := range []string{"did not reach a steady state", "timed out", "IN_PROGRESS", "running 1000/5000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func TestAccECSServiceHandler_steadyStateErrorEvents(t *testing.T) {
	a := newAcc(t)
	h := NewECSServiceHandler(a.ecs, a.ecr)
	last := &ecstypes.Service{}
	for i := 7; i >= 1; i-- { // newest first, as ECS returns them
		last.Events = append(last.Events, ecstypes.ServiceEvent{
			CreatedAt: aws.Time(time.Date(2025, 1, 1, 0, i, 0, 0, time.UTC)),
			Message:   aws.String(fmt.Sprintf("event %d", i)),
		})
	}
	err := h.steadyStateError(a.ctx, "no-such-cluster", "web", last, errors.New("deployment ecs-svc/1 failed: tasks failed to start"))
	msg := err.Error()
	for _, want := range []string{"deployment ecs-svc/1 failed", "event 7", "event 3", "2025-01-01T00:07:00Z"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "event 2") || strings.Contains(msg, "timed out") {
		t.Errorf("error %q: want only the 5 latest events and no timeout", msg)
	}
}

func TestAccECSServiceHandler_createRetry(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)
	name := acctest.RandomName("retry")
	child := serviceChild(f.props(name, f.tdARN, 1, nil))

	// "Target group does not have an associated load balancer" is retried.
	a.ops.failNext("CreateService", "InvalidParameterException",
		"The target group with targetGroupArn "+f.tg+" does not have an associated load balancer.", 1)
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create with retry", "DescribeServices", "DescribeTaskDefinition", "CreateService", "CreateService", "DescribeServices")
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	// Another InvalidParameterException fails at once, nothing created.
	a.ops.failNext("CreateService", "InvalidParameterException", "Error retrieving subnet information", 1)
	a.ops.reset()
	if _, err := h.Create(a.ctx, serviceChild(f.props(acctest.RandomName("bad"), f.tdARN, 1, nil))); err == nil ||
		!strings.Contains(err.Error(), "Error retrieving subnet information") {
		t.Fatalf("Create: err = %v, want the AWS message", err)
	}
	a.expectCalls("Create with another error", "DescribeServices", "DescribeTaskDefinition", "CreateService")
}

func TestSteadyStateRetryable(t *testing.T) {
	const (
		oldTD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
		newTD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
	)
	dep := func(id string, state ecstypes.DeploymentRolloutState, status, td string) ecstypes.Deployment {
		return ecstypes.Deployment{Id: aws.String(id), Status: aws.String(status), RolloutState: state,
			RolloutStateReason: aws.String("reason of " + id), TaskDefinition: aws.String(td)}
	}
	svc := func(status, td string, deps ...ecstypes.Deployment) *ecstypes.Service {
		return &ecstypes.Service{Status: aws.String(status), TaskDefinition: aws.String(td), Deployments: deps}
	}
	completed, inProgress, failed := ecstypes.DeploymentRolloutStateCompleted, ecstypes.DeploymentRolloutStateInProgress, ecstypes.DeploymentRolloutStateFailed
	before := map[string]bool{"ecs-svc/old": true} // the deployment the service had before the update
	for _, tc := range []struct {
		name    string
		svc     *ecstypes.Service
		want    string // task definition asked for
		before  map[string]bool
		retry   bool
		wantErr string // substring of the error; "" for none
	}{
		{"completed", svc("ACTIVE", newTD, dep("ecs-svc/new", completed, "PRIMARY", newTD)), newTD, before, false, ""},
		{"completed, family:revision asked for", svc("ACTIVE", newTD, dep("ecs-svc/new", completed, "PRIMARY", newTD)), "web:2", before, false, ""},
		{"completed, no task definition to check", svc("ACTIVE", oldTD, dep("ecs-svc/new", completed, "PRIMARY", oldTD)), "", nil, false, ""},
		{"in progress", svc("ACTIVE", newTD, dep("ecs-svc/new", inProgress, "PRIMARY", newTD)), newTD, before, true, ""},
		{"two deployments", svc("ACTIVE", newTD, dep("ecs-svc/new", completed, "PRIMARY", newTD), dep("ecs-svc/old", completed, "ACTIVE", oldTD)), newTD, before, true, ""},
		{"primary failed", svc("ACTIVE", newTD, dep("ecs-svc/new", failed, "PRIMARY", newTD), dep("ecs-svc/old", completed, "ACTIVE", oldTD)), newTD, before, false, "failed: reason of ecs-svc/new"},
		{"failed, rolling back", svc("ACTIVE", oldTD, dep("ecs-svc/rollback", inProgress, "PRIMARY", oldTD), dep("ecs-svc/new", failed, "ACTIVE", newTD)), newTD, before, false, "rolled back to task definition " + oldTD},
		{"rolled back, failed deployment gone", svc("ACTIVE", oldTD, dep("ecs-svc/rollback", completed, "PRIMARY", oldTD)), newTD, before, false, "the deployment was rolled back"},
		{"rolled back, service still reads the new revision", svc("ACTIVE", newTD, dep("ecs-svc/rollback", completed, "PRIMARY", oldTD)), newTD, before, false, "the deployment was rolled back"},
		{"rolled back after create", svc("ACTIVE", oldTD, dep("ecs-svc/rollback", completed, "PRIMARY", oldTD)), newTD, nil, false, "the deployment was rolled back"},
		// moto: UpdateService keeps the old deployment and its stale task
		// definition while the service reads the new one.
		{"emulator: stale deployment", svc("ACTIVE", newTD, dep("ecs-svc/old", completed, "PRIMARY", oldTD)), newTD, before, false, ""},
		// An older failed deployment being replaced by ours does not count.
		{"older failed deployment draining", svc("ACTIVE", newTD, dep("ecs-svc/new", inProgress, "PRIMARY", newTD), dep("ecs-svc/old", failed, "ACTIVE", oldTD)), newTD, before, true, ""},
		{"draining", svc("DRAINING", newTD, dep("ecs-svc/new", completed, "PRIMARY", newTD)), newTD, before, false, "the service is DRAINING"},
	} {
		retry, err := steadyStateRetryable(tc.svc, tc.want, tc.before, false)
		if retry != tc.retry || (err != nil) != (tc.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: retry=%v err=%v; want retry=%v err containing %q", tc.name, retry, err, tc.retry, tc.wantErr)
		}
	}
}

// The wait's error on a rolled-back deployment carries the service events.
func TestSteadyStateErrorRolledBack(t *testing.T) {
	last := &ecstypes.Service{
		Status:         aws.String("ACTIVE"),
		TaskDefinition: aws.String("arn:aws:ecs:us-east-1:1:task-definition/web:1"),
		Deployments: []ecstypes.Deployment{{Id: aws.String("ecs-svc/2"), Status: aws.String("PRIMARY"),
			RolloutState: ecstypes.DeploymentRolloutStateCompleted, TaskDefinition: aws.String("arn:aws:ecs:us-east-1:1:task-definition/web:1")}},
		Events: []ecstypes.ServiceEvent{{Message: aws.String("(service web) deployment ecs-svc/1 deployment failed: tasks failed to start. Rolling back.")}},
	}
	_, cause := steadyStateRetryable(last, "arn:aws:ecs:us-east-1:1:task-definition/web:2", nil, false)
	h := NewECSServiceHandler(noTasksECS{}, nil)
	msg := h.steadyStateError(context.Background(), "platform", "web", last, cause).Error()
	for _, want := range []string{"did not reach a steady state", "the deployment was rolled back", "task-definition/web:1", "Rolling back."} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

// noTasksECS answers the best-effort stopped-task lookup with an error.
type noTasksECS struct{ ECSServiceAPI }

func (noTasksECS) ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return nil, errors.New("no tasks here")
}

func TestServiceErrorsAndToken(t *testing.T) {
	assoc := &smithy.GenericAPIError{Code: "InvalidParameterException",
		Message: "The target group with targetGroupArn arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/y does not have an associated load balancer."}
	if !isServiceEventualConsistency(assoc) {
		t.Error("target group association error not retried")
	}
	if isServiceEventualConsistency(&smithy.GenericAPIError{Code: "InvalidParameterException", Message: "bad subnet"}) {
		t.Error("unrelated InvalidParameterException retried")
	}
	tok := serviceClientToken("platform", "web", "arn:aws:ecs:us-east-1:1:task-definition/web:3", nil)
	if len(tok) > 36 || tok != serviceClientToken("platform", "web", "arn:aws:ecs:us-east-1:1:task-definition/web:3", nil) {
		t.Errorf("client token %q: want deterministic and <= 36 chars", tok)
	}
	prev := &ecstypes.Service{CreatedAt: aws.Time(time.Unix(1700000000, 0))}
	if tok == serviceClientToken("platform", "web", "arn:aws:ecs:us-east-1:1:task-definition/web:3", prev) {
		t.Error("recreating after an INACTIVE service must use a new client token")
	}
	cluster, service := serviceIdentity(composite.Recorded{ARN: "arn:aws:ecs:us-east-1:1:service/platform/web"})
	if cluster != "platform" || service != "arn:aws:ecs:us-east-1:1:service/platform/web" {
		t.Errorf("serviceIdentity = %q, %q", cluster, service)
	}
	cluster, service = serviceIdentity(composite.Recorded{Name: "web", Cluster: "arn:aws:ecs:us-east-1:1:cluster/platform"})
	if cluster != "arn:aws:ecs:us-east-1:1:cluster/platform" || service != "web" {
		t.Errorf("serviceIdentity (record's cluster) = %q, %q", cluster, service)
	}
}

// ecsServiceProps maps DescribeServices' answer: ARNs as reported, the
// network, attachments, deployment configuration, the user tags.
func TestECSServiceProps(t *testing.T) {
	const tdARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/cl-web:3"
	tags := map[string]string{composite.TagOwner: "cl/web", composite.TagKey: "service", "team": "a"}
	svc := &ecstypes.Service{
		ServiceArn: aws.String("arn:svc"), ServiceName: aws.String("web"), Status: aws.String("ACTIVE"), ClusterArn: aws.String("arn:cluster/cl"),
		TaskDefinition: aws.String(tdARN), DesiredCount: 2, RunningCount: 1000, LaunchType: ecstypes.LaunchTypeFargate, PlatformVersion: aws.String("LATEST"),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: ecstypes.AssignPublicIpEnabled,
		}},
		LoadBalancers:     []ecstypes.LoadBalancer{{TargetGroupArn: aws.String("arn:tg"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
		ServiceRegistries: []ecstypes.ServiceRegistry{{RegistryArn: aws.String("arn:srv"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MaximumPercent: aws.Int32(200), MinimumHealthyPercent: aws.Int32(100),
			DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
		HealthCheckGracePeriodSeconds: aws.Int32(30), EnableExecuteCommand: true, PropagateTags: ecstypes.PropagateTagsService, EnableECSManagedTags: true,
		Tags: append(ecsTags(tags), ecstypes.Tag{Key: aws.String("aws:ecs:x"), Value: aws.String("y")}),
	}
	want := composite.ServiceProps{
		Name: "web", Cluster: "arn:cluster/cl", TaskDefinition: tdARN, DesiredCount: 2, LaunchType: "FARGATE", PlatformVersion: "LATEST",
		Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIP: true,
		LoadBalancers:     []composite.ServiceLoadBalancer{{TargetGroupARN: "arn:tg", ContainerName: "web", ContainerPort: 8080}},
		ServiceRegistries: []composite.ServiceRegistry{{RegistryARN: "arn:srv", ContainerName: "web", ContainerPort: 8080}},
		CircuitBreaker:    true, CircuitBreakerRollback: true, MinimumHealthyPercent: 100, MaximumPercent: 200,
		HealthCheckGracePeriod: 30, EnableExecuteCommand: true, PropagateTags: "SERVICE", EnableECSManagedTags: true, Tags: tags,
	}
	if got := ecsServiceProps(svc); !reflect.DeepEqual(*got, want) {
		t.Errorf("ecsServiceProps =\n%+v\nwant\n%+v", got, want)
	}
}

// keepsCreateServiceFields reports whether the emulator kept what moto's
// CreateService drops (the deployment configuration, among others): the
// patched emulator does, as AWS; plain moto does not.
func (a *accEnv) keepsCreateServiceFields(svc ecstypes.Service) bool {
	dc := svc.DeploymentConfiguration
	return dc != nil && dc.DeploymentCircuitBreaker != nil && dc.DeploymentCircuitBreaker.Enable
}

func describeService(t *testing.T, a *accEnv, cluster, name string) ecstypes.Service {
	t.Helper()
	defer a.ops.reset()
	out, err := a.ecs.DescribeServices(a.ctx, &ecs.DescribeServicesInput{
		Cluster: aws.String(cluster), Services: []string{name}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("DescribeServices: %v %+v", err, out)
	}
	return out.Services[0]
}

// A service an earlier Create made (its response lost) is adopted by the
// next Create of the same child; a service of the same name with another
// owner is refused and left alone.
func TestAccECSServiceHandler_adopt(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	ctx := a.ctx
	f := a.newServiceFixture()
	h := NewECSServiceHandler(a.ecs, a.ecr)

	name := acctest.RandomName("web")
	tags := ownerTags(f.cluster+"/"+name, "service", nil)
	child := serviceChild(f.props(name, f.tdARN, 2, tags))
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })
	keeps := a.keepsCreateServiceFields(describeService(t, a, f.cluster, name))
	a.ops.reset()

	// Create again: adopted, not created. (moto dropped the deployment
	// configuration, grace period and managed tags on create: the adoption
	// converges them with one UpdateService.)
	got, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create of an existing own service: %v", err)
	}
	if keeps {
		a.expectCalls("adopting Create", "DescribeServices", "DescribeServices")
	} else {
		a.expectCalls("adopting Create", "DescribeServices", "UpdateService", "DescribeServices")
	}
	if got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrName] != out[composite.AttrName] {
		t.Errorf("adopted outputs = %v, want %v", got, out)
	}
	// Once converged, adopting again changes nothing.
	if _, err := h.Create(ctx, child); err != nil {
		t.Fatalf("second adopting Create: %v", err)
	}
	a.expectCalls("second adopting Create", "DescribeServices", "DescribeServices")

	// Another owner's service: refused, untouched.
	foreign := serviceChild(f.props(name, f.register(a, "public.ecr.aws/nginx/nginx:1.29"), 5, ownerTags("someone-else", "service", nil)))
	a.ops.reset()
	_, err = h.Create(ctx, foreign)
	if !errors.Is(err, ErrServiceAlreadyExists) || !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), "someone-else") ||
		!strings.Contains(err.Error(), out[composite.AttrARN]) {
		t.Fatalf("Create over another owner's service: err = %v", err)
	}
	a.expectCalls("refused Create", "DescribeServices")
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 2 || aws.ToString(svc.TaskDefinition) != f.tdARN {
		t.Errorf("refused Create changed the service: desired %d, task definition %s", svc.DesiredCount, aws.ToString(svc.TaskDefinition))
	}
}

// Update sends only what differs, and no UpdateService when nothing does.
func TestAccECSServiceHandler_updateSendsOnlyChanges(t *testing.T) {
	a := newAcc(t)
	fastWaiters(t)
	ctx := a.ctx
	f := a.newServiceFixture()
	sent := &updateInputs{}
	client := ecs.New(a.ecs.Options(), func(o *ecs.Options) { o.APIOptions = append(o.APIOptions, sent.register) })
	h := NewECSServiceHandler(client, a.ecr)

	name := acctest.RandomName("web")
	tags := ownerTags(f.cluster+"/"+name, "service", nil)
	child := serviceChild(f.props(name, f.tdARN, 2, tags))
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })

	// First update: moto dropped these on create, so they are sent once -
	// and nothing the service already has (network, load balancers, task
	// definition, desired count, platform version, tag propagation).
	// (The patched emulator keeps them: nothing to send.)
	keeps := a.keepsCreateServiceFields(describeService(t, a, f.cluster, name))
	a.ops.reset()
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("first Update: %v", err)
	}
	if keeps {
		a.expectCalls("first Update", "DescribeServices", "DescribeServices")
	} else {
		a.expectCalls("first Update", "DescribeServices", "UpdateService", "DescribeServices")
	}
	if !keeps {
		if in := sent.last(t); in.NetworkConfiguration != nil || in.LoadBalancers != nil || in.ServiceRegistries != nil ||
			in.TaskDefinition != nil || in.DesiredCount != nil || in.PlatformVersion != nil || in.PropagateTags != "" ||
			in.DeploymentConfiguration == nil || aws.ToInt32(in.HealthCheckGracePeriodSeconds) != 30 || !aws.ToBool(in.EnableECSManagedTags) {
			t.Errorf("first UpdateService = %s", describeUpdate(in))
		}
	}

	// No-op update: no UpdateService at all.
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	a.expectCalls("no-op Update", "DescribeServices", "DescribeServices")

	// Tags only: tagged, no UpdateService.
	child2 := serviceChild(f.props(name, f.tdARN, 2, ownerTags(f.cluster+"/"+name, "service", map[string]string{"team": "payments"})))
	if _, err := h.Update(ctx, child2, rec); err != nil {
		t.Fatalf("tags-only Update: %v", err)
	}
	a.expectCalls("tags-only Update", "DescribeServices", "TagResource", "DescribeServices")

	// Desired count: only desiredCount is sent.
	child3 := serviceChild(f.props(name, f.tdARN, 3, child2.Props.(*composite.ServiceProps).Tags))
	if _, err := h.Update(ctx, child3, rec); err != nil {
		t.Fatalf("desired-count Update: %v", err)
	}
	a.expectCalls("desired-count Update", "DescribeServices", "UpdateService", "DescribeServices")
	want := ecs.UpdateServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(name), DesiredCount: aws.Int32(3)}
	if in := sent.last(t); describeUpdate(in) != describeUpdate(&want) {
		t.Errorf("desired-count UpdateService = %s, want %s", describeUpdate(in), describeUpdate(&want))
	}
	if svc := describeService(t, a, f.cluster, name); svc.DesiredCount != 3 {
		t.Errorf("desired count after Update = %d", svc.DesiredCount)
	}

	// Dropping the load balancer sends an empty list (and nothing else).
	p4 := f.props(name, f.tdARN, 3, child2.Props.(*composite.ServiceProps).Tags)
	p4.LoadBalancers = nil
	if _, err := h.Update(ctx, serviceChild(p4), rec); err != nil {
		t.Fatalf("load-balancer Update: %v", err)
	}
	if in := sent.last(t); in.LoadBalancers == nil || len(in.LoadBalancers) != 0 || in.DesiredCount != nil || in.NetworkConfiguration != nil {
		t.Errorf("load-balancer UpdateService = %s", describeUpdate(in))
	}
}

// updateInputs records the UpdateService inputs a client sends.
type updateInputs struct {
	mu  sync.Mutex
	ins []*ecs.UpdateServiceInput
}

func (u *updateInputs) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("updateInputs",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if p, ok := in.Parameters.(*ecs.UpdateServiceInput); ok {
				cp := *p
				u.mu.Lock()
				u.ins = append(u.ins, &cp)
				u.mu.Unlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (u *updateInputs) last(t *testing.T) *ecs.UpdateServiceInput {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.ins) == 0 {
		t.Fatal("no UpdateService sent")
	}
	return u.ins[len(u.ins)-1]
}

// describeUpdateB renders the fields an UpdateServiceInput sets.
func describeUpdate(in *ecs.UpdateServiceInput) string {
	b, _ := json.Marshal(in)
	return string(b)
}
