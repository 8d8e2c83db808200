package composite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// A service's capacity.
//
// capacity_provider_strategy set: CreateService sends it instead of a launch
// type, and a change is an UpdateService with the new strategy and a forced
// new deployment (ECS applies a strategy only to new tasks; the AWS
// provider likewise requires force_new_deployment for it). ECS updates a
// service between launch type and capacity providers in place (UpdateService
// capacityProviderStrategy: "You can change capacity providers for rolling
// deployments and blue/green deployments").
//
// Unset: the service runs on its cluster's default strategy (CreateService
// with neither; FARGATE when the cluster has no default strategy, because
// ECS would otherwise pick the EC2 launch type), and what it runs on is not
// compared: the service's strategy is the one ECS copied from the cluster
// at create. Removing a strategy the service had moves it to the cluster's
// current default strategy (sent explicitly: ECS cannot put a service back
// on "the cluster default" in place).

// Fargate capacity providers (every cluster can associate them).
var fargateCapacityProviders = []string{CapacityFargate, CapacityFargateSp}

// legacyLaunchType is the launch type every service was expanded with before
// capacity_provider_strategy: a service without a strategy hashes as if it
// still had it, so that upgrading the provider plans no update of services
// that run as before (the handler sends no launch type for them).
const legacyLaunchType = "FARGATE"

// capacityStrategy validates a capacity provider strategy at path (a list
// of entries, defaults applied). known tells whether a provider name may
// be used and, when not, why.
func (v *validator) capacityStrategy(path []PathStep, items []CapacityProviderStrategySpec, known func(string) (bool, string)) {
	if len(items) > maxStrategyItems {
		v.add(path, "Too many strategy entries", "a capacity provider strategy holds at most %d providers, got %d", maxStrategyItems, len(items))
	}
	seen := map[string]bool{}
	withBase, weighted := 0, false
	for i, st := range items {
		p := at(path, IndexStep(i))
		cp := at(p, AttrStep("capacity_provider"))
		if st.CapacityProvider == "" {
			v.add(cp, "Missing capacity_provider", "capacity_provider is required")
		} else if ok, why := known(st.CapacityProvider); !ok {
			v.add(cp, "Unknown capacity provider", "%s", why)
		} else if seen[st.CapacityProvider] {
			v.add(cp, "Duplicate capacity provider", "%q appears twice in the strategy", st.CapacityProvider)
		}
		seen[st.CapacityProvider] = true
		v.intRange(at(p, AttrStep("weight")), st.Weight, 0, maxStrategyWeight, "Invalid weight")
		v.intRange(at(p, AttrStep("base")), st.Base, 0, maxStrategyBase, "Invalid base")
		if st.Base != nil && *st.Base > 0 {
			withBase++
			if withBase == 2 {
				v.add(at(p, AttrStep("base")), "Several bases", "only one provider of a strategy may have a base greater than 0")
			}
		}
		if st.Weight != nil && *st.Weight > 0 {
			weighted = true
		}
	}
	if len(items) > 0 && !weighted {
		v.add(path, "No weighted provider", "at least one provider of the strategy needs a weight greater than 0")
	}
}

// serviceCapacity validates capacity_provider_strategy of a service: Fargate
// providers only (the task definition is Fargate-compatible).
func (v *validator) serviceCapacity(s *ServiceSpec) {
	if s.CapacityProviderStrategy == nil {
		return
	}
	path := AttrPath("capacity_provider_strategy")
	if len(s.CapacityProviderStrategy) == 0 {
		v.add(path, "Empty capacity_provider_strategy", "list at least one capacity provider, or leave capacity_provider_strategy unset to use the cluster's default strategy")
		return
	}
	v.capacityStrategy(path, s.CapacityProviderStrategy, func(name string) (bool, string) {
		if contains(fargateCapacityProviders, name) {
			return true, ""
		}
		return false, fmt.Sprintf("%q is not a Fargate capacity provider: the service's task definition runs on Fargate, so its strategy may use FARGATE and FARGATE_SPOT", name)
	})
}

// capacityItems converts a strategy spec (defaults applied) to props,
// sorted by provider name.
func capacityItems(items []CapacityProviderStrategySpec) []CapacityProviderStrategyItem {
	if len(items) == 0 {
		return nil
	}
	out := make([]CapacityProviderStrategyItem, 0, len(items))
	for _, it := range items {
		out = append(out, CapacityProviderStrategyItem{CapacityProvider: it.CapacityProvider, Weight: int32(*it.Weight), Base: int32(*it.Base)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CapacityProvider < out[j].CapacityProvider })
	return out
}

// SameCapacityStrategy reports whether two strategies hold the same
// providers with the same weights and bases, in any order.
func SameCapacityStrategy(a, b []CapacityProviderStrategyItem) bool {
	return driftStrategyKey(a) == driftStrategyKey(b)
}

// redeployToken is the digest of deployment.redeploy_triggers ("" for none).
func redeployToken(triggers map[string]string) string {
	if len(triggers) == 0 {
		return ""
	}
	keys := make([]string, 0, len(triggers))
	for k := range triggers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s=%d:%s;", len(k), k, len(triggers[k]), triggers[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// deploymentAlarms validates deployment.alarms.
func (v *validator) deploymentAlarms(a *DeploymentAlarmsSpec) {
	path := AttrPath("deployment", "alarms", "names")
	if len(a.Names) == 0 {
		v.add(path, "No alarm names", "list at least one CloudWatch alarm name, or leave deployment.alarms unset")
	}
	seen := map[string]bool{}
	for i, n := range a.Names {
		p := at(path, IndexStep(i))
		switch {
		case strings.TrimSpace(n) == "" || len(n) > 255:
			v.add(p, "Invalid alarm name", "a CloudWatch alarm name is 1 to 255 characters, got %q", n)
		case strings.Contains(n, ","):
			// ECS: "One or more CloudWatch alarm names. Use a "," to
			// separate the alarms." A name with a comma would be split.
			v.add(p, "Invalid alarm name", "%q contains a comma, which ECS reads as a separator of alarm names", n)
		case seen[n]:
			v.add(p, "Duplicate alarm name", "%q is listed twice", n)
		}
		seen[n] = true
	}
}
