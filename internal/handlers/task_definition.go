package handlers

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeECSClientException = "ClientException"

	awslogsGroup        = "awslogs-group"
	awslogsRegion       = "awslogs-region"
	awslogsStreamPrefix = "awslogs-stream-prefix"
)

// TaskDefinitionAPI is the part of *ecs.Client the task definition handler uses.
type TaskDefinitionAPI interface {
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error)
	DeleteTaskDefinitions(ctx context.Context, in *ecs.DeleteTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.DeleteTaskDefinitionsOutput, error)
	TagResource(ctx context.Context, in *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *ecs.UntagResourceInput, optFns ...func(*ecs.Options)) (*ecs.UntagResourceOutput, error)
}

var _ TaskDefinitionAPI = (*ecs.Client)(nil)

// TaskDefinitionHandler manages composite.KindTaskDefinition children (one
// revision each). It holds no mutable state and is safe for concurrent use.
type TaskDefinitionHandler struct {
	api TaskDefinitionAPI
}

var (
	_ engine.Handler = (*TaskDefinitionHandler)(nil)
	_ engine.Finder  = (*TaskDefinitionHandler)(nil)
)

// NewTaskDefinitionHandler returns a handler for ECS task definitions.
func NewTaskDefinitionHandler(api TaskDefinitionAPI) *TaskDefinitionHandler {
	return &TaskDefinitionHandler{api: api}
}

// Create registers a revision (tags included): one RegisterTaskDefinition
// call, retried for up to IAMPropagationTimeout while a just-created
// execution or task role is not yet usable by ECS.
//
// Registering never fails for an existing definition: each call adds a
// revision. A Create whose response was lost (the run killed, the state
// never written) has left an ACTIVE revision carrying this child's
// ownership tags, and the next Create would leave it orphaned beside the
// new one. So when the new revision is not the family's first (revision >
// 1: earlier ones were registered, maybe deregistered since) the ACTIVE
// revisions of the family are listed, newest first, and the first one that
// carries this child's ownership tags and equals the desired definition
// (compared normalized) is adopted: its tags are converged, and the
// revision just registered is deleted again. Calls: RegisterTaskDefinition;
// only for a revision > 1: ListTaskDefinitions pages, DescribeTaskDefinition
// per other ACTIVE revision until one is adopted, then
// [Untag/TagResource], DeregisterTaskDefinition, DeleteTaskDefinitions.
func (h *TaskDefinitionHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.TaskDefinitionProps](c)
	if err != nil {
		return nil, err
	}
	out, err := h.register(ctx, p)
	if err != nil || out[composite.AttrRevision] == "1" {
		return out, err
	}
	return h.adoptRegistered(ctx, c, p, out)
}

// adoptRegistered looks for an ACTIVE revision of p's family other than
// the one just registered (registered, its outputs) that this child owns
// and that equals p, and adopts it (see Create). When there is none, the
// new revision is the child's. When the new revision cannot be deleted
// after adopting, the adopted one is returned with the error, which names
// the revision left.
func (h *TaskDefinitionHandler) adoptRegistered(ctx context.Context, c composite.Child, p *composite.TaskDefinitionProps, registered map[string]string) (map[string]string, error) {
	newARN := registered[composite.AttrARN]
	want := specFromProps(p)
	pages := ecs.NewListTaskDefinitionsPaginator(h.api, &ecs.ListTaskDefinitionsInput{
		FamilyPrefix: aws.String(p.Family),
		Status:       ecstypes.TaskDefinitionStatusActive,
		Sort:         ecstypes.SortOrderDesc,
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			// The new revision is the child's: nothing is lost.
			return registered, fmt.Errorf("registering task definition %q: looking for a revision an interrupted apply registered: %w", p.Family, err)
		}
		for _, arn := range page.TaskDefinitionArns {
			if arn == newARN || !strings.Contains(arn, ":task-definition/"+p.Family+":") {
				continue // the new one, or another family of the prefix
			}
			td, tags, err := h.read(ctx, arn)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return registered, fmt.Errorf("registering task definition %q: looking for a revision an interrupted apply registered: %w", p.Family, err)
			}
			if ownedByChild("task definition "+arn, tags, c, p.Tags) != nil || !reflect.DeepEqual(specFromTaskDefinition(td), want) {
				continue
			}
			adopted := taskDefinitionOutputs(td)
			if err := h.Delete(ctx, composite.Recorded{Kind: composite.KindTaskDefinition, ARN: newARN}); err != nil {
				return adopted, fmt.Errorf("registering task definition %q: adopted revision %s, registered by an interrupted apply, but the revision just registered is left: %w", p.Family, arn, err)
			}
			if err := syncECSTags(ctx, h.api, arn, tags, p.Tags); err != nil {
				return adopted, fmt.Errorf("registering task definition %q: adopting revision %s: %w", p.Family, arn, err)
			}
			return adopted, nil
		}
	}
	return registered, nil
}

