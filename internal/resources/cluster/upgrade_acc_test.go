package cluster_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// State written in private-state format 1 (the release before format 2;
// see the adapter's upgrade test against that release's state) is read,
// plans empty, and destroys clean. Not parallel: the writer's format is
// process-wide while the first step runs.
func TestAccCluster_privateStateUpgrade(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-up")
	n := newNetwork(t)
	cfg := factory.Config(testAccClusterConfig_basic(name, n, configOpts{insights: true}))
	restore := func() {}
	t.Cleanup(func() { restore() })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { restore = adapter.SetWriteVersionForTest(1) },
				Config:    cfg,
			},
			{
				PreConfig: func() { restore() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
