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
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func testALBGroupProps(name, vpcID string, cidrs []string, v6 []string, tags map[string]string) *composite.SecurityGroupProps {
	return &composite.SecurityGroupProps{
		Name: name, Description: "Load balancer of containerapp cluster test", VpcID: vpcID,
		Ingress: []composite.SecurityGroupRule{
			{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRBlocks: cidrs, IPv6CIDRBlocks: v6, Description: "Port 80"},
		},
		Egress: []composite.SecurityGroupRule{{Protocol: "-1", CIDRBlocks: []string{"0.0.0.0/0"}}},
		Tags:   tags,
	}
}

func TestAccSecurityGroupHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	h := NewSecurityGroupHandler(a.ec2)
	owner := acctest.RandomName("cl")

	// The load balancer's group: CIDR ingress.
	albName := owner + "-load-balancer"
	alb := newChild(composite.KeyLoadBalancerSecurityGroup, composite.KindSecurityGroup, albName,
		testALBGroupProps(albName, n.VpcID, []string{"10.0.0.0/8"}, []string{"::/0"}, ownerTags(owner, composite.KeyLoadBalancerSecurityGroup, nil)))
	a.ops.reset()
	albOut, err := h.Create(ctx, alb)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress")
	requireOutputs(t, albOut, composite.AttrARN, composite.AttrID, composite.AttrName, AttrVpcID)
	albRec := recorded(alb, albOut)
	t.Cleanup(func() { _ = h.Delete(context.Background(), albRec) })
	obs, found, err := h.Observe(ctx, albRec, false)
	if err != nil || !found {
		t.Fatalf("Observe = %v, %v", found, err)
	}
	a.expectCalls("Observe", "DescribeSecurityGroups")
	expectObservedProps(t, "Observe", alb.Kind, alb.Props, obs.Props)
	if in := obs.Props.(*composite.SecurityGroupProps).Ingress; len(in) != 1 || strings.Join(in[0].CIDRBlocks, ",") != "10.0.0.0/8" ||
		strings.Join(in[0].IPv6CIDRBlocks, ",") != "::/0" || in[0].Description != "Port 80" {
		t.Errorf("observed ingress = %+v", in)
	}

	// Find by name in the VPC, by name and ownership tags, by id: the
	// created props, in one call (plus one for the lookup by name).
	q := composite.Lookup{Key: alb.Key, Kind: alb.Kind, Owner: owner, Name: albName, OwnedOnly: true, Scope: map[string]string{composite.LookupVpcID: n.VpcID}}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeSecurityGroups", "DescribeSecurityGroups")
	if frec.Key != alb.Key || frec.Kind != alb.Kind || frec.Name != albName || frec.ARN != albOut[composite.AttrARN] ||
		frec.Outputs[composite.AttrID] != albOut[composite.AttrID] || frec.Outputs[AttrVpcID] != n.VpcID || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", alb.Kind, alb.Props, fobs.Props)
	for what, q := range map[string]composite.Lookup{
		"by name and tags": {Key: alb.Key, Kind: alb.Kind, Owner: owner, Name: albName},
		"by id":            {Key: alb.Key, Kind: alb.Kind, Owner: owner, ID: albOut[composite.AttrID]},
	} {
		if frec, _, found, err := h.Find(ctx, q); err != nil || !found || frec.Outputs[composite.AttrID] != albOut[composite.AttrID] {
			t.Errorf("Find %s = %+v, %v, %v", what, frec, found, err)
		}
	}
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), albName) {
		t.Errorf("Find (owned only) for another owner: err = %v", err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: alb.Key, Kind: alb.Kind, Owner: "someone-else", Name: albName}); err != nil || found {
		t.Errorf("Find by name and another owner's tags = %v, %v", found, err)
	}
	a.ops.reset()

	// The services' group: ingress from the ALB group only.
	svcName := owner + "-services"
	svcProps := &composite.SecurityGroupProps{
		Name: svcName, Description: "ECS services of containerapp cluster test", VpcID: n.VpcID,
		Ingress: []composite.SecurityGroupRule{{Protocol: "tcp", FromPort: 0, ToPort: 65535, SourceSecurityGroupID: albOut[composite.AttrID], Description: "from the ALB"}},
		Egress:  []composite.SecurityGroupRule{{Protocol: "-1", CIDRBlocks: []string{"0.0.0.0/0"}}},
		Tags:    ownerTags(owner, composite.KeyServiceSecurityGroup, nil),
	}
	svc := newChild(composite.KeyServiceSecurityGroup, composite.KindSecurityGroup, svcName, svcProps)
	svcOut, err := h.Create(ctx, svc)
	if err != nil {
		t.Fatalf("Create services group: %v", err)
	}
	svcRec := recorded(svc, svcOut)
	t.Cleanup(func() { _ = h.Delete(context.Background(), svcRec) })
	obs, _, _ = h.Observe(ctx, svcRec, false)
	expectObservedProps(t, "Observe services group", svc.Kind, svc.Props, obs.Props)
	a.ops.reset()

	// No-op update: one read.
	if _, err := h.Update(ctx, alb, albRec); err != nil {
		t.Fatal(err)
	}
	a.expectCalls("no-op Update", "DescribeSecurityGroups")

	// Change the CIDRs: revoke the old, authorize the new.
	alb2 := newChild(alb.Key, alb.Kind, albName, testALBGroupProps(albName, n.VpcID, []string{"192.168.0.0/16"}, nil, ownerTags(owner, composite.KeyLoadBalancerSecurityGroup, map[string]string{"env": "x"})))
	out2, err := h.Update(ctx, alb2, albRec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeSecurityGroups", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "CreateTags")
	if out2[composite.AttrID] != albOut[composite.AttrID] || out2[AttrVpcID] != n.VpcID {
		t.Errorf("Update outputs = %v", out2)
	}
	obs, _, _ = h.Observe(ctx, albRec, false)
	expectObservedProps(t, "Observe after Update", alb2.Kind, alb2.Props, obs.Props)

	// Drift: a rule added out of band is seen, and Update revokes it.
	if _, err := a.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(albOut[composite.AttrID]),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	obs, _, _ = h.Observe(ctx, albRec, false)
	if atoms := ruleAtoms(obs.Props.(*composite.SecurityGroupProps).Ingress); !contains(atoms, "tcp|22|22|4:0.0.0.0/0") {
		t.Fatalf("Observe did not see the added rule: %v", atoms)
	}
	a.ops.reset()
	if _, err := h.Update(ctx, alb2, albRec); err != nil {
		t.Fatal(err)
	}
	a.expectCalls("restore", "DescribeSecurityGroups", "RevokeSecurityGroupIngress")
	obs, _, _ = h.Observe(ctx, albRec, false)
	expectObservedProps(t, "Observe after restore", alb2.Kind, alb2.Props, obs.Props)

	// Create again: the owned group is adopted; a foreign one is refused.
	if _, err := h.Create(ctx, alb2); err != nil {
		t.Fatalf("Create over the owned group: %v", err)
	}
	foreign := newChild(alb.Key, alb.Kind, albName, testALBGroupProps(albName, n.VpcID, []string{"10.0.0.0/8"}, nil, ownerTags("other", composite.KeyLoadBalancerSecurityGroup, nil)))
	if _, err := h.Create(ctx, foreign); err == nil || !strings.Contains(err.Error(), "not managed by this composite") {
		t.Fatalf("Create over a foreign group: %v", err)
	}

	// Removing the services' group's source-group rule (described, as
	// created) works: the revoke matches the rule as AWS reports it.
	svcProps2 := *svcProps
	svcProps2.Ingress = []composite.SecurityGroupRule{}
	svc2 := newChild(svc.Key, svc.Kind, svcName, &svcProps2)
	a.ops.reset()
	if _, err := h.Update(ctx, svc2, svcRec); err != nil {
		t.Fatalf("Update services group: %v", err)
	}
	a.expectCalls("revoke source group", "DescribeSecurityGroups", "RevokeSecurityGroupIngress")
	obs, _, _ = h.Observe(ctx, svcRec, false)
	expectObservedProps(t, "Observe after revoking the source group rule", svc2.Kind, svc2.Props, obs.Props)

	// Delete (the ALB group first: the services' group still references it,
	// which AWS refuses with DependencyViolation until that group is gone;
	// the retry is exercised with an injected fault).
	a.ops.failNext("DeleteSecurityGroup", errCodeDependencyViolation, "resource has a dependent object", 1)
	if err := h.Delete(ctx, svcRec); err != nil {
		t.Fatalf("Delete services group: %v", err)
	}
	if err := h.Delete(ctx, albRec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, r := range []composite.Recorded{albRec, svcRec} {
		if _, found, err := h.Observe(ctx, r, false); err != nil || found {
			t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
		}
		if err := h.Delete(ctx, r); err != nil {
			t.Fatalf("second Delete: %v", err)
		}
	}
}

// A failed rule call returns the created group with the error (recorded,
// not orphaned); the next Update converges it.
func TestAccSecurityGroupHandler_partialCreate(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	h := NewSecurityGroupHandler(a.ec2)
	name := acctest.RandomName("sg")
	c := newChild(composite.KeyLoadBalancerSecurityGroup, composite.KindSecurityGroup, name,
		testALBGroupProps(name, n.VpcID, []string{"10.0.0.0/8"}, nil, ownerTags(name, composite.KeyLoadBalancerSecurityGroup, nil)))
	a.ops.failNext("AuthorizeSecurityGroupIngress", "InvalidParameterValue", "injected", 1)
	out, err := h.Create(a.ctx, c)
	if err == nil || out[composite.AttrID] == "" {
		t.Fatalf("Create = %v, %v; want outputs with an error", out, err)
	}
	rec := recorded(c, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })
	if _, err := h.Update(a.ctx, c, rec); err != nil {
		t.Fatal(err)
	}
	obs, _, _ := h.Observe(a.ctx, rec, false)
	expectObservedProps(t, "after converge", c.Kind, c.Props, obs.Props)
}