// Observe reads the revision (one DescribeTaskDefinition call, tags
// included) and maps it with taskDefinitionProps. An INACTIVE
// (deregistered), deleting or unknown revision is gone.
func (h *TaskDefinitionHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	td, tags, err := h.read(ctx, rec.ARN)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	return composite.Observed{Props: taskDefinitionProps(td, tags), Outputs: taskDefinitionOutputs(td), Full: full}, true, nil
}

// Find looks the revision up by its ARN or "family:revision" (q.ID, what
// the ECS service runs) and observes it. With q.OwnedOnly a revision whose
// ownership tags name another owner or key is an error.
func (h *TaskDefinitionHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	if q.ID == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no task definition ARN", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindTaskDefinition, ARN: q.ID}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	if err := lookupOwned(q, "task definition "+obs.Outputs[composite.AttrARN], obs.Props.(*composite.TaskDefinitionProps).Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindTaskDefinition, "", obs), obs, true, nil
}

// taskDefinitionProps maps a revision as DescribeTaskDefinition returns it
// (and its tags) to the props it was registered from: cpu and memory as
// numbers, a container's first port mapping as its port, its awslogs
// options as its log settings (other log drivers leave them empty), an
// unset essential flag as ECS's default (true), the user tags.
func taskDefinitionProps(td *ecstypes.TaskDefinition, tags map[string]string) *composite.TaskDefinitionProps {
	cpu, _ := strconv.Atoi(aws.ToString(td.Cpu))
	memory, _ := strconv.Atoi(aws.ToString(td.Memory))
	p := &composite.TaskDefinitionProps{
		Family:           aws.ToString(td.Family),
		CPU:              int32(cpu),
		Memory:           int32(memory),
		NetworkMode:      string(td.NetworkMode),
		ExecutionRoleARN: aws.ToString(td.ExecutionRoleArn),
		TaskRoleARN:      aws.ToString(td.TaskRoleArn),
		Tags:             userTags(tags),
	}
	if rp := td.RuntimePlatform; rp != nil {
		p.OperatingSystem, p.CPUArchitecture = string(rp.OperatingSystemFamily), string(rp.CpuArchitecture)
	}
	for _, d := range td.ContainerDefinitions {
		c := composite.ContainerDef{
			Name:                   aws.ToString(d.Name),
			Image:                  aws.ToString(d.Image),
			Essential:              d.Essential == nil || aws.ToBool(d.Essential),
			Command:                d.Command,
			EntryPoint:             d.EntryPoint,
			CPU:                    d.Cpu,
			Memory:                 aws.ToInt32(d.Memory),
			ReadonlyRootFilesystem: aws.ToBool(d.ReadonlyRootFilesystem),
		}
		for _, e := range d.Environment {
			c.Environment = append(c.Environment, composite.KeyValue{Name: aws.ToString(e.Name), Value: aws.ToString(e.Value)})
		}
		for _, s := range d.Secrets {
			c.Secrets = append(c.Secrets, composite.KeyValue{Name: aws.ToString(s.Name), Value: aws.ToString(s.ValueFrom)})
		}
		if len(d.PortMappings) > 0 {
			c.Port = aws.ToInt32(d.PortMappings[0].ContainerPort)
		}
		if lc := d.LogConfiguration; lc != nil && lc.LogDriver == ecstypes.LogDriverAwslogs {
			c.LogGroup, c.LogRegion, c.LogStreamPrefix = lc.Options[awslogsGroup], lc.Options[awslogsRegion], lc.Options[awslogsStreamPrefix]
		}
		p.Containers = append(p.Containers, c)
	}
	return p
}

