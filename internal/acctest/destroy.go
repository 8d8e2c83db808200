package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// ServiceLeftovers asks the emulator for every child kind of the service
// cluster/name and returns a description of each one that still exists.
func ServiceLeftovers(ctx context.Context, cluster, name string) ([]string, error) {
	cfg, err := AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	owner := composite.ServiceID(cluster, name)
	var left []string
	var errs []error
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}

	// ECS service: missing or INACTIVE.
	ecsc := ecs.NewFromConfig(cfg)
	svc, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
	if err != nil && code(err) != "ClusterNotFoundException" {
		errs = append(errs, err)
	} else if err == nil {
		for _, s := range svc.Services {
			if aws.ToString(s.Status) != "INACTIVE" {
				left = append(left, "ECS service "+name+" ("+aws.ToString(s.Status)+")")
			}
		}
	}
	// Task definitions: no ACTIVE revision of the family.
	family := composite.TaskFamily(cluster, name)
	tds, err := ecsc.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, a := range tds.TaskDefinitionArns {
			if strings.Contains(a, ":task-definition/"+family+":") {
				left = append(left, "task definition "+a)
			}
		}
	}
	// IAM roles.
	iamc := iam.NewFromConfig(cfg)
	for _, rn := range []string{composite.ExecutionRoleName(cluster, name), composite.TaskRoleName(cluster, name)} {
		_, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(rn)})
		switch {
		case err == nil:
			left = append(left, "IAM role "+rn)
		case code(err) != "NoSuchEntity":
			errs = append(errs, err)
		}
	}
	// Log group.
	lg := composite.LogGroupName(cluster, name)
	lgs, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(lg)})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, g := range lgs.LogGroups {
			if aws.ToString(g.LogGroupName) == lg {
				left = append(left, "log group "+lg)
			}
		}
	}
	// ECR repository.
	repo := composite.RepositoryName(cluster, name)
	_, err = ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repo}})
	switch {
	case err == nil:
		left = append(left, "ECR repository "+repo)
	case code(err) != "RepositoryNotFoundException":
		errs = append(errs, err)
	}
	// Target groups and listener rules carrying the ownership tag.
	lb := elbv2.NewFromConfig(cfg)
	var arns []string
	tgs, err := lb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, tg := range tgs.TargetGroups {
			arns = append(arns, aws.ToString(tg.TargetGroupArn))
		}
	}
	lbs, err := lb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, l := range lbs.LoadBalancers {
			ls, err := lb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: l.LoadBalancerArn})
			if err != nil {
				continue // the load balancer may be going away concurrently
			}
			for _, li := range ls.Listeners {
				rules, err := lb.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: li.ListenerArn})
				if err != nil {
					continue
				}
				for _, r := range rules.Rules {
					if !aws.ToBool(r.IsDefault) {
						arns = append(arns, aws.ToString(r.RuleArn))
					}
				}
			}
		}
	}
	for i := 0; i < len(arns); i += 20 {
		end := min(i+20, len(arns))
		tags, err := lb.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns[i:end]})
		if err != nil {
			errs = append(errs, fmt.Errorf("ELBv2 DescribeTags: %w", err))
			continue
		}
		for _, td := range tags.TagDescriptions {
			for _, t := range td.Tags {
				if aws.ToString(t.Key) == composite.TagOwner && aws.ToString(t.Value) == owner {
					left = append(left, "ELBv2 "+aws.ToString(td.ResourceArn))
				}
			}
		}
	}
	// Cloud Map service.
	sd := servicediscovery.NewFromConfig(cfg)
	sds, err := sd.ListServices(ctx, &servicediscovery.ListServicesInput{})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, s := range sds.Services {
			if aws.ToString(s.Name) != composite.DiscoveryServiceName(name) {
				continue
			}
			tags, err := sd.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: s.Arn})
			if err != nil {
				errs = append(errs, fmt.Errorf("Cloud Map ListTagsForResource: %w", err))
				continue
			}
			for _, t := range tags.Tags {
				if aws.ToString(t.Key) == composite.TagOwner && aws.ToString(t.Value) == owner {
					left = append(left, "Cloud Map service "+aws.ToString(s.Id))
				}
			}
		}
	}
	return left, errors.Join(errs...)
}

// CheckServiceDestroyed is a CheckDestroy asking the emulator for every child
// kind of the service.
func CheckServiceDestroyed(cluster, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		left, err := ServiceLeftovers(context.Background(), cluster, name)
		if err != nil {
			return fmt.Errorf("checking for leftovers: %w", err)
		}
		if len(left) > 0 {
			return fmt.Errorf("service %s/%s left behind: %s", cluster, name, strings.Join(left, "; "))
		}
		return nil
	}
}
