package provider_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// A run killed mid-apply (CI runner lost, Ctrl-C twice, OOM): terraform and
// the provider die with SIGKILL, so the state never learns what the run
// created. The next plain apply must converge by adopting every child the
// dead run made, the plan after it must be empty, and a destroy must leave
// nothing behind (a duplicate the re-apply created would be an orphan).
//
// The test runs the real Terraform CLI with the provider binary built from
// this tree (dev_overrides), through a counting proxy in front of the
// emulator, and kills the CLI's whole process group (the provider plugin is
// its child) from the proxy's hook once the apply has made N mutating AWS
// calls: the Nth call has reached AWS, its answer never reaches the
// provider. The kill points land among the cluster's children, at the
// border of the two resources and among the service's children.
func TestAccKill_midApplyConverges(t *testing.T) {
	factory.PreCheck(t)
	ep := acctest.Endpoint()
	if ep == "" {
		t.Skip("needs the emulator (CONTAINERAPP_TEST_ENDPOINT): the test kills a real apply mid-way")
	}
	tf := terraformPath(t)
	bin := buildProvider(t)

	for _, n := range []int{1, 3, 6, 9, 11, 13, 16, 18, 21, 22} {
		t.Run(fmt.Sprintf("after_%d_mutating_calls", n), func(t *testing.T) {
			t.Parallel()
			killRun(t, tf, bin, ep, n)
		})
	}
}

// terraformPath is the Terraform CLI the acceptance tests use.
func terraformPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("needs the Terraform CLI (TF_ACC_TERRAFORM_PATH or terraform on PATH)")
	}
	return p
}

// buildProvider builds the provider binary from this tree into a temporary
// directory and returns that directory (for dev_overrides).
func buildProvider(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-containerapp"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return dir
}

const killConfig = `terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

provider "containerapp" {}

resource "containerapp_cluster" "this" {
  name = %[1]q

  service_discovery = {
    name = "%[1]s.internal"
    type = "HTTP"
  }

  load_balancer = {
    internal            = false
    ingress_cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "containerapp_service" "api" {
  name          = "api"
  cluster       = containerapp_cluster.this.name
  desired_count = 1

  containers = {
    api = {
      image       = "public.ecr.aws/nginx/nginx:1.27"
      port        = 8080
      environment = { LOG_LEVEL = "info" }
    }
  }

  repository = {}

  network = {
    subnet_ids         = containerapp_cluster.this.subnet_ids
    security_group_ids = [containerapp_cluster.this.service_security_group_id]
    assign_public_ip   = true
  }

  load_balancer = {
    listener_arn  = containerapp_cluster.this.listener_arn
    path_patterns = ["/api/*"]
    priority      = 100
  }

  service_discovery = {
    namespace_id = containerapp_cluster.this.namespace_id
  }
}
`

