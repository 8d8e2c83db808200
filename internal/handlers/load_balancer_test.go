package handlers

import (
	"context"
	"errors"
	"reflect"
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
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, composite.AttrDNSName, AttrVpcID)
	if out[AttrInternal] != "true" || out[AttrIdleTimeout] != "120" || out[AttrVpcID] != n.VpcID {
		t.Errorf("outputs = %v", out)
	}
	rec := recorded(child, out)
	t.Cleanup(func() { _ = h.Delete(context.Background(), rec) })

	// Observe (a refresh): two calls, the props without the tags.
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = %v, %v", found, err)
	}
	a.expectCalls("Observe", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes")
	refreshed := clone(child.Props).(*composite.LoadBalancerProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe", child.Kind, refreshed, obs.Props)
	for k, v := range out {
		if obs.Outputs[k] != v {
			t.Errorf("Observe output %s = %q, want %q", k, obs.Outputs[k], v)
		}
	}

	// Find by name, and by ARN: in full, the created props.
	q := composite.Lookup{Key: child.Key, Kind: child.Kind, Owner: name, Name: name, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeLoadBalancers", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeTags")
	if frec.Key != child.Key || frec.Kind != child.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] ||
		frec.Outputs[composite.AttrDNSName] != out[composite.AttrDNSName] || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", child.Kind, child.Props, fobs.Props)
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: child.Key, Owner: name, ID: out[composite.AttrARN]}); err != nil || !found || frec.Name != name {
		t.Errorf("Find by ARN = %+v, %v, %v", frec, found, err)
	}
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) for another owner: err = %v", err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: child.Key, Name: name + "x"}); err != nil || found {
		t.Errorf("Find of a missing load balancer = %v, %v", found, err)
	}
	a.ops.reset()

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
	if out2[AttrIdleTimeout] != "30" {
		t.Errorf("Update outputs = %v", out2)
	}
	_, fobs, _, err = h.Find(ctx, composite.Lookup{Key: child.Key, ID: rec.ARN})
	if err != nil {
		t.Fatalf("Find after Update: %v", err)
	}
	expectObservedProps(t, "Find after Update", child2.Kind, child2.Props, fobs.Props)

	// Drift: the idle timeout changed out of band.
	if _, err := a.elb.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(rec.ARN),
		Attributes: []elbv2types.LoadBalancerAttribute{{Key: aws.String(lbAttrIdleTimeout), Value: aws.String("400")}}}); err != nil {
		t.Fatal(err)
	}
	obs, _, _ = h.Observe(ctx, rec, false)
	if obs.Props.(*composite.LoadBalancerProps).IdleTimeout != 400 || obs.Outputs[AttrIdleTimeout] != "400" {
		t.Fatalf("Observe did not see the changed idle timeout: %+v", obs)
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
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
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

// loadBalancerProps maps DescribeLoadBalancers' answer and the attributes.
func TestLoadBalancerProps(t *testing.T) {
	lb := &elbv2types.LoadBalancer{LoadBalancerName: aws.String("alb"), Scheme: elbv2types.LoadBalancerSchemeEnumInternal,
		AvailabilityZones: []elbv2types.AvailabilityZone{{SubnetId: aws.String("subnet-b")}, {SubnetId: aws.String("subnet-a")}},
		SecurityGroups:    []string{"sg-1"}, IpAddressType: elbv2types.IpAddressTypeIpv4}
	attrs := map[string]string{lbAttrIdleTimeout: "120", lbAttrDropInvalidHeaders: "true"}
	want := composite.LoadBalancerProps{Name: "alb", Internal: true, Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"},
		IPAddressType: "ipv4", IdleTimeout: 120, DropInvalidHeaderFields: true, Tags: map[string]string{"a": "b"}}
	if got := loadBalancerProps(lb, attrs, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("loadBalancerProps = %+v, want %+v", got, want)
	}
}
