package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// The cluster composite's network lookup (default VPC and its subnets),
// made by the adapter before expansion.

// NetworkAPI is the part of *ec2.Client used to resolve a cluster's network.
type NetworkAPI interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeRouteTables(ctx context.Context, in *ec2.DescribeRouteTablesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error)
}

var _ NetworkAPI = (*ec2.Client)(nil)

// NetworkError is a network lookup failure that belongs to one attribute
// (Attr is "vpc_id" or "subnet_ids").
type NetworkError struct {
	Attr string
	Err  error
}

func (e *NetworkError) Error() string { return e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// ResolveNetwork fills what the user left unset: with subnets but no VPC,
// the subnets' VPC; with neither, the region's default VPC; without subnets,
// the subnets composite.ChooseSubnets picks for placement (without a load
// balancer every subnet of the VPC; for one, a subnet per Availability Zone,
// public ones for an internet-facing load balancer). Subnets given are used
// as given. Calls: [DescribeSubnets by id], [DescribeVpcs isDefault],
// [DescribeSubnets by vpc-id], [DescribeRouteTables by vpc-id, for a load
// balancer] - at most three when the lists fit one page each (the
// paginators follow NextToken otherwise).
func ResolveNetwork(ctx context.Context, api NetworkAPI, vpcID string, subnetIDs []string, placement composite.LoadBalancerPlacement) (string, []string, error) {
	if vpcID == "" && len(subnetIDs) > 0 {
		out, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnetIDs})
		if err != nil {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("looking up the VPC of subnets %s: %w", strings.Join(subnetIDs, ", "), err)}
		}
		vpcs := map[string]bool{}
		for _, s := range out.Subnets {
			vpcs[aws.ToString(s.VpcId)] = true
		}
		if len(vpcs) != 1 {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("subnets %s belong to %d VPCs (%s); they must share one VPC",
				strings.Join(subnetIDs, ", "), len(vpcs), strings.Join(sortedSetKeys(vpcs), ", "))}
		}
		return sortedSetKeys(vpcs)[0], subnetIDs, nil
	}
	if vpcID == "" {
		out, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
			Filters: []ec2types.Filter{{Name: aws.String("isDefault"), Values: []string{"true"}}},
		})
		if err != nil {
			return "", nil, &NetworkError{"vpc_id", fmt.Errorf("looking up the default VPC: %w", err)}
		}
		for _, v := range out.Vpcs {
			if aws.ToBool(v.IsDefault) {
				vpcID = aws.ToString(v.VpcId)
				break
			}
		}
		if vpcID == "" {
			return "", nil, &NetworkError{"vpc_id", fmt.Errorf("the region has no default VPC: set vpc_id (and subnet_ids)")}
		}
	}
	if len(subnetIDs) > 0 {
		return vpcID, subnetIDs, nil
	}
	facts, err := subnetFacts(ctx, api, vpcID, placement != composite.NoLoadBalancer)
	if err != nil {
		return "", nil, &NetworkError{"subnet_ids", err}
	}
	subnets, err := composite.ChooseSubnets(vpcID, facts, placement)
	if err != nil {
		return "", nil, &NetworkError{"subnet_ids", err}
	}
	return vpcID, subnets, nil
}

// vpcFilter selects the objects of one VPC.
func vpcFilter(vpcID string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
}

// subnetFacts lists the subnets of vpcID; withRoutes also reads the VPC's
// route tables to tell public subnets from private ones.
func subnetFacts(ctx context.Context, api NetworkAPI, vpcID string, withRoutes bool) ([]composite.SubnetFacts, error) {
	var facts []composite.SubnetFacts
	p := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{Filters: vpcFilter(vpcID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the subnets of %s: %w", vpcID, err)
		}
		for _, s := range out.Subnets {
			facts = append(facts, composite.SubnetFacts{
				ID: aws.ToString(s.SubnetId), AvailabilityZone: aws.ToString(s.AvailabilityZone), DefaultForAZ: aws.ToBool(s.DefaultForAz),
			})
		}
	}
	if !withRoutes || len(facts) == 0 {
		return facts, nil
	}
	var tables []composite.RouteTableFacts
	rp := ec2.NewDescribeRouteTablesPaginator(api, &ec2.DescribeRouteTablesInput{Filters: vpcFilter(vpcID)})
	for rp.HasMorePages() {
		out, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the route tables of %s (to find its public subnets): %w", vpcID, err)
		}
		for _, rt := range out.RouteTables {
			tables = append(tables, routeTableFacts(rt))
		}
	}
	ids := make([]string, len(facts))
	for i, f := range facts {
		ids[i] = f.ID
	}
	public := composite.PublicSubnets(ids, tables)
	for i := range facts {
		facts[i].Public = public[facts[i].ID]
	}
	return facts, nil
}

func routeTableFacts(rt ec2types.RouteTable) composite.RouteTableFacts {
	var f composite.RouteTableFacts
	for _, a := range rt.Associations {
		if aws.ToBool(a.Main) {
			f.Main = true
		} else if id := aws.ToString(a.SubnetId); id != "" {
			f.Subnets = append(f.Subnets, id)
		}
	}
	for _, r := range rt.Routes {
		f.Routes = append(f.Routes, composite.RouteFacts{
			DestinationCIDR: aws.ToString(r.DestinationCidrBlock), GatewayID: aws.ToString(r.GatewayId), State: string(r.State),
		})
	}
	return f
}
