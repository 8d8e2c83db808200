package service_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/service"
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
  kms_key_arns       = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]

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
`, f.name, f.cluster, f.net.SecretARN, subnets[0], subnets[1], f.net.SecurityGroupID, f.net.ListenerARN, f.dnsNamespace)
}

func TestAccService_import(t *testing.T) {
	f := newFixture(t).withDNSNamespace(t)
	addr := "containerapp_service.test"
	cfg := factory.Config(testAccServiceConfig_import(f))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: append(bootstrapSteps(t, f, cfg, addr, "v3"),
			// terraform import: every attribute, the resources map and the
			// computed ARNs come back as they were after create. Nothing is
			// ignored.
			resource.TestStep{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     f.cluster + "/" + f.name,
				ImportStateVerify: true,
			},
			// An import block with the same configuration plans a no-op: the
			// plan after import is empty (the step fails on any change).
			resource.TestStep{
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
			resource.TestStep{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(f.cluster+"/"+f.name)),
				},
			},
			imagesDeletedStep(t, f, cfg),
		),
	})
}

// imagesDeletedStep empties the service's repository (ECR refuses to delete
// a repository holding images, and force_delete is off) and re-applies cfg:
// the plan stays empty, and the test's destroy can remove the repository.
func imagesDeletedStep(t *testing.T, f fixture, cfg string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() { acctest.DeleteImages(t, f.cluster, f.name) },
		Config:    cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	}
}

// bootstrapSteps apply cfg, one of whose containers runs image_tag
// tag from the service's own repository, the way a new user's first two
// applies go (issue 8 item 9): the first creates the still empty repository
// and the ECS service at desired count 0 (its image is not pushed, so no
// task could start), and its next plan scales the service up; after the
// image is pushed, the second apply does so and the plan after it is empty.
func bootstrapSteps(t *testing.T, f fixture, cfg, addr, tag string) []resource.TestStep {
	return []resource.TestStep{
		{
			Config:             cfg,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				},
			},
			Check: func(*terraform.State) error {
				return expectLiveDesiredCount(t, f, 0)
			},
		},
		{
			PreConfig: func() { acctest.PushImage(t, f.cluster, f.name, tag) },
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	}
}

// expectLiveDesiredCount compares the ECS service's desired count with want.
func expectLiveDesiredCount(t *testing.T, f fixture, want int32) error {
	out, err := ecsClient(t).DescribeServices(context.Background(), &ecs.DescribeServicesInput{
		Cluster: aws.String(f.cluster), Services: []string{f.name},
	})
	if err != nil {
		return err
	}
	if len(out.Services) != 1 {
		return fmt.Errorf("ECS service %s/%s: %d services described", f.cluster, f.name, len(out.Services))
	}
	if got := out.Services[0].DesiredCount; got != want {
		return fmt.Errorf("ECS service %s/%s: desired count %d, want %d", f.cluster, f.name, got, want)
	}
	return nil
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
	f := newFixture(t).withDNSNamespace(t)
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

// TestAccService_importUnmanaged refuses an ECS service this provider did
// not create (no containerapp:owner tag): adopting it would mean recreating
// every child around it.
func TestAccService_importUnmanaged(t *testing.T) {
	f := newFixture(t).withDNSNamespace(t)
	ctx := context.Background()
	client := ecs.NewFromConfig(acctest.MustConfig(t))
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(f.name + "-manual"), Cpu: aws.String("256"), Memory: aws.String("512"),
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}},
	})
	if err != nil {
		t.Fatalf("registering task definition: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeregisterTaskDefinition(context.Background(), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: td.TaskDefinition.TaskDefinitionArn})
	})
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(f.cluster), ServiceName: aws.String(f.name), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		DesiredCount: aws.Int32(0), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: f.net.SubnetIDs[:1], SecurityGroups: []string{f.net.SecurityGroupID}}},
	}); err != nil {
		t.Fatalf("creating ECS service: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteService(context.Background(), &ecs.DeleteServiceInput{Cluster: aws.String(f.cluster), Service: aws.String(f.name), Force: aws.Bool(true)})
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        factory.Config(testAccServiceConfig_import(f)),
			ResourceName:  "containerapp_service.test",
			ImportState:   true,
			ImportStateId: f.cluster + "/" + f.name,
			ExpectError:   regexp.MustCompile(`was\s+not\s+created\s+by\s+containerapp_service[\s\S]*has\s+no\s+containerapp:owner\s+tag`),
		}},
	})
}

// TestAccService_importCreatedElsewhere imports a service that another
// Terraform state created (here: the engine, driven directly), into an empty
// state: the plan with the same configuration is empty, an image change
// updates it in place through the rediscovered children, and destroy removes
// every child.
func TestAccService_importCreatedElsewhere(t *testing.T) {
	f := newFixture(t)
	addr := "containerapp_service.test"
	spec := composite.ServiceSpec{
		Name:    f.name,
		Cluster: f.cluster,
		Containers: map[string]composite.ContainerSpec{
			"web": {Image: "public.ecr.aws/nginx/nginx:1.27", Port: composite.Ptr(int64(8080))},
		},
		Network:          composite.NetworkSpec{SubnetIDs: []string{f.net.SubnetIDs[0]}},
		LoadBalancer:     &composite.LoadBalancerSpec{ListenerARN: f.net.ListenerARN, PathPatterns: []string{"/*"}},
		ServiceDiscovery: &composite.ServiceDiscoverySpec{NamespaceID: f.net.NamespaceID, NamespaceType: composite.NamespaceTypeHTTP},
		Repository:       &composite.RepositorySpec{},
		Tags:             map[string]string{"team": "payments"},
	}
	config := func(image string) string {
		return factory.Config(fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %[1]q
  cluster = %[2]q

  containers = {
    web = { image = %[3]q, port = 8080 }
  }

  network           = { subnet_ids = [%[4]q] }
  load_balancer     = { listener_arn = %[5]q, path_patterns = ["/*"] }
  service_discovery = { namespace_id = %[6]q }
  repository        = {}

  tags = { team = "payments" }
}
`, f.name, f.cluster, image, f.net.SubnetIDs[0], f.net.ListenerARN, f.net.NamespaceID))
	}
	createElsewhere(t, spec)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{
			{
				Config:             config("public.ecr.aws/nginx/nginx:1.27"),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      f.cluster + "/" + f.name,
				ImportStatePersist: true,
			},
			{
				Config: config("public.ecr.aws/nginx/nginx:1.27"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("task_definition").AtMapKey("arn"), knownvalue.StringRegexp(regexp.MustCompile(`:1$`))),
				},
			},
			{
				Config: config("public.ecr.aws/nginx/nginx:1.28"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("task_definition_arn")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("target_group_arn"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("task_definition").AtMapKey("arn"), knownvalue.StringRegexp(regexp.MustCompile(`:2$`))),
				},
			},
		},
	})
}

