package service_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// mutatingStep is one mutating call of a full create: the Nth call of
// service:operation.
type mutatingStep struct {
	service, operation string
	nth                int
}

func (s mutatingStep) String() string { return fmt.Sprintf("%s:%s#%d", s.service, s.operation, s.nth) }

// newProxy starts a fault proxy in front of the emulator, with the suite's
// consistency windows, closed at cleanup.
func newProxy(t *testing.T) *acctest.Proxy {
	t.Helper()
	p, err := acctest.NewProxy(acctest.Endpoint(), acctest.SuiteProxyOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// proxyConfig renders the full configuration with every endpoint at p.
func proxyConfig(p *acctest.Proxy, f fixture) string {
	return factory.ProviderConfig(p.URL()) + testAccServiceConfig_opts(f, defaultOpts())
}

// recordCreate applies the full configuration once through a proxy and
// returns its mutating calls in arrival order, numbered per operation.
func recordCreate(t *testing.T) []mutatingStep {
	t.Helper()
	f := newFixture(t)
	p := newProxy(t)
	var steps []mutatingStep
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
		Steps: []resource.TestStep{{
			PreConfig: p.ResetCalls,
			Config:    proxyConfig(p, f),
			Check: func(*terraform.State) error {
				seen := map[string]int{}
				for _, c := range p.MutatingCalls() {
					if c.Consistency != "" {
						continue // answered by a consistency window: faults do not count it
					}
					seen[c.String()]++
					steps = append(steps, mutatingStep{service: c.Service, operation: c.Operation, nth: seen[c.String()]})
				}
				return nil
			},
		}, {
			// One `terraform refresh` through the provider: configure (STS
			// GetCallerIdentity) plus the resource's Read.
			PreConfig:    p.ResetCalls,
			RefreshState: true,
			Check: func(*terraform.State) error {
				calls := p.Calls()
				t.Logf("terraform refresh: %d AWS calls: %s", len(calls), strings.Join(p.Operations(), ", "))
				if len(calls) > refreshCallBudgetTF {
					return fmt.Errorf("terraform refresh made %d AWS calls, budget %d", len(calls), refreshCallBudgetTF)
				}
				return nil
			},
		}},
	})
	return steps
}

// refreshCallBudgetTF is the refresh budget, which through Terraform
// includes the provider's STS GetCallerIdentity.
const refreshCallBudgetTF = 13

// TestAccService_faults fails each mutating call of a full create in turn
// (a non-retryable 4xx), expects the error to name the child, then applies
// again without faults (the tainted resource is replaced or resumed), expects
// an empty plan, destroys, and asks the emulator that nothing remains. After
// the failed apply, every object of the service that exists in AWS must be
// recorded in state (no orphan).
func TestAccService_faults(t *testing.T) {
	factory.PreCheck(t)
	if acctest.Endpoint() == "" {
		t.Skip("fault injection needs the emulator endpoint")
	}
	t.Parallel()
	steps := recordCreate(t)
	if len(steps) < 10 {
		t.Fatalf("recorded only %d mutating calls: %v", len(steps), steps)
	}
	t.Logf("failing each of %d mutating calls in turn: %v", len(steps), steps)
	var mu sync.Mutex
	covered := 0
	t.Cleanup(func() { t.Logf("fault steps covered: %d of %d", covered, len(steps)) })
	for _, step := range steps {
		t.Run(step.String(), func(t *testing.T) {
			f := newFixture(t)
			p := newProxy(t)
			cfg := proxyConfig(p, f)
			var afterFailure []string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckServiceDestroyed(f.cluster, f.name),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							p.Inject(acctest.Fault{
								Service: step.service, Operation: step.operation, Nth: step.nth,
								Code: "AccessDenied", Status: 403,
								Message: "injected: not authorized to perform " + step.operation,
							})
						},
						Config:      cfg,
						ExpectError: regexp.MustCompile(`child "[a-z_]+"[\s\S]*` + words("injected: not authorized to perform "+step.operation)),
					},
					{
						PreConfig: func() {
							p.ClearFaults()
							if n := p.CountCalls(func(c acctest.Call) bool { return c.Injected }); n != 1 {
								t.Errorf("the fault fired %d times, want 1", n)
							}
							left, err := acctest.ServiceLeftovers(context.Background(), f.cluster, f.name)
							if err != nil {
								t.Errorf("listing what the failed apply left: %v", err)
							}
							afterFailure = left
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{expectRecorded(testAddr, &afterFailure)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
			if !t.Failed() {
				mu.Lock()
				covered++
				mu.Unlock()
			}
		})
	}
}

// expectRecorded checks, on the plan after a failed create, that every object
// the emulator reported (acctest.ServiceLeftovers descriptions) is recorded
// in the prior state's resources map: nothing the failed apply created is
// orphaned.
func expectRecorded(addr string, leftovers *[]string) plancheck.PlanCheck {
	return recordedCheck{addr: addr, leftovers: leftovers}
}

type recordedCheck struct {
	addr      string
	leftovers *[]string
}

func (c recordedCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var ids []string // every name and arn recorded in the prior state
	if req.Plan.PriorState != nil && req.Plan.PriorState.Values != nil {
		for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
			if r.Address != c.addr {
				continue
			}
			m, _ := r.AttributeValues["resources"].(map[string]any)
			for _, v := range m {
				e, _ := v.(map[string]any)
				for _, f := range []string{"name", "arn"} {
					if s, _ := e[f].(string); s != "" {
						ids = append(ids, s)
					}
				}
			}
		}
	}
	var orphans []string
	for _, l := range *c.leftovers {
		id := leftoverID(l)
		found := false
		for _, r := range ids {
			if r == id || strings.HasSuffix(r, "/"+id) {
				found = true
				break
			}
		}
		if !found {
			orphans = append(orphans, l)
		}
	}
	if len(orphans) > 0 {
		resp.Error = fmt.Errorf("the failed apply left objects not recorded in state (orphans): %s; recorded: %v",
			strings.Join(orphans, "; "), ids)
	}
}

// leftoverID extracts the name, id or ARN from a ServiceLeftovers
// description ("IAM role NAME", "ECS service NAME (ACTIVE)", "ELBv2 ARN").
func leftoverID(desc string) string {
	if i := strings.Index(desc, " ("); i >= 0 {
		desc = desc[:i]
	}
	fields := strings.Fields(desc)
	if len(fields) == 0 {
		return desc
	}
	return fields[len(fields)-1]
}
