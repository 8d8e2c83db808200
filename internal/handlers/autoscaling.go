package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// The scaler of an autoscaled service: the Application Auto Scaling
// scalable target of its ECS service (composite.KindScalableTarget), its
// target-tracking policies (KindScalingPolicy) and scheduled actions
// (KindScheduledAction). The policies and scheduled actions are identified
// by their name and the target's resource id, which their records keep in
// the "id" output.

const (
	errCodeObjectNotFound        = "ObjectNotFoundException"
	errCodeFailedResourceAccess  = "FailedResourceAccessException"
	errCodeScalingValidation     = "ValidationException"
	errCodeScalingConcurrentEdit = "ConcurrentUpdateException"
)

// ScalingPropagationTimeout bounds the retries of a scaler call that AWS
// refuses while what it names is not visible yet: RegisterScalableTarget
// right after CreateService ("ECS service doesn't exist"), PutScalingPolicy
// and PutScheduledAction right after RegisterScalableTarget
// (ObjectNotFoundException), the service-linked role Application Auto
// Scaling creates on first use (FailedResourceAccessException), and
// ConcurrentUpdateException. A variable so tests can shorten it.
var ScalingPropagationTimeout = 2 * time.Minute

// ScalingAPI is the part of *applicationautoscaling.Client the scaler's
// handlers use.
type ScalingAPI interface {
	RegisterScalableTarget(ctx context.Context, in *applicationautoscaling.RegisterScalableTargetInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.RegisterScalableTargetOutput, error)
	DescribeScalableTargets(ctx context.Context, in *applicationautoscaling.DescribeScalableTargetsInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error)
	DeregisterScalableTarget(ctx context.Context, in *applicationautoscaling.DeregisterScalableTargetInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeregisterScalableTargetOutput, error)
	PutScalingPolicy(ctx context.Context, in *applicationautoscaling.PutScalingPolicyInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.PutScalingPolicyOutput, error)
	DescribeScalingPolicies(ctx context.Context, in *applicationautoscaling.DescribeScalingPoliciesInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalingPoliciesOutput, error)
	DeleteScalingPolicy(ctx context.Context, in *applicationautoscaling.DeleteScalingPolicyInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeleteScalingPolicyOutput, error)
	PutScheduledAction(ctx context.Context, in *applicationautoscaling.PutScheduledActionInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.PutScheduledActionOutput, error)
	DescribeScheduledActions(ctx context.Context, in *applicationautoscaling.DescribeScheduledActionsInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScheduledActionsOutput, error)
	DeleteScheduledAction(ctx context.Context, in *applicationautoscaling.DeleteScheduledActionInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeleteScheduledActionOutput, error)
	TagResource(ctx context.Context, in *applicationautoscaling.TagResourceInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.TagResourceOutput, error)
}

var _ ScalingAPI = (*applicationautoscaling.Client)(nil)

// scalingGone reports an answer that means "no such target, policy or
// scheduled action": AWS's ObjectNotFoundException, or the
// ValidationException "No scalable target found ..." / "No scaling policy
// found ..." some endpoints (the emulator among them) give instead.
func scalingGone(err error) bool {
	if IsNotFound(err, errCodeObjectNotFound) {
		return true
	}
	var msg string
	if err != nil {
		msg = err.Error()
	}
	return ErrorCode(err) == errCodeScalingValidation && (strings.Contains(msg, "No scalable target") ||
		strings.Contains(msg, "No scaling policy") || strings.Contains(msg, "No scheduled action"))
}

// scalingPropagating is the retryable set of ScalingPropagationTimeout.
func scalingPropagating(err error) bool {
	switch ErrorCode(err) {
	case errCodeObjectNotFound, errCodeFailedResourceAccess, errCodeScalingConcurrentEdit:
		return true
	case errCodeScalingValidation:
		return strings.Contains(err.Error(), "doesn't exist") || strings.Contains(err.Error(), "does not exist")
	}
	return false
}

func scalingRetry(ctx context.Context, fn func(context.Context) error) error {
	return RetryOn(ctx, ScalingPropagationTimeout, scalingPropagating, fn)
}

