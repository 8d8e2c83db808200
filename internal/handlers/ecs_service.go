package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeServiceNotFound   = "ServiceNotFoundException"
	errCodeClusterNotFound   = "ClusterNotFoundException"
	errCodeServiceNotActive  = "ServiceNotActiveException"
	errCodeInvalidParameter  = "InvalidParameterException"
	serviceStatusActive      = "ACTIVE"
	serviceStatusDraining    = "DRAINING"
	serviceStatusInactive    = "INACTIVE"
	deploymentStatusPrimary  = "PRIMARY"
	failureReasonMissing     = "MISSING"
	serviceDiagnosticTimeout = 30 * time.Second
	serviceEventsInError     = 5
	stoppedTasksInError      = 5
)

// Named timeouts of the ECS service handler's eventual-consistency retries.
const (
	// ClusterPropagationTimeout bounds the retries of
	// ClusterNotFoundException on the pre-create check and CreateService: a
	// cluster created moments ago (in the same apply) is not yet visible to
	// every ECS endpoint. The AWS provider retries it on CreateService for
	// its propagation timeout (2 minutes) as well.
	ClusterPropagationTimeout = 2 * time.Minute
	// ServiceVisibilityTimeout bounds how long the steady-state wait right
	// after CreateService/UpdateService takes a MISSING service, or a
	// deployment list that does not show the call's deployment yet, for a
	// read that lags the call rather than a service that disappeared or a
	// deployment that was rolled back.
	ServiceVisibilityTimeout = 2 * time.Minute
)

// Waiter settings; variables so tests can shorten them.
var (
	// steadyStatePollInterval is the delay between DescribeServices calls
	// while waiting for a deployment to complete.
	steadyStatePollInterval = 5 * time.Second
	// steadyStateMaxWait bounds the steady-state wait when ctx has no deadline.
	steadyStateMaxWait = 30 * time.Minute
	// inactivePollInterval is the delay between DescribeServices calls while
	// waiting for a deleted service to become INACTIVE.
	inactivePollInterval = 5 * time.Second
	// inactiveMaxWait bounds the INACTIVE wait (and the retries of a name
	// still held by a DRAINING service) when ctx has no deadline.
	inactiveMaxWait = 20 * time.Minute
)

// ErrServiceAlreadyExists is returned (wrapped) by Create when an ACTIVE
// service of the same name, not created for this child, exists in the
// cluster.
var ErrServiceAlreadyExists = errors.New("ECS service already exists")

