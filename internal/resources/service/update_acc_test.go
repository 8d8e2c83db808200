package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// TestAccService_update changes the image (one new task definition revision,
// the service updated in place, nothing else touched), then the container
// port (target group replaced under a new name) together with desired_count
// (in place).
func TestAccService_update(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ecsc := ecsClient(t)
	v1 := defaultOpts()
	v2 := v1
	v2.image = "public.ecr.aws/nginx/nginx:1.27.1"
	v3 := v2
	v3.port, v3.desired = 9090, 3

	first, second, third := children{}, children{}, children{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config: factory.Config(testAccServiceConfig_opts(f, v1)),
				Check:  captureChildren(testAddr, first),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Image only: one new revision, the service updated in place.
				Config: factory.Config(testAccServiceConfig_opts(f, v2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(testAddr, tfjsonpath.New("task_definition_arn")),
						expectChildARNs(testAddr, first, []string{"task_definition"}),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureChildren(testAddr, second),
					func(*terraform.State) error { return checkNewRevision(ctx, ecsc, f, first, second, v2) },
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("containers").AtMapKey("web").AtMapKey("image"), knownvalue.StringExact(v2.image)),
				},
			},
			{
				// Port: the target group is replaced (new name); desired_count
				// changes in place.
				Config: factory.Config(testAccServiceConfig_opts(f, v3)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(testAddr, tfjsonpath.New("target_group_arn")),
						plancheck.ExpectKnownValue(testAddr, tfjsonpath.New("desired_count"), knownvalue.Int64Exact(3)),
						expectChildARNs(testAddr, second, []string{"target_group", "task_definition"}, "target_group"),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureChildren(testAddr, third),
					func(*terraform.State) error { return checkNewRevision(ctx, ecsc, f, second, third, v3) },
					func(*terraform.State) error {
						return checkTargetGroupReplaced(ctx, t, f, second, third, int32(v3.port))
					},
				),
			},
		},
	})
}

// checkNewRevision asserts that the apply registered exactly one new
// revision, that the service runs it with the expected desired count, and
// that the previous revision was deregistered.
func checkNewRevision(ctx context.Context, c *ecs.Client, f fixture, before, after children, o serviceOpts) error {
	oldTD, newTD := before["task_definition"].arn, after["task_definition"].arn
	if oldTD == newTD {
		return fmt.Errorf("task definition unchanged: %s", newTD)
	}
	if rev := func(a string) string { return a[strings.LastIndex(a, ":")+1:] }; fmt.Sprint(atoiOr(rev(oldTD))+1) != rev(newTD) {
		return fmt.Errorf("expected exactly one new revision after %s, got %s", oldTD, newTD)
	}
	active, err := activeRevisions(ctx, c, f)
	if err != nil {
		return err
	}
	if len(active) != 1 || active[0] != newTD {
		return fmt.Errorf("ACTIVE revisions = %v, want only %s", active, newTD)
	}
	old, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(oldTD)})
	if err == nil && old.TaskDefinition.Status != ecstypes.TaskDefinitionStatusInactive {
		return fmt.Errorf("previous revision %s is %s, want INACTIVE", oldTD, old.TaskDefinition.Status)
	}
	td, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(newTD)})
	if err != nil {
		return err
	}
	cd := td.TaskDefinition.ContainerDefinitions[0]
	if aws.ToString(cd.Image) != o.image || len(cd.PortMappings) != 1 || aws.ToInt32(cd.PortMappings[0].ContainerPort) != int32(o.port) {
		return fmt.Errorf("new revision has image %s port mappings %v, want %s:%d", aws.ToString(cd.Image), cd.PortMappings, o.image, o.port)
	}
	svc, err := describeService(ctx, c, f)
	if err != nil {
		return err
	}
	if got := aws.ToString(svc.TaskDefinition); got != newTD {
		return fmt.Errorf("service runs %s, want %s", got, newTD)
	}
	if svc.DesiredCount != int32(o.desired) {
		return fmt.Errorf("service desired count %d, want %d", svc.DesiredCount, o.desired)
	}
	if svc.ServiceArn == nil || aws.ToString(svc.ServiceArn) != after["service"].arn {
		return fmt.Errorf("service ARN %s, state has %s", aws.ToString(svc.ServiceArn), after["service"].arn)
	}
	return nil
}

// checkTargetGroupReplaced asserts the service and the rule use the new
// target group on the new port and the old one is gone.
func checkTargetGroupReplaced(ctx context.Context, t testing.TB, f fixture, before, after children, port int32) error {
	oldTG, newTG := before["target_group"], after["target_group"]
	if oldTG.arn == newTG.arn || oldTG.name == newTG.name {
		return fmt.Errorf("target group not replaced: %v -> %v", oldTG, newTG)
	}
	lb := elbv2.NewFromConfig(acctest.MustConfig(t))
	if _, err := lb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{oldTG.arn}}); err == nil {
		return fmt.Errorf("old target group %s still exists", oldTG.arn)
	}
	tgs, err := lb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{newTG.arn}})
	if err != nil {
		return err
	}
	if p := aws.ToInt32(tgs.TargetGroups[0].Port); p != port {
		return fmt.Errorf("new target group port %d, want %d", p, port)
	}
	rules, err := lb.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{after["listener_rule"].arn}})
	if err != nil {
		return err
	}
	if got := aws.ToString(rules.Rules[0].Actions[0].TargetGroupArn); got != newTG.arn {
		return fmt.Errorf("listener rule forwards to %s, want %s", got, newTG.arn)
	}
	svc, err := describeService(ctx, ecsClient(t), f)
	if err != nil {
		return err
	}
	if len(svc.LoadBalancers) != 1 || aws.ToString(svc.LoadBalancers[0].TargetGroupArn) != newTG.arn || aws.ToInt32(svc.LoadBalancers[0].ContainerPort) != port {
		return fmt.Errorf("service load balancers %+v, want %s:%d", svc.LoadBalancers, newTG.arn, port)
	}
	return nil
}

func atoiOr(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}
