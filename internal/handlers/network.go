package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The cluster composite's network lookup (default VPC and its subnets),
// made by the adapter before expansion.

// NetworkAPI is the part of *ec2.Client used to resolve a cluster's network.
type NetworkAPI interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
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
// every subnet of the VPC (sorted). Calls: [DescribeSubnets by id],
// [DescribeVpcs isDefault], [DescribeSubnets by vpc-id] - at most two.
func ResolveNetwork(ctx context.Context, api NetworkAPI, vpcID string, subnetIDs []string) (string, []string, error) {
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
	var subnets []string
	p := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("listing the subnets of %s: %w", vpcID, err)}
		}
		for _, s := range out.Subnets {
			subnets = append(subnets, aws.ToString(s.SubnetId))
		}
	}
	if len(subnets) == 0 {
		return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("VPC %s has no subnets: set subnet_ids", vpcID)}
	}
	sort.Strings(subnets)
	return vpcID, subnets, nil
}
