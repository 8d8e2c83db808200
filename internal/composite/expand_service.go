package composite

import "fmt"

// Logical keys of containerapp_service's children. A key never changes
// without a state upgrader.
const (
	KeyExecutionRole       = "execution_role"
	KeyExecutionRolePolicy = "execution_role_policy"
	KeyTaskRole            = "task_role"
	KeyTaskRolePolicy      = "task_role_policy"
	KeyLogGroup            = "log_group"
	KeyRepository          = "repository"
	KeyTargetGroup         = "target_group"
	KeyListenerRule        = "listener_rule"
	KeyDiscoveryService    = "discovery_service"
	KeyTaskDefinition      = "task_definition"
	KeyService             = "service"
)

// ExpandService applies the defaults to a copy of spec, validates it
// (returning ValidationErrors when it is invalid) and expands it into the
// desired children, in dependency order (then by key).
func ExpandService(spec ServiceSpec, env Env) (Graph, error) {
	s := spec.clone()
	s.ApplyDefaults()
	v := &validator{}
	v.service(&s)
	if len(v.errs) > 0 {
		return Graph{}, ValidationErrors(v.errs)
	}
	if env.Region == "" {
		return Graph{}, fmt.Errorf("expanding service: the provider region is not known")
	}
	if errs := checkEnv(&s, env); len(errs) > 0 {
		return Graph{}, ValidationErrors(errs)
	}
	cluster := ClusterName(s.Cluster)
	x := &expander{graphBuilder: newGraphBuilder(ServiceID(cluster, s.Name), env, s.Tags), s: &s, env: env, cluster: cluster}
	if err := x.expand(); err != nil {
		return Graph{}, err
	}
	return x.graph(), nil
}

// ChildName is the plan-time view of one child.
type ChildName struct {
	Kind Kind
	Name string
}

// ChildNames returns the logical key -> kind and physical name of every
// child the spec expands to (what the `resources` map shows at plan time).
func ChildNames(spec ServiceSpec, env Env) (map[string]ChildName, error) {
	g, err := ExpandService(spec, env)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ChildName, len(g.Children))
	for _, c := range g.Children {
		out[c.Key] = ChildName{Kind: c.Kind, Name: c.Name}
	}
	return out, nil
}

// expander builds the service's children: expand calls one builder per
// group of children, in dependency order.
type expander struct {
	graphBuilder
	s       *ServiceSpec
	env     Env
	cluster string
}

func (x *expander) expand() error {
	if err := x.addRoles(); err != nil {
		return err
	}
	x.addLogGroup()
	x.addRepository()
	lbs := x.addLoadBalancing()
	registries := x.addDiscovery()
	x.addTaskDefinition()
	scaling := x.addAutoscaling()
	x.addService(lbs, registries, scaling)
	return nil
}

// addRoles adds the execution and task roles and their inline policies.
func (x *expander) addRoles() error {
	s, name := x.s, x.s.Name
	trust := assumeRolePolicy(x.env)
	for _, r := range []struct{ key, name, desc string }{
		{KeyExecutionRole, ExecutionRoleName(x.cluster, name), "ECS task execution role of containerapp service " + x.owner},
		{KeyTaskRole, TaskRoleName(x.cluster, name), "ECS task role of containerapp service " + x.owner},
	} {
		p := &RoleProps{Name: r.name, Path: RolePath, Description: r.desc, AssumeRolePolicy: trust, Tags: x.tags(r.key)}
		x.add(r.key, KindIAMRole, p.Name, p, struct {
			Name string `json:"name"`
			Path string `json:"path"`
		}{p.Name, p.Path})
	}
	rolePolicy := func(key, roleKey, policyName, doc string) {
		p := &RolePolicyProps{Role: RefString(roleKey, AttrName), Name: policyName, Policy: doc}
		x.add(key, KindIAMRolePolicy, policyName, p, struct {
			Role string `json:"role"`
			Name string `json:"name"`
		}{p.Role, p.Name}, roleKey)
	}
	rolePolicy(KeyExecutionRolePolicy, KeyExecutionRole, ExecutionPolicyName, executionRolePolicy(s, x.env))
	if doc, ok, err := taskRolePolicy(s); err != nil {
		return fmt.Errorf("task_role_policy_json: %w", err)
	} else if ok {
		rolePolicy(KeyTaskRolePolicy, KeyTaskRole, TaskPolicyName, doc)
	}
	return nil
}

