package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func testAccServiceConfig_autoscaling(f fixture, desired, autoscaling string) string {
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q
  %[8]s

  containers = {
    web = { image = "public.ecr.aws/nginx/nginx:1.27", port = 8080 }
  }
  network = {
    subnet_ids         = [%[3]q, %[4]q]
    security_group_ids = [%[5]q]
  }
  load_balancer = {
    listener_arn  = %[6]q
    path_patterns = ["/*"]
  }
  autoscaling = %[7]s
}
`, f.name, f.cluster, f.net.SubnetIDs[0], f.net.SubnetIDs[1], f.net.SecurityGroupID, f.net.ListenerARN, autoscaling, desired)
}

// An autoscaled service: the scaler's children are created, checked in the
// emulator, the scaler's count is not drift, a new range clamps the live
// count and deletes what the configuration dropped, an import finds the
// target and its policies, and destroy leaves no scalable target.
func TestAccService_autoscaling(t *testing.T) {
	f := newFixture(t)
	addr := testAddr
	rid := composite.ScalingResourceID(f.cluster, f.name)
	full := testAccServiceConfig_autoscaling(f, "desired_count = 2", `{
    min_count           = 1
    max_count           = 4
    cpu_target          = 60
    requests_per_target = 500
    schedules = {
      night = { schedule = "cron(0 22 * * ? *)", timezone = "Europe/Berlin", max_count = 2 }
    }
  }`)
	narrow := testAccServiceConfig_autoscaling(f, "", `{
    min_count  = 1
    max_count  = 2
    cpu_target = 70
  }`)
	aas := applicationautoscaling.NewFromConfig(acctest.MustConfig(t))
	ecsc := ecsClient(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(acctest.CheckServiceDestroyed(f.cluster, f.name), func(*terraform.State) error {
			out, err := aas.DescribeScalableTargets(context.Background(), &applicationautoscaling.DescribeScalableTargetsInput{
				ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: []string{rid}})
			if err != nil {
				return err
			}
			if len(out.ScalableTargets) > 0 {
				return fmt.Errorf("scalable target %s left after destroy", rid)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: factory.Config(full),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectMapKeys(addr, "resources", append([]string{"execution_role", "execution_role_policy", "listener_rule", "log_group", "service", "target_group", "task_definition", "task_role"},
							composite.KeyScalableTarget, composite.KeyScalingPolicyCPU, composite.KeyScalingPolicyRequests, "scheduled_action_night")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("scaling_policy_cpu").AtMapKey("kind"), knownvalue.StringExact("aws_appautoscaling_policy")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					ctx := context.Background()
					tg, err := aas.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
						ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: []string{rid}})
					if err != nil {
						return err
					}
					if len(tg.ScalableTargets) != 1 || aws.ToInt32(tg.ScalableTargets[0].MinCapacity) != 1 || aws.ToInt32(tg.ScalableTargets[0].MaxCapacity) != 4 {
						return fmt.Errorf("scalable target %s: %+v", rid, tg.ScalableTargets)
					}
					pol, err := aas.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
						ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(rid)})
					if err != nil {
						return err
					}
					got := map[string]string{}
					for _, p := range pol.ScalingPolicies {
						c := p.TargetTrackingScalingPolicyConfiguration
						if c == nil || c.PredefinedMetricSpecification == nil {
							return fmt.Errorf("policy %s is not a predefined target-tracking policy", aws.ToString(p.PolicyName))
						}
						got[aws.ToString(p.PolicyName)] = fmt.Sprintf("%s %v %s", c.PredefinedMetricSpecification.PredefinedMetricType,
							aws.ToFloat64(c.TargetValue), aws.ToString(c.PredefinedMetricSpecification.ResourceLabel))
					}
					if len(got) != 2 || got["containerapp-cpu"] != composite.MetricCPU+" 60 " {
						return fmt.Errorf("policies %v", got)
					}
					// app/<lb>/<id>/targetgroup/<tg>/<id>: the listener's load balancer and the service's target group.
					req := got["containerapp-requests"]
					if !strings.HasPrefix(req, composite.MetricRequests+" 500 "+composite.LoadBalancerLabel(f.net.ListenerARN)+"/targetgroup/") {
						return fmt.Errorf("requests policy %q (listener %s)", req, f.net.ListenerARN)
					}
					sa, err := aas.DescribeScheduledActions(ctx, &applicationautoscaling.DescribeScheduledActionsInput{
						ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(rid)})
					if err != nil {
						return err
					}
					if len(sa.ScheduledActions) != 1 || aws.ToString(sa.ScheduledActions[0].ScheduledActionName) != "containerapp-night" ||
						aws.ToString(sa.ScheduledActions[0].Timezone) != "Europe/Berlin" {
						return fmt.Errorf("scheduled actions %+v", sa.ScheduledActions)
					}
					return nil
				},
			},
			{
				// The scaler moves the count within the range: not drift.
				PreConfig: func() {
					if _, err := ecsc.UpdateService(context.Background(), &ecs.UpdateServiceInput{
						Cluster: aws.String(f.cluster), Service: aws.String(f.name), DesiredCount: aws.Int32(3)}); err != nil {
						t.Fatalf("scaling the service out of band: %v", err)
					}
				},
				Config:   factory.Config(full),
				PlanOnly: true,
			},
			{
				// A narrower range: the live count (3) is brought inside it,
				// the requests policy and the schedule are deleted.
				Config: factory.Config(narrow),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					ctx := context.Background()
					svc, err := describeService(ctx, ecsc, f)
					if err != nil {
						return err
					}
					if svc.DesiredCount != 2 {
						return fmt.Errorf("desired count %d, want 2 (3 clamped into 1..2)", svc.DesiredCount)
					}
					pol, err := aas.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
						ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(rid)})
					if err != nil {
						return err
					}
					if len(pol.ScalingPolicies) != 1 || aws.ToFloat64(pol.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.TargetValue) != 70 {
						return fmt.Errorf("policies after the update: %+v", pol.ScalingPolicies)
					}
					sa, err := aas.DescribeScheduledActions(ctx, &applicationautoscaling.DescribeScheduledActionsInput{
						ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(rid)})
					if err != nil {
						return err
					}
					if len(sa.ScheduledActions) != 0 {
						return fmt.Errorf("scheduled actions left: %+v", sa.ScheduledActions)
					}
					return nil
				},
			},
			{
				// An import finds the scaler: the same configuration plans empty.
				Config:          factory.Config(narrow),
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   f.cluster + "/" + f.name,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("autoscaling").AtMapKey("max_count"), knownvalue.Int64Exact(2)),
					},
				},
			},
		},
	})
}
