package service_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// countOp counts the calls of service:operation the proxy saw.
// countOp counts the calls of service:operation that reached the emulator:
// the ones the consistency windows answered (a role ECS cannot assume yet)
// are AWS's, not the provider's decision, and are left out.
func countOp(p *acctest.Proxy, service, operation string) int {
	return p.CountCalls(func(c acctest.Call) bool {
		return c.Service == service && c.Operation == operation && c.Consistency == ""
	})
}

// TestAccService_retries injects the eventual-consistency errors the
// provider retries (IAM role propagation on RegisterTaskDefinition, "target
// group does not have an associated load balancer" on CreateService): the
// apply succeeds and each call was repeated. An unrelated error on the same
// call fails at once, naming the child and carrying the AWS message, and is
// not retried.
func TestAccService_retries(t *testing.T) {
	factory.PreCheck(t)
	if acctest.Endpoint() == "" {
		t.Skip("fault injection needs the emulator endpoint")
	}
	t.Parallel()

	t.Run("eventualConsistency", func(t *testing.T) {
		f := newFixture(t)
		p := newProxy(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
			Steps: []resource.TestStep{{
				PreConfig: func() {
					p.ResetCalls()
					// The messages ECS answers while IAM has not yet propagated
					// a new role, or ELBv2 has not yet associated the target
					// group with the listener's load balancer.
					p.Inject(acctest.Fault{Service: "ecs", Operation: "RegisterTaskDefinition", Code: "ClientException",
						Message: "Role is not valid"})
					p.Inject(acctest.Fault{Service: "ecs", Operation: "CreateService", Code: "InvalidParameterException",
						Message: "The target group with targetGroupArn arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1 does not have an associated load balancer."})
				},
				Config: proxyConfig(p, f),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					for _, op := range []string{"RegisterTaskDefinition", "CreateService"} {
						if n := countOp(p, "ecs", op); n != 2 {
							return fmt.Errorf("ecs:%s called %d times, want 2 (one injected failure, one retry)", op, n)
						}
					}
					if n := p.CountCalls(func(c acctest.Call) bool { return c.Injected }); n != 2 {
						return fmt.Errorf("%d injected faults fired, want 2", n)
					}
					return nil
				},
			}},
		})
	})

	t.Run("unrelatedError", func(t *testing.T) {
		f := newFixture(t)
		p := newProxy(t)
		const msg = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RegisterTaskDefinition"
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						p.ResetCalls()
						p.Inject(acctest.Fault{Service: "ecs", Operation: "RegisterTaskDefinition", Code: "AccessDeniedException", Message: msg})
					},
					Config:      proxyConfig(p, f),
					ExpectError: regexp.MustCompile(words(`(child "task_definition")`) + `[\s\S]*` + words("AccessDeniedException: "+msg)),
				},
				{
					// Not retried: exactly one call; then the next apply converges.
					PreConfig: func() {
						if n := countOp(p, "ecs", "RegisterTaskDefinition"); n != 1 {
							t.Errorf("ecs:RegisterTaskDefinition called %d times after an unrelated error, want 1 (no retry)", n)
						}
						if n := countOp(p, "ecs", "CreateService"); n != 0 {
							t.Errorf("ecs:CreateService called %d times after the task definition failed, want 0", n)
						}
						p.ClearFaults()
					},
					Config: proxyConfig(p, f),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}
