package composite

// Validation of containerapp_service's spec.

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Limits used by validation (and by naming: a name of at most MaxNameLength
// characters keeps every derived physical name within AWS limits, with room
// for the readable part of the 32-character target group name).
const (
	MaxNameLength       = 32
	maxContainers       = 10 // ECS: containers per task definition
	maxSubnets          = 16 // ECS awsvpcConfiguration
	maxSecurityGroups   = 5  // ECS awsvpcConfiguration
	maxConditionValues  = 5  // ELBv2: condition values per rule
	maxUserTags         = 48 // 50 per resource, minus the 2 ownership tags
	maxInlinePolicySize = 10240
	maxInt32            = 1<<31 - 1
)

var (
	serviceNameRe   = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9])*$`)
	clusterNameRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	containerNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	envNameRe       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,254}$`)
	imageRe         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@#+-]{0,254}$`)
	imageTagRe      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	subnetIDRe      = regexp.MustCompile(`^subnet-[0-9a-z]{1,32}$`)
	sgIDRe          = regexp.MustCompile(`^sg-[0-9a-z]{1,32}$`)
	vpcIDRe         = regexp.MustCompile(`^vpc-[0-9a-z]{1,32}$`)
	namespaceIDRe   = regexp.MustCompile(`^ns-[0-9a-z]{1,64}$`)
	pathPatternRe   = regexp.MustCompile(`^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$`)
	hostHeaderRe    = regexp.MustCompile(`^[A-Za-z0-9\-.*?]{1,128}$`)
	healthPathRe    = regexp.MustCompile(`^/[\x21-\x7e]*$`)
	httpMatcherRe   = regexp.MustCompile(`^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$`)
	grpcMatcherRe   = regexp.MustCompile(`^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$`)
	tagCharsRe      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// fargateSizes is the Fargate CPU -> memory (MiB) table.
var fargateSizes = []struct{ cpu, lo, hi, step int64 }{
	{256, 512, 2048, 0}, // 512, 1024, 2048
	{512, 1024, 4096, 1024},
	{1024, 2048, 8192, 1024},
	{2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024},
	{8192, 16384, 61440, 4096},
	{16384, 32768, 122880, 8192},
}

// logRetentionDays is CloudWatch Logs' allowed set. 0 ("never expire") is
// deliberately not allowed: finite retention is a security default.
var logRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Validate checks the whole spec and returns every problem found, each with
// the attribute path it belongs to. It applies the defaults to a copy first,
// so it can be called before or after ApplyDefaults. It never calls AWS.
func Validate(spec ServiceSpec) []FieldError {
	s := spec.clone()
	s.ApplyDefaults()
	v := &validator{}
	v.service(&s)
	return v.errs
}

