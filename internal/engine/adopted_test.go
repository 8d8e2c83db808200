package engine

import (
	"context"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// adoptingTaskDefinitions is a task definition handler whose Create adopts
// the revision already registered (as the real one does when only the tags
// changed: the spec equals the recorded revision's).
type adoptingTaskDefinitions struct{ deleted []string }

func (h *adoptingTaskDefinitions) Create(context.Context, composite.Child) (map[string]string, error) {
	return map[string]string{composite.AttrARN: "td:1"}, nil
}
func (h *adoptingTaskDefinitions) Observe(context.Context, composite.Recorded, bool) (composite.Observed, bool, error) {
	return composite.Observed{}, true, nil
}
func (h *adoptingTaskDefinitions) Update(context.Context, composite.Child, composite.Recorded) (map[string]string, error) {
	return nil, nil
}
func (h *adoptingTaskDefinitions) Delete(_ context.Context, rec composite.Recorded) error {
	h.deleted = append(h.deleted, rec.ARN)
	return nil
}

// A replacement whose Create adopted the very object the old record names
// does not delete it at the end of the apply.
func TestApply_replacementAdoptsRecordedObject(t *testing.T) {
	h := &adoptingTaskDefinitions{}
	reg := Registry{composite.KindTaskDefinition: h}
	g := composite.Graph{Children: []composite.Child{{Key: "task_definition", Kind: composite.KindTaskDefinition, Name: "fam",
		Props: &composite.TaskDefinitionProps{Family: "fam"}, Hash: "new", ReplaceHash: "new"}}}
	recorded := map[string]composite.Recorded{"task_definition": {Key: "task_definition", Kind: composite.KindTaskDefinition, Name: "fam",
		ARN: "td:1", Outputs: map[string]string{composite.AttrARN: "td:1"}, Hash: "old", ReplaceHash: "old"}}
	actions := composite.Diff(g, recorded)
	if actions[0].Op != composite.OpReplace {
		t.Fatalf("want a replacement, got %s", actions[0].Op)
	}
	out, err := Apply(context.Background(), reg, g, recorded, actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.deleted) != 0 {
		t.Errorf("deleted %v: the child's own object", h.deleted)
	}
	if len(out) != 1 || out["task_definition"].ARN != "td:1" || out["task_definition"].Hash != "new" {
		t.Errorf("records %+v", out)
	}
	// A real replacement still deletes the old object.
	h.deleted = nil
	recorded["task_definition"] = composite.Recorded{Key: "task_definition", Kind: composite.KindTaskDefinition, Name: "fam",
		ARN: "td:0", Outputs: map[string]string{composite.AttrARN: "td:0"}, Hash: "old", ReplaceHash: "old"}
	if _, err := Apply(context.Background(), reg, g, recorded, composite.Diff(g, recorded), Options{}); err != nil {
		t.Fatal(err)
	}
	if len(h.deleted) != 1 || h.deleted[0] != "td:0" {
		t.Errorf("deleted %v, want td:0", h.deleted)
	}
}
