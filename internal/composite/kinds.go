package composite

// KindInfo holds the facts about one child kind that do not depend on a
// particular child. Adding a kind means: an entry here, a builder in its
// expander, a handler, their tests.
type KindInfo struct {
	// Outputs are the output attributes a handler of the kind returns, i.e.
	// what a ${key.attr} reference to such a child may name, and what a
	// record's Outputs keep.
	Outputs []string
	// Taggable: children of the kind carry tags (the ownership tags
	// included). Inline role policies do not.
	Taggable bool
	// ARNChangesOnUpdate: an in-place update may give the child a new
	// identity (a task definition registers a new revision). See
	// ARNChangesOnUpdate.
	ARNChangesOnUpdate bool
	// TeardownRank orders deletion: lower ranks are deleted first; children
	// of the same rank are deleted concurrently. See TeardownRank.
	TeardownRank int
	// NameScoped: names are unique per scope (a Cloud Map namespace, a
	// listener, a VPC; see NameScope), not per account and region.
	NameScoped bool
	// Record fills the kind-specific typed fields of a record (Cluster,
	// ForceDelete, PriorityExplicit) from the child's resolved applied
	// props; nil when the kind needs none. See RecordFacts.
	Record func(props any, r *Recorded)
}

// unknownTeardownRank is the rank of a kind missing from Kinds: deleted
// last.
const unknownTeardownRank = 7

// Kinds is the table of per-kind facts, one entry per Kind constant (the
// service's kinds in types.go, the cluster's in cluster_props.go).
//
// Teardown order. For the service: ECS service -> listener rule -> target
// group -> discovery service -> task definition -> log group, repository,
// role policies -> roles. For the cluster: listeners -> load balancer ->
// security groups -> namespace -> ECS cluster (the two security groups share
// a rank; the handler retries the DependencyViolation of the load balancer's
// group while the services' group still references it). A service's listener
// rule goes before the cluster's listener.
var Kinds = map[Kind]KindInfo{
	// containerapp_service
	KindIAMRole: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		Taggable:     true,
		TeardownRank: 6,
	},
	KindIAMRolePolicy: {
		Outputs:      []string{AttrID, AttrName},
		TeardownRank: 5,
	},
	KindLogGroup: {
		// arn is the log group ARN without the trailing ":*".
		Outputs:      []string{AttrARN, AttrName},
		Taggable:     true,
		TeardownRank: 5,
	},
	KindECRRepository: {
		Outputs:      []string{AttrARN, AttrName, AttrURL},
		Taggable:     true,
		TeardownRank: 5,
		Record: func(props any, r *Recorded) {
			if p, ok := props.(*RepositoryProps); ok && p != nil {
				r.ForceDelete = p.ForceDelete
			}
		},
	},
	KindTargetGroup: {
		Outputs:      []string{AttrARN, AttrName},
		Taggable:     true,
		TeardownRank: 2,
	},
	KindListenerRule: {
		Outputs:      []string{AttrARN, AttrPriority},
		Taggable:     true,
		TeardownRank: 1,
		NameScoped:   true,
		Record: func(props any, r *Recorded) {
			if p, ok := props.(*ListenerRuleProps); ok && p != nil {
				r.PriorityExplicit = Ptr(p.Priority != 0)
			}
		},
	},
	KindDiscoveryService: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		Taggable:     true,
		TeardownRank: 3,
		NameScoped:   true,
	},
	KindTaskDefinition: {
		Outputs:            []string{AttrARN, AttrName, AttrRevision}, // name: the family
		Taggable:           true,
		ARNChangesOnUpdate: true,
		TeardownRank:       4,
		Record: func(props any, r *Recorded) {
			if p, ok := props.(*TaskDefinitionProps); ok && p != nil {
				r.ExternalImages = p.ExternalImages
			}
		},
	},
	KindECSService: {
		Outputs:      []string{AttrARN, AttrName},
		Taggable:     true,
		TeardownRank: 0,
		Record: func(props any, r *Recorded) {
			if p, ok := props.(*ServiceProps); ok && p != nil {
				r.Cluster = p.Cluster
				r.Autoscaled = p.Scaling != nil
				r.OwnCapacity = len(p.CapacityProviderStrategy) > 0
			}
		},
	},
	// The scaler: deleted before the ECS service (policies and scheduled
	// actions first, then the target). Only the target takes tags, and
	// only when it is registered (RegisterScalableTarget's Tags).
	// id: the scalable target's resource id (a policy and a scheduled
	// action are named within their target).
	// A Put of an existing policy or scheduled action updates it in place
	// (same ARN).
	KindScalingPolicy: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		TeardownRank: -2,
	},
	KindScheduledAction: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		TeardownRank: -2,
	},
	KindScalableTarget: {
		Outputs:      []string{AttrARN, AttrID},
		Taggable:     true,
		TeardownRank: -1,
	},

	// containerapp_cluster
	KindECSCluster: {
		Outputs:      []string{AttrARN, AttrName},
		Taggable:     true,
		TeardownRank: 6,
	},
	KindPrivateDNSNamespace: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		Taggable:     true,
		TeardownRank: 5,
	},
	KindHTTPNamespace: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		Taggable:     true,
		TeardownRank: 5,
	},
	KindSecurityGroup: {
		Outputs:      []string{AttrARN, AttrID, AttrName},
		Taggable:     true,
		TeardownRank: 4,
		NameScoped:   true,
	},
	KindLoadBalancer: {
		Outputs:      []string{AttrARN, AttrName, AttrDNSName, AttrZoneID},
		Taggable:     true,
		TeardownRank: 3,
	},
	KindListener: {
		Outputs:      []string{AttrARN, AttrName},
		Taggable:     true,
		TeardownRank: 2,
	},
}

// RecordFacts fills the kind-specific typed fields of r (Cluster,
// ForceDelete, PriorityExplicit) from the child's resolved applied props,
// when kind k has any (Kinds[k].Record).
func RecordFacts(k Kind, props any, r *Recorded) {
	if rec := Kinds[k].Record; rec != nil {
		rec(props, r)
	}
}

// KindOutputs lists the output attributes a handler of kind k returns, i.e.
// what a ${key.attr} reference to such a child may name (nil for an unknown
// kind).
func KindOutputs(k Kind) []string { return Kinds[k].Outputs }

// ClusterKindOutputs is KindOutputs, for the cluster's kinds.
func ClusterKindOutputs(k Kind) []string { return KindOutputs(k) }

// IsTaggable reports whether children of kind k carry tags (every kind but
// inline role policies).
func IsTaggable(k Kind) bool { return Kinds[k].Taggable }

// ARNChangesOnUpdate reports whether an in-place update of a child of kind k
// may give it a new identity: updating a task definition registers a new
// revision (a new ARN), and the previous revision still exists until it is
// deregistered. The engine deletes the previous one at the end of the apply
// (like a create-before-destroy replacement), and Diff plans an update of
// the children that reference it.
func ARNChangesOnUpdate(k Kind) bool { return Kinds[k].ARNChangesOnUpdate }

// TeardownRank orders deletion: lower ranks are deleted first; children of
// the same rank are deleted concurrently (see Kinds for the order). A kind
// missing from the table is deleted last.
func TeardownRank(k Kind) int {
	if info, ok := Kinds[k]; ok {
		return info.TeardownRank
	}
	return unknownTeardownRank
}

// hasNameScope reports whether NameScope is never empty for kind k.
func hasNameScope(k Kind) bool { return Kinds[k].NameScoped }
