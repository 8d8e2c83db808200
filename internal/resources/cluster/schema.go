package cluster

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

var (
	serviceDiscoveryType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"name":        types.StringType,
		"type":        types.StringType,
		"description": types.StringType,
	}}
	loadBalancerType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"internal":            types.BoolType,
		"ingress_cidr_blocks": types.ListType{ElemType: types.StringType},
		"certificate_arn":     types.StringType,
		"ssl_policy":          types.StringType,
		"idle_timeout":        types.Int64Type,
	}}
)

func stringList(values ...string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func defaultStrategyList() types.List {
	var elems []attr.Value
	for _, s := range composite.DefaultCapacityProviderStrategy() {
		elems = append(elems, types.ObjectValueMust(strategyType.AttrTypes, map[string]attr.Value{
			"capacity_provider": types.StringValue(s.CapacityProvider),
			"weight":            types.Int64Value(*s.Weight),
			"base":              types.Int64Value(*s.Base),
		}))
	}
	return types.ListValueMust(strategyType, elems)
}

func schemaInto(ctx context.Context, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The shared platform that `containerapp_service` resources plug into. One block expands into an ECS " +
			"cluster (capacity providers, Container Insights), a security group for services, and optionally a Cloud Map " +
			"namespace and an Application Load Balancer with its own security group, an HTTP listener and (with a certificate) " +
			"an HTTPS listener. The `resources` attribute lists every child with its name at plan time, so `terraform plan` " +
			"shows the whole expansion. Deleting a cluster that still has ECS services fails, naming them, before anything " +
			"is deleted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The cluster name; also the import id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ECS cluster name, also the prefix of the load balancer's and security groups' names. 1-255 " +
					"letters, digits, hyphens and underscores. Changing it replaces the cluster.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"capacity_providers": schema.ListAttribute{
				Optional: true, Computed: true, ElementType: types.StringType,
				Default: listdefault.StaticValue(stringList(composite.DefaultCapacityProviders()...)),
				MarkdownDescription: "Capacity providers of the cluster: `FARGATE`, `FARGATE_SPOT` or Auto Scaling group " +
					"capacity providers. Default `[\"FARGATE\", \"FARGATE_SPOT\"]`.",
			},
			"default_capacity_provider_strategy": schema.ListNestedAttribute{
				Optional: true, Computed: true,
				Default: listdefault.StaticValue(defaultStrategyList()),
				MarkdownDescription: "Default capacity provider strategy for services that set none: at most 6 entries, each " +
					"provider listed in `capacity_providers`, at most one with a `base`, at least one with a `weight`. Default " +
					"`[{ capacity_provider = \"FARGATE\", weight = 1, base = 0 }]`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"capacity_provider": schema.StringAttribute{Required: true, MarkdownDescription: "Capacity provider name."},
					"weight": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultStrategyWeight),
						MarkdownDescription: "Relative share of tasks, 0-1000. Default `1`."},
					"base": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultStrategyBase),
						MarkdownDescription: "Tasks placed on this provider first, 0-100000. Default `0`."},
				}},
			},
			"container_insights": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(composite.DefaultContainerInsights),
				MarkdownDescription: "Enable CloudWatch Container Insights. Default `true`.",
			},
			"vpc_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "VPC of the security groups, the load balancer and a private DNS namespace. Default: the " +
					"VPC of `subnet_ids` when set, else the region's default VPC (looked up at apply; known after apply in the " +
					"first plan). Changing it replaces the cluster; removing it from the configuration keeps the current VPC.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"subnet_ids": schema.ListAttribute{
				Optional: true, Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Subnets of the load balancer, exported for the services; used as given when set (with " +
					"`load_balancer`, at least two, one per Availability Zone). Default (looked up at apply): without " +
					"`load_balancer`, every subnet of the VPC; with one, a subnet per Availability Zone - for an internet-facing " +
					"load balancer only public subnets (whose route table, the explicitly associated one or else the VPC's main " +
					"one, routes `0.0.0.0/0` to an internet gateway), a zone without one skipped; for an internal one a private " +
					"subnet, else a public one - preferring the zone's default subnet, then the lowest id. Fewer than two zones " +
					"is an error: set `subnet_ids`, set `load_balancer.internal = true`, or add public subnets in a second zone.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"service_discovery": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "A Cloud Map namespace for the cluster's services (service discovery and Service Connect).",
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Required: true,
						MarkdownDescription: "Namespace name, e.g. `platform.internal` (a DNS domain for `DNS_PRIVATE`). Changing it replaces the namespace."},
					"type": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(composite.DefaultNamespaceType),
						MarkdownDescription: "`DNS_PRIVATE` (a private hosted zone in the VPC; one per VPC and name) or `HTTP` (API-only " +
							"discovery). Default `DNS_PRIVATE`. Changing it replaces the namespace."},
					"description": schema.StringAttribute{Optional: true, MarkdownDescription: "Namespace description."},
				},
			},
			"load_balancer": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "A shared Application Load Balancer that services attach listener rules to, with its own " +
					"security group; the services' security group then admits traffic from it only.",
				Attributes: map[string]schema.Attribute{
					"internal": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "An internal load balancer (private IPs only). Default `false`. Changing it replaces the load balancer and its listeners."},
					"ingress_cidr_blocks": schema.ListAttribute{Optional: true, Computed: true, ElementType: types.StringType,
						Default: listdefault.StaticValue(stringList(composite.DefaultIngressCIDRBlock)),
						MarkdownDescription: "IPv4 and IPv6 CIDR blocks (canonical form) the load balancer's security group admits on " +
							"port 80 (and 443 with a certificate). Default `[\"0.0.0.0/0\"]`."},
					"certificate_arn": schema.StringAttribute{Optional: true,
						MarkdownDescription: "ACM (or IAM server) certificate ARN: adds an HTTPS listener on 443 and turns port 80 into " +
							"a redirect to HTTPS."},
					"ssl_policy": schema.StringAttribute{Optional: true,
						MarkdownDescription: "TLS policy of the HTTPS listener. Default `" + composite.DefaultSSLPolicy + "` (TLS 1.3 and 1.2)."},
					"idle_timeout": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(composite.DefaultIdleTimeout),
						MarkdownDescription: "Connection idle timeout in seconds, 1-4000. Default `60`."},
				},
			},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for every child, merged over the provider's `default_tags`."},
			"tags_all": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`default_tags` merged with `tags` (ownership tags `containerapp:owner` and `containerapp:key` are added per child)."},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),

			"arn":                             computedString("ARN of the ECS cluster."),
			"namespace_id":                    computedString("Id of the Cloud Map namespace (with `service_discovery`)."),
			"namespace_arn":                   computedString("ARN of the Cloud Map namespace (with `service_discovery`)."),
			"load_balancer_arn":               computedString("ARN of the load balancer (with `load_balancer`)."),
			"load_balancer_dns_name":          computedString("DNS name of the load balancer (with `load_balancer`)."),
			"listener_arn":                    computedString("ARN of the listener services attach their rules to: HTTPS with a certificate, else HTTP. Its default action returns a fixed 404."),
			"load_balancer_security_group_id": computedString("Id of the load balancer's security group (with `load_balancer`)."),
			"service_security_group_id":       computedString("Id of the security group for the cluster's services: it admits traffic only from the load balancer's security group, and all egress."),
			"resources": schema.MapAttribute{
				Computed: true, ElementType: adapter.ChildObjectType,
				MarkdownDescription: "Every AWS child of the cluster, by logical key (`cluster`, `namespace`, `service_security_group`, " +
					"`load_balancer_security_group`, `load_balancer`, `http_listener`, `https_listener`): `kind` (the AWS resource " +
					"type), `name` and `arn` (the id for kinds without an ARN). Names are known at plan time; a child that the plan " +
					"creates, replaces or restores after drift shows `arn` as known after apply.",
			},
		},
	}
}