// ScalableTargetHandler manages composite.KindScalableTarget children.
type ScalableTargetHandler struct{ api ScalingAPI }

var (
	_ engine.Handler = (*ScalableTargetHandler)(nil)
	_ engine.Finder  = (*ScalableTargetHandler)(nil)
)

// NewScalableTargetHandler returns a handler for the scalable targets of
// ECS services.
func NewScalableTargetHandler(api ScalingAPI) *ScalableTargetHandler {
	return &ScalableTargetHandler{api: api}
}

// Create registers the service's desired count as a scalable target with
// its range and tags (RegisterScalableTarget takes the tags only when it
// registers). Registering an existing target updates it, so a Create after
// a lost answer converges. Calls: RegisterScalableTarget (retried while
// the new ECS service is not visible to Application Auto Scaling).
func (h *ScalableTargetHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ScalableTargetProps](c)
	if err != nil {
		return nil, err
	}
	return h.register(ctx, p, p.Tags)
}

func (h *ScalableTargetHandler) register(ctx context.Context, p *composite.ScalableTargetProps, tags map[string]string) (map[string]string, error) {
	in := &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceId:        aws.String(p.ResourceID),
		ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
		MinCapacity:       aws.Int32(p.MinCapacity),
		MaxCapacity:       aws.Int32(p.MaxCapacity),
	}
	if len(tags) > 0 {
		in.Tags = tags
	}
	var out *applicationautoscaling.RegisterScalableTargetOutput
	err := scalingRetry(ctx, func(ctx context.Context) error {
		var err error
		out, err = h.api.RegisterScalableTarget(ctx, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registering scalable target %s (%d to %d tasks): %w", p.ResourceID, p.MinCapacity, p.MaxCapacity, err)
	}
	return map[string]string{composite.AttrID: p.ResourceID, composite.AttrARN: aws.ToString(out.ScalableTargetARN)}, nil
}

// Observe reads the target (DescribeScalableTargets). Its tags are not read:
// Application Auto Scaling returns them only through ListTagsForResource.
func (h *ScalableTargetHandler) Observe(ctx context.Context, rec composite.Recorded, _ bool) (composite.Observed, bool, error) {
	rid := firstNonEmpty(recordedOutput(rec, composite.AttrID), rec.Name)
	out, err := h.api.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceIds:       []string{rid},
		ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
	})
	if scalingGone(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, fmt.Errorf("describing scalable target %s: %w", rid, err)
	}
	for _, t := range out.ScalableTargets {
		if aws.ToString(t.ResourceId) != rid {
			continue
		}
		return composite.Observed{
			Props: &composite.ScalableTargetProps{
				ResourceID: rid, MinCapacity: aws.ToInt32(t.MinCapacity), MaxCapacity: aws.ToInt32(t.MaxCapacity),
			},
			Outputs: map[string]string{composite.AttrID: rid, composite.AttrARN: aws.ToString(t.ScalableTargetARN)},
		}, true, nil
	}
	return composite.Observed{}, false, nil
}

// Update registers the target again with the new range (RegisterScalableTarget
// updates an existing target) and tags it. A tagging failure is a warning,
// not an error: the emulator, and partitions where Application Auto Scaling
// tagging is not available, refuse TagResource. Tags are added, never
// removed (removing needs ListTagsForResource, which the same endpoints
// refuse).
func (h *ScalableTargetHandler) Update(ctx context.Context, c composite.Child, _ composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.ScalableTargetProps](c)
	if err != nil {
		return nil, err
	}
	outputs, err := h.register(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	if arn := outputs[composite.AttrARN]; arn != "" && len(p.Tags) > 0 {
		// One attempt: an endpoint without tagging answers HTTP 500, which
		// the SDK would otherwise retry for minutes.
		noRetry := func(o *applicationautoscaling.Options) { o.RetryMaxAttempts = 1 }
		if _, err := h.api.TagResource(ctx, &applicationautoscaling.TagResourceInput{ResourceARN: aws.String(arn), Tags: p.Tags}, noRetry); err != nil {
			engine.Warn(ctx, fmt.Sprintf("Scalable target %s not tagged", p.ResourceID),
				fmt.Sprintf("Application Auto Scaling refused TagResource (%v); the target works, its tags are not converged.", err))
		}
	}
	return outputs, nil
}

