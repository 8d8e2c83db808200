package service

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
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
	KMSKeyARNs             types.Set      `tfsdk:"kms_key_arns"`
	LogRetentionDays       types.Int64    `tfsdk:"log_retention_days"`
	EnableExecuteCommand   types.Bool     `tfsdk:"enable_execute_command"`
	HealthCheckGracePeriod types.Int64    `tfsdk:"health_check_grace_period"`
	Deployment             types.Object   `tfsdk:"deployment"`
	Autoscaling            types.Object   `tfsdk:"autoscaling"`
	CapacityStrategy       types.List     `tfsdk:"capacity_provider_strategy"`
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
	NamespaceType types.String `tfsdk:"namespace_type"`
	DNSTTL        types.Int64  `tfsdk:"dns_ttl"`
	ContainerName types.String `tfsdk:"container_name"`
}

type repositoryModel struct {
	ScanOnPush         types.Bool   `tfsdk:"scan_on_push"`
	ImageTagMutability types.String `tfsdk:"image_tag_mutability"`
	KeepImages         types.Int64  `tfsdk:"keep_images"`
	ForceDelete        types.Bool   `tfsdk:"force_delete"`
	BlockOnSeverity    types.String `tfsdk:"block_on_severity"`
}

type deploymentModel struct {
	CircuitBreakerRollback types.Bool   `tfsdk:"circuit_breaker_rollback"`
	MinimumHealthyPercent  types.Int64  `tfsdk:"minimum_healthy_percent"`
	MaximumPercent         types.Int64  `tfsdk:"maximum_percent"`
	WaitForSteadyState     types.Bool   `tfsdk:"wait_for_steady_state"`
	RedeployTriggers       types.Map    `tfsdk:"redeploy_triggers"`
	ImageOwner             types.String `tfsdk:"image_owner"`
	Alarms                 types.Object `tfsdk:"alarms"`
}

type alarmsModel struct {
	Names    types.Set  `tfsdk:"names"`
	Rollback types.Bool `tfsdk:"rollback"`
}

type strategyModel struct {
	CapacityProvider types.String `tfsdk:"capacity_provider"`
	Weight           types.Int64  `tfsdk:"weight"`
	Base             types.Int64  `tfsdk:"base"`
}

type autoscalingModel struct {
	MinCount          types.Int64 `tfsdk:"min_count"`
	MaxCount          types.Int64 `tfsdk:"max_count"`
	CPUTarget         types.Int64 `tfsdk:"cpu_target"`
	MemoryTarget      types.Int64 `tfsdk:"memory_target"`
	RequestsPerTarget types.Int64 `tfsdk:"requests_per_target"`
	ScaleInCooldown   types.Int64 `tfsdk:"scale_in_cooldown"`
	ScaleOutCooldown  types.Int64 `tfsdk:"scale_out_cooldown"`
	Schedules         types.Map   `tfsdk:"schedules"`
}

type scheduleModel struct {
	Schedule types.String `tfsdk:"schedule"`
	Timezone types.String `tfsdk:"timezone"`
	MinCount types.Int64  `tfsdk:"min_count"`
	MaxCount types.Int64  `tfsdk:"max_count"`
}

// unknownPlaceholder stands in for a value only known after apply, so the
// plan can still expand the children (their names are known) while the
// values themselves are unknown.
const unknownPlaceholder = "(known after apply)"

func ap(names ...string) []composite.PathStep { return adapter.AP(names...) }

