package composite

import (
	"strings"
	"testing"
)

func TestValidate_serviceCapacity(t *testing.T) {
	st := func(items ...CapacityProviderStrategySpec) []CapacityProviderStrategySpec { return items }
	for _, tc := range []struct {
		name  string
		items []CapacityProviderStrategySpec
		path  string
		msg   string
	}{
		{"empty list", []CapacityProviderStrategySpec{}, "capacity_provider_strategy", "leave capacity_provider_strategy unset"},
		{"ec2 provider", st(CapacityProviderStrategySpec{CapacityProvider: "my-asg"}), "capacity_provider_strategy[0].capacity_provider", "not a Fargate capacity provider"},
		{"missing name", st(CapacityProviderStrategySpec{}), "capacity_provider_strategy[0].capacity_provider", "required"},
		{"duplicate", st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE"}, CapacityProviderStrategySpec{CapacityProvider: "FARGATE"}),
			"capacity_provider_strategy[1].capacity_provider", "appears twice"},
		{"two bases", st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE", Base: Ptr[int64](1)}, CapacityProviderStrategySpec{CapacityProvider: "FARGATE_SPOT", Base: Ptr[int64](2)}),
			"capacity_provider_strategy[1].base", "only one provider"},
		{"no weight", st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE", Weight: Ptr[int64](0)}), "capacity_provider_strategy", "weight greater than 0"},
		{"negative weight", st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE", Weight: Ptr[int64](-1)}, CapacityProviderStrategySpec{CapacityProvider: "FARGATE_SPOT"}),
			"capacity_provider_strategy[0].weight", ""},
		{"base too large", st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE", Base: Ptr[int64](100001)}), "capacity_provider_strategy[0].base", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := goldenFullSpec()
			s.CapacityProviderStrategy = tc.items
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
	s := goldenFullSpec()
	s.CapacityProviderStrategy = st(CapacityProviderStrategySpec{CapacityProvider: "FARGATE", Base: Ptr[int64](1), Weight: Ptr[int64](0)},
		CapacityProviderStrategySpec{CapacityProvider: "FARGATE_SPOT", Weight: Ptr[int64](3)})
	if errs := Validate(s); len(errs) > 0 {
		t.Errorf("base on FARGATE, weight on Spot is valid: %v", errs)
	}
}

func TestValidate_deploymentAlarms(t *testing.T) {
	for _, tc := range []struct {
		names []string
		path  string
		msg   string
	}{
		{nil, "deployment.alarms.names", "at least one"},
		{[]string{""}, "deployment.alarms.names[0]", "1 to 255"},
		{[]string{strings.Repeat("a", 256)}, "deployment.alarms.names[0]", "1 to 255"},
		{[]string{"a,b"}, "deployment.alarms.names[0]", "comma"},
		{[]string{"a", "a"}, "deployment.alarms.names[1]", "twice"},
	} {
		s := goldenFullSpec()
		s.Deployment = &DeploymentSpec{Alarms: &DeploymentAlarmsSpec{Names: tc.names}}
		found := false
		errs := Validate(s)
		for _, e := range errs {
			if PathString(e.Path) == tc.path && strings.Contains(e.Detail, tc.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want an error at %s containing %q, got %v", tc.names, tc.path, tc.msg, errs)
		}
	}
}

func TestExpandService_capacity(t *testing.T) {
	base := expChild(t, mustExpand(t, goldenFullSpec()), KeyService)
	bp := base.Props.(*ServiceProps)
	if bp.LaunchType != "" || bp.CapacityProviderStrategy != nil {
		t.Errorf("no strategy: no launch type and no strategy sent (the cluster's default applies), got %q %v", bp.LaunchType, bp.CapacityProviderStrategy)
	}

	s := goldenFullSpec()
	s.CapacityProviderStrategy = []CapacityProviderStrategySpec{
		{CapacityProvider: "FARGATE_SPOT", Weight: Ptr[int64](3)},
		{CapacityProvider: "FARGATE", Base: Ptr[int64](1)},
	}
	spot := expChild(t, mustExpand(t, s), KeyService)
	sp := spot.Props.(*ServiceProps)
	want := []CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 1, Base: 1}, {CapacityProvider: "FARGATE_SPOT", Weight: 3}}
	if !SameCapacityStrategy(sp.CapacityProviderStrategy, want) || sp.CapacityProviderStrategy[0].CapacityProvider != "FARGATE" {
		t.Errorf("strategy (defaults applied, sorted) %+v, want %+v", sp.CapacityProviderStrategy, want)
	}
	if spot.Hash == base.Hash {
		t.Error("a strategy changes the service's hash")
	}
	if spot.ReplaceHash != base.ReplaceHash {
		t.Error("a strategy is an in-place update, not a replacement")
	}
	// Order of the entries is not a change.
	s.CapacityProviderStrategy[0], s.CapacityProviderStrategy[1] = s.CapacityProviderStrategy[1], s.CapacityProviderStrategy[0]
	if again := expChild(t, mustExpand(t, s), KeyService); again.Hash != spot.Hash {
		t.Error("reordering the strategy changes the hash")
	}
}

func TestDrift_serviceCapacity(t *testing.T) {
	// Without a strategy of its own the service runs on what the cluster's
	// default was at create: whatever ECS reports is not drift.
	desired := *expChild(t, mustExpand(t, goldenFullSpec()), KeyService).Props.(*ServiceProps)
	var rec Recorded
	RecordFacts(KindECSService, &desired, &rec)
	if rec.OwnCapacity {
		t.Fatal("no strategy, no own capacity")
	}
	want, _ := Fingerprint(KindECSService, &desired)
	live := desired
	live.CapacityProviderStrategy = []CapacityProviderStrategyItem{{CapacityProvider: "FARGATE_SPOT", Weight: 1}}
	if got, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &live, rec)); got != want {
		t.Error("the cluster default's strategy is drift of a service without one")
	}
	live.CapacityProviderStrategy, live.LaunchType = nil, "FARGATE"
	if got, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &live, rec)); got != want {
		t.Error("a FARGATE launch type is drift of a service without a strategy")
	}

	// With one, a changed strategy is drift.
	s := goldenFullSpec()
	s.CapacityProviderStrategy = []CapacityProviderStrategySpec{{CapacityProvider: "FARGATE_SPOT"}}
	own := *expChild(t, mustExpand(t, s), KeyService).Props.(*ServiceProps)
	var orec Recorded
	RecordFacts(KindECSService, &own, &orec)
	if !orec.OwnCapacity {
		t.Fatal("the record says the service has its own strategy")
	}
	owant, _ := Fingerprint(KindECSService, &own)
	moved := own
	moved.CapacityProviderStrategy = []CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 1}}
	if got, _ := Fingerprint(KindECSService, ObservedView(KindECSService, &moved, orec)); got == owant {
		t.Error("an out-of-band strategy change is not drift")
	}
}

