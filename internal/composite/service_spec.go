package composite

import (
	"encoding/json"
	"fmt"
	"sort"
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

	TaskRolePolicyJSON string `json:"task_role_policy_json,omitempty"`
	// KMSKeyARNs are the customer-managed KMS keys that encrypt the
	// containers' secrets: the execution role may kms:Decrypt with exactly
	// these keys.
	KMSKeyARNs             []string        `json:"kms_key_arns,omitempty"`
	LogRetentionDays       *int64          `json:"log_retention_days,omitempty"`
	CPUArchitecture        string          `json:"cpu_architecture,omitempty"` // X86_64 | ARM64
	EnableExecuteCommand   bool            `json:"enable_execute_command,omitempty"`
	HealthCheckGracePeriod *int64          `json:"health_check_grace_period,omitempty"` // seconds
	Deployment             *DeploymentSpec `json:"deployment,omitempty"`
	// CapacityProviderStrategy: the service's own strategy; nil runs the
	// service on its cluster's default strategy (see capacity.go).
	CapacityProviderStrategy []CapacityProviderStrategySpec `json:"capacity_provider_strategy"` // no omitempty: an empty list is an error, not unset
	// Autoscaling: the scaler owns the desired count (see autoscaling.go).
	Autoscaling *AutoscalingSpec `json:"autoscaling,omitempty"`

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

// ServiceDiscoverySpec: a Cloud Map service in an existing namespace: A and
// SRV records in a DNS namespace, instance registration only in an HTTP
// namespace (Cloud Map refuses DNS records there).
type ServiceDiscoverySpec struct {
	NamespaceID string `json:"namespace_id"`
	// NamespaceType is the namespace's type (DNS_PRIVATE, DNS_PUBLIC or
	// HTTP). The resource looks it up when the user leaves it unset; ""
	// (not known yet) expands as a DNS namespace.
	NamespaceType string `json:"namespace_type,omitempty"`
	DNSTTL        *int64 `json:"dns_ttl,omitempty"`
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
	// BlockOnSeverity is the image scan gate (see scan_gate.go): CRITICAL,
	// HIGH or MEDIUM; "" is no gate.
	BlockOnSeverity string `json:"block_on_severity,omitempty"`
}

// DeploymentSpec: ECS deployment configuration.
type DeploymentSpec struct {
	CircuitBreakerRollback *bool  `json:"circuit_breaker_rollback,omitempty"`
	MinimumHealthyPercent  *int64 `json:"minimum_healthy_percent,omitempty"`
	MaximumPercent         *int64 `json:"maximum_percent,omitempty"`
	WaitForSteadyState     *bool  `json:"wait_for_steady_state,omitempty"`
	// RedeployTriggers: any change of the map starts a new deployment of
	// the same task definition (mutable tags such as latest).
	RedeployTriggers map[string]string `json:"redeploy_triggers,omitempty"`
	// Alarms: CloudWatch alarms that fail (and roll back) a deployment.
	Alarms *DeploymentAlarmsSpec `json:"alarms,omitempty"`
	// ImageOwner: who deploys images, "terraform" (default) or "external"
	// (a pipeline; see image_owner.go).
	ImageOwner string `json:"image_owner,omitempty"`
}

// DeploymentAlarmsSpec: ECS deployment alarms (deploymentConfiguration.alarms).
type DeploymentAlarmsSpec struct {
	Names    []string `json:"names"`
	Rollback *bool    `json:"rollback,omitempty"` // default true
}

// Env holds the inputs the provider supplies from its configuration.
type Env struct {
	Region    string // required by ExpandService (awslogs region)
	Partition string // "" means "aws"
	AccountID string // may be empty (skip_requesting_account_id): trust conditions are then omitted
	// DefaultTags are the provider's default_tags; resource tags win over them.
	DefaultTags map[string]string
}

// partition is the AWS partition, "aws" unless Env says otherwise.
func (e Env) partition() string {
	if e.Partition == "" {
		return "aws"
	}
	return e.Partition
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
	if d.Alarms != nil {
		setBool(&d.Alarms.Rollback, true)
	}
	if d.ImageOwner == "" {
		d.ImageOwner = ImageOwnerTerraform
	}
	for i := range s.CapacityProviderStrategy {
		st := &s.CapacityProviderStrategy[i]
		setInt(&st.Weight, DefaultStrategyWeight)
		setInt(&st.Base, DefaultStrategyBase)
	}

	if r := s.Repository; r != nil {
		setBool(&r.ScanOnPush, true)
		if r.ImageTagMutability == "" {
			r.ImageTagMutability = DefaultImageTagMutability
		}
		setInt(&r.KeepImages, DefaultKeepImages)
	}

	if s.Autoscaling != nil {
		s.Autoscaling.applyDefaults()
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
	if sd := s.ServiceDiscovery; sd != nil && sd.NamespaceType != NamespaceTypeHTTP {
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