// securityGroupProps maps DescribeSecurityGroups' answer: CIDR sources of
// a permission in one rule, each source group in its own, all traffic as
// protocol -1 with ports 0.
func TestSecurityGroupProps(t *testing.T) {
	sg := &ec2types.SecurityGroup{GroupId: aws.String("sg-1"), GroupName: aws.String("g"), Description: aws.String("d"), VpcId: aws.String("vpc-1"),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
			IpRanges:         []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("Port 80")}},
			Ipv6Ranges:       []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-2"), Description: aws.String("from sg-2")}}}},
		IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		Tags:                ec2Tags(map[string]string{"a": "b"}),
	}
	want := composite.SecurityGroupProps{Name: "g", Description: "d", VpcID: "vpc-1",
		Ingress: []composite.SecurityGroupRule{
			{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRBlocks: []string{"10.0.0.0/8"}, IPv6CIDRBlocks: []string{"::/0"}, Description: "Port 80"},
			{Protocol: "tcp", FromPort: 80, ToPort: 80, SourceSecurityGroupID: "sg-2", Description: "from sg-2"},
		},
		Egress: []composite.SecurityGroupRule{{Protocol: "-1", CIDRBlocks: []string{"0.0.0.0/0"}}},
		Tags:   map[string]string{"a": "b"}}
	if got := securityGroupProps(sg); !reflect.DeepEqual(*got, want) {
		t.Errorf("securityGroupProps =\n%+v\nwant\n%+v", got, want)
	}
}

