package composite

import (
	"fmt"
	"strings"
)

// Physical names of the service's children. All are deterministic functions
// of the cluster name, the service name and (for the target group) the
// properties a target group cannot change in place. Names that are unique per
// account (IAM roles, ECR repositories, task definition families, target
// groups) include the cluster, or a short hash of the owner id, so two
// services of the same name in different clusters never collide.

// AWS limits on the names we derive.
const (
	MaxRoleNameLength        = 64
	MaxTargetGroupNameLength = 32
	MaxRepositoryNameLength  = 256
	MaxLogGroupNameLength    = 512
	MaxFamilyLength          = 255
	MaxServiceNameLength     = 255
	MaxPolicyNameLength      = 128

	ownerHashLength = 8
)

// Inline policy names (scoped to their role).
const (
	ExecutionPolicyName = "containerapp-execution"
	TaskPolicyName      = "containerapp-task"
	// RolePath is the IAM path of both roles, so that the provider's own
	// permissions can be scoped to arn:aws:iam::<account>:role/containerapp/*.
	RolePath = "/containerapp/"
)

// ClusterName returns the cluster name of a cluster name or ECS cluster ARN
// (arn:<p>:ecs:<region>:<account>:cluster/<name>).
func ClusterName(clusterOrARN string) string {
	if !strings.HasPrefix(clusterOrARN, "arn:") {
		return clusterOrARN
	}
	if a, err := parseARN(clusterOrARN); err == nil {
		if name, ok := strings.CutPrefix(a.Resource, "cluster/"); ok {
			return name
		}
	}
	return clusterOrARN[strings.LastIndexAny(clusterOrARN, ":/")+1:]
}

// ServiceID is the resource id and import id: "<cluster name>/<name>". It is
// also the owner id (containerapp:owner tag) of every child.
func ServiceID(cluster, name string) string { return ClusterName(cluster) + "/" + name }

// ParseServiceID splits an import id "<cluster>/<name>". The cluster part may
// be an ECS cluster ARN; the returned cluster is always its name.
func ParseServiceID(id string) (cluster, name string, err error) {
	i := strings.LastIndex(id, "/")
	if i <= 0 || i == len(id)-1 {
		return "", "", fmt.Errorf("invalid service id %q: expected <cluster>/<name>", id)
	}
	cluster, name = ClusterName(id[:i]), id[i+1:]
	if !clusterNameRe.MatchString(cluster) {
		return "", "", fmt.Errorf("invalid service id %q: %q is not an ECS cluster name", id, cluster)
	}
	if len(name) > MaxNameLength || !serviceNameRe.MatchString(name) {
		return "", "", fmt.Errorf("invalid service id %q: %q is not a service name", id, name)
	}
	return cluster, name, nil
}

// ownerHash is the short hash of the owner id used in account-wide names.
func ownerHash(owner string) string { return hashString(owner, ownerHashLength) }

// truncateName cuts s to at most n bytes and trims separators left dangling.
func truncateName(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-_.")
}

// RoleName is an IAM role name: <cluster>-<name>-<suffix>-<hash8>, the
// cluster part truncated to keep it within 64 characters. The hash of the
// owner keeps it unique when the cluster is truncated (or differs only in
// case: IAM names are case-insensitive).
func RoleName(cluster, name, suffix string) string {
	cluster = ClusterName(cluster)
	tail := name + "-" + suffix + "-" + ownerHash(cluster+"/"+name)
	c := truncateName(cluster, MaxRoleNameLength-len(tail)-1)
	if c == "" {
		return truncateName(tail, MaxRoleNameLength)
	}
	return c + "-" + tail
}

// ExecutionRoleName and TaskRoleName are the two roles' names.
func ExecutionRoleName(cluster, name string) string { return RoleName(cluster, name, "exec") }
func TaskRoleName(cluster, name string) string      { return RoleName(cluster, name, "task") }

// LogGroupName is /containerapp/<cluster>/<name>.
func LogGroupName(cluster, name string) string {
	return "/containerapp/" + ClusterName(cluster) + "/" + name
}

// RepositoryName is the ECR repository name <cluster>/<name>. ECR names are
// lowercase with single separators; a cluster name that had to be changed to
// fit (case, repeated separators, length) gets a hash of the original
// appended, so distinct clusters never share a repository.
func RepositoryName(cluster, name string) string {
	cluster = ClusterName(cluster)
	var b strings.Builder
	lastSep := true // drops leading separators
	for _, r := range strings.ToLower(cluster) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			lastSep = false
		case !lastSep:
			if r == '_' || r == '.' {
				b.WriteRune(r)
			} else {
				b.WriteByte('-')
			}
			lastSep = true
		}
	}
	c := strings.TrimRight(b.String(), "-_.")
	room := MaxRepositoryNameLength - len(name) - 1
	if c != cluster || len(c) > room {
		h := hashString(cluster, ownerHashLength)
		c = truncateName(c, room-len(h)-1)
		if c == "" {
			c = h
		} else {
			c += "-" + h
		}
	}
	return c + "/" + name
}

