package service

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// minimalModel is a valid model with one container and a network.
func minimalModel() serviceModel {
	containerType := map[string]attr.Type{
		"image": types.StringType, "image_tag": types.StringType, "port": types.Int64Type,
		"command": types.ListType{ElemType: types.StringType}, "entry_point": types.ListType{ElemType: types.StringType},
		"environment": types.MapType{ElemType: types.StringType}, "secrets": types.MapType{ElemType: types.StringType},
		"essential": types.BoolType, "cpu": types.Int64Type, "memory": types.Int64Type,
	}
	container := types.ObjectValueMust(containerType, map[string]attr.Value{
		"image": types.StringValue("nginx:1.27"), "image_tag": types.StringNull(), "port": types.Int64Value(80),
		"command": types.ListNull(types.StringType), "entry_point": types.ListNull(types.StringType),
		"environment": types.MapNull(types.StringType), "secrets": types.MapNull(types.StringType),
		"essential": types.BoolNull(), "cpu": types.Int64Null(), "memory": types.Int64Null(),
	})
	networkType := map[string]attr.Type{
		"subnet_ids": types.SetType{ElemType: types.StringType}, "security_group_ids": types.SetType{ElemType: types.StringType},
		"assign_public_ip": types.BoolType, "vpc_id": types.StringType,
	}
	return serviceModel{
		Name: types.StringValue("web"), Cluster: types.StringValue("platform"),
		CPU: types.Int64Value(256), Memory: types.Int64Value(512), DesiredCount: types.Int64Value(1),
		CPUArchitecture: types.StringValue("X86_64"), LogRetentionDays: types.Int64Value(30),
		EnableExecuteCommand: types.BoolValue(false), TaskRolePolicyJSON: types.StringNull(),
		HealthCheckGracePeriod: types.Int64Null(), Tags: types.MapNull(types.StringType),
		Containers: types.MapValueMust(types.ObjectType{AttrTypes: containerType}, map[string]attr.Value{"web": container}),
		Network: types.ObjectValueMust(networkType, map[string]attr.Value{
			"subnet_ids":         types.SetValueMust(types.StringType, []attr.Value{types.StringValue("subnet-b"), types.StringValue("subnet-a")}),
			"security_group_ids": types.SetNull(types.StringType), "assign_public_ip": types.BoolNull(), "vpc_id": types.StringNull(),
		}),
		LoadBalancer: types.ObjectNull(nil), ServiceDiscovery: types.ObjectNull(nil), Repository: types.ObjectNull(nil),
		Deployment: types.ObjectNull(nil),
	}
}

func validate(t *testing.T, m serviceModel) []string {
	t.Helper()
	spec, unknown, diags := toSpec(context.Background(), m)
	if diags.HasError() {
		t.Fatalf("toSpec: %v", diags)
	}
	spec.ApplyDefaults()
	var out []string
	for _, d := range fieldDiagnostics(composite.Validate(spec), unknown) {
		out = append(out, d.Summary()+": "+d.Detail())
	}
	return out
}

func TestToSpec_valid(t *testing.T) {
	m := minimalModel()
	spec, unknown, diags := toSpec(context.Background(), m)
	if diags.HasError() || len(unknown) != 0 {
		t.Fatalf("diags %v unknown %v", diags, unknown)
	}
	if got := spec.Network.SubnetIDs; len(got) != 2 || got[0] != "subnet-a" {
		t.Fatalf("subnets must be sorted: %v", got)
	}
	if errs := validate(t, m); len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
}

// A wrong memory is reported; while cpu is unknown it is not (the pair is
// checked once both are known).
func TestToSpec_unknownCPUSkipsSizeCheck(t *testing.T) {
	m := minimalModel()
	m.Memory = types.Int64Value(4096) // invalid with the default cpu 256
	if errs := validate(t, m); len(errs) == 0 {
		t.Fatal("expected a Fargate size error with cpu 256 and memory 4096")
	}
	m.CPU = types.Int64Unknown()
	if errs := validate(t, m); len(errs) != 0 {
		t.Fatalf("cpu unknown: no size error expected, got %v", errs)
	}
}

// Errors under unknown values are dropped; others keep their path.
func TestToSpec_unknownSubnets(t *testing.T) {
	m := minimalModel()
	m.Network = types.ObjectValueMust(m.Network.AttributeTypes(context.Background()), map[string]attr.Value{
		"subnet_ids": types.SetUnknown(types.StringType), "security_group_ids": types.SetNull(types.StringType),
		"assign_public_ip": types.BoolNull(), "vpc_id": types.StringNull(),
	})
	if errs := validate(t, m); len(errs) != 0 {
		t.Fatalf("unknown subnets must not be validated: %v", errs)
	}
	m.Name = types.StringValue("Bad_Name")
	errs := validate(t, m)
	if len(errs) != 1 {
		t.Fatalf("want one error for the name, got %v", errs)
	}
}