func TestAccResolveNetwork(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()

	a.ops.reset()
	vpc, subnets, err := ResolveNetwork(ctx, a.ec2, "", nil, composite.NoLoadBalancer)
	if err != nil || !strings.HasPrefix(vpc, "vpc-") || len(subnets) == 0 {
		t.Fatalf("default network = %q %v %v", vpc, subnets, err)
	}
	a.expectCalls("defaults", "DescribeVpcs", "DescribeSubnets")

	vpc, subnets, err = ResolveNetwork(ctx, a.ec2, n.VpcID, nil, composite.NoLoadBalancer)
	if err != nil || vpc != n.VpcID || strings.Join(subnets, ",") != strings.Join(normalizedSet(n.Subnets), ",") {
		t.Fatalf("subnets of %s = %v %v", n.VpcID, subnets, err)
	}
	a.expectCalls("subnets", "DescribeSubnets")

	vpc, subnets, err = ResolveNetwork(ctx, a.ec2, "", n.Subnets, composite.NoLoadBalancer)
	if err != nil || vpc != n.VpcID || len(subnets) != 2 {
		t.Fatalf("vpc of subnets = %q %v %v", vpc, subnets, err)
	}
	a.expectCalls("vpc", "DescribeSubnets")

	if _, _, err := ResolveNetwork(ctx, a.ec2, n.VpcID, n.Subnets, composite.NoLoadBalancer); err != nil {
		t.Fatal(err)
	}
	a.expectCalls("both set")

	_, defaultSubnets, _ := ResolveNetwork(ctx, a.ec2, "", nil, composite.NoLoadBalancer)
	_, _, err = ResolveNetwork(ctx, a.ec2, "", []string{n.Subnets[0], defaultSubnets[0]}, composite.NoLoadBalancer)
	var ne *NetworkError
	if err == nil || !strings.Contains(err.Error(), "2 VPCs") || !asNetworkError(err, &ne) || ne.Attr != "subnet_ids" {
		t.Fatalf("mixed VPCs = %v", err)
	}
}

