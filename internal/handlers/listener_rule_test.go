package handlers

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

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

	// Observe: one call, priority reported; an allocated priority is not
	// part of the props, an explicit one is.
	rec1 := recorded(c1, out1)
	a.ops.reset()
	obs, found, err := h.Observe(ctx, rec1, false)
	if got := obs.Outputs; err != nil || !found || got[composite.AttrPriority] != "10" || got[composite.AttrName] != "web-rule" {
		t.Fatalf("Observe = %v, %v, %v", obs, found, err)
	}
	a.expectCalls("Observe", "DescribeRules")
	refreshed := clone(c1.Props).(*composite.ListenerRuleProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe (allocated)", c1.Kind, refreshed, obs.Props)
	if obs, _, err := h.Observe(ctx, recorded(c3, out3), false); err != nil || obs.Props.(*composite.ListenerRuleProps).Priority != 5 {
		t.Errorf("Observe (explicit) = %+v, %v; want priority 5", obs.Props, err)
	} else {
		expectObservedProps(t, "Observe (explicit)", c3.Kind, c3.Props, obs.Props)
	}
	// A record that does not say whether its priority is explicit gets no
	// props on a refresh (no fingerprint), and props with priority 0 in full.
	unknown := rec1
	unknown.PriorityExplicit = nil
	if obs, found, err := h.Observe(ctx, unknown, false); err != nil || !found || obs.Props != nil || obs.Outputs[composite.AttrPriority] != "10" {
		t.Errorf("Observe without PriorityExplicit = %+v, %v, %v", obs, found, err)
	}
	if obs, _, err := h.Observe(ctx, unknown, true); err != nil || obs.Props == nil || obs.Props.(*composite.ListenerRuleProps).Priority != 0 {
		t.Errorf("full Observe without PriorityExplicit = %+v, %v", obs, err)
	}
	a.ops.reset()

	// Find: the rule that forwards to the target group and carries the
	// ownership tags (the explicit rule also forwards to tg1, untagged),
	// found through the target group's load balancer; with the priority
	// hint it knows the priority was allocated.
	q := composite.Lookup{Key: "listener_rule", Kind: composite.KindListenerRule, Owner: "c/web", OwnedOnly: true,
		Scope: map[string]string{composite.LookupTargetGroupARN: tg1, ScopePriorityHint: "10"}}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeTargetGroups", "DescribeListeners", "DescribeRules", "DescribeTags", "DescribeRules", "DescribeTags")
	if frec.Key != c1.Key || frec.Kind != c1.Kind || frec.ARN != out1[composite.AttrARN] || frec.Outputs[composite.AttrPriority] != "10" ||
		frec.PriorityExplicit == nil || *frec.PriorityExplicit || !fobs.Full ||
		frec.Name != composite.ListenerRuleName("web", listenerARN) || frec.Outputs[composite.AttrName] != frec.Name {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c1.Kind, c1.Props, fobs.Props)
	// A hint the priority does not follow: explicit.
	q.Scope[ScopePriorityHint] = "3"
	if frec, fobs, _, err := h.Find(ctx, q); err != nil || frec.PriorityExplicit == nil || !*frec.PriorityExplicit ||
		fobs.Props.(*composite.ListenerRuleProps).Priority != 10 {
		t.Errorf("Find with another hint = %+v, %v", frec, err)
	}
	// On a given listener, without a hint: unknown.
	q.Scope = map[string]string{composite.LookupTargetGroupARN: tg1, composite.LookupListenerARN: listenerARN}
	a.ops.reset()
	if frec, _, found, err := h.Find(ctx, q); err != nil || !found || frec.PriorityExplicit != nil || frec.ARN != out1[composite.AttrARN] {
		t.Errorf("Find on the listener = %+v, %v, %v", frec, found, err)
	}
	a.expectCalls("Find on the listener", "DescribeRules", "DescribeTags", "DescribeRules", "DescribeTags")
	// Another owner has no rule forwarding to tg1; tg2's rules are untagged.
	q.Owner = "c/other"
	if _, _, found, err := h.Find(ctx, q); err != nil || found {
		t.Errorf("Find for another owner = %v, %v", found, err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: "listener_rule", Owner: "c/web",
		Scope: map[string]string{composite.LookupTargetGroupARN: tg2}}); err != nil || found {
		t.Errorf("Find of untagged rules = %v, %v", found, err)
	}
	// By ARN.
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: "listener_rule", Owner: "c/web", ID: out1[composite.AttrARN]}); err != nil || !found || frec.ARN != out1[composite.AttrARN] {
		t.Errorf("Find by ARN = %+v, %v, %v", frec, found, err)
	}
	a.ops.reset()

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

	// Out of band: a path pattern changed shows in the observed props.
	if _, err := a.elb.ModifyRule(ctx, &elbv2.ModifyRuleInput{RuleArn: aws.String(out1[composite.AttrARN]), Conditions: []elbv2types.RuleCondition{{
		Field: aws.String(ruleFieldPathPattern), PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/oob/*"}},
	}}}); err != nil {
		t.Fatalf("ModifyRule: %v", err)
	}
	if obs, _, err := h.Observe(ctx, rec1, false); err != nil || strings.Join(obs.Props.(*composite.ListenerRuleProps).PathPatterns, ",") != "/oob/*" {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}
	a.ops.reset()

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
		if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
			t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
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

// listenerRuleProps maps DescribeRules' answer: values from the legacy and
// the typed fields, the forward target; anything the composite does not
// make reads with no target group.
func TestListenerRuleProps(t *testing.T) {
	const (
		tgARN   = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1"
		ruleARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/1/2/3"
	)
	live := func(mod func(*elbv2types.Rule)) *elbv2types.Rule {
		r := &elbv2types.Rule{
			RuleArn: aws.String(ruleARN), Priority: aws.String("77"),
			Conditions: []elbv2types.RuleCondition{
				{Field: aws.String("path-pattern"), Values: []string{"/b/*", "/a/*"}, PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/a/*", "/b/*"}}},
				{Field: aws.String("host-header"), HostHeaderConfig: &elbv2types.HostHeaderConditionConfig{Values: []string{"x.example.com"}}},
			},
			Actions: []elbv2types.Action{{
				Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN), Order: aws.Int32(1),
				ForwardConfig: &elbv2types.ForwardActionConfig{TargetGroups: []elbv2types.TargetGroupTuple{{TargetGroupArn: aws.String(tgARN), Weight: aws.Int32(1)}}},
			}},
		}
		if mod != nil {
			mod(r)
		}
		return r
	}
	want := composite.ListenerRuleProps{ListenerARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2",
		PathPatterns: []string{"/a/*", "/b/*"}, HostHeaders: []string{"x.example.com"}, TargetGroupARN: tgARN, Tags: map[string]string{"a": "b"}}
	if got := listenerRuleProps(live(nil), false, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("listenerRuleProps = %+v\nwant %+v", got, want)
	}
	if got := listenerRuleProps(live(nil), true, nil); got.Priority != 77 {
		t.Errorf("explicit priority = %d, want 77", got.Priority)
	}
	for what, mod := range map[string]func(*elbv2types.Rule){
		"extra condition": func(r *elbv2types.Rule) {
			r.Conditions = append(r.Conditions, elbv2types.RuleCondition{Field: aws.String("http-request-method")})
		},
		"fixed response": func(r *elbv2types.Rule) {
			r.Actions = []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse}}
		},
		"two target groups": func(r *elbv2types.Rule) {
			r.Actions[0].ForwardConfig.TargetGroups = append(r.Actions[0].ForwardConfig.TargetGroups, elbv2types.TargetGroupTuple{TargetGroupArn: aws.String(tgARN + "x")})
		},
	} {
		if got := listenerRuleProps(live(mod), false, nil); got.TargetGroupARN != "" {
			t.Errorf("%s: target group %q, want none", what, got.TargetGroupARN)
		}
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

// ownedRules returns the ARNs of the listener's rules whose ownership tags
// name owner and the listener_rule key.
func (a *accEnv) ownedRules(listenerARN, owner string) []string {
	a.t.Helper()
	out, err := a.elb.DescribeRules(a.ctx, &elbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN)})
	if err != nil {
		a.t.Fatalf("DescribeRules: %v", err)
	}
	var owned []string
	for _, r := range out.Rules {
		if aws.ToBool(r.IsDefault) {
			continue
		}
		tags, err := elbv2TagsOf(a.ctx, a.elb, aws.ToString(r.RuleArn))
		if err != nil {
			a.t.Fatal(err)
		}
		if ownershipMismatch(tags, owner, "listener_rule") == "" {
			owned = append(owned, aws.ToString(r.RuleArn))
		}
	}
	return owned
}

// A CreateRule that AWS carried out but whose response was lost leaves a
// rule with the child's ownership tags on the listener; the SDK's retry of
// it then meets PriorityInUse (the priority is the rule's), and a killed
// run's next Create knows nothing of it. Create adopts that rule instead of
// making a second one, with an allocated or an explicit priority; another
// owner's rule is never adopted (issue 8, item 13).
func TestAccListenerRuleHandler_adoptLostCreate(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	_, listenerARN := a.newListener(n)
	tg := a.newTargetGroup(n)
	props := func(prio int32, owner string) *composite.ListenerRuleProps {
		return &composite.ListenerRuleProps{ListenerARN: listenerARN, Priority: prio, PriorityHint: 100,
			PathPatterns: []string{"/" + owner + "/*"}, TargetGroupARN: tg, Tags: ownerTags(owner, "listener_rule", nil)}
	}
	deleteAll := func(arns []string) {
		for _, arn := range arns {
			_, _ = a.elb.DeleteRule(context.Background(), &elbv2.DeleteRuleInput{RuleArn: aws.String(arn)})
		}
	}
	// A rule of another composite on the listener: its tags are read, it
	// is left alone.
	other := ruleChild("other-rule", props(0, acctest.RandomName("other")))
	otherOut, err := NewListenerRuleHandler(a.elb).Create(a.ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAll([]string{otherOut[composite.AttrARN]}) })

	for _, tc := range []struct {
		what string
		prio int32
	}{{"allocated", 0}, {"explicit", 7}} {
		t.Run(tc.what, func(t *testing.T) {
			owner := acctest.RandomName("c") + "/web"
			c := ruleChild("web-rule", props(tc.prio, owner))

			// The SDK retries a CreateRule whose response was lost.
			lost := loseResponses("CreateRule", 1)
			client := elbv2.NewFromConfig(a.cfg, func(o *elbv2.Options) { o.APIOptions = append(o.APIOptions, lost.register) })
			h := NewListenerRuleHandler(client)
			out, err := h.Create(a.ctx, c)
			t.Cleanup(func() { deleteAll(a.ownedRules(listenerARN, owner)) })
			if err != nil {
				t.Fatalf("Create with a lost CreateRule response: %v", err)
			}
			if lost.count() != 1 {
				t.Fatalf("lost responses = %d, want 1", lost.count())
			}
			owned := a.ownedRules(listenerARN, owner)
			if len(owned) != 1 || owned[0] != out[composite.AttrARN] {
				t.Fatalf("rules of this child = %v, Create returned %s: want exactly the one created", owned, out[composite.AttrARN])
			}
			if tc.prio != 0 && out[composite.AttrPriority] != "7" {
				t.Errorf("priority = %s, want 7", out[composite.AttrPriority])
			}

			// A killed run: the next Create (nothing recorded) adopts the
			// rule and converges it.
			c2 := ruleChild("web-rule", props(tc.prio, owner))
			c2.Props.(*composite.ListenerRuleProps).PathPatterns = []string{"/moved/*"}
			again, err := NewListenerRuleHandler(a.elb).Create(a.ctx, c2)
			if err != nil {
				t.Fatalf("Create after a killed run: %v", err)
			}
			if again[composite.AttrARN] != out[composite.AttrARN] || again[composite.AttrPriority] != out[composite.AttrPriority] {
				t.Errorf("Create after a killed run = %v, want the adopted rule %v", again, out)
			}
			if owned := a.ownedRules(listenerARN, owner); len(owned) != 1 {
				t.Errorf("rules of this child after the second Create = %v, want one", owned)
			}
			obs, _, err := NewListenerRuleHandler(a.elb).Observe(a.ctx, recorded(c2, again), true)
			if err != nil {
				t.Fatal(err)
			}
			expectObservedProps(t, "adopted rule", c2.Kind, c2.Props, obs.Props)
		})
	}

	// Another owner's rule at the explicit priority is not adopted.
	foreignOwner := acctest.RandomName("foreign") + "/web"
	foreign := ruleChild("foreign-rule", props(9, foreignOwner))
	if _, err := NewListenerRuleHandler(a.elb).Create(a.ctx, foreign); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAll(a.ownedRules(listenerARN, foreignOwner)) })
	mine := acctest.RandomName("c") + "/web"
	_, err = NewListenerRuleHandler(a.elb).Create(a.ctx, ruleChild("web-rule", props(9, mine)))
	if ErrorCode(err) != errCodePriorityInUse {
		t.Fatalf("Create at another owner's priority: err = %v, want PriorityInUse", err)
	}
	if owned := a.ownedRules(listenerARN, mine); len(owned) != 0 {
		t.Errorf("rules of the refused child = %v, want none", owned)
	}
}
