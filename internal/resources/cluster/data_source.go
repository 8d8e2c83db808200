// Package cluster implements the containerapp_cluster data source.
package cluster

import (
	"context"
	"fmt"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
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

// DescribeClustersAPI is the one ECS call the data source needs.
type DescribeClustersAPI interface {
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

// FindCluster returns the ACTIVE cluster named (or with the ARN) name, with
// tags and settings, in one DescribeClusters call.
func FindCluster(ctx context.Context, api DescribeClustersAPI, name string) (*ecstypes.Cluster, error) {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{name},
		Include:  []ecstypes.ClusterField{ecstypes.ClusterFieldTags, ecstypes.ClusterFieldSettings},
	})
	if err != nil {
		return nil, fmt.Errorf("describing ECS cluster %q: %w", name, err)
	}
	for _, c := range out.Clusters {
		if aws.ToString(c.Status) == "INACTIVE" {
			return nil, fmt.Errorf("ECS cluster %q is INACTIVE (deleted)", name)
		}
		return &c, nil
	}
	reason := "MISSING"
	for _, f := range out.Failures {
		reason = aws.ToString(f.Reason)
	}
	return nil, fmt.Errorf("ECS cluster %q not found (%s)", name, reason)
}

func (d *clusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = conns.WithLogging(ctx)
	var m clusterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := FindCluster(ctx, d.clients.ECS(), m.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading ECS cluster", err.Error())
		return
	}
	m.ID = types.StringValue(aws.ToString(c.ClusterArn))
	m.ARN = m.ID
	m.Status = types.StringValue(aws.ToString(c.Status))
	m.RunningTasksCount = types.Int64Value(int64(c.RunningTasksCount))
	m.PendingTasksCount = types.Int64Value(int64(c.PendingTasksCount))
	m.ActiveServicesCount = types.Int64Value(int64(c.ActiveServicesCount))
	cps := c.CapacityProviders
	if cps == nil {
		cps = []string{}
	}
	var diags = resp.Diagnostics
	m.CapacityProviders, diags = types.ListValueFrom(ctx, types.StringType, cps)
	resp.Diagnostics.Append(diags...)
	strategies := make([]attr.Value, 0, len(c.DefaultCapacityProviderStrategy))
	for _, s := range c.DefaultCapacityProviderStrategy {
		strategies = append(strategies, types.ObjectValueMust(strategyType.AttrTypes, map[string]attr.Value{
			"capacity_provider": types.StringValue(aws.ToString(s.CapacityProvider)),
			"weight":            types.Int64Value(int64(s.Weight)),
			"base":              types.Int64Value(int64(s.Base)),
		}))
	}
	m.DefaultCapacityProviderStrategy = types.ListValueMust(strategyType, strategies)
	insights := "disabled"
	for _, s := range c.Settings {
		if s.Name == ecstypes.ClusterSettingNameContainerInsights {
			insights = aws.ToString(s.Value)
		}
	}
	m.ContainerInsights = types.StringValue(insights)
	tags := map[string]string{}
	for _, t := range c.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	m.Tags, diags = types.MapValueFrom(ctx, types.StringType, tags)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
