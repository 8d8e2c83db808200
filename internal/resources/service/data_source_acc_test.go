package service_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

func testAccServiceDataSourceConfig(f fixture) string {
	return testAccServiceConfig_import(f) + `
data "containerapp_service" "by_name" {
  cluster = containerapp_service.test.cluster
  name    = containerapp_service.test.name
}

data "containerapp_cluster" "c" {
  name = containerapp_service.test.cluster
}

data "containerapp_service" "by_arn" {
  cluster = data.containerapp_cluster.c.arn
  name    = containerapp_service.test.name
}
`
}

func TestAccServiceDataSource_basic(t *testing.T) {
	f := newFixture(t).withDNSNamespace(t)
	res, ds, byARN := "containerapp_service.test", "data.containerapp_service.by_name", "data.containerapp_service.by_arn"
	var checks []statecheck.StateCheck
	for _, attr := range []string{
		"id", "arn", "task_definition_arn", "target_group_arn", "listener_rule_arn", "listener_rule_priority",
		"discovery_service_arn", "repository_url", "execution_role_arn", "task_role_arn", "log_group_name",
		"resources", "desired_count", "cpu", "memory", "tags", "tags_all",
	} {
		p := tfjsonpath.New(attr)
		checks = append(checks,
			statecheck.CompareValuePairs(res, p, ds, p, compare.ValuesSame()),
			statecheck.CompareValuePairs(res, p, byARN, p, compare.ValuesSame()),
		)
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact(f.cluster+"/"+f.name)),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("desired_count"), knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("cpu"), knownvalue.Int64Exact(512)),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("memory"), knownvalue.Int64Exact(1024)),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("payments")})),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("listener_rule_priority"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("resources").AtMapKey("service").AtMapKey("name"), knownvalue.StringExact(f.name)),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		// The service scales up once its image is pushed (bootstrapSteps);
		// the data sources then read the running service.
		Steps: append(bootstrapSteps(t, f, factory.Config(testAccServiceConfig_import(f)), res, "v3"), resource.TestStep{
			Config:            factory.Config(testAccServiceDataSourceConfig(f)),
			ConfigStateChecks: checks,
		}, imagesDeletedStep(t, f, factory.Config(testAccServiceDataSourceConfig(f)))),
	})
}

func TestAccServiceDataSource_missing(t *testing.T) {
	factory.PreCheck(t)
	cluster := acctest.RandomName("cl")
	acctest.CreateCluster(t, cluster)
	ghost := acctest.RandomName("ghost")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: factory.Config(fmt.Sprintf(`
data "containerapp_service" "test" {
  cluster = %q
  name    = %q
}
`, cluster, ghost)),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`no ECS service "%s" in cluster\s+"%s"`, ghost, cluster)),
			},
			{
				// A cluster that does not exist reads the same way.
				Config: factory.Config(fmt.Sprintf(`
data "containerapp_service" "test" {
  cluster = %q
  name    = %q
}
`, cluster+"-gone", ghost)),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`no ECS service "%s" in cluster\s+"%s-gone"`, ghost, cluster)),
			},
		},
	})
}