func (v *validator) service(s *ServiceSpec) {
	// name
	switch {
	case s.Name == "":
		v.add(AttrPath("name"), "Missing name", "name is required")
	case len(s.Name) > MaxNameLength || !serviceNameRe.MatchString(s.Name):
		v.add(AttrPath("name"), "Invalid name",
			"%q must be 1 to %d characters: lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen", s.Name, MaxNameLength)
	}
	// cluster
	v.cluster(s.Cluster)

	// task size
	v.fargateSize(*s.CPU, *s.Memory)
	v.intRange(AttrPath("desired_count"), s.DesiredCount, 0, maxInt32, "Invalid desired_count")
	if !contains([]string{"X86_64", "ARM64"}, s.CPUArchitecture) {
		v.add(AttrPath("cpu_architecture"), "Invalid cpu_architecture", "must be X86_64 or ARM64, got %q", s.CPUArchitecture)
	}
	if !containsInt(logRetentionDays, *s.LogRetentionDays) {
		v.add(AttrPath("log_retention_days"), "Invalid log_retention_days",
			"%d is not a CloudWatch Logs retention period; allowed: %s", *s.LogRetentionDays, joinInts(logRetentionDays))
	}
	v.intRange(AttrPath("health_check_grace_period"), s.HealthCheckGracePeriod, 0, maxInt32, "Invalid health_check_grace_period")

	v.containers(s)
	v.network(&s.Network)
	if s.LoadBalancer != nil {
		v.loadBalancer(s, s.LoadBalancer)
	}
	if s.ServiceDiscovery != nil {
		v.serviceDiscovery(s, s.ServiceDiscovery)
	}
	if r := s.Repository; r != nil {
		if !contains([]string{"MUTABLE", "IMMUTABLE"}, r.ImageTagMutability) {
			v.add(AttrPath("repository", "image_tag_mutability"), "Invalid image_tag_mutability",
				"must be MUTABLE or IMMUTABLE, got %q", r.ImageTagMutability)
		}
		v.intRange(AttrPath("repository", "keep_images"), r.KeepImages, 1, 1000, "Invalid keep_images")
		v.scanGate(s, r)
	}
	hasSecrets := false
	for _, c := range s.Containers {
		hasSecrets = hasSecrets || len(c.Secrets) > 0
	}
	for i, k := range s.KMSKeyARNs {
		p := at(AttrPath("kms_key_arns"), IndexStep(i))
		if a, err := parseARN(k); err != nil || a.Service != "kms" || a.Region == "" || a.Account == "" || !strings.HasPrefix(a.Resource, "key/") {
			v.add(p, "Invalid KMS key ARN", "%q is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>; IAM does not match aliases for kms:Decrypt)", k)
		}
	}
	if len(s.KMSKeyARNs) > 0 && !hasSecrets {
		v.add(AttrPath("kms_key_arns"), "KMS keys without secrets", "kms_key_arns grants kms:Decrypt for the containers' secrets, but no container has secrets")
	}
	if s.TaskRolePolicyJSON != "" {
		if _, err := normalizePolicyJSON(s.TaskRolePolicyJSON); err != nil {
			v.add(AttrPath("task_role_policy_json"), "Invalid task_role_policy_json", "%v", err)
		}
	}
	v.deployment(s.Deployment)
	v.serviceCapacity(s)
	if s.Autoscaling != nil {
		v.autoscaling(s)
	}
	v.tags(s.Tags)

	// No user string may look like a ${key.attr} reference: the engine would
	// substitute it.
	walkSpecStrings(reflect.ValueOf(s).Elem(), nil, func(p []PathStep, str string) {
		if m := refPattern.FindString(str); m != "" {
			v.add(p, "Reserved reference syntax",
				"%q is the syntax this provider uses for references between the resources it creates; it cannot appear in a value", m)
		}
	})
}

func (v *validator) cluster(c string) {
	p := AttrPath("cluster")
	switch {
	case c == "":
		v.add(p, "Missing cluster", "cluster is required: an ECS cluster name or ARN")
	case strings.HasPrefix(c, "arn:"):
		a, err := parseARN(c)
		if err == nil && a.Service != "ecs" {
			err = fmt.Errorf("service is %q, want ecs", a.Service)
		}
		if err == nil {
			name, ok := strings.CutPrefix(a.Resource, "cluster/")
			if !ok || !clusterNameRe.MatchString(name) {
				err = fmt.Errorf("resource %q is not cluster/<name>", a.Resource)
			}
		}
		if err != nil {
			v.add(p, "Invalid cluster", "%q is not an ECS cluster ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>): %v", c, err)
		}
	case !clusterNameRe.MatchString(c):
		v.add(p, "Invalid cluster", "%q is not an ECS cluster name (1 to 255 letters, digits, hyphens and underscores) or ARN", c)
	}
}