// createElsewhere creates the service's children with the engine, as another
// Terraform state would have; at cleanup it deletes whatever of them is left
// (nothing, when the test's destroy ran).
func createElsewhere(t *testing.T, spec composite.ServiceSpec) {
	t.Helper()
	ctx := context.Background()
	endpoints := map[string]string{}
	for _, s := range conns.EndpointServices {
		if ep := acctest.Endpoint(); ep != "" {
			endpoints[s] = ep
		}
	}
	c, err := conns.New(ctx, conns.Config{Region: acctest.Region(), Endpoints: endpoints})
	if err != nil {
		t.Fatalf("AWS clients: %v", err)
	}
	g, err := composite.ExpandService(spec, composite.Env{Region: c.Region, Partition: c.Partition, AccountID: c.AccountID})
	if err != nil {
		t.Fatalf("expanding service: %v", err)
	}
	reg := service.Registry(c)
	recorded := map[string]composite.Recorded{}
	out, err := engine.Apply(ctx, reg, g, recorded, composite.Diff(g, recorded), engine.Options{Concurrency: 4})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if _, err := engine.Destroy(ctx, reg, out, engine.Options{Concurrency: 4}); err != nil {
			t.Errorf("cleaning up the service created outside Terraform: %v", err)
		}
	})
	if err != nil {
		t.Fatalf("creating the service outside Terraform: %v", err)
	}
}
