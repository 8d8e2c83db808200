package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

func testAccClusterDataSourceConfig(name string) string {
	return fmt.Sprintf(`
data "containerapp_cluster" "test" {
  name = %q
}
`, name)
}

// The provider configured through the endpoints block reads a cluster made in
// test setup.
func TestAccProvider_endpointsBlock(t *testing.T) {
	factory.PreCheck(t)
	if acctest.Endpoint() == "" {
		t.Skip("endpoints block test needs an emulator endpoint (CONTAINERAPP_TEST_ENDPOINT)")
	}
	name := acctest.RandomName("tfacc-ep")
	arn := acctest.CreateCluster(t, name)
	proxy, err := acctest.NewProxy(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: factory.ProviderConfig(proxy.URL()) + testAccClusterDataSourceConfig(name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
			},
		}},
	})
	// Every call went through the endpoints block's URL (the proxy).
	if n := proxy.CountCalls(func(c acctest.Call) bool { return c.Service == "ecs" && c.Operation == "DescribeClusters" }); n == 0 {
		t.Fatalf("no DescribeClusters call reached the endpoint from the endpoints block; calls: %v", proxy.Operations())
	}
	if n := proxy.CountCalls(func(c acctest.Call) bool { return c.Operation == "GetCallerIdentity" }); n == 0 {
		t.Fatalf("STS GetCallerIdentity did not go through the endpoints block; calls: %v", proxy.Operations())
	}
}

// The provider configured only through AWS_ENDPOINT_URL (no endpoints block).
func TestAccProvider_awsEndpointURL(t *testing.T) {
	factory.PreCheck(t)
	if acctest.Endpoint() == "" {
		t.Skip("AWS_ENDPOINT_URL test needs an emulator endpoint (CONTAINERAPP_TEST_ENDPOINT)")
	}
	name := acctest.RandomName("tfacc-env")
	arn := acctest.CreateCluster(t, name)
	proxy, err := acctest.NewProxy(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: factory.ProviderConfig("") + testAccClusterDataSourceConfig(name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
			},
		}},
	})
	if n := proxy.CountCalls(func(c acctest.Call) bool { return c.Operation == "DescribeClusters" }); n == 0 {
		t.Fatalf("AWS_ENDPOINT_URL was not honoured; calls: %v", proxy.Operations())
	}
}

// Bad provider configuration fails at plan with the attribute path and makes
// no AWS call.
func TestAccProvider_badConfig(t *testing.T) {
	factory.PreCheck(t)
	proxy, err := acctest.NewProxy("http://127.0.0.1:1") // nothing may be forwarded anyway
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	ds := testAccClusterDataSourceConfig("whatever")
	cases := []struct {
		name   string
		config string
		err    string
	}{
		{"endpoint not a URL", `provider "containerapp" {
  endpoints {
    ecs = "not a url"
  }
}`, `Invalid endpoint URL[\s\S]*ecs = "not a url"`},
		{"assume_role without role_arn", factory.ProviderConfig(proxy.URL())[len(factory.TerraformBlock):] + `
provider "containerapp" {
  alias = "ar"
  assume_role {
    session_name = "x"
  }
}
data "containerapp_cluster" "ar" {
  provider = containerapp.ar
  name     = "x"
}`, `Missing role_arn`},
		{"malformed region", `provider "containerapp" {
  region = "useast1"
  endpoints {
    ecs = "` + proxy.URL() + `"
    sts = "` + proxy.URL() + `"
  }
}`, `Invalid region`},
		{"bad role arn", `provider "containerapp" {
  assume_role {
    role_arn = "role/admin"
  }
}`, `Invalid ARN`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := factory.TerraformBlock + c.config
			if c.name != "assume_role without role_arn" {
				cfg += ds
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      cfg,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.err),
				}},
			})
		})
	}
	if calls := proxy.Calls(); len(calls) != 0 {
		t.Fatalf("bad configuration made AWS calls: %v", proxy.Operations())
	}
}

func TestAccClusterDataSource_basic(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-ds")
	arn := acctest.CreateCluster(t, name)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: factory.Config(testAccClusterDataSourceConfig(name)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("status"), knownvalue.StringExact("ACTIVE")),
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("container_insights"), knownvalue.StringExact("enabled")),
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("active_services_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("tags"),
					knownvalue.MapExact(map[string]knownvalue.Check{"suite": knownvalue.StringExact("acctest")})),
			},
		}, {
			// Lookup by ARN gives the same cluster.
			Config: factory.Config(testAccClusterDataSourceConfig(arn)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.containerapp_cluster.test", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
			},
		}},
	})
}

func TestAccClusterDataSource_missing(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-missing")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      factory.Config(testAccClusterDataSourceConfig(name)),
			ExpectError: regexp.MustCompile(`ECS cluster "` + name + `" (not found|is INACTIVE)`),
		}},
	})
}
