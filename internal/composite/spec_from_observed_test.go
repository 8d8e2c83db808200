package composite

import (
	"net/url"
	"strings"
	"testing"
)

// sfoService observes the expansion of s and rebuilds its spec.
func sfoService(t *testing.T, s ServiceSpec, env Env, mod func(obs map[string]Observed)) ServiceSpec {
	t.Helper()
	g, err := ExpandService(s, env)
	if err != nil {
		t.Fatal(err)
	}
	obs := rtObserve(t, g, env).observed
	if mod != nil {
		mod(obs)
	}
	s2, err := ServiceSpecFromObserved(ClusterName(s.Cluster), s.Name, obs, env)
	if err != nil {
		t.Fatal(err)
	}
	return s2
}

func TestServiceSpecFromObserved_minimalOmitsDefaults(t *testing.T) {
	s := goldenMinimalSpec()
	got := sfoService(t, s, goldenEnv(), nil)
	if a, b := marshalCanonical(got), marshalCanonical(s); a != b {
		t.Errorf("rebuilt spec\n%s\nwant the configuration as written\n%s", a, b)
	}
}

func TestServiceSpecFromObserved_full(t *testing.T) {
	got := sfoService(t, goldenFullSpec(), goldenEnv(), nil)
	web, router := got.Containers["web"], got.Containers["log-router"]
	if web.ImageTag != "v3" || web.Image != "" {
		t.Errorf("web: image %q, image_tag %q; want image_tag v3 (the own repository)", web.Image, web.ImageTag)
	}
	if router.Image != "123456789012.dkr.ecr.us-east-1.amazonaws.com/infra/fluent-bit:2.2" || router.ImageTag != "" {
		t.Errorf("log-router image %q / %q: another repository stays an image", router.Image, router.ImageTag)
	}
	if router.Essential == nil || *router.Essential || router.Memory == nil || *router.Memory != 128 || web.Essential != nil {
		t.Errorf("essential / memory: web %+v, log-router %+v", web, router)
	}
	if web.Environment["A_FIRST"] != "1" || web.Secrets["API_KEY"] != goldenParam || web.Secrets["DB_PASSWORD"] != goldenSecret+":password::" {
		t.Errorf("environment %v, secrets %v", web.Environment, web.Secrets)
	}
	lb := got.LoadBalancer
	if lb == nil || lb.ListenerARN != goldenListener || lb.ContainerName != "" || lb.Priority != nil || lb.DeregistrationDelay != nil ||
		lb.ProtocolVersion != "" || lb.HealthCheck == nil || *lb.HealthCheck != (HealthCheckSpec{Path: "/healthz"}) {
		t.Errorf("load_balancer = %s; want only the listener, conditions and health_check.path", marshalCanonical(lb))
	}
	if strings.Join(lb.PathPatterns, ",") != "/,/api/*" || strings.Join(lb.HostHeaders, ",") != "web.example.com" {
		t.Errorf("conditions %v %v", lb.PathPatterns, lb.HostHeaders)
	}
	if sd := got.ServiceDiscovery; sd == nil || *sd != (ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789"}) {
		t.Errorf("service_discovery = %s", marshalCanonical(sd))
	}
	if r := got.Repository; r == nil || *r != (RepositorySpec{}) {
		t.Errorf("repository = %s; want the block with defaults", marshalCanonical(r))
	}
	if want := `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::assets/*"}],"Version":"2012-10-17"}`; got.TaskRolePolicyJSON != want || got.EnableExecuteCommand {
		t.Errorf("task role policy %s (exec %v), want %s", got.TaskRolePolicyJSON, got.EnableExecuteCommand, want)
	}
	// team overrides a default tag (kept); env equals the default (dropped).
	if marshalCanonical(got.Tags) != `{"app":"web","team":"payments"}` {
		t.Errorf("tags = %v", got.Tags)
	}
	if *got.CPU != 512 || *got.Memory != 1024 || *got.DesiredCount != 2 || got.Deployment != nil || got.LogRetentionDays != nil {
		t.Errorf("sizes and defaults: %s", marshalCanonical(got))
	}
}

