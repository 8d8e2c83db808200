package handlers

import (
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

	// Read: one call.
	a.ops.reset()
	got, found, err := h.Read(ctx, rec)
	if err != nil || !found || got[composite.AttrARN] != out[composite.AttrARN] {
		t.Fatalf("Read = %v, %v, %v", got, found, err)
	}
	a.expectCalls("Read", "DescribeTaskDefinition")

	// Update of tags only: no new revision.
	tags2 := ownerTags("c/"+family, "task_definition", map[string]string{"team": "payments"})
	child2 := child
	child2.Props = testTaskDefinitionProps(family, role, "public.ecr.aws/nginx/nginx:1.27", tags2)
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update tags: %v", err)
	}
	a.expectCalls("Update tags", "DescribeTaskDefinition", "TagResource")
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
	if _, found, _ := h.Read(ctx, rec); !found {
		t.Error("previous revision no longer ACTIVE after Update")
	}

	// Delete revision 2: deregistered and deleted; then gone; Delete again ok.
	rec3 := recorded(child3, out3)
	a.ops.reset()
	if err := h.Delete(ctx, rec3); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	a.expectCalls("Delete", "DeregisterTaskDefinition", "DeleteTaskDefinitions")
	if _, found, err := h.Read(ctx, rec3); err != nil || found {
		t.Fatalf("Read after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec3); err != nil {
		t.Fatalf("second Delete: %v", err)
	}

	// Revision 1 deregistered out of band (INACTIVE): Read says gone, Delete is fine.
	if _, err := a.ecs.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(out[composite.AttrARN])}); err != nil {
		t.Fatalf("DeregisterTaskDefinition: %v", err)
	}
	if _, found, err := h.Read(ctx, rec); err != nil || found {
		t.Fatalf("Read of INACTIVE revision: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete of INACTIVE revision: %v", err)
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
