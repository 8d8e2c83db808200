package composite

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Round trip: Expand(SpecFromObserved(observe(Expand(s)))) == Expand(s), for
// the golden specs and the generated ones, where observe simulates AWS after
// an apply of the expansion: every child gets outputs consistent with its
// name, and its props as AWS reports them (references resolved, sets
// reordered, policies URL-encoded, defaults filled, tags AWS adds, the
// settings AWS does not keep left out).

const rtDefaultAccount = "123456789012"

// rtWorld is the simulated AWS after an apply of one expansion.
type rtWorld struct {
	g        Graph
	env      Env
	outputs  map[string]map[string]string // synthetic outputs, by key
	desired  map[string]any               // resolved desired props, by key
	observed map[string]Observed          // as the handlers observe them, by key
}

// rtObserve applies g in a simulated AWS and observes every child (Full).
func rtObserve(t *testing.T, g Graph, env Env) rtWorld {
	t.Helper()
	w := rtWorld{g: g, env: env, outputs: map[string]map[string]string{}, desired: map[string]any{}, observed: map[string]Observed{}}
	for _, c := range g.Children { // dependency order: references resolve
		props, err := Resolve(c.Props, w.outputs)
		if err != nil {
			t.Fatalf("%s: %v", c.Key, err)
		}
		w.desired[c.Key] = props
		w.outputs[c.Key] = rtOutputs(t, c, props, env)
		for _, a := range KindOutputs(c.Kind) {
			if w.outputs[c.Key][a] == "" {
				t.Fatalf("%s (%s): no synthetic output %q", c.Key, c.Kind, a)
			}
		}
	}
	for _, c := range g.Children {
		reported, err := Resolve(c.Props, w.outputs) // a fresh copy
		if err != nil {
			t.Fatal(err)
		}
		rtAsReported(reported, w)
		w.observed[c.Key] = Observed{Props: reported, Outputs: w.outputs[c.Key], Full: true}
	}
	return w
}

func rtHash(parts ...string) string { return hashString(strings.Join(parts, "|"), 16) }

