package service

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

func schemaInto(ctx context.Context, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A load-balanced (or internal) Fargate service and everything it needs. One block expands into " +
			"IAM execution and task roles, a log group, an optional ECR repository, an optional target group and listener rule, " +
			"an optional Cloud Map service, a task definition and the ECS service. The `resources` attribute lists every child " +
			"with its name at plan time, so `terraform plan` shows the whole expansion.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "`<cluster name>/<name>`; also the import id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Service name, also the prefix of every child's name. 1-32 characters: lowercase letters, digits " +
					"and hyphens, starting with a letter. Changing it replaces the service.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"cluster": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name or ARN of an existing ECS cluster. Moving to another cluster replaces the service; " +
					"switching between the name and the ARN of the same cluster does not.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = composite.ClusterName(req.StateValue.ValueString()) != composite.ClusterName(req.PlanValue.ValueString())
					}, "Moving the service to another cluster replaces it.", "Moving the service to another cluster replaces it.")},
			},
			"cpu": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultCPU),
				MarkdownDescription: "Fargate task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384. Default `256`.",
			},
			"memory": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultMemory),
				MarkdownDescription: "Task memory in MiB; must be a valid Fargate combination with `cpu` (checked at plan). Default `512`.",
			},
			"desired_count": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultDesiredCount),
				MarkdownDescription: "Number of tasks to run. Default `1`. With `autoscaling` it is the count the service starts " +
					"with (brought inside `min_count`..`max_count`): the scaler owns the count afterwards, so a changed " +
					"`desired_count` or a count the scaler set is not a change to apply.",
			},
			"cpu_architecture": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(composite.DefaultCPUArchitecture),
				MarkdownDescription: "`X86_64` or `ARM64`. Default `X86_64`.",
			},
			"containers": schema.MapNestedAttribute{
				Required:            true,
				MarkdownDescription: "Containers of the task, keyed by container name. At least one.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"image": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Full image reference. Exactly one of `image` and `image_tag`."},
					"image_tag": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Tag in the service's managed ECR repository (needs the `repository` block). " +
							"The first apply creates the repository empty: while the tagged image is absent the ECS service is " +
							"created (or kept) at desired count 0 without a steady-state wait, with a warning; push the image " +
							"(`repository_url`) and apply again to scale it up. See \"Bootstrapping an image\" below."},
					"port": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Container port (TCP, 1-65535) published with a port mapping. Unset: no port."},
					"command": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Command override."},
					"entry_point": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Entry point override."},
					"environment": schema.MapAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Plain environment variables. Never put secrets here: use `secrets`."},
					"secrets": schema.MapAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Environment variable name to Secrets Manager secret ARN or SSM parameter ARN. Injected " +
							"through `valueFrom`; the execution role may read exactly these ARNs."},
					"essential": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Whether the task stops when this container stops. Default `true`."},
					"cpu":    schema.Int64Attribute{Optional: true, MarkdownDescription: "CPU units reserved for the container."},
					"memory": schema.Int64Attribute{Optional: true, MarkdownDescription: "Hard memory limit of the container in MiB."},
				}},
			},
			"network": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "awsvpc networking of the tasks.",
				Attributes: map[string]schema.Attribute{
					"subnet_ids": schema.SetAttribute{Required: true, ElementType: types.StringType,
						MarkdownDescription: "Subnets for the tasks (`subnet-...`), at least one."},
					"security_group_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Security groups for the tasks (`sg-...`)."},
					"assign_public_ip": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Give tasks a public IP. Default `false`."},
					"vpc_id": schema.StringAttribute{Optional: true,
						MarkdownDescription: "VPC of the subnets; looked up from the first subnet when unset."},
				},
			},
			"load_balancer": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Expose the service through an existing ALB listener: creates a target group (ip targets) and a " +
					"forward rule on the listener.",
				Attributes: map[string]schema.Attribute{
					"listener_arn": schema.StringAttribute{Required: true, MarkdownDescription: "ARN of an existing ALB listener."},
					"container_name": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Container receiving traffic; it must have a `port`. Default: the only container with a port."},
					"path_patterns": schema.SetAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Path patterns of the rule, e.g. `[\"/api/*\"]`."},
					"host_headers": schema.SetAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Host headers of the rule. At most 5 path patterns and host headers in total."},
					"priority": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Rule priority, 1-50000. Unset: the lowest free priority is allocated once and kept " +
							"(see `listener_rule_priority`)."},
					"deregistration_delay": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Seconds to drain a target, 0-3600. Default `30`."},
					"protocol_version": schema.StringAttribute{Optional: true,
						MarkdownDescription: "`HTTP1`, `HTTP2` or `GRPC`. Default `HTTP1`. Changing it replaces the target group."},
					"health_check": schema.SingleNestedAttribute{
						Optional:            true,
						MarkdownDescription: "Target group health check.",
						Attributes: map[string]schema.Attribute{
							"path":                schema.StringAttribute{Optional: true, MarkdownDescription: "Default `/`."},
							"matcher":             schema.StringAttribute{Optional: true, MarkdownDescription: "HTTP codes, default `200-399`."},
							"interval":            schema.Int64Attribute{Optional: true, MarkdownDescription: "Seconds, 5-300. Default `15`."},
							"timeout":             schema.Int64Attribute{Optional: true, MarkdownDescription: "Seconds, 2-120, less than interval. Default `5`."},
							"healthy_threshold":   schema.Int64Attribute{Optional: true, MarkdownDescription: "2-10. Default `3`."},
							"unhealthy_threshold": schema.Int64Attribute{Optional: true, MarkdownDescription: "2-10. Default `3`."},
						},
					},
				},
			},
			"service_discovery": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Register tasks in an existing Cloud Map namespace: A and SRV records in a DNS namespace, " +
					"instance registration only (no records, as Cloud Map requires) in an HTTP namespace.",
				Attributes: map[string]schema.Attribute{
					"namespace_id": schema.StringAttribute{Required: true, MarkdownDescription: "Namespace id (`ns-...`)."},
					"namespace_type": schema.StringAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "`DNS_PRIVATE`, `DNS_PUBLIC` or `HTTP`. Default: looked up from `namespace_id` at plan " +
							"(one Cloud Map `GetNamespace` call, kept in state), or at apply when the namespace is created in the same " +
							"apply; set it (e.g. to `containerapp_cluster.x.service_discovery.type`) to avoid the lookup. Changing it " +
							"replaces the Cloud Map service.",
						Validators: []validator.String{stringvalidator.OneOf("DNS_PRIVATE", "DNS_PUBLIC", "HTTP")},
					},
					"dns_ttl": schema.Int64Attribute{Optional: true, MarkdownDescription: "TTL of the records in seconds (DNS namespaces only). Default `10`."},
					"container_name": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Container whose port the SRV record publishes (DNS namespaces only). Default: the load balancer's container, else the only container with a port."},
				},
			},
			"repository": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "An ECR repository owned by the service, with scanning and a lifecycle policy.",
				Attributes: map[string]schema.Attribute{
					"scan_on_push": schema.BoolAttribute{Optional: true, MarkdownDescription: "Scan images on push (ECR basic scanning). Default `true`. " +
						"ECR ignores this repository setting when the account's registry-level scanning configuration has rules (enhanced " +
						"scanning, or basic scanning with filters); the provider never changes that account-wide configuration."},
					"image_tag_mutability": schema.StringAttribute{Optional: true,
						MarkdownDescription: "`IMMUTABLE` or `MUTABLE`. Default `IMMUTABLE`."},
					"keep_images": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Lifecycle policy: keep the newest N images, 1-1000. Default `30`."},
					"force_delete": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Delete the repository even if it holds images. Default `false`."},
					"block_on_severity": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Image scan gate: `CRITICAL`, `HIGH` or `MEDIUM`. Before a deploy of an image of this repository " +
							"(`containers.<name>.image_tag`), the apply waits for the image's ECR scan and refuses the deploy when it has " +
							"findings at or above this severity: the service keeps running its current task definition. Needs a container " +
							"with `image_tag`. Default: no gate. See [Image scan gate](#image-scan-gate)."},
				},
			},
			"kms_key_arns": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "ARNs of the customer-managed KMS keys that encrypt the containers' `secrets` (Secrets Manager " +
					"secrets or SecureString parameters): the execution role gets `kms:Decrypt` on exactly these keys. Not needed for " +
					"secrets encrypted with the AWS-managed key. Key ARNs (`arn:...:kms:<region>:<account>:key/<id>`), not aliases.",
			},
			"task_role_policy_json": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Inline IAM policy (JSON) for the application's task role. Without it the task role has no permissions."},
			"log_retention_days": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultLogRetentionDays),
				MarkdownDescription: "Log retention in days, one of CloudWatch's allowed values. Default `30`.",
			},
			"enable_execute_command": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Enable ECS Exec (adds the SSM messages permissions to the task role). Default `false`.",
			},
			"health_check_grace_period": schema.Int64Attribute{Optional: true,
				MarkdownDescription: "Seconds ECS ignores load balancer health checks after a task starts."},
			"deployment": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Rolling deployment settings.",
				Attributes: map[string]schema.Attribute{
					"circuit_breaker_rollback": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Roll back a failed deployment. The circuit breaker is always on. Default `true`."},
					"minimum_healthy_percent": schema.Int64Attribute{Optional: true, MarkdownDescription: "0-100. Default `100`."},
					"maximum_percent":         schema.Int64Attribute{Optional: true, MarkdownDescription: "100-200. Default `200`."},
					"wait_for_steady_state": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Wait until the deployment completes on create and update; a failed rollout is an error " +
							"with the service's latest events. Default `true`."},
					"redeploy_triggers": schema.MapAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Arbitrary values; any change starts a new deployment of the same task definition " +
							"(`forceNewDeployment`): the way to roll the tasks onto a new image pushed under a mutable tag such as " +
							"`latest`, or to restart them. Removing the map starts none."},
					"image_owner": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Who deploys images: `terraform` (default: the configuration's images run, and a revision a " +
							"pipeline deployed is put back by the next apply, which the plan says) or `external` (a pipeline: the " +
							"configuration's images are the initial ones only; a revision the pipeline registers and deploys is adopted " +
							"with an empty plan, and a later change of anything else registers a revision that keeps the pipeline's " +
							"images). See [Deployments owned by CI](#deployments-owned-by-ci)."},
					"alarms": schema.SingleNestedAttribute{Optional: true,
						MarkdownDescription: "CloudWatch alarms watched during a deployment (`deploymentConfiguration.alarms`): one in " +
							"`ALARM` fails the deployment, and the apply error names it.",
						Attributes: map[string]schema.Attribute{
							"names": schema.SetAttribute{Required: true, ElementType: types.StringType,
								MarkdownDescription: "Names of existing CloudWatch alarms (no commas)."},
							"rollback": schema.BoolAttribute{Optional: true,
								MarkdownDescription: "Roll back to the last completed deployment when an alarm fires. Default `true`."},
						},
					},
				},
			},
			"capacity_provider_strategy": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: "The service's own capacity provider strategy: `FARGATE` and `FARGATE_SPOT` entries, at most " +
					"one with a `base`, at least one with a `weight`. Unset: the service runs on its cluster's default strategy " +
					"(a `containerapp_cluster` with a `FARGATE_SPOT` default runs it on Spot). A change is applied in place with " +
					"a new deployment; removing it moves the service to the cluster's current default strategy.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"capacity_provider": schema.StringAttribute{Required: true, MarkdownDescription: "`FARGATE` or `FARGATE_SPOT`."},
					"weight": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultStrategyWeight),
						MarkdownDescription: "Relative share of tasks, 0-1000. Default `1`."},
					"base": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultStrategyBase),
						MarkdownDescription: "Tasks placed on this provider first, 0-100000. Default `0`."},
				}},
			},
			"autoscaling": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Application Auto Scaling of the service's desired count: a scalable target, one " +
					"target-tracking policy per target given and one scheduled action per schedule. At least one of " +
					"`cpu_target`, `memory_target`, `requests_per_target` or `schedules`.",
				Attributes: map[string]schema.Attribute{
					"min_count": schema.Int64Attribute{Required: true, MarkdownDescription: "Fewest tasks the scaler keeps (0-5000)."},
					"max_count": schema.Int64Attribute{Required: true, MarkdownDescription: "Most tasks the scaler runs (1-5000, at least `min_count`)."},
					"cpu_target": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Average CPU utilization (percent, 1-100) to hold: an `ECSServiceAverageCPUUtilization` policy."},
					"memory_target": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Average memory utilization (percent, 1-100) to hold: an `ECSServiceAverageMemoryUtilization` policy."},
					"requests_per_target": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Load balancer requests per task per minute to hold: an `ALBRequestCountPerTarget` policy " +
							"on the service's target group. Needs `load_balancer`."},
					"scale_in_cooldown": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Seconds after a scale-in before the next one. Default `300`."},
					"scale_out_cooldown": schema.Int64Attribute{Optional: true,
						MarkdownDescription: "Seconds after a scale-out before the next one. Default `60`."},
					"schedules": schema.MapNestedAttribute{
						Optional: true,
						MarkdownDescription: "Scheduled changes of the range, keyed by a name (letters, digits, `_`, `-`), " +
							"e.g. a smaller `max_count` at night.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"schedule": schema.StringAttribute{Required: true,
								MarkdownDescription: "`cron(minutes hours day-of-month month day-of-week year)`, `rate(value unit)` or `at(yyyy-mm-ddThh:mm:ss)`."},
							"timezone":  schema.StringAttribute{Optional: true, MarkdownDescription: "IANA time zone of the schedule. Default `UTC`."},
							"min_count": schema.Int64Attribute{Optional: true, MarkdownDescription: "The scaler's `min_count` from then on."},
							"max_count": schema.Int64Attribute{Optional: true, MarkdownDescription: "The scaler's `max_count` from then on."},
						}},
					},
				},
			},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for every taggable child, merged over the provider's `default_tags`."},
			"tags_all": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`default_tags` merged with `tags` (ownership tags `containerapp:owner` and `containerapp:key` are added per child)."},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),

			"arn":                    computedString("ARN of the ECS service."),
			"task_definition_arn":    computedString("ARN of the current task definition revision."),
			"target_group_arn":       computedString("ARN of the target group (with `load_balancer`)."),
			"listener_rule_arn":      computedString("ARN of the listener rule (with `load_balancer`)."),
			"listener_rule_priority": schema.Int64Attribute{Computed: true, MarkdownDescription: "Priority the listener rule holds (allocated when `priority` is unset)."},
			"discovery_service_arn":  computedString("ARN of the Cloud Map service (with `service_discovery`)."),
			"repository_url":         computedString("URL of the ECR repository (with `repository`)."),
			"execution_role_arn":     computedString("ARN of the task execution role."),
			"task_role_arn":          computedString("ARN of the task role."),
			"log_group_name":         computedString("Name of the CloudWatch Logs log group."),
			"resources": schema.MapAttribute{
				Computed: true, ElementType: adapter.ChildObjectType,
				MarkdownDescription: "Every AWS child of the service, by logical key (`execution_role`, `task_role`, `log_group`, " +
					"`repository`, `target_group`, `listener_rule`, `discovery_service`, `task_definition`, `service`, ...): " +
					"`kind` (the AWS resource type), `name` and `arn` (the id for kinds without an ARN). Names are known at plan " +
					"time; a child that the plan creates or replaces shows `arn` as known after apply.",
			},
		},
	}
}
