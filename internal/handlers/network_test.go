package handlers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// routedVPC is a VPC with an internet gateway and a route table sending
// 0.0.0.0/0 to it; subnets made public are associated with that table,
// private ones use the main table (local route only).
type routedVPC struct {
	a      *accEnv
	ID     string
	prefix string // the first two octets of its CIDR block
	public string // the public route table
	n      int    // subnets made so far (their CIDR block)
}

func (a *accEnv) newRoutedVPC(cidr16 string) *routedVPC {
	a.t.Helper()
	ctx, t, c := a.ctx, a.t, a.ec2
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr16 + ".0.0/16")})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	v := &routedVPC{a: a, ID: aws.ToString(vpc.Vpc.VpcId), prefix: cidr16}
	t.Cleanup(func() { _, _ = c.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(v.ID)}) })
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatalf("CreateInternetGateway: %v", err)
	}
	igwID := igw.InternetGateway.InternetGatewayId
	t.Cleanup(func() {
		_, _ = c.DeleteInternetGateway(context.Background(), &ec2.DeleteInternetGatewayInput{InternetGatewayId: igwID})
	})
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igwID, VpcId: aws.String(v.ID)}); err != nil {
		t.Fatalf("AttachInternetGateway: %v", err)
	}
	t.Cleanup(func() {
		_, _ = c.DetachInternetGateway(context.Background(), &ec2.DetachInternetGatewayInput{InternetGatewayId: igwID, VpcId: aws.String(v.ID)})
	})
	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(v.ID)})
	if err != nil {
		t.Fatalf("CreateRouteTable: %v", err)
	}
	v.public = aws.ToString(rt.RouteTable.RouteTableId)
	t.Cleanup(func() {
		_, _ = c.DeleteRouteTable(context.Background(), &ec2.DeleteRouteTableInput{RouteTableId: aws.String(v.public)})
	})
	if _, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{
		RouteTableId: aws.String(v.public), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igwID,
	}); err != nil {
		t.Fatalf("CreateRoute: %v", err)
	}
	return v
}

// subnet creates a subnet in zone (a letter) of the region, public or not.
func (v *routedVPC) subnet(zone string, public bool) string {
	a := v.a
	a.t.Helper()
	cidr := fmt.Sprintf("%s.%d.0/24", v.prefix, v.n)
	v.n++
	id, err := acctest.CreateSubnet(a.ctx, a.ec2, v.ID, cidr, acctest.Region()+zone)
	if err != nil {
		a.t.Fatalf("CreateSubnet: %v", err)
	}
	a.t.Cleanup(func() {
		_, _ = a.ec2.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
	})
	if public {
		as, err := a.ec2.AssociateRouteTable(a.ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(v.public), SubnetId: aws.String(id)})
		if err != nil {
			a.t.Fatalf("AssociateRouteTable: %v", err)
		}
		a.t.Cleanup(func() {
			_, _ = a.ec2.DisassociateRouteTable(context.Background(), &ec2.DisassociateRouteTableInput{AssociationId: as.AssociationId})
		})
	}
	return id
}

