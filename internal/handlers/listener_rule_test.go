package handlers

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func ruleChild(name string, p *composite.ListenerRuleProps) composite.Child {
	return composite.Child{Key: "listener_rule", Kind: composite.KindListenerRule, Name: name, Props: p}
}

func TestAccListenerRuleHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	_, listenerARN := a.newListener(n)
	tg1, tg2 := a.newTargetGroup(n), a.newTargetGroup(n)
	h := NewListenerRuleHandler(a.elb)

	props := func(prio, hint int32, paths, hosts []string, tg string, tags map[string]string) *composite.ListenerRuleProps {
		return &composite.ListenerRuleProps{
			ListenerARN: listenerARN, Priority: prio, PriorityHint: hint,
			PathPatterns: paths, HostHeaders: hosts, TargetGroupARN: tg, Tags: tags,
		}
	}

	// Two rules without a priority get distinct priorities from the hint up.
	a.ops.reset()
	c1 := ruleChild("web-rule", props(0, 10, []string{"/a/*"}, nil, tg1, ownerTags("c/web", "listener_rule", nil)))
	out1, err := h.Create(ctx, c1)
	if err != nil {
		t.Fatalf("Create 1: %v", err)
	}
	a.expectCalls("Create (allocated)", "DescribeRules", "CreateRule")
	c2 := ruleChild("api-rule", props(0, 10, []string{"/b/*"}, nil, tg2, nil))
	out2, err := h.Create(ctx, c2)
	if err != nil {
		t.Fatalf("Create 2: %v", err)
	}
	if out1[composite.AttrPriority] != "10" || out2[composite.AttrPriority] != "11" {
		t.Fatalf("allocated priorities = %s, %s; want 10, 11", out1[composite.AttrPriority], out2[composite.AttrPriority])
	}
	if out1[composite.AttrName] != "web-rule" || out1[composite.AttrARN] == "" {
		t.Errorf("outputs = %v", out1)
	}

	// An explicit priority is used as is, with one call.
	a.ops.reset()
	c3 := ruleChild("explicit", props(5, 0, nil, []string{"x.example.com"}, tg1, nil))
	out3, err := h.Create(ctx, c3)
	if err != nil {
		t.Fatalf("Create explicit: %v", err)
	}
	a.expectCalls("Create (explicit)", "CreateRule")
	if out3[composite.AttrPriority] != "5" {
		t.Fatalf("explicit priority = %s", out3[composite.AttrPriority])
	}

	// Concurrent allocations on one listener do not clash.
	var wg sync.WaitGroup
	prios := make([]string, 4)
	errs := make([]error, 4)
	for i := range prios {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, err := h.Create(ctx, ruleChild("conc", props(0, 10, []string{"/conc/" + string(rune('a'+i))}, nil, tg2, nil)))
			prios[i], errs[i] = o[composite.AttrPriority], err
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Create: %v", err)
		}
	}
	sort.Strings(prios)
	if prios[0] != "12" || prios[1] != "13" || prios[2] != "14" || prios[3] != "15" {
		t.Errorf("concurrent priorities = %v, want 12..15", prios)
	}

	// Read: one call, priority reported.
	rec1 := recorded(c1, out1)
	a.ops.reset()
	got, found, err := h.Read(ctx, rec1)
	if err != nil || !found || got[composite.AttrPriority] != "10" || got[composite.AttrName] != "web-rule" {
		t.Fatalf("Read = %v, %v, %v", got, found, err)
	}
	a.expectCalls("Read", "DescribeRules")

	// No-op update: reads only (the emulator rejects no-op SetRulePriorities).
	if _, err := h.Update(ctx, c1, rec1); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	a.expectCalls("no-op Update", "DescribeRules", "DescribeTags")

	// Update conditions and target; an allocated priority is kept.
	c1b := ruleChild("web-rule", props(0, 10, []string{"/c/*", "/d/*"}, []string{"web.example.com"}, tg2, ownerTags("c/web", "listener_rule", map[string]string{"x": "y"})))
	upd, err := h.Update(ctx, c1b, rec1)
	if err != nil {
		t.Fatalf("Update conditions: %v", err)
	}
	a.expectCalls("Update conditions", "DescribeRules", "ModifyRule", "DescribeTags", "AddTags")
	if upd[composite.AttrPriority] != "10" {
		t.Errorf("priority after update = %s, want 10", upd[composite.AttrPriority])
	}
	rule := describeRule(t, a, out1[composite.AttrARN])
	if !ruleMatches(rule, c1b.Props.(*composite.ListenerRuleProps)) {
		t.Errorf("rule after update = %+v", rule)
	}

	// Update an explicit priority.
	rec3 := recorded(c3, out3)
	c3b := ruleChild("explicit", props(6, 0, nil, []string{"x.example.com"}, tg1, nil))
	upd3, err := h.Update(ctx, c3b, rec3)
	if err != nil {
		t.Fatalf("Update priority: %v", err)
	}
	a.expectCalls("Update priority", "DescribeRules", "SetRulePriorities", "DescribeTags")
	if upd3[composite.AttrPriority] != "6" || aws.ToString(describeRule(t, a, out3[composite.AttrARN]).Priority) != "6" {
		t.Errorf("priority after SetRulePriorities = %v", upd3)
	}

	// Delete, gone, delete again.
	for _, rec := range []composite.Recorded{rec1, recorded(c2, out2), rec3} {
		if err := h.Delete(ctx, rec); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, found, err := h.Read(ctx, rec); err != nil || found {
			t.Fatalf("Read after Delete: found=%v err=%v", found, err)
		}
		if err := h.Delete(ctx, rec); err != nil {
			t.Fatalf("second Delete: %v", err)
		}
	}
}

