package service_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// badInput is one invalid configuration: edit changes the valid baseline,
// want matches the diagnostic (summary and attribute path).
type badInput struct {
	name string
	edit func(c *badConfig)
	want string
}

// badConfig is a valid configuration, rendered by String, that each case
// breaks in one place. Nothing in it has to exist: plan must fail before any
// AWS call.
type badConfig struct {
	name, cpu, memory, port, secret, listener, priority string
	containers                                          string // replaces the containers block when set
	lbContainer                                         string
	imageTag                                            string
	extra                                               string // more attributes
	blockOnSeverity                                     string // repository.block_on_severity when set
}

func (c badConfig) String() string {
	containers := c.containers
	if containers == "" {
		extra := ""
		if c.imageTag != "" {
			extra = fmt.Sprintf("\n      image_tag = %q", c.imageTag)
		}
		containers = fmt.Sprintf(`{
    web = {
      image   = "public.ecr.aws/nginx/nginx:1.27"%s
      port    = %s
      secrets = { DB_PASSWORD = %q }
    }
    sidecar = {
      image = "public.ecr.aws/docker/library/busybox:1.36"
    }
  }`, extra, c.port, c.secret)
	}
	lbContainer := ""
	if c.lbContainer != "" {
		lbContainer = fmt.Sprintf("\n    container_name = %q", c.lbContainer)
	}
	priority := ""
	if c.priority != "" {
		priority = "\n    priority       = " + c.priority
	}
	repository := "{}"
	if c.blockOnSeverity != "" {
		repository = fmt.Sprintf("{ block_on_severity = %q }", c.blockOnSeverity)
	}
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name    = %q
  cluster = "platform"
  cpu     = %s
  memory  = %s

  containers = %s

  network = {
    subnet_ids         = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  load_balancer = {
    listener_arn   = %q%s%s
    path_patterns  = ["/*"]
  }

  repository = %s
%s
}
`, c.name, c.cpu, c.memory, containers, c.listener, lbContainer, priority, repository, c.extra)
}

func validBadConfig() badConfig {
	return badConfig{
		name: "web", cpu: "256", memory: "512", port: "8080",
		secret:   "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
		listener: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
	}
}

// TestAccService_badInput: invalid input fails at plan with the attribute
// path, and the provider makes no AWS call at all.
func TestAccService_badInput(t *testing.T) {
	factory.PreCheck(t)
	t.Parallel()
	target := acctest.Endpoint()
	if target == "" {
		target = "http://127.0.0.1:9" // nothing may be forwarded anyway
	}
	p, err := acctest.NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	provider := factory.ProviderConfig(p.URL(), "skip_credentials_validation = true", "skip_requesting_account_id = true")

	// Terraform 1.5 points at the resource block (not the value) for nested
	// attributes, so the provider starts each detail with the attribute path:
	// match the summary and that path.
	at := func(summary, path string) string {
		return words(summary) + `[\s\S]*` + regexp.QuoteMeta(path+":") + `\s`
	}
	cases := []badInput{
		{"name", func(c *badConfig) { c.name = "Bad_Name" }, at("Invalid name", "name")},
		{"cpu/memory", func(c *badConfig) { c.memory = "4096" }, at("Invalid memory for cpu", "memory")},
		{"port", func(c *badConfig) { c.port = "70000" }, at("Invalid port", `containers["web"].port`)},
		{"priority 0", func(c *badConfig) { c.priority = "0" }, at("Invalid priority", "load_balancer.priority")},
		{"priority 60000", func(c *badConfig) { c.priority = "60000" }, at("Invalid priority", "load_balancer.priority")},
		{"listener arn", func(c *badConfig) {
			c.listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
		}, at("Invalid listener_arn", "load_balancer.listener_arn")},
		{"listener not an arn", func(c *badConfig) { c.listener = "my-listener" }, at("Invalid listener_arn", "load_balancer.listener_arn")},
		{"secret", func(c *badConfig) { c.secret = "db-password" }, at("Invalid secret ARN", `containers["web"].secrets["DB_PASSWORD"]`)},
		{"empty containers", func(c *badConfig) { c.containers = "{}" }, at("Missing containers", "containers")},
		{"lb container without port", func(c *badConfig) { c.lbContainer = "sidecar" }, at("Container without port", "load_balancer.container_name")},
		{"image and image_tag", func(c *badConfig) { c.imageTag = "v3" }, at("Conflicting image", `containers["web"].image_tag`)},
		{"strategy not fargate", func(c *badConfig) {
			c.extra = `capacity_provider_strategy = [{ capacity_provider = "my-asg" }]`
		}, at("Unknown capacity provider", "capacity_provider_strategy[0].capacity_provider")},
		{"strategy without weight", func(c *badConfig) {
			c.extra = `capacity_provider_strategy = [{ capacity_provider = "FARGATE", weight = 0 }]`
		}, at("No weighted provider", "capacity_provider_strategy")},
		{"strategy with two bases", func(c *badConfig) {
			c.extra = `capacity_provider_strategy = [{ capacity_provider = "FARGATE", base = 1 }, { capacity_provider = "FARGATE_SPOT", base = 2 }]`
		}, at("Several bases", "capacity_provider_strategy[1].base")},
		{"empty strategy", func(c *badConfig) { c.extra = `capacity_provider_strategy = []` }, at("Empty capacity_provider_strategy", "capacity_provider_strategy")},
		{"alarm name with comma", func(c *badConfig) {
			c.extra = `deployment = { alarms = { names = ["a,b"] } }`
		}, at("Invalid alarm name", "deployment.alarms.names[0]")},
		{"block_on_severity LOW", func(c *badConfig) {
			c.blockOnSeverity = "LOW"
			c.containers = `{ web = { image_tag = "v1", port = 8080 } }`
		}, at("Invalid block_on_severity", "repository.block_on_severity")},
		{"block_on_severity without image_tag", func(c *badConfig) { c.blockOnSeverity = "HIGH" }, at("block_on_severity without image_tag", "repository.block_on_severity")},
	}
	t.Run("valid baseline", func(t *testing.T) {
		// The baseline is valid: it plans (and is never applied).
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:             provider + validBadConfig().String(),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			}},
		})
	})
	for _, tc := range cases {
		c := validBadConfig()
		tc.edit(&c)
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      provider + c.String(),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Cleanup(func() {
		// After every subtest: no AWS call at all.
		if calls := p.Operations(); len(calls) > 0 {
			t.Errorf("planning invalid (and valid) input made %d AWS calls, want 0: %s", len(calls), strings.Join(calls, ", "))
		}
	})
}
