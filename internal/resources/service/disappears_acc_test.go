package service_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// TestAccService_disappears deletes the anchor (the ECS service) out of
// band: the next plan is not empty and the apply recreates the service,
// reusing every other child. The resource stays in state while children of it
// exist (removing it would orphan them and block the re-create by name).
func TestAccService_disappears(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ecsc := ecsClient(t)
	cfg := factory.Config(testAccServiceConfig_opts(f, defaultOpts()))
	before, after := children{}, children{}
	others := []string{}
	for _, k := range allKeys {
		if k != "service" {
			others = append(others, k)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					captureChildren(testAddr, before),
					func(*terraform.State) error { return deleteECSService(ctx, ecsc, f) },
				),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// The other children still exist: the service is updated,
					// showing only the anchor as created anew.
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(testAddr, tfjsonpath.New("arn")),
						expectChildARNs(testAddr, before, []string{"service"}),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					captureChildren(testAddr, after),
					func(*terraform.State) error {
						svc, err := describeService(ctx, ecsc, f)
						if err != nil {
							return err
						}
						if s := aws.ToString(svc.Status); s != "ACTIVE" {
							return fmt.Errorf("ECS service is %s after re-apply, want ACTIVE", s)
						}
						for _, k := range others {
							if before[k].arn != after[k].arn {
								return fmt.Errorf("%s changed: %s -> %s", k, before[k].arn, after[k].arn)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccService_disappearsChild deletes one non-anchor child out of band
// (the listener rule; the log group): the plan updates the service showing
// only that child's arn as unknown, and the apply restores just that child.
func TestAccService_disappearsChild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key     string
		destroy func(context.Context, testing.TB, fixture, children) error
	}{
		{"listener_rule", func(ctx context.Context, t testing.TB, _ fixture, c children) error {
			_, err := elbv2.NewFromConfig(acctest.MustConfig(t)).DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: aws.String(c["listener_rule"].arn)})
			return err
		}},
		{"log_group", func(ctx context.Context, t testing.TB, _ fixture, c children) error {
			_, err := cloudwatchlogs.NewFromConfig(acctest.MustConfig(t)).DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(c["log_group"].name)})
			return err
		}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			cfg := factory.Config(testAccServiceConfig_opts(f, defaultOpts()))
			before, after := children{}, children{}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
				Steps: []resource.TestStep{
					{
						Config: cfg,
						Check: resource.ComposeTestCheckFunc(
							captureChildren(testAddr, before),
							func(*terraform.State) error { return tc.destroy(ctx, t, f, before) },
						),
						ExpectNonEmptyPlan: true,
					},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate),
								expectChildARNs(testAddr, before, []string{tc.key}),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeTestCheckFunc(
							captureChildren(testAddr, after),
							func(*terraform.State) error {
								for k, b := range before {
									a := after[k]
									switch {
									case k == tc.key && (a.arn == "" || a.name != b.name):
										return fmt.Errorf("%s not restored: %+v", k, a)
									case k != tc.key && a != b:
										return fmt.Errorf("%s changed: %+v -> %+v", k, b, a)
									}
								}
								return nil
							},
						),
					},
				},
			})
		})
	}
}

// deleteECSService deletes the fixture's ECS service out of band, as a user
// would in the console: scale to 0, then delete with force.
func deleteECSService(ctx context.Context, c *ecs.Client, f fixture) error {
	if _, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(f.name), DesiredCount: aws.Int32(0)}); err != nil {
		return fmt.Errorf("scaling the ECS service to 0: %w", err)
	}
	if _, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(f.name), Force: aws.Bool(true)}); err != nil {
		return fmt.Errorf("deleting the ECS service: %w", err)
	}
	return nil
}
