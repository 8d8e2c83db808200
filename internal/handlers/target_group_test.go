package handlers

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestAccTargetGroupHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	h := NewTargetGroupHandler(a.elb, a.ec2)

	name := acctest.RandomName("tg")
	owner := "cluster/" + name
	child := composite.Child{
		Key:   "target_group",
		Kind:  composite.KindTargetGroup,
		Name:  name,
		Props: testTargetGroupProps(name, n, ownerTags(owner, "target_group", map[string]string{"team": "payments"})),
	}

	// Create: VPC looked up from the subnet, attributes set once.
	a.ops.reset()
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "DescribeSubnets", "CreateTargetGroup", "DescribeTags", "ModifyTargetGroupAttributes")
	if out[composite.AttrName] != name || out[AttrVpcID] != n.VpcID || !strings.HasPrefix(out[AttrARNSuffix], "targetgroup/"+name+"/") ||
		!strings.HasPrefix(out[composite.AttrARN], "arn:") {
		t.Fatalf("Create outputs = %v", out)
	}
	tgARN := out[composite.AttrARN]
	rec := recorded(child, out)
	checkTargetGroup(t, a, tgARN, "/healthz", "30", ownerTags(owner, "target_group", map[string]string{"team": "payments"}))

	// Observe (a refresh): one call; the props without what takes more
	// calls (deregistration delay, tags).
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = %v, %v, %v", obs, found, err)
	}
	a.expectCalls("Observe", "DescribeTargetGroups")
	for k, v := range out {
		if obs.Outputs[k] != v {
			t.Errorf("Observe output %s = %q, want %q", k, obs.Outputs[k], v)
		}
	}
	refreshed := clone(child.Props).(*composite.TargetGroupProps)
	refreshed.DeregistrationDelay, refreshed.Tags = 0, nil
	expectObservedProps(t, "Observe", child.Kind, refreshed, obs.Props)
	if p := obs.Props.(*composite.TargetGroupProps); p.VpcID != n.VpcID {
		t.Errorf("observed VPC = %q, want the resolved %q", p.VpcID, n.VpcID)
	}

	// Find by ARN (what the ECS service registers with) and by name: in
	// full, the created props.
	q := composite.Lookup{Key: child.Key, Kind: child.Kind, Owner: owner, ID: tgARN, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeTargetGroups", "DescribeTargetGroupAttributes", "DescribeTags")
	if frec.Key != child.Key || frec.Kind != child.Kind || frec.Name != name || frec.ARN != tgARN || frec.Outputs[AttrVpcID] != n.VpcID || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", child.Kind, child.Props, fobs.Props)
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: child.Key, Kind: child.Kind, Owner: owner, Name: name}); err != nil || !found || frec.ARN != tgARN {
		t.Errorf("Find by name = %+v, %v, %v", frec, found, err)
	}
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), tgARN) {
		t.Errorf("Find (owned only) of another owner's target group: err = %v", err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: child.Key, Kind: child.Kind, Name: name + "x"}); err != nil || found {
		t.Errorf("Find of a missing target group = %v, %v", found, err)
	}
	a.ops.reset()

	// Update with nothing changed: reads only.
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	a.expectCalls("no-op Update", "DescribeTargetGroups", "DescribeTargetGroupAttributes", "DescribeTags")

	// Update health check path, deregistration delay and tags.
	p2 := testTargetGroupProps(name, n, ownerTags(owner, "target_group", map[string]string{"env": "prod"}))
	p2.HealthCheck.Path = "/ready"
	p2.DeregistrationDelay = 60
	child2 := child
	child2.Props = p2
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeTargetGroups", "ModifyTargetGroup", "DescribeTargetGroupAttributes",
		"ModifyTargetGroupAttributes", "DescribeTags", "RemoveTags", "AddTags")
	if out2[composite.AttrARN] != tgARN {
		t.Errorf("Update changed the ARN: %v", out2)
	}
	checkTargetGroup(t, a, tgARN, "/ready", "60", ownerTags(owner, "target_group", map[string]string{"env": "prod"}))
	if _, fobs, _, err := h.Find(ctx, composite.Lookup{Key: child.Key, Kind: child.Kind, ID: tgARN}); err == nil {
		expectObservedProps(t, "Find after Update", child.Kind, p2, fobs.Props)
	} else {
		t.Errorf("Find after Update: %v", err)
	}

	// Out of band: a health check path changed shows in the observed props.
	if _, err := a.elb.ModifyTargetGroup(ctx, &elbv2.ModifyTargetGroupInput{TargetGroupArn: aws.String(tgARN), HealthCheckPath: aws.String("/oob")}); err != nil {
		t.Fatalf("ModifyTargetGroup: %v", err)
	}
	if obs, _, err := h.Observe(ctx, rec, false); err != nil || obs.Props.(*composite.TargetGroupProps).HealthCheck.Path != "/oob" {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}
	a.ops.reset()

	// Delete waits out ResourceInUse while a rule still forwards to it.
	_, listenerARN := a.newListener(n)
	rule, err := a.elb.CreateRule(ctx, &elbv2.CreateRuleInput{
		ListenerArn: aws.String(listenerARN),
		Priority:    aws.Int32(7),
		Conditions: []elbv2types.RuleCondition{{
			Field:             aws.String("path-pattern"),
			PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/tg/*"}},
		}},
		Actions: forwardActions(tgARN),
	})
	if err != nil {
		t.Fatalf("CreateRule: %v", err)
	}
	go func() {
		time.Sleep(1500 * time.Millisecond)
		_, _ = a.elb.DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: rule.Rules[0].RuleArn})
	}()
	start := time.Now()
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete while in use: %v", err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Delete returned after %s: expected it to retry ResourceInUse", time.Since(start))
	}

	// Gone: Observe reports it, Delete again is fine.
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestAccTargetGroupHandler_explicitVPCAndDefaultDelay(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	h := NewTargetGroupHandler(a.elb, nil) // no EC2 client needed with VpcID

	name := acctest.RandomName("tg")
	p := testTargetGroupProps(name, n, nil)
	p.VpcID, p.VPCFromSubnet = n.VpcID, ""
	p.DeregistrationDelay = tgDefaultDeregistrationDelay
	child := composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: name, Props: p}

	a.ops.reset()
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "CreateTargetGroup", "DescribeTags")
	if err := h.Delete(a.ctx, recorded(child, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	// A duplicate name fails at once with the AWS error.
	if _, err := h.Create(a.ctx, child); err != nil {
		t.Fatalf("re-Create after Delete: %v", err)
	}
	_, err = h.Create(a.ctx, child)
	if err == nil || ErrorCode(err) != "DuplicateTargetGroupName" {
		t.Fatalf("duplicate Create error = %v, want DuplicateTargetGroupName", err)
	}
}

// targetGroupProps maps DescribeTargetGroups' answer; a disabled health
// check reads as none.
func TestTargetGroupProps(t *testing.T) {
	tg := &elbv2types.TargetGroup{
		TargetGroupArn: aws.String("arn:tg"), TargetGroupName: aws.String("tg"), Port: aws.Int32(8080), Protocol: elbv2types.ProtocolEnumHttp,
		ProtocolVersion: aws.String("GRPC"), TargetType: elbv2types.TargetTypeEnumIp,
		VpcId: aws.String("vpc-1"), HealthCheckEnabled: aws.Bool(true), HealthCheckPath: aws.String("/healthz"),
		HealthCheckPort: aws.String("traffic-port"), HealthCheckProtocol: elbv2types.ProtocolEnumHttp,
		HealthCheckIntervalSeconds: aws.Int32(15), HealthCheckTimeoutSeconds: aws.Int32(5),
		HealthyThresholdCount: aws.Int32(3), UnhealthyThresholdCount: aws.Int32(2),
		Matcher: &elbv2types.Matcher{GrpcCode: aws.String("12")},
	}
	want := composite.TargetGroupProps{Name: "tg", Port: 8080, Protocol: "HTTP", ProtocolVersion: "GRPC", TargetType: "ip", VpcID: "vpc-1",
		HealthCheck: composite.TargetGroupHealthCheck{Path: "/healthz", Matcher: "12", Protocol: "HTTP", Port: "traffic-port",
			IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 2},
		DeregistrationDelay: 30, Tags: map[string]string{"a": "b"}}
	if got := targetGroupProps(tg, "30", map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("targetGroupProps = %+v\nwant %+v", got, want)
	}
	tg.HealthCheckEnabled = aws.Bool(false)
	if got := targetGroupProps(tg, "", nil); got.HealthCheck != (composite.TargetGroupHealthCheck{}) || got.DeregistrationDelay != 0 {
		t.Errorf("targetGroupProps (health check disabled, nothing extra read) = %+v", got)
	}
}

func checkTargetGroup(t *testing.T, a *accEnv, tgARN, path, delay string, tags map[string]string) {
	t.Helper()
	defer a.ops.reset()
	tgs, err := a.elb.DescribeTargetGroups(a.ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARN}})
	if err != nil {
		t.Fatalf("DescribeTargetGroups: %v", err)
	}
	tg := tgs.TargetGroups[0]
	if aws.ToString(tg.HealthCheckPath) != path || tg.TargetType != elbv2types.TargetTypeEnumIp ||
		aws.ToInt32(tg.HealthCheckIntervalSeconds) != 15 || currentMatcher(tg) != "200-399" {
		t.Errorf("target group = path %q type %s interval %d matcher %q", aws.ToString(tg.HealthCheckPath), tg.TargetType,
			aws.ToInt32(tg.HealthCheckIntervalSeconds), currentMatcher(tg))
	}
	attrs, err := a.elb.DescribeTargetGroupAttributes(a.ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil {
		t.Fatalf("DescribeTargetGroupAttributes: %v", err)
	}
	for _, at := range attrs.Attributes {
		if aws.ToString(at.Key) == tgAttrDeregistrationDelay && aws.ToString(at.Value) != delay {
			t.Errorf("deregistration delay = %s, want %s", aws.ToString(at.Value), delay)
		}
	}
	td, err := a.elb.DescribeTags(a.ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{tgARN}})
	if err != nil {
		t.Fatalf("DescribeTags: %v", err)
	}
	got := map[string]string{}
	for _, tag := range td.TagDescriptions[0].Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if !sameTags(got, tags) {
		t.Errorf("tags = %v, want %v", got, tags)
	}
}

// A target group an earlier Create made (its response lost) is adopted by
// the next Create of the same child; one of the same name with another
// owner is refused and left alone.
func TestAccTargetGroupHandler_adopt(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	h := NewTargetGroupHandler(a.elb, a.ec2)

	name := acctest.RandomName("tg")
	tags := ownerTags("cluster/"+name, "target_group", nil)
	child := composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: name, Props: testTargetGroupProps(name, n, tags)}
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(child, out)) })

	a.ops.reset()
	got, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create of an existing own target group: %v", err)
	}
	a.expectCalls("adopting Create", "DescribeSubnets", "CreateTargetGroup", "DescribeTargetGroups", "DescribeTags",
		"DescribeTargetGroups", "DescribeTargetGroupAttributes", "DescribeTags")
	for k, v := range out {
		if got[k] != v {
			t.Errorf("adopted output %s = %q, want %q", k, got[k], v)
		}
	}

	// Another owner's target group: refused with the AWS error, untouched.
	foreignName := acctest.RandomName("tg")
	foreign := composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: foreignName,
		Props: testTargetGroupProps(foreignName, n, ownerTags("someone-else", "target_group", nil))}
	fout, err := h.Create(ctx, foreign)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(foreign, fout)) })
	mine := testTargetGroupProps(foreignName, n, tags)
	mine.HealthCheck.Path = "/mine"
	_, err = h.Create(ctx, composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: foreignName, Props: mine})
	if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeDuplicateTargetGroupName || !strings.Contains(err.Error(), fout[composite.AttrARN]) {
		t.Fatalf("Create over another owner's target group: err = %v", err)
	}
	checkTargetGroup(t, a, fout[composite.AttrARN], "/healthz", "30", ownerTags("someone-else", "target_group", nil))

	// Our own target group with a port that cannot change in place: refused.
	moved := testTargetGroupProps(name, n, tags)
	moved.Port = 9090
	_, err = h.Create(ctx, composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: name, Props: moved})
	if err == nil || ErrorCode(err) != errCodeDuplicateTargetGroupName || !strings.Contains(err.Error(), "port 8080, not 9090") {
		t.Fatalf("Create over our target group with another port: err = %v", err)
	}
}

// idempotentTargetGroups makes a client's CreateTargetGroup answer as AWS
// does for a name that exists with identical settings: "This operation is
// idempotent, which means that it completes at most one time. If you
// attempt to create multiple target groups with the same settings, each
// call succeeds." (ELBv2 API reference, CreateTargetGroup). moto answers
// DuplicateTargetGroupName whatever the settings; on that answer the
// middleware reads the existing group from the emulator (through plain, a
// client without it) and, when the settings sent match it, returns it as
// the call's result. The group's tags are left as they are.
func idempotentTargetGroups(plain *elbv2.Client) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("idempotentTargetGroups",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				create, ok := in.Parameters.(*elbv2.CreateTargetGroupInput)
				if !ok || ErrorCode(err) != errCodeDuplicateTargetGroupName {
					return out, md, err
				}
				existing, derr := plain.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{aws.ToString(create.Name)}})
				if derr != nil || len(existing.TargetGroups) != 1 {
					return out, md, err
				}
				tg := existing.TargetGroups[0]
				same := aws.ToInt32(tg.Port) == aws.ToInt32(create.Port) && tg.Protocol == create.Protocol &&
					tg.TargetType == create.TargetType && aws.ToString(tg.VpcId) == aws.ToString(create.VpcId) &&
					aws.ToString(tg.HealthCheckPath) == aws.ToString(create.HealthCheckPath) &&
					aws.ToInt32(tg.HealthCheckIntervalSeconds) == aws.ToInt32(create.HealthCheckIntervalSeconds) &&
					aws.ToInt32(tg.HealthyThresholdCount) == aws.ToInt32(create.HealthyThresholdCount) &&
					aws.ToInt32(tg.UnhealthyThresholdCount) == aws.ToInt32(create.UnhealthyThresholdCount)
				if !same {
					return out, md, err
				}
				out.Result = &elbv2.CreateTargetGroupOutput{TargetGroups: existing.TargetGroups}
				return out, md, nil
			}), middleware.After)
	}
}

// CreateTargetGroup of a name taken with identical settings succeeds on AWS
// and returns the existing group: Create checks its tags and refuses a
// group that is not this child's (another owner's, or untagged), records
// nothing and leaves it alone; this child's own (a lost response, then the
// SDK's retry or a killed run's next Create) is adopted and converged
// (issue 8, item 15).
func TestAccTargetGroupHandler_identicalSettings(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	aws2 := elbv2.NewFromConfig(a.cfg, func(o *elbv2.Options) { o.APIOptions = append(o.APIOptions, idempotentTargetGroups(a.elb)) })
	h := NewTargetGroupHandler(aws2, a.ec2)
	tgChild := func(name string, tags map[string]string) composite.Child {
		return composite.Child{Key: "target_group", Kind: composite.KindTargetGroup, Name: name, Props: testTargetGroupProps(name, n, tags)}
	}

	// Another owner's target group, and an untagged one, of identical
	// settings.
	for what, foreignTags := range map[string]map[string]string{
		"another owner's": ownerTags("someone-else", "target_group", nil),
		"untagged":        nil,
	} {
		name := acctest.RandomName("tg")
		fout, err := NewTargetGroupHandler(a.elb, a.ec2).Create(ctx, tgChild(name, foreignTags))
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		t.Cleanup(func() {
			_, _ = a.elb.DeleteTargetGroup(context.Background(), &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(fout[composite.AttrARN])})
		})
		a.ops.reset()
		out, err := h.Create(ctx, tgChild(name, ownerTags("cluster/"+name, "target_group", nil)))
		if !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), fout[composite.AttrARN]) || out != nil {
			t.Fatalf("Create over %s target group of identical settings = %v, %v; want a refusal naming it, no outputs", what, out, err)
		}
		if m := a.ops.mutating(); strings.Join(m, ",") != "CreateTargetGroup" {
			t.Errorf("Create over %s target group: mutating calls %v, want only CreateTargetGroup", what, m)
		}
		checkTargetGroup(t, a, fout[composite.AttrARN], "/healthz", "30", foreignTags)
	}

	// Our own: the SDK retries a CreateTargetGroup whose response was lost
	// (AWS returns the group the first attempt made).
	name := acctest.RandomName("tg")
	tags := ownerTags("cluster/"+name, "target_group", nil)
	lost := loseResponses("CreateTargetGroup", 1)
	retrying := NewTargetGroupHandler(elbv2.NewFromConfig(a.cfg, func(o *elbv2.Options) {
		o.APIOptions = append(o.APIOptions, idempotentTargetGroups(a.elb), lost.register)
	}), a.ec2)
	out, err := retrying.Create(ctx, tgChild(name, tags))
	if err != nil {
		t.Fatalf("Create with a lost CreateTargetGroup response: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), composite.Recorded{ARN: out[composite.AttrARN]}) })
	if lost.count() != 1 {
		t.Fatalf("lost responses = %d, want 1", lost.count())
	}
	checkTargetGroup(t, a, out[composite.AttrARN], "/healthz", "30", tags)

	// A killed run's next Create, with a user tag added since: the same
	// group, converged.
	tags2 := ownerTags("cluster/"+name, "target_group", map[string]string{"team": "payments"})
	a.ops.reset()
	again, err := h.Create(ctx, tgChild(name, tags2))
	if err != nil {
		t.Fatalf("Create of our own target group of identical settings: %v", err)
	}
	if again[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("Create = %v, want our target group %v", again, out)
	}
	if m := a.ops.mutating(); strings.Join(m, ",") != "CreateTargetGroup,AddTags" {
		t.Errorf("converging Create: mutating calls %v, want CreateTargetGroup,AddTags", m)
	}
	checkTargetGroup(t, a, out[composite.AttrARN], "/healthz", "30", tags2)
}
