package composite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Drift fingerprints.
//
// Fingerprint(k, props) is a hash of the kind's drift view of props: the
// managed settings a refresh observes (one describe call per child, nothing
// that costs an extra call), normalized so that a configuration and the same
// configuration as AWS reports it hash the same: defaults filled, sets sorted
// and made distinct, policy documents in a canonical JSON form (URL-decoded,
// a single value equal to a one-element list), nil and empty maps and slices
// alike. It is applied to the desired props (resolved: no ${key.attr} left)
// after a successful Create or Update and to Observed.Props after a refresh;
// the two are equal exactly when the child is in sync.
//
// The drift views are the fingerprinted shapes the handlers used before
// (same fields, same JSON), so a fingerprint recorded by the previous release
// compares equal to the one computed here. Per kind:
//   - IAM role: trust policy, path ("/" when unset), description, max
//     session duration (IAM's 3600 when unset), tags;
//   - inline role policy: the policy document;
//   - log group: retention days (0: never expire), KMS key;
//   - ECR repository: image tag mutability (ECR's MUTABLE when unset), scan
//     on push (not the lifecycle policy: an extra call);
//   - target group: port, protocol, health check (not the deregistration
//     delay, nor the tags: extra calls). A handler reports a disabled health
//     check as the zero TargetGroupHealthCheck;
//   - listener rule: path patterns, host headers, the forward target group,
//     and the priority when Priority != 0. A handler's Observe reports
//     Priority 0 when the record says the priority was allocated
//     (Recorded.PriorityExplicit false) and the rule's priority when it is
//     explicit; the priority in use is always in Outputs[AttrPriority];
//   - Cloud Map service: DNS record types and their TTL;
//   - task definition: the normalized definition (containers by name,
//     environment and secrets by name, defaults filled), tags;
//   - ECS service: task definition (family:revision), desired count, awsvpc
//     network, load balancers, service registries, tags. The deployment
//     configuration, grace period and execute command are left out (an
//     emulator drops them);
//   - ECS cluster: capacity providers, default strategy, container insights
//     ("disabled" when unset), tags;
//   - Cloud Map namespace: name, type, description;
//   - security group: name, description, VPC, ingress and egress rules as
//     one-source atoms (descriptions left out), tags;
//   - load balancer: name, scheme, subnets, security groups, IP address type
//     ("ipv4" when unset), idle timeout (60 when unset), drop invalid header
//     fields;
//   - listener: port, protocol, certificate, TLS policy (HTTPS only), the
//     default action's managed fields.
//
// Tags are compared without the keys AWS reserves ("aws:" prefix); the
// ownership tags count.

// Fingerprint returns the hash of kind k's drift view of props (a pointer to
// the kind's props struct, references resolved). ok is false for nil props,
// props of another kind, or a kind without a fingerprint.
func Fingerprint(k Kind, props any) (string, bool) {
	v, ok := driftView(k, props)
	if !ok {
		return "", false
	}
	return HashJSON(v), true
}

// DriftedFields names the fields of kind k's drift view where the desired
// props and the observed props (both as the kind's props, references
// resolved) differ: JSON paths such as "path_patterns[0]", never values.
// Nil when either has no drift view.
func DriftedFields(k Kind, desired, observed any) []string {
	dv, ok := driftView(k, desired)
	if !ok {
		return nil
	}
	ov, ok := driftView(k, observed)
	if !ok {
		return nil
	}
	return ChangedFields(dv, ov)
}

