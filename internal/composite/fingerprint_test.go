package composite

import (
	"net/url"
	"strings"
	"testing"
)

// fpOf is the fingerprint of props, which must have one.
func fpOf(t *testing.T, k Kind, props any) string {
	t.Helper()
	fp, ok := Fingerprint(k, props)
	if !ok || len(fp) != HashLength {
		t.Fatalf("Fingerprint(%s, %T) = %q, %v; want a fingerprint", k, props, fp, ok)
	}
	return fp
}

// fpSame fails unless desired and observed props fingerprint the same.
func fpSame(t *testing.T, what string, k Kind, desired, observed any) {
	t.Helper()
	if a, b := fpOf(t, k, desired), fpOf(t, k, observed); a != b {
		t.Errorf("%s: desired fingerprint %s != observed %s", what, a, b)
	}
}

// fpOther fails when a real change does not change the fingerprint.
func fpOther(t *testing.T, what string, k Kind, desired, observed any) {
	t.Helper()
	if a, b := fpOf(t, k, desired), fpOf(t, k, observed); a == b {
		t.Errorf("%s: fingerprint unchanged (%s)", what, a)
	}
}

// fpWithAWSTags returns tags plus tags AWS adds (reserved aws: keys).
func fpWithAWSTags(tags map[string]string) map[string]string {
	out := map[string]string{"aws:cloudformation:stack-name": "x", "aws:ecs:serviceName": "y"}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

const fpTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},` +
	`"Action":["sts:AssumeRole"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"},` +
	`"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`

func TestFingerprint_none(t *testing.T) {
	for _, tc := range []struct {
		k     Kind
		props any
	}{
		{KindIAMRole, nil},
		{KindIAMRole, (*RoleProps)(nil)},
		{KindIAMRole, &LogGroupProps{}},
		{Kind("aws_unknown"), &RoleProps{}},
		{"", &RoleProps{}},
	} {
		if fp, ok := Fingerprint(tc.k, tc.props); ok || fp != "" {
			t.Errorf("Fingerprint(%q, %T) = %q, %v; want none", tc.k, tc.props, fp, ok)
		}
	}
}

func TestFingerprint_everyKind(t *testing.T) {
	for k, props := range map[Kind]any{
		KindIAMRole: &RoleProps{}, KindIAMRolePolicy: &RolePolicyProps{}, KindLogGroup: &LogGroupProps{},
		KindECRRepository: &RepositoryProps{}, KindTargetGroup: &TargetGroupProps{}, KindListenerRule: &ListenerRuleProps{},
		KindDiscoveryService: &DiscoveryServiceProps{}, KindTaskDefinition: &TaskDefinitionProps{}, KindECSService: &ServiceProps{},
		KindECSCluster: &ClusterProps{}, KindPrivateDNSNamespace: &NamespaceProps{}, KindHTTPNamespace: &NamespaceProps{},
		KindSecurityGroup: &SecurityGroupProps{}, KindLoadBalancer: &LoadBalancerProps{}, KindListener: &ListenerProps{},
	} {
		fpOf(t, k, props)
	}
}

func TestFingerprint_canonicalPolicy(t *testing.T) {
	base := driftCanonicalPolicy(fpTrustPolicy)
	for name, doc := range map[string]string{
		"url-encoded (as IAM returns it)": url.QueryEscape(fpTrustPolicy),
		"path-encoded":                    strings.ReplaceAll(url.PathEscape(fpTrustPolicy), ":", "%3A"),
		"single values, statement object, keys reordered, whitespace": `{
			"Statement": {"Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]},
			              "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}},
			              "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Effect": "Allow"},
			"Version": "2012-10-17"}`,
		"numbers as numbers": strings.ReplaceAll(fpTrustPolicy, `"123456789012"}`, `123456789012}`),
	} {
		if got := driftCanonicalPolicy(doc); got != base {
			t.Errorf("%s: canonical form\n%s\nwant\n%s", name, got, base)
		}
	}
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":"arn:x"},` +
		`{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}`
	b := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":["*"]},` +
		`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:CreateLogStream"],"Resource":["arn:x"]}]}`
	if driftCanonicalPolicy(a) != driftCanonicalPolicy(b) {
		t.Errorf("reordered statements and values:\n%s\n%s", driftCanonicalPolicy(a), driftCanonicalPolicy(b))
	}
	for name, doc := range map[string]string{
		"effect":    strings.Replace(fpTrustPolicy, "Allow", "Deny", 1),
		"principal": strings.Replace(fpTrustPolicy, "ecs-tasks", "lambda", 1),
		"condition": strings.Replace(fpTrustPolicy, `"aws:SourceAccount":"123456789012"`, `"aws:SourceAccount":"210987654321"`, 1),
		"action":    strings.Replace(fpTrustPolicy, `["sts:AssumeRole"]`, `["sts:AssumeRole","sts:TagSession"]`, 1),
	} {
		if driftCanonicalPolicy(doc) == base {
			t.Errorf("%s changed but the canonical form did not", name)
		}
	}
	if got := driftCanonicalPolicy("not json"); got != "not json" {
		t.Errorf("unparsable document = %q, want it as is", got)
	}
}

func TestFingerprint_role(t *testing.T) {
	tags := map[string]string{TagOwner: "cl/web", TagKey: KeyExecutionRole, "team": "a"}
	desired := &RoleProps{Name: "r", Path: "/containerapp/", Description: "exec role", AssumeRolePolicy: fpTrustPolicy, Tags: tags}
	aws := func(mod func(*RoleProps)) *RoleProps {
		p := &RoleProps{Name: "r", Path: "/containerapp/", Description: "exec role", AssumeRolePolicy: url.QueryEscape(fpTrustPolicy),
			MaxSessionDuration: 3600, Tags: fpWithAWSTags(tags)}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "role as IAM reports it", KindIAMRole, desired, aws(nil))
	fpSame(t, "default path", KindIAMRole, &RoleProps{Name: "r"}, &RoleProps{Name: "r", Path: "/", MaxSessionDuration: 3600})
	fpOther(t, "trust policy", KindIAMRole, desired, aws(func(p *RoleProps) {
		p.AssumeRolePolicy = strings.Replace(fpTrustPolicy, "ecs-tasks", "ec2", 1)
	}))
	fpOther(t, "path", KindIAMRole, desired, aws(func(p *RoleProps) { p.Path = "/" }))
	fpOther(t, "tags", KindIAMRole, desired, aws(func(p *RoleProps) { p.Tags = map[string]string{"team": "b"} }))
	fpOther(t, "ownership tag", KindIAMRole, desired, aws(func(p *RoleProps) { p.Tags = map[string]string{TagOwner: "cl/web", "team": "a"} }))
	fpOther(t, "description", KindIAMRole, desired, aws(func(p *RoleProps) { p.Description = "changed" }))
	fpOther(t, "max session", KindIAMRole, desired, aws(func(p *RoleProps) { p.MaxSessionDuration = 7200 }))
}

func TestFingerprint_rolePolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket/*"]}]}`
	desired := &RolePolicyProps{Role: "r", Name: "p", Policy: doc}
	fpSame(t, "URL-encoded document", KindIAMRolePolicy, desired, &RolePolicyProps{Role: "r", Name: "p", Policy: url.QueryEscape(doc)})
	fpSame(t, "single values", KindIAMRolePolicy, desired, &RolePolicyProps{Role: "r", Name: "p",
		Policy: `{"Statement":{"Resource":"arn:aws:s3:::bucket/*","Action":"s3:GetObject","Effect":"Allow"},"Version":"2012-10-17"}`})
	fpOther(t, "policy resource", KindIAMRolePolicy, desired, &RolePolicyProps{Role: "r", Name: "p", Policy: url.QueryEscape(strings.Replace(doc, "bucket", "other", 1))})
}

func TestFingerprint_logGroup(t *testing.T) {
	desired := &LogGroupProps{Name: "/g", RetentionDays: 30, Tags: map[string]string{"a": "b"}}
	fpSame(t, "log group (tags need another call)", KindLogGroup, desired, &LogGroupProps{Name: "/g", RetentionDays: 30})
	fpOther(t, "retention 7", KindLogGroup, desired, &LogGroupProps{Name: "/g", RetentionDays: 7})
	fpOther(t, "no retention", KindLogGroup, desired, &LogGroupProps{Name: "/g"})
	fpOther(t, "kms key", KindLogGroup, desired, &LogGroupProps{Name: "/g", RetentionDays: 30, KMSKeyID: "arn:kms"})
	fpSame(t, "never expire", KindLogGroup, &LogGroupProps{Name: "/g"}, &LogGroupProps{Name: "/g", RetentionDays: -1})
}

func TestFingerprint_repository(t *testing.T) {
	desired := &RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, EncryptionType: "AES256", LifecyclePolicy: lifecyclePolicy(30), ForceDelete: true}
	fpSame(t, "repository without lifecycle policy (another call)", KindECRRepository, desired,
		&RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, EncryptionType: "AES256"})
	fpOther(t, "mutability", KindECRRepository, desired, &RepositoryProps{Name: "r", ImageTagMutability: "MUTABLE", ScanOnPush: true})
	fpOther(t, "scan on push", KindECRRepository, desired, &RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE"})
	fpSame(t, "default mutability", KindECRRepository, &RepositoryProps{Name: "r"}, &RepositoryProps{Name: "r", ImageTagMutability: "MUTABLE"})
}

func TestFingerprint_targetGroup(t *testing.T) {
	desired := func() *TargetGroupProps {
		return &TargetGroupProps{
			Name: "tg", Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip", VPCFromSubnet: "subnet-1", DeregistrationDelay: 30,
			HealthCheck: TargetGroupHealthCheck{Path: "/healthz", Matcher: "200-399", Protocol: "HTTP", Port: "traffic-port",
				IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
			Tags: map[string]string{TagOwner: "cl/web"},
		}
	}
	aws := func(mod func(*TargetGroupProps)) *TargetGroupProps {
		p := desired()
		p.VPCFromSubnet, p.VpcID, p.DeregistrationDelay, p.Tags = "", "vpc-1", 300, nil
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "target group as ELBv2 reports it", KindTargetGroup, desired(), aws(nil))
	fpOther(t, "health check path", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.HealthCheck.Path = "/" }))
	fpOther(t, "interval", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.HealthCheck.IntervalSeconds = 30 }))
	fpOther(t, "matcher", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.HealthCheck.Matcher = "200" }))
	fpOther(t, "port", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.Port = 80 }))
	fpOther(t, "health check disabled", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.HealthCheck = TargetGroupHealthCheck{} }))
	fpSame(t, "protocol unset", KindTargetGroup, desired(), aws(func(p *TargetGroupProps) { p.Protocol = "" }))
}

func TestFingerprint_listenerRule(t *testing.T) {
	const tgARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1"
	desired := &ListenerRuleProps{
		ListenerARN: "arn:listener", PriorityHint: 77, PathPatterns: []string{"/b/*", "/a/*"}, HostHeaders: []string{"x.example.com"},
		TargetGroupARN: tgARN, Tags: map[string]string{TagOwner: "cl/web"},
	}
	aws := func(mod func(*ListenerRuleProps)) *ListenerRuleProps {
		// An allocated priority is reported as 0 (its value is an output).
		p := &ListenerRuleProps{ListenerARN: "arn:listener", PathPatterns: []string{"/a/*", "/b/*", "/a/*"}, HostHeaders: []string{"x.example.com"}, TargetGroupARN: tgARN}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "allocated priority", KindListenerRule, desired, aws(nil))
	fpOther(t, "path pattern", KindListenerRule, desired, aws(func(p *ListenerRuleProps) { p.PathPatterns = []string{"/a/*", "/c/*"} }))
	fpOther(t, "host header", KindListenerRule, desired, aws(func(p *ListenerRuleProps) { p.HostHeaders = nil }))
	fpOther(t, "target group", KindListenerRule, desired, aws(func(p *ListenerRuleProps) { p.TargetGroupARN = tgARN + "x" }))

	explicit := *desired
	explicit.Priority = 77
	fpSame(t, "explicit priority", KindListenerRule, &explicit, aws(func(p *ListenerRuleProps) { p.Priority = 77 }))
	fpOther(t, "explicit priority moved", KindListenerRule, &explicit, aws(func(p *ListenerRuleProps) { p.Priority = 78 }))
	fpOther(t, "explicit vs allocated", KindListenerRule, &explicit, aws(nil))
}

func TestFingerprint_discoveryService(t *testing.T) {
	desired := &DiscoveryServiceProps{Name: "web", NamespaceID: "ns-1", DNSTTL: 10, RoutingPolicy: "MULTIVALUE", RecordTypes: []string{"A", "SRV"}, FailureThreshold: 1}
	fpSame(t, "records reordered", KindDiscoveryService, desired, &DiscoveryServiceProps{Name: "web", NamespaceID: "ns-1", DNSTTL: 10, RecordTypes: []string{"SRV", "A"}})
	fpOther(t, "ttl", KindDiscoveryService, desired, &DiscoveryServiceProps{Name: "web", DNSTTL: 60, RecordTypes: []string{"A", "SRV"}})
	fpOther(t, "record types", KindDiscoveryService, desired, &DiscoveryServiceProps{Name: "web", DNSTTL: 10, RecordTypes: []string{"A"}})
}

func fpTaskDefinition() *TaskDefinitionProps {
	return &TaskDefinitionProps{
		Family: "cl_web", CPU: 256, Memory: 512, NetworkMode: "awsvpc", ExecutionRoleARN: "arn:exec", TaskRoleARN: "arn:task",
		OperatingSystem: "LINUX", CPUArchitecture: "X86_64", Tags: map[string]string{TagOwner: "cl/web", TagKey: KeyTaskDefinition},
		Containers: []ContainerDef{
			{Name: "sidecar", Image: "busybox", Essential: false, Command: []string{"sleep", "1d"}, LogGroup: "/g", LogRegion: "us-east-1", LogStreamPrefix: "web"},
			{Name: "web", Image: "nginx:1.27", Essential: true, Port: 8080, Environment: []KeyValue{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
				Secrets: []KeyValue{{Name: "DB", Value: "arn:secret"}}, LogGroup: "/g", LogRegion: "us-east-1", LogStreamPrefix: "web"},
		},
	}
}

func TestFingerprint_taskDefinition(t *testing.T) {
	desired := fpTaskDefinition()
	aws := func(mod func(*TaskDefinitionProps)) *TaskDefinitionProps {
		p := fpTaskDefinition()
		p.NetworkMode, p.OperatingSystem, p.CPUArchitecture = "", "", "" // defaults
		p.Containers[0], p.Containers[1] = p.Containers[1], p.Containers[0]
		p.Containers[0].Environment = []KeyValue{{Name: "B", Value: "2"}, {Name: "A", Value: "1"}}
		p.Containers[1].Environment = []KeyValue{}
		p.Containers[0].Command = []string{}
		p.Tags = fpWithAWSTags(p.Tags)
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "task definition as ECS reports it", KindTaskDefinition, desired, aws(nil))
	fpOther(t, "image", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Containers[0].Image = "nginx:1.28" }))
	fpOther(t, "tags", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Tags = map[string]string{"team": "x"} }))
	fpOther(t, "environment", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Containers[0].Environment[0].Value = "3" }))
	fpOther(t, "port", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Containers[0].Port = 9090 }))
	fpOther(t, "essential", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Containers[1].Essential = true }))
	fpOther(t, "log group", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.Containers[1].LogGroup = "/other" }))
	fpOther(t, "cpu", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.CPU = 512 }))
	fpOther(t, "task role", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.TaskRoleARN = "arn:other" }))
	fpOther(t, "architecture", KindTaskDefinition, desired, aws(func(p *TaskDefinitionProps) { p.CPUArchitecture = "ARM64" }))
}

func TestFingerprint_ecsService(t *testing.T) {
	const tdARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/cl_web:3"
	tags := map[string]string{TagOwner: "cl/web", TagKey: KeyService, "team": "a"}
	desired := &ServiceProps{
		Name: "web", Cluster: "cl", TaskDefinition: tdARN, DesiredCount: 2, LaunchType: "FARGATE", PlatformVersion: "LATEST",
		Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"},
		LoadBalancers:     []ServiceLoadBalancer{{TargetGroupARN: "arn:tg", ContainerName: "web", ContainerPort: 8080}},
		ServiceRegistries: []ServiceRegistry{{RegistryARN: "arn:srv", ContainerName: "web", ContainerPort: 8080}},
		CircuitBreaker:    true, CircuitBreakerRollback: true, MinimumHealthyPercent: 100, MaximumPercent: 200,
		HealthCheckGracePeriod: 30, EnableExecuteCommand: true, PropagateTags: "SERVICE", EnableECSManagedTags: true, WaitForSteadyState: true,
		Tags: tags,
	}
	// As an emulator reports it: the deployment settings, grace period and
	// execute command dropped, the cluster as an ARN.
	aws := func(mod func(*ServiceProps)) *ServiceProps {
		p := &ServiceProps{
			Name: "web", Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/cl", TaskDefinition: tdARN, DesiredCount: 2, LaunchType: "FARGATE",
			Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"},
			LoadBalancers:     []ServiceLoadBalancer{{TargetGroupARN: "arn:tg", ContainerName: "web", ContainerPort: 8080}},
			ServiceRegistries: []ServiceRegistry{{RegistryARN: "arn:srv", ContainerName: "web", ContainerPort: 8080}},
			Tags:              fpWithAWSTags(tags),
		}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "ecs service as ECS reports it", KindECSService, desired, aws(nil))
	byRevision := *desired
	byRevision.TaskDefinition = "cl_web:3"
	fpSame(t, "task definition as family:revision", KindECSService, &byRevision, aws(nil))
	fpOther(t, "desired count", KindECSService, desired, aws(func(p *ServiceProps) { p.DesiredCount = 5 }))
	fpOther(t, "task definition", KindECSService, desired, aws(func(p *ServiceProps) { p.TaskDefinition = strings.TrimSuffix(tdARN, "3") + "2" }))
	fpOther(t, "subnets", KindECSService, desired, aws(func(p *ServiceProps) { p.Subnets = []string{"subnet-a"} }))
	fpOther(t, "public ip", KindECSService, desired, aws(func(p *ServiceProps) { p.AssignPublicIP = true }))
	fpOther(t, "load balancer", KindECSService, desired, aws(func(p *ServiceProps) { p.LoadBalancers = nil }))
	fpOther(t, "service registry", KindECSService, desired, aws(func(p *ServiceProps) { p.ServiceRegistries[0].ContainerPort = 9090 }))
	fpOther(t, "tags", KindECSService, desired, aws(func(p *ServiceProps) { p.Tags = nil }))
	fpOther(t, "no network", KindECSService, desired, aws(func(p *ServiceProps) { p.Subnets, p.SecurityGroups = nil, nil }))
}

func TestFingerprint_cluster(t *testing.T) {
	desired := &ClusterProps{
		Name: "platform", CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"}, ContainerInsights: "disabled",
		DefaultStrategy: []CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 1, Base: 1}, {CapacityProvider: "FARGATE_SPOT", Weight: 3}},
		Tags:            map[string]string{TagOwner: "platform", TagKey: KeyCluster},
	}
	aws := func(mod func(*ClusterProps)) *ClusterProps {
		p := &ClusterProps{
			Name: "platform", CapacityProviders: []string{"FARGATE_SPOT", "FARGATE"},
			DefaultStrategy: []CapacityProviderStrategyItem{{CapacityProvider: "FARGATE_SPOT", Weight: 3}, {CapacityProvider: "FARGATE", Weight: 1, Base: 1}},
			Tags:            fpWithAWSTags(map[string]string{TagOwner: "platform", TagKey: KeyCluster}),
		}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "cluster as ECS reports it (insights setting absent)", KindECSCluster, desired, aws(nil))
	fpOther(t, "insights", KindECSCluster, desired, aws(func(p *ClusterProps) { p.ContainerInsights = "enabled" }))
	fpOther(t, "providers", KindECSCluster, desired, aws(func(p *ClusterProps) { p.CapacityProviders = []string{"FARGATE"} }))
	fpOther(t, "strategy weight", KindECSCluster, desired, aws(func(p *ClusterProps) { p.DefaultStrategy[0].Weight = 4 }))
	fpOther(t, "tags", KindECSCluster, desired, aws(func(p *ClusterProps) { p.Tags = nil }))
}

func TestFingerprint_namespace(t *testing.T) {
	desired := &NamespaceProps{Name: "platform.internal", Type: "DNS_PRIVATE", VpcID: "vpc-1", Description: "d", Tags: map[string]string{"a": "b"}}
	fpSame(t, "namespace (VPC and tags are not read back)", KindPrivateDNSNamespace, desired, &NamespaceProps{Name: "platform.internal", Type: "DNS_PRIVATE", Description: "d"})
	fpOther(t, "description", KindPrivateDNSNamespace, desired, &NamespaceProps{Name: "platform.internal", Type: "DNS_PRIVATE"})
	fpOther(t, "type", KindHTTPNamespace, desired, &NamespaceProps{Name: "platform.internal", Type: "HTTP", Description: "d"})
}

func TestFingerprint_securityGroup(t *testing.T) {
	tags := map[string]string{TagOwner: "platform", TagKey: KeyLoadBalancerSecurityGroup}
	desired := &SecurityGroupProps{
		Name: "platform-load-balancer", Description: "Load balancer of containerapp cluster platform", VpcID: "vpc-1",
		Ingress: []SecurityGroupRule{
			{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRBlocks: []string{"10.0.0.0/8", "192.168.0.0/16"}, IPv6CIDRBlocks: []string{"::/0"}, Description: "Port 80"},
			{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRBlocks: []string{"10.0.0.0/8"}, Description: "Port 443"},
		},
		Egress: []SecurityGroupRule{{Protocol: "-1", CIDRBlocks: []string{"0.0.0.0/0"}}},
		Tags:   tags,
	}
	aws := func(mod func(*SecurityGroupProps)) *SecurityGroupProps {
		// EC2 reports one permission per source, without our descriptions,
		// and the all-traffic egress rule with ports -1.
		p := &SecurityGroupProps{
			Name: desired.Name, Description: desired.Description, VpcID: "vpc-1",
			Ingress: []SecurityGroupRule{
				{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRBlocks: []string{"10.0.0.0/8"}},
				{Protocol: "tcp", FromPort: 80, ToPort: 80, IPv6CIDRBlocks: []string{"::/0"}},
				{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRBlocks: []string{"192.168.0.0/16", "10.0.0.0/8"}},
			},
			Egress: []SecurityGroupRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRBlocks: []string{"0.0.0.0/0"}}},
			Tags:   fpWithAWSTags(tags),
		}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "security group as EC2 reports it", KindSecurityGroup, desired, aws(nil))
	fpOther(t, "extra ingress", KindSecurityGroup, desired, aws(func(p *SecurityGroupProps) {
		p.Ingress = append(p.Ingress, SecurityGroupRule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRBlocks: []string{"0.0.0.0/0"}})
	}))
	fpOther(t, "port", KindSecurityGroup, desired, aws(func(p *SecurityGroupProps) { p.Ingress[0].FromPort, p.Ingress[0].ToPort = 8443, 8443 }))
	fpOther(t, "no egress", KindSecurityGroup, desired, aws(func(p *SecurityGroupProps) { p.Egress = nil }))
	fpOther(t, "source group", KindSecurityGroup, desired, aws(func(p *SecurityGroupProps) {
		p.Ingress = append(p.Ingress, SecurityGroupRule{Protocol: "tcp", FromPort: 0, ToPort: 65535, SourceSecurityGroupID: "sg-1"})
	}))
	fpOther(t, "tags", KindSecurityGroup, desired, aws(func(p *SecurityGroupProps) { p.Tags = nil }))
}

func TestFingerprint_loadBalancer(t *testing.T) {
	desired := &LoadBalancerProps{
		Name: "platform-alb", Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"}, IPAddressType: "ipv4",
		IdleTimeout: 60, DropInvalidHeaderFields: true, Tags: map[string]string{TagOwner: "platform"},
	}
	aws := func(mod func(*LoadBalancerProps)) *LoadBalancerProps {
		p := &LoadBalancerProps{Name: "platform-alb", Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, DropInvalidHeaderFields: true}
		if mod != nil {
			mod(p)
		}
		return p
	}
	fpSame(t, "defaults unreported", KindLoadBalancer, desired, aws(nil))
	fpOther(t, "idle timeout", KindLoadBalancer, desired, aws(func(p *LoadBalancerProps) { p.IdleTimeout = 120 }))
	fpOther(t, "internal", KindLoadBalancer, desired, aws(func(p *LoadBalancerProps) { p.Internal = true }))
	fpOther(t, "subnets", KindLoadBalancer, desired, aws(func(p *LoadBalancerProps) { p.Subnets = p.Subnets[:1] }))
	fpOther(t, "drop invalid headers", KindLoadBalancer, desired, aws(func(p *LoadBalancerProps) { p.DropInvalidHeaderFields = false }))
}

func TestFingerprint_listener(t *testing.T) {
	notFound := ListenerAction{Type: "fixed-response", StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found"}
	https := &ListenerProps{LoadBalancerARN: "arn:lb", Port: 443, Protocol: "HTTPS", CertificateARN: "arn:cert", SSLPolicy: DefaultSSLPolicy, DefaultAction: notFound}
	fpSame(t, "https listener", KindListener, https, &ListenerProps{Port: 443, Protocol: "HTTPS", CertificateARN: "arn:cert", SSLPolicy: DefaultSSLPolicy,
		DefaultAction: ListenerAction{Type: "fixed-response", StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found", RedirectPort: "ignored"}})
	fpOther(t, "ssl policy", KindListener, https, &ListenerProps{Port: 443, Protocol: "HTTPS", CertificateARN: "arn:cert", SSLPolicy: "ELBSecurityPolicy-2016-08", DefaultAction: notFound})
	fpOther(t, "certificate", KindListener, https, &ListenerProps{Port: 443, Protocol: "HTTPS", CertificateARN: "arn:other", SSLPolicy: DefaultSSLPolicy, DefaultAction: notFound})
	redirect := ListenerAction{Type: "redirect", StatusCode: "HTTP_301", RedirectProtocol: "HTTPS", RedirectPort: "443"}
	http := &ListenerProps{Port: 80, Protocol: "HTTP", DefaultAction: redirect}
	fpSame(t, "http listener, TLS policy not compared", KindListener, http, &ListenerProps{Port: 80, Protocol: "HTTP", SSLPolicy: "x", DefaultAction: redirect})
	fpOther(t, "default action", KindListener, http, &ListenerProps{Port: 80, Protocol: "HTTP", DefaultAction: notFound})
	fpOther(t, "port", KindListener, http, &ListenerProps{Port: 8080, Protocol: "HTTP", DefaultAction: redirect})
}