// Update: revisions are immutable. When the recorded revision already matches
// the desired definition (compared normalized), only its tags are converged
// (TagResource/UntagResource); otherwise a new revision is registered and its
// outputs returned. The previous revision is left alone, as a service may
// still run it: the engine deletes replaced revisions after the service moved
// on. With ExternalImages (deployment.image_owner "external") the new
// revision keeps the images of the recorded one (the revision a pipeline
// deployed, which a Read adopted), so an apply never reverts a pipeline's
// deploy. Calls: DescribeTaskDefinition, then [UntagResource], [TagResource]
// or RegisterTaskDefinition.
func (h *TaskDefinitionHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.TaskDefinitionProps](c)
	if err != nil {
		return nil, err
	}
	td, tags, err := h.read(ctx, prev.ARN)
	if err != nil && !IsNotFound(err) {
		return nil, fmt.Errorf("updating task definition %q: %w", p.Family, err)
	}
	if err == nil && p.ExternalImages {
		// The images are a pipeline's: keep those of the revision the
		// service follows (composite.KeepImages).
		p = composite.KeepImages(p, taskDefinitionProps(td, tags))
	}
	if err != nil || !reflect.DeepEqual(specFromTaskDefinition(td), specFromProps(p)) {
		return h.register(ctx, p)
	}
	outputs := taskDefinitionOutputs(td)
	if err := syncECSTags(ctx, h.api, outputs[composite.AttrARN], tags, p.Tags); err != nil {
		return outputs, fmt.Errorf("updating task definition %q: %w", p.Family, err)
	}
	return outputs, nil
}

// Delete deregisters the revision, then asks ECS to delete it
// (DeleteTaskDefinitions). A revision already gone or deregistered is not an
// error: one ECS reports "in the process of being deleted" (or
// DELETE_IN_PROGRESS) to DeregisterTaskDefinition is gone - an earlier
// delete, or another tool, got there first - and one it reports INACTIVE
// is deleted. The delete step also tolerates "not found", "inactive" and
// "unsupported" answers (deregistration is what matters).
func (h *TaskDefinitionHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if rec.ARN == "" {
		return nil
	}
	_, err := h.api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(rec.ARN)})
	if isTaskDefinitionBeingDeleted(err) {
		return nil
	}
	if err != nil && !isTaskDefinitionGone(err) && !isTaskDefinitionInactive(err) {
		return fmt.Errorf("deregistering task definition %s: %w", rec.ARN, err)
	}
	out, err := h.api.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{rec.ARN}})
	if err != nil {
		if isTaskDefinitionGone(err) || isBenignTaskDefinitionDeleteError(err) {
			return nil
		}
		return fmt.Errorf("deleting task definition %s: %w", rec.ARN, err)
	}
	for _, f := range out.Failures {
		reason := aws.ToString(f.Reason)
		if isBenignTaskDefinitionDeleteFailure(reason) {
			continue
		}
		return fmt.Errorf("deleting task definition %s: %s: %s", rec.ARN, reason, aws.ToString(f.Detail))
	}
	return nil
}

