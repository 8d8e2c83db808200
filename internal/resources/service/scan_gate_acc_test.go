package service_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func testAccServiceConfig_scanGate(f fixture, tag, severity string) string {
	gate := ""
	if severity != "" {
		gate = fmt.Sprintf("\n    block_on_severity = %q", severity)
	}
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q

  containers = {
    app = { image_tag = %[3]q, port = 8080 }
  }

  network = { subnet_ids = [%[4]q] }

  repository = {
    force_delete      = true%[5]s
  }
}
`, f.name, f.cluster, tag, f.net.SubnetIDs[0], gate)
}

// scanImage is an image the test pushes, with the scan findings the
// emulator reports for it.
type scanImage struct {
	tag, manifest, digest string
	counts                map[string]int32
}

func newScanImage(t *testing.T, tag string, counts map[string]int32) scanImage {
	manifest, digest := acctest.NewImageManifest(t)
	return scanImage{tag: tag, manifest: manifest, digest: digest, counts: counts}
}

// push pushes the image into the service's repository (which scans on
// push) and sets its findings.
func (i scanImage) push(t *testing.T, f fixture) {
	repo := composite.RepositoryName(f.cluster, f.name)
	acctest.PushManifest(t, repo, i.tag, i.manifest, i.digest)
	acctest.SetScanFindings(t, repo, i.digest, "COMPLETE", i.counts)
}

// expectLiveImageTag checks, from outside, the image tag the ECS service's
// task definition runs and that it runs tasks.
func expectLiveImageTag(t *testing.T, f fixture, tag string) error {
	ctx := context.Background()
	c := ecsClient(t)
	svc, err := describeService(ctx, c, f)
	if err != nil || svc == nil {
		return fmt.Errorf("ECS service %s/%s: %v", f.cluster, f.name, err)
	}
	if svc.DesiredCount == 0 {
		return fmt.Errorf("ECS service %s/%s: desired count 0, want it running", f.cluster, f.name)
	}
	td, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition})
	if err != nil {
		return err
	}
	image := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image)
	if !strings.HasSuffix(image, "/"+composite.RepositoryName(f.cluster, f.name)+":"+tag) {
		return fmt.Errorf("ECS service %s/%s runs %s (task definition %s), want tag %s", f.cluster, f.name, image,
			aws.ToString(svc.TaskDefinition), tag)
	}
	return nil
}

// TestAccService_scanGate: with block_on_severity = "HIGH", an image whose
// scan has HIGH findings is refused (the apply error names its digest and
// the counts, the ECS service keeps running the previous image), and images
// below the threshold deploy; the next apply with a good image converges
// and plans empty.
func TestAccService_scanGate(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	v1 := newScanImage(t, "v1", map[string]int32{"MEDIUM": 3, "LOW": 1})
	v2 := newScanImage(t, "v2", map[string]int32{"CRITICAL": 1, "HIGH": 2, "MEDIUM": 1})
	v3 := newScanImage(t, "v3", map[string]int32{"LOW": 7, "UNDEFINED": 2})
	cfg := func(tag string) string { return factory.Config(testAccServiceConfig_scanGate(f, tag, "HIGH")) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			// The bootstrap: the repository is empty, so the service is
			// created at desired count 0 (a missing image is not a scan
			// failure).
			{
				Config:             cfg("v1"),
				ExpectNonEmptyPlan: true,
				Check:              func(*terraform.State) error { return expectLiveDesiredCount(t, f, 0) },
			},
			// v1 pushed, MEDIUM findings: below HIGH, it deploys.
			{
				PreConfig: func() { v1.push(t, f) },
				Config:    cfg("v1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error { return expectLiveImageTag(t, f, "v1") },
			},
			// v2 has CRITICAL and HIGH findings: refused, naming the digest
			// and the counts.
			{
				PreConfig: func() { v2.push(t, f) },
				Config:    cfg("v2"),
				ExpectError: regexp.MustCompile(words("image scan gate:") + `[\s\S]*` + words(":v2 (digest "+v2.digest+") has findings at or above HIGH: CRITICAL 1, HIGH 2 (all findings: CRITICAL 1, HIGH 2, MEDIUM 1)") +
					`[\s\S]*` + words("keeps running its current task definition")),
			},
			// Verified from outside: still v1. The plan still shows the
			// deploy; v3 (LOW and UNDEFINED findings) goes through.
			{
				PreConfig: func() {
					if err := expectLiveImageTag(t, f, "v1"); err != nil {
						t.Errorf("after the refused apply: %v", err)
					}
					v3.push(t, f)
				},
				Config: cfg("v3"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error { return expectLiveImageTag(t, f, "v3") },
			},
		},
	})
}

// TestAccService_scanGateOff: without block_on_severity (the default) the
// scan is not judged: an image with CRITICAL findings deploys.
func TestAccService_scanGateOff(t *testing.T) {
	f := newFixture(t)
	bad := newScanImage(t, "v1", map[string]int32{"CRITICAL": 4, "HIGH": 9})
	cfg := factory.Config(testAccServiceConfig_scanGate(f, "v1", ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{Config: cfg, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() { bad.push(t, f) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error { return expectLiveImageTag(t, f, "v1") },
			},
		},
	})
}
