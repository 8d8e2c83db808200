package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// Previous task definition revisions a deployment may roll back to.
//
// A task definition update registers a new revision; the engine deposes the
// previous one (composite.ARNChangesOnUpdate) and deletes it at the end of
// the apply through the task definition handler's Delete
// (DeregisterTaskDefinition, DeleteTaskDefinitions). With
// wait_for_steady_state the ECS service's deployment of the new revision has
// completed by then. Without it, the deployment is still rolling out: the
// previous revision's tasks still run, and the circuit breaker may roll the
// service back to it - which AWS refuses for a revision being deleted ("You
// can't update an existing service to reference a DELETE_IN_PROGRESS task
// definition revision", DeleteTaskDefinitions; the same for INACTIVE,
// DeregisterTaskDefinition).
//
// The mechanism, all in the ECS service's own record:
//   - The service handler's Update, when it sends a new task definition
//     without waiting, adds the previous revision to the service's output
//     AttrRetainedTaskDefinitions (so the state records it whatever happens
//     to the deposed task definition record) and notes it in the registry's
//     rollbackRevisions.
//   - The registry's task definition handler is a RollbackRevisionGuard:
//     deleting a noted revision first asks the service
//     (revisionUsed: the service runs it, or a rollout in progress has a
//     deployment using it). If it is used, the revision is kept registered -
//     the deposed record goes, the service's record still names it - and a
//     warning says so.
//   - A later Update of the service deletes the retained revisions no
//     deployment uses any more (through the task definition handler's
//     Delete), and the service's Delete deletes them all once the service is
//     INACTIVE. Observe carries the output forward across refreshes.

// AttrRetainedTaskDefinitions is the ECS service output listing (comma
// separated ARNs) the previous task definition revisions the service keeps
// registered because a deployment started without waiting may roll back to
// them. It is a record of what exists, not a reference target.
const AttrRetainedTaskDefinitions = composite.AttrRetainedTaskDefinitions

// revisionDeleter deletes a task definition revision (the task definition
// handler's Delete).
type revisionDeleter interface {
	Delete(ctx context.Context, rec composite.Recorded) error
}

// rollbackRevisions is shared by the ECS service handler and the
// RollbackRevisionGuard of one registry (one operation).
type rollbackRevisions struct {
	deleter revisionDeleter
	mu      sync.Mutex
	pending map[string]serviceRef // previous revision ARN -> the service rolling out without a wait
}

type serviceRef struct{ cluster, service string }

func (r *rollbackRevisions) note(arn, cluster, service string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[arn] = serviceRef{cluster: cluster, service: service}
}