// rtOutputs returns plausible outputs of a child, consistent with its name
// and (resolved) props.
func rtOutputs(t *testing.T, c Child, props any, env Env) map[string]string {
	t.Helper()
	account := env.AccountID
	if account == "" {
		account = rtDefaultAccount
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", env.partition(), service, env.Region, account, resource)
	}
	out := map[string]string{AttrName: c.Name}
	switch p := props.(type) {
	case *RoleProps:
		out[AttrARN] = fmt.Sprintf("arn:%s:iam::%s:role%s%s", env.partition(), account, driftOr(p.Path, "/"), c.Name)
		out[AttrID] = c.Name
	case *RolePolicyProps:
		out[AttrID] = RolePolicyID(p.Role, p.Name)
		out[AttrName] = p.Name
	case *LogGroupProps:
		out[AttrARN] = arn("logs", "log-group:"+c.Name)
	case *RepositoryProps:
		out[AttrARN] = arn("ecr", "repository/"+c.Name)
		host := fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com", account, env.Region)
		if env.partition() == "aws-cn" {
			host += ".cn"
		}
		out[AttrURL] = host + "/" + c.Name
	case *TargetGroupProps:
		out[AttrARN] = arn("elasticloadbalancing", "targetgroup/"+c.Name+"/"+rtHash(c.Name))
	case *ListenerRuleProps:
		out[AttrARN] = strings.Replace(p.ListenerARN, ":listener/", ":listener-rule/", 1) + "/" + rtHash(c.Name)
		delete(out, AttrName)
		prio := p.Priority
		if prio == 0 {
			prio = p.PriorityHint // the lowest free priority from the hint: none taken
		}
		out[AttrPriority] = fmt.Sprint(prio)
	case *DiscoveryServiceProps:
		out[AttrID] = "srv-" + rtHash(c.Name, p.NamespaceID)
		out[AttrARN] = arn("servicediscovery", "service/"+out[AttrID])
	case *TaskDefinitionProps:
		out[AttrARN] = arn("ecs", "task-definition/"+c.Name+":1")
		out[AttrRevision] = "1"
	case *ServiceProps:
		out[AttrARN] = arn("ecs", "service/"+p.Cluster+"/"+c.Name)
	case *ClusterProps:
		out[AttrARN] = arn("ecs", "cluster/"+c.Name)
	case *NamespaceProps:
		out[AttrID] = "ns-" + rtHash(c.Name)
		out[AttrARN] = arn("servicediscovery", "namespace/"+out[AttrID])
	case *SecurityGroupProps:
		out[AttrID] = "sg-" + rtHash(c.Name, p.VpcID)
		out[AttrARN] = arn("ec2", "security-group/"+out[AttrID])
	case *LoadBalancerProps:
		out[AttrARN] = arn("elasticloadbalancing", "loadbalancer/app/"+c.Name+"/"+rtHash(c.Name))
		out[AttrDNSName] = c.Name + "-1234567890." + env.Region + ".elb.amazonaws.com"
		out[AttrZoneID] = "Z35SXDOTRQ7X7K"
	case *ListenerProps:
		out[AttrARN] = strings.Replace(p.LoadBalancerARN, ":loadbalancer/", ":listener/", 1) + "/" + rtHash(c.Name)
	case *ScalableTargetProps:
		out[AttrID] = p.ResourceID
		out[AttrARN] = arn("application-autoscaling", "scalable-target/"+rtHash(p.ResourceID))
		delete(out, AttrName)
	case *ScalingPolicyProps:
		out[AttrARN] = arn("autoscaling", "scalingPolicy:"+rtHash(p.ResourceID, p.Name)+":resource/ecs/"+p.ResourceID+":policyName/"+p.Name)
		out[AttrID] = p.ResourceID
	case *ScheduledActionProps:
		out[AttrARN] = arn("autoscaling", "scheduledAction:"+rtHash(p.ResourceID, p.Name)+":resource/ecs/"+p.ResourceID+":scheduledActionName/"+p.Name)
		out[AttrID] = p.ResourceID
	default:
		t.Fatalf("%s: no synthetic outputs for %T", c.Key, props)
	}
	return out
}

