package handlers

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// expectedObs is ExpectedObservedService of a child holding props, which
// must have a fingerprint.
func expectedObs(t *testing.T, props any) string {
	t.Helper()
	fp, ok := ExpectedObservedService(composite.Child{Props: props})
	if !ok || fp == "" {
		t.Fatalf("ExpectedObservedService(%T) = %q, %v; want a fingerprint", props, fp, ok)
	}
	return fp
}

// sameObs fails unless the desired and the read-back fingerprints agree.
func sameObs(t *testing.T, what, desired, live string) {
	t.Helper()
	if desired != live {
		t.Errorf("%s: desired fingerprint %s != read-back %s", what, desired, live)
	}
}

// otherObs fails when a changed setting does not change the fingerprint.
func otherObs(t *testing.T, what, a, b string) {
	t.Helper()
	if a == b {
		t.Errorf("%s: fingerprint unchanged (%s)", what, a)
	}
}

const trustPolicyObs = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},` +
	`"Action":["sts:AssumeRole"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"},` +
	`"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`

func TestCanonicalPolicy(t *testing.T) {
	base := canonicalPolicy(trustPolicyObs)
	for name, doc := range map[string]string{
		"url-encoded (as IAM returns it)": url.QueryEscape(trustPolicyObs),
		"path-encoded":                    strings.ReplaceAll(url.PathEscape(trustPolicyObs), ":", "%3A"),
		"single values, statement object, keys reordered, whitespace": `{
			"Statement": {"Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]},
			              "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}},
			              "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Effect": "Allow"},
			"Version": "2012-10-17"}`,
		"numbers as numbers": strings.ReplaceAll(trustPolicyObs, `"123456789012"}`, `123456789012}`),
	} {
		if got := canonicalPolicy(doc); got != base {
			t.Errorf("%s: canonical form\n%s\nwant\n%s", name, got, base)
		}
	}

	// Statement order and the order of list values do not matter.
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":"arn:x"},` +
		`{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}`
	b := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":["*"]},` +
		`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:CreateLogStream"],"Resource":["arn:x"]}]}`
	if canonicalPolicy(a) != canonicalPolicy(b) {
		t.Errorf("reordered statements and values:\n%s\n%s", canonicalPolicy(a), canonicalPolicy(b))
	}
	// A real difference stays one.
	for name, doc := range map[string]string{
		"effect":    strings.Replace(trustPolicyObs, "Allow", "Deny", 1),
		"principal": strings.Replace(trustPolicyObs, "ecs-tasks", "lambda", 1),
		"condition": strings.Replace(trustPolicyObs, `"aws:SourceAccount":"123456789012"`, `"aws:SourceAccount":"210987654321"`, 1),
		"action":    strings.Replace(trustPolicyObs, `["sts:AssumeRole"]`, `["sts:AssumeRole","sts:TagSession"]`, 1),
	} {
		if canonicalPolicy(doc) == base {
			t.Errorf("%s changed but the canonical form did not", name)
		}
	}
	if got := canonicalPolicy("not json"); got != "not json" {
		t.Errorf("unparsable document = %q, want it as is", got)
	}
}

func TestObserved_ecsService(t *testing.T) {
	const tdARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/cl-web:3"
	tags := map[string]string{composite.TagOwner: "cl/web", composite.TagKey: "service", "team": "a"}
	props := &composite.ServiceProps{
		Name: "web", Cluster: "cl", TaskDefinition: tdARN, DesiredCount: 2, LaunchType: "FARGATE", PlatformVersion: "LATEST",
		Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"},
		LoadBalancers:     []composite.ServiceLoadBalancer{{TargetGroupARN: "arn:tg", ContainerName: "web", ContainerPort: 8080}},
		ServiceRegistries: []composite.ServiceRegistry{{RegistryARN: "arn:srv", ContainerName: "web", ContainerPort: 8080}},
		CircuitBreaker:    true, CircuitBreakerRollback: true, MinimumHealthyPercent: 100, MaximumPercent: 200,
		HealthCheckGracePeriod: 30, EnableExecuteCommand: true, PropagateTags: "SERVICE", EnableECSManagedTags: true, WaitForSteadyState: true,
		Tags: tags,
	}
	// What DescribeServices (with tags) answers on moto: the settings moto
	// drops (deployment configuration, grace period, execute command) read
	// back empty, and still the fingerprints agree.
	live := func(mod func(*ecstypes.Service)) string {
		s := &ecstypes.Service{
			ServiceArn: aws.String("arn:svc"), ServiceName: aws.String("web"), Status: aws.String("ACTIVE"),
			TaskDefinition: aws.String(tdARN), DesiredCount: 2, RunningCount: 1000,
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
				Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: ecstypes.AssignPublicIpDisabled,
			}},
			LoadBalancers:     []ecstypes.LoadBalancer{{TargetGroupArn: aws.String("arn:tg"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
			ServiceRegistries: []ecstypes.ServiceRegistry{{RegistryArn: aws.String("arn:srv"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
			Tags:              ecsTags(tags),
		}
		if mod != nil {
			mod(s)
		}
		return ecsServiceFingerprint(s)
	}
	want := expectedObs(t, props)
	sameObs(t, "ecs service", want, live(nil))
	byRevision := *props
	byRevision.TaskDefinition = "cl-web:3"
	sameObs(t, "task definition as family:revision", expectedObs(t, &byRevision), live(nil))
	sameObs(t, "deployment settings read back (not fingerprinted)", want, live(func(s *ecstypes.Service) {
		s.DeploymentConfiguration = &ecstypes.DeploymentConfiguration{MaximumPercent: aws.Int32(150)}
		s.HealthCheckGracePeriodSeconds, s.EnableExecuteCommand = aws.Int32(0), false
	}))
	otherObs(t, "desired count 5", want, live(func(s *ecstypes.Service) { s.DesiredCount = 5 }))
	otherObs(t, "task definition", want, live(func(s *ecstypes.Service) { s.TaskDefinition = aws.String(strings.TrimSuffix(tdARN, "3") + "2") }))
	otherObs(t, "subnets", want, live(func(s *ecstypes.Service) { s.NetworkConfiguration.AwsvpcConfiguration.Subnets = []string{"subnet-a"} }))
	otherObs(t, "public ip", want, live(func(s *ecstypes.Service) {
		s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = ecstypes.AssignPublicIpEnabled
	}))
	otherObs(t, "load balancer", want, live(func(s *ecstypes.Service) { s.LoadBalancers = nil }))
	otherObs(t, "service registry", want, live(func(s *ecstypes.Service) { s.ServiceRegistries[0].ContainerPort = aws.Int32(9090) }))
	otherObs(t, "tags", want, live(func(s *ecstypes.Service) { s.Tags = nil }))
	// An unset public IP assignment is DISABLED.
	sameObs(t, "public ip unset", want, live(func(s *ecstypes.Service) { s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = "" }))
}

func TestObserveApplied(t *testing.T) {
	c := composite.Child{Key: "log_group", Kind: composite.KindLogGroup, Props: &composite.LogGroupProps{Name: "/g", RetentionDays: 30}}
	want := expectedObs(t, c.Props)
	out, err := observeApplied(c, map[string]string{composite.AttrName: "/g", AttrObserved: "stale"}, nil)
	if err != nil || out[AttrObserved] != want {
		t.Errorf("success: observed = %q, err %v; want the desired fingerprint %q", out[AttrObserved], err, want)
	}
	failure := errors.New("boom")
	out, err = observeApplied(c, map[string]string{composite.AttrName: "/g", AttrObserved: "stale"}, failure)
	if !errors.Is(err, failure) || out[AttrObserved] != "" {
		t.Errorf("failure: observed = %q, err %v; want empty (unknown) and the error", out[AttrObserved], err)
	}
	if out, err := observeApplied(c, nil, failure); out != nil || !errors.Is(err, failure) {
		t.Errorf("failure without outputs = %v, %v; want nil and the error", out, err)
	}

}

// TestExpectedObservedService_cluster: the cluster's kinds are passed on to
// ExpectedObserved, kinds without a fingerprint report none.
func TestExpectedObservedService_cluster(t *testing.T) {
	l := composite.Child{Props: &composite.ListenerProps{Port: 80, Protocol: "HTTP", DefaultAction: composite.ListenerAction{Type: "fixed-response", StatusCode: "404"}}}
	got, ok := ExpectedObservedService(l)
	want, _ := ExpectedObserved(l)
	if !ok || got != want {
		t.Errorf("listener: %q, %v; want %q", got, ok, want)
	}
	if _, ok := ExpectedObservedService(composite.Child{Props: struct{}{}}); ok {
		t.Error("unknown props: want no fingerprint")
	}
}