// register registers a new revision of p.
func (h *TaskDefinitionHandler) register(ctx context.Context, p *composite.TaskDefinitionProps) (map[string]string, error) {
	in := registerTaskDefinitionInput(p)
	var td *ecstypes.TaskDefinition
	err := RetryOn(ctx, IAMPropagationTimeout, isTaskDefinitionIAMPropagation, func(ctx context.Context) error {
		out, err := h.api.RegisterTaskDefinition(ctx, in)
		if err != nil {
			return err
		}
		if out.TaskDefinition == nil {
			return fmt.Errorf("empty RegisterTaskDefinition response")
		}
		td = out.TaskDefinition
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registering task definition %q: %w", p.Family, err)
	}
	return taskDefinitionOutputs(td), nil
}

// read returns an ACTIVE revision and its tags, or an error IsNotFound accepts.
func (h *TaskDefinitionHandler) read(ctx context.Context, tdARN string) (*ecstypes.TaskDefinition, map[string]string, error) {
	if tdARN == "" {
		return nil, nil, fmt.Errorf("task definition without ARN: %w", ErrNotFound)
	}
	out, err := h.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(tdARN),
		Include:        []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	})
	if isTaskDefinitionGone(err) {
		return nil, nil, fmt.Errorf("task definition %s: %w: %s", tdARN, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading task definition %s: %w", tdARN, err)
	}
	td := out.TaskDefinition
	if td == nil {
		return nil, nil, fmt.Errorf("task definition %s: %w", tdARN, ErrNotFound)
	}
	if td.Status != ecstypes.TaskDefinitionStatusActive {
		return nil, nil, fmt.Errorf("task definition %s is %s: %w", tdARN, td.Status, ErrNotFound)
	}
	return td, ecsTagMap(out.Tags), nil
}

func registerTaskDefinitionInput(p *composite.TaskDefinitionProps) *ecs.RegisterTaskDefinitionInput {
	in := &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(p.Family),
		Cpu:                     aws.String(strconv.Itoa(int(p.CPU))),
		Memory:                  aws.String(strconv.Itoa(int(p.Memory))),
		NetworkMode:             ecstypes.NetworkMode(firstNonEmpty(p.NetworkMode, string(ecstypes.NetworkModeAwsvpc))),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		RuntimePlatform: &ecstypes.RuntimePlatform{
			OperatingSystemFamily: ecstypes.OSFamily(firstNonEmpty(p.OperatingSystem, string(ecstypes.OSFamilyLinux))),
			CpuArchitecture:       ecstypes.CPUArchitecture(firstNonEmpty(p.CPUArchitecture, string(ecstypes.CPUArchitectureX8664))),
		},
		ExecutionRoleArn: optString(p.ExecutionRoleARN),
		TaskRoleArn:      optString(p.TaskRoleARN),
		Tags:             ecsTags(p.Tags),
	}
	for _, cd := range p.Containers {
		in.ContainerDefinitions = append(in.ContainerDefinitions, containerDefinition(cd))
	}
	return in
}

func containerDefinition(cd composite.ContainerDef) ecstypes.ContainerDefinition {
	def := ecstypes.ContainerDefinition{
		Name:                   aws.String(cd.Name),
		Image:                  aws.String(cd.Image),
		Essential:              aws.Bool(cd.Essential),
		Command:                cd.Command,
		EntryPoint:             cd.EntryPoint,
		Cpu:                    cd.CPU,
		Memory:                 optInt32(cd.Memory),
		ReadonlyRootFilesystem: aws.Bool(cd.ReadonlyRootFilesystem),
	}
	for _, kv := range sortedKeyValues(cd.Environment) {
		def.Environment = append(def.Environment, ecstypes.KeyValuePair{Name: aws.String(kv.Name), Value: aws.String(kv.Value)})
	}
	for _, kv := range sortedKeyValues(cd.Secrets) {
		def.Secrets = append(def.Secrets, ecstypes.Secret{Name: aws.String(kv.Name), ValueFrom: aws.String(kv.Value)})
	}
	if cd.Port > 0 {
		def.PortMappings = []ecstypes.PortMapping{{
			ContainerPort: aws.Int32(cd.Port),
			Protocol:      ecstypes.TransportProtocolTcp,
		}}
	}
	if opts := awslogsOptions(cd); len(opts) > 0 {
		def.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts}
	}
	return def
}

func awslogsOptions(cd composite.ContainerDef) map[string]string {
	if cd.LogGroup == "" {
		return nil
	}
	opts := map[string]string{awslogsGroup: cd.LogGroup}
	if cd.LogRegion != "" {
		opts[awslogsRegion] = cd.LogRegion
	}
	if cd.LogStreamPrefix != "" {
		opts[awslogsStreamPrefix] = cd.LogStreamPrefix
	}
	return opts
}

