package handlers

import (
	"context"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func testLoadBalancerProps(name string, n testNetwork, idle int32, tags map[string]string) *composite.LoadBalancerProps {
	return &composite.LoadBalancerProps{
		Name: name, Internal: true, Subnets: n.Subnets, SecurityGroups: []string{n.SG}, IPAddressType: "ipv4",
		IdleTimeout: idle, DropInvalidHeaderFields: true, Tags: tags,
	}
}

func TestAccLoadBalancerHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	h := NewLoadBalancerHandler(a.elb)
	name := acctest.RandomName("alb")
	child := newChild(composite.KeyLoadBalancer, composite.KindLoadBalancer, name, testLoadBalancerProps(name, n, 120, ownerTags(name, composite.KeyLoadBalancer, nil)))

	a.ops.reset()
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "DescribeLoadBalancers", "CreateLoadBalancer", "ModifyLoadBalancerAttributes", "DescribeLoadBalancers")
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, composite.AttrDNSName, AttrVpcID, AttrObserved)
	if out[AttrInternal] != "true" || out[AttrIdleTimeout] != "120" || out[AttrVpcID] != n.VpcID {
		t.Errorf("outputs = %v", out)
	}
	expectObserved(t, "Create", child, out)
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })

	got, found, err := h.Read(ctx, rec)
	if err != nil || !found {
		t.Fatalf("Read = %v, %v", found, err)
	}
	a.expectCalls("Read", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes")
	expectObserved(t, "Read", child, got)

	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatal(err)
	}
	a.expectCalls("no-op Update", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeTags")

	// Idle timeout, subnets and tags in place.
	p2 := testLoadBalancerProps(name, n, 30, ownerTags(name, composite.KeyLoadBalancer, map[string]string{"env": "prod"}))
	p2.Subnets = []string{n.Subnets[1], n.Subnets[0]} // same set, other order: no SetSubnets
	child2 := newChild(child.Key, child.Kind, name, p2)
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "ModifyLoadBalancerAttributes", "DescribeTags", "AddTags")
	expectObserved(t, "Update outputs", child2, out2)
	got, _, _ = h.Read(ctx, rec)
	expectObserved(t, "Read after Update", child2, got)

	// Drift: the idle timeout changed out of band.
	if _, err := a.elb.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(rec.ARN),
		Attributes: []elbv2types.LoadBalancerAttribute{{Key: aws.String(lbAttrIdleTimeout), Value: aws.String("400")}}}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = h.Read(ctx, rec)
	if want, _ := ExpectedObserved(child2); got[AttrObserved] == want || got[AttrIdleTimeout] != "400" {
		t.Fatalf("Read did not see the changed idle timeout: %v", got)
	}

	// Create again: the owned load balancer is adopted and converged; a
	// foreign one is refused.
	a.ops.reset()
	if _, err := h.Create(ctx, child2); err != nil {
		t.Fatalf("Create over the owned load balancer: %v", err)
	}
	a.expectCalls("adopt", "DescribeLoadBalancers", "DescribeTags", "DescribeLoadBalancerAttributes", "ModifyLoadBalancerAttributes", "DescribeTags")
	foreign := newChild(child.Key, child.Kind, name, testLoadBalancerProps(name, n, 30, ownerTags("other", composite.KeyLoadBalancer, nil)))
	if _, err := h.Create(ctx, foreign); err == nil || !strings.Contains(err.Error(), "not managed by this composite") {
		t.Fatalf("Create over a foreign load balancer: %v", err)
	}

	a.ops.reset()
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	a.expectCalls("Delete", "DeleteLoadBalancer", "DescribeLoadBalancers")
	if _, found, err := h.Read(ctx, rec); err != nil || found {
		t.Fatalf("Read after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

// A failed attribute call returns the created load balancer with the error.
func TestAccLoadBalancerHandler_partialCreate(t *testing.T) {
	a := newAcc(t)
	n := a.newNetwork()
	h := NewLoadBalancerHandler(a.elb)
	name := acctest.RandomName("alb")
	c := newChild(composite.KeyLoadBalancer, composite.KindLoadBalancer, name, testLoadBalancerProps(name, n, 60, ownerTags(name, composite.KeyLoadBalancer, nil)))
	a.ops.failNext("ModifyLoadBalancerAttributes", "ValidationError", "injected", 1)
	out, err := h.Create(a.ctx, c)
	if err == nil || out[composite.AttrARN] == "" {
		t.Fatalf("Create = %v, %v; want outputs with the error", out, err)
	}
	if err := h.Delete(a.ctx, recorded(c, out)); err != nil {
		t.Fatal(err)
	}
}