func TestServiceSpecFromObserved_explicitChoices(t *testing.T) {
	env := goldenEnv()
	env.AccountID = ""
	got := sfoService(t, goldenARNSpec(), env, nil)
	if got.Cluster != "Shared_Prod" {
		t.Errorf("cluster = %q", got.Cluster)
	}
	if lb := got.LoadBalancer; lb == nil || lb.Priority == nil || *lb.Priority != 100 || lb.ProtocolVersion != "HTTP2" {
		t.Errorf("load_balancer = %s; want the explicit priority and protocol version", marshalCanonical(lb))
	}
	if got.Network.VpcID != "vpc-0123abcd" {
		t.Errorf("vpc_id = %q: the target group's name says it was set", got.Network.VpcID)
	}
	if r := got.Repository; r == nil || r.ImageTagMutability != "MUTABLE" || r.KeepImages == nil || *r.KeepImages != 10 || r.ScanOnPush != nil {
		t.Errorf("repository = %s", marshalCanonical(r))
	}
	if !got.EnableExecuteCommand || got.TaskRolePolicyJSON != "" {
		t.Errorf("exec %v, task role policy %q; want exec from the ECS Exec statement alone", got.EnableExecuteCommand, got.TaskRolePolicyJSON)
	}
	if d := got.Deployment; d == nil || *d.MinimumHealthyPercent != 50 || d.MaximumPercent != nil || d.WaitForSteadyState != nil || d.CircuitBreakerRollback != nil {
		t.Errorf("deployment = %s", marshalCanonical(d))
	}
	if got.CPUArchitecture != "ARM64" || got.Containers["app"].ImageTag != "2024.06.01" {
		t.Errorf("architecture %q, app %+v", got.CPUArchitecture, got.Containers["app"])
	}

	// Allocated: the observed rule reports priority 0.
	s := goldenARNSpec()
	s.LoadBalancer.Priority = nil
	if got := sfoService(t, s, env, nil); got.LoadBalancer.Priority != nil {
		t.Errorf("allocated priority rebuilt as %d", *got.LoadBalancer.Priority)
	}
	// Without an explicit vpc_id the target group's VPC (looked up from a
	// subnet) is not configuration.
	s.Network.VpcID = ""
	if got := sfoService(t, s, env, nil); got.Network.VpcID != "" {
		t.Errorf("vpc_id = %q, want unset", got.Network.VpcID)
	}
}

func TestServiceSpecFromObserved_missingChildren(t *testing.T) {
	env := goldenEnv()
	for _, key := range []string{KeyService, KeyTaskDefinition} {
		g, _ := ExpandService(goldenFullSpec(), env)
		obs := rtObserve(t, g, env).observed
		obs[key] = Observed{} // looked up, not found
		if _, err := ServiceSpecFromObserved("platform", "web", obs, env); err == nil || !strings.Contains(err.Error(), "not observed") {
			t.Errorf("without %s: err = %v", key, err)
		}
	}
	for _, tc := range []struct {
		missing string
		check   func(ServiceSpec) bool
	}{
		{KeyTargetGroup, func(s ServiceSpec) bool { return s.LoadBalancer == nil && s.ServiceDiscovery != nil }},
		{KeyListenerRule, func(s ServiceSpec) bool { return s.LoadBalancer == nil }},
		{KeyDiscoveryService, func(s ServiceSpec) bool { return s.ServiceDiscovery == nil && s.LoadBalancer != nil }},
		{KeyRepository, func(s ServiceSpec) bool {
			return s.Repository == nil && strings.HasSuffix(s.Containers["web"].Image, "/platform/web:v3") && s.Containers["web"].ImageTag == ""
		}},
		{KeyTaskRolePolicy, func(s ServiceSpec) bool { return s.TaskRolePolicyJSON == "" }},
		{KeyLogGroup, func(s ServiceSpec) bool { return s.LogRetentionDays == nil }},
	} {
		got := sfoService(t, goldenFullSpec(), env, func(obs map[string]Observed) { delete(obs, tc.missing) })
		if !tc.check(got) {
			t.Errorf("without %s: %s", tc.missing, marshalCanonical(got))
		}
	}
}

