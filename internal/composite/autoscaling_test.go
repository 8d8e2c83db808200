package composite

import (
	"strings"
	"testing"
)

func TestExpandService_autoscaling(t *testing.T) {
	g := mustExpand(t, goldenAutoscaledSpec())
	target := expChild(t, g, KeyScalableTarget)
	tp := target.Props.(*ScalableTargetProps)
	if target.Kind != KindScalableTarget || tp.ResourceID != "service/platform/web" || tp.MinCapacity != 2 || tp.MaxCapacity != 10 ||
		tp.ServiceARN != RefString(KeyService, AttrARN) || tp.Tags[TagKey] != KeyScalableTarget {
		t.Errorf("scalable target %+v", tp)
	}
	cpu := expChild(t, g, KeyScalingPolicyCPU).Props.(*ScalingPolicyProps)
	if cpu.MetricType != MetricCPU || cpu.TargetValue != 60 || cpu.ScaleInCooldown != DefaultScaleInCooldown ||
		cpu.ScaleOutCooldown != DefaultScaleOutCooldown || cpu.Target != RefString(KeyScalableTarget, AttrID) || cpu.ResourceLabel() != "" {
		t.Errorf("cpu policy %+v", cpu)
	}
	req := expChild(t, g, KeyScalingPolicyRequests).Props.(*ScalingPolicyProps)
	req.TargetGroupARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-1/0123456789abcdef"
	if got, want := req.ResourceLabel(), "app/shared/50dc6c495c0c9188/targetgroup/web-1/0123456789abcdef"; got != want {
		t.Errorf("resource label %q, want %q", got, want)
	}
	for _, c := range g.Children {
		if c.Key == KeyScalingPolicyMemory {
			t.Error("no memory_target, no memory policy")
		}
	}
	night := expChild(t, g, KeyScheduledActionPrefix+"night").Props.(*ScheduledActionProps)
	if night.Name != "containerapp-night" || night.Timezone != "Europe/Berlin" || night.MinCapacity != nil || *night.MaxCapacity != 2 {
		t.Errorf("scheduled action %+v", night)
	}
	svc := expChild(t, g, KeyService)
	if sp := svc.Props.(*ServiceProps); sp.Scaling == nil || *sp.Scaling != (ScalingRange{2, 10}) {
		t.Errorf("service scaling %+v", sp.Scaling)
	}

	// desired_count is the initial count only: changing it changes nothing.
	s := goldenAutoscaledSpec()
	s.DesiredCount = Ptr[int64](7)
	if other := expChild(t, mustExpand(t, s), KeyService); other.Hash != svc.Hash || other.ReplaceHash != svc.ReplaceHash {
		t.Error("a new desired_count of an autoscaled service changes the ECS service's hash")
	}
	// The range does (the handler clamps the live count into it).
	s = goldenAutoscaledSpec()
	s.Autoscaling.MaxCount = Ptr[int64](20)
	if other := expChild(t, mustExpand(t, s), KeyService); other.Hash == svc.Hash {
		t.Error("a new max_count leaves the ECS service's hash")
	}
	// The scaler goes before the service on delete, after it on create.
	if TeardownRank(KindScalingPolicy) >= TeardownRank(KindScalableTarget) || TeardownRank(KindScalableTarget) >= TeardownRank(KindECSService) {
		t.Error("teardown: policies, then the target, then the ECS service")
	}
}

func TestDrift_autoscaledDesiredCount(t *testing.T) {
	g := mustExpand(t, goldenAutoscaledSpec())
	desired := *expChild(t, g, KeyService).Props.(*ServiceProps)
	var rec Recorded
	RecordFacts(KindECSService, &desired, &rec)
	if !rec.Autoscaled {
		t.Fatal("the record of an autoscaled service says so")
	}
	live := desired
	live.Scaling, live.DesiredCount = nil, 9 // as ECS reports it after a scale-out
	want, _ := Fingerprint(KindECSService, &desired)
	if got, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &live, rec)); got != want {
		t.Error("the scaler's desired count is drift")
	}
	live.TaskDefinition = "arn:aws:ecs:us-east-1:123456789012:task-definition/platform_web:9"
	if got, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &live, rec)); got == want {
		t.Error("other fields still count")
	}
	// Without autoscaling the count is drift.
	plain := *expChild(t, mustExpand(t, goldenFullSpec()), KeyService).Props.(*ServiceProps)
	var prec Recorded
	RecordFacts(KindECSService, &plain, &prec)
	moved := plain
	moved.DesiredCount = 9
	a, _ := Fingerprint(KindECSService, &plain)
	if b, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &moved, prec)); a == b {
		t.Error("a plain service's desired count is not drift")
	}
}

