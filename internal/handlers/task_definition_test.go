package handlers

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestAccTaskDefinitionHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	role := a.newTaskRole()
	h := NewTaskDefinitionHandler(a.ecs)

	family := acctest.RandomName("td")
	tags := ownerTags("c/"+family, "task_definition", nil)
	child := composite.Child{
		Key: "task_definition", Kind: composite.KindTaskDefinition, Name: family,
		Props: testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.27", tags),
	}

	// Create: one call, tags included.
	a.ops.reset()
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "RegisterTaskDefinition")
	if out[composite.AttrName] != family || out[AttrFamily] != family || out[composite.AttrRevision] != "1" || out[composite.AttrARN] == "" {
		t.Fatalf("Create outputs = %v", out)
	}
	rec := recorded(child, out)

	// What ECS holds is what was asked for.
	desc, err := a.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(out[composite.AttrARN]),
		Include:        []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	})
	if err != nil {
		t.Fatalf("DescribeTaskDefinition: %v", err)
	}
	td := desc.TaskDefinition
	cd := td.ContainerDefinitions[0]
	if td.NetworkMode != ecstypes.NetworkModeAwsvpc || aws.ToString(td.Cpu) != "256" || aws.ToString(td.Memory) != "512" ||
		len(td.RequiresCompatibilities) != 1 || td.RequiresCompatibilities[0] != ecstypes.CompatibilityFargate ||
		td.RuntimePlatform == nil || td.RuntimePlatform.OperatingSystemFamily != ecstypes.OSFamilyLinux ||
		aws.ToString(td.ExecutionRoleArn) != role {
		t.Errorf("task definition = %+v", td)
	}
	if len(cd.PortMappings) != 1 || aws.ToInt32(cd.PortMappings[0].ContainerPort) != 8080 || cd.PortMappings[0].Protocol != ecstypes.TransportProtocolTcp ||
		cd.LogConfiguration == nil || cd.LogConfiguration.LogDriver != ecstypes.LogDriverAwslogs ||
		cd.LogConfiguration.Options[awslogsGroup] != "/containerapp/"+family || cd.LogConfiguration.Options[awslogsStreamPrefix] != "web" ||
		len(cd.Secrets) != 1 || aws.ToString(cd.Secrets[0].ValueFrom) == "" ||
		!aws.ToBool(cd.ReadonlyRootFilesystem) || !aws.ToBool(cd.Essential) ||
		len(cd.Environment) != 2 || aws.ToString(cd.Environment[0].Name) != "A_VAR" {
		t.Errorf("container definition = %+v", cd)
	}
	if !sameTags(ecsTagMap(desc.Tags), tags) {
		t.Errorf("tags = %v, want %v", ecsTagMap(desc.Tags), tags)
	}
	if !reflect.DeepEqual(specFromTaskDefinition(td), specFromProps(child.Props.(*composite.TaskDefinitionProps))) {
		t.Errorf("normalized specs differ:\n%+v\n%+v", specFromTaskDefinition(td), specFromProps(child.Props.(*composite.TaskDefinitionProps)))
	}

	// Observe: one call, the props are the registered ones.
	a.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found || obs.Outputs[composite.AttrARN] != out[composite.AttrARN] || obs.Outputs[AttrFamily] != family {
		t.Fatalf("Observe = %v, %v, %v", obs, found, err)
	}
	a.expectCalls("Observe", "DescribeTaskDefinition")
	expectObservedProps(t, "Observe", child.Kind, child.Props, obs.Props)

	// Find by ARN (what the ECS service runs): the same, in one call.
	q := composite.Lookup{Key: child.Key, Kind: child.Kind, Owner: "c/" + family, ID: out[composite.AttrARN], OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeTaskDefinition")
	if frec.Key != child.Key || frec.Kind != child.Kind || frec.Name != family || frec.ARN != out[composite.AttrARN] ||
		frec.Outputs[composite.AttrRevision] != "1" || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", child.Kind, child.Props, fobs.Props)
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: child.Key, ID: family + ":1"}); err != nil || !found || frec.ARN != out[composite.AttrARN] {
		t.Errorf("Find by family:revision = %+v, %v, %v", frec, found, err)
	}
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) {
		t.Errorf("Find (owned only) of another owner's revision: err = %v", err)
	}
	a.ops.reset()

	// Update of tags only: no new revision.
	tags2 := ownerTags("c/"+family, "task_definition", map[string]string{"team": "payments"})
	child2 := child
	child2.Props = testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.27", tags2)
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update tags: %v", err)
	}
	a.expectCalls("Update tags", "DescribeTaskDefinition", "TagResource")
	if obs, _, err := h.Observe(ctx, rec, false); err == nil {
		expectObservedProps(t, "Observe after Update", child.Kind, child2.Props, obs.Props)
	} else {
		t.Errorf("Observe after Update: %v", err)
	}
	// Out of band: a tag removed shows in the observed props.
	if _, err := a.ecs.UntagResource(ctx, &ecs.UntagResourceInput{ResourceArn: aws.String(out[composite.AttrARN]), TagKeys: []string{"team"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	if obs, _, err := h.Observe(ctx, rec, false); err != nil || obs.Props.(*composite.TaskDefinitionProps).Tags["team"] != "" {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}
	if _, err := h.Update(ctx, child2, rec); err != nil {
		t.Fatalf("restoring Update: %v", err)
	}
	a.ops.reset()
	if out2[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("tags-only update registered a new revision: %v", out2)
	}

	// Update of the image: a new revision; the old one is left ACTIVE.
	child3 := child
	child3.Props = testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.28", tags2)
	out3, err := h.Update(ctx, child3, recorded(child2, out2))
	if err != nil {
		t.Fatalf("Update image: %v", err)
	}
	a.expectCalls("Update image", "DescribeTaskDefinition", "RegisterTaskDefinition")
	if out3[composite.AttrRevision] != "2" || out3[composite.AttrARN] == out[composite.AttrARN] {
		t.Fatalf("Update image outputs = %v", out3)
	}
	if _, found, _ := h.Observe(ctx, rec, false); !found {
		t.Error("previous revision no longer ACTIVE after Update")
	}

	// Delete revision 2: deregistered and deleted; then gone; Delete again ok.
	rec3 := recorded(child3, out3)
	a.ops.reset()
	if err := h.Delete(ctx, rec3); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	a.expectCalls("Delete", "DeregisterTaskDefinition", "DeleteTaskDefinitions")
	if _, found, err := h.Observe(ctx, rec3, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec3); err != nil {
		t.Fatalf("second Delete: %v", err)
	}

	// Revision 1 deregistered out of band (INACTIVE): Observe says gone, Delete is fine.
	if _, err := a.ecs.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(out[composite.AttrARN])}); err != nil {
		t.Fatalf("DeregisterTaskDefinition: %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe of INACTIVE revision: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete of INACTIVE revision: %v", err)
	}
}

