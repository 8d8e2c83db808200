package service

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

type serviceModel struct {
	ID                     types.String   `tfsdk:"id"`
	Name                   types.String   `tfsdk:"name"`
	Cluster                types.String   `tfsdk:"cluster"`
	CPU                    types.Int64    `tfsdk:"cpu"`
	Memory                 types.Int64    `tfsdk:"memory"`
	DesiredCount           types.Int64    `tfsdk:"desired_count"`
	CPUArchitecture        types.String   `tfsdk:"cpu_architecture"`
	Containers             types.Map      `tfsdk:"containers"`
	Network                types.Object   `tfsdk:"network"`
	LoadBalancer           types.Object   `tfsdk:"load_balancer"`
	ServiceDiscovery       types.Object   `tfsdk:"service_discovery"`
	Repository             types.Object   `tfsdk:"repository"`
	TaskRolePolicyJSON     types.String   `tfsdk:"task_role_policy_json"`
	LogRetentionDays       types.Int64    `tfsdk:"log_retention_days"`
	EnableExecuteCommand   types.Bool     `tfsdk:"enable_execute_command"`
	HealthCheckGracePeriod types.Int64    `tfsdk:"health_check_grace_period"`
	Deployment             types.Object   `tfsdk:"deployment"`
	Tags                   types.Map      `tfsdk:"tags"`
	TagsAll                types.Map      `tfsdk:"tags_all"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`

	ARN                  types.String `tfsdk:"arn"`
	TaskDefinitionARN    types.String `tfsdk:"task_definition_arn"`
	TargetGroupARN       types.String `tfsdk:"target_group_arn"`
	ListenerRuleARN      types.String `tfsdk:"listener_rule_arn"`
	ListenerRulePriority types.Int64  `tfsdk:"listener_rule_priority"`
	DiscoveryServiceARN  types.String `tfsdk:"discovery_service_arn"`
	RepositoryURL        types.String `tfsdk:"repository_url"`
	ExecutionRoleARN     types.String `tfsdk:"execution_role_arn"`
	TaskRoleARN          types.String `tfsdk:"task_role_arn"`
	LogGroupName         types.String `tfsdk:"log_group_name"`
	Resources            types.Map    `tfsdk:"resources"`
}

type containerModel struct {
	Image       types.String `tfsdk:"image"`
	ImageTag    types.String `tfsdk:"image_tag"`
	Port        types.Int64  `tfsdk:"port"`
	Command     types.List   `tfsdk:"command"`
	EntryPoint  types.List   `tfsdk:"entry_point"`
	Environment types.Map    `tfsdk:"environment"`
	Secrets     types.Map    `tfsdk:"secrets"`
	Essential   types.Bool   `tfsdk:"essential"`
	CPU         types.Int64  `tfsdk:"cpu"`
	Memory      types.Int64  `tfsdk:"memory"`
}

type networkModel struct {
	SubnetIDs        types.Set    `tfsdk:"subnet_ids"`
	SecurityGroupIDs types.Set    `tfsdk:"security_group_ids"`
	AssignPublicIP   types.Bool   `tfsdk:"assign_public_ip"`
	VpcID            types.String `tfsdk:"vpc_id"`
}

type loadBalancerModel struct {
	ListenerARN         types.String `tfsdk:"listener_arn"`
	ContainerName       types.String `tfsdk:"container_name"`
	PathPatterns        types.Set    `tfsdk:"path_patterns"`
	HostHeaders         types.Set    `tfsdk:"host_headers"`
	Priority            types.Int64  `tfsdk:"priority"`
	DeregistrationDelay types.Int64  `tfsdk:"deregistration_delay"`
	ProtocolVersion     types.String `tfsdk:"protocol_version"`
	HealthCheck         types.Object `tfsdk:"health_check"`
}

type healthCheckModel struct {
	Path               types.String `tfsdk:"path"`
	Matcher            types.String `tfsdk:"matcher"`
	Interval           types.Int64  `tfsdk:"interval"`
	Timeout            types.Int64  `tfsdk:"timeout"`
	HealthyThreshold   types.Int64  `tfsdk:"healthy_threshold"`
	UnhealthyThreshold types.Int64  `tfsdk:"unhealthy_threshold"`
}

type serviceDiscoveryModel struct {
	NamespaceID   types.String `tfsdk:"namespace_id"`
	DNSTTL        types.Int64  `tfsdk:"dns_ttl"`
	ContainerName types.String `tfsdk:"container_name"`
}

type repositoryModel struct {
	ScanOnPush         types.Bool   `tfsdk:"scan_on_push"`
	ImageTagMutability types.String `tfsdk:"image_tag_mutability"`
	KeepImages         types.Int64  `tfsdk:"keep_images"`
	ForceDelete        types.Bool   `tfsdk:"force_delete"`
}

