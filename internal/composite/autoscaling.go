package composite

// Autoscaling of containerapp_service: the autoscaling block, its defaults,
// validation, expansion (an Application Auto Scaling scalable target, one
// target-tracking policy per metric, one scheduled action per schedule) and
// its inverse for import.
//
// With autoscaling the service's desired count belongs to the scaler:
// desired_count is the count the ECS service is created with, the live count
// is not drift (the ECS service's drift view leaves it out, see
// driftECSService and ObservedView), and an update sends a desired count only
// to bring the live one inside the new [min_count, max_count] (the handler
// clamps, see ServiceProps.Scaling).

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // schedule time zones are validated without the host's zoneinfo
)

// The scaler's child kinds.
const (
	KindScalableTarget  Kind = "aws_appautoscaling_target"
	KindScalingPolicy   Kind = "aws_appautoscaling_policy"
	KindScheduledAction Kind = "aws_appautoscaling_scheduled_action"
)

// The scaler's child keys: the target, one policy per metric, and
// KeyScheduledActionPrefix + the schedule's name per schedule.
const (
	KeyScalableTarget        = "scalable_target"
	KeyScalingPolicyCPU      = "scaling_policy_cpu"
	KeyScalingPolicyMemory   = "scaling_policy_memory"
	KeyScalingPolicyRequests = "scaling_policy_requests"
	KeyScheduledActionPrefix = "scheduled_action_"
)

// Application Auto Scaling's fixed values for an ECS service.
const (
	ScalingNamespaceECS  = "ecs"
	ScalableDimensionECS = "ecs:service:DesiredCount"

	MetricCPU      = "ECSServiceAverageCPUUtilization"
	MetricMemory   = "ECSServiceAverageMemoryUtilization"
	MetricRequests = "ALBRequestCountPerTarget"
)

// Defaults of the autoscaling block. The cooldowns are terraform-aws-modules'
// (scale in slowly, out quickly); AWS's own default for ECS is 300 both ways.
const (
	DefaultScaleInCooldown  = 300
	DefaultScaleOutCooldown = 60
	DefaultScheduleTimezone = "UTC"
	maxScalingCount         = 5000 // ECS: tasks per service
	maxScalingCooldown      = 3600 * 24
	maxSchedules            = 50
)

// AutoscalingSpec is the autoscaling block.
type AutoscalingSpec struct {
	MinCount          *int64                  `json:"min_count,omitempty"`
	MaxCount          *int64                  `json:"max_count,omitempty"`
	CPUTarget         *int64                  `json:"cpu_target,omitempty"`          // percent
	MemoryTarget      *int64                  `json:"memory_target,omitempty"`       // percent
	RequestsPerTarget *int64                  `json:"requests_per_target,omitempty"` // ALB requests per task per minute
	ScaleInCooldown   *int64                  `json:"scale_in_cooldown,omitempty"`   // seconds
	ScaleOutCooldown  *int64                  `json:"scale_out_cooldown,omitempty"`  // seconds
	Schedules         map[string]ScheduleSpec `json:"schedules,omitempty"`
}

// ScheduleSpec is one entry of autoscaling.schedules: a scheduled action
// that sets the scaler's range at the given times.
type ScheduleSpec struct {
	Schedule string `json:"schedule"`           // cron(...), rate(...) or at(...)
	Timezone string `json:"timezone,omitempty"` // IANA name, default UTC
	MinCount *int64 `json:"min_count,omitempty"`
	MaxCount *int64 `json:"max_count,omitempty"`
}

// ScalingRange is, on an autoscaled ECS service, the scaler's range: the
// service's desired count is the scaler's, not drift (see ServiceProps).
type ScalingRange struct {
	Min int32 `json:"min"`
	Max int32 `json:"max"`
}