func TestRedeployToken(t *testing.T) {
	if redeployToken(nil) != "" {
		t.Error("no triggers, no token")
	}
	a := redeployToken(map[string]string{"image": "1", "config": "x"})
	if a != redeployToken(map[string]string{"config": "x", "image": "1"}) || len(a) != 16 {
		t.Errorf("token %q: stable, 16 hex digits", a)
	}
	// Keys and values are length-prefixed: moving a character across the
	// separator is a change.
	if redeployToken(map[string]string{"ab": "c"}) == redeployToken(map[string]string{"a": "bc"}) {
		t.Error("ab=c and a=bc give the same token")
	}
	if a == redeployToken(map[string]string{"image": "2", "config": "x"}) {
		t.Error("a new value gives the same token")
	}
	s := goldenFullSpec()
	s.Deployment = &DeploymentSpec{RedeployTriggers: map[string]string{"image": "1"}}
	one := expChild(t, mustExpand(t, s), KeyService)
	s.Deployment = &DeploymentSpec{RedeployTriggers: map[string]string{"image": "2"}}
	two := expChild(t, mustExpand(t, s), KeyService)
	if one.Hash == two.Hash || one.ReplaceHash != two.ReplaceHash {
		t.Error("a new trigger value is an in-place update of the service")
	}
}
