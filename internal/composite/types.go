// Package composite is the pure core of the provider: spec types, defaults,
// validation, naming, Expand(spec) -> Graph and Diff(graph, recorded) -> actions.
//
// It imports only the standard library: no AWS SDK, no plugin framework, no
// context. Everything that can be decided without calling AWS is decided here.
package composite

// Kind names an AWS child type. The values are the hashicorp/aws resource type
// names, so reviewers reading the `resources` map recognise them.
type Kind string

const (
	KindIAMRole          Kind = "aws_iam_role"
	KindIAMRolePolicy    Kind = "aws_iam_role_policy"
	KindLogGroup         Kind = "aws_cloudwatch_log_group"
	KindECRRepository    Kind = "aws_ecr_repository"
	KindTargetGroup      Kind = "aws_lb_target_group"
	KindListenerRule     Kind = "aws_lb_listener_rule"
	KindDiscoveryService Kind = "aws_service_discovery_service"
	KindTaskDefinition   Kind = "aws_ecs_task_definition"
	KindECSService       Kind = "aws_ecs_service"
)

// Output attribute names a handler may return for a child. Every handler
// returns at least AttrARN (or, for kinds without an ARN, AttrID) and AttrName.
const (
	AttrARN      = "arn"
	AttrName     = "name"
	AttrID       = "id"
	AttrURL      = "url"      // ECR repository URI
	AttrPriority = "priority" // listener rule priority actually in use
	AttrRevision = "revision" // task definition revision
)

// Child is one desired AWS object.
//
// String fields of Props may contain references of the form ${key.attr}
// (see Ref); the engine substitutes them with the referenced child's outputs
// just before calling the handler. Dependency edges are derived from them.
type Child struct {
	Key   string // stable logical key, e.g. "execution_role"
	Kind  Kind
	Name  string // deterministic physical name, known at plan time
	Props any    // pointer to the kind's *XxxProps struct below

	// Hash covers every property (references unresolved). A recorded child
	// whose hash differs needs an update.
	Hash string
	// ReplaceHash covers the properties that cannot be changed in place. A
	// recorded child whose replace hash differs (or whose Name differs) is
	// replaced: created anew, dependents updated, the old one deleted.
	ReplaceHash string
	// ReplaceOn lists keys of children whose creation or replacement forces
	// this child's replacement too (e.g. a task definition must be registered
	// anew when its execution role is replaced). A dependency not listed here
	// that is created or replaced only forces an update of this child.
	ReplaceOn []string
	// After lists keys this child must wait for although it references none
	// of their outputs (e.g. the ECS service waits for the execution role's
	// policy, or its tasks would start without permissions).
	After []string `json:",omitempty"`
}

// Graph is the desired expansion of one composite.
type Graph struct {
	Owner    string  // the composite id, value of the containerapp:owner tag
	Children []Child // in a deterministic order
}

// Recorded is what state remembers about one child that exists (or existed)
// in AWS.
type Recorded struct {
	Key     string
	Kind    Kind
	Name    string
	ARN     string            // ARN, or the id for kinds without one
	Outputs map[string]string // everything the handler returned
	// Hash / ReplaceHash of the Child that was last applied successfully. An
	// empty Hash means "unknown or incomplete": the next apply updates it.
	Hash        string
	ReplaceHash string
	// NameScope is NameScope of the child as last created or updated by the
	// engine. Empty for kinds whose names are unique per account and region,
	// and for records that predate it or were rebuilt by an import (then
	// RecordedNameScope derives it where it can, or reports it unknown).
	NameScope string `json:",omitempty"`

	// Observed is the Fingerprint of the child's live configuration as last
	// read, or of the desired configuration after a successful Create or
	// Update (the handler converged it). Empty: unknown (a failed create or
	// update, a kind or record without a fingerprint).
	Observed string `json:",omitempty"`
	// DriftedHash is the Hash a Read cleared because the child had changed
	// out of band; a later Read gives it back if the child matches again
	// before an apply touched it (see ApplyDriftRule).
	DriftedHash string `json:",omitempty"`
	// DriftedFields names the drift-view fields (JSON paths, never values)
	// where the live child differed from the desired one at the Read that
	// found it drifted, for the plan's explanation (ExplainPlan). Set and
	// cleared with DriftedHash's rule.
	DriftedFields []string `json:",omitempty"`
	// ObservedProps is the live drift view the last Refresh observed,
	// transient (never saved): ApplyDriftRule names DriftedFields from it.
	ObservedProps any `json:"-"`

	// Kind-specific facts a handler needs beyond the outputs to read or
	// delete the child, filled from the applied props (Kinds[k].Record).
	Cluster string `json:",omitempty"` // ECS service: the cluster it runs in
	// Autoscaled (ECS service): its desired count is the scaler's, not
	// drift (ObservedView).
	Autoscaled bool `json:",omitempty"`
	// OwnCapacity (ECS service): it runs on its own capacity provider
	// strategy, which is compared; without one, what the service runs on
	// (its cluster's default when it was created) is not (ObservedView).
	OwnCapacity bool `json:",omitempty"`
	ForceDelete bool `json:",omitempty"` // ECR repository: delete it with its images
	// ExternalImages (task definition): its images are a pipeline's, not
	// compared (deployment.image_owner "external", ObservedView).
	ExternalImages bool `json:",omitempty"`
	// Notes are what the last Read reconciled, for the plan to say why
	// (PlanNotes); set by every Read, cleared by an apply.
	Notes []Note `json:",omitempty"`
	// PriorityExplicit (listener rule): whether the priority is the
	// configured one (true) or was allocated (false); nil when unknown (a
	// record rebuilt by an import), and the rule then has no fingerprint
	// until its next Create or Update.
	PriorityExplicit *bool `json:",omitempty"`
}

// Op is what an apply does to one child.
type Op string

const (
	OpNoop    Op = "noop"
	OpCreate  Op = "create"
	OpUpdate  Op = "update"
	OpReplace Op = "replace" // create the new child, update dependents, delete the old one
	OpDelete  Op = "delete"
)

// Action is one planned step for one child.
type Action struct {
	Key    string
	Kind   Kind
	Op     Op
	Reason string // human readable, e.g. "port changed" or "missing in AWS"
}

// Ownership tag keys put on every taggable child.
const (
	TagOwner = "containerapp:owner"
	TagKey   = "containerapp:key"
)