// addLogGroup adds the log group of the containers' awslogs driver.
func (x *expander) addLogGroup() {
	lg := &LogGroupProps{Name: LogGroupName(x.cluster, x.s.Name), RetentionDays: int32(*x.s.LogRetentionDays), Tags: x.tags(KeyLogGroup)}
	x.add(KeyLogGroup, KindLogGroup, lg.Name, lg, struct {
		Name string `json:"name"`
		KMS  string `json:"kms_key_id"`
	}{lg.Name, lg.KMSKeyID})
}

// addRepository adds the ECR repository (with the repository block).
func (x *expander) addRepository() {
	r := x.s.Repository
	if r == nil {
		return
	}
	p := &RepositoryProps{
		Name:               RepositoryName(x.cluster, x.s.Name),
		ImageTagMutability: r.ImageTagMutability,
		ScanOnPush:         *r.ScanOnPush,
		EncryptionType:     "AES256",
		LifecyclePolicy:    lifecyclePolicy(*r.KeepImages),
		ForceDelete:        r.ForceDelete,
		Tags:               x.tags(KeyRepository),
	}
	x.add(KeyRepository, KindECRRepository, p.Name, p, struct {
		Name       string `json:"name"`
		Encryption string `json:"encryption_type"`
	}{p.Name, p.EncryptionType})
}

// addLoadBalancing adds the target group and the listener rule forwarding
// to it (with the load_balancer block) and returns the ECS service's load
// balancer configuration.
func (x *expander) addLoadBalancing() []ServiceLoadBalancer {
	s, name := x.s, x.s.Name
	lb := s.LoadBalancer
	if lb == nil {
		return nil
	}
	port := int32(*s.Containers[lb.ContainerName].Port)
	// The key (name and replace hash) holds an explicit vpc_id only: see
	// TargetGroupKey.
	k := TargetGroupKey{Port: port, Protocol: "HTTP", ProtocolVersion: lb.ProtocolVersion, TargetType: "ip", VpcID: s.Network.VpcID}
	vpcFromSubnet := ""
	if k.VpcID == "" {
		vpcFromSubnet = sortedCopy(s.Network.SubnetIDs)[0]
	}
	hc := lb.HealthCheck
	tg := &TargetGroupProps{
		Name:            TargetGroupName(x.cluster, name, k),
		Port:            k.Port,
		Protocol:        k.Protocol,
		ProtocolVersion: k.ProtocolVersion,
		TargetType:      k.TargetType,
		VpcID:           k.VpcID,
		VPCFromSubnet:   vpcFromSubnet,
		HealthCheck: TargetGroupHealthCheck{
			Path:               hc.Path,
			Matcher:            hc.Matcher,
			Protocol:           "HTTP",
			Port:               "traffic-port",
			IntervalSeconds:    int32(*hc.Interval),
			TimeoutSeconds:     int32(*hc.Timeout),
			HealthyThreshold:   int32(*hc.HealthyThreshold),
			UnhealthyThreshold: int32(*hc.UnhealthyThreshold),
		},
		DeregistrationDelay: int32(*lb.DeregistrationDelay),
		Tags:                x.tags(KeyTargetGroup),
	}
	tgChild := x.add(KeyTargetGroup, KindTargetGroup, tg.Name, tg, struct {
		Name string         `json:"name"`
		Key  TargetGroupKey `json:"key"`
	}{tg.Name, k})
	// VPCFromSubnet only tells the handler where to look the VPC up when
	// it creates the group; nothing can be updated from it, so a subnet
	// change is not a change of the target group at all.
	hashed := *tg
	hashed.VPCFromSubnet = ""
	tgChild.Hash = HashJSON(&hashed)

	rule := &ListenerRuleProps{
		ListenerARN:    lb.ListenerARN,
		PriorityHint:   int32(hashUint32(x.owner, 50000)),
		PathPatterns:   sortedCopy(lb.PathPatterns),
		HostHeaders:    sortedCopy(lb.HostHeaders),
		TargetGroupARN: RefString(KeyTargetGroup, AttrARN),
		Tags:           x.tags(KeyListenerRule),
	}
	if lb.Priority != nil {
		rule.Priority = int32(*lb.Priority)
	}
	x.add(KeyListenerRule, KindListenerRule, ListenerRuleName(name, lb.ListenerARN), rule, struct {
		ListenerARN string `json:"listener_arn"`
	}{rule.ListenerARN})
	return []ServiceLoadBalancer{{TargetGroupARN: RefString(KeyTargetGroup, AttrARN), ContainerName: lb.ContainerName, ContainerPort: port}}
}

