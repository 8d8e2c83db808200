package provider_test

import (
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// examplesDir is the repository's examples/ directory.
func examplesDir(parts ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", "examples"}, parts...)...)
}

// useEmulatorForExamples points the SDK at the emulator through the standard
// variable: examples carry no endpoints block.
func useEmulatorForExamples(t *testing.T) {
	t.Helper()
	if ep := acctest.Endpoint(); ep != "" {
		t.Setenv("AWS_ENDPOINT_URL", ep)
	}
}

// Every example under examples/ applies cleanly against the emulator, with an
// empty second plan, and destroys.

func TestAccExamples_clusterDataSource(t *testing.T) {
	factory.PreCheck(t)
	useEmulatorForExamples(t)
	name := acctest.RandomName("ex-ds")
	arn := acctest.CreateCluster(t, name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			ConfigDirectory: config.StaticDirectory(examplesDir("data-sources", "containerapp_cluster")),
			ConfigVariables: config.Variables{"cluster_name": config.StringVariable(name)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("cluster_arn", knownvalue.StringExact(arn)),
			},
		}},
	})
}

func TestAccExamples_serviceResource(t *testing.T) {
	factory.PreCheck(t)
	useEmulatorForExamples(t)
	name := acctest.RandomName("ex-svc")
	cluster := acctest.RandomName("ex-cl")
	acctest.CreateCluster(t, cluster)
	n := acctest.CreateNetwork(t, name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(cluster, "web"),
		Steps: []resource.TestStep{{
			ConfigDirectory: config.StaticDirectory(examplesDir("resources", "containerapp_service")),
			ConfigVariables: config.Variables{
				"cluster":                config.StringVariable(cluster),
				"subnet_ids":             config.ListVariable(config.StringVariable(n.SubnetIDs[0]), config.StringVariable(n.SubnetIDs[1])),
				"security_group_ids":     config.ListVariable(config.StringVariable(n.SecurityGroupID)),
				"listener_arn":           config.StringVariable(n.ListenerARN),
				"namespace_id":           config.StringVariable(acctest.CreateDNSNamespace(t, n, name)),
				"db_password_secret_arn": config.StringVariable(n.SecretARN),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("service_arn", knownvalue.StringRegexp(regexpMust(`^arn:aws:ecs:.*:service/`+cluster+`/web$`))),
			},
		}},
	})
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

func TestAccExamples_clusterResource(t *testing.T) {
	factory.PreCheck(t)
	useEmulatorForExamples(t)
	name := acctest.RandomName("ex-plat")
	n := acctest.CreateNetwork(t, name+"-net") // its own VPC: one private DNS namespace per VPC in moto
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			ConfigDirectory: config.StaticDirectory(examplesDir("resources", "containerapp_cluster")),
			ConfigVariables: config.Variables{
				"name":       config.StringVariable(name),
				"vpc_id":     config.StringVariable(n.VpcID),
				"subnet_ids": config.ListVariable(config.StringVariable(n.SubnetIDs[0]), config.StringVariable(n.SubnetIDs[1])),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("listener_arn", knownvalue.StringRegexp(regexpMust(`:listener/app/`))),
			},
		}},
	})
}

// The platform example (a cluster and three services) applies unchanged,
// has an empty second plan, and destroys with nothing left.
func TestAccExamples_platform(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("plat")
	// Count the AWS calls of the apply (its plan included), as `make demo` runs it.
	var proxy *acctest.Proxy
	if ep := acctest.Endpoint(); ep != "" {
		var err error
		if proxy, err = acctest.NewProxy(ep); err != nil {
			t.Fatal(err)
		}
		defer proxy.Close()
		t.Setenv("AWS_ENDPOINT_URL", proxy.URL())
	}
	resource.Test(t, resource.TestCase{
		CheckDestroy: func(s *terraform.State) error {
			if err := acctest.CheckClusterDestroyed(name)(s); err != nil {
				return err
			}
			for _, svc := range []string{"web", "api", "worker"} {
				if err := acctest.CheckServiceDestroyed(name, svc)(s); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			// The first apply of a new user: the api service runs image_tag
			// "v1" from its own repository, which this apply creates empty.
			// The service is created at desired count 0 (no task could pull
			// its image) and the plan after it scales api up: nothing else.
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(examplesDir("platform")),
			ConfigVariables:          config.Variables{"name": config.StringVariable(name)},
			ExpectNonEmptyPlan:       true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("containerapp_service.api", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("containerapp_service.web", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("containerapp_service.worker", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("containerapp_cluster.platform", plancheck.ResourceActionNoop),
				},
			},
		}, {
			// CI pushes the image; the next apply scales api up and the plan
			// after it is empty.
			PreConfig:                func() { acctest.PushImage(t, name, "api", "v1") },
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(examplesDir("platform")),
			ConfigVariables:          config.Variables{"name": config.StringVariable(name)},
			Check: func(*terraform.State) error {
				if proxy != nil {
					t.Logf("platform example: the bootstrap apply and the scale-up apply (plans included) made %d AWS calls (%d mutating)",
						len(proxy.Calls()), len(proxy.MutatingCalls()))
				}
				return nil
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("url", knownvalue.StringRegexp(regexpMust(`^http://.+`))),
				statecheck.ExpectKnownOutputValueAtPath("service_arns", tfjsonpath.New("api"),
					knownvalue.StringExact("arn:aws:ecs:"+acctest.Region()+":123456789012:service/"+name+"/api")),
				statecheck.ExpectKnownOutputValueAtPath("resources", tfjsonpath.New("api").AtMapKey("discovery_service").AtMapKey("kind"),
					knownvalue.StringExact("aws_service_discovery_service")),
				statecheck.ExpectKnownOutputValueAtPath("resources", tfjsonpath.New("worker").AtMapKey("service").AtMapKey("name"),
					knownvalue.StringExact("worker")),
				// web is autoscaled, with a night and a day schedule.
				statecheck.ExpectKnownOutputValueAtPath("resources", tfjsonpath.New("web").AtMapKey("scalable_target").AtMapKey("name"),
					knownvalue.StringExact("service/"+name+"/web")),
				statecheck.ExpectKnownOutputValueAtPath("resources", tfjsonpath.New("web").AtMapKey("scaling_policy_requests").AtMapKey("kind"),
					knownvalue.StringExact("aws_appautoscaling_policy")),
				statecheck.ExpectKnownOutputValueAtPath("resources", tfjsonpath.New("web").AtMapKey("scheduled_action_night").AtMapKey("name"),
					knownvalue.StringExact("containerapp-night")),
			},
		}, {
			// The repository keeps its images (force_delete is off): they go
			// before the destroy, as a user would remove them.
			PreConfig:                func() { acctest.DeleteImages(t, name, "api") },
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(examplesDir("platform")),
			ConfigVariables:          config.Variables{"name": config.StringVariable(name)},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}