// TaskFamily is the task definition family <cluster>_<name>. Service names
// have no underscore, so the last underscore separates the two parts and
// distinct owners never share a family. A cluster too long to fit is
// truncated and followed by a hash of the owner.
func TaskFamily(cluster, name string) string {
	cluster = ClusterName(cluster)
	if len(cluster)+1+len(name) <= MaxFamilyLength {
		return cluster + "_" + name
	}
	h := ownerHash(cluster + "/" + name)
	return truncateName(cluster, MaxFamilyLength-len(name)-len(h)-2) + "-" + h + "_" + name
}

// TargetGroupKey holds the target group properties that cannot be changed
// in place. They are hashed into the target group's name, so a change gets a
// fresh name and the new group can be created before the old one is deleted.
//
// The VPC is part of it only when network.vpc_id is explicit. Otherwise the
// handler looks it up from a subnet (TargetGroupProps.VPCFromSubnet) when it
// creates the group; which subnet that is must not matter, or adding or
// removing a subnet would replace the target group and redeploy the service.
type TargetGroupKey struct {
	Port            int32  `json:"port"`
	Protocol        string `json:"protocol"`
	ProtocolVersion string `json:"protocol_version"`
	TargetType      string `json:"target_type"`
	VpcID           string `json:"vpc_id,omitempty"`
}

// TargetGroupName is <name>-<hash8> within 32 characters; the hash covers
// the owner id and k. ELBv2 forbids names starting with "internal-".
func TargetGroupName(cluster, name string, k TargetGroupKey) string {
	h := hashString(ServiceID(cluster, name)+"|"+marshalCanonical(k), ownerHashLength)
	base := name
	if strings.HasPrefix(base, "internal-") {
		base = "svc-" + base
	}
	base = truncateName(base, MaxTargetGroupNameLength-len(h)-1)
	if base == "" {
		return "tg-" + h
	}
	return base + "-" + h
}

// DiscoveryServiceName is the Cloud Map service name: the service name (the
// DNS label clients resolve inside the namespace).
func DiscoveryServiceName(name string) string { return name }

// ECSServiceName is the ECS service name: the service name.
func ECSServiceName(name string) string { return name }

// ListenerRuleName is the display name of a listener rule (rules have no name
// in AWS): <name>-rule-<hash8 of the listener ARN>. A rule moved to another
// listener gets another name, so it is created before the old one is deleted.
func ListenerRuleName(name, listenerARN string) string {
	return name + "-rule-" + hashString(listenerARN, ownerHashLength)
}

// ListenerARNOfRule derives the listener ARN from a listener rule ARN
// (…:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id>).
func ListenerARNOfRule(ruleARN string) string {
	s := strings.Replace(ruleARN, ":listener-rule/", ":listener/", 1)
	if i := strings.LastIndex(s, "/"); i > 0 {
		return s[:i]
	}
	return s
}

// NameScope returns the scope within which c's physical name must be unique,
// besides its kind: the namespace id of a Cloud Map service, the listener ARN
// of a listener rule, the VPC id of a security group, and "" for kinds whose
// names are unique per account and region. c's props should be resolved (a
// reference is compared as written). Two children whose names clash have the
// same Kind, Name and NameScope.
func NameScope(c Child) string {
	switch p := c.Props.(type) {
	case *DiscoveryServiceProps:
		return p.NamespaceID
	case *ListenerRuleProps:
		return p.ListenerARN
	case *SecurityGroupProps:
		return p.VpcID
	}
	return ""
}

// RecordedNameScope returns the name scope of a recorded child: its
// NameScope, else what its ARN tells (a listener rule's ARN names its
// listener). known is false when the kind has scoped names and the record
// does not say which scope (a record from before NameScope was kept, or
// rebuilt by an import).
func RecordedNameScope(r Recorded) (scope string, known bool) {
	if r.NameScope != "" || !hasNameScope(r.Kind) {
		return r.NameScope, true
	}
	if r.Kind == KindListenerRule && strings.Contains(r.ARN, ":listener-rule/") {
		return ListenerARNOfRule(r.ARN), true
	}
	return "", false
}

