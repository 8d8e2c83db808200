package composite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// ServiceSpec is the containerapp_service resource as the user wrote it. The
// json tags are the HCL attribute names; they are used to build attribute
// paths in validation errors.
//
// Optional numbers and true-by-default booleans are pointers (nil = unset) so
// ApplyDefaults can tell "unset" from an explicit zero. Optional blocks are
// pointer structs (nil = block absent). Strings use "" for unset.
type ServiceSpec struct {
	Name         string `json:"name"`    // required; forces replacement
	Cluster      string `json:"cluster"` // required; cluster name or ECS cluster ARN
	CPU          *int64 `json:"cpu,omitempty"`
	Memory       *int64 `json:"memory,omitempty"`
	DesiredCount *int64 `json:"desired_count,omitempty"`

	Containers map[string]ContainerSpec `json:"containers"` // keyed by container name

	Network          NetworkSpec           `json:"network"`
	LoadBalancer     *LoadBalancerSpec     `json:"load_balancer,omitempty"`
	ServiceDiscovery *ServiceDiscoverySpec `json:"service_discovery,omitempty"`
	Repository       *RepositorySpec       `json:"repository,omitempty"`

	TaskRolePolicyJSON     string          `json:"task_role_policy_json,omitempty"`
	LogRetentionDays       *int64          `json:"log_retention_days,omitempty"`
	CPUArchitecture        string          `json:"cpu_architecture,omitempty"` // X86_64 | ARM64
	EnableExecuteCommand   bool            `json:"enable_execute_command,omitempty"`
	HealthCheckGracePeriod *int64          `json:"health_check_grace_period,omitempty"` // seconds
	Deployment             *DeploymentSpec `json:"deployment,omitempty"`

	Tags map[string]string `json:"tags,omitempty"`
}

// ContainerSpec is one entry of containers. Exactly one of Image / ImageTag.
type ContainerSpec struct {
	Image       string            `json:"image,omitempty"`     // full image reference
	ImageTag    string            `json:"image_tag,omitempty"` // tag in the managed repository (needs the repository block)
	Port        *int64            `json:"port,omitempty"`      // nil: no port mapping
	Command     []string          `json:"command,omitempty"`
	EntryPoint  []string          `json:"entry_point,omitempty"`
	Environment map[string]string `json:"environment,omitempty"`
	Secrets     map[string]string `json:"secrets,omitempty"` // env name -> Secrets Manager secret ARN or SSM parameter ARN
	Essential   *bool             `json:"essential,omitempty"`
	CPU         *int64            `json:"cpu,omitempty"`    // CPU units reserved for the container
	Memory      *int64            `json:"memory,omitempty"` // MiB hard limit for the container
}

// NetworkSpec is the awsvpc configuration.
type NetworkSpec struct {
	SubnetIDs        []string `json:"subnet_ids"`
	SecurityGroupIDs []string `json:"security_group_ids,omitempty"`
	AssignPublicIP   bool     `json:"assign_public_ip,omitempty"`
	// VpcID is optional: the target group's VPC is otherwise looked up from
	// the first subnet (sorted) when the target group is created.
	VpcID string `json:"vpc_id,omitempty"`
}

// LoadBalancerSpec: a target group (ip targets) and a forward rule on an
// existing Application Load Balancer listener.
type LoadBalancerSpec struct {
	ListenerARN         string           `json:"listener_arn"`
	ContainerName       string           `json:"container_name,omitempty"` // default: the only container with a port
	PathPatterns        []string         `json:"path_patterns,omitempty"`
	HostHeaders         []string         `json:"host_headers,omitempty"`
	Priority            *int64           `json:"priority,omitempty"` // nil: allocated, stable
	DeregistrationDelay *int64           `json:"deregistration_delay,omitempty"`
	HealthCheck         *HealthCheckSpec `json:"health_check,omitempty"`
	ProtocolVersion     string           `json:"protocol_version,omitempty"` // HTTP1 | HTTP2 | GRPC
}