// ECSServiceAPI is the part of *ecs.Client the ECS service handler uses.
type ECSServiceAPI interface {
	CreateService(ctx context.Context, in *ecs.CreateServiceInput, optFns ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error)
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	DeleteService(ctx context.Context, in *ecs.DeleteServiceInput, optFns ...func(*ecs.Options)) (*ecs.DeleteServiceOutput, error)
	TagResource(ctx context.Context, in *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *ecs.UntagResourceInput, optFns ...func(*ecs.Options)) (*ecs.UntagResourceOutput, error)
	ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	// DescribeTaskDefinition reads the images the service will run (the
	// check for an image not pushed yet).
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	// DescribeClusters reads the cluster's default capacity provider
	// strategy (a service without its own strategy).
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

var _ ECSServiceAPI = (*ecs.Client)(nil)

// ECSServiceHandler manages composite.KindECSService children, the anchor of
// a composite. It is safe for concurrent use; its only mutable state is the
// revisions tracker of one registry (see KeepRollbackRevisions).
type ECSServiceHandler struct {
	api    ECSServiceAPI
	images ECRImagesAPI // nil: no check for images not pushed yet
	// revisions is set by KeepRollbackRevisions: previous task definition
	// revisions that a deployment started without waiting may roll back to.
	revisions *rollbackRevisions
}

var (
	_ engine.Handler = (*ECSServiceHandler)(nil)
	_ engine.Finder  = (*ECSServiceHandler)(nil)
)

// NewECSServiceHandler returns a handler for ECS services. images (may be
// nil) looks up the images of this account's ECR the task definition runs:
// a service whose image is not pushed yet is created with desired count 0.
func NewECSServiceHandler(api ECSServiceAPI, images ECRImagesAPI) *ECSServiceHandler {
	return &ECSServiceHandler{api: api, images: images}
}

// Create creates the ECS service. Calls: DescribeServices (the pre-check),
// [DescribeTaskDefinition, ECR DescribeImages] (the image check),
// CreateService, [DescribeServices polls].
//
//   - The pre-check refuses to take over an ACTIVE service of the same name
//     (with tags); one carrying this child's ownership tags was created for
//     it by an earlier Create whose response was lost and is adopted and
//     converged like an Update. A DRAINING service of the same name (deleted
//     moments ago) is waited for until INACTIVE: AWS refuses the name until
//     then. The check must stay even though AWS itself refuses a duplicate
//     name: moto silently overwrites a same-named ACTIVE service, and only
//     the check keeps a foreign service from being taken over there.
//   - ClusterNotFoundException on the pre-check or CreateService (a cluster
//     created moments ago) is retried for up to ClusterPropagationTimeout.
//   - CreateService carries an idempotency token and is retried on IAM
//     propagation and "target group does not have an associated load
//     balancer" (serviceCreateRetryTimeout), and on "Creation of service was
//     not idempotent." while the name is still held by a DRAINING service
//     (until ctx's deadline, the create timeout); when an ACTIVE service
//     holds it, the take-over rules above apply.
//   - When the task definition runs an image of this account's ECR that is
//     not pushed yet, the service is created with desired count 0 and
//     without the steady-state wait, with a warning (see imageGate).
//   - With repository.block_on_severity, when tasks will run, the images of
//     the service's own repository wait for their scan and findings at or
//     above the severity refuse the create (see scanGate).
//   - With WaitForSteadyState, the deployment CreateService returned is
//     waited for (waitSteadyState). When the wait fails the outputs are
//     returned with the error: the service exists.
func (h *ECSServiceHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ServiceProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	fail := func(err error) (map[string]string, error) {
		return nil, fmt.Errorf("creating ECS service %q in cluster %q: %w", name, p.Cluster, err)
	}
	existing, err := h.describeNewCluster(ctx, p.Cluster, name)
	if err != nil {
		return fail(err)
	}
	if existing != nil && aws.ToString(existing.Status) == serviceStatusDraining {
		// AWS: "If you attempt to create a new service with the same name as
		// an existing service in either ACTIVE or DRAINING status, you
		// receive an error." (DeleteService). Wait for the old one to go.
		if err := h.waitInactive(ctx, p.Cluster, name); err != nil {
			return fail(fmt.Errorf("an ECS service named %q is still being deleted (DRAINING); waiting for it to become INACTIVE: %w", name, err))
		}
	}
	if existing != nil && aws.ToString(existing.Status) == serviceStatusActive {
		return h.takeOver(ctx, c, p, name, existing)
	}

	if p.Scaling != nil {
		// Autoscaled: desired_count is the initial count, inside the
		// scaler's range.
		cp := *p
		cp.DesiredCount = composite.ClampCount(p.DesiredCount, p.Scaling)
		p = &cp
	}
	desired, skipWait := h.imageGate(ctx, p, name, 0, true)
	if desired > 0 {
		// Tasks will run: the image scan gate (before any CreateService).
		if err := h.scanGate(ctx, p); err != nil {
			return fail(err)
		}
	}
	in := createServiceInput(p, name, serviceClientToken(p.Cluster, name, p.TaskDefinition, existing))
	in.DesiredCount = aws.Int32(desired)
	if len(in.CapacityProviderStrategy) == 0 && in.LaunchType == "" {
		// The cluster's default strategy, or FARGATE when it has none
		// (ECS would pick the EC2 launch type).
		def, err := h.clusterDefaultStrategy(ctx, p.Cluster)
		if err != nil {
			return fail(err)
		}
		if len(def) == 0 {
			in.LaunchType = ecstypes.LaunchTypeFargate
		}
	}
	var svc, holder *ecstypes.Service
	start := time.Now()
	retryable := func(err error) bool {
		switch {
		case isServiceEventualConsistency(err):
			return time.Since(start) < serviceCreateRetryTimeout()
		case IsNotFound(err, errCodeClusterNotFound):
			return time.Since(start) < ClusterPropagationTimeout
		case isServiceNameNotReleased(err):
			return true // bounded by the create timeout (ctx) or inactiveMaxWait
		}
		return false
	}
	err = RetryOn(ctx, waitBudget(ctx, inactiveMaxWait), retryable, func(ctx context.Context) error {
		out, err := h.api.CreateService(ctx, in)
		if isServiceNameNotReleased(err) {
			// Who holds the name? A DRAINING (or not yet visible INACTIVE)
			// service releases it: retry. An ACTIVE one does not.
			cur, derr := h.describe(ctx, p.Cluster, name, true)
			if derr == nil && cur != nil && aws.ToString(cur.Status) == serviceStatusActive {
				holder = cur
				return nil
			}
			return err
		}
		if err != nil {
			return err
		}
		if out.Service == nil {
			return fmt.Errorf("empty CreateService response")
		}
		svc = out.Service
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if holder != nil {
		return h.takeOver(ctx, c, p, name, holder)
	}
	outputs := serviceOutputs(svc)
	setRedeployToken(outputs, p.RedeployToken)
	if p.WaitForSteadyState && !skipWait {
		r := rolloutOf(svc, p.TaskDefinition, nil, nil)
		if err := h.waitSteadyState(ctx, p.Cluster, name, r); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// takeOver handles an ACTIVE service of the child's name found by Create:
// adopted and converged when it carries this child's ownership tags (and the
// launch type, which cannot change in place, matches), refused otherwise.
func (h *ECSServiceHandler) takeOver(ctx context.Context, c composite.Child, p *composite.ServiceProps, name string, existing *ecstypes.Service) (map[string]string, error) {
	clusterName := lastSegment(p.Cluster)
	what := fmt.Sprintf("ECS service %q (%s)", name, aws.ToString(existing.ServiceArn))
	why := ownedByChild(what, ecsTagMap(existing.Tags), c, p.Tags)
	if why == nil {
		return h.converge(ctx, p, name, firstNonEmpty(p.Cluster, aws.ToString(existing.ClusterArn)), existing, nil, "", false)
	}
	return nil, fmt.Errorf("%w: an ECS service named %q already exists in cluster %q (status %s, %s; %w); "+
		"import it with `terraform import <resource address> %s/%s` or choose another name",
		ErrServiceAlreadyExists, name, clusterName, aws.ToString(existing.Status), aws.ToString(existing.ServiceArn), why, clusterName, name)
}

// describeNewCluster is describe (with tags) retrying
// ClusterNotFoundException for up to ClusterPropagationTimeout: the
// pre-create check of a service whose cluster may have been created moments
// ago.
func (h *ECSServiceHandler) describeNewCluster(ctx context.Context, cluster, name string) (*ecstypes.Service, error) {
	var svc *ecstypes.Service
	err := RetryOn(ctx, ClusterPropagationTimeout, func(err error) bool { return IsNotFound(err, errCodeClusterNotFound) },
		func(ctx context.Context) error {
			var err error
			svc, err = h.describe(ctx, cluster, name, true)
			return err
		})
	return svc, err
}

// Observe reads the service (one DescribeServices call, tags included) in
// its recorded cluster (rec.Cluster) and maps it with ecsServiceProps. A
// MISSING or INACTIVE service, ServiceNotFoundException, or a missing
// cluster, is gone; any other failure DescribeServices reports is an error.
// The outputs carry the record's retained task definition revisions
// (AttrRetainedTaskDefinitions) forward.
func (h *ECSServiceHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	cluster, service := serviceIdentity(rec)
	svc, err := h.describe(ctx, cluster, service, true)
	if IsNotFound(err, errCodeClusterNotFound) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	if svc == nil || aws.ToString(svc.Status) == serviceStatusInactive {
		return composite.Observed{}, false, nil
	}
	outputs := serviceOutputs(svc)
	if kept := recordedOutput(rec, AttrRetainedTaskDefinitions); kept != "" {
		outputs[AttrRetainedTaskDefinitions] = kept
	}
	setRedeployToken(outputs, recordedOutput(rec, AttrRedeployToken))
	return composite.Observed{Props: ecsServiceProps(svc), Outputs: outputs, Full: full}, true, nil
}

// Find looks the service up by its name (q.Name, else its ARN q.ID) in the
// cluster q.Scope[LookupCluster] and observes it. The service must carry
// the composite's ownership tags, whatever q.OwnedOnly says: only services
// this provider created are imported. The record's Cluster is the cluster
// as given (else the service's cluster ARN).
func (h *ECSServiceHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	cluster, name := q.Scope[composite.LookupCluster], firstNonEmpty(q.Name, q.ID)
	if name == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no ECS service name", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindECSService, Name: name, Cluster: cluster}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.ServiceProps)
	what := fmt.Sprintf("ECS service %q in cluster %q (%s)", p.Name, firstNonEmpty(cluster, lastSegment(p.Cluster)), obs.Outputs[composite.AttrARN])
	if reason := ownershipMismatch(p.Tags, q.Owner, q.Key); reason != "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("%s was not created by containerapp_service (it %w: %s); only services this provider created can be imported",
			what, ErrNotOwned, reason)
	}
	rec := lookupRecord(q, composite.KindECSService, p.Name, obs)
	rec.Cluster = firstNonEmpty(cluster, p.Cluster)
	return rec, obs, true, nil
}

// ecsServiceProps maps a service as DescribeServices (with tags) returns it
// to the props it was created from: the cluster and task definition as
// ARNs, the awsvpc network, load balancers, registries, deployment
// configuration, the user tags. WaitForSteadyState is not an AWS setting.
func ecsServiceProps(svc *ecstypes.Service) *composite.ServiceProps {
	p := &composite.ServiceProps{
		Name:                   aws.ToString(svc.ServiceName),
		Cluster:                aws.ToString(svc.ClusterArn),
		TaskDefinition:         aws.ToString(svc.TaskDefinition),
		DesiredCount:           svc.DesiredCount,
		LaunchType:             string(svc.LaunchType),
		PlatformVersion:        aws.ToString(svc.PlatformVersion),
		HealthCheckGracePeriod: aws.ToInt32(svc.HealthCheckGracePeriodSeconds),
		EnableExecuteCommand:   svc.EnableExecuteCommand,
		PropagateTags:          string(svc.PropagateTags),
		EnableECSManagedTags:   svc.EnableECSManagedTags,
		Tags:                   userTags(ecsTagMap(svc.Tags)),
	}
	if n := svc.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
		p.Subnets = n.AwsvpcConfiguration.Subnets
		p.SecurityGroups = n.AwsvpcConfiguration.SecurityGroups
		p.AssignPublicIP = n.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled
	}
	for _, lb := range svc.LoadBalancers {
		p.LoadBalancers = append(p.LoadBalancers, composite.ServiceLoadBalancer{
			TargetGroupARN: aws.ToString(lb.TargetGroupArn), ContainerName: aws.ToString(lb.ContainerName), ContainerPort: aws.ToInt32(lb.ContainerPort),
		})
	}
	for _, r := range svc.ServiceRegistries {
		p.ServiceRegistries = append(p.ServiceRegistries, composite.ServiceRegistry{
			RegistryARN: aws.ToString(r.RegistryArn), ContainerName: aws.ToString(r.ContainerName), ContainerPort: aws.ToInt32(r.ContainerPort),
		})
	}
	if len(svc.CapacityProviderStrategy) > 0 {
		p.CapacityProviderStrategy = liveStrategy(svc.CapacityProviderStrategy)
	}
	if dc := svc.DeploymentConfiguration; dc != nil {
		if cb := dc.DeploymentCircuitBreaker; cb != nil {
			p.CircuitBreaker, p.CircuitBreakerRollback = cb.Enable, cb.Rollback
		}
		if a := dc.Alarms; a != nil && a.Enable && len(a.AlarmNames) > 0 {
			p.Alarms, p.AlarmsRollback = normalizedSet(a.AlarmNames), a.Rollback
		}
		p.MinimumHealthyPercent, p.MaximumPercent = aws.ToInt32(dc.MinimumHealthyPercent), aws.ToInt32(dc.MaximumPercent)
	}
	return p
}

// Update compares the desired configuration with the service and sends one
// UpdateService carrying only what differs (task definition, desired count,
// network, load balancers, service registries, deployment configuration,
// grace period, execute command, managed tags, tag propagation, platform
// version; ForceNewDeployment false) - on AWS, resending load balancers,
// registries or the network configuration can start a new deployment - and
// skips it when nothing differs. It then converges tags and waits for a
// steady state like Create: for the deployment UpdateService started, and
// for the new desired count when it changed. A service kept at desired
// count 0 because its image was not pushed yet (see imageGate) has its
// image checked again before it is scaled up. With
// repository.block_on_severity, an update that points the service at a new
// task definition or scales it up from 0 is refused, before UpdateService,
// when an image of the service's own repository has findings at or above the
// severity (see scanGate). Calls: DescribeServices,
// [DescribeTaskDefinition, ECR DescribeImages], [UpdateService],
// [UntagResource], [TagResource], [DescribeServices polls],
// [retained revisions: DeregisterTaskDefinition, DeleteTaskDefinitions].
func (h *ECSServiceHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.ServiceProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	cluster := firstNonEmpty(p.Cluster, prev.Cluster)
	current, err := h.describe(ctx, cluster, name, true)
	if err == nil && (current == nil || aws.ToString(current.Status) == serviceStatusInactive) {
		err = fmt.Errorf("ECS service %q in cluster %q: %w", name, cluster, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("updating ECS service %q: %w", name, err)
	}
	return h.converge(ctx, p, name, cluster, current, splitRevisions(recordedOutput(prev, AttrRetainedTaskDefinitions)),
		recordedOutput(prev, AttrRedeployToken), prev.OwnCapacity)
}

// converge brings the ACTIVE service current (described with tags) to p:
// UpdateService with what differs (none when nothing does), tags, and the
// steady-state wait. retained are the previous revisions the service's
// record keeps (see KeepRollbackRevisions); those no deployment uses any
// more are deleted. token is the redeploy token the service's record
// carries (a different p.RedeployToken forces a new deployment); hadOwn
// whether the record ran the service on its own capacity strategy (one
// removed now moves the service to the cluster's default strategy). The
// outputs come back with any error.
func (h *ECSServiceHandler) converge(ctx context.Context, p *composite.ServiceProps, name, cluster string, current *ecstypes.Service, retained []string, token string, hadOwn bool) (map[string]string, error) {
	outputs := serviceOutputs(current)
	setRedeployToken(outputs, token)
	had := len(retained) > 0
	want := *p
	if len(p.CapacityProviderStrategy) == 0 && hadOwn {
		// The strategy was removed: back to the cluster's default, sent as
		// the service's (ECS cannot return a service to "the cluster
		// default" in place).
		def, err := h.clusterDefaultStrategy(ctx, cluster)
		if err != nil {
			return withRetained(outputs, retained, had), fmt.Errorf("updating ECS service %q in cluster %q: %w", name, cluster, err)
		}
		want.CapacityProviderStrategy = liveStrategy(def)
	}
	if p.Scaling != nil {
		// Autoscaled: the live count is the scaler's; only a count outside
		// the (new) range is brought inside it.
		want.DesiredCount = composite.ClampCount(current.DesiredCount, p.Scaling)
	}
	skipWait := false
	if current.DesiredCount == 0 && want.DesiredCount > 0 {
		// Scaling up from 0 (the bootstrap of a service whose image was not
		// pushed yet, among others): check the image again.
		gated := want
		want.DesiredCount, skipWait = h.imageGate(ctx, &gated, name, current.DesiredCount, false)
	}
	after := current
	in := updateServiceInput(&want, name, cluster, current)
	if p.RedeployToken != "" && p.RedeployToken != token {
		// deployment.redeploy_triggers changed: a new deployment of the
		// same revision.
		if in == nil {
			in = &ecs.UpdateServiceInput{Cluster: optString(cluster), Service: aws.String(name)}
		}
		in.ForceNewDeployment = true
	}
	if scanGateApplies(&want, current.DesiredCount, in) {
		// A deploy: the image scan gate, before the service is pointed at
		// the task definition (refused: it keeps running what it runs).
		if err := h.scanGate(ctx, &want); err != nil {
			return withRetained(outputs, retained, had), fmt.Errorf("updating ECS service %q in cluster %q: %w", name, cluster, err)
		}
	}
	if in != nil {
		err := RetryOn(ctx, serviceCreateRetryTimeout(), isServiceEventualConsistency, func(ctx context.Context) error {
			out, err := h.api.UpdateService(ctx, in)
			if err == nil && out.Service != nil {
				after = out.Service
			}
			return err
		})
		if err != nil {
			return withRetained(outputs, retained, had), fmt.Errorf("updating ECS service %q in cluster %q: %w", name, cluster, err)
		}
	}
	setRedeployToken(outputs, p.RedeployToken)
	retained = h.keepRollbackTarget(p, name, cluster, current, in, retained)
	retained, rerr := h.deleteUnusedRevisions(ctx, after, retained)
	outputs = withRetained(outputs, retained, had)
	if rerr != nil {
		return outputs, fmt.Errorf("updating ECS service %q: %w", name, rerr)
	}
	if err := syncECSTags(ctx, h.api, aws.ToString(current.ServiceArn), ecsTagMap(current.Tags), p.Tags); err != nil {
		return outputs, fmt.Errorf("updating ECS service %q: %w", name, err)
	}
	if p.WaitForSteadyState && !skipWait {
		before := map[string]bool{}
		for _, d := range current.Deployments {
			before[aws.ToString(d.Id)] = true
		}
		var count *int32
		if in != nil && in.DesiredCount != nil {
			count = in.DesiredCount
		}
		if in == nil {
			after = nil // nothing was called: no deployment to track
		}
		if err := h.waitSteadyState(ctx, cluster, name, rolloutOf(after, want.TaskDefinition, before, count)); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// Delete scales the service to 0 (UpdateService, skipped when already 0),
// deletes it without force (DeleteService) and waits until it is INACTIVE
// (the SDK's ServicesInactive waiter, bounded by ctx or inactiveMaxWait):
// until then AWS keeps the name, and a service re-created with it is
// refused. A service or cluster that is already gone is not an error. Then
// the previous task definition revisions the record retained (see
// KeepRollbackRevisions) are deleted: no deployment can use them any more.
func (h *ECSServiceHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if err := h.deleteService(ctx, rec); err != nil {
		return err
	}
	retained, err := h.deleteUnusedRevisions(ctx, nil, splitRevisions(recordedOutput(rec, AttrRetainedTaskDefinitions)))
	if err != nil {
		return fmt.Errorf("deleting the task definition revisions ECS service %q retained (%s): %w", rec.Name, strings.Join(retained, ", "), err)
	}
	return nil
}

func (h *ECSServiceHandler) deleteService(ctx context.Context, rec composite.Recorded) error {
	cluster, service := serviceIdentity(rec)
	svc, err := h.describe(ctx, cluster, service, false)
	if IsNotFound(err, errCodeClusterNotFound) || (err == nil && svc == nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting ECS service %q: %w", service, err)
	}
	switch aws.ToString(svc.Status) {
	case serviceStatusInactive:
		return nil
	case serviceStatusActive:
		if svc.DesiredCount > 0 {
			_, err := h.api.UpdateService(ctx, &ecs.UpdateServiceInput{
				Cluster:      optString(cluster),
				Service:      aws.String(service),
				DesiredCount: aws.Int32(0),
			})
			if IsNotFound(err, errCodeServiceNotFound, errCodeClusterNotFound) {
				return nil
			}
			if err != nil && !IsNotFound(err, errCodeServiceNotActive) {
				return fmt.Errorf("scaling ECS service %q to 0 before deletion: %w", service, err)
			}
		}
		err = RetryOn(ctx, ResourceInUseTimeout, isServiceDeleteInProgress, func(ctx context.Context) error {
			_, err := h.api.DeleteService(ctx, &ecs.DeleteServiceInput{
				Cluster: optString(cluster),
				Service: aws.String(service),
				Force:   aws.Bool(false),
			})
			return err
		})
		if IsNotFound(err, errCodeServiceNotFound, errCodeClusterNotFound) {
			return nil
		}
		if err != nil && !IsNotFound(err, errCodeServiceNotActive) {
			return fmt.Errorf("deleting ECS service %q: %w", service, err)
		}
	}
	// DRAINING (or just deleted): wait for INACTIVE.
	if err := h.waitInactive(ctx, cluster, service); err != nil {
		return fmt.Errorf("waiting for ECS service %q to become INACTIVE: %w", service, err)
	}
	return nil
}

// describe returns the service, or nil when it does not exist: ECS reports
// it MISSING, or answers ServiceNotFoundException. Any other failure
// DescribeServices reports is an error, as are all other errors (wrapped;
// ClusterNotFoundException keeps its code for IsNotFound).
func (h *ECSServiceHandler) describe(ctx context.Context, cluster, service string, withTags bool) (*ecstypes.Service, error) {
	in := &ecs.DescribeServicesInput{Cluster: optString(cluster), Services: []string{service}}
	if withTags {
		in.Include = []ecstypes.ServiceField{ecstypes.ServiceFieldTags}
	}
	out, err := h.api.DescribeServices(ctx, in)
	if IsNotFound(err, errCodeServiceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing ECS service %q in cluster %q: %w", service, cluster, err)
	}
	return describedService(out, cluster, service)
}

// describedService picks the service out of a DescribeServices answer: nil
// when it is reported MISSING (or not at all), an error for any other
// failure reason.
func describedService(out *ecs.DescribeServicesOutput, cluster, service string) (*ecstypes.Service, error) {
	if svc := matchService(out.Services, service); svc != nil {
		return svc, nil
	}
	for _, f := range out.Failures {
		if aws.ToString(f.Reason) != failureReasonMissing {
			return nil, fmt.Errorf("describing ECS service %q in cluster %q: %s: %s", service, cluster, aws.ToString(f.Reason), aws.ToString(f.Detail))
		}
	}
	return nil, nil
}

// rollout is what the steady-state wait after a CreateService or
// UpdateService call waits for.
type rollout struct {
	// taskDefinition is the revision asked for ("" skips that check).
	taskDefinition string
	// deployment is the PRIMARY deployment the call's answer carried ("":
	// unknown, or no call was made); when it is not one of before, the
	// call started it and a read that does not list it yet lags the call.
	deployment        string
	deploymentCreated time.Time
	// calledTaskDefinition is the service's task definition in the call's
	// answer.
	calledTaskDefinition string
	// before holds the ids of the deployments the service had before an
	// UpdateService (nil after CreateService).
	before map[string]bool
	// desiredCount, when set, is the count the call set: the service must
	// run exactly that many tasks (AWS does not start a deployment for a
	// desired-count-only change: its primary stays COMPLETED while tasks
	// start or stop).
	desiredCount *int32
	// since is when the call returned.
	since time.Time
}

// rolloutOf builds the rollout to wait for from the service in the call's
// answer (nil when no call was made).
func rolloutOf(answer *ecstypes.Service, taskDefinition string, before map[string]bool, desiredCount *int32) rollout {
	r := rollout{taskDefinition: taskDefinition, before: before, desiredCount: desiredCount, since: time.Now()}
	if answer == nil {
		return r
	}
	r.calledTaskDefinition = aws.ToString(answer.TaskDefinition)
	for _, d := range answer.Deployments {
		if aws.ToString(d.Status) == deploymentStatusPrimary {
			r.deployment = aws.ToString(d.Id)
			r.deploymentCreated = aws.ToTime(d.CreatedAt)
		}
	}
	return r
}

// lagging reports why a read of the service (nil: MISSING) does not show
// what the call did yet, or "" when it does: the service is MISSING; the
// deployment the call started is not listed and no newer one is (a newer
// one would be the circuit breaker's rollback, judged by
// steadyStateRetryable); only deployments from before the update are listed
// and the service still reads another task definition than the call's
// answer did.
func (r rollout) lagging(svc *ecstypes.Service) string {
	if svc == nil {
		return "the service is not visible yet (MISSING)"
	}
	listed, newer := false, false
	onlyBefore := true
	for _, d := range svc.Deployments {
		id := aws.ToString(d.Id)
		if id == r.deployment {
			listed = true
		}
		if !r.before[id] {
			onlyBefore = false
			if id != r.deployment && aws.ToTime(d.CreatedAt).After(r.deploymentCreated) {
				newer = true
			}
		}
	}
	if r.deployment != "" && !r.before[r.deployment] && !listed && !newer {
		return fmt.Sprintf("deployment %s is not listed yet", r.deployment)
	}
	if r.desiredCount != nil && svc.DesiredCount != *r.desiredCount {
		return fmt.Sprintf("the service still reads desired count %d", svc.DesiredCount)
	}
	if r.before != nil && onlyBefore && r.taskDefinition != "" && taskDefinitionMatches(r.calledTaskDefinition, r.taskDefinition) &&
		!taskDefinitionMatches(aws.ToString(svc.TaskDefinition), r.taskDefinition) {
		return fmt.Sprintf("the service still reads task definition %s", aws.ToString(svc.TaskDefinition))
	}
	return ""
}

// waitSteadyState waits, with the SDK's ServicesStable waiter judged the way
// ECS recommends for rolling deployments, until the service has exactly one
// deployment whose rolloutState is COMPLETED and that runs r.taskDefinition,
// and, when the call changed the desired count, runs exactly that many
// tasks. For ServiceVisibilityTimeout after the call, a read that does not
// show the call's effect yet (rollout.lagging: MISSING, the new deployment
// not listed, ClusterNotFoundException for a new cluster) is waited out. A
// FAILED rollout, a rolled-back deployment, a service that stops being
// ACTIVE or disappears, or the end of the time budget is an error naming the
// latest service events and stopped-task reasons.
func (h *ECSServiceHandler) waitSteadyState(ctx context.Context, cluster, service string, r rollout) error {
	var last *ecstypes.Service
	waiter := ecs.NewServicesStableWaiter(h.api, func(o *ecs.ServicesStableWaiterOptions) {
		o.MinDelay = steadyStatePollInterval
		o.MaxDelay = steadyStatePollInterval
		o.Retryable = func(_ context.Context, _ *ecs.DescribeServicesInput, out *ecs.DescribeServicesOutput, err error) (bool, error) {
			young := time.Since(r.since) < ServiceVisibilityTimeout
			if IsNotFound(err, errCodeClusterNotFound) && young {
				return true, nil
			}
			if err != nil {
				return false, err
			}
			svc, err := describedService(out, cluster, service)
			if err != nil {
				return false, err
			}
			if svc != nil {
				last = svc
			}
			if why := r.lagging(svc); why != "" {
				if young {
					return true, nil
				}
				if svc == nil {
					return false, fmt.Errorf("the service disappeared")
				}
			}
			return steadyStateRetryable(svc, r.taskDefinition, r.before, r.desiredCount != nil)
		}
	})
	in := &ecs.DescribeServicesInput{Cluster: optString(cluster), Services: []string{service}}
	err := waiter.Wait(ctx, in, waitBudget(ctx, steadyStateMaxWait))
	if err == nil {
		return nil
	}
	return h.steadyStateError(ctx, cluster, service, last, err)
}

// steadyStateRetryable reports whether to keep waiting (true), or that the
// service is steady (false, nil), or failed (false, error).
//
// It fails when a deployment's rollout is FAILED (the primary's, or one
// started after the update: an older failed deployment that is being
// replaced does not count), and when the deployment
// circuit breaker rolled the deployment back: the PRIMARY deployment (the
// rollback deployment, COMPLETED once done) runs another task definition
// than taskDefinition ("" skips that check). moto 5.2.1 never starts a new
// deployment on UpdateService and leaves the old one's taskDefinition
// stale while the service's reads the new one, so a primary running another
// task definition counts as a rollback when it is a deployment started
// after the update (not in before) or the service itself runs another task
// definition too - on AWS a rollback does both. (A read that does not show
// the update yet is told apart before: rollout.lagging.)
//
// With counts (the call changed the desired count) the service must also
// run exactly its desired count with none pending, as the SDK's
// ServicesStable waiter requires: AWS changes the count of the COMPLETED
// primary deployment in place, and only the task counts show the new tasks.
func steadyStateRetryable(svc *ecstypes.Service, taskDefinition string, before map[string]bool, counts bool) (bool, error) {
	if s := aws.ToString(svc.Status); s != serviceStatusActive {
		return false, fmt.Errorf("the service is %s", s)
	}
	var primary *ecstypes.Deployment
	for i := range svc.Deployments {
		if aws.ToString(svc.Deployments[i].Status) == deploymentStatusPrimary {
			primary = &svc.Deployments[i]
		}
	}
	rolledBack := primary != nil && taskDefinition != "" &&
		!taskDefinitionMatches(aws.ToString(primary.TaskDefinition), taskDefinition) &&
		(!before[aws.ToString(primary.Id)] || !taskDefinitionMatches(aws.ToString(svc.TaskDefinition), taskDefinition))
	for i, d := range svc.Deployments {
		if d.RolloutState == ecstypes.DeploymentRolloutStateFailed && (&svc.Deployments[i] == primary || !before[aws.ToString(d.Id)]) {
			msg := fmt.Sprintf("deployment %s (task definition %s) failed: %s",
				aws.ToString(d.Id), aws.ToString(d.TaskDefinition), aws.ToString(d.RolloutStateReason))
			if rolledBack {
				msg += fmt.Sprintf("; the deployment was rolled back to task definition %s", aws.ToString(primary.TaskDefinition))
			}
			return false, errors.New(msg)
		}
	}
	if rolledBack {
		return false, fmt.Errorf("the deployment was rolled back: the primary deployment %s runs task definition %s, not %s (%s)",
			aws.ToString(primary.Id), aws.ToString(primary.TaskDefinition), taskDefinition, aws.ToString(primary.RolloutStateReason))
	}
	if primary == nil || len(svc.Deployments) != 1 {
		return true, nil
	}
	if counts && (svc.RunningCount != svc.DesiredCount || svc.PendingCount != 0) {
		return true, nil
	}
	if primary.RolloutState == ecstypes.DeploymentRolloutStateCompleted {
		return false, nil
	}
	// Deployments without a rollout state (other deployment controllers):
	// fall back on the task counts.
	if primary.RolloutState == "" && primary.RunningCount == primary.DesiredCount && primary.PendingCount == 0 {
		return false, nil
	}
	return true, nil
}

// taskDefinitionMatches reports whether the task definition ECS reports
// (an ARN) is the one asked for: the same ARN, or its "family:revision".
func taskDefinitionMatches(have, want string) bool {
	return have == want || (have != "" && lastSegment(have) == want)
}

// steadyStateError explains a failed steady-state wait: the cause, the
// deployments, the latest service events and stopped-task reasons. The
// diagnostic calls are best effort and run even when ctx has expired.
func (h *ECSServiceHandler) steadyStateError(ctx context.Context, cluster, service string, last *ecstypes.Service, cause error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || strings.Contains(cause.Error(), "exceeded max wait time") {
		cause = fmt.Errorf("timed out: %w", cause)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ECS service %q in cluster %q did not reach a steady state: %v", service, cluster, cause)
	if last != nil {
		for _, d := range last.Deployments {
			fmt.Fprintf(&b, "\n  deployment %s (%s): rollout %s (%s), running %d/%d, failed tasks %d",
				aws.ToString(d.Id), aws.ToString(d.Status), d.RolloutState, aws.ToString(d.RolloutStateReason),
				d.RunningCount, d.DesiredCount, d.FailedTasks)
		}
		if len(last.Events) > 0 {
			b.WriteString("\n  latest service events:")
			for i, e := range last.Events {
				if i == serviceEventsInError {
					break
				}
				at := ""
				if e.CreatedAt != nil {
					at = e.CreatedAt.UTC().Format(time.RFC3339) + " "
				}
				fmt.Fprintf(&b, "\n    %s%s", at, aws.ToString(e.Message))
			}
		}
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serviceDiagnosticTimeout)
	defer cancel()
	if reasons := h.stoppedTaskReasons(dctx, cluster, service); len(reasons) > 0 {
		b.WriteString("\n  stopped tasks:")
		for _, r := range reasons {
			b.WriteString("\n    " + r)
		}
	}
	return errors.New(b.String())
}

// stoppedTaskReasons returns why the service's most recently stopped tasks
// stopped (ListTasks + DescribeTasks), best effort: nil on any error.
func (h *ECSServiceHandler) stoppedTaskReasons(ctx context.Context, cluster, service string) []string {
	list, err := h.api.ListTasks(ctx, &ecs.ListTasksInput{
		Cluster:       optString(cluster),
		ServiceName:   aws.String(service),
		DesiredStatus: ecstypes.DesiredStatusStopped,
		MaxResults:    aws.Int32(stoppedTasksInError),
	})
	if err != nil || len(list.TaskArns) == 0 {
		return nil
	}
	arns := list.TaskArns
	if len(arns) > stoppedTasksInError {
		arns = arns[:stoppedTasksInError]
	}
	tasks, err := h.api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: optString(cluster), Tasks: arns})
	if err != nil {
		return nil
	}
	var reasons []string
	for _, t := range tasks.Tasks {
		r := fmt.Sprintf("%s: %s", lastSegment(aws.ToString(t.TaskArn)), firstNonEmpty(aws.ToString(t.StoppedReason), string(t.StopCode), "no reason given"))
		for _, c := range t.Containers {
			if c.Reason != nil || c.ExitCode != nil {
				r += fmt.Sprintf("; container %s", aws.ToString(c.Name))
				if c.ExitCode != nil {
					r += fmt.Sprintf(" exit code %d", aws.ToInt32(c.ExitCode))
				}
				if c.Reason != nil {
					r += ": " + aws.ToString(c.Reason)
				}
			}
		}
		reasons = append(reasons, r)
	}
	return reasons
}

// waitInactive waits with the SDK's ServicesInactive waiter until the service
// is INACTIVE, also accepting a service (or cluster) that is gone entirely.
func (h *ECSServiceHandler) waitInactive(ctx context.Context, cluster, service string) error {
	waiter := ecs.NewServicesInactiveWaiter(h.api, func(o *ecs.ServicesInactiveWaiterOptions) {
		o.MinDelay = inactivePollInterval
		o.MaxDelay = inactivePollInterval
		o.Retryable = func(_ context.Context, _ *ecs.DescribeServicesInput, out *ecs.DescribeServicesOutput, err error) (bool, error) {
			if IsNotFound(err, errCodeServiceNotFound, errCodeClusterNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			svc, err := describedService(out, cluster, service)
			if err != nil {
				return false, err
			}
			if svc == nil || aws.ToString(svc.Status) == serviceStatusInactive {
				return false, nil
			}
			return true, nil
		}
	})
	in := &ecs.DescribeServicesInput{Cluster: optString(cluster), Services: []string{service}}
	return waiter.Wait(ctx, in, waitBudget(ctx, inactiveMaxWait))
}

func createServiceInput(p *composite.ServiceProps, name, clientToken string) *ecs.CreateServiceInput {
	in := &ecs.CreateServiceInput{
		ClientToken:              aws.String(clientToken),
		Cluster:                  optString(p.Cluster),
		ServiceName:              aws.String(name),
		TaskDefinition:           aws.String(p.TaskDefinition),
		DesiredCount:             aws.Int32(p.DesiredCount),
		LaunchType:               ecstypes.LaunchType(p.LaunchType),
		CapacityProviderStrategy: ecsStrategy(p.CapacityProviderStrategy),
		PlatformVersion:          optString(p.PlatformVersion),
		SchedulingStrategy:       ecstypes.SchedulingStrategyReplica,
		NetworkConfiguration:     serviceNetwork(p),
		LoadBalancers:            serviceLoadBalancers(p),
		ServiceRegistries:        serviceRegistries(p),
		DeploymentConfiguration:  serviceDeploymentConfiguration(p),
		EnableExecuteCommand:     p.EnableExecuteCommand,
		EnableECSManagedTags:     p.EnableECSManagedTags,
		PropagateTags:            ecstypes.PropagateTags(p.PropagateTags),
		Tags:                     ecsTags(p.Tags),
	}
	if len(p.LoadBalancers) > 0 && p.HealthCheckGracePeriod > 0 {
		in.HealthCheckGracePeriodSeconds = aws.Int32(p.HealthCheckGracePeriod)
	}
	return in
}

// updateServiceInput returns an UpdateServiceInput carrying only the
// settings of p that differ from the service current, or nil when none
// does. moto's CreateService drops the deployment configuration, execute
// command, managed tags and grace period (they read back empty): on moto the
// first update after a create sends them once, as the service then reads
// them back.
func updateServiceInput(p *composite.ServiceProps, name, cluster string, current *ecstypes.Service) *ecs.UpdateServiceInput {
	in := &ecs.UpdateServiceInput{
		Cluster:            optString(cluster),
		Service:            aws.String(name),
		ForceNewDeployment: false,
	}
	changed := false
	if !taskDefinitionMatches(aws.ToString(current.TaskDefinition), p.TaskDefinition) {
		in.TaskDefinition = aws.String(p.TaskDefinition)
		changed = true
	}
	if current.DesiredCount != p.DesiredCount {
		in.DesiredCount = aws.Int32(p.DesiredCount)
		changed = true
	}
	if p.PlatformVersion != "" && p.PlatformVersion != aws.ToString(current.PlatformVersion) {
		in.PlatformVersion = aws.String(p.PlatformVersion)
		changed = true
	}
	if want := serviceNetwork(p); want != nil && !sameNetwork(current.NetworkConfiguration, want) {
		in.NetworkConfiguration = want
		changed = true
	}
	// An empty (non-nil) list removes what the service has.
	if want := serviceLoadBalancers(p); !sameLoadBalancers(current.LoadBalancers, want) {
		in.LoadBalancers = append([]ecstypes.LoadBalancer{}, want...)
		changed = true
	}
	if want := serviceRegistries(p); !sameRegistries(current.ServiceRegistries, want) {
		in.ServiceRegistries = append([]ecstypes.ServiceRegistry{}, want...)
		changed = true
	}
	if want := serviceDeploymentConfiguration(p); !sameDeploymentConfiguration(current.DeploymentConfiguration, want) {
		in.DeploymentConfiguration = want
		changed = true
	}
	if len(p.CapacityProviderStrategy) > 0 && !composite.SameCapacityStrategy(liveStrategy(current.CapacityProviderStrategy), p.CapacityProviderStrategy) {
		// ECS applies a strategy to the tasks of a new deployment.
		in.CapacityProviderStrategy = ecsStrategy(p.CapacityProviderStrategy)
		in.ForceNewDeployment = true
		changed = true
	}
	if len(p.LoadBalancers) > 0 && aws.ToInt32(current.HealthCheckGracePeriodSeconds) != p.HealthCheckGracePeriod {
		in.HealthCheckGracePeriodSeconds = aws.Int32(p.HealthCheckGracePeriod)
		changed = true
	}
	if current.EnableExecuteCommand != p.EnableExecuteCommand {
		in.EnableExecuteCommand = aws.Bool(p.EnableExecuteCommand)
		changed = true
	}
	if current.EnableECSManagedTags != p.EnableECSManagedTags {
		in.EnableECSManagedTags = aws.Bool(p.EnableECSManagedTags)
		changed = true
	}
	if want := firstNonEmpty(p.PropagateTags, string(ecstypes.PropagateTagsNone)); want != firstNonEmpty(string(current.PropagateTags), string(ecstypes.PropagateTagsNone)) {
		in.PropagateTags = ecstypes.PropagateTags(want)
		changed = true
	}
	if !changed {
		return nil
	}
	return in
}

// sameNetwork compares awsvpc configurations: subnets and security groups
// as sets, an unset public IP assignment as DISABLED.
func sameNetwork(have, want *ecstypes.NetworkConfiguration) bool {
	if have == nil || have.AwsvpcConfiguration == nil || want == nil || want.AwsvpcConfiguration == nil {
		return (have == nil || have.AwsvpcConfiguration == nil) == (want == nil || want.AwsvpcConfiguration == nil)
	}
	h, w := have.AwsvpcConfiguration, want.AwsvpcConfiguration
	assign := func(a ecstypes.AssignPublicIp) ecstypes.AssignPublicIp {
		return ecstypes.AssignPublicIp(firstNonEmpty(string(a), string(ecstypes.AssignPublicIpDisabled)))
	}
	return sameSet(h.Subnets, w.Subnets) && sameSet(h.SecurityGroups, w.SecurityGroups) && assign(h.AssignPublicIp) == assign(w.AssignPublicIp)
}

// sameLoadBalancers compares load balancer attachments, order-insensitive.
func sameLoadBalancers(have, want []ecstypes.LoadBalancer) bool {
	key := func(lbs []ecstypes.LoadBalancer) []string {
		out := make([]string, 0, len(lbs))
		for _, lb := range lbs {
			out = append(out, fmt.Sprintf("%s|%s|%s|%d", aws.ToString(lb.TargetGroupArn), aws.ToString(lb.LoadBalancerName),
				aws.ToString(lb.ContainerName), aws.ToInt32(lb.ContainerPort)))
		}
		return out
	}
	return len(have) == len(want) && sameSet(key(have), key(want))
}

// sameRegistries compares service registries, order-insensitive.
func sameRegistries(have, want []ecstypes.ServiceRegistry) bool {
	key := func(regs []ecstypes.ServiceRegistry) []string {
		out := make([]string, 0, len(regs))
		for _, r := range regs {
			out = append(out, fmt.Sprintf("%s|%s|%d|%d", aws.ToString(r.RegistryArn), aws.ToString(r.ContainerName),
				aws.ToInt32(r.ContainerPort), aws.ToInt32(r.Port)))
		}
		return out
	}
	return len(have) == len(want) && sameSet(key(have), key(want))
}

// sameDeploymentConfiguration compares the circuit breaker and, when want
// sets them, the deployment percentages. A configuration the service does
// not report differs.
func sameDeploymentConfiguration(have, want *ecstypes.DeploymentConfiguration) bool {
	if have == nil {
		return false
	}
	var hcb, wcb ecstypes.DeploymentCircuitBreaker
	if have.DeploymentCircuitBreaker != nil {
		hcb = *have.DeploymentCircuitBreaker
	}
	if want.DeploymentCircuitBreaker != nil {
		wcb = *want.DeploymentCircuitBreaker
	}
	if hcb.Enable != wcb.Enable || hcb.Rollback != wcb.Rollback {
		return false
	}
	if want.MaximumPercent != nil && aws.ToInt32(have.MaximumPercent) != aws.ToInt32(want.MaximumPercent) {
		return false
	}
	if want.MinimumHealthyPercent != nil && aws.ToInt32(have.MinimumHealthyPercent) != aws.ToInt32(want.MinimumHealthyPercent) {
		return false
	}
	alarms := func(a *ecstypes.DeploymentAlarms) string {
		if a == nil || !a.Enable || len(a.AlarmNames) == 0 {
			return ""
		}
		return fmt.Sprintf("%v|%v", normalizedSet(a.AlarmNames), a.Rollback)
	}
	return alarms(have.Alarms) == alarms(want.Alarms)
}

func serviceNetwork(p *composite.ServiceProps) *ecstypes.NetworkConfiguration {
	if len(p.Subnets) == 0 {
		return nil
	}
	assign := ecstypes.AssignPublicIpDisabled
	if p.AssignPublicIP {
		assign = ecstypes.AssignPublicIpEnabled
	}
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets:        p.Subnets,
		SecurityGroups: p.SecurityGroups,
		AssignPublicIp: assign,
	}}
}

func serviceLoadBalancers(p *composite.ServiceProps) []ecstypes.LoadBalancer {
	var lbs []ecstypes.LoadBalancer
	for _, lb := range p.LoadBalancers {
		lbs = append(lbs, ecstypes.LoadBalancer{
			TargetGroupArn: aws.String(lb.TargetGroupARN),
			ContainerName:  aws.String(lb.ContainerName),
			ContainerPort:  aws.Int32(lb.ContainerPort),
		})
	}
	return lbs
}

func serviceRegistries(p *composite.ServiceProps) []ecstypes.ServiceRegistry {
	var regs []ecstypes.ServiceRegistry
	for _, r := range p.ServiceRegistries {
		reg := ecstypes.ServiceRegistry{RegistryArn: aws.String(r.RegistryARN)}
		if r.ContainerName != "" {
			reg.ContainerName = aws.String(r.ContainerName)
		}
		if r.ContainerPort > 0 {
			reg.ContainerPort = aws.Int32(r.ContainerPort)
		}
		regs = append(regs, reg)
	}
	return regs
}

func serviceDeploymentConfiguration(p *composite.ServiceProps) *ecstypes.DeploymentConfiguration {
	dc := &ecstypes.DeploymentConfiguration{
		DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{
			Enable:   p.CircuitBreaker,
			Rollback: p.CircuitBreakerRollback,
		},
	}
	if p.MaximumPercent > 0 {
		dc.MaximumPercent = aws.Int32(p.MaximumPercent)
		dc.MinimumHealthyPercent = aws.Int32(p.MinimumHealthyPercent)
	}
	// Always sent: alarms removed from the configuration are turned off
	// (an UpdateService without alarms keeps the service's).
	dc.Alarms = &ecstypes.DeploymentAlarms{AlarmNames: []string{}, Enable: false, Rollback: false}
	if len(p.Alarms) > 0 {
		dc.Alarms = &ecstypes.DeploymentAlarms{AlarmNames: append([]string{}, p.Alarms...), Enable: true, Rollback: p.AlarmsRollback}
	}
	return dc
}

// AttrRedeployToken is the ECS service output carrying the digest of the
// deployment.redeploy_triggers its last deployment was started with (see
// composite.ServiceProps.RedeployToken); Observe carries it forward.
const AttrRedeployToken = "redeploy_token"

// setRedeployToken sets AttrRedeployToken in outputs (removes it for "").
func setRedeployToken(outputs map[string]string, token string) {
	if outputs == nil {
		return
	}
	if token == "" {
		delete(outputs, AttrRedeployToken)
		return
	}
	outputs[AttrRedeployToken] = token
}

// clusterDefaultStrategy returns the default capacity provider strategy of
// the cluster (empty when it has none), in one DescribeClusters call; a
// cluster not visible yet (created moments ago) is retried for up to
// ClusterPropagationTimeout.
func (h *ECSServiceHandler) clusterDefaultStrategy(ctx context.Context, cluster string) ([]ecstypes.CapacityProviderStrategyItem, error) {
	var def []ecstypes.CapacityProviderStrategyItem
	err := RetryOn(ctx, ClusterPropagationTimeout, func(err error) bool { return errors.Is(err, ErrNotFound) }, func(ctx context.Context) error {
		out, err := h.api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{firstNonEmpty(cluster, "default")}})
		if err != nil {
			return err
		}
		for _, c := range out.Clusters {
			if aws.ToString(c.Status) != "INACTIVE" {
				def = c.DefaultCapacityProviderStrategy
				return nil
			}
		}
		return fmt.Errorf("describing ECS cluster %q: %w", cluster, ErrNotFound)
	})
	return def, err
}

// serviceClientToken is the CreateService idempotency token: deterministic
// from cluster, name and task definition, so that a retried call cannot
// create a second service. An earlier (INACTIVE) service of the same name
// contributes its creation time, so recreating it is a new request.
func serviceClientToken(cluster, name, taskDefinition string, previous *ecstypes.Service) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", cluster, name, taskDefinition)
	if previous != nil && previous.CreatedAt != nil {
		fmt.Fprintf(h, "\x00%d", previous.CreatedAt.UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))[:32] // ECS allows up to 36 ASCII characters
}