// squatter wraps the real ELBv2 client: on the first CreateRule it first
// creates another rule at the same priority through the real client, the way
// a concurrent writer in another process would.
type squatter struct {
	ListenerRuleAPI
	once sync.Once
	tg   string
}

func (s *squatter) CreateRule(ctx context.Context, in *elbv2.CreateRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateRuleOutput, error) {
	s.once.Do(func() {
		_, _ = s.ListenerRuleAPI.CreateRule(ctx, &elbv2.CreateRuleInput{
			ListenerArn: in.ListenerArn,
			Priority:    in.Priority,
			Conditions: []elbv2types.RuleCondition{{
				Field:             aws.String("path-pattern"),
				PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/squatter"}},
			}},
			Actions: forwardActions(s.tg),
		})
	})
	return s.ListenerRuleAPI.CreateRule(ctx, in, optFns...)
}

func TestAccListenerRuleHandler_priorityInUseRetry(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	_, listenerARN := a.newListener(n)
	tg := a.newTargetGroup(n)
	h := NewListenerRuleHandler(&squatter{ListenerRuleAPI: a.elb, tg: tg})

	a.ops.reset()
	out, err := h.Create(a.ctx, ruleChild("r", &composite.ListenerRuleProps{
		ListenerARN: listenerARN, PriorityHint: 100, PathPatterns: []string{"/*"}, TargetGroupARN: tg,
	}))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	// describe, squatter's create, our create (PriorityInUse), describe again, create.
	a.expectCalls("Create after PriorityInUse", "DescribeRules", "CreateRule", "CreateRule", "DescribeRules", "CreateRule")
	if out[composite.AttrPriority] != "101" {
		t.Errorf("priority = %s, want 101 (100 was taken concurrently)", out[composite.AttrPriority])
	}
}

func TestLowestFreePriority(t *testing.T) {
	used := map[int32]bool{1: true, 2: true, 10: true, 11: true}
	for _, tc := range []struct{ hint, want int32 }{{0, 3}, {1, 3}, {10, 12}, {12, 12}, {50001, 3}} {
		got, err := lowestFreePriority(used, tc.hint)
		if err != nil || got != tc.want {
			t.Errorf("lowestFreePriority(hint %d) = %d, %v; want %d", tc.hint, got, err, tc.want)
		}
	}
	full := map[int32]bool{}
	for p := int32(1); p <= maxRulePriority; p++ {
		full[p] = p != 7
	}
	if got, err := lowestFreePriority(full, 100); err != nil || got != 7 {
		t.Errorf("wrap-around = %d, %v; want 7", got, err)
	}
	full[7] = true
	if _, err := lowestFreePriority(full, 100); err == nil {
		t.Error("no free priority: want an error")
	}
}

func describeRule(t *testing.T, a *accEnv, ruleARN string) *elbv2types.Rule {
	t.Helper()
	defer a.ops.reset()
	out, err := a.elb.DescribeRules(a.ctx, &elbv2.DescribeRulesInput{RuleArns: []string{ruleARN}})
	if err != nil {
		t.Fatalf("DescribeRules: %v", err)
	}
	return &out.Rules[0]
}

func TestAccListenerRuleHandler_targetGroupAssociationRetry(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	_, listenerARN := a.newListener(n)
	tg := a.newTargetGroup(n)
	h := NewListenerRuleHandler(a.elb)

	a.ops.failNext("CreateRule", "ValidationError", "The target group '"+tg+"' does not have an associated load balancer", 1)
	a.ops.reset()
	out, err := h.Create(a.ctx, ruleChild("r", &composite.ListenerRuleProps{
		ListenerARN: listenerARN, Priority: 3, PathPatterns: []string{"/*"}, TargetGroupARN: tg,
	}))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create with association retry", "CreateRule", "CreateRule")
	if out[composite.AttrPriority] != "3" {
		t.Errorf("outputs = %v", out)
	}
}
