package composite

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// updateGolden is the -update flag (registered once even if another test
// file of the package registers it too).
var updateGolden = func() func() bool {
	if f := flag.Lookup("update"); f != nil {
		return func() bool { return f.Value.String() == "true" }
	}
	p := flag.Bool("update", false, "rewrite the golden files under testdata/")
	return func() bool { return *p }
}()

const (
	goldenAccount  = "123456789012"
	goldenListener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2"
	goldenSecret   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	goldenParam    = "arn:aws:ssm:us-east-1:123456789012:parameter/web/api-key"
)

func goldenEnv() Env {
	return Env{Region: "us-east-1", Partition: "aws", AccountID: goldenAccount, DefaultTags: map[string]string{"env": "test", "team": "platform"}}
}

// goldenMinimalSpec: one container, no load balancer.
func goldenMinimalSpec() ServiceSpec {
	return ServiceSpec{
		Name:    "worker",
		Cluster: "platform",
		Containers: map[string]ContainerSpec{
			"worker": {Image: "public.ecr.aws/docker/library/busybox:1.36", Command: []string{"sleep", "infinity"}},
		},
		Network: NetworkSpec{SubnetIDs: []string{"subnet-0a1b2c3d"}, SecurityGroupIDs: []string{"sg-0a1b2c3d"}},
	}
}

// goldenFullSpec: load balancer, service discovery, repository, secrets, task role
// policy, two containers.
func goldenFullSpec() ServiceSpec {
	return ServiceSpec{
		Name:         "web",
		Cluster:      "platform",
		CPU:          Ptr[int64](512),
		Memory:       Ptr[int64](1024),
		DesiredCount: Ptr[int64](2),
		Containers: map[string]ContainerSpec{
			"web": {
				ImageTag:    "v3",
				Port:        Ptr[int64](8080),
				Command:     []string{"nginx", "-g", "daemon off;"},
				Environment: map[string]string{"LOG_LEVEL": "info", "A_FIRST": "1"},
				Secrets:     map[string]string{"DB_PASSWORD": goldenSecret + ":password::", "API_KEY": goldenParam},
			},
			"log-router": {
				Image:     "123456789012.dkr.ecr.us-east-1.amazonaws.com/infra/fluent-bit:2.2",
				Essential: Ptr(false),
				Memory:    Ptr[int64](128),
			},
		},
		Network: NetworkSpec{
			SubnetIDs:        []string{"subnet-0b000002", "subnet-0a000001"},
			SecurityGroupIDs: []string{"sg-0a1b2c3d"},
		},
		LoadBalancer: &LoadBalancerSpec{
			ListenerARN:  goldenListener,
			PathPatterns: []string{"/api/*", "/"},
			HostHeaders:  []string{"web.example.com"},
			HealthCheck:  &HealthCheckSpec{Path: "/healthz"},
		},
		ServiceDiscovery:   &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789"},
		Repository:         &RepositorySpec{},
		TaskRolePolicyJSON: `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]}`,
		Tags:               map[string]string{"team": "payments", "app": "web"},
	}
}

// goldenAutoscaledSpec: the full spec, scaled on CPU and ALB requests, with
// a schedule.
func goldenAutoscaledSpec() ServiceSpec {
	s := goldenFullSpec()
	s.Autoscaling = &AutoscalingSpec{
		MinCount: Ptr[int64](2), MaxCount: Ptr[int64](10), CPUTarget: Ptr[int64](60), RequestsPerTarget: Ptr[int64](1000),
		Schedules: map[string]ScheduleSpec{"night": {Schedule: "cron(0 22 * * ? *)", Timezone: "Europe/Berlin", MaxCount: Ptr[int64](2)}},
	}
	return s
}

// goldenARNSpec: cluster given as ARN, image_tag gated by the scan gate,
// explicit priority and vpc, ARM64, exec, no account id known.
func goldenARNSpec() ServiceSpec {
	return ServiceSpec{
		Name:            "api",
		Cluster:         "arn:aws:ecs:us-east-1:123456789012:cluster/Shared_Prod",
		CPUArchitecture: "ARM64",
		Containers: map[string]ContainerSpec{
			"app": {ImageTag: "2024.06.01", Port: Ptr[int64](3000)},
		},
		Network:              NetworkSpec{SubnetIDs: []string{"subnet-0a000001"}, VpcID: "vpc-0123abcd", AssignPublicIP: true},
		LoadBalancer:         &LoadBalancerSpec{ListenerARN: goldenListener, HostHeaders: []string{"api.example.com"}, Priority: Ptr[int64](100), ProtocolVersion: "HTTP2"},
		Repository:           &RepositorySpec{ImageTagMutability: "MUTABLE", KeepImages: Ptr[int64](10), ForceDelete: true, BlockOnSeverity: "HIGH"},
		EnableExecuteCommand: true,
		Deployment:           &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](50), WaitForSteadyState: Ptr(false)},
	}
}

