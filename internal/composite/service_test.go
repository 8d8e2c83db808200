package composite

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestApplyDefaults(t *testing.T) {
	s := goldenFullSpec()
	s.ApplyDefaults()
	checks := []struct {
		attr      string
		got, want any
	}{
		{"cpu", *s.CPU, int64(512)}, // set by the user
		{"memory", *s.Memory, int64(1024)},
		{"desired_count", *s.DesiredCount, int64(2)},
		{"log_retention_days", *s.LogRetentionDays, int64(30)},
		{"cpu_architecture", s.CPUArchitecture, "X86_64"},
		{"assign_public_ip", s.Network.AssignPublicIP, false},
		{"enable_execute_command", s.EnableExecuteCommand, false},
		{"health_check_grace_period", s.HealthCheckGracePeriod == nil, true},
		{`containers["web"].essential`, *s.Containers["web"].Essential, true},
		{`containers["log-router"].essential`, *s.Containers["log-router"].Essential, false}, // set by the user
		{"deployment.circuit_breaker_rollback", *s.Deployment.CircuitBreakerRollback, true},
		{"deployment.minimum_healthy_percent", *s.Deployment.MinimumHealthyPercent, int64(100)},
		{"deployment.maximum_percent", *s.Deployment.MaximumPercent, int64(200)},
		{"deployment.wait_for_steady_state", *s.Deployment.WaitForSteadyState, true},
		{"repository.scan_on_push", *s.Repository.ScanOnPush, true},
		{"repository.image_tag_mutability", s.Repository.ImageTagMutability, "IMMUTABLE"},
		{"repository.keep_images", *s.Repository.KeepImages, int64(30)},
		{"repository.force_delete", s.Repository.ForceDelete, false},
		{"load_balancer.container_name", s.LoadBalancer.ContainerName, "web"},
		{"load_balancer.protocol_version", s.LoadBalancer.ProtocolVersion, "HTTP1"},
		{"load_balancer.priority", s.LoadBalancer.Priority == nil, true},
		{"load_balancer.deregistration_delay", *s.LoadBalancer.DeregistrationDelay, int64(30)},
		{"load_balancer.health_check.path", s.LoadBalancer.HealthCheck.Path, "/healthz"}, // set by the user
		{"load_balancer.health_check.matcher", s.LoadBalancer.HealthCheck.Matcher, "200-399"},
		{"load_balancer.health_check.interval", *s.LoadBalancer.HealthCheck.Interval, int64(15)},
		{"load_balancer.health_check.timeout", *s.LoadBalancer.HealthCheck.Timeout, int64(5)},
		{"load_balancer.health_check.healthy_threshold", *s.LoadBalancer.HealthCheck.HealthyThreshold, int64(3)},
		{"load_balancer.health_check.unhealthy_threshold", *s.LoadBalancer.HealthCheck.UnhealthyThreshold, int64(3)},
		{"service_discovery.dns_ttl", *s.ServiceDiscovery.DNSTTL, int64(10)},
		{"service_discovery.container_name", s.ServiceDiscovery.ContainerName, "web"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.attr, c.got, c.want)
		}
	}

	m := goldenMinimalSpec()
	m.ApplyDefaults()
	if *m.CPU != 256 || *m.Memory != 512 || *m.DesiredCount != 1 {
		t.Errorf("task size defaults = %d/%d/%d", *m.CPU, *m.Memory, *m.DesiredCount)
	}
	if m.LoadBalancer != nil || m.Repository != nil || m.ServiceDiscovery != nil {
		t.Error("optional blocks must stay absent")
	}

	// Explicit zeros are kept.
	z := goldenMinimalSpec()
	z.DesiredCount = Ptr[int64](0)
	z.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](0), CircuitBreakerRollback: Ptr(false)}
	z.ApplyDefaults()
	if *z.DesiredCount != 0 || *z.Deployment.MinimumHealthyPercent != 0 || *z.Deployment.CircuitBreakerRollback || *z.Deployment.MaximumPercent != 200 {
		t.Errorf("explicit zeros overridden: %+v %+v", *z.DesiredCount, *z.Deployment)
	}

	// GRPC gets gRPC's matcher; container_name is left unset when ambiguous.
	g := goldenFullSpec()
	g.LoadBalancer.ProtocolVersion = "GRPC"
	g.Containers["log-router"] = ContainerSpec{Image: "fluent/fluent-bit:2", Port: Ptr[int64](2020)}
	g.ApplyDefaults()
	if g.LoadBalancer.HealthCheck.Matcher != "12" || g.LoadBalancer.ContainerName != "" || g.ServiceDiscovery.ContainerName != "" {
		t.Errorf("grpc/ambiguous defaults: matcher %q lb container %q sd container %q",
			g.LoadBalancer.HealthCheck.Matcher, g.LoadBalancer.ContainerName, g.ServiceDiscovery.ContainerName)
	}

	// Service discovery follows the load balancer's container.
	d := goldenFullSpec()
	d.Containers["log-router"] = ContainerSpec{Image: "fluent/fluent-bit:2", Port: Ptr[int64](2020)}
	d.LoadBalancer.ContainerName = "log-router"
	d.ApplyDefaults()
	if d.ServiceDiscovery.ContainerName != "log-router" {
		t.Errorf("service_discovery.container_name = %q", d.ServiceDiscovery.ContainerName)
	}

	// Idempotent.
	once := goldenFullSpec()
	once.ApplyDefaults()
	twice := once.clone()
	twice.ApplyDefaults()
	if !reflect.DeepEqual(once, twice) {
		t.Error("ApplyDefaults is not idempotent")
	}
}