func asNetworkError(err error, target **NetworkError) bool {
	ne, ok := err.(*NetworkError)
	if ok {
		*target = ne
	}
	return ok
}

// A new security group can be InvalidGroup.NotFound to the rule calls that
// follow its creation, and so can a new group a rule references (EC2's
// eventual consistency, reproduced by the proxy's SecurityGroupNotFound
// window): Create and Update retry those calls until the group is visible
// (issue 8, item 10).
func TestAccSecurityGroupHandler_rulesBeforeVisible(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	p, cfg := a.viaProxy(acctest.RealisticWindows())
	client := ec2.NewFromConfig(cfg)
	h := NewSecurityGroupHandler(client)
	owner := acctest.RandomName("cl")

	// The load balancer's group: ingress, and egress other than the default
	// (a revoke and an authorize), all right after CreateSecurityGroup.
	albName := owner + "-load-balancer"
	albProps := testALBGroupProps(albName, n.VpcID, []string{"10.0.0.0/8"}, nil, ownerTags(owner, composite.KeyLoadBalancerSecurityGroup, nil))
	albProps.Egress = []composite.SecurityGroupRule{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, CIDRBlocks: []string{"10.40.0.0/16"}}}
	alb := newChild(composite.KeyLoadBalancerSecurityGroup, composite.KindSecurityGroup, albName, albProps)
	albOut, err := h.Create(a.ctx, alb)
	if err != nil {
		t.Fatalf("Create right after CreateSecurityGroup: %v", err)
	}
	albRec := recorded(alb, albOut)
	t.Cleanup(func() { _ = h.Delete(context.Background(), albRec) })
	requireHits(t, p, acctest.RuleSecurityGroupNotFound)
	obs, _, err := h.Observe(a.ctx, albRec, false)
	if err != nil {
		t.Fatal(err)
	}
	expectObservedProps(t, "load balancer group", alb.Kind, alb.Props, obs.Props)

	// A group created long enough ago, updated to reference a group created
	// just now.
	p.ResetConsistency()
	fresh, err := client.CreateSecurityGroup(a.ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(acctest.RandomName("sg")), Description: aws.String("fresh"), VpcId: aws.String(n.VpcID),
	})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	freshID := aws.ToString(fresh.GroupId)
	t.Cleanup(func() {
		_, _ = a.ec2.DeleteSecurityGroup(context.Background(), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(freshID)})
	})
	updated := *albProps
	updated.Ingress = append(append([]composite.SecurityGroupRule(nil), albProps.Ingress...),
		composite.SecurityGroupRule{Protocol: "tcp", FromPort: 443, ToPort: 443, SourceSecurityGroupID: freshID})
	alb2 := newChild(alb.Key, alb.Kind, albName, &updated)
	if _, err := h.Update(a.ctx, alb2, albRec); err != nil {
		t.Fatalf("Update referencing a group created just now: %v", err)
	}
	requireHits(t, p, acctest.RuleSecurityGroupNotFound)
	obs, _, err = h.Observe(a.ctx, albRec, false)
	if err != nil {
		t.Fatal(err)
	}
	expectObservedProps(t, "updated group", alb.Kind, &updated, obs.Props)
	// The group's rules are removed before it is deleted at cleanup (the
	// fresh group is referenced).
	t.Cleanup(func() { _, _ = h.Update(context.Background(), alb, albRec) })

	// Only InvalidGroup.NotFound is retried.
	a.ops.failNext("AuthorizeSecurityGroupIngress", "InvalidParameterValue", "injected", 1)
	a.ops.reset()
	name := acctest.RandomName("sg")
	c := newChild(composite.KeyLoadBalancerSecurityGroup, composite.KindSecurityGroup, name,
		testALBGroupProps(name, n.VpcID, []string{"10.0.0.0/8"}, nil, ownerTags(owner, composite.KeyLoadBalancerSecurityGroup, nil)))
	out, err := h.Create(a.ctx, c)
	if out[composite.AttrID] != "" {
		t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(c, out)) })
	}
	if ErrorCode(err) != "InvalidParameterValue" {
		t.Fatalf("Create with a failing authorize: err = %v, want the AWS error", err)
	}
	requireCalls(t, "Create with a failing authorize", a.ops.calls(), "CreateSecurityGroup", "AuthorizeSecurityGroupIngress")
}