// driftView returns the drift view of props for kind k.
func driftView(k Kind, props any) (any, bool) {
	switch k {
	case KindIAMRole:
		if p, ok := driftProps[RoleProps](props); ok {
			return driftRole(p), true
		}
	case KindIAMRolePolicy:
		if p, ok := driftProps[RolePolicyProps](props); ok {
			return driftRolePolicyView{Policy: driftCanonicalPolicy(p.Policy)}, true
		}
	case KindLogGroup:
		if p, ok := driftProps[LogGroupProps](props); ok {
			return driftLogGroupView{RetentionDays: max(p.RetentionDays, 0), KMSKeyID: p.KMSKeyID}, true
		}
	case KindECRRepository:
		if p, ok := driftProps[RepositoryProps](props); ok {
			return driftRepositoryView{ImageTagMutability: driftOr(p.ImageTagMutability, "MUTABLE"), ScanOnPush: p.ScanOnPush}, true
		}
	case KindTargetGroup:
		if p, ok := driftProps[TargetGroupProps](props); ok {
			return driftTargetGroup(p), true
		}
	case KindListenerRule:
		if p, ok := driftProps[ListenerRuleProps](props); ok {
			return driftListenerRule(p), true
		}
	case KindDiscoveryService:
		if p, ok := driftProps[DiscoveryServiceProps](props); ok {
			records := make([]string, 0, len(p.RecordTypes))
			for _, t := range p.RecordTypes {
				records = append(records, fmt.Sprintf("%s:%d", t, p.DNSTTL))
			}
			return driftDiscoveryView{Records: driftSet(records)}, true
		}
	case KindTaskDefinition:
		if p, ok := driftProps[TaskDefinitionProps](props); ok {
			if p.ExternalImages {
				// A pipeline's revision: its images are the pipeline's, and
				// so are its tags (a pipeline rendering a revision from
				// DescribeTaskDefinition drops them).
				q := withoutImages(p)
				q.Tags = nil
				return driftTaskDefinitionView{Spec: driftTaskDefinition(q), Tags: driftUserTags(nil)}, true
			}
			return driftTaskDefinitionView{Spec: driftTaskDefinition(p), Tags: driftUserTags(p.Tags)}, true
		}
	case KindECSService:
		if p, ok := driftProps[ServiceProps](props); ok {
			return driftECSService(p), true
		}
	case KindScalableTarget:
		if p, ok := driftProps[ScalableTargetProps](props); ok {
			return driftScalableTargetView{ResourceID: p.ResourceID, Min: p.MinCapacity, Max: p.MaxCapacity}, true
		}
	case KindScalingPolicy:
		if p, ok := driftProps[ScalingPolicyProps](props); ok {
			return driftScalingPolicyView{
				Name: p.Name, ResourceID: p.ResourceID, Metric: p.MetricType, Target: p.TargetValue,
				Label: p.ResourceLabel(), ScaleIn: p.ScaleInCooldown, ScaleOut: p.ScaleOutCooldown,
			}, true
		}
	case KindScheduledAction:
		if p, ok := driftProps[ScheduledActionProps](props); ok {
			return driftScheduledActionView{
				Name: p.Name, ResourceID: p.ResourceID, Schedule: p.Schedule, Timezone: driftOr(p.Timezone, DefaultScheduleTimezone),
				Min: p.MinCapacity, Max: p.MaxCapacity,
			}, true
		}
	case KindECSCluster:
		if p, ok := driftProps[ClusterProps](props); ok {
			return driftClusterView{
				Providers: driftSet(p.CapacityProviders), Strategy: driftStrategyKey(p.DefaultStrategy),
				Insights: driftOr(p.ContainerInsights, "disabled"), Tags: driftUserTags(p.Tags),
			}, true
		}
	case KindPrivateDNSNamespace, KindHTTPNamespace:
		if p, ok := driftProps[NamespaceProps](props); ok {
			return driftNamespaceView{Name: p.Name, Type: p.Type, Description: p.Description}, true
		}
	case KindSecurityGroup:
		if p, ok := driftProps[SecurityGroupProps](props); ok {
			return driftSecurityGroupView{
				Name: p.Name, Description: p.Description, VpcID: p.VpcID,
				Ingress: driftRuleAtoms(p.Ingress), Egress: driftRuleAtoms(p.Egress), Tags: driftUserTags(p.Tags),
			}, true
		}
	case KindLoadBalancer:
		if p, ok := driftProps[LoadBalancerProps](props); ok {
			return driftLoadBalancerView{
				Name: p.Name, Internal: p.Internal, Subnets: driftSet(p.Subnets), SecurityGroups: driftSet(p.SecurityGroups),
				IPAddressType: driftOr(p.IPAddressType, "ipv4"), IdleTimeout: driftOrInt(p.IdleTimeout, DefaultIdleTimeout),
				DropInvalidHeaderFields: p.DropInvalidHeaderFields,
			}, true
		}
	case KindListener:
		if p, ok := driftProps[ListenerProps](props); ok {
			v := driftListenerView{Port: p.Port, Protocol: p.Protocol, CertificateARN: p.CertificateARN, Action: driftListenerAction(p.DefaultAction)}
			if p.Protocol == "HTTPS" {
				v.SSLPolicy = p.SSLPolicy
			}
			return v, true
		}
	}
	return nil, false
}