func sortedKeyValues(kvs []composite.KeyValue) []composite.KeyValue {
	out := append([]composite.KeyValue(nil), kvs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// taskDefSpec is the normalized form of the fields this handler sets, used to
// decide whether a recorded revision already is what the props describe.
type taskDefSpec struct {
	Family, CPU, Memory, NetworkMode string
	ExecutionRole, TaskRole          string
	OS, Arch                         string
	Compatibilities                  []string
	Containers                       []containerSpec
}

type containerSpec struct {
	Name, Image          string
	Essential, Readonly  bool
	Command, EntryPoint  []string
	Environment, Secrets []composite.KeyValue
	Ports                []int32
	CPU, Memory          int32
	LogDriver            string
	LogOptions           map[string]string
}

func specFromProps(p *composite.TaskDefinitionProps) taskDefSpec {
	in := registerTaskDefinitionInput(p)
	return normalizeSpec(taskDefSpec{
		Family:          aws.ToString(in.Family),
		CPU:             aws.ToString(in.Cpu),
		Memory:          aws.ToString(in.Memory),
		NetworkMode:     string(in.NetworkMode),
		ExecutionRole:   aws.ToString(in.ExecutionRoleArn),
		TaskRole:        aws.ToString(in.TaskRoleArn),
		OS:              string(in.RuntimePlatform.OperatingSystemFamily),
		Arch:            string(in.RuntimePlatform.CpuArchitecture),
		Compatibilities: []string{string(ecstypes.CompatibilityFargate)},
		Containers:      containerSpecs(in.ContainerDefinitions),
	})
}

func specFromTaskDefinition(td *ecstypes.TaskDefinition) taskDefSpec {
	s := taskDefSpec{
		Family:        aws.ToString(td.Family),
		CPU:           aws.ToString(td.Cpu),
		Memory:        aws.ToString(td.Memory),
		NetworkMode:   string(td.NetworkMode),
		ExecutionRole: aws.ToString(td.ExecutionRoleArn),
		TaskRole:      aws.ToString(td.TaskRoleArn),
		Containers:    containerSpecs(td.ContainerDefinitions),
	}
	if td.RuntimePlatform != nil {
		s.OS = string(td.RuntimePlatform.OperatingSystemFamily)
		s.Arch = string(td.RuntimePlatform.CpuArchitecture)
	}
	for _, c := range td.RequiresCompatibilities {
		s.Compatibilities = append(s.Compatibilities, string(c))
	}
	return normalizeSpec(s)
}

func containerSpecs(defs []ecstypes.ContainerDefinition) []containerSpec {
	var out []containerSpec
	for _, d := range defs {
		c := containerSpec{
			Name:       aws.ToString(d.Name),
			Image:      aws.ToString(d.Image),
			Essential:  d.Essential == nil || aws.ToBool(d.Essential), // ECS defaults essential to true
			Readonly:   aws.ToBool(d.ReadonlyRootFilesystem),
			Command:    d.Command,
			EntryPoint: d.EntryPoint,
			CPU:        d.Cpu,
			Memory:     aws.ToInt32(d.Memory),
		}
		for _, e := range d.Environment {
			c.Environment = append(c.Environment, composite.KeyValue{Name: aws.ToString(e.Name), Value: aws.ToString(e.Value)})
		}
		for _, s := range d.Secrets {
			c.Secrets = append(c.Secrets, composite.KeyValue{Name: aws.ToString(s.Name), Value: aws.ToString(s.ValueFrom)})
		}
		for _, pm := range d.PortMappings {
			c.Ports = append(c.Ports, aws.ToInt32(pm.ContainerPort))
		}
		if d.LogConfiguration != nil {
			c.LogDriver = string(d.LogConfiguration.LogDriver)
			c.LogOptions = d.LogConfiguration.Options
		}
		out = append(out, c)
	}
	return out
}

// normalizeSpec fills defaults and sorts what ECS treats as unordered, so
// two specs compare equal with reflect.DeepEqual exactly when they mean the
// same task definition.
func normalizeSpec(s taskDefSpec) taskDefSpec {
	s.NetworkMode = firstNonEmpty(s.NetworkMode, string(ecstypes.NetworkModeAwsvpc))
	s.OS = firstNonEmpty(s.OS, string(ecstypes.OSFamilyLinux))
	s.Arch = firstNonEmpty(s.Arch, string(ecstypes.CPUArchitectureX8664))
	s.Compatibilities = normalizedSet(s.Compatibilities)
	for i := range s.Containers {
		c := &s.Containers[i]
		c.Environment = sortedKeyValues(c.Environment)
		c.Secrets = sortedKeyValues(c.Secrets)
		if len(c.Environment) == 0 {
			c.Environment = nil
		}
		if len(c.Secrets) == 0 {
			c.Secrets = nil
		}
		if len(c.Command) == 0 {
			c.Command = nil
		}
		if len(c.EntryPoint) == 0 {
			c.EntryPoint = nil
		}
		if len(c.LogOptions) == 0 {
			c.LogOptions = nil
		}
		sort.Slice(c.Ports, func(a, b int) bool { return c.Ports[a] < c.Ports[b] })
		if len(c.Ports) == 0 {
			c.Ports = nil
		}
	}
	sort.SliceStable(s.Containers, func(i, j int) bool { return s.Containers[i].Name < s.Containers[j].Name })
	return s
}

func taskDefinitionOutputs(td *ecstypes.TaskDefinition) map[string]string {
	family := aws.ToString(td.Family)
	images := make(map[string]string, len(td.ContainerDefinitions))
	for _, d := range td.ContainerDefinitions {
		images[aws.ToString(d.Name)] = aws.ToString(d.Image)
	}
	return map[string]string{
		composite.AttrARN:             aws.ToString(td.TaskDefinitionArn),
		composite.AttrName:            family,
		AttrFamily:                    family,
		composite.AttrRevision:        strconv.Itoa(int(td.Revision)),
		composite.AttrContainerImages: composite.EncodeContainerImages(images),
	}
}

// isTaskDefinitionIAMPropagation matches RegisterTaskDefinition errors caused
// by an execution or task role that IAM has not yet propagated to ECS.
func isTaskDefinitionIAMPropagation(err error) bool {
	return errorMessageContains(err, []string{errCodeECSClientException},
		"Role is not valid",
		"unable to assume role",
		"is not authorized to perform: sts:AssumeRole",
	)
}

// isTaskDefinitionGone matches the ClientException ECS answers for a revision
// that does not exist (any more).
func isTaskDefinitionGone(err error) bool {
	return errorMessageContains(err, []string{errCodeECSClientException},
		"Unable to describe task definition",
		"does not exist",
		"Revision is missing",
	)
}

// isTaskDefinitionBeingDeleted matches ECS's answer for a revision whose
// deletion (DeleteTaskDefinitions) is under way: "in the process of being
// deleted", or its DELETE_IN_PROGRESS status.
func isTaskDefinitionBeingDeleted(err error) bool {
	return errorMessageContains(err, []string{errCodeECSClientException, "InvalidParameterException"},
		"in the process of being deleted", "being deleted", "DELETE_IN_PROGRESS")
}

// isTaskDefinitionInactive matches a DeregisterTaskDefinition answer for a
// revision that is deregistered already (INACTIVE).
func isTaskDefinitionInactive(err error) bool {
	return errorMessageContains(err, []string{errCodeECSClientException, "InvalidParameterException"},
		"INACTIVE", "already deregistered")
}

// isBenignTaskDefinitionDeleteError matches DeleteTaskDefinitions errors that
// must not block teardown: the API is unavailable (some partitions and
// emulators) or the revision is already inactive or being deleted.
func isBenignTaskDefinitionDeleteError(err error) bool {
	switch ErrorCode(err) {
	case "UnsupportedOperation", "UnsupportedOperationException", "InvalidAction", "UnknownOperationException", "UnknownOperation":
		return true
	}
	return errorMessageContains(err, []string{errCodeECSClientException, "InvalidParameterException"},
		"INACTIVE", "DELETE_IN_PROGRESS", "not supported")
}

func isBenignTaskDefinitionDeleteFailure(reason string) bool {
	return errorMessageContains(fmt.Errorf("%s", reason), nil,
		"does not exist", "not found", "INACTIVE", "DELETE_IN_PROGRESS", "already")
}