type deploymentModel struct {
	CircuitBreakerRollback types.Bool  `tfsdk:"circuit_breaker_rollback"`
	MinimumHealthyPercent  types.Int64 `tfsdk:"minimum_healthy_percent"`
	MaximumPercent         types.Int64 `tfsdk:"maximum_percent"`
	WaitForSteadyState     types.Bool  `tfsdk:"wait_for_steady_state"`
}

var asOpts = basetypes.ObjectAsOptions{}

// unknownPlaceholder stands in for a value only known after apply, so the
// plan can still expand the children (their names are known) while the
// values themselves are unknown.
const unknownPlaceholder = "(known after apply)"

// converter turns the tfsdk model into a composite.ServiceSpec, recording the
// paths of unknown values (validation errors under them are dropped: the
// value is checked again once known).
type converter struct {
	ctx     context.Context
	diags   diag.Diagnostics
	unknown [][]composite.PathStep
}

func (c *converter) markUnknown(p []composite.PathStep) {
	c.unknown = append(c.unknown, append([]composite.PathStep(nil), p...))
}

func (c *converter) str(v types.String, p []composite.PathStep) string {
	if v.IsUnknown() {
		c.markUnknown(p)
		return unknownPlaceholder
	}
	return v.ValueString()
}

func (c *converter) intPtr(v types.Int64, p []composite.PathStep) *int64 {
	if v.IsUnknown() {
		c.markUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	x := v.ValueInt64()
	return &x
}

func (c *converter) boolPtr(v types.Bool, p []composite.PathStep) *bool {
	if v.IsUnknown() {
		c.markUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	x := v.ValueBool()
	return &x
}

func (c *converter) list(v types.List, p []composite.PathStep) []string {
	if v.IsUnknown() {
		c.markUnknown(p)
		return []string{unknownPlaceholder}
	}
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	for i, e := range v.Elements() {
		s, _ := e.(types.String)
		out = append(out, c.str(s, append(append([]composite.PathStep(nil), p...), composite.IndexStep(i))))
	}
	return out
}

// set converts a set of strings; the result is sorted. Validation errors
// about one element are reported on the set attribute.
func (c *converter) set(v types.Set, p []composite.PathStep) []string {
	if v.IsUnknown() {
		c.markUnknown(p)
		return []string{unknownPlaceholder}
	}
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, len(v.Elements()))
	for _, e := range v.Elements() {
		s, _ := e.(types.String)
		if s.IsUnknown() {
			c.markUnknown(p)
			out = append(out, unknownPlaceholder)
			continue
		}
		out = append(out, s.ValueString())
	}
	sort.Strings(out)
	return out
}

func (c *converter) strMap(v types.Map, p []composite.PathStep) map[string]string {
	if v.IsUnknown() {
		c.markUnknown(p)
		return nil
	}
	if v.IsNull() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.Elements() {
		s, _ := e.(types.String)
		out[k] = c.str(s, append(append([]composite.PathStep(nil), p...), composite.KeyStep(k)))
	}
	return out
}

// object decodes a nested object; false when null or unknown.
func (c *converter) object(v types.Object, p []composite.PathStep, target any) bool {
	if v.IsUnknown() {
		c.markUnknown(p)
		return false
	}
	if v.IsNull() {
		return false
	}
	c.diags.Append(v.As(c.ctx, target, asOpts)...)
	return !c.diags.HasError()
}

func ap(names ...string) []composite.PathStep { return composite.AttrPath(names...) }

// toSpec converts the model into a spec. Unknown values become placeholders
// and their paths are returned.
func toSpec(ctx context.Context, m serviceModel) (composite.ServiceSpec, [][]composite.PathStep, diag.Diagnostics) {
	c := &converter{ctx: ctx}
	s := composite.ServiceSpec{
		Name:                   c.str(m.Name, ap("name")),
		Cluster:                c.str(m.Cluster, ap("cluster")),
		CPU:                    c.intPtr(m.CPU, ap("cpu")),
		Memory:                 c.intPtr(m.Memory, ap("memory")),
		DesiredCount:           c.intPtr(m.DesiredCount, ap("desired_count")),
		CPUArchitecture:        c.str(m.CPUArchitecture, ap("cpu_architecture")),
		TaskRolePolicyJSON:     c.str(m.TaskRolePolicyJSON, ap("task_role_policy_json")),
		LogRetentionDays:       c.intPtr(m.LogRetentionDays, ap("log_retention_days")),
		HealthCheckGracePeriod: c.intPtr(m.HealthCheckGracePeriod, ap("health_check_grace_period")),
		Tags:                   c.strMap(m.Tags, ap("tags")),
	}
	// The Fargate size check needs both numbers: while one is unknown, the
	// other is not checked either.
	if m.CPU.IsUnknown() || m.Memory.IsUnknown() {
		c.markUnknown(ap("cpu"))
		c.markUnknown(ap("memory"))
	}
	if b := c.boolPtr(m.EnableExecuteCommand, ap("enable_execute_command")); b != nil {
		s.EnableExecuteCommand = *b
	}
	if m.Containers.IsUnknown() {
		c.markUnknown(ap("containers"))
	} else if !m.Containers.IsNull() {
		var cms map[string]containerModel
		c.diags.Append(m.Containers.ElementsAs(ctx, &cms, false)...)
		s.Containers = map[string]composite.ContainerSpec{}
		for name, cm := range cms {
			p := append(ap("containers"), composite.KeyStep(name))
			at := func(n string) []composite.PathStep {
				return append(append([]composite.PathStep(nil), p...), composite.AttrStep(n))
			}
			s.Containers[name] = composite.ContainerSpec{
				Image:       c.str(cm.Image, at("image")),
				ImageTag:    c.str(cm.ImageTag, at("image_tag")),
				Port:        c.intPtr(cm.Port, at("port")),
				Command:     c.list(cm.Command, at("command")),
				EntryPoint:  c.list(cm.EntryPoint, at("entry_point")),
				Environment: c.strMap(cm.Environment, at("environment")),
				Secrets:     c.strMap(cm.Secrets, at("secrets")),
				Essential:   c.boolPtr(cm.Essential, at("essential")),
				CPU:         c.intPtr(cm.CPU, at("cpu")),
				Memory:      c.intPtr(cm.Memory, at("memory")),
			}
		}
	}
	var nm networkModel
	if c.object(m.Network, ap("network"), &nm) {
		s.Network = composite.NetworkSpec{
			SubnetIDs:        c.set(nm.SubnetIDs, ap("network", "subnet_ids")),
			SecurityGroupIDs: c.set(nm.SecurityGroupIDs, ap("network", "security_group_ids")),
			VpcID:            c.str(nm.VpcID, ap("network", "vpc_id")),
		}
		if b := c.boolPtr(nm.AssignPublicIP, ap("network", "assign_public_ip")); b != nil {
			s.Network.AssignPublicIP = *b
		}
	}
	var lm loadBalancerModel
	if c.object(m.LoadBalancer, ap("load_balancer"), &lm) {
		lb := &composite.LoadBalancerSpec{
			ListenerARN:         c.str(lm.ListenerARN, ap("load_balancer", "listener_arn")),
			ContainerName:       c.str(lm.ContainerName, ap("load_balancer", "container_name")),
			PathPatterns:        c.set(lm.PathPatterns, ap("load_balancer", "path_patterns")),
			HostHeaders:         c.set(lm.HostHeaders, ap("load_balancer", "host_headers")),
			Priority:            c.intPtr(lm.Priority, ap("load_balancer", "priority")),
			DeregistrationDelay: c.intPtr(lm.DeregistrationDelay, ap("load_balancer", "deregistration_delay")),
			ProtocolVersion:     c.str(lm.ProtocolVersion, ap("load_balancer", "protocol_version")),
		}
		var hm healthCheckModel
		if c.object(lm.HealthCheck, ap("load_balancer", "health_check"), &hm) {
			hp := func(n string) []composite.PathStep { return ap("load_balancer", "health_check", n) }
			lb.HealthCheck = &composite.HealthCheckSpec{
				Path:               c.str(hm.Path, hp("path")),
				Matcher:            c.str(hm.Matcher, hp("matcher")),
				Interval:           c.intPtr(hm.Interval, hp("interval")),
				Timeout:            c.intPtr(hm.Timeout, hp("timeout")),
				HealthyThreshold:   c.intPtr(hm.HealthyThreshold, hp("healthy_threshold")),
				UnhealthyThreshold: c.intPtr(hm.UnhealthyThreshold, hp("unhealthy_threshold")),
			}
		}
		s.LoadBalancer = lb
	}
	var sm serviceDiscoveryModel
	if c.object(m.ServiceDiscovery, ap("service_discovery"), &sm) {
		s.ServiceDiscovery = &composite.ServiceDiscoverySpec{
			NamespaceID:   c.str(sm.NamespaceID, ap("service_discovery", "namespace_id")),
			DNSTTL:        c.intPtr(sm.DNSTTL, ap("service_discovery", "dns_ttl")),
			ContainerName: c.str(sm.ContainerName, ap("service_discovery", "container_name")),
		}
	}
	var rm repositoryModel
	if c.object(m.Repository, ap("repository"), &rm) {
		s.Repository = &composite.RepositorySpec{
			ScanOnPush:         c.boolPtr(rm.ScanOnPush, ap("repository", "scan_on_push")),
			ImageTagMutability: c.str(rm.ImageTagMutability, ap("repository", "image_tag_mutability")),
			KeepImages:         c.intPtr(rm.KeepImages, ap("repository", "keep_images")),
		}
		if b := c.boolPtr(rm.ForceDelete, ap("repository", "force_delete")); b != nil {
			s.Repository.ForceDelete = *b
		}
	}
	var dm deploymentModel
	if c.object(m.Deployment, ap("deployment"), &dm) {
		s.Deployment = &composite.DeploymentSpec{
			CircuitBreakerRollback: c.boolPtr(dm.CircuitBreakerRollback, ap("deployment", "circuit_breaker_rollback")),
			MinimumHealthyPercent:  c.intPtr(dm.MinimumHealthyPercent, ap("deployment", "minimum_healthy_percent")),
			MaximumPercent:         c.intPtr(dm.MaximumPercent, ap("deployment", "maximum_percent")),
			WaitForSteadyState:     c.boolPtr(dm.WaitForSteadyState, ap("deployment", "wait_for_steady_state")),
		}
	}
	return s, c.unknown, c.diags
}

// underUnknown reports whether p equals or lies under an unknown path.
func underUnknown(p []composite.PathStep, unknown [][]composite.PathStep) bool {
	for _, u := range unknown {
		if len(u) <= len(p) {
			match := true
			for i := range u {
				if u[i] != p[i] {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}

// setAttributes are the set-typed attributes (by name).
var setAttributes = map[string]bool{"subnet_ids": true, "security_group_ids": true, "path_patterns": true, "host_headers": true}

// tfPath converts a composite path into a framework attribute path.
func tfPath(steps []composite.PathStep) path.Path {
	var p path.Path
	for i, st := range steps {
		switch {
		case i == 0:
			p = path.Root(st.Attr)
		case st.IsKey:
			p = p.AtMapKey(st.MapKey)
		case st.IsIndex:
			if setAttributes[steps[i-1].Attr] {
				return p // a set element has no index: report on the set
			}
			p = p.AtListIndex(st.Index)
		default:
			p = p.AtName(st.Attr)
		}
	}
	return p
}

// fieldDiagnostics turns validation errors into attribute diagnostics,
// skipping those under unknown values.
func fieldDiagnostics(errs []composite.FieldError, unknown [][]composite.PathStep) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range errs {
		if underUnknown(e.Path, unknown) {
			continue
		}
		if len(e.Path) == 0 {
			diags.AddError(e.Summary, e.Detail)
			continue
		}
		// The detail starts with the path: Terraform (1.5) points at the
		// resource block, not at the value, for nested attributes.
		diags.AddAttributeError(tfPath(e.Path), e.Summary, composite.PathString(e.Path)+": "+e.Detail)
	}
	return diags
}

// mergeTags returns default tags overlaid with resource tags.
func mergeTags(defaults, tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// resourcesMap renders the planned/recorded children as the resources map.
// arnOf returns the known ARN of a key, or ok=false for "known after apply".
func resourcesMap(children []composite.Child, arnOf func(key string) (string, bool)) types.Map {
	elems := map[string]attr.Value{}
	keys := make([]string, 0, len(children))
	byKey := map[string]composite.Child{}
	for _, ch := range children {
		keys = append(keys, ch.Key)
		byKey[ch.Key] = ch
	}
	sort.Strings(keys)
	for _, k := range keys {
		ch := byKey[k]
		arn := types.StringUnknown()
		if a, ok := arnOf(k); ok {
			arn = types.StringValue(a)
		}
		elems[k] = types.ObjectValueMust(childObjectType.AttrTypes, map[string]attr.Value{
			"kind": types.StringValue(string(ch.Kind)),
			"name": types.StringValue(ch.Name),
			"arn":  arn,
		})
	}
	return types.MapValueMust(childObjectType, elems)
}

// recordedResourcesMap renders recorded children (state after apply/read).
func recordedResourcesMap(rec map[string]composite.Recorded) types.Map {
	elems := map[string]attr.Value{}
	for k, r := range rec {
		elems[k] = types.ObjectValueMust(childObjectType.AttrTypes, map[string]attr.Value{
			"kind": types.StringValue(string(r.Kind)),
			"name": types.StringValue(r.Name),
			"arn":  types.StringValue(r.ARN),
		})
	}
	return types.MapValueMust(childObjectType, elems)
}