// driftProps returns props as a non-nil *T.
func driftProps[T any](props any) (*T, bool) {
	p, ok := props.(*T)
	return p, ok && p != nil
}

// ---------------------------------------------------------------------------
// Drift views, one per kind. Every slice is normalized (sorted, distinct,
// never nil) and every map is non-nil. The JSON shapes must not change: a
// change makes every recorded fingerprint differ (drift on the next plan).

type driftRoleView struct {
	AssumeRolePolicy   string            `json:"assume_role_policy"`
	Path               string            `json:"path"`
	Description        string            `json:"description"`
	MaxSessionDuration int32             `json:"max_session_duration"`
	Tags               map[string]string `json:"tags"`
}

// iamDefaultMaxSessionDuration is what IAM applies to a role created
// without one.
const iamDefaultMaxSessionDuration = 3600

func driftRole(p *RoleProps) driftRoleView {
	session := p.MaxSessionDuration
	if session <= 0 {
		session = iamDefaultMaxSessionDuration
	}
	return driftRoleView{
		AssumeRolePolicy: driftCanonicalPolicy(p.AssumeRolePolicy), Path: driftOr(p.Path, "/"), Description: p.Description,
		MaxSessionDuration: session, Tags: driftUserTags(p.Tags),
	}
}

type driftRolePolicyView struct {
	Policy string `json:"policy"`
}

type driftLogGroupView struct {
	RetentionDays int32  `json:"retention_days"` // 0: never expire
	KMSKeyID      string `json:"kms_key_id"`
}

type driftRepositoryView struct {
	ImageTagMutability string `json:"image_tag_mutability"`
	ScanOnPush         bool   `json:"scan_on_push"`
}

type driftHealthCheckView struct {
	Enabled   bool   `json:"enabled"`
	Path      string `json:"path"`
	Port      string `json:"port"`
	Protocol  string `json:"protocol"`
	Matcher   string `json:"matcher"`
	Interval  int32  `json:"interval"`
	Timeout   int32  `json:"timeout"`
	Healthy   int32  `json:"healthy_threshold"`
	Unhealthy int32  `json:"unhealthy_threshold"`
}

type driftTargetGroupView struct {
	Port        int32                `json:"port"`
	Protocol    string               `json:"protocol"`
	HealthCheck driftHealthCheckView `json:"health_check"`
}

func driftTargetGroup(p *TargetGroupProps) driftTargetGroupView {
	hc := p.HealthCheck
	return driftTargetGroupView{
		Port: p.Port, Protocol: driftOr(p.Protocol, "HTTP"),
		HealthCheck: driftHealthCheckView{
			// The zero health check is how a handler reports a disabled one.
			Enabled: hc != TargetGroupHealthCheck{},
			Path:    hc.Path, Port: hc.Port, Protocol: hc.Protocol, Matcher: hc.Matcher,
			Interval: hc.IntervalSeconds, Timeout: hc.TimeoutSeconds, Healthy: hc.HealthyThreshold, Unhealthy: hc.UnhealthyThreshold,
		},
	}
}

type driftListenerRuleView struct {
	PathPatterns []string `json:"path_patterns"`
	HostHeaders  []string `json:"host_headers"`
	Other        []string `json:"other_conditions"` // conditions the composite does not manage (none in props)
	Actions      []string `json:"actions"`
	Priority     string   `json:"priority,omitempty"` // explicit priorities only
}

func driftListenerRule(p *ListenerRuleProps) driftListenerRuleView {
	v := driftListenerRuleView{
		PathPatterns: driftSet(p.PathPatterns), HostHeaders: driftSet(p.HostHeaders), Other: []string{},
		Actions: []string{driftForwardAtom([]string{p.TargetGroupARN})},
	}
	if p.Priority != 0 {
		v.Priority = strconv.Itoa(int(p.Priority))
	}
	return v
}

// driftForwardAtom is one forward action: its target groups, as a set.
func driftForwardAtom(targetGroups []string) string {
	b, _ := json.Marshal(driftSet(targetGroups))
	return "forward:" + string(b)
}

type driftDiscoveryView struct {
	Records []string `json:"records"` // "<type>:<ttl>"
}