func serviceCreateRetryTimeout() time.Duration {
	return max(IAMPropagationTimeout, TargetGroupAssocTimeout)
}

// isServiceEventualConsistency matches CreateService/UpdateService errors
// that clear up once IAM or ELBv2 caught up.
func isServiceEventualConsistency(err error) bool {
	return errorMessageContains(err, []string{errCodeInvalidParameter},
		"does not have an associated load balancer",
		"verify that the ECS service role being passed has the proper permissions",
		"Unable to assume the service linked role",
		"Unable to assume role",
	)
}

// isServiceNameNotReleased matches CreateService's refusal of a name an
// ACTIVE or DRAINING service holds: AWS answers InvalidParameterException
// "Creation of service was not idempotent." (DeleteService: "If you attempt
// to create a new service with the same name as an existing service in
// either ACTIVE or DRAINING status, you receive an error.").
func isServiceNameNotReleased(err error) bool {
	return errorMessageContains(err, []string{errCodeInvalidParameter}, "Creation of service was not idempotent")
}

// isServiceDeleteInProgress matches DeleteService errors raised while the
// scale-in to 0 is still being applied.
func isServiceDeleteInProgress(err error) bool {
	return errorMessageContains(err, []string{errCodeInvalidParameter},
		"cannot be stopped while deployments are active",
		"cannot be stopped while it is scaled above 0",
	)
}

// serviceIdentity returns the cluster and the service (ARN, else name) of a
// recorded service. The cluster is the record's (rec.Cluster), else the one
// of a long-format service ARN (service/<cluster>/<name>).
func serviceIdentity(rec composite.Recorded) (cluster, service string) {
	service = firstNonEmpty(rec.ARN, recordedOutput(rec, composite.AttrName), rec.Name)
	cluster = rec.Cluster
	if cluster == "" {
		if parts := strings.Split(arnResource(rec.ARN), "/"); len(parts) == 3 {
			cluster = parts[1]
		}
	}
	return cluster, service
}

// matchService returns the service named (or with ARN) id.
func matchService(services []ecstypes.Service, id string) *ecstypes.Service {
	for i := range services {
		s := &services[i]
		if aws.ToString(s.ServiceArn) == id || aws.ToString(s.ServiceName) == id || aws.ToString(s.ServiceName) == lastSegment(id) {
			return s
		}
	}
	return nil
}

func serviceOutputs(svc *ecstypes.Service) map[string]string {
	return map[string]string{
		composite.AttrARN:  aws.ToString(svc.ServiceArn),
		composite.AttrName: aws.ToString(svc.ServiceName),
	}
}