func (v *validator) fargateSize(cpu, memory int64) {
	for _, f := range fargateSizes {
		if f.cpu != cpu {
			continue
		}
		ok := memory >= f.lo && memory <= f.hi
		allowed := fmt.Sprintf("%d to %d in steps of %d", f.lo, f.hi, f.step)
		if f.step == 0 {
			ok = memory == 512 || memory == 1024 || memory == 2048
			allowed = "512, 1024 or 2048"
		} else if ok {
			ok = (memory-f.lo)%f.step == 0
		}
		if !ok {
			v.add(AttrPath("memory"), "Invalid memory for cpu",
				"Fargate does not offer memory %d MiB with cpu %d; allowed: %s", memory, cpu, allowed)
		}
		return
	}
	cpus := make([]int64, len(fargateSizes))
	for i, f := range fargateSizes {
		cpus[i] = f.cpu
	}
	v.add(AttrPath("cpu"), "Invalid cpu", "Fargate task cpu must be one of %s, got %d", joinInts(cpus), cpu)
}

func (v *validator) containers(s *ServiceSpec) {
	root := AttrPath("containers")
	if len(s.Containers) == 0 {
		v.add(root, "Missing containers", "at least one container is required")
		return
	}
	if len(s.Containers) > maxContainers {
		v.add(root, "Too many containers", "a task definition holds at most %d containers, got %d", maxContainers, len(s.Containers))
	}
	var cpuSum, memSum int64
	essential := false
	ports := map[int64]string{}
	for _, name := range sortedKeys(s.Containers) {
		c := s.Containers[name]
		p := at(root, KeyStep(name))
		if !containerNameRe.MatchString(name) {
			v.add(p, "Invalid container name", "%q must be 1 to 255 letters, digits, hyphens and underscores", name)
		}
		switch {
		case c.Image == "" && c.ImageTag == "":
			v.add(p, "Missing image", "set exactly one of image or image_tag")
		case c.Image != "" && c.ImageTag != "":
			v.add(at(p, AttrStep("image_tag")), "Conflicting image", "set exactly one of image or image_tag, not both")
		case c.Image != "":
			if !imageRe.MatchString(c.Image) {
				v.add(at(p, AttrStep("image")), "Invalid image", "%q is not an image reference (up to 255 letters, digits and . _ - : / @ # +)", c.Image)
			}
		default:
			if !imageTagRe.MatchString(c.ImageTag) {
				v.add(at(p, AttrStep("image_tag")), "Invalid image_tag", "%q is not an image tag (1 to 128 letters, digits, _ . -; not starting with . or -)", c.ImageTag)
			}
			if s.Repository == nil {
				v.add(at(p, AttrStep("image_tag")), "image_tag needs repository",
					"image_tag refers to the service's own ECR repository: add a repository block, or use image with a full reference")
			}
		}
		if c.Port != nil {
			pp := at(p, AttrStep("port"))
			if *c.Port < 1 || *c.Port > 65535 {
				v.add(pp, "Invalid port", "must be between 1 and 65535, got %d", *c.Port)
			} else if other, dup := ports[*c.Port]; dup {
				v.add(pp, "Duplicate port", "port %d is already used by container %q; containers share the task's network namespace", *c.Port, other)
			} else {
				ports[*c.Port] = name
			}
		}
		for _, k := range sortedKeys(c.Environment) {
			if !envNameRe.MatchString(k) {
				v.add(at(p, AttrStep("environment"), KeyStep(k)), "Invalid environment variable name",
					"%q must start with a letter or underscore and hold only letters, digits and underscores", k)
			}
		}
		for _, k := range sortedKeys(c.Secrets) {
			sp := at(p, AttrStep("secrets"), KeyStep(k))
			if !envNameRe.MatchString(k) {
				v.add(sp, "Invalid environment variable name",
					"%q must start with a letter or underscore and hold only letters, digits and underscores", k)
			}
			if _, dup := c.Environment[k]; dup {
				v.add(sp, "Duplicate environment variable", "%q is set in both environment and secrets", k)
			}
			if _, err := parseSecretRef(c.Secrets[k]); err != nil {
				v.add(sp, "Invalid secret ARN", "%v", err)
			}
		}
		if c.CPU != nil {
			v.intRange(at(p, AttrStep("cpu")), c.CPU, 0, *s.CPU, "Invalid container cpu")
			cpuSum += *c.CPU
		}
		if c.Memory != nil {
			v.intRange(at(p, AttrStep("memory")), c.Memory, 6, *s.Memory, "Invalid container memory")
			memSum += *c.Memory
		}
		if *c.Essential {
			essential = true
		}
	}
	if !essential {
		v.add(root, "No essential container", "at least one container must be essential")
	}
	if cpuSum > *s.CPU {
		v.add(root, "Container cpu exceeds task cpu", "the containers reserve %d cpu units in total, the task has %d", cpuSum, *s.CPU)
	}
	if memSum > *s.Memory {
		v.add(root, "Container memory exceeds task memory", "the containers reserve %d MiB in total, the task has %d", memSum, *s.Memory)
	}
}

