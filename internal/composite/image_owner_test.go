package composite

import (
	"strings"
	"testing"
)

func externalSpec() ServiceSpec {
	s := goldenFullSpec()
	s.Deployment = &DeploymentSpec{ImageOwner: ImageOwnerExternal}
	return s
}

const (
	tdARN1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/platform_web:1"
	tdARN2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/platform_web:2"
)

func TestExpandService_imageOwner(t *testing.T) {
	if errs := Validate(externalSpec()); len(errs) > 0 {
		t.Fatalf("external is valid: %v", errs)
	}
	bad := goldenFullSpec()
	bad.Deployment = &DeploymentSpec{ImageOwner: "ci"}
	if errs := Validate(bad); len(errs) != 1 || PathString(errs[0].Path) != "deployment.image_owner" {
		t.Errorf("image_owner \"ci\": %v", errs)
	}

	td := expChild(t, mustExpand(t, externalSpec()), KeyTaskDefinition)
	if !td.Props.(*TaskDefinitionProps).ExternalImages {
		t.Fatal("external: the task definition's images are a pipeline's")
	}
	// A new image in the configuration is no change; anything else is.
	s := externalSpec()
	c := s.Containers["web"]
	c.ImageTag = "v4"
	s.Containers["web"] = c
	if other := expChild(t, mustExpand(t, s), KeyTaskDefinition); other.Hash != td.Hash || other.ReplaceHash != td.ReplaceHash {
		t.Error("under external a new image changes the task definition's hash")
	}
	s = externalSpec()
	c = s.Containers["web"]
	c.Environment = map[string]string{"LOG_LEVEL": "debug"}
	s.Containers["web"] = c
	if other := expChild(t, mustExpand(t, s), KeyTaskDefinition); other.Hash == td.Hash {
		t.Error("under external a new environment leaves the hash")
	}
	// Under terraform the image counts.
	plain := expChild(t, mustExpand(t, goldenFullSpec()), KeyTaskDefinition)
	s = goldenFullSpec()
	c = s.Containers["web"]
	c.ImageTag = "v4"
	s.Containers["web"] = c
	if other := expChild(t, mustExpand(t, s), KeyTaskDefinition); other.Hash == plain.Hash {
		t.Error("under terraform a new image leaves the hash")
	}
}

func TestDrift_externalImages(t *testing.T) {
	desired := *expChild(t, mustExpand(t, externalSpec()), KeyTaskDefinition).Props.(*TaskDefinitionProps)
	var rec Recorded
	RecordFacts(KindTaskDefinition, &desired, &rec)
	if !rec.ExternalImages {
		t.Fatal("the record says the images are a pipeline's")
	}
	want, _ := Fingerprint(KindTaskDefinition, &desired)
	live := *withoutImages(&desired)
	live.ExternalImages, live.Tags = false, nil // as Observe maps a pipeline's revision
	for i := range live.Containers {
		live.Containers[i].Image = "pipeline/web:sha-abc"
	}
	if got, _ := Fingerprint(KindTaskDefinition, ObservedView(KindTaskDefinition, &live, rec)); got != want {
		t.Error("a pipeline's image (and its untagged revision) is drift under external")
	}
	live.Containers[0].Environment = []KeyValue{{Name: "X", Value: "1"}}
	if got, _ := Fingerprint(KindTaskDefinition, ObservedView(KindTaskDefinition, &live, rec)); got == want {
		t.Error("another change of a pipeline's revision is not drift")
	}
	// Under terraform the image is drift.
	plain := *expChild(t, mustExpand(t, goldenFullSpec()), KeyTaskDefinition).Props.(*TaskDefinitionProps)
	var prec Recorded
	RecordFacts(KindTaskDefinition, &plain, &prec)
	pwant, _ := Fingerprint(KindTaskDefinition, &plain)
	moved := plain
	moved.Containers = append([]ContainerDef(nil), plain.Containers...)
	moved.Containers[0].Image = "other:1"
	if got, _ := Fingerprint(KindTaskDefinition, ObservedView(KindTaskDefinition, &moved, prec)); got == pwant {
		t.Error("under terraform another image is not drift")
	}
}

