package service_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

const testAddr = "containerapp_service.test"

// serviceOpts are the knobs the acceptance configs vary.
type serviceOpts struct {
	image   string
	port    int
	desired int
}

func defaultOpts() serviceOpts {
	return serviceOpts{image: "public.ecr.aws/nginx/nginx:1.27", port: 8080, desired: 2}
}

// testAccServiceConfig_opts is the full configuration (every optional child)
// with the given image, port and desired count.
func testAccServiceConfig_opts(f fixture, o serviceOpts) string {
	return fmt.Sprintf(`
resource "containerapp_service" "test" {
  name          = %[1]q
  cluster       = %[2]q
  desired_count = %[11]d

  containers = {
    web = {
      image       = %[3]q
      port        = %[4]d
      environment = { LOG_LEVEL = "info" }
      secrets     = { DB_PASSWORD = %[5]q }
    }
  }

  network = {
    subnet_ids         = [%[6]q, %[7]q]
    security_group_ids = [%[8]q]
  }

  load_balancer = {
    listener_arn  = %[9]q
    path_patterns = ["/*"]
    health_check  = { path = "/healthz" }
  }

  service_discovery = {
    namespace_id = %[10]q
  }

  repository = {}

  task_role_policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::bucket/*"] }]
  })

  tags = { team = "payments" }
}
`, f.name, f.cluster, o.image, o.port, f.net.SecretARN, f.net.SubnetIDs[0], f.net.SubnetIDs[1], f.net.SecurityGroupID,
		f.net.ListenerARN, f.net.NamespaceID, o.desired)
}

// children is a snapshot of the resources map from state: key -> name/arn.
type children map[string]struct{ name, arn string }

// captureChildren copies the resources map of addr from state into dst.
func captureChildren(addr string, dst children) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		for k := range dst {
			delete(dst, k)
		}
		for attr, v := range rs.Primary.Attributes {
			rest, ok := strings.CutPrefix(attr, "resources.")
			if !ok {
				continue
			}
			key, field, ok := strings.Cut(rest, ".")
			if !ok {
				continue
			}
			c := dst[key]
			switch field {
			case "name":
				c.name = v
			case "arn":
				c.arn = v
			default:
				continue
			}
			dst[key] = c
		}
		if len(dst) == 0 {
			return fmt.Errorf("%s has an empty resources map", addr)
		}
		return nil
	}
}

// expectChildARNs checks the planned resources map of addr: the arn of each
// key in unknown is unknown; every other child of prior keeps its arn (and
// name, unless listed in renamed). Keys of prior missing from the plan fail.
func expectChildARNs(addr string, prior children, unknown []string, renamed ...string) plancheck.PlanCheck {
	return childARNsCheck{addr: addr, prior: prior, unknown: unknown, renamed: renamed}
}

type childARNsCheck struct {
	addr             string
	prior            children
	unknown, renamed []string
}

func (c childARNsCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	rc := findChange(req.Plan, c.addr)
	if rc == nil {
		resp.Error = fmt.Errorf("no planned change for %s", c.addr)
		return
	}
	after, _ := rc.Change.After.(map[string]any)
	afterUnknown, _ := rc.Change.AfterUnknown.(map[string]any)
	planned, _ := after["resources"].(map[string]any)
	unknownMap, _ := afterUnknown["resources"].(map[string]any)
	if u, _ := afterUnknown["resources"].(bool); u {
		resp.Error = fmt.Errorf("%s.resources is entirely unknown in the plan", c.addr)
		return
	}
	isUnknown := func(key string) bool {
		u, _ := unknownMap[key].(map[string]any)
		b, _ := u["arn"].(bool)
		return b
	}
	var errs []string
	want := map[string]bool{}
	for _, k := range c.unknown {
		want[k] = true
	}
	renamed := map[string]bool{}
	for _, k := range c.renamed {
		renamed[k] = true
	}
	keySet := map[string]bool{}
	for k := range c.prior {
		keySet[k] = true
	}
	for _, k := range c.unknown {
		keySet[k] = true
	}
	keys := make([]string, 0, len(keySet))
	for k := range keySet {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := planned[k]; !ok {
			if !isUnknown(k) {
				errs = append(errs, fmt.Sprintf("%s missing from the planned resources map", k))
			}
			continue
		}
		entry, _ := planned[k].(map[string]any)
		arn, _ := entry["arn"].(string)
		name, _ := entry["name"].(string)
		switch {
		case want[k] && !isUnknown(k):
			errs = append(errs, fmt.Sprintf("%s.arn should be unknown, planned %q", k, arn))
		case want[k]:
		case isUnknown(k):
			errs = append(errs, fmt.Sprintf("%s.arn should be known (%q), planned unknown", k, c.prior[k].arn))
		case arn != c.prior[k].arn:
			errs = append(errs, fmt.Sprintf("%s.arn changed: %q -> %q", k, c.prior[k].arn, arn))
		}
		if p, ok := c.prior[k]; ok && !renamed[k] && name != p.name {
			errs = append(errs, fmt.Sprintf("%s.name changed: %q -> %q", k, p.name, name))
		}
		if renamed[k] && name == c.prior[k].name {
			errs = append(errs, fmt.Sprintf("%s.name should change, planned the same %q", k, name))
		}
	}
	if len(errs) > 0 {
		resp.Error = fmt.Errorf("%s resources map: %s", c.addr, strings.Join(errs, "; "))
	}
}

func findChange(p *tfjson.Plan, addr string) *tfjson.ResourceChange {
	for _, rc := range p.ResourceChanges {
		if rc.Address == addr {
			return rc
		}
	}
	return nil
}

// ecsClient returns an ECS client for checks.
func ecsClient(t testing.TB) *ecs.Client { return ecs.NewFromConfig(acctest.MustConfig(t)) }

// describeService returns the ECS service of the fixture.
func describeService(ctx context.Context, c *ecs.Client, f fixture) (*ecstypes.Service, error) {
	out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(f.cluster), Services: []string{f.name}})
	if err != nil {
		return nil, err
	}
	for i := range out.Services {
		if aws.ToString(out.Services[i].ServiceName) == f.name {
			return &out.Services[i], nil
		}
	}
	return nil, fmt.Errorf("ECS service %s not found", f.name)
}

// activeRevisions lists the ACTIVE task definition revisions of the fixture's family.
func activeRevisions(ctx context.Context, c *ecs.Client, f fixture) ([]string, error) {
	family := composite.TaskFamily(f.cluster, f.name)
	out, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, a := range out.TaskDefinitionArns {
		if strings.Contains(a, ":task-definition/"+family+":") {
			arns = append(arns, a)
		}
	}
	return arns, nil
}

// words turns a phrase into a regexp that tolerates Terraform's line
// wrapping between words.
func words(phrase string) string {
	parts := strings.Fields(phrase)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}