func sortedCopy(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// The default subnets of a cluster with a load balancer (issue 8, item 6):
// an ALB takes one subnet per Availability Zone, public ones when it is
// internet-facing, so ResolveNetwork picks one per zone from the subnets and
// route tables of the VPC; without a load balancer, every subnet.
func TestAccResolveNetwork_loadBalancerSubnets(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx

	// Two zones, a public and a private subnet in each, a second public
	// subnet in the first.
	v := a.newRoutedVPC("10.43")
	pubA1, pubA2, privA := v.subnet("a", true), v.subnet("a", true), v.subnet("a", false)
	pubB, privB := v.subnet("b", true), v.subnet("b", false)
	all := sortedCopy(pubA1, pubA2, privA, pubB, privB)
	a.ops.reset()

	_, got, err := ResolveNetwork(ctx, a.ec2, v.ID, nil, composite.InternetFacingLoadBalancer)
	if want := sortedCopy(sortedCopy(pubA1, pubA2)[0], pubB); err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("internet-facing: %v %v, want %v", got, err, want)
	}
	a.expectCalls("internet-facing", "DescribeSubnets", "DescribeRouteTables")
	internetFacing := got

	_, got, err = ResolveNetwork(ctx, a.ec2, v.ID, nil, composite.InternalLoadBalancer)
	if want := sortedCopy(privA, privB); err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("internal: %v %v, want %v", got, err, want)
	}
	a.expectCalls("internal", "DescribeSubnets", "DescribeRouteTables")

	_, got, err = ResolveNetwork(ctx, a.ec2, v.ID, nil, composite.NoLoadBalancer)
	if err != nil || strings.Join(got, ",") != strings.Join(all, ",") {
		t.Fatalf("no load balancer: %v %v, want %v", got, err, all)
	}
	a.expectCalls("no load balancer", "DescribeSubnets")

	// Subnets given are used as given.
	_, got, err = ResolveNetwork(ctx, a.ec2, v.ID, []string{privB, pubA1, pubA2}, composite.InternetFacingLoadBalancer)
	if err != nil || strings.Join(got, ",") != strings.Join([]string{privB, pubA1, pubA2}, ",") {
		t.Fatalf("given: %v %v", got, err)
	}
	a.expectCalls("given")

	// The choice is one the load balancer accepts; every subnet is not.
	a.ops.reset()
	lbName := acctest.RandomName("sn")
	if _, err := a.elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(lbName + "-all"), Subnets: all, Type: elbv2types.LoadBalancerTypeEnumApplication,
	}); err == nil {
		t.Error("CreateLoadBalancer with every subnet of the VPC succeeded; the emulator should refuse two subnets in one zone")
	}
	lb, err := a.elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(lbName), Subnets: internetFacing, Type: elbv2types.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		t.Fatalf("CreateLoadBalancer with the chosen subnets: %v", err)
	}
	_, _ = a.elb.DeleteLoadBalancer(context.Background(), &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn})

	// The default VPC (the emulator's has an internet gateway, as AWS's):
	// its default subnets, one per zone, are public.
	a.ops.reset()
	vpc, got, err := ResolveNetwork(ctx, a.ec2, "", nil, composite.InternetFacingLoadBalancer)
	if err != nil {
		t.Fatalf("default VPC, internet-facing: %v", err)
	}
	a.expectCalls("default VPC", "DescribeVpcs", "DescribeSubnets", "DescribeRouteTables")
	def, err := a.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("default-for-az"), Values: []string{"true"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var defaults []string
	for _, s := range def.Subnets {
		defaults = append(defaults, aws.ToString(s.SubnetId))
	}
	if want := sortedCopy(defaults...); len(want) < 2 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("default VPC, internet-facing: %v, want its default subnets %v", got, want)
	}

	// Public subnets in one zone only: an internet-facing load balancer
	// cannot be placed; an internal one takes the public subnet of the
	// zone without a private one.
	one := a.newRoutedVPC("10.44")
	onePubA, onePrivB := one.subnet("a", true), one.subnet("b", false)
	a.ops.reset()
	_, got, err = ResolveNetwork(ctx, a.ec2, one.ID, nil, composite.InternetFacingLoadBalancer)
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Attr != "subnet_ids" {
		t.Fatalf("public subnets in one zone: %v %v, want a NetworkError on subnet_ids", got, err)
	}
	for _, w := range []string{one.ID, acctest.Region() + "a: " + onePubA + " (public)", acctest.Region() + "b: " + onePrivB + " (private)",
		"Set subnet_ids", "load_balancer.internal = true", "public subnet in a second Availability Zone"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	_, got, err = ResolveNetwork(ctx, a.ec2, one.ID, nil, composite.InternalLoadBalancer)
	if want := sortedCopy(onePubA, onePrivB); err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("internal, one public and one private zone: %v %v, want %v", got, err, want)
	}

	// Subnets in one zone: no load balancer can be placed.
	single := a.newRoutedVPC("10.45")
	single.subnet("a", false)
	single.subnet("a", true)
	_, got, err = ResolveNetwork(ctx, a.ec2, single.ID, nil, composite.InternalLoadBalancer)
	if !errors.As(err, &ne) || ne.Attr != "subnet_ids" || !strings.Contains(err.Error(), "at least two Availability Zones") ||
		!strings.Contains(err.Error(), single.ID) {
		t.Fatalf("internal, one zone: %v %v", got, err)
	}
	if _, got, err = ResolveNetwork(ctx, a.ec2, single.ID, nil, composite.NoLoadBalancer); err != nil || len(got) != 2 {
		t.Errorf("no load balancer, one zone: %v %v", got, err)
	}
}
