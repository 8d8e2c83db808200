package service

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// fromSpec is the inverse of toSpec: it sets every input attribute of the
// model from the spec, as a plan of a configuration that writes exactly the
// spec would hold them. Import uses it on the spec composite rebuilds from
// what AWS reports (composite.ServiceSpecFromObserved).
//
//   - An unset spec field (nil pointer, "", nil or empty list/map, nil
//     block, false for a plain bool) is an attribute the configuration leaves
//     out: null, or the schema default when the attribute has one (cpu,
//     memory, desired_count, cpu_architecture, log_retention_days,
//     enable_execute_command), because that is what the plan holds for it.
//   - Set values become known values; sets are sorted and distinct.
//   - Nested objects are built with the resource schema's attribute types.
//
// Computed attributes (id, arn, the *_arn / url / name / priority outputs,
// resources, tags_all) and timeouts are left untouched: the caller fills them.
//
// Hence toSpec(fromSpec(s)) == s up to the schema defaults (nil -> the
// default), set order and duplicates, and empty lists/maps (-> nil), none of
// which change what ExpandService builds.
func fromSpec(ctx context.Context, s composite.ServiceSpec, into *serviceModel) diag.Diagnostics {
	b := adapter.NewModelBuilder(ctx, serviceSchema(ctx))
	m := into

	m.Name = b.Str(s.Name, "name")
	m.Cluster = b.Str(s.Cluster, "cluster")
	m.CPU = b.Int(s.CPU, "cpu")
	m.Memory = b.Int(s.Memory, "memory")
	m.DesiredCount = b.Int(s.DesiredCount, "desired_count")
	m.CPUArchitecture = b.Str(s.CPUArchitecture, "cpu_architecture")
	m.TaskRolePolicyJSON = b.Str(s.TaskRolePolicyJSON, "task_role_policy_json")
	m.KMSKeyARNs = b.Set(s.KMSKeyARNs, "kms_key_arns")
	m.LogRetentionDays = b.Int(s.LogRetentionDays, "log_retention_days")
	m.EnableExecuteCommand = b.Flag(s.EnableExecuteCommand, "enable_execute_command")
	m.HealthCheckGracePeriod = b.Int(s.HealthCheckGracePeriod, "health_check_grace_period")
	m.Tags = b.StrMap(s.Tags, "tags")

	// Containers.
	if s.Containers == nil {
		m.Containers = types.MapNull(b.ElemType("containers"))
	} else {
		cms := make(map[string]attr.Value, len(s.Containers))
		for name, c := range s.Containers {
			cms[name] = b.Object(containerModel{
				Image:       b.Str(c.Image, "containers", "image"),
				ImageTag:    b.Str(c.ImageTag, "containers", "image_tag"),
				Port:        b.Int(c.Port, "containers", "port"),
				Command:     b.List(c.Command, "containers", "command"),
				EntryPoint:  b.List(c.EntryPoint, "containers", "entry_point"),
				Environment: b.StrMap(c.Environment, "containers", "environment"),
				Secrets:     b.StrMap(c.Secrets, "containers", "secrets"),
				Essential:   b.Bool(c.Essential, "containers", "essential"),
				CPU:         b.Int(c.CPU, "containers", "cpu"),
				Memory:      b.Int(c.Memory, "containers", "memory"),
			}, "containers")
		}
		m.Containers = b.MapOf(cms, "containers")
	}

	// Network (required: always an object).
	n := s.Network
	m.Network = b.Object(networkModel{
		SubnetIDs:        b.Set(n.SubnetIDs, "network", "subnet_ids"),
		SecurityGroupIDs: b.Set(n.SecurityGroupIDs, "network", "security_group_ids"),
		AssignPublicIP:   b.Flag(n.AssignPublicIP, "network", "assign_public_ip"),
		VpcID:            b.Str(n.VpcID, "network", "vpc_id"),
	}, "network")

	// Load balancer.
	m.LoadBalancer = b.Null("load_balancer")
	if lb := s.LoadBalancer; lb != nil {
		hc := b.Null("load_balancer", "health_check")
		if h := lb.HealthCheck; h != nil {
			hp := func(n string) []string { return []string{"load_balancer", "health_check", n} }
			hc = b.Object(healthCheckModel{
				Path:               b.Str(h.Path, hp("path")...),
				Matcher:            b.Str(h.Matcher, hp("matcher")...),
				Interval:           b.Int(h.Interval, hp("interval")...),
				Timeout:            b.Int(h.Timeout, hp("timeout")...),
				HealthyThreshold:   b.Int(h.HealthyThreshold, hp("healthy_threshold")...),
				UnhealthyThreshold: b.Int(h.UnhealthyThreshold, hp("unhealthy_threshold")...),
			}, "load_balancer", "health_check")
		}
		m.LoadBalancer = b.Object(loadBalancerModel{
			ListenerARN:         b.Str(lb.ListenerARN, "load_balancer", "listener_arn"),
			ContainerName:       b.Str(lb.ContainerName, "load_balancer", "container_name"),
			PathPatterns:        b.Set(lb.PathPatterns, "load_balancer", "path_patterns"),
			HostHeaders:         b.Set(lb.HostHeaders, "load_balancer", "host_headers"),
			Priority:            b.Int(lb.Priority, "load_balancer", "priority"),
			DeregistrationDelay: b.Int(lb.DeregistrationDelay, "load_balancer", "deregistration_delay"),
			ProtocolVersion:     b.Str(lb.ProtocolVersion, "load_balancer", "protocol_version"),
			HealthCheck:         hc,
		}, "load_balancer")
	}

	// Service discovery.
	m.ServiceDiscovery = b.Null("service_discovery")
	if sd := s.ServiceDiscovery; sd != nil {
		m.ServiceDiscovery = b.Object(serviceDiscoveryModel{
			NamespaceID:   b.Str(sd.NamespaceID, "service_discovery", "namespace_id"),
			DNSTTL:        b.Int(sd.DNSTTL, "service_discovery", "dns_ttl"),
			NamespaceType: b.Str(sd.NamespaceType, "service_discovery", "namespace_type"),
			ContainerName: b.Str(sd.ContainerName, "service_discovery", "container_name"),
		}, "service_discovery")
	}

	// Repository.
	m.Repository = b.Null("repository")
	if r := s.Repository; r != nil {
		m.Repository = b.Object(repositoryModel{
			ScanOnPush:         b.Bool(r.ScanOnPush, "repository", "scan_on_push"),
			ImageTagMutability: b.Str(r.ImageTagMutability, "repository", "image_tag_mutability"),
			KeepImages:         b.Int(r.KeepImages, "repository", "keep_images"),
			ForceDelete:        b.Flag(r.ForceDelete, "repository", "force_delete"),
			BlockOnSeverity:    b.Str(r.BlockOnSeverity, "repository", "block_on_severity"),
		}, "repository")
	}

	// Deployment.
	m.Deployment = b.Null("deployment")
	if d := s.Deployment; d != nil {
		alarms := b.Null("deployment", "alarms")
		if a := d.Alarms; a != nil {
			alarms = b.Object(alarmsModel{
				Names:    b.Set(a.Names, "deployment", "alarms", "names"),
				Rollback: b.Bool(a.Rollback, "deployment", "alarms", "rollback"),
			}, "deployment", "alarms")
		}
		m.Deployment = b.Object(deploymentModel{
			CircuitBreakerRollback: b.Bool(d.CircuitBreakerRollback, "deployment", "circuit_breaker_rollback"),
			MinimumHealthyPercent:  b.Int(d.MinimumHealthyPercent, "deployment", "minimum_healthy_percent"),
			MaximumPercent:         b.Int(d.MaximumPercent, "deployment", "maximum_percent"),
			WaitForSteadyState:     b.Bool(d.WaitForSteadyState, "deployment", "wait_for_steady_state"),
			RedeployTriggers:       b.StrMap(d.RedeployTriggers, "deployment", "redeploy_triggers"),
			ImageOwner:             b.Str(d.ImageOwner, "deployment", "image_owner"),
			Alarms:                 alarms,
		}, "deployment")
	}

	// Capacity provider strategy.
	const strategies = "capacity_provider_strategy"
	if s.CapacityProviderStrategy == nil {
		m.CapacityStrategy = b.UnsetList(b.ElemType(strategies), strategies)
	} else {
		elems := make([]attr.Value, 0, len(s.CapacityProviderStrategy))
		for _, st := range s.CapacityProviderStrategy {
			elems = append(elems, b.Object(strategyModel{
				CapacityProvider: b.Str(st.CapacityProvider, strategies, "capacity_provider"),
				Weight:           b.Int(st.Weight, strategies, "weight"),
				Base:             b.Int(st.Base, strategies, "base"),
			}, strategies))
		}
		m.CapacityStrategy = b.ListOf(elems, strategies)
	}

	// Autoscaling.
	m.Autoscaling = b.Null("autoscaling")
	if a := s.Autoscaling; a != nil {
		schedules := types.MapNull(b.ElemType("autoscaling", "schedules"))
		if a.Schedules != nil {
			elems := make(map[string]attr.Value, len(a.Schedules))
			for name, sc := range a.Schedules {
				sp := func(n string) []string { return []string{"autoscaling", "schedules", n} }
				elems[name] = b.Object(scheduleModel{
					Schedule: b.Str(sc.Schedule, sp("schedule")...),
					Timezone: b.Str(sc.Timezone, sp("timezone")...),
					MinCount: b.Int(sc.MinCount, sp("min_count")...),
					MaxCount: b.Int(sc.MaxCount, sp("max_count")...),
				}, "autoscaling", "schedules")
			}
			schedules = b.MapOf(elems, "autoscaling", "schedules")
		}
		at := func(n string) []string { return []string{"autoscaling", n} }
		m.Autoscaling = b.Object(autoscalingModel{
			MinCount:          b.Int(a.MinCount, at("min_count")...),
			MaxCount:          b.Int(a.MaxCount, at("max_count")...),
			CPUTarget:         b.Int(a.CPUTarget, at("cpu_target")...),
			MemoryTarget:      b.Int(a.MemoryTarget, at("memory_target")...),
			RequestsPerTarget: b.Int(a.RequestsPerTarget, at("requests_per_target")...),
			ScaleInCooldown:   b.Int(a.ScaleInCooldown, at("scale_in_cooldown")...),
			ScaleOutCooldown:  b.Int(a.ScaleOutCooldown, at("scale_out_cooldown")...),
			Schedules:         schedules,
		}, "autoscaling")
	}
	return b.Diags()
}

// serviceSchema returns the resource schema.
func serviceSchema(ctx context.Context) schema.Schema {
	var resp resource.SchemaResponse
	schemaInto(ctx, &resp)
	return resp.Schema
}
