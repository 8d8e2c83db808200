package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// ClusterLeftovers asks the emulator for every child kind of the cluster
// composite named name (ECS cluster, security groups, load balancer and its
// listeners, Cloud Map namespace) and describes each one that still exists.
// Children are found by name and by their containerapp:owner tag.
func ClusterLeftovers(ctx context.Context, name string) ([]string, error) {
	cfg, err := AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	owner := composite.ClusterID(name)
	var left []string
	var errs []error
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}

	// ECS cluster: missing or INACTIVE.
	cl, err := ecs.NewFromConfig(cfg).DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{name}})
	if err != nil && code(err) != "ClusterNotFoundException" {
		errs = append(errs, err)
	} else if err == nil {
		for _, c := range cl.Clusters {
			if aws.ToString(c.Status) != "INACTIVE" {
				left = append(left, "ECS cluster "+name+" ("+aws.ToString(c.Status)+")")
			}
		}
	}

	// Security groups carrying the ownership tag.
	sgs, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + composite.TagOwner), Values: []string{owner}},
	}})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, sg := range sgs.SecurityGroups {
			left = append(left, "security group "+aws.ToString(sg.GroupId)+" ("+aws.ToString(sg.GroupName)+")")
		}
	}

	// Load balancer (by its derived name) and its listeners.
	lb := elbv2.NewFromConfig(cfg)
	lbs, err := lb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{composite.LoadBalancerName(name)}})
	switch {
	case err == nil:
		for _, l := range lbs.LoadBalancers {
			left = append(left, "load balancer "+aws.ToString(l.LoadBalancerArn))
			ls, err := lb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: l.LoadBalancerArn})
			if err != nil {
				continue
			}
			for _, li := range ls.Listeners {
				left = append(left, "listener "+aws.ToString(li.ListenerArn))
			}
		}
	case code(err) != "LoadBalancerNotFound":
		errs = append(errs, err)
	}

	// Cloud Map namespaces carrying the ownership tag.
	sd := servicediscovery.NewFromConfig(cfg)
	p := servicediscovery.NewListNamespacesPaginator(sd, &servicediscovery.ListNamespacesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			errs = append(errs, err)
			break
		}
		for _, ns := range page.Namespaces {
			tags, err := sd.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: ns.Arn})
			if err != nil {
				continue // deleted concurrently
			}
			for _, t := range tags.Tags {
				if aws.ToString(t.Key) == composite.TagOwner && aws.ToString(t.Value) == owner {
					left = append(left, "Cloud Map namespace "+aws.ToString(ns.Id)+" ("+aws.ToString(ns.Name)+")")
				}
			}
		}
	}
	return left, errors.Join(errs...)
}

// CheckClusterDestroyed is a CheckDestroy asking the emulator for every
// child kind of the cluster composite.
func CheckClusterDestroyed(name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		left, err := ClusterLeftovers(context.Background(), name)
		if err != nil {
			return fmt.Errorf("checking for leftovers: %w", err)
		}
		if len(left) > 0 {
			return fmt.Errorf("cluster %s left behind: %s", name, strings.Join(left, "; "))
		}
		return nil
	}
}