func TestServiceSpecFromObserved_notFull(t *testing.T) {
	s := goldenARNSpec()
	s.LoadBalancer.DeregistrationDelay = Ptr[int64](5)
	env := goldenEnv()
	if got := sfoService(t, s, env, nil); *got.LoadBalancer.DeregistrationDelay != 5 || *got.Repository.KeepImages != 10 {
		t.Fatalf("full: %s", marshalCanonical(got))
	}
	got := sfoService(t, s, env, func(obs map[string]Observed) {
		for _, k := range []string{KeyTargetGroup, KeyRepository} {
			o := obs[k]
			o.Full = false
			obs[k] = o
		}
	})
	if got.LoadBalancer.DeregistrationDelay != nil || got.Repository.KeepImages != nil {
		t.Errorf("not full: deregistration delay and keep images must stay unset: %s", marshalCanonical(got))
	}
}

func TestServiceSpecFromObserved_imageOfOwnRepositoryWithoutURL(t *testing.T) {
	got := sfoService(t, goldenFullSpec(), goldenEnv(), func(obs map[string]Observed) {
		o := obs[KeyRepository]
		o.Outputs = nil
		obs[KeyRepository] = o
	})
	if got.Containers["web"].ImageTag != "v3" || got.Containers["log-router"].ImageTag != "" {
		t.Errorf("containers = %s", marshalCanonical(got.Containers))
	}
}

