package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// TestAccService_driftChanged changes children out of band - not deleting
// them: the log group's retention, the ECS service's desired count, the
// listener rule's path pattern, each in its own step. Every time the next
// plan updates the service showing only that child's arn as unknown, the
// apply restores the configured value (checked with the SDK) and the plan
// after it is empty. A drift undone out of band before any apply plans
// nothing again.
func TestAccService_driftChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cfgAWS := acctest.MustConfig(t)
	logs, ecsc, elb := cloudwatchlogs.NewFromConfig(cfgAWS), ecs.NewFromConfig(cfgAWS), elbv2.NewFromConfig(cfgAWS)
	opts := defaultOpts()
	cfg := factory.Config(testAccServiceConfig_opts(f, opts))
	logGroup := composite.LogGroupName(f.cluster, f.name)
	before := children{}

	// must turns an out-of-band change into a PreConfig, failing the test
	// when the SDK call fails.
	must := func(what string, fn func() error) func() {
		return func() {
			if err := fn(); err != nil {
				t.Fatalf("%s out of band: %v", what, err)
			}
		}
	}
	setRetention := func(days int32) func() error {
		return func() error {
			_, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(logGroup), RetentionInDays: aws.Int32(days)})
			return err
		}
	}
	// drifted is the plan of a drifted child: an update of the service, that
	// child's arn unknown, every other child's known and unchanged.
	drifted := func(key string, more ...plancheck.PlanCheck) []plancheck.PlanCheck {
		return append([]plancheck.PlanCheck{
			plancheck.ExpectNonEmptyPlan(),
			plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate),
			expectChildARNs(testAddr, before, []string{key}),
		}, more...)
	}
	restored := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config:           cfg,
				ConfigPlanChecks: restored,
				Check:            captureChildren(testAddr, before),
			},
			// A drift recorded by a refresh, then undone out of band: the
			// child gets its hash back and the plan is empty.
			{
				PreConfig:          must("setting the log group's retention to 7 days", setRetention(7)),
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks:  resource.RefreshPlanChecks{PostRefresh: drifted("log_group")},
			},
			{
				PreConfig:         must("setting the log group's retention back to 30 days", setRetention(composite.DefaultLogRetentionDays)),
				RefreshState:      true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// (a) The log group's retention.
			{
				PreConfig: must("setting the log group's retention to 7 days", setRetention(7)),
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             drifted("log_group"),
					PostApplyPostRefresh: restored.PostApplyPostRefresh,
				},
				Check: func(*terraform.State) error {
					out, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(logGroup)})
					if err != nil {
						return err
					}
					for _, g := range out.LogGroups {
						if aws.ToString(g.LogGroupName) == logGroup {
							if got := aws.ToInt32(g.RetentionInDays); got != composite.DefaultLogRetentionDays {
								return fmt.Errorf("log group retention after apply = %d, want %d", got, composite.DefaultLogRetentionDays)
							}
							return nil
						}
					}
					return fmt.Errorf("log group %s not found", logGroup)
				},
			},
			// (b) The ECS service's desired count.
			{
				PreConfig: must("scaling the ECS service to 5", func() error {
					_, err := ecsc.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(f.name), DesiredCount: aws.Int32(5)})
					return err
				}),
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             drifted("service", plancheck.ExpectUnknownValue(testAddr, tfjsonpath.New("arn"))),
					PostApplyPostRefresh: restored.PostApplyPostRefresh,
				},
				Check: func(*terraform.State) error {
					svc, err := describeService(ctx, ecsc, f)
					if err != nil {
						return err
					}
					if svc.DesiredCount != int32(opts.desired) {
						return fmt.Errorf("ECS service desired count after apply = %d, want %d", svc.DesiredCount, opts.desired)
					}
					return nil
				},
			},
			// (c) The listener rule's path pattern.
			{
				PreConfig: must("changing the listener rule's path pattern", func() error {
					_, err := elb.ModifyRule(ctx, &elbv2.ModifyRuleInput{
						RuleArn: aws.String(before["listener_rule"].arn),
						Conditions: []elbv2types.RuleCondition{{
							Field: aws.String("path-pattern"), PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/drifted/*"}},
						}},
						Actions: []elbv2types.Action{{
							Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(before["target_group"].arn), Order: aws.Int32(1),
						}},
					})
					return err
				}),
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             drifted("listener_rule"),
					PostApplyPostRefresh: restored.PostApplyPostRefresh,
				},
				Check: func(*terraform.State) error {
					out, err := elb.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{before["listener_rule"].arn}})
					if err != nil {
						return err
					}
					if len(out.Rules) != 1 {
						return fmt.Errorf("listener rule %s: %d rules described", before["listener_rule"].arn, len(out.Rules))
					}
					paths := map[string]bool{}
					for _, c := range out.Rules[0].Conditions {
						if aws.ToString(c.Field) != "path-pattern" {
							continue
						}
						for _, v := range c.Values {
							paths[v] = true
						}
						if c.PathPatternConfig != nil {
							for _, v := range c.PathPatternConfig.Values {
								paths[v] = true
							}
						}
					}
					var got []string
					for v := range paths {
						got = append(got, v)
					}
					if got := strings.Join(got, ","); got != "/*" {
						return fmt.Errorf("listener rule path patterns after apply = %q, want \"/*\"", got)
					}
					return nil
				},
			},
		},
	})
}