type driftTaskDefinitionView struct {
	Spec driftTaskDefSpec  `json:"spec"`
	Tags map[string]string `json:"tags"`
}

// driftTaskDefSpec is the normalized task definition (the fields are
// rendered by their Go names, as the handler's comparison did).
type driftTaskDefSpec struct {
	Family, CPU, Memory, NetworkMode string
	ExecutionRole, TaskRole          string
	OS, Arch                         string
	Compatibilities                  []string
	Containers                       []driftContainerSpec
}

type driftContainerSpec struct {
	Name, Image          string
	Essential, Readonly  bool
	Command, EntryPoint  []string
	Environment, Secrets []KeyValue
	Ports                []int32
	CPU, Memory          int32
	LogDriver            string
	LogOptions           map[string]string
}

// awslogs options of a container's log configuration.
const (
	driftAwslogsGroup        = "awslogs-group"
	driftAwslogsRegion       = "awslogs-region"
	driftAwslogsStreamPrefix = "awslogs-stream-prefix"
)

// driftTaskDefinition normalizes a task definition: defaults filled (awsvpc,
// LINUX, X86_64, Fargate), containers sorted by name, environment and
// secrets sorted by name, empty lists and maps as nil.
func driftTaskDefinition(p *TaskDefinitionProps) driftTaskDefSpec {
	s := driftTaskDefSpec{
		Family:          p.Family,
		CPU:             strconv.Itoa(int(p.CPU)),
		Memory:          strconv.Itoa(int(p.Memory)),
		NetworkMode:     driftOr(p.NetworkMode, "awsvpc"),
		ExecutionRole:   p.ExecutionRoleARN,
		TaskRole:        p.TaskRoleARN,
		OS:              driftOr(p.OperatingSystem, "LINUX"),
		Arch:            driftOr(p.CPUArchitecture, DefaultCPUArchitecture),
		Compatibilities: []string{"FARGATE"},
	}
	for _, cd := range p.Containers {
		c := driftContainerSpec{
			Name: cd.Name, Image: cd.Image, Essential: cd.Essential, Readonly: cd.ReadonlyRootFilesystem,
			Command: driftNilIfEmpty(cd.Command), EntryPoint: driftNilIfEmpty(cd.EntryPoint),
			Environment: driftSortedKeyValues(cd.Environment), Secrets: driftSortedKeyValues(cd.Secrets),
			CPU: cd.CPU, Memory: cd.Memory,
		}
		if cd.Port > 0 {
			c.Ports = []int32{cd.Port}
		}
		if cd.LogGroup != "" {
			c.LogDriver = "awslogs"
			c.LogOptions = map[string]string{driftAwslogsGroup: cd.LogGroup}
			if cd.LogRegion != "" {
				c.LogOptions[driftAwslogsRegion] = cd.LogRegion
			}
			if cd.LogStreamPrefix != "" {
				c.LogOptions[driftAwslogsStreamPrefix] = cd.LogStreamPrefix
			}
		}
		s.Containers = append(s.Containers, c)
	}
	sort.SliceStable(s.Containers, func(i, j int) bool { return s.Containers[i].Name < s.Containers[j].Name })
	return s
}