func TestValidate_validSpecs(t *testing.T) {
	for name, s := range map[string]ServiceSpec{"minimal": goldenMinimalSpec(), "full": goldenFullSpec(), "arn": goldenARNSpec()} {
		if errs := Validate(s); len(errs) != 0 {
			t.Errorf("%s: unexpected errors: %v", name, errs)
		}
	}
}

func TestValidate_fargateTable(t *testing.T) {
	valid := map[int64][]int64{
		256:   {512, 1024, 2048},
		512:   {1024, 2048, 3072, 4096},
		1024:  {2048, 3072, 4096, 5120, 6144, 7168, 8192},
		2048:  {4096, 5120, 16384},
		4096:  {8192, 9216, 30720},
		8192:  {16384, 20480, 61440},
		16384: {32768, 40960, 122880},
	}
	invalid := map[int64][]int64{
		256:   {256, 768, 3072},
		512:   {512, 1536, 5120},
		1024:  {1024, 2560, 9216},
		2048:  {2048, 4608, 17408},
		4096:  {7168, 31744},
		8192:  {15360, 17408, 65536},
		16384: {30720, 36864, 131072},
	}
	for cpu, mems := range valid {
		for _, mem := range mems {
			s := goldenMinimalSpec()
			s.CPU, s.Memory = Ptr(cpu), Ptr(mem)
			if errs := Validate(s); len(errs) != 0 {
				t.Errorf("cpu %d memory %d: %v", cpu, mem, errs)
			}
		}
	}
	for cpu, mems := range invalid {
		for _, mem := range mems {
			s := goldenMinimalSpec()
			s.CPU, s.Memory = Ptr(cpu), Ptr(mem)
			errs := Validate(s)
			if len(errs) != 1 || PathString(errs[0].Path) != "memory" || errs[0].Summary != "Invalid memory for cpu" {
				t.Errorf("cpu %d memory %d: %v", cpu, mem, errs)
			}
		}
	}
}

// validateCase is one validation rule: a mutation of a valid spec and the errors
// ("<path>: <summary>") it must produce, and nothing else. detail, when set,
// must appear in the first error's detail.
type validateCase struct {
	name   string
	base   func() ServiceSpec
	mutate func(*ServiceSpec)
	want   []string
	detail string
}

func withSpecContainer(name string, f func(*ContainerSpec)) func(*ServiceSpec) {
	return func(s *ServiceSpec) {
		c := s.Containers[name]
		f(&c)
		s.Containers[name] = c
	}
}