// rtAsReported turns resolved desired props into what a handler observes:
// sets and lists in another order, policies URL-encoded (as IAM returns
// them), AWS's defaults filled in, reserved tags added, and what AWS does
// not report (a provider-side setting, what only a record knows at import)
// left at its zero value.
func rtAsReported(props any, w rtWorld) {
	awsTags := func(m map[string]string) map[string]string {
		out := map[string]string{"aws:cloudformation:stack-name": "platform"}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	switch p := props.(type) {
	case *RoleProps:
		p.AssumeRolePolicy = url.QueryEscape(p.AssumeRolePolicy)
		p.MaxSessionDuration = 3600
		p.Tags = awsTags(p.Tags)
	case *RolePolicyProps:
		p.Policy = url.QueryEscape(p.Policy)
	case *LogGroupProps:
		p.Tags = awsTags(p.Tags)
	case *RepositoryProps:
		p.ForceDelete = false // a provider-side setting: an import cannot know it
		p.Tags = awsTags(p.Tags)
	case *TargetGroupProps:
		if p.VpcID == "" {
			p.VpcID = "vpc-0b5e7ed0" // looked up from a subnet at create
		}
		p.VPCFromSubnet = ""
		p.Tags = awsTags(p.Tags)
	case *ListenerRuleProps:
		p.PriorityHint = 0 // not an AWS setting; Priority stays 0 when allocated
		slices.Reverse(p.PathPatterns)
		slices.Reverse(p.HostHeaders)
		p.Tags = awsTags(p.Tags)
	case *DiscoveryServiceProps:
		slices.Reverse(p.RecordTypes)
		p.Tags = awsTags(p.Tags)
	case *TaskDefinitionProps:
		slices.Reverse(p.Containers)
		for i := range p.Containers {
			slices.Reverse(p.Containers[i].Environment)
			slices.Reverse(p.Containers[i].Secrets)
		}
		p.Tags = awsTags(p.Tags)
	case *ScalableTargetProps:
		p.ServiceARN, p.Tags = "", nil // a reference that only orders; tags cost ListTagsForResource
	case *ScalingPolicyProps:
		p.Target = ""
	case *ScheduledActionProps:
		p.Target = ""
	case *ServiceProps:
		p.WaitForSteadyState = false // not an AWS setting
		p.ScanGate = nil             // not an AWS setting
		if p.Scaling != nil {
			p.Scaling = nil                     // not an AWS setting
			p.DesiredCount = p.DesiredCount + 3 // the scaler moved it: not drift
		}
		p.Cluster = strings.TrimSuffix(w.outputs[KeyService][AttrARN], "/"+p.Name)
		p.Cluster = strings.Replace(p.Cluster, ":service/", ":cluster/", 1)
		slices.Reverse(p.Subnets)
		slices.Reverse(p.SecurityGroups)
		p.Tags = awsTags(p.Tags)
	case *ClusterProps:
		slices.Reverse(p.CapacityProviders)
		slices.Reverse(p.DefaultStrategy)
		p.Tags = awsTags(p.Tags)
	case *NamespaceProps:
		p.Tags = awsTags(p.Tags)
	case *SecurityGroupProps:
		// EC2 reports one permission per source, without our descriptions,
		// and the all-traffic rules with ports -1.
		split := func(rules []SecurityGroupRule) []SecurityGroupRule {
			var out []SecurityGroupRule
			for _, r := range rules {
				base := SecurityGroupRule{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort}
				if r.Protocol == "-1" {
					base.FromPort, base.ToPort = -1, -1
				}
				for _, c := range r.CIDRBlocks {
					one := base
					one.CIDRBlocks = []string{c}
					out = append(out, one)
				}
				for _, c := range r.IPv6CIDRBlocks {
					one := base
					one.IPv6CIDRBlocks = []string{c}
					out = append(out, one)
				}
				if r.SourceSecurityGroupID != "" {
					one := base
					one.SourceSecurityGroupID = r.SourceSecurityGroupID
					out = append(out, one)
				}
			}
			slices.Reverse(out)
			return out
		}
		p.Ingress, p.Egress = split(p.Ingress), split(p.Egress)
		p.Tags = awsTags(p.Tags)
	case *LoadBalancerProps:
		slices.Reverse(p.Subnets)
		p.Tags = awsTags(p.Tags)
	case *ListenerProps:
		p.Tags = awsTags(p.Tags)
	}
}

// rtFingerprintsAgree checks that every child's desired (resolved) props and
// its observation fingerprint the same: in sync.
func rtFingerprintsAgree(t *testing.T, w rtWorld) {
	t.Helper()
	for _, c := range w.g.Children {
		want, ok1 := Fingerprint(c.Kind, w.desired[c.Key])
		// Observed as the record of the applied child says (an autoscaled
		// service's count is the scaler's).
		var rec Recorded
		RecordFacts(c.Kind, w.desired[c.Key], &rec)
		got, ok2 := Fingerprint(c.Kind, ObservedView(c.Kind, w.observed[c.Key].Props, rec))
		if !ok1 || !ok2 || want != got {
			t.Errorf("%s (%s): desired fingerprint %q (%v) != observed %q (%v)\ndesired  %s\nobserved %s", c.Key, c.Kind, want, ok1, got, ok2,
				marshalCanonical(w.desired[c.Key]), marshalCanonical(w.observed[c.Key].Props))
		}
	}
}

// rtGraphJSON renders a graph for comparison: children with keys, kinds,
// names, props, hashes and edges.
func rtGraphJSON(g Graph) string {
	b, err := json.MarshalIndent(g, "", " ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// rtObservableService returns s without the attributes no observation can
// rebuild (see ServiceSpecFromObserved): what an import can promise.
func rtObservableService(s ServiceSpec) ServiceSpec {
	s = s.clone()
	if s.Deployment != nil {
		s.Deployment.WaitForSteadyState = nil
	}
	if s.Repository != nil {
		s.Repository.ForceDelete = false
		s.Repository.BlockOnSeverity = ""
	}
	return s
}

func rtServiceRoundTrip(t *testing.T, s ServiceSpec, env Env) {
	t.Helper()
	g, err := ExpandService(s, env)
	if err != nil {
		t.Fatal(err)
	}
	w := rtObserve(t, g, env)
	rtFingerprintsAgree(t, w)

	cluster, name := ClusterName(s.Cluster), s.Name
	s2, err := ServiceSpecFromObserved(cluster, name, w.observed, env)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := ExpandService(s2, env)
	if err != nil {
		t.Fatalf("the rebuilt spec does not expand: %v\n%s", err, marshalCanonical(s2))
	}
	want := g
	if o := rtObservableService(s); marshalCanonical(o) != marshalCanonical(s.clone()) {
		if want, err = ExpandService(o, env); err != nil {
			t.Fatal(err)
		}
	}
	if got, exp := rtGraphJSON(g2), rtGraphJSON(want); got != exp {
		t.Fatalf("Expand(SpecFromObserved(observe(Expand(s)))) differs:\n%s\nrebuilt spec: %s", expFirstDiff(exp, got), marshalCanonical(s2))
	}

	// The rebuilt spec is a fixed point: observing its expansion rebuilds it.
	s3, err := ServiceSpecFromObserved(cluster, name, rtObserve(t, g2, env).observed, env)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := marshalCanonical(s2), marshalCanonical(s3); a != b {
		t.Errorf("rebuilding is not stable:\n%s\n%s", a, b)
	}
}

func rtClusterRoundTrip(t *testing.T, s ClusterSpec, env Env) {
	t.Helper()
	g, err := ExpandCluster(s, env)
	if err != nil {
		t.Fatal(err)
	}
	w := rtObserve(t, g, env)
	rtFingerprintsAgree(t, w)

	s2, err := ClusterSpecFromObserved(s.Name, w.observed, env)
	if err != nil {
		t.Fatal(err)
	}
	if s2.VpcID != s.VpcID {
		t.Errorf("vpc_id = %q, want %q", s2.VpcID, s.VpcID)
	}
	g2, err := ExpandCluster(s2, env)
	if err != nil {
		t.Fatalf("the rebuilt spec does not expand: %v\n%s", err, marshalCanonical(s2))
	}
	if got, exp := rtGraphJSON(g2), rtGraphJSON(g); got != exp {
		t.Fatalf("Expand(SpecFromObserved(observe(Expand(s)))) differs:\n%s\nrebuilt spec: %s", expFirstDiff(exp, got), marshalCanonical(s2))
	}
	s3, err := ClusterSpecFromObserved(s.Name, rtObserve(t, g2, env).observed, env)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := marshalCanonical(s2), marshalCanonical(s3); a != b {
		t.Errorf("rebuilding is not stable:\n%s\n%s", a, b)
	}
}

func TestRoundTrip_serviceGolden(t *testing.T) {
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
	} {
		t.Run(tc.name, func(t *testing.T) { rtServiceRoundTrip(t, tc.spec, tc.env) })
	}
}

func TestRoundTrip_serviceGenerated(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, _ Graph) { rtServiceRoundTrip(t, s, env) })
}