// HealthCheckSpec is the target group health check.
type HealthCheckSpec struct {
	Path               string `json:"path,omitempty"`
	Matcher            string `json:"matcher,omitempty"`
	Interval           *int64 `json:"interval,omitempty"`
	Timeout            *int64 `json:"timeout,omitempty"`
	HealthyThreshold   *int64 `json:"healthy_threshold,omitempty"`
	UnhealthyThreshold *int64 `json:"unhealthy_threshold,omitempty"`
}

// ServiceDiscoverySpec: a Cloud Map service (A + SRV) in an existing namespace.
type ServiceDiscoverySpec struct {
	NamespaceID string `json:"namespace_id"`
	DNSTTL      *int64 `json:"dns_ttl,omitempty"`
	// ContainerName is the container whose port the SRV record publishes.
	// Default: load_balancer.container_name when set, else the only container
	// with a port. (Not in the sketch; added for services with several
	// ports.)
	ContainerName string `json:"container_name,omitempty"`
}

// RepositorySpec: an ECR repository owned by the service.
type RepositorySpec struct {
	ScanOnPush         *bool  `json:"scan_on_push,omitempty"`
	ImageTagMutability string `json:"image_tag_mutability,omitempty"` // MUTABLE | IMMUTABLE
	KeepImages         *int64 `json:"keep_images,omitempty"`
	ForceDelete        bool   `json:"force_delete,omitempty"`
}

// DeploymentSpec: ECS deployment configuration.
type DeploymentSpec struct {
	CircuitBreakerRollback *bool  `json:"circuit_breaker_rollback,omitempty"`
	MinimumHealthyPercent  *int64 `json:"minimum_healthy_percent,omitempty"`
	MaximumPercent         *int64 `json:"maximum_percent,omitempty"`
	WaitForSteadyState     *bool  `json:"wait_for_steady_state,omitempty"`
}

// Env holds the inputs the provider supplies from its configuration.
type Env struct {
	Region    string // required by ExpandService (awslogs region)
	Partition string // "" means "aws"
	AccountID string // may be empty (skip_requesting_account_id): trust conditions are then omitted
	// DefaultTags are the provider's default_tags; resource tags win over them.
	DefaultTags map[string]string
}

// Ptr returns a pointer to v; handy for filling optional spec fields.
func Ptr[T any](v T) *T { return &v }

// Defaults. AWS's own target-group health check defaults are interval 30,
// timeout 5, healthy 5, unhealthy 2; we use a faster check (15 s, 3 healthy)
// so a deployment goes healthy in ~45 s, and 3 unhealthy so one blip does not
// kill a task.
const (
	DefaultCPU                    = 256
	DefaultMemory                 = 512
	DefaultDesiredCount           = 1
	DefaultLogRetentionDays       = 30
	DefaultCPUArchitecture        = "X86_64"
	DefaultImageTagMutability     = "IMMUTABLE"
	DefaultKeepImages             = 30
	DefaultMinimumHealthyPercent  = 100
	DefaultMaximumPercent         = 200
	DefaultDeregistrationDelay    = 30 // AWS default is 300; 30 keeps deployments quick
	DefaultDNSTTL                 = 10
	DefaultProtocolVersion        = "HTTP1"
	DefaultHealthCheckPath        = "/"
	DefaultHealthCheckMatcher     = "200-399"
	DefaultHealthCheckMatcherGRPC = "12" // AWS's default for GRPC target groups
	DefaultHealthCheckInterval    = 15
	DefaultHealthCheckTimeout     = 5
	DefaultHealthyThreshold       = 3
	DefaultUnhealthyThreshold     = 3
)

