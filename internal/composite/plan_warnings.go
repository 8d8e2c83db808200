package composite

import (
	"fmt"
	"sort"
	"strings"
)

// PlanWarning is advice a plan shows without failing it.
type PlanWarning struct {
	Summary string
	Detail  string
}

// ServicePlanWarnings returns the warnings of a service's plan (pure, no AWS
// call):
//   - the image bootstrap: containers run image_tag from the service's own
//     repository and the plan creates (or replaces) that repository, so it
//     will be empty and no task could pull the image. The apply creates the
//     ECS service at desired count 0 and warns again; the next apply after a
//     push scales it up.
func ServicePlanWarnings(s ServiceSpec, actions []Action) []PlanWarning {
	var out []PlanWarning
	if s.DesiredCount != nil && *s.DesiredCount == 0 {
		return nil
	}
	newRepo := false
	for _, a := range actions {
		if a.Key == KeyRepository && (a.Op == OpCreate || a.Op == OpReplace) {
			newRepo = true
		}
	}
	if !newRepo {
		return nil
	}
	var tagged []string
	for name, c := range s.Containers {
		if c.ImageTag != "" {
			tagged = append(tagged, fmt.Sprintf("%s (image_tag %q)", name, c.ImageTag))
		}
	}
	if len(tagged) == 0 {
		return nil
	}
	sort.Strings(tagged)
	out = append(out, PlanWarning{
		Summary: fmt.Sprintf("ECS service %q will start at desired count 0 until its image is pushed", s.Name),
		Detail: fmt.Sprintf("This plan creates the ECR repository %s, and containers %s run images from it, which nobody "+
			"could have pushed yet. The apply creates the ECS service at desired count 0 without waiting for a steady "+
			"state, so that tasks that cannot pull their image do not fail the deployment. Push the image to the "+
			"repository_url output, then run terraform apply again: it scales the service up.",
			RepositoryName(s.Cluster, s.Name), strings.Join(tagged, ", ")),
	})
	return out
}