// TestRoundTrip_serviceVariants covers what the generator leaves out or
// draws rarely: exec with and without a task role policy, a single-object
// policy statement, explicit defaults, the own repository image, a GRPC
// health check.
func TestRoundTrip_serviceVariants(t *testing.T) {
	env := goldenEnv()
	base := func() ServiceSpec {
		s := goldenMinimalSpec()
		s.Containers = map[string]ContainerSpec{"app": {Image: "nginx:1.27", Port: Ptr[int64](8080)}}
		return s
	}
	for name, mod := range map[string]func(*ServiceSpec){
		"exec only": func(s *ServiceSpec) { s.EnableExecuteCommand = true },
		"exec and a policy": func(s *ServiceSpec) {
			s.EnableExecuteCommand = true
			s.TaskRolePolicyJSON = `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		},
		"statement object": func(s *ServiceSpec) {
			s.TaskRolePolicyJSON = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
		},
		"statement object and exec": func(s *ServiceSpec) {
			s.EnableExecuteCommand = true
			s.TaskRolePolicyJSON = `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
		},
		"explicit defaults": func(s *ServiceSpec) {
			s.CPU, s.Memory, s.DesiredCount, s.LogRetentionDays, s.CPUArchitecture = Ptr[int64](256), Ptr[int64](512), Ptr[int64](1), Ptr[int64](30), "X86_64"
			s.Deployment = &DeploymentSpec{CircuitBreakerRollback: Ptr(true), MinimumHealthyPercent: Ptr[int64](100), MaximumPercent: Ptr[int64](200)}
			s.Repository = &RepositorySpec{ScanOnPush: Ptr(true), ImageTagMutability: "IMMUTABLE", KeepImages: Ptr[int64](30)}
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, ContainerName: "app", PathPatterns: []string{"/*"}, DeregistrationDelay: Ptr[int64](30),
				ProtocolVersion: "HTTP1", HealthCheck: &HealthCheckSpec{Path: "/", Matcher: "200-399", Interval: Ptr[int64](15), Timeout: Ptr[int64](5),
					HealthyThreshold: Ptr[int64](3), UnhealthyThreshold: Ptr[int64](3)}}
			s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", DNSTTL: Ptr[int64](10), ContainerName: "app"}
		},
		"zero values": func(s *ServiceSpec) {
			s.DesiredCount, s.HealthCheckGracePeriod = Ptr[int64](0), Ptr[int64](0)
			s.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](0), CircuitBreakerRollback: Ptr(false)}
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, HostHeaders: []string{"a.example.com"}, DeregistrationDelay: Ptr[int64](0)}
			s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", DNSTTL: Ptr[int64](0)}
		},
		"own repository image tag": func(s *ServiceSpec) {
			s.Repository = &RepositorySpec{}
			s.Containers["app"] = ContainerSpec{ImageTag: "2024.06.01", Port: Ptr[int64](8080)}
			s.Containers["other"] = ContainerSpec{Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/other:1"}
		},
		"grpc": func(s *ServiceSpec) {
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, PathPatterns: []string{"/svc.Greeter/*"}, ProtocolVersion: "GRPC",
				HealthCheck: &HealthCheckSpec{Matcher: "0-12"}, Priority: Ptr[int64](50000)}
		},
		"explicit vpc without load balancer": func(s *ServiceSpec) { s.Network.VpcID = "vpc-0123abcd" },
		"explicit vpc with load balancer": func(s *ServiceSpec) {
			s.Network.VpcID = "vpc-0123abcd"
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, PathPatterns: []string{"/*"}}
		},
		"container sizes and entry point": func(s *ServiceSpec) {
			s.Containers["app"] = ContainerSpec{Image: "nginx:1.27", Port: Ptr[int64](8080), CPU: Ptr[int64](128), Memory: Ptr[int64](256),
				EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"exec nginx"}}
			s.Containers["side"] = ContainerSpec{Image: "busybox", Essential: Ptr(false), CPU: Ptr[int64](0), Environment: map[string]string{"EMPTY": ""}}
		},
		"two port containers": func(s *ServiceSpec) {
			s.Containers["admin"] = ContainerSpec{Image: "admin:1", Port: Ptr[int64](9090)}
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, ContainerName: "app", PathPatterns: []string{"/*"}}
			s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", ContainerName: "admin"}
		},
		"secrets with customer-managed keys": func(s *ServiceSpec) {
			s.Containers["app"] = ContainerSpec{Image: "nginx:1.27", Port: Ptr[int64](8080),
				Secrets: map[string]string{"DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}}
			s.KMSKeyARNs = []string{"arn:aws:kms:us-east-1:123456789012:key/2222", "arn:aws:kms:us-east-1:123456789012:key/1111"}
		},
		"HTTP namespace": func(s *ServiceSpec) {
			s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", NamespaceType: NamespaceTypeHTTP}
		},
		"HTTP namespace with a load balancer": func(s *ServiceSpec) {
			s.LoadBalancer = &LoadBalancerSpec{ListenerARN: goldenListener, PathPatterns: []string{"/*"}}
			s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", NamespaceType: NamespaceTypeHTTP}
		},
		"tags equal to default tags": func(s *ServiceSpec) { s.Tags = map[string]string{"env": "test", "team": "other", "x": ""} },
	} {
		t.Run(name, func(t *testing.T) {
			s := base()
			mod(&s)
			if errs := Validate(s); len(errs) > 0 {
				t.Fatalf("invalid variant: %v", errs)
			}
			rtServiceRoundTrip(t, s, env)
		})
	}
}

