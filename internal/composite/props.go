package composite

// Props for each child kind. String fields may hold ${key.attr} references.
// Maps and slices are kept in a canonical order by Expand (sorted) so that
// hashing is deterministic.

// RoleProps: an IAM role. Policies are separate KindIAMRolePolicy children.
type RoleProps struct {
	Name               string            `json:"name"`
	Path               string            `json:"path,omitempty"`
	Description        string            `json:"description,omitempty"`
	AssumeRolePolicy   string            `json:"assume_role_policy"` // JSON document
	ManagedPolicyARNs  []string          `json:"managed_policy_arns,omitempty"`
	MaxSessionDuration int32             `json:"max_session_duration,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// RolePolicyProps: an inline policy on a role (PutRolePolicy). Id output is
// "<role>:<policy name>".
type RolePolicyProps struct {
	Role   string `json:"role"` // usually "${execution_role.name}"
	Name   string `json:"name"`
	Policy string `json:"policy"` // JSON document, may contain references
}

// LogGroupProps: a CloudWatch Logs log group.
type LogGroupProps struct {
	Name          string            `json:"name"`
	RetentionDays int32             `json:"retention_days"`
	KMSKeyID      string            `json:"kms_key_id,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// RepositoryProps: an ECR repository with scanning and a lifecycle policy.
type RepositoryProps struct {
	Name               string            `json:"name"`
	ImageTagMutability string            `json:"image_tag_mutability"` // MUTABLE | IMMUTABLE
	ScanOnPush         bool              `json:"scan_on_push"`
	EncryptionType     string            `json:"encryption_type"`            // AES256 | KMS
	LifecyclePolicy    string            `json:"lifecycle_policy,omitempty"` // JSON document
	ForceDelete        bool              `json:"force_delete"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// TargetGroupHealthCheck is the health check of a target group (not a container health check).
type TargetGroupHealthCheck struct {
	Path               string `json:"path"`
	Matcher            string `json:"matcher"`
	Protocol           string `json:"protocol"`
	Port               string `json:"port"` // "traffic-port" or a number
	IntervalSeconds    int32  `json:"interval_seconds"`
	TimeoutSeconds     int32  `json:"timeout_seconds"`
	HealthyThreshold   int32  `json:"healthy_threshold"`
	UnhealthyThreshold int32  `json:"unhealthy_threshold"`
}

// TargetGroupProps: an ELBv2 target group with ip targets.
type TargetGroupProps struct {
	Name     string `json:"name"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol"` // HTTP | HTTPS
	// ProtocolVersion HTTP1 | HTTP2 | GRPC
	ProtocolVersion string `json:"protocol_version"`
	TargetType      string `json:"target_type"` // ip
	// VpcID, when empty, is looked up by the handler from VPCFromSubnet.
	VpcID               string                 `json:"vpc_id,omitempty"`
	VPCFromSubnet       string                 `json:"vpc_from_subnet,omitempty"`
	HealthCheck         TargetGroupHealthCheck `json:"health_check"`
	DeregistrationDelay int32                  `json:"deregistration_delay"`
	Tags                map[string]string      `json:"tags,omitempty"`
}

// ListenerRuleProps: a forward rule on an existing listener.
type ListenerRuleProps struct {
	ListenerARN string `json:"listener_arn"`
	// Priority 0 means "allocate": the handler picks the lowest free priority
	// (deterministically, starting from PriorityHint) and reports it in the
	// "priority" output; later updates keep the allocated one.
	Priority       int32             `json:"priority"`
	PriorityHint   int32             `json:"priority_hint,omitempty"`
	PathPatterns   []string          `json:"path_patterns,omitempty"`
	HostHeaders    []string          `json:"host_headers,omitempty"`
	TargetGroupARN string            `json:"target_group_arn"` // usually "${target_group.arn}"
	Tags           map[string]string `json:"tags,omitempty"`
}

// DiscoveryServiceProps: a Cloud Map service with A and SRV records.
type DiscoveryServiceProps struct {
	Name          string   `json:"name"`
	NamespaceID   string   `json:"namespace_id"`
	DNSTTL        int64    `json:"dns_ttl"`
	RoutingPolicy string   `json:"routing_policy"` // MULTIVALUE
	RecordTypes   []string `json:"record_types"`   // ["A","SRV"]
	// FailureThreshold is deprecated by Cloud Map (it always uses 1) and no
	// longer sent; it stays in the props at 1 so the hashes recorded by
	// earlier releases still match.
	FailureThreshold int32 `json:"failure_threshold"`
	// HTTPNamespace: the namespace is an HTTP namespace, so the service has
	// no DnsConfig (Cloud Map refuses one) and instances are found by
	// DiscoverInstances only.
	HTTPNamespace bool              `json:"http_namespace,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// KeyValue is an environment variable or a secret reference.
type KeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"` // for secrets: the valueFrom ARN
}

// ContainerDef is one container of a task definition.
type ContainerDef struct {
	Name        string     `json:"name"`
	Image       string     `json:"image"` // may be "${repository.url}:tag"
	Essential   bool       `json:"essential"`
	Command     []string   `json:"command,omitempty"`
	EntryPoint  []string   `json:"entry_point,omitempty"`
	Environment []KeyValue `json:"environment,omitempty"` // sorted by name
	Secrets     []KeyValue `json:"secrets,omitempty"`     // sorted by name; valueFrom
	Port        int32      `json:"port,omitempty"`        // 0: no port mapping
	CPU         int32      `json:"cpu,omitempty"`
	Memory      int32      `json:"memory,omitempty"`
	// awslogs configuration
	LogGroup               string `json:"log_group"` // "${log_group.name}"
	LogRegion              string `json:"log_region"`
	LogStreamPrefix        string `json:"log_stream_prefix"`
	ReadonlyRootFilesystem bool   `json:"readonly_root_filesystem"`
}

// TaskDefinitionProps: a Fargate task definition. Any change registers a new
// revision (ReplaceHash == Hash).
type TaskDefinitionProps struct {
	Family           string            `json:"family"`
	CPU              int32             `json:"cpu"`
	Memory           int32             `json:"memory"`
	NetworkMode      string            `json:"network_mode"` // awsvpc
	ExecutionRoleARN string            `json:"execution_role_arn"`
	TaskRoleARN      string            `json:"task_role_arn"`
	OperatingSystem  string            `json:"operating_system"` // LINUX
	CPUArchitecture  string            `json:"cpu_architecture"` // X86_64 | ARM64
	Containers       []ContainerDef    `json:"containers"`       // sorted by name
	Tags             map[string]string `json:"tags,omitempty"`
	// ExternalImages (deployment.image_owner "external"): the containers'
	// images are the initial ones only; a revision keeps the images of the
	// one it follows (see image_owner.go).
	ExternalImages bool `json:"external_images,omitempty"`
}

// ServiceLoadBalancer attaches the service to a target group.
type ServiceLoadBalancer struct {
	TargetGroupARN string `json:"target_group_arn"`
	ContainerName  string `json:"container_name"`
	ContainerPort  int32  `json:"container_port"`
}

// ServiceRegistry registers tasks in Cloud Map.
type ServiceRegistry struct {
	RegistryARN   string `json:"registry_arn"`
	ContainerName string `json:"container_name"`
	ContainerPort int32  `json:"container_port"`
}

// ServiceProps: the ECS service, the anchor child.
type ServiceProps struct {
	Name           string `json:"name"`
	Cluster        string `json:"cluster"`         // name or ARN
	TaskDefinition string `json:"task_definition"` // "${task_definition.arn}"
	DesiredCount   int32  `json:"desired_count"`
	// LaunchType is "" for every service this provider expands: the
	// service runs on CapacityProviderStrategy, or, without one, on its
	// cluster's default strategy (FARGATE when the cluster has none; see
	// the ECS service handler). Services created before the capacity
	// strategy was an input run with launch type FARGATE; they keep it
	// (see legacyLaunchType).
	LaunchType               string                         `json:"launch_type,omitempty"`
	CapacityProviderStrategy []CapacityProviderStrategyItem `json:"capacity_provider_strategy,omitempty"`
	PlatformVersion          string                         `json:"platform_version"`
	Subnets                  []string                       `json:"subnets"`
	SecurityGroups           []string                       `json:"security_groups"`
	AssignPublicIP           bool                           `json:"assign_public_ip"`
	LoadBalancers            []ServiceLoadBalancer          `json:"load_balancers,omitempty"`
	ServiceRegistries        []ServiceRegistry              `json:"service_registries,omitempty"`
	CircuitBreaker           bool                           `json:"circuit_breaker"`
	CircuitBreakerRollback   bool                           `json:"circuit_breaker_rollback"`
	MinimumHealthyPercent    int32                          `json:"minimum_healthy_percent"`
	MaximumPercent           int32                          `json:"maximum_percent"`
	HealthCheckGracePeriod   int32                          `json:"health_check_grace_period,omitempty"`
	EnableExecuteCommand     bool                           `json:"enable_execute_command"`
	PropagateTags            string                         `json:"propagate_tags"` // SERVICE
	EnableECSManagedTags     bool                           `json:"enable_ecs_managed_tags"`
	WaitForSteadyState       bool                           `json:"wait_for_steady_state"`
	// Alarms fail the deployment when one of them is in ALARM
	// (deploymentConfiguration.alarms, enabled when non-empty).
	Alarms         []string `json:"alarms,omitempty"`
	AlarmsRollback bool     `json:"alarms_rollback,omitempty"`
	// RedeployToken is a digest of deployment.redeploy_triggers: when it
	// differs from the one the service's record carries
	// (AttrRedeployToken), the update forces a new deployment.
	RedeployToken string `json:"redeploy_token,omitempty"`
	// Scaling is set on an autoscaled service: DesiredCount is the count it
	// is created with; the live count is the scaler's (not drift), and an
	// update only brings it inside the range (ClampCount).
	Scaling *ScalingRange `json:"scaling,omitempty"`
	// ScanGate is set with repository.block_on_severity: a deploy of an
	// image of the service's own repository waits for its scan and is
	// refused on findings at or above the severity (see scan_gate.go).
	ScanGate *ScanGate         `json:"scan_gate,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}
