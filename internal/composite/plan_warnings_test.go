package composite

import (
	"strings"
	"testing"
)

func TestServicePlanWarnings_imageBootstrap(t *testing.T) {
	zero, two := int64(0), int64(2)
	spec := ServiceSpec{Name: "api", Cluster: "shop", DesiredCount: &two, Repository: &RepositorySpec{},
		Containers: map[string]ContainerSpec{"api": {ImageTag: "v1"}, "sidecar": {Image: "public.ecr.aws/x/y:1"}}}
	create := []Action{{Key: KeyRepository, Kind: KindECRRepository, Op: OpCreate}}
	w := ServicePlanWarnings(spec, create)
	if len(w) != 1 || !strings.Contains(w[0].Summary, `"api"`) || !strings.Contains(w[0].Detail, `api (image_tag "v1")`) ||
		strings.Contains(w[0].Detail, "sidecar") || !strings.Contains(w[0].Detail, RepositoryName("shop", "api")) {
		t.Fatalf("warnings = %+v", w)
	}
	if w := ServicePlanWarnings(spec, []Action{{Key: KeyRepository, Op: OpReplace}}); len(w) != 1 {
		t.Fatalf("replace: %+v", w)
	}
	// The repository exists (no action on it, or an update): no warning.
	for _, actions := range [][]Action{nil, {{Key: KeyRepository, Op: OpUpdate}}, {{Key: "service", Op: OpCreate}}} {
		if w := ServicePlanWarnings(spec, actions); len(w) != 0 {
			t.Fatalf("actions %+v: %+v", actions, w)
		}
	}
	// Desired count 0, or no container on the own repository: nothing to warn of.
	s0 := spec
	s0.DesiredCount = &zero
	if w := ServicePlanWarnings(s0, create); len(w) != 0 {
		t.Fatalf("desired 0: %+v", w)
	}
	s1 := spec
	s1.Containers = map[string]ContainerSpec{"web": {Image: "public.ecr.aws/x/y:1"}}
	if w := ServicePlanWarnings(s1, create); len(w) != 0 {
		t.Fatalf("no image_tag: %+v", w)
	}
}
