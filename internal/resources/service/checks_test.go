package service_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// expectMapKeys asserts that the planned value of a map attribute has exactly
// the given keys.
func expectMapKeys(addr, attr string, keys []string) plancheck.PlanCheck {
	return mapKeysCheck{addr: addr, attr: attr, keys: keys}
}

type mapKeysCheck struct {
	addr, attr string
	keys       []string
}

func (c mapKeysCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		after, _ := rc.Change.After.(map[string]any)
		m, _ := after[c.attr].(map[string]any)
		got := make([]string, 0, len(m))
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		want := append([]string(nil), c.keys...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			resp.Error = fmt.Errorf("%s.%s keys = %v, want %v", c.addr, c.attr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", c.addr)
}

var _ = tfjson.Plan{}