func TestExternalRevision(t *testing.T) {
	recs := func(external bool, live string) map[string]Recorded {
		return map[string]Recorded{
			KeyTaskDefinition: {Key: KeyTaskDefinition, Kind: KindTaskDefinition, ARN: tdARN1, Hash: "h", ExternalImages: external,
				Outputs: map[string]string{AttrARN: tdARN1}},
			KeyService: {Key: KeyService, Kind: KindECSService, ARN: "svc", ObservedProps: &ServiceProps{TaskDefinition: live},
				Outputs: map[string]string{AttrRetainedTaskDefinitions: "arn:aws:ecs:us-east-1:123456789012:task-definition/platform_web:0"}},
		}
	}
	if _, ok := ExternalRevision(recs(false, tdARN2)); ok {
		t.Error("under terraform nothing is adopted")
	}
	if _, ok := ExternalRevision(recs(true, tdARN1)); ok {
		t.Error("the service runs the recorded revision: nothing to adopt")
	}
	if _, ok := ExternalRevision(recs(true, "arn:aws:ecs:us-east-1:123456789012:task-definition/other:7")); ok {
		t.Error("a revision of another family is not adopted")
	}
	r := recs(true, tdARN2)
	moved, ok := ExternalRevision(r)
	if !ok || moved.ARN != tdARN2 || moved.Outputs != nil || moved.Hash != "h" {
		t.Fatalf("moved %+v %v", moved, ok)
	}
	moved.Outputs = map[string]string{AttrARN: tdARN2}
	out := AdoptRevision(r, moved)
	if out[KeyTaskDefinition].ARN != tdARN2 || len(out[KeyTaskDefinition].Notes) != 1 ||
		!strings.Contains(out[KeyTaskDefinition].Notes[0].Text, "revision platform_web:2 was registered outside Terraform") {
		t.Errorf("adopted %+v", out[KeyTaskDefinition])
	}
	if got := out[KeyService].Outputs[AttrRetainedTaskDefinitions]; got != "arn:aws:ecs:us-east-1:123456789012:task-definition/platform_web:0,"+tdARN1 {
		t.Errorf("the previous revision is retained by the service: %q", got)
	}
	if r[KeyTaskDefinition].ARN != tdARN1 || r[KeyService].Outputs[AttrRetainedTaskDefinitions] == out[KeyService].Outputs[AttrRetainedTaskDefinitions] {
		t.Error("AdoptRevision modified its argument")
	}
}

func TestFollowImages(t *testing.T) {
	g := mustExpand(t, externalSpec())
	rec := map[string]Recorded{KeyTaskDefinition: {Outputs: map[string]string{
		AttrContainerImages: EncodeContainerImages(map[string]string{"web": "pipeline/web:42", "gone": "x:1"})}}}
	followed := FollowImages(g, rec)
	for _, c := range expChild(t, followed, KeyTaskDefinition).Props.(*TaskDefinitionProps).Containers {
		if c.Name == "web" && c.Image != "pipeline/web:42" {
			t.Errorf("web runs %q, want the pipeline's image", c.Image)
		}
		if c.Name != "web" && strings.HasPrefix(c.Image, "pipeline/") {
			t.Errorf("%s took another container's image", c.Name)
		}
	}
	if expChild(t, g, KeyTaskDefinition).Props.(*TaskDefinitionProps).Containers[0].Image == "pipeline/web:42" {
		t.Error("FollowImages modified its argument")
	}
	// Under terraform the configuration's images stay.
	plain := mustExpand(t, goldenFullSpec())
	for _, c := range expChild(t, FollowImages(plain, rec), KeyTaskDefinition).Props.(*TaskDefinitionProps).Containers {
		if c.Image == "pipeline/web:42" {
			t.Error("under terraform a recorded image replaced the configured one")
		}
	}
}

func TestReconcileNotes(t *testing.T) {
	g := mustExpand(t, goldenFullSpec()) // desired_count 2
	base := func(live ServiceProps, drifted ...string) map[string]Recorded {
		return map[string]Recorded{
			KeyTaskDefinition: {Key: KeyTaskDefinition, ARN: tdARN1},
			KeyService:        {Key: KeyService, ObservedProps: &live, DriftedFields: drifted},
		}
	}
	notes := func(recs map[string]Recorded, actions ...Action) []string {
		return PlanNotes(ReconcileNotes(g, recs), actions)
	}
	update := Action{Key: KeyService, Op: OpUpdate}
	if n := notes(base(ServiceProps{TaskDefinition: tdARN1, DesiredCount: 2}), update); len(n) != 0 {
		t.Errorf("in sync: %q", n)
	}
	n := notes(base(ServiceProps{TaskDefinition: tdARN2, DesiredCount: 5}, "desired_count", "task_definition"), update)
	if len(n) != 2 || !strings.Contains(n[0], "runs task definition revision platform_web:2, registered outside Terraform: this apply puts back revision platform_web:1") ||
		!strings.Contains(n[1], "set to 5 outside Terraform: this apply sets it back to 2") {
		t.Errorf("terraform-owned drift: %q", n)
	}
	if n := notes(base(ServiceProps{TaskDefinition: tdARN2, DesiredCount: 5}, "desired_count")); len(n) != 0 {
		t.Errorf("notes about what the apply does need a plan that changes the service: %q", n)
	}
	// Autoscaled 2-10: kept inside the range, clamped outside it.
	ag := mustExpand(t, goldenAutoscaledSpec())
	for live, want := range map[int32]string{
		7:  "the desired count 7 is the scaler's and is kept",
		1:  "below autoscaling.min_count: this apply raises it to 2",
		12: "above autoscaling.max_count: this apply lowers it to 10",
	} {
		recs := ReconcileNotes(ag, base(ServiceProps{TaskDefinition: tdARN1, DesiredCount: live}))
		if n := PlanNotes(recs, []Action{update}); len(n) != 1 || !strings.Contains(n[0], want) {
			t.Errorf("autoscaled, live %d: %q, want %q", live, n, want)
		}
	}
	// An adoption's note stands on its own, and ClearNotes drops it.
	recs := map[string]Recorded{KeyTaskDefinition: {Notes: []Note{{Text: "adopted"}}}}
	if n := PlanNotes(recs, nil); len(n) != 1 || n[0] != "adopted" {
		t.Errorf("adoption note on an empty plan: %q", n)
	}
	if n := PlanNotes(ClearNotes(recs), nil); len(n) != 0 {
		t.Errorf("after ClearNotes: %q", n)
	}
}
