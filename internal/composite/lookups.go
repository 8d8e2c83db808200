package composite

import (
	"strconv"
	"strings"
)

// Discovery plans: which children to look for, and where, when a composite
// has no record of them (an import, or a state that lost its private data).
//
// ServiceLookups and ClusterLookups are called in waves: first with nothing
// observed, then each time with everything observed so far. They return the
// lookups of the children not looked up yet whose location is now known;
// an empty result ends the discovery. A child counts as looked up when obs
// holds its key: the caller records a child that was not found as an
// Observed with nil Props (or drops the keys it already asked for: a
// child's Lookup is the same in every wave that returns it).
//
// OwnedOnly is set where the child is found by its deterministic name or by
// a search (the ECS service, the repository, the listener rule, and the
// roles and log group when no observed child names them; every child of the
// cluster but the ECS cluster): such an object must carry the composite's
// ownership tags. A child found through a reference of an observed child of
// ours (the task definition the ECS service runs, its roles and log group,
// the target group and Cloud Map service it registers with) is ours by that
// reference, as the import always treated it; inline policies are not
// taggable.

// LookupLoadBalancerARN scopes a listener lookup to its load balancer (the
// handler lists that load balancer's listeners and matches the port of the
// lookup's Name, "<PROTOCOL>:<port>", and the ownership tags).
const LookupLoadBalancerARN = "load_balancer_arn"

// ServiceLookups returns the next lookups of the service composite
// cluster/name given the children observed so far (keyed by child key):
//   - first the ECS service, the anchor: by name in the cluster (Name,
//     Scope[LookupCluster]), ours only;
//   - from the ECS service: the task definition it runs (ID: the task
//     definition ARN; Name: the family), its target group (ID:
//     LoadBalancers[0].TargetGroupARN) and Cloud Map service (ID:
//     ServiceRegistries[0].RegistryARN);
//   - from the task definition: the execution and task roles (Name: the
//     last segment of the role ARN, ID: the ARN; the deterministic role name
//     when the definition names none), their inline policies (Name and ID:
//     "<role>:<policy name>", the inline policy's id), the log group the
//     containers log to (Name; the deterministic name when none does) and the
//     repository (its deterministic name; ours only);
//   - from the target group: the listener rule that forwards to it, ours
//     only (Scope[LookupTargetGroupARN]: the handler searches the rules of
//     the listeners of the target group's load balancer).
//
// When the ECS service was looked up and not found, only the children with a
// deterministic name are looked for (the roles and their policies, the log
// group, the repository; ours only): an import stops at the missing anchor,
// a teardown by rediscovery finds what is left.
func ServiceLookups(cluster, name string, env Env, obs map[string]Observed) []Lookup {
	clusterName := ClusterName(cluster)
	owner := ServiceID(clusterName, name)
	var out []Lookup
	add := func(q Lookup) {
		if _, done := obs[q.Key]; !done {
			q.Owner = owner
			out = append(out, q)
		}
	}

	serviceObs, looked := obs[KeyService]
	if !looked {
		add(Lookup{Key: KeyService, Kind: KindECSService, Name: ECSServiceName(name), Scope: map[string]string{LookupCluster: clusterName}, OwnedOnly: true})
		return out
	}
	svc, _ := serviceObs.Props.(*ServiceProps)

	// From the ECS service's references.
	tdLooked := false
	if svc != nil {
		if svc.TaskDefinition != "" {
			add(Lookup{Key: KeyTaskDefinition, Kind: KindTaskDefinition, Name: TaskFamily(clusterName, name), ID: svc.TaskDefinition})
			_, tdLooked = obs[KeyTaskDefinition]
		} else {
			tdLooked = true // nothing to look up: the children below by their deterministic names
		}
		if len(svc.LoadBalancers) > 0 && svc.LoadBalancers[0].TargetGroupARN != "" {
			add(Lookup{Key: KeyTargetGroup, Kind: KindTargetGroup, ID: svc.LoadBalancers[0].TargetGroupARN})
		}
		if len(svc.ServiceRegistries) > 0 && svc.ServiceRegistries[0].RegistryARN != "" {
			add(Lookup{Key: KeyDiscoveryService, Kind: KindDiscoveryService, ID: svc.ServiceRegistries[0].RegistryARN})
		}
		// The scaler of the service, by its resource id, and its
		// target-tracking policies by their names.
		rid := ScalingResourceID(clusterName, name)
		add(Lookup{Key: KeyScalableTarget, Kind: KindScalableTarget, Name: rid, ID: rid})
		if _, ok := obs[KeyScalableTarget]; ok && obs[KeyScalableTarget].Props != nil {
			for _, k := range ScalingPolicyKeys {
				add(Lookup{Key: k.Key, Kind: KindScalingPolicy, Name: ScalingPolicyName(k.Metric), ID: rid})
			}
		}
	}

	// From the task definition (or by deterministic names without it).
	if tdLooked || svc == nil {
		var td *TaskDefinitionProps
		if svc != nil {
			td = observedProps[TaskDefinitionProps](obs, KeyTaskDefinition)
		}
		for _, r := range []struct {
			key, policyKey, policyName, name string
			arn                              func(*TaskDefinitionProps) string
		}{
			{KeyExecutionRole, KeyExecutionRolePolicy, ExecutionPolicyName, ExecutionRoleName(clusterName, name),
				func(p *TaskDefinitionProps) string { return p.ExecutionRoleARN }},
			{KeyTaskRole, KeyTaskRolePolicy, TaskPolicyName, TaskRoleName(clusterName, name),
				func(p *TaskDefinitionProps) string { return p.TaskRoleARN }},
		} {
			role := Lookup{Key: r.key, Kind: KindIAMRole, Name: r.name, OwnedOnly: true}
			if td != nil {
				if arn := r.arn(td); arn != "" {
					role = Lookup{Key: r.key, Kind: KindIAMRole, Name: driftLastSegment(arn), ID: arn}
				}
			}
			add(role)
			id := RolePolicyID(role.Name, r.policyName)
			add(Lookup{Key: r.policyKey, Kind: KindIAMRolePolicy, Name: id, ID: id})
		}
		logGroup := Lookup{Key: KeyLogGroup, Kind: KindLogGroup, Name: LogGroupName(clusterName, name), OwnedOnly: true}
		if td != nil {
			for _, c := range td.Containers {
				if c.LogGroup != "" {
					logGroup = Lookup{Key: KeyLogGroup, Kind: KindLogGroup, Name: c.LogGroup}
					break
				}
			}
		}
		add(logGroup)
		add(Lookup{Key: KeyRepository, Kind: KindECRRepository, Name: RepositoryName(clusterName, name), OwnedOnly: true})
	}

	// From the target group: the rule that forwards to it.
	if tgObs, ok := obs[KeyTargetGroup]; ok && tgObs.Props != nil && svc != nil {
		tgARN := tgObs.Outputs[AttrARN]
		if tgARN == "" && len(svc.LoadBalancers) > 0 {
			tgARN = svc.LoadBalancers[0].TargetGroupARN
		}
		add(Lookup{Key: KeyListenerRule, Kind: KindListenerRule, OwnedOnly: true, Scope: map[string]string{
			LookupTargetGroupARN: tgARN, LookupPriorityHint: strconv.Itoa(int(ListenerRulePriorityHint(owner)))}})
	}
	return out
}