func (r *rollbackRevisions) lookup(arn string) (serviceRef, bool) {
	if r == nil {
		return serviceRef{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ref, ok := r.pending[arn]
	return ref, ok
}

// KeepRollbackRevisions makes the service handler keep the previous task
// definition revision of a deployment it starts without waiting, and returns
// the task definition handler to register beside it: td, whose Delete spares
// such a revision while a deployment may still roll back to it.
func (h *ECSServiceHandler) KeepRollbackRevisions(td *TaskDefinitionHandler) *RollbackRevisionGuard {
	h.revisions = &rollbackRevisions{deleter: td, pending: map[string]serviceRef{}}
	return &RollbackRevisionGuard{TaskDefinitionHandler: td, services: h}
}

// RollbackRevisionGuard is the task definition handler of a service
// registry: a TaskDefinitionHandler whose Delete of a revision the ECS
// service handler kept (KeepRollbackRevisions) first checks that no
// deployment of the service uses it.
type RollbackRevisionGuard struct {
	*TaskDefinitionHandler
	services *ECSServiceHandler
}

var (
	_ engine.Handler = (*RollbackRevisionGuard)(nil)
	_ engine.Finder  = (*RollbackRevisionGuard)(nil)
)

// Delete deletes the revision, unless the ECS service updated in this
// operation without waiting still uses it (a rollout in progress that may
// roll back to it, or the rollback done): then it stays registered,
// recorded by the service (AttrRetainedTaskDefinitions), and a warning
// says so. When the service cannot be read, the revision is kept too.
// Calls: [DescribeServices], DeregisterTaskDefinition, DeleteTaskDefinitions.
func (g *RollbackRevisionGuard) Delete(ctx context.Context, rec composite.Recorded) error {
	if ref, ok := g.services.revisions.lookup(rec.ARN); ok {
		used, why, err := g.services.revisionInUse(ctx, ref.cluster, ref.service, rec.ARN)
		if err != nil {
			why, used = fmt.Sprintf("its deployments could not be read (%v)", err), true
		}
		if used {
			engine.Warn(ctx,
				fmt.Sprintf("Previous task definition revision %s kept registered", lastSegment(rec.ARN)),
				fmt.Sprintf("The ECS service %q is rolling out its new task definition without waiting (wait_for_steady_state = false), "+
					"and %s, so the deployment may roll back to revision %s: it is not deregistered now. "+
					"The service's state records it; a later apply that updates the service deregisters it once no deployment uses it, "+
					"and destroying the service deregisters it.", ref.service, why, rec.ARN))
			return nil
		}
	}
	return g.TaskDefinitionHandler.Delete(ctx, rec)
}

// revisionInUse reads the service (DescribeServices) and applies
// revisionUsed; a service that is gone uses nothing.
func (h *ECSServiceHandler) revisionInUse(ctx context.Context, cluster, service, arn string) (bool, string, error) {
	svc, err := h.describe(ctx, cluster, service, false)
	if IsNotFound(err, errCodeClusterNotFound) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	if svc == nil || aws.ToString(svc.Status) == serviceStatusInactive {
		return false, "", nil
	}
	used, why := revisionUsed(svc, arn)
	return used, why, nil
}

// revisionUsed reports whether the service needs the task definition
// revision arn: it is the service's task definition (e.g. after a
// rollback), or a rollout is in progress (more than one deployment, or one
// IN_PROGRESS) and one of its deployments uses it - the previous primary,
// ACTIVE until the new one completes, is what the circuit breaker rolls
// back to. A service steady on another revision does not (nor does moto's
// stale single COMPLETED deployment, which keeps the old revision's ARN).
func revisionUsed(svc *ecstypes.Service, arn string) (bool, string) {
	if taskDefinitionMatches(aws.ToString(svc.TaskDefinition), arn) {
		return true, "the service runs it"
	}
	inProgress := len(svc.Deployments) > 1
	for _, d := range svc.Deployments {
		if d.RolloutState == ecstypes.DeploymentRolloutStateInProgress {
			inProgress = true
		}
	}
	if !inProgress {
		return false, ""
	}
	for _, d := range svc.Deployments {
		if taskDefinitionMatches(aws.ToString(d.TaskDefinition), arn) {
			return true, fmt.Sprintf("its deployment %s (%s, rollout %s) uses it while the rollout is in progress",
				aws.ToString(d.Id), aws.ToString(d.Status), d.RolloutState)
		}
	}
	return false, ""
}

// keepRollbackTarget adds the service's previous task definition to
// retained when the update in (nil: none sent) changes the task definition
// and p does not wait for a steady state, and notes it for the registry's
// RollbackRevisionGuard. Without KeepRollbackRevisions it does nothing.
func (h *ECSServiceHandler) keepRollbackTarget(p *composite.ServiceProps, name, cluster string, current *ecstypes.Service, in *ecs.UpdateServiceInput, retained []string) []string {
	if h.revisions == nil || p.WaitForSteadyState || in == nil || in.TaskDefinition == nil {
		return retained
	}
	prev := aws.ToString(current.TaskDefinition)
	if prev == "" {
		return retained
	}
	h.revisions.note(prev, cluster, name)
	if !slices.Contains(retained, prev) {
		retained = append(retained, prev)
	}
	return retained
}

// deleteUnusedRevisions deletes the retained revisions svc (nil: the service
// is gone) does not use (revisionUsed), except those noted in this
// operation (the guard judges those at the end of the apply), and returns
// the ones it keeps. On a delete error the revisions not yet deleted are
// returned with it.
func (h *ECSServiceHandler) deleteUnusedRevisions(ctx context.Context, svc *ecstypes.Service, retained []string) ([]string, error) {
	if len(retained) == 0 {
		return nil, nil
	}
	var keep []string
	for i, arn := range retained {
		if _, noted := h.revisions.lookup(arn); noted {
			keep = append(keep, arn)
			continue
		}
		if svc != nil {
			if used, _ := revisionUsed(svc, arn); used {
				keep = append(keep, arn)
				continue
			}
		}
		if h.revisions == nil {
			// No task definition handler to delete with: keep recording it.
			keep = append(keep, arn)
			continue
		}
		if err := h.revisions.deleter.Delete(ctx, composite.Recorded{Kind: composite.KindTaskDefinition, ARN: arn}); err != nil {
			return append(keep, retained[i:]...), err
		}
	}
	return keep, nil
}

// withRetained sets AttrRetainedTaskDefinitions in outputs: the list, or ""
// when it became empty (had: the record carried one, which the engine would
// otherwise keep).
func withRetained(outputs map[string]string, retained []string, had bool) map[string]string {
	if len(retained) > 0 || had {
		outputs[AttrRetainedTaskDefinitions] = strings.Join(retained, ",")
	}
	return outputs
}

// splitRevisions parses AttrRetainedTaskDefinitions.
func splitRevisions(s string) []string {
	var out []string
	for _, arn := range strings.Split(s, ",") {
		if arn = strings.TrimSpace(arn); arn != "" && !slices.Contains(out, arn) {
			out = append(out, arn)
		}
	}
	return out
}