// addDiscovery adds the Cloud Map service (with the service_discovery
// block) and returns the ECS service's registries.
func (x *expander) addDiscovery() []ServiceRegistry {
	s := x.s
	sd := s.ServiceDiscovery
	if sd == nil {
		return nil
	}
	p := &DiscoveryServiceProps{
		Name:             DiscoveryServiceName(s.Name),
		NamespaceID:      sd.NamespaceID,
		FailureThreshold: 1,
		Tags:             x.tags(KeyDiscoveryService),
	}
	if sd.NamespaceType == NamespaceTypeHTTP {
		p.HTTPNamespace = true
	} else {
		p.DNSTTL, p.RoutingPolicy, p.RecordTypes = *sd.DNSTTL, "MULTIVALUE", []string{"A", "SRV"}
	}
	x.add(KeyDiscoveryService, KindDiscoveryService, p.Name, p, struct {
		Name          string   `json:"name"`
		NamespaceID   string   `json:"namespace_id"`
		RoutingPolicy string   `json:"routing_policy"`
		RecordTypes   []string `json:"record_types"`
		HTTPNamespace bool     `json:"http_namespace,omitempty"`
	}{p.Name, p.NamespaceID, p.RoutingPolicy, p.RecordTypes, p.HTTPNamespace})
	if p.HTTPNamespace {
		// No SRV record: ECS registers the task's IP only.
		return []ServiceRegistry{{RegistryARN: RefString(KeyDiscoveryService, AttrARN)}}
	}
	return []ServiceRegistry{{
		RegistryARN:   RefString(KeyDiscoveryService, AttrARN),
		ContainerName: sd.ContainerName,
		ContainerPort: int32(*s.Containers[sd.ContainerName].Port),
	}}
}

// addTaskDefinition adds the task definition and its container definitions.
func (x *expander) addTaskDefinition() {
	s, name := x.s, x.s.Name
	td := &TaskDefinitionProps{
		Family:           TaskFamily(x.cluster, name),
		CPU:              int32(*s.CPU),
		Memory:           int32(*s.Memory),
		NetworkMode:      "awsvpc",
		ExecutionRoleARN: RefString(KeyExecutionRole, AttrARN),
		TaskRoleARN:      RefString(KeyTaskRole, AttrARN),
		OperatingSystem:  "LINUX",
		CPUArchitecture:  s.CPUArchitecture,
		Tags:             x.tags(KeyTaskDefinition),
	}
	usesRepo := false
	for _, cname := range sortedKeys(s.Containers) {
		c := s.Containers[cname]
		def := ContainerDef{
			Name:            cname,
			Image:           c.Image,
			Essential:       *c.Essential,
			Command:         c.Command,
			EntryPoint:      c.EntryPoint,
			Environment:     keyValues(c.Environment),
			Secrets:         keyValues(c.Secrets),
			LogGroup:        RefString(KeyLogGroup, AttrName),
			LogRegion:       x.env.Region,
			LogStreamPrefix: name, // streams are <name>/<container>/<task id>
		}
		if c.ImageTag != "" {
			def.Image = RefString(KeyRepository, AttrURL) + ":" + c.ImageTag
			usesRepo = true
		}
		if c.Port != nil {
			def.Port = int32(*c.Port)
		}
		if c.CPU != nil {
			def.CPU = int32(*c.CPU)
		}
		if c.Memory != nil {
			def.Memory = int32(*c.Memory)
		}
		td.Containers = append(td.Containers, def)
	}
	replaceOn := []string{KeyExecutionRole, KeyTaskRole}
	if usesRepo {
		replaceOn = append(replaceOn, KeyRepository)
	}
	td.ExternalImages = s.Deployment.ImageOwner == ImageOwnerExternal
	c := x.add(KeyTaskDefinition, KindTaskDefinition, td.Family, td, nil, replaceOn...)
	if td.ExternalImages {
		// The images are the pipeline's: neither a change nor a reason to
		// register a revision (see image_owner.go).
		c.Hash = HashJSON(withoutImages(td))
		c.ReplaceHash = c.Hash
	}
}