// NamesClash reports whether c (with resolved props) cannot be created while
// the recorded prev still exists because they would share a physical name:
// same kind, same name and same name scope. Task definitions never clash (a
// family holds any number of revisions). An unknown recorded scope counts as
// the same scope (the engine then deletes prev first, the conservative
// choice: creating first into the same scope would fail on the name).
func NamesClash(prev Recorded, c Child) bool {
	if prev.Kind != c.Kind || c.Kind == KindTaskDefinition {
		return false
	}
	// Two rules on one listener clash on their priority whatever their
	// names: a rule with the same explicit priority cannot be created first.
	if p, ok := c.Props.(*ListenerRuleProps); ok && p.Priority != 0 && prev.Outputs[AttrPriority] == fmt.Sprint(p.Priority) {
		if scope, known := RecordedNameScope(prev); !known || scope == NameScope(c) {
			return true
		}
	}
	if prev.Name != c.Name {
		return false
	}
	scope, known := RecordedNameScope(prev)
	return !known || scope == NameScope(c)
}

// ---------------------------------------------------------------------------
// Names of the cluster's children

// AWS limits on the cluster's derived names.
const (
	MaxLoadBalancerNameLength  = 32
	MaxSecurityGroupNameLength = 255
	MaxSecurityGroupDescLength = 255
)

// Suffixes of the two security groups' names.
const (
	LoadBalancerSecurityGroupSuffix = "load-balancer"
	ServiceSecurityGroupSuffix      = "services"
)

// ClusterID is the resource id, import id and owner id (containerapp:owner
// tag) of a cluster composite: its name. Service owner ids always contain a
// "/", cluster names never do, so the two never collide.
func ClusterID(name string) string { return name }

// ParseClusterID checks an import id: an ECS cluster name or ARN. The
// returned id is the name.
func ParseClusterID(id string) (string, error) {
	name := ClusterName(id)
	if !clusterNameRe.MatchString(name) {
		return "", fmt.Errorf("invalid cluster id %q: expected an ECS cluster name (1 to 255 letters, digits, hyphens and underscores)", id)
	}
	return name, nil
}

// LoadBalancerName is the ALB name: <cluster>-alb when the cluster name is
// already a valid, lowercase ALB name prefix; otherwise the cluster name
// lowercased, reduced to letters, digits and single hyphens, truncated and
// followed by a hash of the original, so distinct clusters never share a
// load balancer (ALB names are unique per region, case-insensitively, at
// most 32 characters, and may not start with "internal-").
func LoadBalancerName(cluster string) string {
	const suffix = "-alb"
	var b strings.Builder
	lastSep := true
	for _, r := range strings.ToLower(cluster) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			lastSep = false
		case !lastSep:
			b.WriteByte('-')
			lastSep = true
		}
	}
	base := strings.TrimRight(b.String(), "-")
	if base == cluster && len(base)+len(suffix) <= MaxLoadBalancerNameLength && !strings.HasPrefix(base, "internal-") {
		return base + suffix
	}
	h := hashString("cluster|"+cluster, ownerHashLength)
	if base == "internal" || strings.HasPrefix(base, "internal-") {
		base = "lb-" + base
	}
	base = truncateName(base, MaxLoadBalancerNameLength-len(suffix)-len(h)-1)
	if base == "" {
		return "c-" + h + suffix
	}
	return base + "-" + h + suffix
}

// SecurityGroupName is <cluster>-<suffix>. Group names are unique per VPC,
// at most 255 characters and may not start with "sg-": such cluster names
// get a "cluster-" prefix, and a name too long is truncated and followed by a
// hash of the cluster name.
func SecurityGroupName(cluster, suffix string) string {
	base := cluster
	if strings.HasPrefix(strings.ToLower(base), "sg-") {
		base = "cluster-" + base
	}
	if len(base)+1+len(suffix) <= MaxSecurityGroupNameLength {
		return base + "-" + suffix
	}
	h := hashString("cluster|"+cluster, ownerHashLength)
	return truncateName(base, MaxSecurityGroupNameLength-len(suffix)-len(h)-2) + "-" + h + "-" + suffix
}

// ListenerName is the name a listener shows in the resources map
// (listeners have no name in AWS): "<PROTOCOL>:<port>".
func ListenerName(protocol string, port int32) string { return fmt.Sprintf("%s:%d", protocol, port) }

// securityGroupDescription is the (immutable) description of a group.
func securityGroupDescription(what, cluster string) string {
	d := what + " of containerapp cluster " + cluster
	if len(d) > MaxSecurityGroupDescLength {
		d = d[:MaxSecurityGroupDescLength]
	}
	return d
}