// Delete deregisters the target; AWS deletes its remaining policies and
// scheduled actions with it. A target already gone is fine.
func (h *ScalableTargetHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	rid := firstNonEmpty(recordedOutput(rec, composite.AttrID), rec.Name)
	err := scalingRetry(ctx, func(ctx context.Context) error {
		_, err := h.api.DeregisterScalableTarget(ctx, &applicationautoscaling.DeregisterScalableTargetInput{
			ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
			ResourceId:        aws.String(rid),
			ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
		})
		if scalingGone(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("deregistering scalable target %s: %w", rid, err)
	}
	return nil
}

// Find looks the target up by the service's resource id (q.ID). The
// resource id names this composite's ECS service, so the target is its by
// that reference (targets carry no tags a Describe call returns).
func (h *ScalableTargetHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	rid := firstNonEmpty(q.ID, q.Name)
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindScalableTarget, Name: rid}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	obs.Full = true
	return lookupRecord(q, composite.KindScalableTarget, rid, obs), obs, true, nil
}

// ScalingPolicyHandler manages composite.KindScalingPolicy children.
type ScalingPolicyHandler struct{ api ScalingAPI }

var (
	_ engine.Handler = (*ScalingPolicyHandler)(nil)
	_ engine.Finder  = (*ScalingPolicyHandler)(nil)
)

// NewScalingPolicyHandler returns a handler for target-tracking policies.
func NewScalingPolicyHandler(api ScalingAPI) *ScalingPolicyHandler {
	return &ScalingPolicyHandler{api: api}
}

// Create puts the policy (PutScalingPolicy creates or replaces a policy of
// that name, so a Create after a lost answer converges). Calls:
// PutScalingPolicy, retried while the new target is not visible.
func (h *ScalingPolicyHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ScalingPolicyProps](c)
	if err != nil {
		return nil, err
	}
	outputs := map[string]string{composite.AttrName: p.Name, composite.AttrID: p.ResourceID}
	spec := &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricType(p.MetricType)}
	if label := p.ResourceLabel(); label != "" {
		spec.ResourceLabel = aws.String(label)
	}
	in := &applicationautoscaling.PutScalingPolicyInput{
		PolicyName:        aws.String(p.Name),
		ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceId:        aws.String(p.ResourceID),
		ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
		PolicyType:        aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue:                   aws.Float64(float64(p.TargetValue)),
			PredefinedMetricSpecification: spec,
			ScaleInCooldown:               aws.Int32(p.ScaleInCooldown),
			ScaleOutCooldown:              aws.Int32(p.ScaleOutCooldown),
		},
	}
	var out *applicationautoscaling.PutScalingPolicyOutput
	err = scalingRetry(ctx, func(ctx context.Context) error {
		var err error
		out, err = h.api.PutScalingPolicy(ctx, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("putting scaling policy %q (%s %d) of %s: %w", p.Name, p.MetricType, p.TargetValue, p.ResourceID, err)
	}
	outputs[composite.AttrARN] = aws.ToString(out.PolicyARN)
	return outputs, nil
}

// Update puts the policy again: PutScalingPolicy replaces it.
func (h *ScalingPolicyHandler) Update(ctx context.Context, c composite.Child, _ composite.Recorded) (map[string]string, error) {
	return h.Create(ctx, c)
}

// Observe reads the policy (DescribeScalingPolicies by name).
func (h *ScalingPolicyHandler) Observe(ctx context.Context, rec composite.Recorded, _ bool) (composite.Observed, bool, error) {
	name, rid := scalingChildID(rec)
	out, err := h.api.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
		ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceId:        aws.String(rid),
		ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
		PolicyNames:       []string{name},
	})
	if scalingGone(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, fmt.Errorf("describing scaling policy %q of %s: %w", name, rid, err)
	}
	for _, p := range out.ScalingPolicies {
		if aws.ToString(p.PolicyName) != name || aws.ToString(p.ResourceId) != rid {
			continue
		}
		props := &composite.ScalingPolicyProps{Name: name, ResourceID: rid}
		if cfg := p.TargetTrackingScalingPolicyConfiguration; cfg != nil {
			props.TargetValue = int64(math.Round(aws.ToFloat64(cfg.TargetValue)))
			props.ScaleInCooldown, props.ScaleOutCooldown = aws.ToInt32(cfg.ScaleInCooldown), aws.ToInt32(cfg.ScaleOutCooldown)
			if m := cfg.PredefinedMetricSpecification; m != nil {
				props.MetricType = string(m.PredefinedMetricType)
				if label := aws.ToString(m.ResourceLabel); label != "" {
					// app/<lb>/<id>/targetgroup/<tg>/<id>
					lb, tg, _ := strings.Cut(label, "/targetgroup/")
					props.LoadBalancerLabel, props.TargetGroupARN = lb, "targetgroup/"+tg
				}
			}
		}
		return composite.Observed{Props: props, Outputs: map[string]string{
			composite.AttrARN: aws.ToString(p.PolicyARN), composite.AttrName: name, composite.AttrID: rid,
		}}, true, nil
	}
	return composite.Observed{}, false, nil
}