type goldenChildJSON struct {
	Key         string   `json:"key"`
	Kind        Kind     `json:"kind"`
	Name        string   `json:"name"`
	DependsOn   []string `json:"depends_on,omitempty"`
	ReplaceOn   []string `json:"replace_on,omitempty"`
	Hash        string   `json:"hash"`
	ReplaceHash string   `json:"replace_hash"`
	Props       any      `json:"props"`
}

func goldenJSON(t *testing.T, g Graph) []byte {
	t.Helper()
	out := struct {
		Owner    string            `json:"owner"`
		Children []goldenChildJSON `json:"children"`
	}{Owner: g.Owner}
	for _, c := range g.Children {
		out.Children = append(out.Children, goldenChildJSON{c.Key, c.Kind, c.Name, c.DependsOn(), c.ReplaceOn, c.Hash, c.ReplaceHash, c.Props})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestExpandService_golden(t *testing.T) {
	noAccount := goldenEnv()
	noAccount.AccountID = ""
	for _, tc := range []struct {
		name string
		spec ServiceSpec
		env  Env
	}{
		{"minimal", goldenMinimalSpec(), goldenEnv()},
		{"full", goldenFullSpec(), goldenEnv()},
		{"arn_cluster_image_tag", goldenARNSpec(), noAccount},
		{"autoscaled", goldenAutoscaledSpec(), goldenEnv()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ExpandService(tc.spec, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenJSON(t, g)
			path := filepath.Join("testdata", tc.name+".golden.json")
			if updateGolden() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("expansion differs from %s (run go test ./internal/composite -update to accept):\n%s", path, expFirstDiff(string(want), string(got)))
			}
		})
	}
}

func expFirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

func expChild(t *testing.T, g Graph, key string) Child {
	t.Helper()
	for _, c := range g.Children {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("no child %q in graph", key)
	return Child{}
}

func expKeys(g Graph) []string {
	var keys []string
	for _, c := range g.Children {
		keys = append(keys, c.Key)
	}
	return keys
}

func TestExpandService_children(t *testing.T) {
	g, err := ExpandService(goldenMinimalSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(expKeys(g), ","), "execution_role,log_group,task_role,execution_role_policy,task_definition,service"; got != want {
		t.Errorf("minimal children = %s, want %s", got, want)
	}
	if g.Owner != "platform/worker" {
		t.Errorf("owner = %q", g.Owner)
	}

	g, err = ExpandService(goldenFullSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	want := "discovery_service,execution_role,log_group,repository,target_group,task_role,execution_role_policy,listener_rule,task_definition,task_role_policy,service"
	if got := strings.Join(expKeys(g), ","); got != want {
		t.Errorf("full children = %s, want %s", got, want)
	}
}

func TestExpandService_executionPolicy(t *testing.T) {
	g, err := ExpandService(goldenFullSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	pol := expChild(t, g, KeyExecutionRolePolicy).Props.(*RolePolicyProps)
	if pol.Role != "${execution_role.name}" {
		t.Errorf("role = %q", pol.Role)
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(pol.Policy), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, st := range doc.Statement {
		got[strings.Join(st.Action, " ")] = strings.Join(st.Resource, " ")
	}
	want := map[string]string{
		"logs:CreateLogStream logs:PutLogEvents":                                       "${log_group.arn}:*",
		"ecr:GetAuthorizationToken":                                                    "*",
		"ecr:BatchCheckLayerAvailability ecr:BatchGetImage ecr:GetDownloadUrlForLayer": "${repository.arn} arn:aws:ecr:us-east-1:123456789012:repository/infra/fluent-bit",
		"secretsmanager:GetSecretValue":                                                goldenSecret, // JSON-key suffix stripped
		"ssm:GetParameters":                                                            goldenParam,
	}
	if len(got) != len(want) {
		t.Errorf("statements = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("statement %q resources = %q, want %q", k, got[k], v)
		}
	}

	// Without a repository and ECR images there is no ECR statement at all.
	g, _ = ExpandService(goldenMinimalSpec(), goldenEnv())
	pol = expChild(t, g, KeyExecutionRolePolicy).Props.(*RolePolicyProps)
	if strings.Contains(pol.Policy, "ecr:") || strings.Contains(pol.Policy, "secretsmanager") {
		t.Errorf("minimal execution policy grants too much: %s", pol.Policy)
	}
}

func TestExpandService_trustPolicy(t *testing.T) {
	g, _ := ExpandService(goldenMinimalSpec(), goldenEnv())
	role := expChild(t, g, KeyExecutionRole).Props.(*RoleProps)
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":["sts:AssumeRole"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`
	if role.AssumeRolePolicy != want {
		t.Errorf("trust policy =\n%s\nwant\n%s", role.AssumeRolePolicy, want)
	}
	env := goldenEnv()
	env.AccountID = ""
	g, _ = ExpandService(goldenMinimalSpec(), env)
	if p := expChild(t, g, KeyTaskRole).Props.(*RoleProps).AssumeRolePolicy; strings.Contains(p, "Condition") {
		t.Errorf("trust policy without account has a condition: %s", p)
	}
}

func TestExpandService_tags(t *testing.T) {
	env := goldenEnv()
	env.DefaultTags[TagOwner] = "spoofed"
	g, _ := ExpandService(goldenFullSpec(), env)
	for _, c := range g.Children {
		tags := expTags(c)
		if !IsTaggable(c.Kind) {
			if tags != nil {
				t.Errorf("%s: untaggable kind has tags", c.Key)
			}
			continue
		}
		want := map[string]string{"env": "test", "team": "payments", "app": "web", TagOwner: "platform/web", TagKey: c.Key}
		if len(tags) != len(want) {
			t.Errorf("%s: tags = %v, want %v", c.Key, tags, want)
		}
		for k, v := range want {
			if tags[k] != v {
				t.Errorf("%s: tag %s = %q, want %q", c.Key, k, tags[k], v)
			}
		}
	}
}

func TestExpandService_details(t *testing.T) {
	g, err := ExpandService(goldenFullSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	td := expChild(t, g, KeyTaskDefinition)
	if got := strings.Join(td.ReplaceOn, ","); got != "execution_role,repository,task_role" {
		t.Errorf("task definition replace_on = %s", got)
	}
	if td.ReplaceHash != td.Hash {
		t.Errorf("task definition replace hash %s != hash %s", td.ReplaceHash, td.Hash)
	}
	tdp := td.Props.(*TaskDefinitionProps)
	if tdp.Containers[0].Name != "log-router" || tdp.Containers[1].Image != "${repository.url}:v3" {
		t.Errorf("containers = %+v", tdp.Containers)
	}
	if s := tdp.Containers[1].Secrets; len(s) != 2 || s[0].Name != "API_KEY" {
		t.Errorf("secrets not sorted: %+v", s)
	}

	rule := expChild(t, g, KeyListenerRule)
	rp := rule.Props.(*ListenerRuleProps)
	if rp.Priority != 0 || rp.PriorityHint < 1 || rp.PriorityHint > 50000 {
		t.Errorf("priority = %d hint %d", rp.Priority, rp.PriorityHint)
	}
	if len(rule.ReplaceOn) != 0 || len(expChild(t, g, KeyService).ReplaceOn) != 0 {
		t.Errorf("listener rule / service must not be replaced with their dependencies")
	}
	if rp := expChild(t, g, KeyTaskRolePolicy); strings.Join(rp.ReplaceOn, ",") != KeyTaskRole {
		t.Errorf("task role policy replace_on = %v", rp.ReplaceOn)
	}
	tg := expChild(t, g, KeyTargetGroup).Props.(*TargetGroupProps)
	if tg.VPCFromSubnet != "subnet-0a000001" || tg.Port != 8080 || tg.HealthCheck.Path != "/healthz" {
		t.Errorf("target group = %+v", tg)
	}
	svc := expChild(t, g, KeyService).Props.(*ServiceProps)
	if len(svc.ServiceRegistries) != 1 || svc.ServiceRegistries[0].ContainerPort != 8080 || svc.ServiceRegistries[0].RegistryARN != "${discovery_service.arn}" {
		t.Errorf("service registries = %+v", svc.ServiceRegistries)
	}
	if tp := expChild(t, g, KeyTaskRolePolicy).Props.(*RolePolicyProps).Policy; tp != `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::assets/*"}],"Version":"2012-10-17"}` {
		t.Errorf("task role policy not canonical: %s", tp)
	}

	// ARN cluster: the service gets the cluster name; exec adds the ECS Exec statement.
	g, err = ExpandService(goldenARNSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	if c := expChild(t, g, KeyService).Props.(*ServiceProps).Cluster; c != "Shared_Prod" || g.Owner != "Shared_Prod/api" {
		t.Errorf("cluster = %q owner %q", c, g.Owner)
	}
	if p := expChild(t, g, KeyTaskRolePolicy).Props.(*RolePolicyProps).Policy; !strings.Contains(p, "ssmmessages:OpenDataChannel") {
		t.Errorf("exec policy missing: %s", p)
	}
	if rp := expChild(t, g, KeyListenerRule).Props.(*ListenerRuleProps); rp.Priority != 100 {
		t.Errorf("priority = %d", rp.Priority)
	}
}

func TestExpandService_invalid(t *testing.T) {
	s := goldenMinimalSpec()
	s.Cluster = ""
	_, err := ExpandService(s, goldenEnv())
	var verrs ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) != 1 || PathString(verrs[0].Path) != "cluster" {
		t.Fatalf("err = %v", err)
	}
	env := goldenEnv()
	env.Region = "eu-west-1"
	_, err = ExpandService(goldenFullSpec(), env)
	if !errors.As(err, &verrs) || len(verrs) != 1 || PathString(verrs[0].Path) != "load_balancer.listener_arn" || verrs[0].Summary != "Listener in another region" {
		t.Errorf("listener in another region: %v", err)
	}
	env = goldenEnv()
	env.AccountID = "210987654321"
	_, err = ExpandService(goldenARNSpec(), env)
	if !errors.As(err, &verrs) || len(verrs) != 2 || PathString(verrs[0].Path) != "cluster" || verrs[0].Summary != "Cluster in another account" {
		t.Errorf("cluster in another account: %v", err)
	}
	if _, err := ExpandService(goldenMinimalSpec(), Env{}); err == nil {
		t.Fatal("expected an error without region")
	}
}

func TestExpandService_doesNotMutateSpec(t *testing.T) {
	s := goldenFullSpec()
	before := marshalCanonical(s)
	if _, err := ExpandService(s, goldenEnv()); err != nil {
		t.Fatal(err)
	}
	_ = Validate(s)
	_, _ = ChildNames(s, goldenEnv())
	if after := marshalCanonical(s); after != before {
		t.Errorf("spec mutated:\n%s\n%s", before, after)
	}
}

func TestChildNames(t *testing.T) {
	names, err := ChildNames(goldenFullSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got := names[KeyLogGroup]; got.Kind != KindLogGroup || got.Name != "/containerapp/platform/web" {
		t.Errorf("log group = %+v", got)
	}
	if got := names[KeyService]; got.Name != "web" {
		t.Errorf("service = %+v", got)
	}
	if len(names) != 11 {
		t.Errorf("%d names", len(names))
	}
}

// expTags returns the Tags field of a child's props (nil when it has none).
func expTags(c Child) map[string]string {
	switch p := c.Props.(type) {
	case *RoleProps:
		return p.Tags
	case *LogGroupProps:
		return p.Tags
	case *RepositoryProps:
		return p.Tags
	case *TargetGroupProps:
		return p.Tags
	case *ListenerRuleProps:
		return p.Tags
	case *DiscoveryServiceProps:
		return p.Tags
	case *TaskDefinitionProps:
		return p.Tags
	case *ServiceProps:
		return p.Tags
	case *ScalableTargetProps:
		return p.Tags
	}
	return nil
}

// Adding or removing a subnet (which may change the first one, sorted) must
// neither rename nor replace the target group, nor even update it: the
// subnet only tells the handler where to look the VPC up on creation.
func TestExpandService_subnetChangeKeepsTargetGroup(t *testing.T) {
	for _, vpc := range []string{"", "vpc-0123abcd"} {
		t.Run("vpc_id="+vpc, func(t *testing.T) {
			spec := goldenFullSpec()
			spec.Network.VpcID = vpc
			before := expChild(t, mustExpand(t, spec), KeyTargetGroup)
			for _, subnets := range [][]string{
				{"subnet-00000000", "subnet-0a000001", "subnet-0b000002"}, // a new first subnet
				{"subnet-0b000002"}, // the first one removed
				{"subnet-0a000001"},
			} {
				spec.Network.SubnetIDs = subnets
				after := expChild(t, mustExpand(t, spec), KeyTargetGroup)
				if after.Name != before.Name || after.ReplaceHash != before.ReplaceHash || after.Hash != before.Hash {
					t.Errorf("subnets %v: target group %s/%s/%s, was %s/%s/%s", subnets,
						after.Name, after.ReplaceHash, after.Hash, before.Name, before.ReplaceHash, before.Hash)
				}
				p := after.Props.(*TargetGroupProps)
				if vpc == "" && p.VPCFromSubnet != sortedCopy(subnets)[0] || vpc != "" && (p.VPCFromSubnet != "" || p.VpcID != vpc) {
					t.Errorf("subnets %v: vpc_id %q vpc_from_subnet %q", subnets, p.VpcID, p.VPCFromSubnet)
				}
			}
		})
	}
	// An explicit vpc_id is part of the key.
	spec := goldenFullSpec()
	a := expChild(t, mustExpand(t, spec), KeyTargetGroup)
	spec.Network.VpcID = "vpc-0123abcd"
	b := expChild(t, mustExpand(t, spec), KeyTargetGroup)
	if a.Name == b.Name || a.ReplaceHash == b.ReplaceHash {
		t.Errorf("setting vpc_id keeps the target group %s/%s", a.Name, a.ReplaceHash)
	}
}

func mustExpand(t *testing.T, spec ServiceSpec) Graph {
	t.Helper()
	g, err := ExpandService(spec, goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Cloud Map refuses a DnsConfig in an HTTP namespace ("When you specify an
// HTTP service, you can't include a DnsConfig element"): the discovery
// service of an HTTP namespace has no records, ECS registers the task's IP
// only (no SRV port), and the namespace type is part of the replace hash.
func TestExpandService_httpNamespace(t *testing.T) {
	base := func(nsType string) ServiceSpec {
		s := goldenMinimalSpec()
		s.Containers = map[string]ContainerSpec{"app": {Image: "nginx:1.27", Port: Ptr[int64](8080)}}
		s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", NamespaceType: nsType}
		return s
	}
	expand := func(s ServiceSpec) (Child, *ServiceProps) {
		t.Helper()
		g, err := ExpandService(s, goldenEnv())
		if err != nil {
			t.Fatal(err)
		}
		var sd Child
		var svc *ServiceProps
		for _, c := range g.Children {
			switch c.Key {
			case KeyDiscoveryService:
				sd = c
			case KeyService:
				svc = c.Props.(*ServiceProps)
			}
		}
		return sd, svc
	}
	httpSD, httpSvc := expand(base(NamespaceTypeHTTP))
	p := httpSD.Props.(*DiscoveryServiceProps)
	if !p.HTTPNamespace || len(p.RecordTypes) != 0 || p.DNSTTL != 0 || p.RoutingPolicy != "" {
		t.Errorf("HTTP discovery props = %+v", p)
	}
	if r := httpSvc.ServiceRegistries; len(r) != 1 || r[0].ContainerName != "" || r[0].ContainerPort != 0 || r[0].RegistryARN == "" {
		t.Errorf("HTTP registries = %+v", r)
	}
	for _, typ := range []string{"", NamespaceTypeDNSPrivate, NamespaceTypeDNSPublic} {
		dnsSD, dnsSvc := expand(base(typ))
		p := dnsSD.Props.(*DiscoveryServiceProps)
		if p.HTTPNamespace || len(p.RecordTypes) != 2 || dnsSvc.ServiceRegistries[0].ContainerPort != 8080 {
			t.Errorf("%q: DNS discovery props = %+v, registries %+v", typ, p, dnsSvc.ServiceRegistries)
		}
		if dnsSD.ReplaceHash == httpSD.ReplaceHash {
			t.Errorf("%q: the namespace type must be part of the replace hash", typ)
		}
	}
	// An unknown type ("") and a DNS type expand alike: state written before
	// namespace_type existed keeps its hashes.
	a, _ := expand(base(""))
	b, _ := expand(base(NamespaceTypeDNSPrivate))
	if a.Hash != b.Hash {
		t.Error("DNS_PRIVATE changed the hash of a DNS namespace's discovery service")
	}
}

func TestValidate_httpNamespace(t *testing.T) {
	s := goldenMinimalSpec()
	s.Containers = map[string]ContainerSpec{"app": {Image: "nginx:1.27", Port: Ptr[int64](8080)}}
	s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", NamespaceType: NamespaceTypeHTTP, DNSTTL: Ptr[int64](10), ContainerName: "app"}
	s.ApplyDefaults()
	got := map[string]bool{}
	for _, e := range Validate(s) {
		got[PathString(e.Path)] = true
	}
	if !got["service_discovery.dns_ttl"] || !got["service_discovery.container_name"] {
		t.Errorf("errors at %v", got)
	}
	s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", NamespaceType: "DNS"}
	s.ApplyDefaults()
	if errs := Validate(s); len(errs) != 1 || PathString(errs[0].Path) != "service_discovery.namespace_type" {
		t.Errorf("invalid type: %v", errs)
	}
}