// taskDefinitionReadBack is what DescribeTaskDefinition answers for a
// revision registered from p: the input echoed, with ECS's additions.
func taskDefinitionReadBack(p *composite.TaskDefinitionProps) *ecstypes.TaskDefinition {
	in := registerTaskDefinitionInput(p)
	defs := append([]ecstypes.ContainerDefinition(nil), in.ContainerDefinitions...)
	for i, j := 0, len(defs)-1; i < j; i, j = i+1, j-1 {
		defs[i], defs[j] = defs[j], defs[i]
	}
	for i := range defs {
		defs[i].MountPoints, defs[i].VolumesFrom = []ecstypes.MountPoint{}, []ecstypes.VolumeFrom{}
	}
	return &ecstypes.TaskDefinition{
		TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/" + p.Family + ":3"), Revision: 3,
		Family: in.Family, Cpu: in.Cpu, Memory: in.Memory, NetworkMode: in.NetworkMode, RequiresCompatibilities: in.RequiresCompatibilities,
		RuntimePlatform: in.RuntimePlatform, ExecutionRoleArn: in.ExecutionRoleArn, TaskRoleArn: in.TaskRoleArn,
		ContainerDefinitions: defs, Status: ecstypes.TaskDefinitionStatusActive,
		Compatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityEc2, ecstypes.CompatibilityFargate},
	}
}