// Delete deletes the policy; one already gone (with its target) is fine.
func (h *ScalingPolicyHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	return deleteScalingChild(ctx, rec, "scaling policy", func(ctx context.Context, name, rid string) error {
		_, err := h.api.DeleteScalingPolicy(ctx, &applicationautoscaling.DeleteScalingPolicyInput{
			PolicyName:        aws.String(name),
			ServiceNamespace:  aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
			ResourceId:        aws.String(rid),
			ScalableDimension: aastypes.ScalableDimension(composite.ScalableDimensionECS),
		})
		return err
	})
}

// Find looks the policy up by its name (q.Name) on the target q.ID.
func (h *ScalingPolicyHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	return findScalingChild(ctx, q, composite.KindScalingPolicy, h.Observe)
}

// ScheduledActionHandler manages composite.KindScheduledAction children.
type ScheduledActionHandler struct{ api ScalingAPI }

var _ engine.Handler = (*ScheduledActionHandler)(nil)

// NewScheduledActionHandler returns a handler for scheduled actions.
func NewScheduledActionHandler(api ScalingAPI) *ScheduledActionHandler {
	return &ScheduledActionHandler{api: api}
}

// Create puts the scheduled action (PutScheduledAction creates or replaces
// one of that name). Calls: PutScheduledAction, DescribeScheduledActions
// (for its ARN, which PutScheduledAction does not return).
func (h *ScheduledActionHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ScheduledActionProps](c)
	if err != nil {
		return nil, err
	}
	outputs := map[string]string{composite.AttrName: p.Name, composite.AttrID: p.ResourceID}
	in := &applicationautoscaling.PutScheduledActionInput{
		ScheduledActionName:  aws.String(p.Name),
		ServiceNamespace:     aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceId:           aws.String(p.ResourceID),
		ScalableDimension:    aastypes.ScalableDimension(composite.ScalableDimensionECS),
		Schedule:             aws.String(p.Schedule),
		Timezone:             aws.String(p.Timezone),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: p.MinCapacity, MaxCapacity: p.MaxCapacity},
	}
	err = scalingRetry(ctx, func(ctx context.Context) error {
		_, err := h.api.PutScheduledAction(ctx, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("putting scheduled action %q (%s) of %s: %w", p.Name, p.Schedule, p.ResourceID, err)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Name: p.Name, Outputs: outputs}, false)
	if err != nil {
		return outputs, err
	}
	if !found {
		return outputs, fmt.Errorf("scheduled action %q of %s: not found after PutScheduledAction: %w", p.Name, p.ResourceID, ErrNotFound)
	}
	return obs.Outputs, nil
}

// Update puts the scheduled action again: PutScheduledAction replaces it.
func (h *ScheduledActionHandler) Update(ctx context.Context, c composite.Child, _ composite.Recorded) (map[string]string, error) {
	return h.Create(ctx, c)
}

