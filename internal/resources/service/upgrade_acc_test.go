package service_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// State written by the release before private-state format 2 (its format
// reproduced by adapter.SetWriteVersionForTest(1), which a unit test holds
// to the state that release wrote) is read, plans empty, is rewritten in the
// current format by the next apply, and destroys clean. Not parallel: the
// writer's format is process-wide while the first step runs.
func TestAccService_privateStateUpgrade(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	cfg := factory.Config(testAccServiceConfig_full(f, "public.ecr.aws/nginx/nginx:1.27", 8080))
	restore := func() {}
	t.Cleanup(func() { restore() })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { restore = adapter.SetWriteVersionForTest(1) },
				Config:    cfg,
			},
			{
				PreConfig: func() { restore() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
				},
			},
			{
				// An update through the upgraded records.
				Config: factory.Config(testAccServiceConfig_full(f, "public.ecr.aws/nginx/nginx:1.28", 8080)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