// ApplyDefaults fills every unset attribute with its default. It is
// idempotent and never overrides a value the user set. Defaults that depend
// on other attributes (load_balancer.container_name, the GRPC matcher) are
// filled only when they can be decided; Validate reports the rest.
func (s *ServiceSpec) ApplyDefaults() {
	setInt(&s.CPU, DefaultCPU)
	setInt(&s.Memory, DefaultMemory)
	setInt(&s.DesiredCount, DefaultDesiredCount)
	setInt(&s.LogRetentionDays, DefaultLogRetentionDays)
	if s.CPUArchitecture == "" {
		s.CPUArchitecture = DefaultCPUArchitecture
	}
	for name, c := range s.Containers {
		if c.Essential == nil {
			c.Essential = Ptr(true)
			s.Containers[name] = c
		}
	}
	if s.Deployment == nil {
		s.Deployment = &DeploymentSpec{}
	}
	d := s.Deployment
	setBool(&d.CircuitBreakerRollback, true)
	setInt(&d.MinimumHealthyPercent, DefaultMinimumHealthyPercent)
	setInt(&d.MaximumPercent, DefaultMaximumPercent)
	setBool(&d.WaitForSteadyState, true)

	if r := s.Repository; r != nil {
		setBool(&r.ScanOnPush, true)
		if r.ImageTagMutability == "" {
			r.ImageTagMutability = DefaultImageTagMutability
		}
		setInt(&r.KeepImages, DefaultKeepImages)
	}

	withPort := s.portContainers()
	if lb := s.LoadBalancer; lb != nil {
		if lb.ContainerName == "" && len(withPort) == 1 {
			lb.ContainerName = withPort[0]
		}
		if lb.ProtocolVersion == "" {
			lb.ProtocolVersion = DefaultProtocolVersion
		}
		setInt(&lb.DeregistrationDelay, DefaultDeregistrationDelay)
		if lb.HealthCheck == nil {
			lb.HealthCheck = &HealthCheckSpec{}
		}
		hc := lb.HealthCheck
		if hc.Path == "" {
			hc.Path = DefaultHealthCheckPath
		}
		if hc.Matcher == "" {
			hc.Matcher = DefaultHealthCheckMatcher
			if lb.ProtocolVersion == "GRPC" {
				hc.Matcher = DefaultHealthCheckMatcherGRPC
			}
		}
		setInt(&hc.Interval, DefaultHealthCheckInterval)
		setInt(&hc.Timeout, DefaultHealthCheckTimeout)
		setInt(&hc.HealthyThreshold, DefaultHealthyThreshold)
		setInt(&hc.UnhealthyThreshold, DefaultUnhealthyThreshold)
	}
	if sd := s.ServiceDiscovery; sd != nil {
		setInt(&sd.DNSTTL, DefaultDNSTTL)
		if sd.ContainerName == "" {
			if s.LoadBalancer != nil && s.LoadBalancer.ContainerName != "" {
				sd.ContainerName = s.LoadBalancer.ContainerName
			} else if len(withPort) == 1 {
				sd.ContainerName = withPort[0]
			}
		}
	}
}

func setInt(p **int64, v int64) {
	if *p == nil {
		*p = Ptr(v)
	}
}

func setBool(p **bool, v bool) {
	if *p == nil {
		*p = Ptr(v)
	}
}

// portContainers returns the names of the containers with a port, sorted.
func (s *ServiceSpec) portContainers() []string {
	var out []string
	for name, c := range s.Containers {
		if c.Port != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// clone returns a deep copy (ApplyDefaults mutates nested blocks).
func (s ServiceSpec) clone() ServiceSpec {
	var out ServiceSpec
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("composite: cloning spec: %v", err)) // plain data: cannot fail
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("composite: cloning spec: %v", err))
	}
	return out
}

// ---------------------------------------------------------------------------
// Errors with attribute paths

// PathStep is one step of an attribute path: an attribute name, a map key
// (IsKey) or a list index (IsIndex).
type PathStep struct {
	Attr    string
	MapKey  string
	Index   int
	IsKey   bool
	IsIndex bool
}

// FieldError is a validation error at an attribute path, ready to become a
// Terraform attribute diagnostic.
type FieldError struct {
	Path    []PathStep
	Summary string
	Detail  string
}

// AttrStep, KeyStep and IndexStep build path steps.
func AttrStep(name string) PathStep { return PathStep{Attr: name} }
func KeyStep(key string) PathStep   { return PathStep{MapKey: key, IsKey: true} }
func IndexStep(i int) PathStep      { return PathStep{Index: i, IsIndex: true} }

// AttrPath is a path of nested attribute names, e.g. AttrPath("network", "subnet_ids").
func AttrPath(names ...string) []PathStep {
	p := make([]PathStep, len(names))
	for i, n := range names {
		p[i] = AttrStep(n)
	}
	return p
}

// NewFieldError returns a FieldError; the path is copied.
func NewFieldError(path []PathStep, summary, detail string) FieldError {
	return FieldError{Path: append([]PathStep(nil), path...), Summary: summary, Detail: detail}
}