// ClusterLookups returns the next lookups of the cluster composite name
// given the children observed so far (keyed by child key):
//   - first the ECS cluster, the anchor, by name. It is not OwnedOnly: an
//     import adopts the cluster of that name whatever its tags. A caller
//     that deletes by rediscovery sets OwnedOnly on it (a cluster that is
//     not ours must never be taken);
//   - then the Cloud Map namespace (by the ownership tags: its name is the
//     configuration's; Kind is KindPrivateDNSNamespace, the record found
//     carries the namespace's own kind), the two security groups (Name: the
//     deterministic SecurityGroupName; no Scope[LookupVpcID]: nothing
//     observed before them tells the VPC, so the handler searches by the
//     ownership tags and the name, in any VPC) and the load balancer (Name:
//     LoadBalancerName), all ours only;
//   - from the load balancer: its HTTP and HTTPS listeners
//     (Scope[LookupLoadBalancerARN], Name "<PROTOCOL>:<port>"), ours only.
//
// The children after the anchor are looked for whether or not the ECS
// cluster was found (they are found only when they carry the ownership
// tags): an import stops at a missing anchor, a teardown by rediscovery
// finds what is left, as DiscoverCluster did.
func ClusterLookups(name string, env Env, obs map[string]Observed) []Lookup {
	owner := ClusterID(name)
	var out []Lookup
	add := func(q Lookup) {
		if _, done := obs[q.Key]; !done {
			q.Owner = owner
			out = append(out, q)
		}
	}
	if _, looked := obs[KeyCluster]; !looked {
		add(Lookup{Key: KeyCluster, Kind: KindECSCluster, Name: name})
		return out
	}

	// The kind is refined by the handler to the namespace's type.
	add(Lookup{Key: KeyNamespace, Kind: KindPrivateDNSNamespace, OwnedOnly: true})
	for _, sg := range []struct{ key, suffix string }{
		{KeyServiceSecurityGroup, ServiceSecurityGroupSuffix},
		{KeyLoadBalancerSecurityGroup, LoadBalancerSecurityGroupSuffix},
	} {
		add(Lookup{Key: sg.key, Kind: KindSecurityGroup, Name: SecurityGroupName(name, sg.suffix), OwnedOnly: true})
	}
	add(Lookup{Key: KeyLoadBalancer, Kind: KindLoadBalancer, Name: LoadBalancerName(name), OwnedOnly: true})

	if lb, ok := obs[KeyLoadBalancer]; ok && lb.Props != nil && lb.Outputs[AttrARN] != "" {
		scope := func() map[string]string { return map[string]string{LookupLoadBalancerARN: lb.Outputs[AttrARN]} }
		add(Lookup{Key: KeyHTTPListener, Kind: KindListener, Name: ListenerName("HTTP", HTTPPort), Scope: scope(), OwnedOnly: true})
		add(Lookup{Key: KeyHTTPSListener, Kind: KindListener, Name: ListenerName("HTTPS", HTTPSPort), Scope: scope(), OwnedOnly: true})
	}
	return out
}

// RolePolicyID is the id of an inline role policy: "<role>:<policy name>".
func RolePolicyID(role, policy string) string { return role + ":" + policy }

// ParseRolePolicyID splits an inline role policy id "<role>:<policy name>"
// (role names have no ":").
func ParseRolePolicyID(id string) (role, policy string, ok bool) {
	role, policy, ok = strings.Cut(id, ":")
	return role, policy, ok && role != "" && policy != ""
}

// ListenerRulePriorityHint is where the listener rule handler starts looking
// for a free priority for the service composite owner when none is
// configured (ListenerRuleProps.PriorityHint). A handler's Find uses it to
// tell an allocated priority (the lowest free one from the hint, given the
// listener's other rules) from an explicit one, and reports Priority 0 in
// the observed props for an allocated one.
func ListenerRulePriorityHint(owner string) int32 { return int32(hashUint32(owner, 50000)) }