// ScalableTargetProps: RegisterScalableTarget of an ECS service.
type ScalableTargetProps struct {
	ResourceID  string `json:"resource_id"` // service/<cluster>/<service>
	MinCapacity int32  `json:"min_capacity"`
	MaxCapacity int32  `json:"max_capacity"`
	// ServiceARN is "${service.arn}": the target is registered after the
	// ECS service exists (Application Auto Scaling checks it). Not sent.
	ServiceARN string            `json:"service_arn"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// ScalingPolicyProps: a target-tracking PutScalingPolicy.
type ScalingPolicyProps struct {
	Name       string `json:"name"`
	ResourceID string `json:"resource_id"`
	// Target is "${scalable_target.id}": the policy is put after the target
	// is registered. Not sent.
	Target      string `json:"target"`
	MetricType  string `json:"metric_type"`
	TargetValue int64  `json:"target_value"`
	// For ALBRequestCountPerTarget: the resource label is
	// "<LoadBalancerLabel>/<the target group ARN's targetgroup/... part>".
	LoadBalancerLabel string `json:"load_balancer_label,omitempty"` // app/<name>/<id>
	TargetGroupARN    string `json:"target_group_arn,omitempty"`    // "${target_group.arn}"
	ScaleInCooldown   int32  `json:"scale_in_cooldown"`
	ScaleOutCooldown  int32  `json:"scale_out_cooldown"`
}

// ResourceLabel is the policy's predefined metric resource label ("" for
// the metrics that take none).
func (p *ScalingPolicyProps) ResourceLabel() string {
	if p.LoadBalancerLabel == "" {
		return ""
	}
	tg := p.TargetGroupARN
	if i := strings.Index(tg, ":targetgroup/"); i >= 0 {
		tg = tg[i+1:]
	}
	return p.LoadBalancerLabel + "/" + tg
}

// ScheduledActionProps: PutScheduledAction on the service's target.
type ScheduledActionProps struct {
	Name        string `json:"name"`
	ResourceID  string `json:"resource_id"`
	Target      string `json:"target"` // "${scalable_target.id}", not sent
	Schedule    string `json:"schedule"`
	Timezone    string `json:"timezone"`
	MinCapacity *int32 `json:"min_capacity,omitempty"`
	MaxCapacity *int32 `json:"max_capacity,omitempty"`
}

// ScalingResourceID is Application Auto Scaling's id of an ECS service.
func ScalingResourceID(cluster, service string) string {
	return "service/" + ClusterName(cluster) + "/" + ECSServiceName(service)
}

// ScalingPolicyName is the name of the target-tracking policy of a metric
// (unique per scalable target).
func ScalingPolicyName(metric string) string {
	switch metric {
	case MetricCPU:
		return "containerapp-cpu"
	case MetricMemory:
		return "containerapp-memory"
	default:
		return "containerapp-requests"
	}
}

// ScheduledActionName is the name of the scheduled action of a schedule.
func ScheduledActionName(schedule string) string { return "containerapp-" + schedule }

// ScalingPolicyKeys are the policy keys and metrics, in key order.
var ScalingPolicyKeys = []struct{ Key, Metric string }{
	{KeyScalingPolicyCPU, MetricCPU},
	{KeyScalingPolicyMemory, MetricMemory},
	{KeyScalingPolicyRequests, MetricRequests},
}

func (a *AutoscalingSpec) applyDefaults() {
	setInt(&a.ScaleInCooldown, DefaultScaleInCooldown)
	setInt(&a.ScaleOutCooldown, DefaultScaleOutCooldown)
	for name, sc := range a.Schedules {
		if sc.Timezone == "" {
			sc.Timezone = DefaultScheduleTimezone
			a.Schedules[name] = sc
		}
	}
}

var (
	scheduleNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// Application Auto Scaling's schedule expressions: at(yyyy-mm-ddThh:mm:ss),
	// rate(value unit), cron(minutes hours day-of-month month day-of-week year).
	scheduleAtRe   = regexp.MustCompile(`^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$`)
	scheduleRateRe = regexp.MustCompile(`^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$`)
	scheduleCronRe = regexp.MustCompile(`^cron\(([^()]+)\)$`)
	cronFieldRe    = regexp.MustCompile(`^[0-9A-Za-z*?,/#L\-]+$`)
)

func (v *validator) autoscaling(s *ServiceSpec) {
	a := s.Autoscaling
	root := AttrPath("autoscaling")
	p := func(n string) []PathStep { return at(root, AttrStep(n)) }
	switch {
	case a.MinCount == nil:
		v.add(p("min_count"), "Missing min_count", "autoscaling needs min_count")
	case a.MaxCount == nil:
		v.add(p("max_count"), "Missing max_count", "autoscaling needs max_count")
	default:
		v.intRange(p("min_count"), a.MinCount, 0, maxScalingCount, "Invalid min_count")
		v.intRange(p("max_count"), a.MaxCount, 1, maxScalingCount, "Invalid max_count")
		if *a.MinCount > *a.MaxCount {
			v.add(p("max_count"), "Invalid autoscaling range", "max_count (%d) must not be less than min_count (%d)", *a.MaxCount, *a.MinCount)
		}
	}
	v.intRange(p("cpu_target"), a.CPUTarget, 1, 100, "Invalid cpu_target")
	v.intRange(p("memory_target"), a.MemoryTarget, 1, 100, "Invalid memory_target")
	v.intRange(p("requests_per_target"), a.RequestsPerTarget, 1, 1000000, "Invalid requests_per_target")
	if a.RequestsPerTarget != nil && s.LoadBalancer == nil {
		v.add(p("requests_per_target"), "requests_per_target without a load balancer",
			"ALBRequestCountPerTarget scaling counts the requests of the service's target group: set load_balancer, or scale on cpu_target or memory_target")
	}
	v.intRange(p("scale_in_cooldown"), a.ScaleInCooldown, 0, maxScalingCooldown, "Invalid scale_in_cooldown")
	v.intRange(p("scale_out_cooldown"), a.ScaleOutCooldown, 0, maxScalingCooldown, "Invalid scale_out_cooldown")
	if a.CPUTarget == nil && a.MemoryTarget == nil && a.RequestsPerTarget == nil && len(a.Schedules) == 0 {
		v.add(root, "Autoscaling without a policy",
			"set at least one of cpu_target, memory_target, requests_per_target or schedules: without one nothing ever scales the service")
	}
	if len(a.Schedules) > maxSchedules {
		v.add(p("schedules"), "Too many schedules", "at most %d schedules, got %d", maxSchedules, len(a.Schedules))
	}
	for _, name := range sortedKeys(a.Schedules) {
		sc := a.Schedules[name]
		sp := at(p("schedules"), KeyStep(name))
		sa := func(n string) []PathStep { return at(sp, AttrStep(n)) }
		if !scheduleNameRe.MatchString(name) {
			v.add(sp, "Invalid schedule name", "%q must be 1 to 64 letters, digits, '_' or '-'", name)
		}
		if msg := checkSchedule(sc.Schedule); msg != "" {
			v.add(sa("schedule"), "Invalid schedule", "%s", msg)
		}
		if _, err := time.LoadLocation(sc.Timezone); err != nil || sc.Timezone == "Local" {
			v.add(sa("timezone"), "Invalid timezone", "%q is not an IANA time zone name (e.g. UTC, Europe/Berlin)", sc.Timezone)
		}
		if sc.MinCount == nil && sc.MaxCount == nil {
			v.add(sp, "Schedule without a range", "set min_count, max_count or both: the scheduled action sets them at the scheduled time")
		}
		v.intRange(sa("min_count"), sc.MinCount, 0, maxScalingCount, "Invalid min_count")
		v.intRange(sa("max_count"), sc.MaxCount, 0, maxScalingCount, "Invalid max_count")
		if sc.MinCount != nil && sc.MaxCount != nil && *sc.MinCount > *sc.MaxCount {
			v.add(sa("max_count"), "Invalid schedule range", "max_count (%d) must not be less than min_count (%d)", *sc.MaxCount, *sc.MinCount)
		}
	}
}

// checkSchedule returns why expr is not an Application Auto Scaling
// schedule expression ("" when it is one).
func checkSchedule(expr string) string {
	switch {
	case scheduleAtRe.MatchString(expr):
		if _, err := time.Parse("2006-01-02T15:04:05", expr[3:len(expr)-1]); err != nil {
			return fmt.Sprintf("%q: at() needs a valid date and time (yyyy-mm-ddThh:mm:ss)", expr)
		}
		return ""
	case scheduleRateRe.MatchString(expr):
		m := scheduleRateRe.FindStringSubmatch(expr)
		if (m[1] == "1") != !strings.HasSuffix(m[2], "s") {
			return fmt.Sprintf("%q: use the singular unit for 1 and the plural otherwise (rate(1 hour), rate(5 minutes))", expr)
		}
		return ""
	case scheduleCronRe.MatchString(expr):
		fields := strings.Fields(scheduleCronRe.FindStringSubmatch(expr)[1])
		if len(fields) != 6 {
			return fmt.Sprintf("%q: cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got %d", expr, len(fields))
		}
		for _, f := range fields {
			if !cronFieldRe.MatchString(f) {
				return fmt.Sprintf("%q: invalid cron field %q", expr, f)
			}
		}
		if fields[2] != "?" && fields[4] != "?" {
			return fmt.Sprintf("%q: one of day-of-month and day-of-week must be '?'", expr)
		}
		return ""
	}
	return fmt.Sprintf("%q is not a schedule expression: use cron(0 8 ? * MON-FRI *), rate(1 hour) or at(2026-12-24T18:00:00)", expr)
}

// addAutoscaling adds the scaler's children (with the autoscaling block)
// and returns the ECS service's scaling range (nil without).
func (x *expander) addAutoscaling() *ScalingRange {
	a := x.s.Autoscaling
	if a == nil {
		return nil
	}
	rid := ScalingResourceID(x.cluster, x.s.Name)
	t := &ScalableTargetProps{
		ResourceID:  rid,
		MinCapacity: int32(*a.MinCount),
		MaxCapacity: int32(*a.MaxCount),
		ServiceARN:  RefString(KeyService, AttrARN),
		Tags:        x.tags(KeyScalableTarget),
	}
	x.add(KeyScalableTarget, KindScalableTarget, rid, t, struct {
		ResourceID string `json:"resource_id"`
	}{rid})
	targets := map[string]*int64{MetricCPU: a.CPUTarget, MetricMemory: a.MemoryTarget, MetricRequests: a.RequestsPerTarget}
	for _, k := range ScalingPolicyKeys {
		v := targets[k.Metric]
		if v == nil {
			continue
		}
		p := &ScalingPolicyProps{
			Name:             ScalingPolicyName(k.Metric),
			ResourceID:       rid,
			Target:           RefString(KeyScalableTarget, AttrID),
			MetricType:       k.Metric,
			TargetValue:      *v,
			ScaleInCooldown:  int32(*a.ScaleInCooldown),
			ScaleOutCooldown: int32(*a.ScaleOutCooldown),
		}
		if k.Metric == MetricRequests {
			p.LoadBalancerLabel = LoadBalancerLabel(x.s.LoadBalancer.ListenerARN)
			p.TargetGroupARN = RefString(KeyTargetGroup, AttrARN)
		}
		x.add(k.Key, KindScalingPolicy, p.Name, p, struct {
			Name       string `json:"name"`
			ResourceID string `json:"resource_id"`
		}{p.Name, rid})
	}
	for _, name := range sortedKeys(a.Schedules) {
		sc := a.Schedules[name]
		p := &ScheduledActionProps{
			Name:       ScheduledActionName(name),
			ResourceID: rid,
			Target:     RefString(KeyScalableTarget, AttrID),
			Schedule:   sc.Schedule,
			Timezone:   sc.Timezone,
		}
		if sc.MinCount != nil {
			p.MinCapacity = Ptr(int32(*sc.MinCount))
		}
		if sc.MaxCount != nil {
			p.MaxCapacity = Ptr(int32(*sc.MaxCount))
		}
		x.add(KeyScheduledActionPrefix+name, KindScheduledAction, p.Name, p, struct {
			Name       string `json:"name"`
			ResourceID string `json:"resource_id"`
		}{p.Name, rid})
	}
	return &ScalingRange{Min: int32(*a.MinCount), Max: int32(*a.MaxCount)}
}

// LoadBalancerLabel is the "app/<name>/<id>" part of a listener's (or load
// balancer's) ARN, "" when arn is neither.
func LoadBalancerLabel(arn string) string {
	for _, marker := range []string{":listener/", ":loadbalancer/"} {
		if i := strings.Index(arn, marker); i >= 0 {
			parts := strings.Split(arn[i+len(marker):], "/")
			if len(parts) >= 3 {
				return strings.Join(parts[:3], "/")
			}
		}
	}
	return ""
}

// ClampCount brings n into the scaling range r (n itself without one).
func ClampCount(n int32, r *ScalingRange) int32 {
	if r == nil {
		return n
	}
	return min(max(n, r.Min), r.Max)
}

// invAutoscaling rebuilds the autoscaling block from the observed scalable
// target and policies (nil when the target was not observed). Schedules are
// not rebuilt: their names are the user's and a lookup finds children by a
// known key; an imported configuration's schedules are created by the next
// apply (PutScheduledAction replaces an action of the same name).
func invAutoscaling(obs map[string]Observed) *AutoscalingSpec {
	t := observedProps[ScalableTargetProps](obs, KeyScalableTarget)
	if t == nil {
		return nil
	}
	a := &AutoscalingSpec{MinCount: Ptr(int64(t.MinCapacity)), MaxCount: Ptr(int64(t.MaxCapacity))}
	var cooldowns [][2]int32
	for _, k := range ScalingPolicyKeys {
		p := observedProps[ScalingPolicyProps](obs, k.Key)
		if p == nil {
			continue
		}
		v := Ptr(p.TargetValue)
		switch k.Metric {
		case MetricCPU:
			a.CPUTarget = v
		case MetricMemory:
			a.MemoryTarget = v
		case MetricRequests:
			a.RequestsPerTarget = v
		}
		cooldowns = append(cooldowns, [2]int32{p.ScaleInCooldown, p.ScaleOutCooldown})
	}
	if len(cooldowns) > 0 {
		sort.Slice(cooldowns, func(i, j int) bool { return cooldowns[i][0] < cooldowns[j][0] })
		a.ScaleInCooldown = invUnlessInt(int64(cooldowns[0][0]), DefaultScaleInCooldown)
		a.ScaleOutCooldown = invUnlessInt(int64(cooldowns[0][1]), DefaultScaleOutCooldown)
	}
	return a
}
