package composite

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Deployments owned by a pipeline (deployment.image_owner).
//
// "terraform" (the default): the configuration's images are the ones that
// run; a revision a pipeline registered and deployed is drift of the ECS
// service, and the next apply puts the configuration's revision back (the
// plan says so: PlanNotes).
//
// "external": the configuration's images are the initial ones only. The
// task definition child's hash and drift view leave out the images (and the
// tags, which a pipeline rendering its revision from DescribeTaskDefinition
// drops). A Read that finds the ECS service running another revision of
// the child's family adopts it (ExternalRevision, AdoptRevision): the child
// is that revision from then on, the plan stays empty when only images
// differ, and the revision Terraform registered before is handed to the
// service's retained revisions, which the service deletes once no
// deployment uses it. When the configuration changes anything else, the
// handler registers a new revision that keeps the images of the one it
// follows (KeepImages), so an apply never reverts a pipeline's deploy.
const (
	ImageOwnerTerraform = "terraform"
	ImageOwnerExternal  = "external"
)

// AttrRetainedTaskDefinitions is the ECS service's output listing the
// previous task definition revisions it keeps until no deployment uses
// them (comma-separated ARNs).
const AttrRetainedTaskDefinitions = "retained_task_definitions"

// withoutImages returns a copy of p whose containers have no image.
func withoutImages(p *TaskDefinitionProps) *TaskDefinitionProps {
	cp := *p
	cp.Containers = make([]ContainerDef, len(p.Containers))
	for i, c := range p.Containers {
		c.Image = ""
		cp.Containers[i] = c
	}
	return &cp
}

// KeepImages returns a copy of p whose containers run the images of the
// containers of the same name in live (the revision the service follows);
// a container live does not have keeps p's image (its initial one).
func KeepImages(p, live *TaskDefinitionProps) *TaskDefinitionProps {
	images := map[string]string{}
	for _, c := range live.Containers {
		images[c.Name] = c.Image
	}
	cp := *p
	cp.Containers = make([]ContainerDef, len(p.Containers))
	for i, c := range p.Containers {
		if img, ok := images[c.Name]; ok && img != "" {
			c.Image = img
		}
		cp.Containers[i] = c
	}
	return &cp
}

// TaskDefinitionFamily returns the family of a task definition ARN or
// "family:revision" ("" when it has none).
func TaskDefinitionFamily(arn string) string {
	s := arn
	if i := strings.Index(s, ":task-definition/"); i >= 0 {
		s = s[i+len(":task-definition/"):]
	}
	if i := strings.LastIndex(s, ":"); i > 0 {
		return s[:i]
	}
	return ""
}

// liveTaskDefinition is the revision the refreshed ECS service runs ("" when
// the refresh did not observe it).
func liveTaskDefinition(recs map[string]Recorded) string {
	if svc, ok := recs[KeyService]; ok {
		if sp, ok := svc.ObservedProps.(*ServiceProps); ok && sp != nil {
			return sp.TaskDefinition
		}
	}
	return ""
}

// ExternalRevision reports the revision to adopt after a refresh: the task
// definition child's images are a pipeline's (ExternalImages) and the ECS
// service runs another revision of the same family. The record returned is
// the child's, pointed at that revision, to be observed there and given to
// AdoptRevision.
func ExternalRevision(recs map[string]Recorded) (Recorded, bool) {
	td, ok := recs[KeyTaskDefinition]
	if !ok || !td.ExternalImages {
		return Recorded{}, false
	}
	live := liveTaskDefinition(recs)
	if live == "" || live == td.ARN || TaskDefinitionFamily(live) == "" || TaskDefinitionFamily(live) != TaskDefinitionFamily(td.ARN) {
		return Recorded{}, false
	}
	moved := td
	moved.ARN, moved.Outputs, moved.Observed, moved.ObservedProps = live, nil, "", nil
	return moved, true
}

// AdoptRevision returns recs with the task definition child replaced by
// adopted (the revision ExternalRevision named, as a refresh observed it)
// and the revision the child was before added to the ECS service's
// retained revisions, which the service deletes once no deployment uses it.
// The child's note says what happened.
func AdoptRevision(recs map[string]Recorded, adopted Recorded) map[string]Recorded {
	out := make(map[string]Recorded, len(recs))
	for k, r := range recs {
		out[k] = r
	}
	prev := recs[KeyTaskDefinition]
	adopted.Notes = append(append([]Note(nil), prev.Notes...), Note{Text: fmt.Sprintf(
		"task definition revision %s was registered outside Terraform (deployment.image_owner = %q): it is adopted and its images are kept",
		driftLastSegment(adopted.ARN), ImageOwnerExternal)})
	out[KeyTaskDefinition] = adopted
	if svc, ok := out[KeyService]; ok && prev.ARN != "" {
		outputs := make(map[string]string, len(svc.Outputs)+1)
		for k, v := range svc.Outputs {
			outputs[k] = v
		}
		var kept []string
		for _, a := range strings.Split(outputs[AttrRetainedTaskDefinitions], ",") {
			if a = strings.TrimSpace(a); a != "" && a != prev.ARN && a != adopted.ARN {
				kept = append(kept, a)
			}
		}
		outputs[AttrRetainedTaskDefinitions] = strings.Join(append(kept, prev.ARN), ",")
		svc.Outputs = outputs
		out[KeyService] = svc
	}
	return out
}

// AttrContainerImages is the task definition output holding the image of
// each container of the revision (EncodeContainerImages): what a revision
// registered under image_owner "external" keeps (FollowImages).
const AttrContainerImages = "container_images"

// EncodeContainerImages renders container name -> image as the
// AttrContainerImages output (JSON, keys sorted).
func EncodeContainerImages(images map[string]string) string {
	b, err := json.Marshal(images) // map keys are sorted
	if err != nil {
		return ""
	}
	return string(b)
}

// FollowImages returns g with the containers of a task definition whose
// images are a pipeline's (ExternalImages) running the images of the
// revision recorded for it (its AttrContainerImages output), so that the
// revision an apply registers keeps the pipeline's deploy. A container the
// recorded revision does not have keeps its configured (initial) image.
// Hashes are unchanged (they leave the images out); g is not modified.
func FollowImages(g Graph, recorded map[string]Recorded) Graph {
	out := g
	out.Children = append([]Child(nil), g.Children...)
	for i, c := range out.Children {
		p, ok := c.Props.(*TaskDefinitionProps)
		if !ok || p == nil || !p.ExternalImages || c.Kind != KindTaskDefinition {
			continue
		}
		rec, ok := recorded[c.Key]
		if !ok {
			continue
		}
		var images map[string]string
		if err := json.Unmarshal([]byte(rec.Outputs[AttrContainerImages]), &images); err != nil || len(images) == 0 {
			continue
		}
		live := &TaskDefinitionProps{}
		for name, img := range images {
			live.Containers = append(live.Containers, ContainerDef{Name: name, Image: img})
		}
		out.Children[i].Props = KeepImages(p, live)
	}
	return out
}