// PathString renders a path the way Terraform shows it:
// containers["web"].port, network.subnet_ids[0].
func PathString(path []PathStep) string {
	var b strings.Builder
	for _, st := range path {
		switch {
		case st.IsKey:
			fmt.Fprintf(&b, "[%q]", st.MapKey)
		case st.IsIndex:
			fmt.Fprintf(&b, "[%d]", st.Index)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.Attr)
		}
	}
	return b.String()
}

func (e FieldError) Error() string {
	return PathString(e.Path) + ": " + e.Summary + ": " + e.Detail
}

// ValidationErrors is the error ExpandService returns for an invalid spec.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return "invalid service: " + strings.Join(msgs, "; ")
}

// walkSpecStrings calls fn with every string (map keys included) of the spec
// and its attribute path, in a deterministic order.
func walkSpecStrings(v reflect.Value, path []PathStep, fn func([]PathStep, string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkSpecStrings(v.Elem(), path, fn)
		}
	case reflect.String:
		fn(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			walkSpecStrings(v.Field(i), at(path, AttrStep(name)), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkSpecStrings(v.Index(i), at(path, IndexStep(i)), fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			p := at(path, KeyStep(k.String()))
			fn(p, k.String())
			walkSpecStrings(v.MapIndex(k), p, fn)
		}
	}
}

// at returns a new path: path followed by steps (never aliasing path).
func at(path []PathStep, steps ...PathStep) []PathStep {
	out := make([]PathStep, 0, len(path)+len(steps))
	out = append(out, path...)
	return append(out, steps...)
}

// ---------------------------------------------------------------------------
// Validation

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
	accountIDRe     = regexp.MustCompile(`^\d{12}$`)
	partitionRe     = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	regionRe        = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
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

type validator struct{ errs []FieldError }

func (v *validator) add(path []PathStep, summary, format string, args ...any) {
	v.errs = append(v.errs, NewFieldError(path, summary, fmt.Sprintf(format, args...)))
}

// intRange checks lo <= *p <= hi for a set value.
func (v *validator) intRange(path []PathStep, p *int64, lo, hi int64, summary string) {
	if p != nil && (*p < lo || *p > hi) {
		v.add(path, summary, "must be between %d and %d, got %d", lo, hi, *p)
	}
}

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
	}
	if s.TaskRolePolicyJSON != "" {
		if _, err := normalizePolicyJSON(s.TaskRolePolicyJSON); err != nil {
			v.add(AttrPath("task_role_policy_json"), "Invalid task_role_policy_json", "%v", err)
		}
	}
	v.deployment(s.Deployment)
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

func (v *validator) idList(path []PathStep, ids []string, re *regexp.Regexp, what, prefix string) {
	seen := map[string]bool{}
	for i, id := range ids {
		p := at(path, IndexStep(i))
		if !re.MatchString(id) {
			v.add(p, "Invalid "+what, "%q is not a %s (%s...)", id, what, prefix)
		} else if seen[id] {
			v.add(p, "Duplicate "+what, "%q is listed twice", id)
		}
		seen[id] = true
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

func (v *validator) stringList(path []PathStep, vals []string, re *regexp.Regexp, what, rule string) {
	seen := map[string]bool{}
	for i, s := range vals {
		p := at(path, IndexStep(i))
		if !re.MatchString(s) {
			v.add(p, "Invalid "+what, "%q: %s", s, rule)
		} else if seen[s] {
			v.add(p, "Duplicate "+what, "%q is listed twice", s)
		}
		seen[s] = true
	}
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
}

func (v *validator) tags(tags map[string]string) {
	root := AttrPath("tags")
	if len(tags) > maxUserTags {
		v.add(root, "Too many tags", "at most %d tags (AWS allows 50 per resource, 2 are the ownership tags), got %d", maxUserTags, len(tags))
	}
	for _, k := range sortedKeys(tags) {
		p := at(root, KeyStep(k))
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "aws:"):
			v.add(p, "Reserved tag key", "%q: keys starting with aws: are reserved by AWS", k)
		case strings.HasPrefix(lk, "containerapp:"):
			v.add(p, "Reserved tag key", "%q: keys starting with containerapp: are reserved for ownership tags", k)
		case k == "" || len([]rune(k)) > 128 || !tagCharsRe.MatchString(k):
			v.add(p, "Invalid tag key", "%q must be 1 to 128 letters, digits, spaces and _ . : / = + - @", k)
		}
		if val := tags[k]; len([]rune(val)) > 256 || !tagCharsRe.MatchString(val) {
			v.add(p, "Invalid tag value", "value of %q must be at most 256 letters, digits, spaces and _ . : / = + - @", k)
		}
	}
}