func (v *validator) network(n *NetworkSpec) {
	root := AttrPath("network")
	sp := at(root, AttrStep("subnet_ids"))
	switch {
	case len(n.SubnetIDs) == 0:
		v.add(sp, "Missing subnet_ids", "at least one subnet id is required")
	case len(n.SubnetIDs) > maxSubnets:
		v.add(sp, "Too many subnet_ids", "at most %d subnets, got %d", maxSubnets, len(n.SubnetIDs))
	}
	v.idList(sp, n.SubnetIDs, subnetIDRe, "subnet id", "subnet-")
	gp := at(root, AttrStep("security_group_ids"))
	if len(n.SecurityGroupIDs) > maxSecurityGroups {
		v.add(gp, "Too many security_group_ids", "at most %d security groups, got %d", maxSecurityGroups, len(n.SecurityGroupIDs))
	}
	v.idList(gp, n.SecurityGroupIDs, sgIDRe, "security group id", "sg-")
	if n.VpcID != "" && !vpcIDRe.MatchString(n.VpcID) {
		v.add(at(root, AttrStep("vpc_id")), "Invalid vpc_id", "%q is not a VPC id (vpc-...)", n.VpcID)
	}
}

func (v *validator) loadBalancer(s *ServiceSpec, lb *LoadBalancerSpec) {
	root := AttrPath("load_balancer")
	lp := at(root, AttrStep("listener_arn"))
	if lb.ListenerARN == "" {
		v.add(lp, "Missing listener_arn", "listener_arn is required")
	} else if err := checkListenerARN(lb.ListenerARN); err != nil {
		v.add(lp, "Invalid listener_arn", "%v", err)
	}
	cp := at(root, AttrStep("container_name"))
	if lb.ContainerName == "" {
		withPort := s.portContainers()
		if len(withPort) == 0 {
			v.add(cp, "No container with a port", "the load balancer forwards to a container port, but no container sets port")
		} else {
			v.add(cp, "Ambiguous container_name", "several containers have a port (%s): set container_name", strings.Join(withPort, ", "))
		}
	} else if c, ok := s.Containers[lb.ContainerName]; !ok {
		v.add(cp, "Unknown container", "%q is not one of the containers", lb.ContainerName)
	} else if c.Port == nil {
		v.add(cp, "Container without port", "container %q has no port for the load balancer to forward to", lb.ContainerName)
	}

	if len(lb.PathPatterns) == 0 && len(lb.HostHeaders) == 0 {
		v.add(root, "Missing rule condition", "set path_patterns, host_headers or both: a listener rule needs at least one condition")
	}
	if n := len(lb.PathPatterns) + len(lb.HostHeaders); n > maxConditionValues {
		v.add(root, "Too many rule conditions", "path_patterns and host_headers hold %d values together; a listener rule allows at most %d", n, maxConditionValues)
	}
	v.stringList(at(root, AttrStep("path_patterns")), lb.PathPatterns, pathPatternRe, "path pattern",
		"1 to 128 characters: letters, digits and _ - . $ / ~ \" ' @ : + & * ?")
	v.stringList(at(root, AttrStep("host_headers")), lb.HostHeaders, hostHeaderRe, "host header",
		"1 to 128 characters: letters, digits and - . * ?")
	v.intRange(at(root, AttrStep("priority")), lb.Priority, 1, 50000, "Invalid priority")
	v.intRange(at(root, AttrStep("deregistration_delay")), lb.DeregistrationDelay, 0, 3600, "Invalid deregistration_delay")
	if !contains([]string{"HTTP1", "HTTP2", "GRPC"}, lb.ProtocolVersion) {
		v.add(at(root, AttrStep("protocol_version")), "Invalid protocol_version", "must be HTTP1, HTTP2 or GRPC, got %q", lb.ProtocolVersion)
	}

	hc := lb.HealthCheck
	hp := at(root, AttrStep("health_check"))
	if len(hc.Path) > 1024 || !healthPathRe.MatchString(hc.Path) {
		v.add(at(hp, AttrStep("path")), "Invalid health check path", "%q must start with / and hold at most 1024 printable characters without spaces", hc.Path)
	}
	if err := checkMatcher(hc.Matcher, lb.ProtocolVersion == "GRPC"); err != nil {
		v.add(at(hp, AttrStep("matcher")), "Invalid health check matcher", "%v", err)
	}
	v.intRange(at(hp, AttrStep("interval")), hc.Interval, 5, 300, "Invalid health check interval")
	v.intRange(at(hp, AttrStep("timeout")), hc.Timeout, 2, 120, "Invalid health check timeout")
	if *hc.Interval >= 5 && *hc.Interval <= 300 && *hc.Timeout >= 2 && *hc.Timeout <= 120 && *hc.Timeout >= *hc.Interval {
		v.add(at(hp, AttrStep("timeout")), "Health check timeout too long", "timeout (%d) must be less than interval (%d)", *hc.Timeout, *hc.Interval)
	}
	v.intRange(at(hp, AttrStep("healthy_threshold")), hc.HealthyThreshold, 2, 10, "Invalid healthy_threshold")
	v.intRange(at(hp, AttrStep("unhealthy_threshold")), hc.UnhealthyThreshold, 2, 10, "Invalid unhealthy_threshold")
}

