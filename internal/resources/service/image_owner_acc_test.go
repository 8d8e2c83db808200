package service_test

import (
	"context"
	"fmt"
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

func testAccServiceConfig_imageOwner(f fixture, owner, logLevel string) string {
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q

  containers = {
    web = {
      image       = "public.ecr.aws/nginx/nginx:1.27"
      port        = 8080
      environment = { LOG_LEVEL = %[7]q }
    }
  }
  network = {
    subnet_ids         = [%[3]q, %[4]q]
    security_group_ids = [%[5]q]
  }
  deployment = {
    image_owner = %[6]q
  }
  tags = { team = "web" }
}
`, f.name, f.cluster, f.net.SubnetIDs[0], f.net.SubnetIDs[1], f.net.SecurityGroupID, owner, logLevel)
}

// pipelineDeploy does what a CI pipeline does: render the service's current
// revision (DescribeTaskDefinition, without its tags), register it again
// with another image for the web container, and point the service at it.
// It returns the new revision's ARN.
func pipelineDeploy(t *testing.T, f fixture, image string) string {
	t.Helper()
	ctx := context.Background()
	c := ecsClient(t)
	svc, err := describeService(ctx, c, f)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition})
	if err != nil {
		t.Fatal(err)
	}
	td := cur.TaskDefinition
	defs := append([]ecstypes.ContainerDefinition(nil), td.ContainerDefinitions...)
	for i := range defs {
		if aws.ToString(defs[i].Name) == "web" {
			defs[i].Image = aws.String(image)
		}
	}
	out, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: td.Family, ContainerDefinitions: defs, Cpu: td.Cpu, Memory: td.Memory, NetworkMode: td.NetworkMode,
		ExecutionRoleArn: td.ExecutionRoleArn, TaskRoleArn: td.TaskRoleArn, RequiresCompatibilities: td.RequiresCompatibilities,
		RuntimePlatform: td.RuntimePlatform,
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	if _, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(f.name), TaskDefinition: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	return arn
}

// runningImage checks the service's current revision: want ARN (when not
// empty), the web container's image and its LOG_LEVEL.
func runningImage(t *testing.T, f fixture, wantARN *string, image, logLevel string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		c := ecsClient(t)
		svc, err := describeService(ctx, c, f)
		if err != nil {
			return err
		}
		if wantARN != nil && *wantARN != "" && aws.ToString(svc.TaskDefinition) != *wantARN {
			return fmt.Errorf("service runs %s, want %s", aws.ToString(svc.TaskDefinition), *wantARN)
		}
		out, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition})
		if err != nil {
			return err
		}
		for _, d := range out.TaskDefinition.ContainerDefinitions {
			if aws.ToString(d.Name) != "web" {
				continue
			}
			env := ""
			for _, e := range d.Environment {
				if aws.ToString(e.Name) == "LOG_LEVEL" {
					env = aws.ToString(e.Value)
				}
			}
			if aws.ToString(d.Image) != image || env != logLevel {
				return fmt.Errorf("revision %s runs %s with LOG_LEVEL=%q, want %s with %q",
					aws.ToString(svc.TaskDefinition), aws.ToString(d.Image), env, image, logLevel)
			}
			return nil
		}
		return fmt.Errorf("revision %s has no web container", aws.ToString(svc.TaskDefinition))
	}
}

// Deployments owned by CI: under image_owner "external" a revision a
// pipeline registered and deployed is adopted with an empty plan; a later
// change of the configuration registers a revision that keeps the
// pipeline's image; a second pipeline deploy is adopted again; destroy
// leaves nothing. Under "terraform" the same pipeline deploy is put back.
func TestAccService_imageOwnerExternal(t *testing.T) {
	f := newFixture(t)
	var pipeline, pipeline2, pipeline3 string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(acctest.CheckServiceDestroyed(f.cluster, f.name),
			func(*terraform.State) error { return checkNoActiveRevision(t, pipeline, pipeline2) }),
		Steps: []resource.TestStep{
			{
				Config: factory.Config(testAccServiceConfig_imageOwner(f, "external", "info")),
				Check:  runningImage(t, f, nil, "public.ecr.aws/nginx/nginx:1.27", "info"),
			},
			{
				// The pipeline deploys 1.28: the plan is empty and the
				// service keeps running the pipeline's revision, which the
				// state now records.
				PreConfig: func() { pipeline = pipelineDeploy(t, f, "public.ecr.aws/nginx/nginx:1.28") },
				Config:    factory.Config(testAccServiceConfig_imageOwner(f, "external", "info")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					runningImage(t, f, &pipeline, "public.ecr.aws/nginx/nginx:1.28", "info"),
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[testAddr].Primary.Attributes["resources.task_definition.arn"]; got != pipeline {
							return fmt.Errorf("state records task definition %s, want the pipeline's %s", got, pipeline)
						}
						return nil
					},
				),
			},
			{
				// A change of the configuration: a new revision with the
				// new environment and the pipeline's image.
				Config: factory.Config(testAccServiceConfig_imageOwner(f, "external", "debug")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate)},
				},
				Check: runningImage(t, f, nil, "public.ecr.aws/nginx/nginx:1.28", "debug"),
			},
			{
				// A second pipeline deploy is adopted as well.
				PreConfig: func() { pipeline2 = pipelineDeploy(t, f, "public.ecr.aws/nginx/nginx:1.29") },
				Config:    factory.Config(testAccServiceConfig_imageOwner(f, "external", "debug")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: runningImage(t, f, &pipeline2, "public.ecr.aws/nginx/nginx:1.29", "debug"),
			},
			{
				// Back to "terraform": the configuration's image runs again.
				Config: factory.Config(testAccServiceConfig_imageOwner(f, "terraform", "debug")),
				Check:  runningImage(t, f, nil, "public.ecr.aws/nginx/nginx:1.27", "debug"),
			},
			{
				// Under "terraform" a pipeline's deploy is put back.
				PreConfig: func() { pipeline3 = pipelineDeploy(t, f, "public.ecr.aws/nginx/nginx:1.30") },
				Config:    factory.Config(testAccServiceConfig_imageOwner(f, "terraform", "debug")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					runningImage(t, f, nil, "public.ecr.aws/nginx/nginx:1.27", "debug"),
					func(*terraform.State) error {
						// Not adopted, so not the provider's to delete: the
						// pipeline's own clean-up.
						_, err := ecsClient(t).DeregisterTaskDefinition(context.Background(), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(pipeline3)})
						return err
					},
				),
			},
		},
	})
}

// checkNoActiveRevision fails when one of the revisions is still ACTIVE.
func checkNoActiveRevision(t *testing.T, arns ...string) error {
	c := ecsClient(t)
	for _, arn := range arns {
		if arn == "" {
			continue
		}
		out, err := c.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
		if err != nil {
			continue // gone
		}
		if out.TaskDefinition.Status == ecstypes.TaskDefinitionStatusActive {
			return fmt.Errorf("task definition %s is still ACTIVE after destroy", arn)
		}
	}
	return nil
}

// The plan says why, in one warning line each, through the real CLI: an
// adopted revision (with an empty plan), then nothing once the state knows
// it; under "terraform" a pipeline's revision and a desired count set by
// hand, each with what the apply does about it.
func TestAccService_planSaysWhy(t *testing.T) {
	factory.PreCheck(t)
	f := newFixture(t)
	cli := factory.NewCLI(t)
	t.Cleanup(func() {
		if _, err := cli.Run("destroy", "-auto-approve", "-input=false", "-lock=false"); err != nil {
			t.Error(err)
		}
		if err := acctest.CheckServiceDestroyed(f.cluster, f.name)(nil); err != nil {
			t.Error(err)
		}
	})
	has := func(warnings []string, part string) bool {
		for _, w := range warnings {
			if strings.Contains(w, part) {
				return true
			}
		}
		return false
	}
	cli.Write(factory.Config(testAccServiceConfig_imageOwner(f, "external", "info")))
	cli.Must("init", "-input=false")
	cli.Must("apply", "-auto-approve", "-input=false", "-lock=false")
	if w, changes := cli.Plan(); changes || len(w) > 0 {
		t.Fatalf("after apply: changes %v, warnings %q; want an empty plan without warnings", changes, w)
	}

	rev := pipelineDeploy(t, f, "public.ecr.aws/nginx/nginx:1.28")
	w, changes := cli.Plan()
	want := fmt.Sprintf("task definition revision %s was registered outside Terraform", rev[strings.LastIndex(rev, "/")+1:])
	if changes || !has(w, want) {
		t.Fatalf("after a pipeline deploy: changes %v, warnings %q; want no change and a warning containing %q", changes, w, want)
	}
	cli.Must("apply", "-auto-approve", "-input=false", "-lock=false")
	if w, changes := cli.Plan(); changes || len(w) > 0 {
		t.Fatalf("once the state knows the revision: changes %v, warnings %q; want neither", changes, w)
	}

	cli.Write(factory.Config(testAccServiceConfig_imageOwner(f, "terraform", "info")))
	cli.Must("apply", "-auto-approve", "-input=false", "-lock=false")
	rev = pipelineDeploy(t, f, "public.ecr.aws/nginx/nginx:1.29")
	if _, err := ecsClient(t).UpdateService(context.Background(), &ecs.UpdateServiceInput{
		Cluster: aws.String(f.cluster), Service: aws.String(f.name), DesiredCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	w, changes = cli.Plan()
	for _, part := range []string{
		fmt.Sprintf("the ECS service runs task definition revision %s, registered outside Terraform: this apply puts back", rev[strings.LastIndex(rev, "/")+1:]),
		"the desired count was set to 3 outside Terraform: this apply sets it back to 1",
	} {
		if !changes || !has(w, part) {
			t.Errorf("under \"terraform\" after a pipeline deploy and a scale by hand: changes %v, warnings %q; want changes and a warning containing %q", changes, w, part)
		}
	}
	cli.Must("apply", "-auto-approve", "-input=false", "-lock=false")
	if _, err := ecsClient(t).DeregisterTaskDefinition(context.Background(), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(rev)}); err != nil {
		t.Fatal(err) // the pipeline's, not adopted
	}
	if w, changes := cli.Plan(); changes || len(w) > 0 {
		t.Fatalf("after the apply put them back: changes %v, warnings %q; want neither", changes, w)
	}
}