// addService adds the ECS service, the anchor, registered with the load
// balancer's target group and the Cloud Map service.
func (x *expander) addService(lbs []ServiceLoadBalancer, registries []ServiceRegistry, scaling *ScalingRange) {
	s := x.s
	d := s.Deployment
	svc := &ServiceProps{
		Name:                   ECSServiceName(s.Name),
		Cluster:                x.cluster,
		TaskDefinition:         RefString(KeyTaskDefinition, AttrARN),
		DesiredCount:           int32(*s.DesiredCount),
		PlatformVersion:        "LATEST",
		Subnets:                sortedCopy(s.Network.SubnetIDs),
		SecurityGroups:         sortedCopy(s.Network.SecurityGroupIDs),
		AssignPublicIP:         s.Network.AssignPublicIP,
		LoadBalancers:          lbs,
		ServiceRegistries:      registries,
		CircuitBreaker:         true,
		CircuitBreakerRollback: *d.CircuitBreakerRollback,
		MinimumHealthyPercent:  int32(*d.MinimumHealthyPercent),
		MaximumPercent:         int32(*d.MaximumPercent),
		EnableExecuteCommand:   s.EnableExecuteCommand,
		PropagateTags:          "SERVICE",
		EnableECSManagedTags:   true,
		WaitForSteadyState:     *d.WaitForSteadyState,
		Scaling:                scaling,
		ScanGate:               x.scanGate(),
		Tags:                   x.tags(KeyService),

		CapacityProviderStrategy: capacityItems(s.CapacityProviderStrategy),
		RedeployToken:            redeployToken(d.RedeployTriggers),
	}
	if a := d.Alarms; a != nil {
		svc.Alarms, svc.AlarmsRollback = sortedCopy(a.Names), *a.Rollback
	}
	if s.HealthCheckGracePeriod != nil {
		svc.HealthCheckGracePeriod = int32(*s.HealthCheckGracePeriod)
	}
	if svc.SecurityGroups == nil {
		svc.SecurityGroups = []string{} // "security_groups": [] rather than null
	}
	var after []string
	for _, c := range x.children {
		// Tasks must not start before their roles carry their policies,
		// nor before its listener rule forwards to the target group: AWS
		// refuses a target group without an associated load balancer.
		if c.Kind == KindIAMRolePolicy || c.Kind == KindListenerRule {
			after = append(after, c.Key)
		}
	}
	// The replace fields: a service cannot be renamed or moved. The launch
	// type is no replace field any more (ECS moves a service between launch
	// type and capacity providers in place); the constant keeps the replace
	// hash of existing services.
	svcChild := x.add(KeyService, KindECSService, svc.Name, svc, struct {
		Name       string `json:"name"`
		Cluster    string `json:"cluster"`
		LaunchType string `json:"launch_type"`
	}{svc.Name, svc.Cluster, legacyLaunchType})
	svcChild.After = after
	hashed := *svc
	if len(svc.CapacityProviderStrategy) == 0 {
		hashed.LaunchType = legacyLaunchType // see legacyLaunchType
	}
	if scaling != nil {
		// desired_count is the count the service is created with: once it
		// runs, the count is the scaler's, and a new desired_count is no
		// change of the service.
		hashed.DesiredCount = 0
	}
	svcChild.Hash = HashJSON(&hashed)
}

// lifecyclePolicy keeps the newest keep images of the repository.
func lifecyclePolicy(keep int64) string {
	type selection struct {
		TagStatus   string `json:"tagStatus"`
		CountType   string `json:"countType"`
		CountNumber int64  `json:"countNumber"`
	}
	type action struct {
		Type string `json:"type"`
	}
	type rule struct {
		RulePriority int       `json:"rulePriority"`
		Description  string    `json:"description"`
		Selection    selection `json:"selection"`
		Action       action    `json:"action"`
	}
	return marshalCanonical(struct {
		Rules []rule `json:"rules"`
	}{[]rule{{
		RulePriority: 1,
		Description:  fmt.Sprintf("keep the newest %d images", keep),
		Selection:    selection{TagStatus: "any", CountType: "imageCountMoreThan", CountNumber: keep},
		Action:       action{Type: "expire"},
	}}})
}

func keyValues(m map[string]string) []KeyValue {
	var out []KeyValue
	for _, k := range sortedKeys(m) {
		out = append(out, KeyValue{Name: k, Value: m[k]})
	}
	return out
}