// ---------------------------------------------------------------------------
// ARNs (parsed by hand: this package imports only the standard library)

type arnParts struct{ Partition, Service, Region, Account, Resource string }

func (a arnParts) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// parseARN splits arn:partition:service:region:account:resource and checks
// the partition, region (when present) and account (when present).
func parseARN(s string) (arnParts, error) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return arnParts{}, fmt.Errorf("not of the form arn:partition:service:region:account:resource")
	}
	a := arnParts{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}
	switch {
	case !partitionRe.MatchString(a.Partition):
		return a, fmt.Errorf("invalid partition %q", a.Partition)
	case a.Service == "":
		return a, fmt.Errorf("missing service")
	case a.Region != "" && !regionRe.MatchString(a.Region):
		return a, fmt.Errorf("invalid region %q", a.Region)
	case a.Account != "" && !accountIDRe.MatchString(a.Account):
		return a, fmt.Errorf("invalid account id %q", a.Account)
	case a.Resource == "":
		return a, fmt.Errorf("missing resource")
	}
	return a, nil
}

// secretRef is a parsed secrets value. PolicyARN is the resource the
// execution role is granted: the secret ARN without a JSON-key / version
// suffix, or the parameter ARN.
type secretRef struct {
	Service   string // secretsmanager | ssm
	PolicyARN string
}

func parseSecretRef(s string) (secretRef, error) {
	a, err := parseARN(s)
	if err != nil {
		return secretRef{}, fmt.Errorf("%q is not an ARN: %v", s, err)
	}
	if a.Region == "" || a.Account == "" {
		return secretRef{}, fmt.Errorf("%q: region and account are required", s)
	}
	switch a.Service {
	case "secretsmanager":
		rest, ok := strings.CutPrefix(a.Resource, "secret:")
		name, _, _ := strings.Cut(rest, ":") // ECS allows :json-key:version-stage:version-id after the secret
		if !ok || name == "" {
			return secretRef{}, fmt.Errorf("%q: a Secrets Manager ARN ends in secret:<name>", s)
		}
		a.Resource = "secret:" + name
		return secretRef{Service: "secretsmanager", PolicyARN: a.String()}, nil
	case "ssm":
		if name, ok := strings.CutPrefix(a.Resource, "parameter/"); !ok || name == "" {
			return secretRef{}, fmt.Errorf("%q: an SSM parameter ARN ends in parameter/<name>", s)
		}
		return secretRef{Service: "ssm", PolicyARN: s}, nil
	}
	return secretRef{}, fmt.Errorf("%q: secrets must be Secrets Manager secret or SSM parameter ARNs, not %s", s, a.Service)
}

// checkListenerARN accepts an Application Load Balancer listener ARN:
// arn:<p>:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>.
func checkListenerARN(s string) error {
	a, err := parseARN(s)
	if err != nil {
		return fmt.Errorf("%q is not an ARN: %v", s, err)
	}
	if a.Service != "elasticloadbalancing" || a.Region == "" || a.Account == "" {
		return fmt.Errorf("%q is not an Elastic Load Balancing listener ARN", s)
	}
	parts := strings.Split(a.Resource, "/")
	if len(parts) != 5 || parts[0] != "listener" || parts[2] == "" || parts[3] == "" || parts[4] == "" {
		return fmt.Errorf("%q is not a listener ARN (listener/app/<name>/<id>/<id>)", s)
	}
	if parts[1] != "app" {
		return fmt.Errorf("%q is not an Application Load Balancer listener: path and host rules need one", s)
	}
	return nil
}

// ---------------------------------------------------------------------------
// small helpers

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsInt(list []int64, n int64) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func joinInts(list []int64) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
