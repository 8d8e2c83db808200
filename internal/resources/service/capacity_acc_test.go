package service_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

func testAccServiceConfig_capacity(f fixture, extra string) string {
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q

  containers = {
    web = { image = "public.ecr.aws/nginx/nginx:1.27", port = 8080 }
  }
  network = {
    subnet_ids         = [%[3]q, %[4]q]
    security_group_ids = [%[5]q]
  }
  %[6]s
}
`, f.name, f.cluster, f.net.SubnetIDs[0], f.net.SubnetIDs[1], f.net.SecurityGroupID, extra)
}

// strategyOf renders a service's capacity as "launchType X" or its strategy
// "P:weight:base,..." sorted.
func strategyOf(svc *ecstypes.Service) string {
	if len(svc.CapacityProviderStrategy) == 0 {
		return "launchType " + string(svc.LaunchType)
	}
	var parts []string
	for _, it := range svc.CapacityProviderStrategy {
		parts = append(parts, fmt.Sprintf("%s:%d:%d", aws.ToString(it.CapacityProvider), it.Weight, it.Base))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// primaryDeployment returns the id of the service's PRIMARY deployment.
func primaryDeployment(svc *ecstypes.Service) string {
	for _, d := range svc.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return aws.ToString(d.Id)
		}
	}
	return ""
}

// Capacity and deployment settings of a service on a cluster whose default
// strategy is FARGATE_SPOT, checked from outside with DescribeServices:
// without a strategy the service runs on the cluster's default; its own
// strategy is an in-place update with a new deployment; removing it moves
// the service back to the cluster's default; a redeploy trigger change
// starts a new deployment of the same revision; deployment alarms are set
// and removed. Every step plans empty afterwards.
func TestAccService_capacityAndDeployment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ecsc := ecsClient(t)
	if _, err := ecsc.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster:                         aws.String(f.cluster),
		CapacityProviders:               []string{"FARGATE", "FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}},
	}); err != nil {
		t.Fatalf("PutClusterCapacityProviders: %v", err)
	}
	var deployment, revision string
	check := func(want string, newDeployment bool, more func(*ecstypes.Service) error) resource.TestCheckFunc {
		return func(*terraform.State) error {
			svc, err := describeService(ctx, ecsc, f)
			if err != nil {
				return err
			}
			if got := strategyOf(svc); got != want {
				return fmt.Errorf("service runs on %s, want %s", got, want)
			}
			if svc.LaunchType != "" && len(svc.CapacityProviderStrategy) > 0 {
				return fmt.Errorf("service has launch type %s and a strategy", svc.LaunchType)
			}
			id := primaryDeployment(svc)
			if deployment != "" && (id != deployment) != newDeployment {
				return fmt.Errorf("PRIMARY deployment %s (was %s): new deployment %v, want %v", id, deployment, id != deployment, newDeployment)
			}
			if revision != "" && aws.ToString(svc.TaskDefinition) != revision {
				return fmt.Errorf("task definition changed: %s, was %s", aws.ToString(svc.TaskDefinition), revision)
			}
			deployment, revision = id, aws.ToString(svc.TaskDefinition)
			if more != nil {
				return more(svc)
			}
			return nil
		}
	}
	alarms := func(names string, rollback bool) func(*ecstypes.Service) error {
		return func(svc *ecstypes.Service) error {
			a := svc.DeploymentConfiguration.Alarms
			got := ""
			if a != nil && a.Enable {
				sorted := append([]string{}, a.AlarmNames...)
				sort.Strings(sorted)
				got = fmt.Sprintf("%s rollback=%v", strings.Join(sorted, ","), a.Rollback)
			}
			want := ""
			if names != "" {
				want = fmt.Sprintf("%s rollback=%v", names, rollback)
			}
			if got != want {
				return fmt.Errorf("deployment alarms %q, want %q", got, want)
			}
			return nil
		}
	}
	update := plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate)
	empty := plancheck.ExpectEmptyPlan()
	own := `capacity_provider_strategy = [
    { capacity_provider = "FARGATE", base = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = 3 },
  ]`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config:             factory.Config(testAccServiceConfig_capacity(f, "")),
				Check:              check("FARGATE_SPOT:1:0", false, alarms("", false)),
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{empty}},
				ExpectNonEmptyPlan: false,
			},
			{
				Config: factory.Config(testAccServiceConfig_capacity(f, own)),
				Check:  check("FARGATE:1:1,FARGATE_SPOT:3:0", true, nil),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{update},
					PostApplyPostRefresh: []plancheck.PlanCheck{empty},
				},
			},
			{
				// Back to the cluster's default strategy.
				Config: factory.Config(testAccServiceConfig_capacity(f, "")),
				Check:  check("FARGATE_SPOT:1:0", true, nil),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{update},
					PostApplyPostRefresh: []plancheck.PlanCheck{empty},
				},
			},
			{
				Config: factory.Config(testAccServiceConfig_capacity(f, `deployment = {
    redeploy_triggers = { image_pushed = "1" }
    alarms            = { names = ["web-5xx", "web-latency"] }
  }`)),
				Check: check("FARGATE_SPOT:1:0", true, alarms("web-5xx,web-latency", true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{update},
					PostApplyPostRefresh: []plancheck.PlanCheck{empty},
				},
			},
			{
				// Only the trigger changes: a new deployment of the same revision.
				Config: factory.Config(testAccServiceConfig_capacity(f, `deployment = {
    redeploy_triggers = { image_pushed = "2" }
    alarms            = { names = ["web-5xx", "web-latency"] }
  }`)),
				Check: check("FARGATE_SPOT:1:0", true, alarms("web-5xx,web-latency", true)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{update},
					PostApplyPostRefresh: []plancheck.PlanCheck{empty},
				},
			},
			{
				// Triggers and alarms removed: no new deployment, alarms off.
				Config: factory.Config(testAccServiceConfig_capacity(f, "")),
				Check:  check("FARGATE_SPOT:1:0", false, alarms("", false)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{update},
					PostApplyPostRefresh: []plancheck.PlanCheck{empty},
				},
			},
		},
	})
}

// A deployment alarm in ALARM fails the deployment, and the apply error names
// the alarm (the emulator fails a deployment whose alarms fire, as ECS does).
func TestAccService_deploymentAlarmFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alarm := f.name + "-5xx"
	if err := acctest.CloudWatchQuery(ctx, t, "PutMetricAlarm", url.Values{
		"AlarmName": {alarm}, "MetricName": {"HTTPCode_Target_5XX_Count"}, "Namespace": {"AWS/ApplicationELB"},
		"Statistic": {"Sum"}, "Period": {"60"}, "EvaluationPeriods": {"1"}, "Threshold": {"1"},
		"ComparisonOperator": {"GreaterThanThreshold"},
	}); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	t.Cleanup(func() {
		_ = acctest.CloudWatchQuery(context.Background(), t, "DeleteAlarms", url.Values{"AlarmNames.member.1": {alarm}})
	})
	cfg := func(image string) string {
		return factory.Config(strings.Replace(testAccServiceConfig_capacity(f, fmt.Sprintf(`deployment = {
    alarms = { names = [%q] }
  }`, alarm)), "public.ecr.aws/nginx/nginx:1.27", image, 1))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{Config: cfg("public.ecr.aws/nginx/nginx:1.27")},
			{
				PreConfig: func() {
					if err := acctest.CloudWatchQuery(ctx, t, "SetAlarmState", url.Values{
						"AlarmName": {alarm}, "StateValue": {"ALARM"}, "StateReason": {"acceptance test"},
					}); err != nil {
						t.Fatalf("SetAlarmState: %v", err)
					}
				},
				Config:      cfg("public.ecr.aws/nginx/nginx:1.28"),
				ExpectError: regexp.MustCompile(`did not reach a steady state[\s\S]*` + regexp.QuoteMeta(alarm)),
			},
		},
	})
}