func TestClampCount(t *testing.T) {
	r := &ScalingRange{Min: 2, Max: 5}
	for _, tc := range []struct{ in, want int32 }{{0, 2}, {2, 2}, {4, 4}, {9, 5}} {
		if got := ClampCount(tc.in, r); got != tc.want {
			t.Errorf("ClampCount(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if ClampCount(9, nil) != 9 {
		t.Error("no range, no clamp")
	}
}

func TestValidate_autoscaling(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*AutoscalingSpec, *ServiceSpec)
		path string
		msg  string
	}{
		{"min > max", func(a *AutoscalingSpec, _ *ServiceSpec) { a.MinCount = Ptr[int64](11) }, "autoscaling.max_count", "must not be less than min_count"},
		{"no max", func(a *AutoscalingSpec, _ *ServiceSpec) { a.MaxCount = nil }, "autoscaling.max_count", "needs max_count"},
		{"cpu range", func(a *AutoscalingSpec, _ *ServiceSpec) { a.CPUTarget = Ptr[int64](120) }, "autoscaling.cpu_target", "between 1 and 100"},
		{"memory range", func(a *AutoscalingSpec, _ *ServiceSpec) { a.MemoryTarget = Ptr[int64](0) }, "autoscaling.memory_target", "between 1 and 100"},
		{"requests without lb", func(_ *AutoscalingSpec, s *ServiceSpec) { s.LoadBalancer = nil }, "autoscaling.requests_per_target", "set load_balancer"},
		{"no policy", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.CPUTarget, a.RequestsPerTarget, a.Schedules = nil, nil, nil
		}, "autoscaling", "at least one of cpu_target"},
		{"cooldown", func(a *AutoscalingSpec, _ *ServiceSpec) { a.ScaleInCooldown = Ptr[int64](-1) }, "autoscaling.scale_in_cooldown", "between 0"},
		{"cron fields", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "cron(0 22 * * ?)", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].schedule`, "takes 6 fields"},
		{"cron ?", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "cron(0 22 * * MON *)", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].schedule`, "must be '?'"},
		{"rate unit", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "rate(5 hour)", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].schedule`, "plural"},
		{"garbage", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "every night", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].schedule`, "not a schedule expression"},
		{"at date", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "at(2026-13-01T00:00:00)", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].schedule`, "valid date"},
		{"timezone", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "rate(1 day)", Timezone: "Mars/Olympus", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].timezone`, "IANA"},
		{"schedule range", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "rate(1 day)", MinCount: Ptr[int64](3), MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["night"].max_count`, "must not be less"},
		{"schedule without counts", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["night"] = ScheduleSpec{Schedule: "rate(1 day)"}
		}, `autoscaling.schedules["night"]`, "set min_count, max_count"},
		{"schedule name", func(a *AutoscalingSpec, _ *ServiceSpec) {
			a.Schedules["no/slash"] = ScheduleSpec{Schedule: "rate(1 day)", MaxCount: Ptr[int64](1)}
		}, `autoscaling.schedules["no/slash"]`, "letters, digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := goldenAutoscaledSpec()
			tc.edit(s.Autoscaling, &s)
			errs := Validate(s)
			found := false
			for _, e := range errs {
				if PathString(e.Path) == tc.path && strings.Contains(e.Detail, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error at %s containing %q, got %v", tc.path, tc.msg, errs)
			}
		})
	}
	// The valid forms.
	for _, expr := range []string{"cron(0 8 ? * MON-FRI *)", "cron(*/15 * * * ? *)", "rate(1 hour)", "rate(10 minutes)", "at(2026-12-24T18:00:00)"} {
		s := goldenAutoscaledSpec()
		s.Autoscaling.Schedules["x"] = ScheduleSpec{Schedule: expr, MinCount: Ptr[int64](1)}
		if errs := Validate(s); len(errs) > 0 {
			t.Errorf("%s: %v", expr, errs)
		}
	}
}