func TestValidate_rules(t *testing.T) {
	m, f := goldenMinimalSpec, goldenFullSpec
	web := func(fn func(*ContainerSpec)) func(*ServiceSpec) { return withSpecContainer("web", fn) }
	worker := func(fn func(*ContainerSpec)) func(*ServiceSpec) { return withSpecContainer("worker", fn) }
	lb := func(fn func(*LoadBalancerSpec)) func(*ServiceSpec) {
		return func(s *ServiceSpec) { fn(s.LoadBalancer) }
	}
	hc := func(fn func(*HealthCheckSpec)) func(*ServiceSpec) {
		return func(s *ServiceSpec) { fn(s.LoadBalancer.HealthCheck) }
	}
	many := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%08d", prefix, i)
		}
		return out
	}
	cases := []validateCase{
		// name
		{"name missing", m, func(s *ServiceSpec) { s.Name = "" }, []string{"name: Missing name"}, "required"},
		{"name uppercase", m, func(s *ServiceSpec) { s.Name = "Web" }, []string{"name: Invalid name"}, "lowercase"},
		{"name leading digit", m, func(s *ServiceSpec) { s.Name = "1web" }, []string{"name: Invalid name"}, ""},
		{"name trailing hyphen", m, func(s *ServiceSpec) { s.Name = "web-" }, []string{"name: Invalid name"}, ""},
		{"name double hyphen", m, func(s *ServiceSpec) { s.Name = "a--b" }, []string{"name: Invalid name"}, ""},
		{"name underscore", m, func(s *ServiceSpec) { s.Name = "a_b" }, []string{"name: Invalid name"}, ""},
		{"name too long", m, func(s *ServiceSpec) { s.Name = strings.Repeat("a", 33) }, []string{"name: Invalid name"}, "32"},
		// cluster
		{"cluster missing", m, func(s *ServiceSpec) { s.Cluster = "" }, []string{"cluster: Missing cluster"}, ""},
		{"cluster bad chars", m, func(s *ServiceSpec) { s.Cluster = "my cluster" }, []string{"cluster: Invalid cluster"}, ""},
		{"cluster too long", m, func(s *ServiceSpec) { s.Cluster = strings.Repeat("c", 256) }, []string{"cluster: Invalid cluster"}, ""},
		{"cluster arn wrong service", m, func(s *ServiceSpec) { s.Cluster = "arn:aws:s3:::bucket" }, []string{"cluster: Invalid cluster"}, "want ecs"},
		{"cluster arn not a cluster", m, func(s *ServiceSpec) { s.Cluster = "arn:aws:ecs:us-east-1:123456789012:service/platform/web" }, []string{"cluster: Invalid cluster"}, "cluster/<name>"},
		{"cluster arn bad account", m, func(s *ServiceSpec) { s.Cluster = "arn:aws:ecs:us-east-1:1234:cluster/platform" }, []string{"cluster: Invalid cluster"}, "account"},
		// task size
		{"cpu not fargate", m, func(s *ServiceSpec) { s.CPU = Ptr[int64](300) }, []string{"cpu: Invalid cpu"}, "256, 512"},
		{"memory for cpu", m, func(s *ServiceSpec) { s.Memory = Ptr[int64](4096) }, []string{"memory: Invalid memory for cpu"}, "512, 1024 or 2048"},
		{"memory step", m, func(s *ServiceSpec) { s.CPU, s.Memory = Ptr[int64](1024), Ptr[int64](3000) }, []string{"memory: Invalid memory for cpu"}, "2048 to 8192 in steps of 1024"},
		{"desired_count negative", m, func(s *ServiceSpec) { s.DesiredCount = Ptr[int64](-1) }, []string{"desired_count: Invalid desired_count"}, ""},
		{"cpu_architecture", m, func(s *ServiceSpec) { s.CPUArchitecture = "arm64" }, []string{"cpu_architecture: Invalid cpu_architecture"}, ""},
		{"log retention not allowed", m, func(s *ServiceSpec) { s.LogRetentionDays = Ptr[int64](2) }, []string{"log_retention_days: Invalid log_retention_days"}, "3653"},
		{"log retention never expire", m, func(s *ServiceSpec) { s.LogRetentionDays = Ptr[int64](0) }, []string{"log_retention_days: Invalid log_retention_days"}, ""},
		{"grace period negative", m, func(s *ServiceSpec) { s.HealthCheckGracePeriod = Ptr[int64](-1) }, []string{"health_check_grace_period: Invalid health_check_grace_period"}, ""},
		// containers
		{"no containers", m, func(s *ServiceSpec) { s.Containers = nil }, []string{"containers: Missing containers"}, ""},
		{"too many containers", m, func(s *ServiceSpec) {
			for i := 0; i < 10; i++ {
				s.Containers[fmt.Sprintf("c%d", i)] = ContainerSpec{Image: "busybox"}
			}
		}, []string{"containers: Too many containers"}, "10"},
		{"container name", m, func(s *ServiceSpec) { s.Containers["bad name"] = ContainerSpec{Image: "busybox"} }, []string{`containers["bad name"]: Invalid container name`}, ""},
		{"no image", m, worker(func(c *ContainerSpec) { c.Image = "" }), []string{`containers["worker"]: Missing image`}, "exactly one"},
		{"both images", f, web(func(c *ContainerSpec) { c.Image = "nginx" }), []string{`containers["web"].image_tag: Conflicting image`}, ""},
		{"bad image", m, worker(func(c *ContainerSpec) { c.Image = "nginx latest" }), []string{`containers["worker"].image: Invalid image`}, ""},
		{"bad image tag", f, web(func(c *ContainerSpec) { c.ImageTag = "-v3" }), []string{`containers["web"].image_tag: Invalid image_tag`}, ""},
		{"image_tag without repository", f, func(s *ServiceSpec) { s.Repository = nil }, []string{`containers["web"].image_tag: image_tag needs repository`}, "repository block"},
		{"port zero", f, web(func(c *ContainerSpec) { c.Port = Ptr[int64](0) }), []string{`containers["web"].port: Invalid port`}, "65535"},
		{"port too big", f, web(func(c *ContainerSpec) { c.Port = Ptr[int64](70000) }), []string{`containers["web"].port: Invalid port`}, ""},
		{"duplicate port", f, func(s *ServiceSpec) {
			s.LoadBalancer.ContainerName = "web"
			withSpecContainer("log-router", func(c *ContainerSpec) { c.Port = Ptr[int64](8080) })(s)
		}, []string{`containers["web"].port: Duplicate port`}, "log-router"},
		{"env name", m, worker(func(c *ContainerSpec) { c.Environment = map[string]string{"1BAD": "x"} }), []string{`containers["worker"].environment["1BAD"]: Invalid environment variable name`}, ""},
		{"secret name", f, web(func(c *ContainerSpec) { c.Secrets["BAD-NAME"] = goldenSecret }), []string{`containers["web"].secrets["BAD-NAME"]: Invalid environment variable name`}, ""},
		{"secret also env", f, web(func(c *ContainerSpec) { c.Secrets["LOG_LEVEL"] = goldenSecret }), []string{`containers["web"].secrets["LOG_LEVEL"]: Duplicate environment variable`}, ""},
		{"secret not arn", f, web(func(c *ContainerSpec) { c.Secrets["X"] = "db-password" }), []string{`containers["web"].secrets["X"]: Invalid secret ARN`}, "not an ARN"},
		{"secret wrong service", f, web(func(c *ContainerSpec) { c.Secrets["X"] = "arn:aws:s3:us-east-1:123456789012:bucket/x" }), []string{`containers["web"].secrets["X"]: Invalid secret ARN`}, "Secrets Manager secret or SSM parameter"},
		{"secret no name", f, web(func(c *ContainerSpec) { c.Secrets["X"] = "arn:aws:secretsmanager:us-east-1:123456789012:db" }), []string{`containers["web"].secrets["X"]: Invalid secret ARN`}, "secret:<name>"},
		{"parameter no name", f, web(func(c *ContainerSpec) { c.Secrets["X"] = "arn:aws:ssm:us-east-1:123456789012:document/x" }), []string{`containers["web"].secrets["X"]: Invalid secret ARN`}, "parameter/<name>"},
		{"secret no account", f, web(func(c *ContainerSpec) { c.Secrets["X"] = "arn:aws:ssm:us-east-1::parameter/x" }), []string{`containers["web"].secrets["X"]: Invalid secret ARN`}, "account"},
		{"container cpu", m, worker(func(c *ContainerSpec) { c.CPU = Ptr[int64](512) }), []string{`containers["worker"].cpu: Invalid container cpu`, "containers: Container cpu exceeds task cpu"}, ""},
		{"container memory small", m, worker(func(c *ContainerSpec) { c.Memory = Ptr[int64](4) }), []string{`containers["worker"].memory: Invalid container memory`}, "between 6 and 512"},
		{"container memory sum", m, func(s *ServiceSpec) {
			s.Containers["worker"] = ContainerSpec{Image: "busybox", Memory: Ptr[int64](300)}
			s.Containers["side"] = ContainerSpec{Image: "busybox", Memory: Ptr[int64](300)}
		}, []string{"containers: Container memory exceeds task memory"}, "600"},
		{"no essential", m, worker(func(c *ContainerSpec) { c.Essential = Ptr(false) }), []string{"containers: No essential container"}, ""},
		{"reference syntax", m, worker(func(c *ContainerSpec) { c.Environment = map[string]string{"X": "${task_role.arn}"} }), []string{`containers["worker"].environment["X"]: Reserved reference syntax`}, ""},
		{"reference syntax in command", m, worker(func(c *ContainerSpec) { c.Command = []string{"echo", "${a.b}"} }), []string{`containers["worker"].command[1]: Reserved reference syntax`}, ""},
		// network
		{"no subnets", m, func(s *ServiceSpec) { s.Network.SubnetIDs = nil }, []string{"network.subnet_ids: Missing subnet_ids"}, ""},
		{"bad subnet", m, func(s *ServiceSpec) { s.Network.SubnetIDs = []string{"subnet-0a1b2c3d", "sn-1"} }, []string{"network.subnet_ids[1]: Invalid subnet id"}, "subnet-"},
		{"duplicate subnet", m, func(s *ServiceSpec) { s.Network.SubnetIDs = []string{"subnet-0a1b2c3d", "subnet-0a1b2c3d"} }, []string{"network.subnet_ids[1]: Duplicate subnet id"}, ""},
		{"too many subnets", m, func(s *ServiceSpec) { s.Network.SubnetIDs = many("subnet-", 17) }, []string{"network.subnet_ids: Too many subnet_ids"}, ""},
		{"bad security group", m, func(s *ServiceSpec) { s.Network.SecurityGroupIDs = []string{"subnet-0a1b2c3d"} }, []string{"network.security_group_ids[0]: Invalid security group id"}, "sg-"},
		{"too many security groups", m, func(s *ServiceSpec) { s.Network.SecurityGroupIDs = many("sg-", 6) }, []string{"network.security_group_ids: Too many security_group_ids"}, ""},
		{"bad vpc", m, func(s *ServiceSpec) { s.Network.VpcID = "vpc_1" }, []string{"network.vpc_id: Invalid vpc_id"}, ""},
		// load balancer
		{"listener missing", f, lb(func(l *LoadBalancerSpec) { l.ListenerARN = "" }), []string{"load_balancer.listener_arn: Missing listener_arn"}, ""},
		{"listener not arn", f, lb(func(l *LoadBalancerSpec) { l.ListenerARN = "listener-1" }), []string{"load_balancer.listener_arn: Invalid listener_arn"}, "not an ARN"},
		{"listener wrong service", f, lb(func(l *LoadBalancerSpec) {
			l.ListenerARN = strings.Replace(goldenListener, "elasticloadbalancing", "ec2", 1)
		}), []string{"load_balancer.listener_arn: Invalid listener_arn"}, ""},
		{"listener is a rule", f, lb(func(l *LoadBalancerSpec) {
			l.ListenerARN = strings.Replace(goldenListener, "listener/", "listener-rule/", 1)
		}), []string{"load_balancer.listener_arn: Invalid listener_arn"}, "listener/app"},
		{"listener of nlb", f, lb(func(l *LoadBalancerSpec) { l.ListenerARN = strings.Replace(goldenListener, "/app/", "/net/", 1) }), []string{"load_balancer.listener_arn: Invalid listener_arn"}, "Application Load Balancer"},
		{"lb unknown container", f, lb(func(l *LoadBalancerSpec) { l.ContainerName = "api" }), []string{"load_balancer.container_name: Unknown container"}, ""},
		{"lb container without port", f, lb(func(l *LoadBalancerSpec) { l.ContainerName = "log-router" }), []string{"load_balancer.container_name: Container without port"}, ""},
		{"lb no container with port", f, func(s *ServiceSpec) {
			s.ServiceDiscovery = nil
			c := s.Containers["web"]
			c.Port = nil
			s.Containers["web"] = c
		}, []string{"load_balancer.container_name: No container with a port"}, ""},
		{"lb ambiguous container", f, func(s *ServiceSpec) {
			s.ServiceDiscovery = nil
			c := s.Containers["log-router"]
			c.Port = Ptr[int64](2020)
			s.Containers["log-router"] = c
		}, []string{"load_balancer.container_name: Ambiguous container_name"}, "log-router, web"},
		{"no conditions", f, lb(func(l *LoadBalancerSpec) { l.PathPatterns, l.HostHeaders = nil, nil }), []string{"load_balancer: Missing rule condition"}, ""},
		{"too many conditions", f, lb(func(l *LoadBalancerSpec) { l.PathPatterns = []string{"/a", "/b", "/c", "/d", "/e"} }), []string{"load_balancer: Too many rule conditions"}, "6 values"},
		{"bad path pattern", f, lb(func(l *LoadBalancerSpec) { l.PathPatterns = []string{"/a b"} }), []string{"load_balancer.path_patterns[0]: Invalid path pattern"}, ""},
		{"path pattern too long", f, lb(func(l *LoadBalancerSpec) { l.PathPatterns = []string{"/" + strings.Repeat("a", 128)} }), []string{"load_balancer.path_patterns[0]: Invalid path pattern"}, ""},
		{"duplicate path pattern", f, lb(func(l *LoadBalancerSpec) { l.PathPatterns = []string{"/a", "/a"} }), []string{"load_balancer.path_patterns[1]: Duplicate path pattern"}, ""},
		{"bad host header", f, lb(func(l *LoadBalancerSpec) { l.HostHeaders = []string{"web_1.example.com"} }), []string{"load_balancer.host_headers[0]: Invalid host header"}, ""},
		{"priority zero", f, lb(func(l *LoadBalancerSpec) { l.Priority = Ptr[int64](0) }), []string{"load_balancer.priority: Invalid priority"}, "1 and 50000"},
		{"priority too big", f, lb(func(l *LoadBalancerSpec) { l.Priority = Ptr[int64](50001) }), []string{"load_balancer.priority: Invalid priority"}, ""},
		{"deregistration delay", f, lb(func(l *LoadBalancerSpec) { l.DeregistrationDelay = Ptr[int64](3601) }), []string{"load_balancer.deregistration_delay: Invalid deregistration_delay"}, "0 and 3600"},
		{"protocol version", f, lb(func(l *LoadBalancerSpec) { l.ProtocolVersion = "HTTP3" }), []string{"load_balancer.protocol_version: Invalid protocol_version"}, ""},
		{"health path", f, hc(func(h *HealthCheckSpec) { h.Path = "healthz" }), []string{"load_balancer.health_check.path: Invalid health check path"}, ""},
		{"matcher format", f, hc(func(h *HealthCheckSpec) { h.Matcher = "2xx" }), []string{"load_balancer.health_check.matcher: Invalid health check matcher"}, ""},
		{"matcher code range", f, hc(func(h *HealthCheckSpec) { h.Matcher = "200,600" }), []string{"load_balancer.health_check.matcher: Invalid health check matcher"}, "200 and 499"},
		{"matcher reversed range", f, hc(func(h *HealthCheckSpec) { h.Matcher = "299-200" }), []string{"load_balancer.health_check.matcher: Invalid health check matcher"}, ""},
		{"grpc matcher", f, func(s *ServiceSpec) {
			s.LoadBalancer.ProtocolVersion = "GRPC"
			s.LoadBalancer.HealthCheck.Matcher = "200"
		}, []string{"load_balancer.health_check.matcher: Invalid health check matcher"}, ""},
		{"interval too small", f, hc(func(h *HealthCheckSpec) { h.Interval = Ptr[int64](4) }), []string{"load_balancer.health_check.interval: Invalid health check interval"}, "5 and 300"},
		{"interval too big", f, hc(func(h *HealthCheckSpec) { h.Interval = Ptr[int64](301) }), []string{"load_balancer.health_check.interval: Invalid health check interval"}, ""},
		{"timeout too small", f, hc(func(h *HealthCheckSpec) { h.Timeout = Ptr[int64](1) }), []string{"load_balancer.health_check.timeout: Invalid health check timeout"}, "2 and 120"},
		{"timeout not below interval", f, hc(func(h *HealthCheckSpec) { h.Timeout = Ptr[int64](15) }), []string{"load_balancer.health_check.timeout: Health check timeout too long"}, "less than interval"},
		{"healthy threshold", f, hc(func(h *HealthCheckSpec) { h.HealthyThreshold = Ptr[int64](1) }), []string{"load_balancer.health_check.healthy_threshold: Invalid healthy_threshold"}, "2 and 10"},
		{"unhealthy threshold", f, hc(func(h *HealthCheckSpec) { h.UnhealthyThreshold = Ptr[int64](11) }), []string{"load_balancer.health_check.unhealthy_threshold: Invalid unhealthy_threshold"}, ""},
		// service discovery
		{"namespace missing", f, func(s *ServiceSpec) { s.ServiceDiscovery.NamespaceID = "" }, []string{"service_discovery.namespace_id: Missing namespace_id"}, ""},
		{"namespace bad", f, func(s *ServiceSpec) { s.ServiceDiscovery.NamespaceID = "namespace-1" }, []string{"service_discovery.namespace_id: Invalid namespace_id"}, "ns-"},
		{"dns ttl negative", f, func(s *ServiceSpec) { s.ServiceDiscovery.DNSTTL = Ptr[int64](-1) }, []string{"service_discovery.dns_ttl: Invalid dns_ttl"}, ""},
		{"sd unknown container", f, func(s *ServiceSpec) { s.ServiceDiscovery.ContainerName = "db" }, []string{"service_discovery.container_name: Unknown container"}, ""},
		{"sd container without port", f, func(s *ServiceSpec) { s.ServiceDiscovery.ContainerName = "log-router" }, []string{"service_discovery.container_name: Container without port"}, ""},
		{"sd no port", m, func(s *ServiceSpec) { s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-abc"} }, []string{"service_discovery.container_name: No container with a port"}, "SRV"},
		// repository
		{"mutability", f, func(s *ServiceSpec) { s.Repository.ImageTagMutability = "immutable" }, []string{"repository.image_tag_mutability: Invalid image_tag_mutability"}, ""},
		{"keep images zero", f, func(s *ServiceSpec) { s.Repository.KeepImages = Ptr[int64](0) }, []string{"repository.keep_images: Invalid keep_images"}, "1 and 1000"},
		{"keep images too many", f, func(s *ServiceSpec) { s.Repository.KeepImages = Ptr[int64](1001) }, []string{"repository.keep_images: Invalid keep_images"}, ""},
		{"block on severity lowercase", f, func(s *ServiceSpec) { s.Repository.BlockOnSeverity = "high" }, []string{"repository.block_on_severity: Invalid block_on_severity"}, "CRITICAL, HIGH, MEDIUM"},
		{"block on severity low", f, func(s *ServiceSpec) { s.Repository.BlockOnSeverity = "LOW" }, []string{"repository.block_on_severity: Invalid block_on_severity"}, `got "LOW"`},
		{"block on severity without image_tag", f, func(s *ServiceSpec) {
			s.Repository.BlockOnSeverity = "HIGH"
			c := s.Containers["web"]
			c.ImageTag, c.Image = "", "public.ecr.aws/nginx/nginx:1.27"
			s.Containers["web"] = c
		}, []string{"repository.block_on_severity: block_on_severity without image_tag"}, "never run"},
		// task role policy
		{"policy not json", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = "{" }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "not valid JSON"},
		{"policy trailing data", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = `{"Statement":{}} x` }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "trailing"},
		{"policy not object", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = "[]" }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "object"},
		{"policy without statement", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = `{"Version":"2012-10-17"}` }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "Statement"},
		{"policy empty statement", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = `{"Statement":[]}` }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "empty"},
		{"policy statement not object", m, func(s *ServiceSpec) { s.TaskRolePolicyJSON = `{"Statement":["x"]}` }, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "Statement[0]"},
		{"policy too large", m, func(s *ServiceSpec) {
			s.TaskRolePolicyJSON = `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 10300) + `"}}`
		}, []string{"task_role_policy_json: Invalid task_role_policy_json"}, "10240"},
		// deployment
		{"min percent", m, func(s *ServiceSpec) { s.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](101)} }, []string{"deployment.minimum_healthy_percent: Invalid minimum_healthy_percent"}, "0 and 100"},
		{"max percent", m, func(s *ServiceSpec) { s.Deployment = &DeploymentSpec{MaximumPercent: Ptr[int64](250)} }, []string{"deployment.maximum_percent: Invalid maximum_percent"}, "100 and 200"},
		{"max below min", m, func(s *ServiceSpec) {
			s.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr[int64](60), MaximumPercent: Ptr[int64](50)}
		}, []string{"deployment.maximum_percent: Invalid maximum_percent", "deployment.maximum_percent: Invalid deployment percents"}, ""},
		{"both 100", m, func(s *ServiceSpec) { s.Deployment = &DeploymentSpec{MaximumPercent: Ptr[int64](100)} }, []string{"deployment.maximum_percent: Invalid deployment percents"}, "never replace"},
		// tags
		{"aws tag", m, func(s *ServiceSpec) { s.Tags = map[string]string{"AWS:x": "1"} }, []string{`tags["AWS:x"]: Reserved tag key`}, ""},
		{"ownership tag", m, func(s *ServiceSpec) { s.Tags = map[string]string{TagOwner: "x"} }, []string{`tags["containerapp:owner"]: Reserved tag key`}, ""},
		{"empty tag key", m, func(s *ServiceSpec) { s.Tags = map[string]string{"": "x"} }, []string{`tags[""]: Invalid tag key`}, ""},
		{"tag key chars", m, func(s *ServiceSpec) { s.Tags = map[string]string{"a*b": "x"} }, []string{`tags["a*b"]: Invalid tag key`}, ""},
		{"tag value too long", m, func(s *ServiceSpec) { s.Tags = map[string]string{"a": strings.Repeat("v", 257)} }, []string{`tags["a"]: Invalid tag value`}, ""},
		{"too many tags", m, func(s *ServiceSpec) {
			s.Tags = map[string]string{}
			for i := 0; i < 49; i++ {
				s.Tags[fmt.Sprint("k", i)] = "v"
			}
		}, []string{"tags: Too many tags"}, "48"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.base()
			tc.mutate(&s)
			errs := Validate(s)
			var got []string
			for _, e := range errs {
				got = append(got, PathString(e.Path)+": "+e.Summary)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s\n(details: %v)", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), errs)
			}
			if tc.detail != "" && !strings.Contains(errs[0].Detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", errs[0].Detail, tc.detail)
			}
		})
	}
}

func TestValidate_collectsAll(t *testing.T) {
	s := ServiceSpec{Name: "Bad", Memory: Ptr[int64](100)}
	errs := Validate(s)
	want := []string{"name", "cluster", "memory", "containers", "network.subnet_ids"}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v", errs)
	}
	for i, e := range errs {
		if PathString(e.Path) != want[i] {
			t.Errorf("error %d at %s, want %s", i, PathString(e.Path), want[i])
		}
	}
}

func TestPathString(t *testing.T) {
	p := []PathStep{AttrStep("containers"), KeyStep("web"), AttrStep("command"), IndexStep(2)}
	if got := PathString(p); got != `containers["web"].command[2]` {
		t.Errorf("PathString = %s", got)
	}
	e := NewFieldError(AttrPath("load_balancer", "priority"), "Invalid priority", "too big")
	if e.Error() != "load_balancer.priority: Invalid priority: too big" {
		t.Errorf("Error() = %s", e.Error())
	}
}
