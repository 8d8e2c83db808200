package service_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

type fixture struct {
	name    string
	cluster string
	net     acctest.Network
	// dnsNamespace is a private DNS namespace in net's VPC, for the
	// configurations with DNS records (withDNSNamespace).
	dnsNamespace string
}

// withDNSNamespace adds a private DNS namespace to the fixture's VPC.
func (f fixture) withDNSNamespace(t *testing.T) fixture {
	f.dnsNamespace = acctest.CreateDNSNamespace(t, f.net, f.name)
	return f
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	factory.PreCheck(t)
	name := acctest.RandomName("svc")
	cluster := acctest.RandomName("cl")
	acctest.CreateCluster(t, cluster)
	return fixture{name: name, cluster: cluster, net: acctest.CreateNetwork(t, name)}
}

func testAccServiceConfig_full(f fixture, image string, port int) string {
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name          = %[1]q
  cluster       = %[2]q
  desired_count = 2

  containers = {
    web = {
      image       = %[3]q
      port        = %[4]d
      environment = { LOG_LEVEL = "info" }
      secrets     = { DB_PASSWORD = %[5]q }
    }
  }

  network = {
    subnet_ids         = [%[6]q, %[7]q]
    security_group_ids = [%[8]q]
  }

  load_balancer = {
    listener_arn  = %[9]q
    path_patterns = ["/*"]
    health_check  = { path = "/healthz" }
  }

  service_discovery = {
    namespace_id = %[10]q
  }

  repository = {}

  task_role_policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::bucket/*"] }]
  })

  tags = { team = "payments" }
}
`, f.name, f.cluster, image, port, f.net.SecretARN, f.net.SubnetIDs[0], f.net.SubnetIDs[1], f.net.SecurityGroupID,
		f.net.ListenerARN, f.net.NamespaceID)
}

var allKeys = []string{"discovery_service", "execution_role", "execution_role_policy", "listener_rule", "log_group",
	"repository", "service", "target_group", "task_definition", "task_role", "task_role_policy"}

func TestAccService_basic(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{{
			Config: factory.Config(testAccServiceConfig_full(f, "public.ecr.aws/nginx/nginx:1.27", 8080)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					// The plan lists every child with its name before anything exists.
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("service").AtMapKey("name"), knownvalue.StringExact(f.name)),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("resources").AtMapKey("service").AtMapKey("arn")),
					expectMapKeys(addr, "resources", allKeys),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(f.cluster+"/"+f.name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("listener_rule_priority"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapPartial(map[string]knownvalue.Check{"team": knownvalue.StringExact("payments")})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("task_definition").AtMapKey("kind"), knownvalue.StringExact("aws_ecs_task_definition")),
			},
		}},
	})
}
