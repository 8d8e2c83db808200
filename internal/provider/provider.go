// Package provider implements the containerapp provider: its schema, the
// Configure step that builds *conns.Clients, and the list of resources and
// data sources.
package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/cluster"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/service"
	"github.com/containerapp/terraform-provider-containerapp/internal/validators"
)

var _ provider.Provider = &containerappProvider{}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &containerappProvider{version: version} }
}

type containerappProvider struct {
	version string
}

func (p *containerappProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "containerapp"
	resp.Version = p.version
}

func (p *containerappProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpointAttrs := map[string]schema.Attribute{}
	for _, s := range conns.EndpointServices {
		endpointAttrs[s] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Custom endpoint URL for the `" + s + "` API (e.g. an emulator such as `http://127.0.0.1:4566`). Overrides `AWS_ENDPOINT_URL` for this service.",
			Validators:          []validator.String{validators.URL()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The containerapp provider gives a higher-level container platform on AWS: one `containerapp_service` " +
			"block expands into the ECS, ELBv2, Cloud Map, ECR, IAM and CloudWatch Logs objects it needs. Its configuration mirrors " +
			"the AWS provider's names, and the SDK's standard environment variables (`AWS_REGION`, `AWS_PROFILE`, " +
			"`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, ...) work as everywhere else.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region, e.g. `us-east-1`. Defaults to `AWS_REGION` / the shared config profile's region.",
				Validators:          []validator.String{validators.Region()},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile of the shared config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared config files. Default: `~/.aws/config`.",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared credentials files. Default: `~/.aws/credentials`.",
			},
			"access_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "AWS access key id. Must be set with `secret_key`. Defaults to the SDK credential chain.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("secret_key"))},
			},
			"secret_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "AWS secret access key. Must be set with `access_key`.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
			"token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Session token for temporary credentials.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Maximum retries of a throttled or transient AWS call (the SDK's standard retryer, without a client-side retry quota; `AWS_RETRY_MODE=adaptive` selects the adaptive one). Default: `AWS_MAX_ATTEMPTS` when set, else 25 attempts, as the AWS provider. 0-100; 0 disables retries.",
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip validating credentials with STS. Default `false`. Together with `skip_requesting_account_id`, configure makes no AWS call.",
			},
			"skip_requesting_account_id": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Do not ask STS for the account id. Default `false`. Trust policies then omit the `aws:SourceAccount` condition.",
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume an IAM role with STS before making calls.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the role to assume. Required when the block is present.",
						Validators:          []validator.String{validators.ARN("iam")},
					},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name. Default: generated by the SDK."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External id required by the role's trust policy."},
					"duration": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session duration as a Go duration (`15m`, `1h`). Default `15m`.",
						Validators:          []validator.String{durationValidator{}},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Per-service endpoint URLs, for emulators such as moto or LocalStack. Each must be an absolute http(s) URL.",
				Attributes:          endpointAttrs,
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags added to every taggable AWS child the provider creates; a resource's own `tags` win on conflicts.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Tags to add."},
				},
			},
		},
	}
}

type providerModel struct {
	Region                    types.String `tfsdk:"region"`
	Profile                   types.String `tfsdk:"profile"`
	SharedConfigFiles         types.List   `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List   `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String `tfsdk:"access_key"`
	SecretKey                 types.String `tfsdk:"secret_key"`
	Token                     types.String `tfsdk:"token"`
	MaxRetries                types.Int64  `tfsdk:"max_retries"`
	SkipCredentialsValidation types.Bool   `tfsdk:"skip_credentials_validation"`
	SkipRequestingAccountID   types.Bool   `tfsdk:"skip_requesting_account_id"`
	AssumeRole                types.Object `tfsdk:"assume_role"`
	Endpoints                 types.Object `tfsdk:"endpoints"`
	DefaultTags               types.Object `tfsdk:"default_tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

// ValidateConfig checks what the attribute validators cannot: assume_role
// without role_arn. It runs at validate/plan and makes no AWS call.
func (p *containerappProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.AssumeRole.IsNull() || m.AssumeRole.IsUnknown() {
		return
	}
	var ar assumeRoleModel
	resp.Diagnostics.Append(m.AssumeRole.As(ctx, &ar, objectAsOptions)...)
	if ar.RoleARN.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtName("role_arn"), "Missing role_arn",
			"The assume_role block needs role_arn: the ARN of the IAM role to assume.")
	}
}

var _ provider.ProviderWithValidateConfig = &containerappProvider{}

func (p *containerappProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	ctx = conns.WithLogging(ctx)
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := conns.Config{
		Region:                    m.Region.ValueString(),
		Profile:                   m.Profile.ValueString(),
		AccessKey:                 m.AccessKey.ValueString(),
		SecretKey:                 m.SecretKey.ValueString(),
		Token:                     m.Token.ValueString(),
		SkipCredentialsValidation: m.SkipCredentialsValidation.ValueBool(),
		SkipRequestingAccountID:   m.SkipRequestingAccountID.ValueBool(),
		Endpoints:                 map[string]string{},
		DefaultTags:               map[string]string{},
	}
	if !m.MaxRetries.IsNull() {
		n := int(m.MaxRetries.ValueInt64())
		cfg.MaxRetries = &n
	}
	resp.Diagnostics.Append(m.SharedConfigFiles.ElementsAs(ctx, &cfg.SharedConfigFiles, false)...)
	resp.Diagnostics.Append(m.SharedCredentialsFiles.ElementsAs(ctx, &cfg.SharedCredentialsFiles, false)...)
	if !m.AssumeRole.IsNull() {
		var ar assumeRoleModel
		resp.Diagnostics.Append(m.AssumeRole.As(ctx, &ar, objectAsOptions)...)
		d, _ := time.ParseDuration(ar.Duration.ValueString())
		cfg.AssumeRole = &conns.AssumeRole{
			RoleARN: ar.RoleARN.ValueString(), SessionName: ar.SessionName.ValueString(),
			ExternalID: ar.ExternalID.ValueString(), Duration: d,
		}
	}
	if !m.Endpoints.IsNull() {
		for k, v := range m.Endpoints.Attributes() {
			if s, ok := v.(types.String); ok && !s.IsNull() && s.ValueString() != "" {
				cfg.Endpoints[k] = s.ValueString()
			}
		}
	}
	if !m.DefaultTags.IsNull() {
		var dt defaultTagsModel
		resp.Diagnostics.Append(m.DefaultTags.As(ctx, &dt, objectAsOptions)...)
		resp.Diagnostics.Append(dt.Tags.ElementsAs(ctx, &cfg.DefaultTags, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	clients, err := conns.New(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Configuring the containerapp provider", err.Error())
		return
	}
	resp.ResourceData = clients
	resp.DataSourceData = clients
}

func (p *containerappProvider) Resources(_ context.Context) []func() resource.Resource {
	return resources
}

func (p *containerappProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSources
}

// Registered resources and data sources; other files append in init.
var (
	resources   = []func() resource.Resource{cluster.NewClusterResource, service.NewServiceResource}
	dataSources = []func() datasource.DataSource{cluster.NewClusterDataSource, service.NewServiceDataSource}
)