// taskDefinitionProps maps what DescribeTaskDefinition answers for a
// revision registered from props back to those props (containers in ECS's
// order).
func TestTaskDefinitionProps(t *testing.T) {
	tags := map[string]string{composite.TagOwner: "cl/web", composite.TagKey: "task_definition"}
	props := &composite.TaskDefinitionProps{
		Family: "cl-web", CPU: 256, Memory: 512, NetworkMode: "awsvpc", ExecutionRoleARN: "arn:exec", TaskRoleARN: "arn:task",
		OperatingSystem: "LINUX", CPUArchitecture: "X86_64", Tags: tags,
		Containers: []composite.ContainerDef{
			{Name: "web", Image: "nginx:1.27", Essential: true, Port: 8080, Environment: []composite.KeyValue{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
				Secrets: []composite.KeyValue{{Name: "DB", Value: "arn:secret"}}, LogGroup: "/g", LogRegion: "us-east-1", LogStreamPrefix: "web", Memory: 256},
			{Name: "sidecar", Image: "busybox", Essential: false, Command: []string{"sleep", "1d"}, CPU: 64, LogGroup: "/g", LogRegion: "us-east-1", LogStreamPrefix: "web"},
		},
	}
	got := taskDefinitionProps(taskDefinitionReadBack(props), map[string]string{composite.TagOwner: "cl/web", composite.TagKey: "task_definition", "aws:x": "y"})
	if got.Containers[0].Name != "sidecar" {
		t.Errorf("containers in order %s, %s; want ECS's (reversed)", got.Containers[0].Name, got.Containers[1].Name)
	}
	got.Containers[0], got.Containers[1] = got.Containers[1], got.Containers[0]
	if !reflect.DeepEqual(got, props) {
		t.Errorf("taskDefinitionProps =\n%+v\nwant\n%+v", got, props)
	}
}

func TestTaskDefinitionErrors(t *testing.T) {
	for _, tc := range []struct {
		err               error
		iam, gone, benign bool
	}{
		{&smithy.GenericAPIError{Code: "ClientException", Message: "Role is not valid"}, true, false, false},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "ECS was unable to assume role arn:aws:iam::1:role/x"}, true, false, false},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "Unable to describe task definition."}, false, true, false},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "Container.image should not be null or empty."}, false, false, false},
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "Role is not valid"}, false, false, false},
		{&smithy.GenericAPIError{Code: "UnsupportedOperation", Message: "not in this partition"}, false, false, true},
		{errors.New("Role is not valid"), false, false, false},
	} {
		if got := isTaskDefinitionIAMPropagation(tc.err); got != tc.iam {
			t.Errorf("isTaskDefinitionIAMPropagation(%v) = %v", tc.err, got)
		}
		if got := isTaskDefinitionGone(tc.err); got != tc.gone {
			t.Errorf("isTaskDefinitionGone(%v) = %v", tc.err, got)
		}
		if got := isBenignTaskDefinitionDeleteError(tc.err); got != tc.benign {
			t.Errorf("isBenignTaskDefinitionDeleteError(%v) = %v", tc.err, got)
		}
	}
}

func TestTaskDefinitionDeregisterAnswers(t *testing.T) {
	for _, tc := range []struct {
		err                    error
		beingDeleted, inactive bool
	}{
		{&smithy.GenericAPIError{Code: "ClientException", Message: "The specified task definition is in the process of being deleted."}, true, false},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "status DELETE_IN_PROGRESS"}, true, false},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "The specified task definition is INACTIVE."}, false, true},
		{&smithy.GenericAPIError{Code: "ClientException", Message: "Role is not valid"}, false, false},
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "in the process of being deleted"}, false, false},
	} {
		if got := isTaskDefinitionBeingDeleted(tc.err); got != tc.beingDeleted {
			t.Errorf("isTaskDefinitionBeingDeleted(%v) = %v", tc.err, got)
		}
		if got := isTaskDefinitionInactive(tc.err); got != tc.inactive {
			t.Errorf("isTaskDefinitionInactive(%v) = %v", tc.err, got)
		}
	}
}