// Observe reads the scheduled action (DescribeScheduledActions by name).
func (h *ScheduledActionHandler) Observe(ctx context.Context, rec composite.Recorded, _ bool) (composite.Observed, bool, error) {
	name, rid := scalingChildID(rec)
	out, err := h.api.DescribeScheduledActions(ctx, &applicationautoscaling.DescribeScheduledActionsInput{
		ServiceNamespace:     aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
		ResourceId:           aws.String(rid),
		ScalableDimension:    aastypes.ScalableDimension(composite.ScalableDimensionECS),
		ScheduledActionNames: []string{name},
	})
	if scalingGone(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, fmt.Errorf("describing scheduled action %q of %s: %w", name, rid, err)
	}
	for _, a := range out.ScheduledActions {
		if aws.ToString(a.ScheduledActionName) != name || aws.ToString(a.ResourceId) != rid {
			continue
		}
		props := &composite.ScheduledActionProps{
			Name: name, ResourceID: rid, Schedule: aws.ToString(a.Schedule), Timezone: aws.ToString(a.Timezone),
		}
		if act := a.ScalableTargetAction; act != nil {
			props.MinCapacity, props.MaxCapacity = act.MinCapacity, act.MaxCapacity
		}
		return composite.Observed{Props: props, Outputs: map[string]string{
			composite.AttrARN: aws.ToString(a.ScheduledActionARN), composite.AttrName: name, composite.AttrID: rid,
		}}, true, nil
	}
	return composite.Observed{}, false, nil
}

// Delete deletes the scheduled action; one already gone is fine.
func (h *ScheduledActionHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	return deleteScalingChild(ctx, rec, "scheduled action", func(ctx context.Context, name, rid string) error {
		_, err := h.api.DeleteScheduledAction(ctx, &applicationautoscaling.DeleteScheduledActionInput{
			ScheduledActionName: aws.String(name),
			ServiceNamespace:    aastypes.ServiceNamespace(composite.ScalingNamespaceECS),
			ResourceId:          aws.String(rid),
			ScalableDimension:   aastypes.ScalableDimension(composite.ScalableDimensionECS),
		})
		return err
	})
}

// deleteScalingChild deletes the policy or scheduled action rec names with
// del, retried like every scaler call; one already gone is fine.
func deleteScalingChild(ctx context.Context, rec composite.Recorded, what string, del func(ctx context.Context, name, rid string) error) error {
	name, rid := scalingChildID(rec)
	if rid == "" {
		return fmt.Errorf("deleting %s %q: the record names no scalable target", what, name)
	}
	err := scalingRetry(ctx, func(ctx context.Context) error {
		if err := del(ctx, name, rid); !scalingGone(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting %s %q of %s: %w", what, name, rid, err)
	}
	return nil
}

// scalingChildID returns the name and target resource id of a policy or
// scheduled action from its record: the name and id outputs, else the
// record's name and the resource id its ARN carries
// ("...:resource/ecs/<resource id>:policyName/<name>").
func scalingChildID(rec composite.Recorded) (name, rid string) {
	name = firstNonEmpty(recordedOutput(rec, composite.AttrName), rec.Name)
	rid = recordedOutput(rec, composite.AttrID)
	if rid == "" {
		if _, rest, ok := strings.Cut(rec.ARN, ":resource/ecs/"); ok {
			rid, _, _ = strings.Cut(rest, ":")
		}
	}
	return name, rid
}

func findScalingChild(ctx context.Context, q composite.Lookup, kind composite.Kind,
	observe func(context.Context, composite.Recorded, bool) (composite.Observed, bool, error)) (composite.Recorded, composite.Observed, bool, error) {
	if q.Name == "" || q.ID == "" {
		return composite.Recorded{}, composite.Observed{}, false, errors.New("looking up " + q.Key + ": no name or scalable target")
	}
	obs, found, err := observe(ctx, composite.Recorded{Key: q.Key, Kind: kind, Name: q.Name,
		Outputs: map[string]string{composite.AttrName: q.Name, composite.AttrID: q.ID}}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	obs.Full = true
	return lookupRecord(q, kind, q.Name, obs), obs, true, nil
}