func driftSortedKeyValues(kvs []KeyValue) []KeyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := append([]KeyValue(nil), kvs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func driftNilIfEmpty(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return ss
}

type driftNetworkView struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"security_groups"`
	AssignPublicIP string   `json:"assign_public_ip"` // ENABLED | DISABLED
}

type driftECSServiceView struct {
	TaskDefinition    string            `json:"task_definition"` // "family:revision"
	DesiredCount      int32             `json:"desired_count"`
	Network           *driftNetworkView `json:"network"`
	LoadBalancers     []string          `json:"load_balancers"`
	ServiceRegistries []string          `json:"service_registries"`
	Tags              map[string]string `json:"tags"`
	// Capacity: the service's own capacity provider strategy (see
	// ObservedView for a service without one).
	Capacity string `json:"capacity,omitempty"`
}

func driftECSService(p *ServiceProps) driftECSServiceView {
	v := driftECSServiceView{
		TaskDefinition: driftLastSegment(p.TaskDefinition), DesiredCount: p.DesiredCount,
		LoadBalancers: []string{}, ServiceRegistries: []string{}, Tags: driftUserTags(p.Tags),
		Capacity: driftStrategyKey(p.CapacityProviderStrategy),
	}
	if v.Capacity == "" && p.LaunchType != "" {
		v.Capacity = "launch type " + p.LaunchType
	}
	if p.Scaling != nil {
		v.DesiredCount = 0 // the scaler's
	}
	if len(p.Subnets) > 0 {
		assign := "DISABLED"
		if p.AssignPublicIP {
			assign = "ENABLED"
		}
		v.Network = &driftNetworkView{Subnets: driftSet(p.Subnets), SecurityGroups: driftSet(p.SecurityGroups), AssignPublicIP: assign}
	}
	for _, lb := range p.LoadBalancers {
		// target group | load balancer name (none for an ALB) | container | port
		v.LoadBalancers = append(v.LoadBalancers, fmt.Sprintf("%s|%s|%s|%d", lb.TargetGroupARN, "", lb.ContainerName, lb.ContainerPort))
	}
	for _, r := range p.ServiceRegistries {
		port := r.ContainerPort
		if port < 0 {
			port = 0
		}
		// registry | container | container port | port (none)
		v.ServiceRegistries = append(v.ServiceRegistries, fmt.Sprintf("%s|%s|%d|%d", r.RegistryARN, r.ContainerName, port, 0))
	}
	sort.Strings(v.LoadBalancers)
	sort.Strings(v.ServiceRegistries)
	return v
}

type driftClusterView struct {
	Providers []string          `json:"capacity_providers"`
	Strategy  string            `json:"strategy"`
	Insights  string            `json:"container_insights"`
	Tags      map[string]string `json:"tags"`
}

// driftStrategyKey is a canonical rendering of a strategy (order-insensitive).
func driftStrategyKey(items []CapacityProviderStrategyItem) string {
	parts := make([]string, 0, len(items))
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%s:%d:%d", it.CapacityProvider, it.Weight, it.Base))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

type driftNamespaceView struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

type driftSecurityGroupView struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	VpcID       string            `json:"vpc_id"`
	Ingress     []string          `json:"ingress"`
	Egress      []string          `json:"egress"`
	Tags        map[string]string `json:"tags"`
}

// driftRuleAtoms renders rules as canonical one-source atoms
// "<protocol>|<from>|<to>|<4:cidr | 6:cidr | sg:id>", sorted and distinct,
// so that rules AWS reports split or merged differently compare equal.
// Descriptions are not part of an atom.
func driftRuleAtoms(rules []SecurityGroupRule) []string {
	var atoms []string
	for _, r := range rules {
		proto, from, to := strings.ToLower(r.Protocol), r.FromPort, r.ToPort
		if proto == "-1" || proto == "all" || proto == "" {
			proto, from, to = "-1", 0, 0
		}
		prefix := fmt.Sprintf("%s|%d|%d|", proto, from, to)
		for _, c := range r.CIDRBlocks {
			atoms = append(atoms, prefix+"4:"+c)
		}
		for _, c := range r.IPv6CIDRBlocks {
			atoms = append(atoms, prefix+"6:"+c)
		}
		if r.SourceSecurityGroupID != "" {
			atoms = append(atoms, prefix+"sg:"+r.SourceSecurityGroupID)
		}
	}
	return driftSet(atoms)
}

type driftLoadBalancerView struct {
	Name                    string   `json:"name"`
	Internal                bool     `json:"internal"`
	Subnets                 []string `json:"subnets"`
	SecurityGroups          []string `json:"security_groups"`
	IPAddressType           string   `json:"ip_address_type"`
	IdleTimeout             int32    `json:"idle_timeout"`
	DropInvalidHeaderFields bool     `json:"drop_invalid_header_fields"`
}

type driftListenerView struct {
	Port           int32          `json:"port"`
	Protocol       string         `json:"protocol"`
	CertificateARN string         `json:"certificate_arn,omitempty"`
	SSLPolicy      string         `json:"ssl_policy,omitempty"` // HTTPS only
	Action         ListenerAction `json:"action"`
}

// driftListenerAction keeps the fields of a default action the composite
// manages.
func driftListenerAction(a ListenerAction) ListenerAction {
	out := ListenerAction{Type: a.Type, StatusCode: a.StatusCode}
	switch a.Type {
	case "fixed-response":
		out.ContentType, out.MessageBody = a.ContentType, a.MessageBody
	case "redirect":
		out.RedirectProtocol, out.RedirectPort = a.RedirectProtocol, a.RedirectPort
	}
	return out
}

// ---------------------------------------------------------------------------
// Normalization helpers

// driftOr returns v, or def when v is "".
func driftOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// driftOrInt returns v, or def when v is 0.
func driftOrInt(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// driftSet returns the distinct non-empty members of ss, sorted (never nil).
func driftSet(ss []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// driftUserTags drops the tags AWS reserves ("aws:" prefix); never nil.
func driftUserTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "aws:") {
			out[k] = v
		}
	}
	return out
}

// driftLastSegment returns what follows the last "/" of s (s itself
// without one): the family:revision of a task definition ARN.
func driftLastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// ---------------------------------------------------------------------------
// Canonical IAM policy documents

// driftPolicyScalarKeys are the policy elements whose value is a single
// string; every other string value may equally be written as a one-element
// list.
var driftPolicyScalarKeys = map[string]bool{"Version": true, "Id": true, "Sid": true, "Effect": true}

// driftCanonicalPolicy returns a canonical JSON form of an IAM policy
// document, so that documents IAM treats as the same hash the same:
// URL-decoded (as IAM returns them), statements in a sorted order, a single
// value written as a one-element list, lists of values sorted and made
// distinct, numbers and booleans as strings, object keys sorted. A document
// that does not parse is returned as is.
func driftCanonicalPolicy(doc string) string {
	if doc == "" {
		return ""
	}
	v, ok := driftParsePolicy(doc)
	if !ok {
		return doc
	}
	return driftCanonicalJSON(driftCanonicalPolicyValue("", v))
}

// driftParsePolicy parses doc as JSON, URL-decoding it first when it is not
// JSON as it stands (GetRole and GetRolePolicy return RFC 3986-encoded text).
func driftParsePolicy(doc string) (any, bool) {
	parse := func(s string) (any, bool) {
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil || d.More() {
			return nil, false
		}
		return v, true
	}
	if v, ok := parse(doc); ok {
		return v, true
	}
	for _, unescape := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if s, err := unescape(doc); err == nil {
			if v, ok := parse(s); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// driftCanonicalPolicyValue normalizes v, the value of the element named key.
func driftCanonicalPolicyValue(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = driftCanonicalPolicyValue(k, e)
		}
		if key == "Statement" {
			return []any{out}
		}
		return out
	case []any:
		var scalars []string
		var others []any
		for _, e := range t {
			switch n := driftCanonicalPolicyValue(key, e).(type) {
			case []any: // a scalar turned into a one-element list
				for _, s := range n {
					if str, ok := s.(string); ok {
						scalars = append(scalars, str)
					} else {
						others = append(others, s)
					}
				}
			default:
				others = append(others, n)
			}
		}
		out := make([]any, 0, len(t))
		for _, s := range driftSet(scalars) {
			out = append(out, s)
		}
		sort.SliceStable(others, func(i, j int) bool { return driftCanonicalJSON(others[i]) < driftCanonicalJSON(others[j]) })
		return append(out, others...)
	case nil:
		return nil
	}
	s := driftScalarString(v)
	if driftPolicyScalarKeys[key] {
		return s
	}
	return []any{s}
}

func driftScalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}

// driftCanonicalJSON marshals v with sorted object keys and no HTML
// escaping.
func driftCanonicalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n"))
}

// The scaler's drift views: what one Describe call per child returns. The
// target's tags are left out (Application Auto Scaling returns them only
// through ListTagsForResource), as are the references that only order the
// children (the service ARN, the target id).
type driftScalableTargetView struct {
	ResourceID string `json:"resource_id"`
	Min        int32  `json:"min"`
	Max        int32  `json:"max"`
}

type driftScalingPolicyView struct {
	Name       string `json:"name"`
	ResourceID string `json:"resource_id"`
	Metric     string `json:"metric"`
	Target     int64  `json:"target_value"`
	Label      string `json:"resource_label"`
	ScaleIn    int32  `json:"scale_in_cooldown"`
	ScaleOut   int32  `json:"scale_out_cooldown"`
}

type driftScheduledActionView struct {
	Name       string `json:"name"`
	ResourceID string `json:"resource_id"`
	Schedule   string `json:"schedule"`
	Timezone   string `json:"timezone"`
	Min        *int32 `json:"min,omitempty"`
	Max        *int32 `json:"max,omitempty"`
}