func TestAccTaskDefinitionHandler_iamPropagationRetry(t *testing.T) {
	a := newAcc(t)
	role := a.newTaskRole()
	h := NewTaskDefinitionHandler(a.ecs)
	family := acctest.RandomName("td")
	child := composite.Child{Key: "task_definition", Kind: composite.KindTaskDefinition, Name: family,
		Props: testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.27", nil)}

	// A role IAM has not propagated yet: retried, then registered once.
	a.ops.failNext("RegisterTaskDefinition", "ClientException", "Role is not valid", 1)
	a.ops.reset()
	out, err := h.Create(a.ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create with IAM propagation", "RegisterTaskDefinition", "RegisterTaskDefinition")
	if out[composite.AttrRevision] != "1" {
		t.Errorf("outputs = %v", out)
	}

	// Any other error fails at once, with the AWS message.
	a.ops.failNext("RegisterTaskDefinition", "ClientException", "Invalid 'cpu' setting for task.", 1)
	_, err = h.Create(a.ctx, child)
	if err == nil || !strings.Contains(err.Error(), "Invalid 'cpu' setting") {
		t.Fatalf("Create: err = %v, want the AWS message", err)
	}
	a.expectCalls("Create with another error", "RegisterTaskDefinition")
}

// A revision ECS is already deleting answers DeregisterTaskDefinition with
// "in the process of being deleted" (another tool, or an earlier delete,
// called DeleteTaskDefinitions): it counts as gone, and so does one already
// INACTIVE or DELETE_IN_PROGRESS; other errors still fail (issue 8, item 16).
func TestAccTaskDefinitionHandler_deleteWhileBeingDeleted(t *testing.T) {
	a := newAcc(t)
	role := a.newTaskRole()
	p, err := acctest.NewProxy(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	cfg := a.cfg.Copy()
	cfg.BaseEndpoint = aws.String(p.URL())
	h := NewTaskDefinitionHandler(ecs.NewFromConfig(cfg))
	register := func() composite.Recorded {
		t.Helper()
		family := acctest.RandomName("td")
		c := composite.Child{Key: "task_definition", Kind: composite.KindTaskDefinition, Name: family,
			Props: testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.27", nil)}
		out, err := h.Create(a.ctx, c)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		rec := recorded(c, out)
		t.Cleanup(func() { p.ClearFaults(); _ = h.Delete(context.Background(), rec) })
		return rec
	}
	for _, tc := range []struct {
		answer  string
		deleted bool // what the revision is: DELETE_IN_PROGRESS, else INACTIVE
	}{
		{"The specified task definition is in the process of being deleted.", true},
		{"The task definition is in DELETE_IN_PROGRESS status.", true},
		{"The specified task definition is INACTIVE.", false},
	} {
		rec := register()
		// Another tool deregistered (and deleted) it first.
		if _, err := a.ecs.DeregisterTaskDefinition(a.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(rec.ARN)}); err != nil {
			t.Fatal(err)
		}
		if tc.deleted {
			if _, err := a.ecs.DeleteTaskDefinitions(a.ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{rec.ARN}}); err != nil {
				t.Fatal(err)
			}
		}
		p.ClearFaults()
		p.Inject(acctest.Fault{Service: "ecs", Operation: "DeregisterTaskDefinition", Code: "ClientException", Message: tc.answer})
		if err := h.Delete(a.ctx, rec); err != nil {
			t.Errorf("Delete answered %q: %v, want gone", tc.answer, err)
		}
		if _, found, err := h.Observe(a.ctx, rec, false); err != nil || found {
			t.Errorf("Observe after Delete answered %q = found %v, err %v; want gone", tc.answer, found, err)
		}
	}
	rec := register()
	p.ClearFaults()
	p.Inject(acctest.Fault{Service: "ecs", Operation: "DeregisterTaskDefinition", Code: "ClientException", Message: "Unable to assume role"})
	if err := h.Delete(a.ctx, rec); err == nil || !strings.Contains(err.Error(), "Unable to assume role") {
		t.Errorf("Delete with another ClientException: err = %v, want it", err)
	}
}

// A run killed after RegisterTaskDefinition leaves an ACTIVE revision
// carrying the child's ownership tags that the state never learnt of. The
// next apply's Create registers again, finds that revision (only because
// the new one is not the family's first), adopts it when it equals the
// desired definition, and deletes the one it just registered: one ACTIVE
// revision is left. A revision that differs, or carries another owner, is
// not adopted.
func TestAccTaskDefinitionHandler_adoptAfterLostCreate(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	role := a.newTaskRole()
	h := NewTaskDefinitionHandler(a.ecs)
	family := acctest.RandomName("td")
	owner := "c/" + family
	child := func(owner, image string) composite.Child {
		return composite.Child{Key: "task_definition", Kind: composite.KindTaskDefinition, Name: family,
			Props: testTaskDefinitionProps(family, role, image, ownerTags(owner, "task_definition", map[string]string{"team": "a"}))}
	}
	active := func() []string {
		t.Helper()
		out, err := a.ecs.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
		if err != nil {
			t.Fatalf("ListTaskDefinitions: %v", err)
		}
		return out.TaskDefinitionArns
	}
	t.Cleanup(func() {
		for _, arn := range active() {
			_ = h.Delete(context.Background(), composite.Recorded{Kind: composite.KindTaskDefinition, ARN: arn})
		}
	})

	// The killed run's revision.
	first, err := h.Create(ctx, child(owner, "public.ecr.aws/nginx/nginx:1.27"))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	// The next apply's Create adopts it.
	a.ops.reset()
	got, err := h.Create(ctx, child(owner, "public.ecr.aws/nginx/nginx:1.27"))
	if err != nil {
		t.Fatalf("Create after the lost one: %v", err)
	}
	if got[composite.AttrARN] != first[composite.AttrARN] || got[composite.AttrRevision] != "1" {
		t.Errorf("Create outputs = %v, want the adopted revision %v", got, first)
	}
	a.expectCalls("Create adopting", "RegisterTaskDefinition", "ListTaskDefinitions", "DescribeTaskDefinition",
		"DeregisterTaskDefinition", "DeleteTaskDefinitions")
	if arns := active(); len(arns) != 1 || arns[0] != first[composite.AttrARN] {
		t.Errorf("ACTIVE revisions = %v, want only %s", arns, first[composite.AttrARN])
	}

	// Another definition of the same owner: the new revision is the child's.
	changed, err := h.Create(ctx, child(owner, "public.ecr.aws/nginx/nginx:1.28"))
	if err != nil {
		t.Fatalf("Create of another definition: %v", err)
	}
	if changed[composite.AttrARN] == first[composite.AttrARN] {
		t.Errorf("Create of another definition = %v, want a new revision", changed)
	}

	// The same definition for another owner: not adopted either.
	a.ops.reset()
	foreign, err := h.Create(ctx, child("someone-else", "public.ecr.aws/nginx/nginx:1.27"))
	if err != nil {
		t.Fatalf("Create for another owner: %v", err)
	}
	if foreign[composite.AttrARN] == first[composite.AttrARN] || foreign[composite.AttrARN] == changed[composite.AttrARN] {
		t.Errorf("Create for another owner = %v, want a new revision", foreign)
	}
	if m := a.ops.mutating(); len(m) != 1 || m[0] != "RegisterTaskDefinition" {
		t.Errorf("Create for another owner mutations = %v, want only RegisterTaskDefinition", m)
	}
	if arns := active(); len(arns) != 3 {
		t.Errorf("ACTIVE revisions = %v, want 3 (the first and the two new ones)", arns)
	}
}