func TestInvStripExecStatement(t *testing.T) {
	exec := marshalCanonical(execCommandStatement())
	user := `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
	// The exec statement as IAM might hand it back: keys and actions in
	// another order, Resource as a single value.
	reordered := `{"Resource":"*","Action":["ssmmessages:OpenDataChannel","ssmmessages:CreateControlChannel","ssmmessages:OpenControlChannel","ssmmessages:CreateDataChannel"],"Effect":"Allow","Sid":"ECSExec"}`
	for _, tc := range []struct {
		name, doc, want string
		exec            bool
	}{
		{"user and exec", `{"Version":"2012-10-17","Statement":[` + user + `,` + exec + `]}`, `{"Statement":[` + marshalCanonical(mustDecode(t, user)) + `],"Version":"2012-10-17"}`, true},
		{"exec only", `{"Version":"2012-10-17","Statement":[` + exec + `]}`, "", true},
		{"url-encoded", url.QueryEscape(`{"Version":"2012-10-17","Statement":[` + reordered + `]}`), "", true},
		{"no exec", `{"Version":"2012-10-17","Statement":[` + user + `]}`, `{"Statement":[` + marshalCanonical(mustDecode(t, user)) + `],"Version":"2012-10-17"}`, false},
		{"statement object", `{"Statement":` + user + `}`, `{"Statement":` + marshalCanonical(mustDecode(t, user)) + `}`, false},
	} {
		got, hadExec, err := invStripExecStatement(tc.doc)
		if err != nil || got != tc.want || hadExec != tc.exec {
			t.Errorf("%s: %q, %v, %v; want %q, %v", tc.name, got, hadExec, err, tc.want, tc.exec)
		}
	}
	if _, _, err := invStripExecStatement("not json"); err == nil {
		t.Error("invalid document: want an error")
	}
}

func mustDecode(t *testing.T, doc string) map[string]any {
	t.Helper()
	m, err := invDecodePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInvLifecycleKeepImages(t *testing.T) {
	if n, ok := invLifecycleKeepImages(lifecyclePolicy(17)); !ok || n != 17 {
		t.Errorf("own policy: %d, %v", n, ok)
	}
	for _, doc := range []string{"", "{}", `{"rules":[{"selection":{"countType":"sinceImagePushed","countNumber":3}}]}`,
		`{"rules":[{"selection":{"countType":"imageCountMoreThan","countNumber":3}},{"selection":{"countType":"imageCountMoreThan","countNumber":4}}]}`} {
		if _, ok := invLifecycleKeepImages(doc); ok {
			t.Errorf("%q: not the composite's shape", doc)
		}
	}
}

func TestInvUserTags(t *testing.T) {
	env := Env{DefaultTags: map[string]string{"env": "test", "team": "platform"}}
	got := invUserTags(map[string]string{TagOwner: "o", TagKey: "k", "aws:x": "y", "env": "test", "team": "payments", "app": "web"}, env)
	if marshalCanonical(got) != `{"app":"web","team":"payments"}` {
		t.Errorf("tags = %v", got)
	}
	if got := invUserTags(map[string]string{TagOwner: "o", "env": "test"}, env); got != nil {
		t.Errorf("only ownership and default tags: %v, want nil", got)
	}
}

func TestClusterSpecFromObserved(t *testing.T) {
	env := goldenEnv()
	g, err := ExpandCluster(goldenClusterFull(), env)
	if err != nil {
		t.Fatal(err)
	}
	w := rtObserve(t, g, env)
	got, err := ClusterSpecFromObserved("platform", w.observed, env)
	if err != nil {
		t.Fatal(err)
	}
	want := ClusterSpec{
		Name: "platform",
		DefaultCapacityProviderStrategy: []CapacityProviderStrategySpec{
			{CapacityProvider: "FARGATE", Base: Ptr[int64](1)},
			{CapacityProvider: "FARGATE_SPOT", Weight: Ptr[int64](3)},
		},
		ContainerInsights: Ptr(false),
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0a000001", "subnet-0b000002"},
		ServiceDiscovery:  &ClusterServiceDiscoverySpec{Name: "platform.internal", Description: "platform services"},
		LoadBalancer: &ClusterLoadBalancerSpec{
			IngressCIDRBlocks: []string{"10.0.0.0/8", "192.168.0.0/16", "::/0"},
			CertificateARN:    goldenCert,
			IdleTimeout:       Ptr[int64](120),
		},
		Tags: map[string]string{"env": "prod"}, // team=platform is the default tag
	}
	if a, b := marshalCanonical(got), marshalCanonical(want); a != b {
		t.Errorf("rebuilt\n%s\nwant\n%s", a, b)
	}

	minimal, err := ExpandCluster(goldenClusterMinimal(), env)
	if err != nil {
		t.Fatal(err)
	}
	got, err = ClusterSpecFromObserved("platform", rtObserve(t, minimal, env).observed, env)
	if err != nil {
		t.Fatal(err)
	}
	// Without a load balancer the subnets are not stored anywhere: unset.
	if a, b := marshalCanonical(got), marshalCanonical(ClusterSpec{Name: "platform", VpcID: "vpc-0a1b2c3d"}); a != b {
		t.Errorf("minimal rebuilt\n%s\nwant\n%s", a, b)
	}

	obs := rtObserve(t, minimal, env).observed
	obs[KeyCluster] = Observed{}
	if _, err := ClusterSpecFromObserved("platform", obs, env); err == nil || !strings.Contains(err.Error(), "not observed") {
		t.Errorf("without the ECS cluster: err = %v", err)
	}
}

// TestServiceSpecFromObserved_execFromPolicy: an emulator that drops the ECS
// service's enableExecuteCommand still reports the ECS Exec statement of the
// task role policy.
func TestServiceSpecFromObserved_execFromPolicy(t *testing.T) {
	s := goldenFullSpec()
	s.EnableExecuteCommand = true
	got := sfoService(t, s, goldenEnv(), func(obs map[string]Observed) {
		obs[KeyService].Props.(*ServiceProps).EnableExecuteCommand = false
	})
	if !got.EnableExecuteCommand || !strings.Contains(got.TaskRolePolicyJSON, "s3:GetObject") || strings.Contains(got.TaskRolePolicyJSON, "ssmmessages") {
		t.Errorf("exec %v, policy %s", got.EnableExecuteCommand, got.TaskRolePolicyJSON)
	}
	// And the service's own flag counts without the statement.
	got = sfoService(t, goldenMinimalSpec(), goldenEnv(), func(obs map[string]Observed) {
		obs[KeyService].Props.(*ServiceProps).EnableExecuteCommand = true
	})
	if !got.EnableExecuteCommand {
		t.Error("exec from the ECS service")
	}
}

// TestServiceSpecFromObserved_emulatorDropsDeployment: deployment settings
// an emulator does not keep read as the defaults.
func TestServiceSpecFromObserved_emulatorDropsDeployment(t *testing.T) {
	s := goldenMinimalSpec()
	s.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](50), CircuitBreakerRollback: Ptr(false)}
	got := sfoService(t, s, goldenEnv(), func(obs map[string]Observed) {
		p := obs[KeyService].Props.(*ServiceProps)
		p.CircuitBreaker, p.CircuitBreakerRollback, p.MinimumHealthyPercent, p.MaximumPercent = false, false, 0, 0
	})
	if got.Deployment != nil {
		t.Errorf("deployment = %s, want unset", marshalCanonical(got.Deployment))
	}
}