// checkMatcher validates a health check success-code matcher: "200",
// "200,202", "200-299" with HTTP codes 200-499, or gRPC codes 0-99.
func checkMatcher(m string, grpc bool) error {
	re, lo, hi := httpMatcherRe, 200, 499
	if grpc {
		re, lo, hi = grpcMatcherRe, 0, 99
	}
	if !re.MatchString(m) {
		return fmt.Errorf("%q must be codes or ranges separated by commas, e.g. %q", m, map[bool]string{false: "200,202-299", true: "0-12"}[grpc])
	}
	for _, part := range strings.Split(m, ",") {
		a, b, isRange := strings.Cut(part, "-")
		x, y := atoi(a), atoi(a)
		if isRange {
			y = atoi(b)
		}
		if x < lo || y > hi || x > y {
			return fmt.Errorf("%q: codes must be between %d and %d, ranges low-high", m, lo, hi)
		}
	}
	return nil
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func (v *validator) serviceDiscovery(s *ServiceSpec, sd *ServiceDiscoverySpec) {
	root := AttrPath("service_discovery")
	np := at(root, AttrStep("namespace_id"))
	if sd.NamespaceID == "" {
		v.add(np, "Missing namespace_id", "namespace_id is required")
	} else if !namespaceIDRe.MatchString(sd.NamespaceID) {
		v.add(np, "Invalid namespace_id", "%q is not a Cloud Map namespace id (ns-...)", sd.NamespaceID)
	}
	tp := at(root, AttrStep("namespace_type"))
	switch sd.NamespaceType {
	case "", NamespaceTypeDNSPrivate, NamespaceTypeDNSPublic:
	case NamespaceTypeHTTP:
		// Cloud Map: "When you specify an HTTP service, you can't include a
		// DnsConfig element": no records, so no TTL and no SRV port.
		if sd.DNSTTL != nil {
			v.add(at(root, AttrStep("dns_ttl")), "dns_ttl in an HTTP namespace", "an HTTP namespace has no DNS records: remove dns_ttl")
		}
		if sd.ContainerName != "" {
			v.add(at(root, AttrStep("container_name")), "container_name in an HTTP namespace",
				"container_name chooses the port of the SRV record, and an HTTP namespace has no DNS records: remove it")
		}
		return
	default:
		v.add(tp, "Invalid namespace_type", "%q: must be DNS_PRIVATE, DNS_PUBLIC or HTTP", sd.NamespaceType)
	}
	v.intRange(at(root, AttrStep("dns_ttl")), sd.DNSTTL, 0, maxInt32, "Invalid dns_ttl")
	cp := at(root, AttrStep("container_name"))
	if s.LoadBalancer != nil && sd.ContainerName == s.LoadBalancer.ContainerName {
		return // same container as the load balancer's: checked (and reported) there
	}
	if sd.ContainerName == "" {
		withPort := s.portContainers()
		if len(withPort) == 0 {
			v.add(cp, "No container with a port", "service discovery publishes SRV records with a container port, but no container sets port")
		} else {
			v.add(cp, "Ambiguous container_name", "several containers have a port (%s): set container_name", strings.Join(withPort, ", "))
		}
	} else if c, ok := s.Containers[sd.ContainerName]; !ok {
		v.add(cp, "Unknown container", "%q is not one of the containers", sd.ContainerName)
	} else if c.Port == nil {
		v.add(cp, "Container without port", "container %q has no port for the SRV record", sd.ContainerName)
	}
}

func (v *validator) deployment(d *DeploymentSpec) {
	root := AttrPath("deployment")
	v.intRange(at(root, AttrStep("minimum_healthy_percent")), d.MinimumHealthyPercent, 0, 100, "Invalid minimum_healthy_percent")
	v.intRange(at(root, AttrStep("maximum_percent")), d.MaximumPercent, 100, 200, "Invalid maximum_percent")
	mn, mx := *d.MinimumHealthyPercent, *d.MaximumPercent
	switch {
	case mx < mn:
		v.add(at(root, AttrStep("maximum_percent")), "Invalid deployment percents",
			"maximum_percent (%d) must not be less than minimum_healthy_percent (%d)", mx, mn)
	case mx == 100 && mn == 100:
		v.add(at(root, AttrStep("maximum_percent")), "Invalid deployment percents",
			"with minimum_healthy_percent and maximum_percent both 100 a deployment can never replace a task")
	}
	if d.Alarms != nil {
		v.deploymentAlarms(d.Alarms)
	}
	if d.ImageOwner != ImageOwnerTerraform && d.ImageOwner != ImageOwnerExternal {
		v.add(at(root, AttrStep("image_owner")), "Invalid image_owner",
			"image_owner is %q or %q, got %q", ImageOwnerTerraform, ImageOwnerExternal, d.ImageOwner)
	}
}

// checkEnv reports ARNs that point outside the provider's region (or, when
// known, account): the cluster is addressed by name and the target group is
// created in the provider's region, so those would silently miss.
func checkEnv(s *ServiceSpec, env Env) []FieldError {
	v := &validator{}
	check := func(path []PathStep, what, arn string) {
		a, err := parseARN(arn)
		if err != nil {
			return
		}
		if a.Region != env.Region {
			v.add(path, what+" in another region", "%q is in %s; the provider is configured for %s", arn, a.Region, env.Region)
		} else if env.AccountID != "" && a.Account != env.AccountID {
			v.add(path, what+" in another account", "%q belongs to account %s; the provider uses account %s", arn, a.Account, env.AccountID)
		}
	}
	if strings.HasPrefix(s.Cluster, "arn:") {
		check(AttrPath("cluster"), "Cluster", s.Cluster)
	}
	if s.LoadBalancer != nil {
		check(AttrPath("load_balancer", "listener_arn"), "Listener", s.LoadBalancer.ListenerARN)
	}
	return v.errs
}