func TestRoundTrip_clusterGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec ClusterSpec
	}{
		{"cluster_minimal", goldenClusterMinimal()},
		{"cluster_full", goldenClusterFull()},
		{"cluster_http", goldenClusterHTTP()},
	} {
		t.Run(tc.name, func(t *testing.T) { rtClusterRoundTrip(t, tc.spec, goldenEnv()) })
	}
}

func TestRoundTrip_clusterGenerated(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, _ Graph) { rtClusterRoundTrip(t, s, env) })
}

func TestRoundTrip_clusterVariants(t *testing.T) {
	env := goldenEnv()
	for name, mod := range map[string]func(*ClusterSpec){
		"no capacity providers": func(s *ClusterSpec) {
			s.CapacityProviders, s.DefaultCapacityProviderStrategy = []string{}, []CapacityProviderStrategySpec{}
		},
		"no strategy": func(s *ClusterSpec) { s.DefaultCapacityProviderStrategy = []CapacityProviderStrategySpec{} },
		"explicit defaults": func(s *ClusterSpec) {
			s.CapacityProviders, s.ContainerInsights = []string{"FARGATE_SPOT", "FARGATE"}, Ptr(true)
		},
		"explicit strategy": func(s *ClusterSpec) { s.DefaultCapacityProviderStrategy = DefaultCapacityProviderStrategy() },
		"insights off":      func(s *ClusterSpec) { s.ContainerInsights = Ptr(false) },
		"http namespace": func(s *ClusterSpec) {
			s.ServiceDiscovery = &ClusterServiceDiscoverySpec{Name: "svc", Type: "HTTP", Description: "x"}
		},
		"explicit dns namespace": func(s *ClusterSpec) {
			s.ServiceDiscovery = &ClusterServiceDiscoverySpec{Name: "svc.internal", Type: "DNS_PRIVATE"}
		},
		"load balancer defaults": func(s *ClusterSpec) {
			s.LoadBalancer = &ClusterLoadBalancerSpec{Internal: Ptr(false), IngressCIDRBlocks: []string{"0.0.0.0/0"}, IdleTimeout: Ptr[int64](60)}
		},
		"https with default policy": func(s *ClusterSpec) {
			s.LoadBalancer = &ClusterLoadBalancerSpec{CertificateARN: goldenCert, SSLPolicy: DefaultSSLPolicy, IngressCIDRBlocks: []string{"::/0"}}
		},
		"tags": func(s *ClusterSpec) { s.Tags = map[string]string{"env": "test", "owner": "me"} },
	} {
		t.Run(name, func(t *testing.T) {
			s := goldenClusterMinimal()
			mod(&s)
			if errs := s.Validate(); len(errs) > 0 {
				t.Fatalf("invalid variant: %v", errs)
			}
			rtClusterRoundTrip(t, s, env)
		})
	}
}