// A load balancer's network interfaces hold its security groups for a while
// after DeleteLoadBalancer returns (reproduced by the proxy's
// SecurityGroupInUse window): the group's delete retries DependencyViolation
// and InvalidGroup.InUse until the context's deadline - the resource's
// delete timeout - and then fails with a clear error (issue 8, item 12).
func TestAccSecurityGroupHandler_deleteWhileInUse(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	p, cfg := a.viaProxy(acctest.RealisticWindows())
	h := NewSecurityGroupHandler(ec2.NewFromConfig(cfg))
	elb := elbv2.NewFromConfig(cfg)
	owner := acctest.RandomName("cl")
	newGroup := func() composite.Recorded { // made directly: no window to wait out
		t.Helper()
		name := acctest.RandomName("sg")
		c := newChild(composite.KeyLoadBalancerSecurityGroup, composite.KindSecurityGroup, name,
			testALBGroupProps(name, n.VpcID, []string{"10.0.0.0/8"}, nil, ownerTags(owner, composite.KeyLoadBalancerSecurityGroup, nil)))
		out, err := NewSecurityGroupHandler(a.ec2).Create(a.ctx, c)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		rec := recorded(c, out)
		t.Cleanup(func() { a.ops.clearFailures(); _ = h.Delete(context.Background(), rec) })
		return rec
	}

	// The group of a load balancer deleted just now.
	rec := newGroup()
	lb, err := elb.CreateLoadBalancer(a.ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(acctest.RandomName("alb")), Subnets: n.Subnets, SecurityGroups: []string{securityGroupID(rec)},
		Scheme: elbv2types.LoadBalancerSchemeEnumInternal, Type: elbv2types.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	if _, err := elb.DeleteLoadBalancer(a.ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatalf("DeleteLoadBalancer: %v", err)
	}
	if err := h.Delete(a.ctx, rec); err != nil {
		t.Fatalf("Delete after the load balancer's delete: %v", err)
	}
	requireHits(t, p, acctest.RuleSecurityGroupInUse)
	if _, found, err := h.Observe(a.ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after Delete = found %v, err %v; want gone", found, err)
	}

	// InvalidGroup.InUse is retried as well.
	rec = newGroup()
	a.ops.failNext("DeleteSecurityGroup", errCodeSecurityGroupInUse, "injected: the group is in use", 2)
	a.ops.reset()
	if err := h.Delete(a.ctx, rec); err != nil {
		t.Fatalf("Delete with InvalidGroup.InUse twice: %v", err)
	}
	requireCalls(t, "Delete with InvalidGroup.InUse twice", a.ops.calls(), "DeleteSecurityGroup", "DeleteSecurityGroup", "DeleteSecurityGroup")

	// The retries run until the context's deadline (not a fixed budget),
	// then stop on their own with the AWS error and how long they tried.
	rec = newGroup()
	a.ops.failOperation("DeleteSecurityGroup", errCodeDependencyViolation)
	ctx, cancel := context.WithTimeout(a.ctx, 2500*time.Millisecond)
	defer cancel()
	a.ops.reset()
	err = h.Delete(ctx, rec)
	if ErrorCode(err) != errCodeDependencyViolation || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still failing after") {
		t.Fatalf("Delete while always in use: err = %v, want the DependencyViolation after retrying within the context's deadline", err)
	}
	if n := len(a.ops.calls()); n < 2 {
		t.Errorf("DeleteSecurityGroup attempts = %d, want retries", n)
	}
	a.ops.clearFailures()
}

// The delete's retry budget is the context's deadline (the resource's
// delete timeout, here longer than any fixed budget), else the fallback.
func TestSecurityGroupDeleteBudget(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if got := waitBudget(ctx, SecurityGroupDeleteFallback); got < 19*time.Minute {
		t.Errorf("budget with a 20m deadline = %s", got)
	}
	if got := waitBudget(context.Background(), SecurityGroupDeleteFallback); got != SecurityGroupDeleteFallback {
		t.Errorf("budget without a deadline = %s", got)
	}
	if !securityGroupInUse(&smithy.GenericAPIError{Code: errCodeDependencyViolation}) || !securityGroupInUse(&smithy.GenericAPIError{Code: errCodeSecurityGroupInUse}) ||
		securityGroupInUse(&smithy.GenericAPIError{Code: errCodeSecurityGroupNotFound}) {
		t.Error("securityGroupInUse: want DependencyViolation and InvalidGroup.InUse only")
	}
}
