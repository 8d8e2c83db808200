package service_test

import (
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// testAccServiceConfig_import is a service that sets most knobs to
// non-default values (and leaves others at their defaults), so that import
// has to rediscover both: a second container on the managed repository
// (image_tag), command and entry point, a non-essential container, host
// headers, a deregistration delay, a health check, a DNS TTL, repository
// settings, ECS Exec and a task role policy.
//
// Subnets are given sorted: network.subnet_ids is a list and ECS reports the
// subnets in the order the composite sends them (sorted).
func testAccServiceConfig_import(f fixture) string {
	subnets := append([]string(nil), f.net.SubnetIDs...)
	sort.Strings(subnets)
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name               = %[1]q
  cluster            = %[2]q
  cpu                = 512
  memory             = 1024
  desired_count      = 2
  log_retention_days = 14

  containers = {
    web = {
      image       = "public.ecr.aws/nginx/nginx:1.27"
      port        = 8080
      command     = ["nginx", "-g", "daemon off;"]
      environment = { LOG_LEVEL = "info" }
      secrets     = { DB_PASSWORD = %[3]q }
    }
    agent = {
      image_tag   = "v3"
      entry_point = ["/agent"]
      essential   = false
      cpu         = 64
      memory      = 128
    }
  }

  network = {
    subnet_ids         = [%[4]q, %[5]q]
    security_group_ids = [%[6]q]
  }

  load_balancer = {
    listener_arn         = %[7]q
    path_patterns        = ["/app/*"]
    host_headers         = ["app.example.com"]
    deregistration_delay = 10
    health_check         = { path = "/healthz", healthy_threshold = 2 }
  }

  service_discovery = {
    namespace_id = %[8]q
    dns_ttl      = 20
  }

  repository = {
    image_tag_mutability = "MUTABLE"
    keep_images          = 5
  }

  enable_execute_command = true
  task_role_policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::bucket/*"] }]
  })

  tags = { team = "payments" }
}
`, f.name, f.cluster, f.net.SecretARN, subnets[0], subnets[1], f.net.SecurityGroupID, f.net.ListenerARN, f.net.NamespaceID)
}

func TestAccService_import(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	cfg := factory.Config(testAccServiceConfig_import(f))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			// terraform import: every attribute, the resources map and the
			// computed ARNs come back as they were after create. Nothing is
			// ignored.
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     f.cluster + "/" + f.name,
				ImportStateVerify: true,
			},
			// An import block with the same configuration plans a no-op: the
			// plan after import is empty (the step fails on any change).
			{
				Config:          cfg,
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   f.cluster + "/" + f.name,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("containers").AtMapKey("agent").AtMapKey("image_tag"), knownvalue.StringExact("v3")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("load_balancer").AtMapKey("priority"), knownvalue.Null()),
						expectMapKeys(addr, "resources", allKeys),
					},
				},
			},
			// The state the test case keeps is still the created one: a
			// refresh and plan with the same configuration stay empty.
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(f.cluster+"/"+f.name)),
				},
			},
		},
	})
}

// TestAccService_importExplicitPriority imports a service whose listener rule
// priority was set explicitly: import keeps it in the configuration.
func TestAccService_importExplicitPriority(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	cfg := factory.Config(fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q

  containers = {
    web = { image = "public.ecr.aws/nginx/nginx:1.27", port = 80 }
  }

  network = { subnet_ids = [%[3]q] }

  load_balancer = {
    listener_arn  = %[4]q
    priority      = 4242
    path_patterns = ["/*"]
  }
}
`, f.name, f.cluster, f.net.SubnetIDs[0], f.net.ListenerARN))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config:          cfg,
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("load_balancer").AtMapKey("priority"), knownvalue.Int64Exact(4242)),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("listener_rule_priority"), knownvalue.Int64Exact(4242)),
					},
				},
			},
		},
	})
}

func TestAccService_importNonexistent(t *testing.T) {
	f := newFixture(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        factory.Config(testAccServiceConfig_import(f)),
			ResourceName:  "containerapp_service.test",
			ImportState:   true,
			ImportStateId: f.cluster + "/" + f.name,
			ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
		}},
	})
}
