package service

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

var (
	_ datasource.DataSource              = &serviceDataSource{}
	_ datasource.DataSourceWithConfigure = &serviceDataSource{}
)

// NewServiceDataSource returns the containerapp_service data source.
func NewServiceDataSource() datasource.DataSource { return &serviceDataSource{} }

// serviceDataSource reads an existing containerapp_service by cluster and
// name. It rediscovers the children the way import does.
type serviceDataSource struct {
	clients *conns.Clients
}

type serviceDataSourceModel struct {
	Cluster              types.String `tfsdk:"cluster"`
	Name                 types.String `tfsdk:"name"`
	ID                   types.String `tfsdk:"id"`
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
	DesiredCount         types.Int64  `tfsdk:"desired_count"`
	CPU                  types.Int64  `tfsdk:"cpu"`
	Memory               types.Int64  `tfsdk:"memory"`
	Tags                 types.Map    `tfsdk:"tags"`
	TagsAll              types.Map    `tfsdk:"tags_all"`
}

func (d *serviceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}

func (d *serviceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a service created by the `containerapp_service` resource, by cluster and name, and exposes the " +
			"same computed attributes: the ARNs of its children and the `resources` map. The children are found the way " +
			"`terraform import` finds them (the ECS service's references and the `containerapp:owner` ownership tags). A " +
			"missing or INACTIVE service, or an ECS service that this provider did not create, is an error naming it.",
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name or ARN of the ECS cluster the service runs in.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the service (the `name` of the `containerapp_service` resource).",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, composite.MaxNameLength)},
			},
			"id":                  computedString("`<cluster name>/<name>`, the resource's id and import id."),
			"arn":                 computedString("ARN of the ECS service."),
			"task_definition_arn": computedString("ARN of the task definition revision the service runs."),
			"target_group_arn":    computedString("ARN of the target group; null without a load balancer."),
			"listener_rule_arn":   computedString("ARN of the listener rule; null without a load balancer."),
			"listener_rule_priority": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "Priority of the listener rule; null without a load balancer."},
			"discovery_service_arn": computedString("ARN of the Cloud Map service; null without service discovery."),
			"repository_url":        computedString("URL of the ECR repository; null without a repository."),
			"execution_role_arn":    computedString("ARN of the task execution role."),
			"task_role_arn":         computedString("ARN of the task role."),
			"log_group_name":        computedString("Name of the CloudWatch Logs log group."),
			"resources": schema.MapAttribute{
				Computed: true, ElementType: adapter.ChildObjectType,
				MarkdownDescription: "Every AWS child of the service found, by logical key: `kind` (the AWS resource type), `name` " +
					"and `arn` (the id for kinds without an ARN).",
			},
			"desired_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of tasks the service runs."},
			"cpu":           schema.Int64Attribute{Computed: true, MarkdownDescription: "Task CPU units."},
			"memory":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Task memory in MiB."},
			"tags": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The service's own tags: without the ownership tags and without the provider's `default_tags`."},
			"tags_all": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`default_tags` merged with `tags`."},
		},
	}
}

func (d *serviceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, diags := adapter.Clients(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if c != nil {
		d.clients = c
	}
}

func (d *serviceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = conns.WithLogging(ctx)
	var m serviceDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cluster, name := composite.ClusterName(m.Cluster.ValueString()), m.Name.ValueString()
	id := composite.ServiceID(cluster, name)
	if _, _, err := composite.ParseServiceID(id); err != nil {
		resp.Diagnostics.AddError("Invalid cluster or name", err.Error())
		return
	}
	sm := serviceModel{ID: types.StringValue(id), Cluster: types.StringValue(cluster), Name: types.StringValue(name)}
	found, err := newResource().Lookup(ctx, d.clients, &sm)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading containerapp_service %q", id), err.Error())
		return
	}
	if !found {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading containerapp_service %q", id),
			fmt.Sprintf("no ECS service %q in cluster %q: it does not exist, was deleted (INACTIVE), or the cluster does not exist", name, cluster))
		return
	}

	m.ID = types.StringValue(id)
	m.ARN = sm.ARN
	m.TaskDefinitionARN = sm.TaskDefinitionARN
	m.TargetGroupARN = sm.TargetGroupARN
	m.ListenerRuleARN = sm.ListenerRuleARN
	m.ListenerRulePriority = sm.ListenerRulePriority
	m.DiscoveryServiceARN = sm.DiscoveryServiceARN
	m.RepositoryURL = sm.RepositoryURL
	m.ExecutionRoleARN = sm.ExecutionRoleARN
	m.TaskRoleARN = sm.TaskRoleARN
	m.LogGroupName = sm.LogGroupName
	m.Resources = sm.Resources
	m.DesiredCount = sm.DesiredCount
	m.CPU = sm.CPU
	m.Memory = sm.Memory
	m.Tags = sm.Tags
	if m.Tags.IsNull() {
		m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	m.TagsAll = sm.TagsAll
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
