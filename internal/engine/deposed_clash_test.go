package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// ruleHandler models listener rules: one priority per listener.
type ruleHandler struct {
	mu    sync.Mutex
	taken map[string]string // priority -> arn
	calls []string
}

func (h *ruleHandler) Create(_ context.Context, c composite.Child) (map[string]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := c.Props.(*composite.ListenerRuleProps)
	prio := composite.HashJSON(p.Priority)
	h.calls = append(h.calls, "create")
	if _, ok := h.taken[prio]; ok {
		return nil, errPriorityInUse
	}
	arn := "arn:rule:" + c.Name
	h.taken[prio] = arn
	return map[string]string{composite.AttrARN: arn, composite.AttrPriority: "200"}, nil
}
func (h *ruleHandler) Observe(context.Context, composite.Recorded, bool) (composite.Observed, bool, error) {
	return composite.Observed{}, true, nil
}
func (h *ruleHandler) Update(context.Context, composite.Child, composite.Recorded) (map[string]string, error) {
	return nil, nil
}
func (h *ruleHandler) Delete(_ context.Context, rec composite.Recorded) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "delete")
	for k, v := range h.taken {
		if v == rec.ARN {
			delete(h.taken, k)
		}
	}
	return nil
}

type priorityInUse struct{}

func (priorityInUse) Error() string { return "PriorityInUse" }

var errPriorityInUse = priorityInUse{}

// A replacement interrupted after its old rule was deposed: the next apply
// must delete the deposed rule (same listener, same explicit priority)
// before creating the new one, not after.
func TestApply_deletesClashingDeposedFirst(t *testing.T) {
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/1/2"
	props := &composite.ListenerRuleProps{ListenerARN: listener, Priority: 200, TargetGroupARN: "arn:tg"}
	g := composite.Graph{Children: []composite.Child{{Key: "listener_rule", Kind: composite.KindListenerRule, Name: "web-rule-1", Props: props, Hash: "h", ReplaceHash: "r"}}}
	h := &ruleHandler{taken: map[string]string{composite.HashJSON(int32(200)): "arn:rule:old"}}
	recorded := map[string]composite.Recorded{
		"listener_rule#deposed": {Key: "listener_rule#deposed", Kind: composite.KindListenerRule, Name: "", ARN: "arn:rule:old",
			Outputs: map[string]string{composite.AttrARN: "arn:rule:old", composite.AttrPriority: "200"}, NameScope: listener},
	}
	out, err := Apply(context.Background(), Registry{composite.KindListenerRule: h}, g, recorded, composite.Diff(g, recorded), Options{})
	if err != nil {
		t.Fatalf("apply: %v (calls %v)", err, h.calls)
	}
	if len(h.calls) != 2 || h.calls[0] != "delete" || h.calls[1] != "create" {
		t.Fatalf("calls = %v, want [delete create]", h.calls)
	}
	if _, ok := out["listener_rule#deposed"]; ok || out["listener_rule"].ARN != "arn:rule:web-rule-1" {
		t.Fatalf("recorded = %v", out)
	}
}
