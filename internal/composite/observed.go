package composite

// Observed is one child as AWS reports it, mapped once, by its handler's
// Observe, into the kind's own props type. Everything else that compares AWS
// with the configuration derives from it: the drift fingerprint
// (Fingerprint), import (ServiceSpecFromObserved, ClusterSpecFromObserved)
// and the acceptance tests' leftover checks.
//
// Props is a pointer to the kind's *XxxProps with references resolved
// (ARNs and names instead of ${key.attr}), holding the managed fields only,
// as AWS reports them. Tags are the object's user tags (the ownership tags
// included, the aws: tags left out). A handler fills what one read of the
// object gives; settings that cost extra calls (an ECR lifecycle policy,
// target group attributes, the tags of kinds whose describe call does not
// return them) are filled only when Full is set.
type Observed struct {
	Props   any
	Outputs map[string]string
	// Full reports that Props include the settings that cost extra calls:
	// an import asks for them, a refresh does not.
	Full bool
}

// Lookup asks a kind's handler to find a child that has no record: an
// import, or a state that lost its private data. It is built by the pure
// discovery plans (ServiceLookups, ClusterLookups) from the composite's id and
// the children observed so far.
type Lookup struct {
	Key   string
	Kind  Kind
	Owner string // the containerapp:owner tag value of the composite
	// Name is the child's deterministic physical name, when its kind has
	// one that identifies it (a role, a log group, a repository).
	Name string
	// ID is the ARN (or id) another observed child references (the task
	// definition the ECS service runs, the target group it registers with).
	ID string
	// Scope narrows a search by tags: LookupCluster for an ECS service,
	// LookupListenerARN and LookupTargetGroupARN for a listener rule,
	// LookupNamespaceID for a Cloud Map service, LookupVpcID for a security
	// group.
	Scope map[string]string
	// OwnedOnly: only an object whose ownership tags name Owner and Key is
	// found; one without them is reported as foreign (an error).
	OwnedOnly bool
}

// Lookup scope keys.
const (
	LookupCluster        = "cluster"
	LookupListenerARN    = "listener_arn"
	LookupTargetGroupARN = "target_group_arn"
	LookupNamespaceID    = "namespace_id"
	LookupVpcID          = "vpc_id"
	// LookupPriorityHint (listener rule): the rule's priority hint, so the
	// handler can tell an allocated priority (the lowest free one from the
	// hint) from an explicit one.
	LookupPriorityHint = "priority_hint"
)
