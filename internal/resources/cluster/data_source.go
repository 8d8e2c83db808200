package cluster

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
)

var (
	_ datasource.DataSource              = &clusterDataSource{}
	_ datasource.DataSourceWithConfigure = &clusterDataSource{}
)

// NewClusterDataSource returns the containerapp_cluster data source.
func NewClusterDataSource() datasource.DataSource { return &clusterDataSource{} }

type clusterDataSource struct {
	clients *conns.Clients
}

func (d *clusterDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

var strategyType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"capacity_provider": types.StringType,
	"weight":            types.Int64Type,
	"base":              types.Int64Type,
}}

func (d *clusterDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an existing ECS cluster by name or ARN. A missing or INACTIVE cluster is an error naming it.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Cluster name or ARN.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"id":     schema.StringAttribute{Computed: true, MarkdownDescription: "The cluster ARN."},
			"arn":    schema.StringAttribute{Computed: true, MarkdownDescription: "The cluster ARN."},
			"status": schema.StringAttribute{Computed: true, MarkdownDescription: "Cluster status, `ACTIVE` for a usable cluster."},
			"capacity_providers": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Capacity providers associated with the cluster.",
			},
			"default_capacity_provider_strategy": schema.ListAttribute{
				Computed: true, ElementType: strategyType,
				MarkdownDescription: "Default capacity provider strategy: `capacity_provider`, `weight`, `base`.",
			},
			"container_insights": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Container Insights setting: `enabled`, `enhanced` or `disabled`.",
			},
			"running_tasks_count":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Tasks in the RUNNING state."},
			"pending_tasks_count":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Tasks in the PENDING state."},
			"active_services_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Services in the ACTIVE state."},
			"tags": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Tags on the cluster.",
			},
		},
	}
}

func (d *clusterDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, diags := adapter.Clients(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if c != nil {
		d.clients = c
	}
}

type clusterModel struct {
	Name                            types.String `tfsdk:"name"`
	ID                              types.String `tfsdk:"id"`
	ARN                             types.String `tfsdk:"arn"`
	Status                          types.String `tfsdk:"status"`
	CapacityProviders               types.List   `tfsdk:"capacity_providers"`
	DefaultCapacityProviderStrategy types.List   `tfsdk:"default_capacity_provider_strategy"`
	ContainerInsights               types.String `tfsdk:"container_insights"`
	RunningTasksCount               types.Int64  `tfsdk:"running_tasks_count"`
	PendingTasksCount               types.Int64  `tfsdk:"pending_tasks_count"`
	ActiveServicesCount             types.Int64  `tfsdk:"active_services_count"`
	Tags                            types.Map    `tfsdk:"tags"`
}

func (d *clusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = conns.WithLogging(ctx)
	var m clusterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := handlers.DescribeActiveCluster(ctx, d.clients.ECS(), m.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading ECS cluster", err.Error())
		return
	}
	m.ID = types.StringValue(c.ARN)
	m.ARN = m.ID
	m.Status = types.StringValue(c.Status)
	m.RunningTasksCount = types.Int64Value(c.RunningTasks)
	m.PendingTasksCount = types.Int64Value(c.PendingTasks)
	m.ActiveServicesCount = types.Int64Value(c.ActiveServices)
	var diags = resp.Diagnostics
	m.CapacityProviders, diags = types.ListValueFrom(ctx, types.StringType, c.CapacityProviders)
	resp.Diagnostics.Append(diags...)
	strategies := make([]attr.Value, 0, len(c.DefaultStrategy))
	for _, s := range c.DefaultStrategy {
		strategies = append(strategies, types.ObjectValueMust(strategyType.AttrTypes, map[string]attr.Value{
			"capacity_provider": types.StringValue(s.CapacityProvider),
			"weight":            types.Int64Value(int64(s.Weight)),
			"base":              types.Int64Value(int64(s.Base)),
		}))
	}
	m.DefaultCapacityProviderStrategy = types.ListValueMust(strategyType, strategies)
	m.ContainerInsights = types.StringValue(c.ContainerInsights)
	m.Tags, diags = types.MapValueFrom(ctx, types.StringType, c.Tags)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