// toSpec converts the model into a spec. Unknown values become placeholders
// and their paths are returned.
func toSpec(ctx context.Context, m serviceModel) (composite.ServiceSpec, [][]composite.PathStep, diag.Diagnostics) {
	c := &adapter.Converter{Ctx: ctx, Placeholder: unknownPlaceholder}
	s := composite.ServiceSpec{
		Name:                   c.Str(m.Name, ap("name")),
		Cluster:                c.Str(m.Cluster, ap("cluster")),
		CPU:                    c.IntPtr(m.CPU, ap("cpu")),
		Memory:                 c.IntPtr(m.Memory, ap("memory")),
		DesiredCount:           c.IntPtr(m.DesiredCount, ap("desired_count")),
		CPUArchitecture:        c.Str(m.CPUArchitecture, ap("cpu_architecture")),
		TaskRolePolicyJSON:     c.Str(m.TaskRolePolicyJSON, ap("task_role_policy_json")),
		KMSKeyARNs:             c.Set(m.KMSKeyARNs, ap("kms_key_arns")),
		LogRetentionDays:       c.IntPtr(m.LogRetentionDays, ap("log_retention_days")),
		HealthCheckGracePeriod: c.IntPtr(m.HealthCheckGracePeriod, ap("health_check_grace_period")),
		Tags:                   c.StrMap(m.Tags, ap("tags")),
	}
	// The Fargate size check needs both numbers: while one is unknown, the
	// other is not checked either.
	if m.CPU.IsUnknown() || m.Memory.IsUnknown() {
		c.MarkUnknown(ap("cpu"))
		c.MarkUnknown(ap("memory"))
	}
	if b := c.BoolPtr(m.EnableExecuteCommand, ap("enable_execute_command")); b != nil {
		s.EnableExecuteCommand = *b
	}
	if m.Containers.IsUnknown() {
		c.MarkUnknown(ap("containers"))
	} else if !m.Containers.IsNull() {
		var cms map[string]containerModel
		c.Diags.Append(m.Containers.ElementsAs(ctx, &cms, false)...)
		s.Containers = map[string]composite.ContainerSpec{}
		for name, cm := range cms {
			p := append(ap("containers"), composite.KeyStep(name))
			at := func(n string) []composite.PathStep {
				return append(append([]composite.PathStep(nil), p...), composite.AttrStep(n))
			}
			s.Containers[name] = composite.ContainerSpec{
				Image:       c.Str(cm.Image, at("image")),
				ImageTag:    c.Str(cm.ImageTag, at("image_tag")),
				Port:        c.IntPtr(cm.Port, at("port")),
				Command:     c.List(cm.Command, at("command")),
				EntryPoint:  c.List(cm.EntryPoint, at("entry_point")),
				Environment: c.StrMap(cm.Environment, at("environment")),
				Secrets:     c.StrMap(cm.Secrets, at("secrets")),
				Essential:   c.BoolPtr(cm.Essential, at("essential")),
				CPU:         c.IntPtr(cm.CPU, at("cpu")),
				Memory:      c.IntPtr(cm.Memory, at("memory")),
			}
		}
	}
	var nm networkModel
	if c.Object(m.Network, ap("network"), &nm) {
		s.Network = composite.NetworkSpec{
			SubnetIDs:        c.Set(nm.SubnetIDs, ap("network", "subnet_ids")),
			SecurityGroupIDs: c.Set(nm.SecurityGroupIDs, ap("network", "security_group_ids")),
			VpcID:            c.Str(nm.VpcID, ap("network", "vpc_id")),
		}
		if b := c.BoolPtr(nm.AssignPublicIP, ap("network", "assign_public_ip")); b != nil {
			s.Network.AssignPublicIP = *b
		}
	}
	var lm loadBalancerModel
	if c.Object(m.LoadBalancer, ap("load_balancer"), &lm) {
		lb := &composite.LoadBalancerSpec{
			ListenerARN:         c.Str(lm.ListenerARN, ap("load_balancer", "listener_arn")),
			ContainerName:       c.Str(lm.ContainerName, ap("load_balancer", "container_name")),
			PathPatterns:        c.Set(lm.PathPatterns, ap("load_balancer", "path_patterns")),
			HostHeaders:         c.Set(lm.HostHeaders, ap("load_balancer", "host_headers")),
			Priority:            c.IntPtr(lm.Priority, ap("load_balancer", "priority")),
			DeregistrationDelay: c.IntPtr(lm.DeregistrationDelay, ap("load_balancer", "deregistration_delay")),
			ProtocolVersion:     c.Str(lm.ProtocolVersion, ap("load_balancer", "protocol_version")),
		}
		var hm healthCheckModel
		if c.Object(lm.HealthCheck, ap("load_balancer", "health_check"), &hm) {
			hp := func(n string) []composite.PathStep { return ap("load_balancer", "health_check", n) }
			lb.HealthCheck = &composite.HealthCheckSpec{
				Path:               c.Str(hm.Path, hp("path")),
				Matcher:            c.Str(hm.Matcher, hp("matcher")),
				Interval:           c.IntPtr(hm.Interval, hp("interval")),
				Timeout:            c.IntPtr(hm.Timeout, hp("timeout")),
				HealthyThreshold:   c.IntPtr(hm.HealthyThreshold, hp("healthy_threshold")),
				UnhealthyThreshold: c.IntPtr(hm.UnhealthyThreshold, hp("unhealthy_threshold")),
			}
		}
		s.LoadBalancer = lb
	}
	var sm serviceDiscoveryModel
	if c.Object(m.ServiceDiscovery, ap("service_discovery"), &sm) {
		s.ServiceDiscovery = &composite.ServiceDiscoverySpec{
			NamespaceID:   c.Str(sm.NamespaceID, ap("service_discovery", "namespace_id")),
			NamespaceType: c.Str(sm.NamespaceType, ap("service_discovery", "namespace_type")),
			DNSTTL:        c.IntPtr(sm.DNSTTL, ap("service_discovery", "dns_ttl")),
			ContainerName: c.Str(sm.ContainerName, ap("service_discovery", "container_name")),
		}
	}
	var rm repositoryModel
	if c.Object(m.Repository, ap("repository"), &rm) {
		s.Repository = &composite.RepositorySpec{
			ScanOnPush:         c.BoolPtr(rm.ScanOnPush, ap("repository", "scan_on_push")),
			ImageTagMutability: c.Str(rm.ImageTagMutability, ap("repository", "image_tag_mutability")),
			KeepImages:         c.IntPtr(rm.KeepImages, ap("repository", "keep_images")),
			BlockOnSeverity:    c.Str(rm.BlockOnSeverity, ap("repository", "block_on_severity")),
		}
		if b := c.BoolPtr(rm.ForceDelete, ap("repository", "force_delete")); b != nil {
			s.Repository.ForceDelete = *b
		}
	}
	var dm deploymentModel
	if c.Object(m.Deployment, ap("deployment"), &dm) {
		s.Deployment = &composite.DeploymentSpec{
			CircuitBreakerRollback: c.BoolPtr(dm.CircuitBreakerRollback, ap("deployment", "circuit_breaker_rollback")),
			MinimumHealthyPercent:  c.IntPtr(dm.MinimumHealthyPercent, ap("deployment", "minimum_healthy_percent")),
			MaximumPercent:         c.IntPtr(dm.MaximumPercent, ap("deployment", "maximum_percent")),
			WaitForSteadyState:     c.BoolPtr(dm.WaitForSteadyState, ap("deployment", "wait_for_steady_state")),
			RedeployTriggers:       c.StrMap(dm.RedeployTriggers, ap("deployment", "redeploy_triggers")),
			ImageOwner:             c.Str(dm.ImageOwner, ap("deployment", "image_owner")),
		}
		var alm alarmsModel
		if c.Object(dm.Alarms, ap("deployment", "alarms"), &alm) {
			s.Deployment.Alarms = &composite.DeploymentAlarmsSpec{
				Names:    c.Set(alm.Names, ap("deployment", "alarms", "names")),
				Rollback: c.BoolPtr(alm.Rollback, ap("deployment", "alarms", "rollback")),
			}
		}
	}
	sp := ap("capacity_provider_strategy")
	if m.CapacityStrategy.IsUnknown() {
		c.MarkUnknown(sp)
	} else if !m.CapacityStrategy.IsNull() {
		var items []strategyModel
		c.Diags.Append(m.CapacityStrategy.ElementsAs(ctx, &items, false)...)
		s.CapacityProviderStrategy = []composite.CapacityProviderStrategySpec{}
		for i, it := range items {
			p := append(append([]composite.PathStep{}, sp...), composite.IndexStep(i))
			at := func(n string) []composite.PathStep {
				return append(append([]composite.PathStep{}, p...), composite.AttrStep(n))
			}
			s.CapacityProviderStrategy = append(s.CapacityProviderStrategy, composite.CapacityProviderStrategySpec{
				CapacityProvider: c.Str(it.CapacityProvider, at("capacity_provider")),
				Weight:           c.IntPtr(it.Weight, at("weight")),
				Base:             c.IntPtr(it.Base, at("base")),
			})
		}
	}
	var am autoscalingModel
	if c.Object(m.Autoscaling, ap("autoscaling"), &am) {
		at := func(n string) []composite.PathStep { return ap("autoscaling", n) }
		a := &composite.AutoscalingSpec{
			MinCount:          c.IntPtr(am.MinCount, at("min_count")),
			MaxCount:          c.IntPtr(am.MaxCount, at("max_count")),
			CPUTarget:         c.IntPtr(am.CPUTarget, at("cpu_target")),
			MemoryTarget:      c.IntPtr(am.MemoryTarget, at("memory_target")),
			RequestsPerTarget: c.IntPtr(am.RequestsPerTarget, at("requests_per_target")),
			ScaleInCooldown:   c.IntPtr(am.ScaleInCooldown, at("scale_in_cooldown")),
			ScaleOutCooldown:  c.IntPtr(am.ScaleOutCooldown, at("scale_out_cooldown")),
		}
		if am.Schedules.IsUnknown() {
			c.MarkUnknown(at("schedules"))
		} else if !am.Schedules.IsNull() {
			var sms map[string]scheduleModel
			c.Diags.Append(am.Schedules.ElementsAs(ctx, &sms, false)...)
			a.Schedules = map[string]composite.ScheduleSpec{}
			for name, sm := range sms {
				sp := func(n string) []composite.PathStep {
					return append(at("schedules"), composite.KeyStep(name), composite.AttrStep(n))
				}
				a.Schedules[name] = composite.ScheduleSpec{
					Schedule: c.Str(sm.Schedule, sp("schedule")),
					Timezone: c.Str(sm.Timezone, sp("timezone")),
					MinCount: c.IntPtr(sm.MinCount, sp("min_count")),
					MaxCount: c.IntPtr(sm.MaxCount, sp("max_count")),
				}
			}
		}
		s.Autoscaling = a
	}
	return s, c.Unknown, c.Diags
}

// setAttributes are the set-typed attributes (by name).
var setAttributes = map[string]bool{"subnet_ids": true, "security_group_ids": true, "path_patterns": true, "host_headers": true, "kms_key_arns": true, "names": true}

// fieldDiagnostics maps validation errors onto this resource's attributes.
func fieldDiagnostics(errs []composite.FieldError, unknown [][]composite.PathStep) diag.Diagnostics {
	return adapter.FieldDiagnostics(errs, unknown, setAttributes)
}