// killRun applies the configuration, killed after n mutating calls, then
// applies again, plans, checks for duplicates, destroys and checks for
// leftovers.
func killRun(t *testing.T, tf, bin, ep string, n int) {
	name := acctest.RandomName(fmt.Sprintf("kill%d", n))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fmt.Sprintf(killConfig, name)), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "dev.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/containerapp/containerapp" = %q
  }
  direct {}
}
`, bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy, err := acctest.NewProxy(ep)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
		"AWS_ENDPOINT_URL="+proxy.URL(),
	)
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(tf, append([]string{"-chdir=" + dir}, args...)...)
		cmd.Env = env
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd
	}

	// Always clean up, whatever fails below.
	defer func() {
		proxy.OnCall(nil)
		out, err := run("destroy", "-auto-approve", "-no-color").CombinedOutput()
		if err != nil {
			t.Errorf("destroy: %v\n%s", err, out)
			return
		}
		if err := acctest.CheckServiceDestroyed(name, "api")(nil); err != nil {
			t.Error(err)
		}
		if err := acctest.CheckClusterDestroyed(name)(nil); err != nil {
			t.Error(err)
		}
	}()

	// The killed apply.
	cmd := run("apply", "-auto-approve", "-no-color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var mutating atomic.Int32
	var killed atomic.Bool
	var once sync.Once
	var started sync.WaitGroup
	started.Add(1)
	proxy.OnCall(func(c acctest.Call) {
		if !acctest.IsMutating(c.Operation) || killed.Load() {
			return
		}
		if int(mutating.Add(1)) == n {
			once.Do(func() {
				started.Wait()
				killed.Store(true)
				// The whole process group: terraform and its provider plugin.
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				t.Logf("killed the apply after %s (mutating call %d)", c, n)
			})
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started.Done()
	err = cmd.Wait()
	if !killed.Load() {
		t.Logf("mutating calls of the full apply: %v", proxy.MutatingCalls())
		t.Fatalf("the apply finished after %d mutating calls, before the kill point %d (err %v):\n%s", mutating.Load(), n, err, out.String())
	}
	// Reap the plugin too: wait until the process group is gone.
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-cmd.Process.Pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	proxy.OnCall(nil)
	proxy.ResetCalls()

	// The next plain apply converges. The local backend's lock is an OS
	// lock on the state file, released with the killed process: the
	// .terraform.tfstate.lock.info it leaves needs no force-unlock.
	if out, err := run("apply", "-auto-approve", "-no-color").CombinedOutput(); err != nil {
		t.Fatalf("apply after the kill: %v\n%s", err, out)
	}
	t.Logf("the apply after the kill made %d AWS calls (%d mutating)", len(proxy.Calls()), len(proxy.MutatingCalls()))
	// The plan after it is empty.
	if out, err := run("plan", "-detailed-exitcode", "-no-color").CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 {
			t.Errorf("the plan after the converging apply is not empty:\n%s", out)
		} else {
			t.Errorf("plan: %v\n%s", err, out)
		}
	}
	// No duplicate children (a duplicate would be an orphan after destroy).
	if err := checkNoDuplicates(context.Background(), name, "api"); err != nil {
		t.Error(err)
	}
}

// checkNoDuplicates asks the emulator for the children of cluster/service a
// re-apply could duplicate without a name clash: exactly one Cloud Map
// service of the name carrying the owner tag, one ACTIVE task definition
// revision of the family, one listener rule carrying the owner tag.
func checkNoDuplicates(ctx context.Context, cluster, service string) error {
	cfg, err := acctest.AWSConfig(ctx)
	if err != nil {
		return err
	}
	owner := composite.ServiceID(cluster, service)
	var problems []string

	sd := servicediscovery.NewFromConfig(cfg)
	var services int
	pages := servicediscovery.NewListServicesPaginator(sd, &servicediscovery.ListServicesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range page.Services {
			if aws.ToString(s.Name) != composite.DiscoveryServiceName(service) {
				continue
			}
			tags, err := sd.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: s.Arn})
			if err != nil {
				return err
			}
			for _, tg := range tags.Tags {
				if aws.ToString(tg.Key) == composite.TagOwner && aws.ToString(tg.Value) == owner {
					services++
				}
			}
		}
	}
	if services != 1 {
		problems = append(problems, fmt.Sprintf("%d Cloud Map services owned by %s, want 1", services, owner))
	}

	family := composite.TaskFamily(cluster, service)
	tds, err := ecs.NewFromConfig(cfg).ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil {
		return err
	}
	var revisions []string
	for _, a := range tds.TaskDefinitionArns {
		if strings.Contains(a, ":task-definition/"+family+":") {
			revisions = append(revisions, a)
		}
	}
	if len(revisions) != 1 {
		problems = append(problems, fmt.Sprintf("ACTIVE task definition revisions of %s: %v, want 1", family, revisions))
	}

	lb := elbv2.NewFromConfig(cfg)
	lbs, err := lb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{composite.LoadBalancerName(cluster)}})
	if err != nil {
		return err
	}
	var rules []string
	for _, l := range lbs.LoadBalancers {
		ls, err := lb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: l.LoadBalancerArn})
		if err != nil {
			return err
		}
		for _, li := range ls.Listeners {
			rs, err := lb.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: li.ListenerArn})
			if err != nil {
				return err
			}
			for _, r := range rs.Rules {
				if aws.ToBool(r.IsDefault) {
					continue
				}
				tags, err := lb.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(r.RuleArn)}})
				if err != nil {
					return err
				}
				for _, td := range tags.TagDescriptions {
					for _, tg := range td.Tags {
						if aws.ToString(tg.Key) == composite.TagOwner && aws.ToString(tg.Value) == owner {
							rules = append(rules, aws.ToString(r.RuleArn))
						}
					}
				}
			}
		}
	}
	if len(rules) != 1 {
		problems = append(problems, fmt.Sprintf("listener rules owned by %s: %v, want 1", owner, rules))
	}
	if len(problems) > 0 {
		return fmt.Errorf("duplicates after the converging apply: %s", strings.Join(problems, "; "))
	}
	return nil
}
