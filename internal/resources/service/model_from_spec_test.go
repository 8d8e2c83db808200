package service

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

const (
	fsListener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2"
	fsSecret   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	fsParam    = "arn:aws:ssm:us-east-1:123456789012:parameter/web/api-key"
)

// The specs of internal/composite/expand_service_test.go, and one that sets
// every optional field.
func fsMinimalSpec() composite.ServiceSpec {
	return composite.ServiceSpec{
		Name:    "worker",
		Cluster: "platform",
		Containers: map[string]composite.ContainerSpec{
			"worker": {Image: "public.ecr.aws/docker/library/busybox:1.36", Command: []string{"sleep", "infinity"}},
		},
		Network: composite.NetworkSpec{SubnetIDs: []string{"subnet-0a1b2c3d"}, SecurityGroupIDs: []string{"sg-0a1b2c3d"}},
	}
}

func fsFullSpec() composite.ServiceSpec {
	return composite.ServiceSpec{
		Name:         "web",
		Cluster:      "platform",
		CPU:          composite.Ptr[int64](512),
		Memory:       composite.Ptr[int64](1024),
		DesiredCount: composite.Ptr[int64](2),
		Containers: map[string]composite.ContainerSpec{
			"web": {
				ImageTag:    "v3",
				Port:        composite.Ptr[int64](8080),
				Command:     []string{"nginx", "-g", "daemon off;"},
				Environment: map[string]string{"LOG_LEVEL": "info", "A_FIRST": "1"},
				Secrets:     map[string]string{"DB_PASSWORD": fsSecret + ":password::", "API_KEY": fsParam},
			},
			"log-router": {
				Image:     "123456789012.dkr.ecr.us-east-1.amazonaws.com/infra/fluent-bit:2.2",
				Essential: composite.Ptr(false),
				Memory:    composite.Ptr[int64](128),
			},
		},
		Network: composite.NetworkSpec{
			SubnetIDs:        []string{"subnet-0b000002", "subnet-0a000001"},
			SecurityGroupIDs: []string{"sg-0a1b2c3d"},
		},
		LoadBalancer: &composite.LoadBalancerSpec{
			ListenerARN:  fsListener,
			PathPatterns: []string{"/api/*", "/"},
			HostHeaders:  []string{"web.example.com"},
			HealthCheck:  &composite.HealthCheckSpec{Path: "/healthz"},
		},
		ServiceDiscovery:   &composite.ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789"},
		Repository:         &composite.RepositorySpec{},
		TaskRolePolicyJSON: `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]}`,
		Tags:               map[string]string{"team": "payments", "app": "web"},
	}
}

func fsARNSpec() composite.ServiceSpec {
	return composite.ServiceSpec{
		Name:            "api",
		Cluster:         "arn:aws:ecs:us-east-1:123456789012:cluster/Shared_Prod",
		CPUArchitecture: "ARM64",
		Containers: map[string]composite.ContainerSpec{
			"app": {ImageTag: "2024.06.01", Port: composite.Ptr[int64](3000)},
		},
		Network:              composite.NetworkSpec{SubnetIDs: []string{"subnet-0a000001"}, VpcID: "vpc-0123abcd", AssignPublicIP: true},
		LoadBalancer:         &composite.LoadBalancerSpec{ListenerARN: fsListener, HostHeaders: []string{"api.example.com"}, Priority: composite.Ptr[int64](100), ProtocolVersion: "HTTP2"},
		Repository:           &composite.RepositorySpec{ImageTagMutability: "MUTABLE", KeepImages: composite.Ptr[int64](10), ForceDelete: true},
		EnableExecuteCommand: true,
		Deployment:           &composite.DeploymentSpec{MinimumHealthyPercent: composite.Ptr[int64](50), WaitForSteadyState: composite.Ptr(false)},
	}
}

// fsEverySpec sets every field of every block.
func fsEverySpec() composite.ServiceSpec {
	return composite.ServiceSpec{
		Name:         "every",
		Cluster:      "platform",
		CPU:          composite.Ptr[int64](1024),
		Memory:       composite.Ptr[int64](2048),
		DesiredCount: composite.Ptr[int64](0),
		Containers: map[string]composite.ContainerSpec{
			"app": {
				Image:       "nginx:1.27",
				Port:        composite.Ptr[int64](8080),
				Command:     []string{"serve", "--port", "8080"},
				EntryPoint:  []string{"/bin/sh", "-c"},
				Environment: map[string]string{"A": "1", "B": ""},
				Secrets:     map[string]string{"S": fsSecret},
				Essential:   composite.Ptr(true),
				CPU:         composite.Ptr[int64](512),
				Memory:      composite.Ptr[int64](1024),
			},
			"admin": {ImageTag: "v1", Port: composite.Ptr[int64](9090), Essential: composite.Ptr(false), CPU: composite.Ptr[int64](0)},
		},
		Network: composite.NetworkSpec{
			SubnetIDs:        []string{"subnet-0a000001", "subnet-0b000002"},
			SecurityGroupIDs: []string{"sg-0a000001", "sg-0b000002"},
			AssignPublicIP:   true,
			VpcID:            "vpc-0123abcd",
		},
		LoadBalancer: &composite.LoadBalancerSpec{
			ListenerARN:         fsListener,
			ContainerName:       "app",
			PathPatterns:        []string{"/", "/api/*"},
			HostHeaders:         []string{"a.example.com", "b.example.com"},
			Priority:            composite.Ptr[int64](7),
			DeregistrationDelay: composite.Ptr[int64](0),
			ProtocolVersion:     "GRPC",
			HealthCheck: &composite.HealthCheckSpec{
				Path: "/grpc.health.v1.Health/Check", Matcher: "0-12",
				Interval: composite.Ptr[int64](30), Timeout: composite.Ptr[int64](10),
				HealthyThreshold: composite.Ptr[int64](2), UnhealthyThreshold: composite.Ptr[int64](4),
			},
		},
		ServiceDiscovery: &composite.ServiceDiscoverySpec{NamespaceID: "ns-abcdef0123456789", DNSTTL: composite.Ptr[int64](0), ContainerName: "admin"},
		Repository: &composite.RepositorySpec{ScanOnPush: composite.Ptr(false), ImageTagMutability: "MUTABLE",
			KeepImages: composite.Ptr[int64](5), ForceDelete: true, BlockOnSeverity: "MEDIUM"},
		TaskRolePolicyJSON:     `{"Version":"2012-10-17","Statement":[]}`,
		LogRetentionDays:       composite.Ptr[int64](7),
		CPUArchitecture:        "ARM64",
		EnableExecuteCommand:   true,
		HealthCheckGracePeriod: composite.Ptr[int64](0),
		Deployment: &composite.DeploymentSpec{
			CircuitBreakerRollback: composite.Ptr(false), MinimumHealthyPercent: composite.Ptr[int64](0),
			MaximumPercent: composite.Ptr[int64](100), WaitForSteadyState: composite.Ptr(true),
		},
		Tags: map[string]string{"team": "payments"},
	}
}

// fsNilBlocksSpec has every optional block present but empty.
func fsNilBlocksSpec() composite.ServiceSpec {
	s := fsMinimalSpec()
	s.LoadBalancer = &composite.LoadBalancerSpec{ListenerARN: fsListener}
	s.ServiceDiscovery = &composite.ServiceDiscoverySpec{}
	s.Repository = &composite.RepositorySpec{}
	s.Deployment = &composite.DeploymentSpec{}
	return s
}

func fsSpecs() map[string]composite.ServiceSpec {
	return map[string]composite.ServiceSpec{
		"minimal": fsMinimalSpec(), "full": fsFullSpec(), "arn": fsARNSpec(), "every": fsEverySpec(),
		"empty_blocks": fsNilBlocksSpec(), "zero": {},
	}
}

// fsExpected is what toSpec(fromSpec(s)) returns: the schema defaults filled
// (what a plan holds for an attribute left out), sets sorted and distinct,
// empty lists and maps nil. s is deep-copied (through JSON, whose omitempty
// also turns empty lists and maps into nil).
func fsExpected(in composite.ServiceSpec) composite.ServiceSpec {
	var s composite.ServiceSpec
	if err := json.Unmarshal([]byte(fsJSON(in)), &s); err != nil {
		panic(err)
	}
	if s.CPU == nil {
		s.CPU = composite.Ptr[int64](composite.DefaultCPU)
	}
	if s.Memory == nil {
		s.Memory = composite.Ptr[int64](composite.DefaultMemory)
	}
	if s.DesiredCount == nil {
		s.DesiredCount = composite.Ptr[int64](composite.DefaultDesiredCount)
	}
	if s.LogRetentionDays == nil {
		s.LogRetentionDays = composite.Ptr[int64](composite.DefaultLogRetentionDays)
	}
	if s.CPUArchitecture == "" {
		s.CPUArchitecture = composite.DefaultCPUArchitecture
	}
	set := func(ss []string) []string {
		if len(ss) == 0 {
			return nil
		}
		out := append([]string(nil), ss...)
		sort.Strings(out)
		return out
	}
	s.Network.SubnetIDs = set(s.Network.SubnetIDs)
	s.Network.SecurityGroupIDs = set(s.Network.SecurityGroupIDs)
	if s.LoadBalancer != nil {
		lb := *s.LoadBalancer
		lb.PathPatterns, lb.HostHeaders = set(lb.PathPatterns), set(lb.HostHeaders)
		s.LoadBalancer = &lb
	}
	return s
}

// fsState puts the model into a state of the resource schema (so every
// value must have the schema's type) and reads it back.
func fsState(t *testing.T, m serviceModel) serviceModel {
	t.Helper()
	ctx := context.Background()
	sch := serviceSchema(ctx)
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(sch.Attributes["timeouts"].GetType().(attr.TypeWithAttributeTypes).AttributeTypes())}
	m.TagsAll = types.MapNull(types.StringType)
	m.Resources = types.MapNull(adapter.ChildObjectType)
	st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatalf("state.Set: %v", d)
	}
	var back serviceModel
	if d := st.Get(ctx, &back); d.HasError() {
		t.Fatalf("state.Get: %v", d)
	}
	return back
}

func fsJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestFromSpec_roundTrip(t *testing.T) {
	ctx := context.Background()
	for name, s := range fsSpecs() {
		t.Run(name, func(t *testing.T) {
			orig := fsJSON(s)
			var m serviceModel
			if d := fromSpec(ctx, s, &m); d.HasError() {
				t.Fatalf("fromSpec: %v", d)
			}
			if fsJSON(s) != orig {
				t.Fatal("fromSpec changed the spec")
			}
			for via, mm := range map[string]serviceModel{"model": m, "state": fsState(t, m)} {
				got, unknown, d := toSpec(ctx, mm)
				if d.HasError() || len(unknown) != 0 {
					t.Fatalf("%s: toSpec: %v, unknown %v", via, d, unknown)
				}
				want := fsExpected(s)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: toSpec(fromSpec(s)) differs\n got %s\nwant %s", via, fsJSON(got), fsJSON(want))
				}
				// The schema defaults are the composite's: with defaults
				// applied, the round trip is exact up to set order.
				got.ApplyDefaults()
				want = fsExpected(s)
				want.ApplyDefaults()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: after ApplyDefaults\n got %s\nwant %s", via, fsJSON(got), fsJSON(want))
				}
			}
		})
	}
}

// When the spec needs no normalization (sets sorted, schema-defaulted fields
// set), the round trip is the identity.
func TestFromSpec_roundTripIdentity(t *testing.T) {
	ctx := context.Background()
	s := fsEverySpec()
	var m serviceModel
	if d := fromSpec(ctx, s, &m); d.HasError() {
		t.Fatal(d)
	}
	got, _, d := toSpec(ctx, m)
	if d.HasError() {
		t.Fatal(d)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("got %s\nwant %s", fsJSON(got), fsJSON(s))
	}
}

// fsInputs returns the model's input attribute values by name (attributes
// the configuration sets: not computed-only, not timeouts).
func fsInputs(t *testing.T, sch schema.Schema, m any) map[string]attr.Value {
	t.Helper()
	out := map[string]attr.Value{}
	v := reflect.ValueOf(m)
	for i := 0; i < v.NumField(); i++ {
		tag := v.Type().Field(i).Tag.Get("tfsdk")
		a, ok := sch.Attributes[tag]
		if !ok {
			t.Fatalf("model field %s has no schema attribute", tag)
		}
		if tag == "timeouts" || (a.IsComputed() && !a.IsOptional() && !a.IsRequired()) {
			continue
		}
		out[tag] = v.Field(i).Interface().(attr.Value)
	}
	return out
}

// An unset spec field is a null attribute, or the schema default when the
// attribute has one.
func TestFromSpec_unsetIsNull(t *testing.T) {
	ctx := context.Background()
	sch := serviceSchema(ctx)
	b := adapter.NewModelBuilder(ctx, serviceSchema(ctx))
	var m serviceModel
	if d := fromSpec(ctx, composite.ServiceSpec{}, &m); d.HasError() {
		t.Fatal(d)
	}
	for name, v := range fsInputs(t, sch, m) {
		switch def, hasDefault := b.SchemaDefault(name); {
		case name == "network":
			// Required single object: always present, every attribute null.
			o := v.(types.Object)
			if o.IsNull() || o.IsUnknown() {
				t.Errorf("network = %v, want an object", v)
			}
			for k, a := range o.Attributes() {
				if !a.IsNull() {
					t.Errorf("network.%s = %v, want null", k, a)
				}
			}
		case hasDefault:
			if !v.Equal(def) {
				t.Errorf("%s = %v, want the schema default %v", name, v, def)
			}
		case !v.IsNull():
			t.Errorf("%s = %v, want null", name, v)
		}
	}

	// Unset fields of present blocks and containers.
	if d := fromSpec(ctx, fsNilBlocksSpec(), &m); d.HasError() {
		t.Fatal(d)
	}
	for _, block := range []string{"load_balancer", "service_discovery", "repository", "deployment"} {
		v := reflect.ValueOf(m).FieldByIndex(fsFieldIndex(t, m, block)).Interface().(types.Object)
		if v.IsNull() {
			t.Fatalf("%s: want an object", block)
		}
		for k, a := range v.Attributes() {
			if block == "load_balancer" && k == "listener_arn" {
				continue
			}
			if !a.IsNull() {
				t.Errorf("%s.%s = %v, want null", block, k, a)
			}
		}
	}
	c := m.Containers.Elements()["worker"].(types.Object).Attributes()
	for k, a := range c {
		if (k == "image" || k == "command") != !a.IsNull() {
			t.Errorf("containers.worker.%s = %v", k, a)
		}
	}
	for k, a := range m.Network.Attributes() {
		if (k == "subnet_ids" || k == "security_group_ids") != !a.IsNull() {
			t.Errorf("network.%s = %v", k, a)
		}
	}
	// false for plain bools and empty lists/maps are unset too.
	s := fsMinimalSpec()
	s.Tags = map[string]string{}
	s.Containers["worker"] = composite.ContainerSpec{Image: "x", Command: []string{}, Environment: map[string]string{}}
	s.Network.SecurityGroupIDs = []string{}
	if d := fromSpec(ctx, s, &m); d.HasError() {
		t.Fatal(d)
	}
	c = m.Containers.Elements()["worker"].(types.Object).Attributes()
	if !m.Tags.IsNull() || !c["command"].IsNull() || !c["environment"].IsNull() ||
		!m.Network.Attributes()["security_group_ids"].IsNull() || !m.Network.Attributes()["assign_public_ip"].IsNull() {
		t.Errorf("empty lists/maps and false must be null: tags %v, container %v, network %v", m.Tags, c, m.Network)
	}
	if !m.EnableExecuteCommand.Equal(types.BoolValue(false)) {
		t.Errorf("enable_execute_command = %v, want the schema default false", m.EnableExecuteCommand)
	}
}

func fsFieldIndex(t *testing.T, m any, tag string) []int {
	t.Helper()
	rt := reflect.TypeOf(m)
	for i := 0; i < rt.NumField(); i++ {
		if rt.Field(i).Tag.Get("tfsdk") == tag {
			return []int{i}
		}
	}
	t.Fatalf("no field %s", tag)
	return nil
}

// fromSpec replaces every input attribute (no value of a previous spec
// survives) and leaves the computed ones alone.
func TestFromSpec_overwritesInputsOnly(t *testing.T) {
	ctx := context.Background()
	sch := serviceSchema(ctx)
	var m serviceModel
	if d := fromSpec(ctx, fsEverySpec(), &m); d.HasError() {
		t.Fatal(d)
	}
	m.ID = types.StringValue("platform/every")
	m.ARN = types.StringValue("arn:svc")
	m.TaskDefinitionARN = types.StringValue("arn:td")
	m.TargetGroupARN = types.StringValue("arn:tg")
	m.ListenerRuleARN = types.StringValue("arn:rule")
	m.ListenerRulePriority = types.Int64Value(7)
	m.DiscoveryServiceARN = types.StringValue("arn:sd")
	m.RepositoryURL = types.StringValue("repo")
	m.ExecutionRoleARN = types.StringValue("arn:exec")
	m.TaskRoleARN = types.StringValue("arn:task")
	m.LogGroupName = types.StringValue("/lg")
	m.TagsAll = types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringValue("b")})
	m.Resources = types.MapNull(adapter.ChildObjectType)
	before := m

	if d := fromSpec(ctx, fsMinimalSpec(), &m); d.HasError() {
		t.Fatal(d)
	}
	var fresh serviceModel
	if d := fromSpec(ctx, fsMinimalSpec(), &fresh); d.HasError() {
		t.Fatal(d)
	}
	want := fsInputs(t, sch, fresh)
	for name, v := range fsInputs(t, sch, m) {
		if !v.Equal(want[name]) {
			t.Errorf("%s = %v, want %v (a value of the previous spec survived)", name, v, want[name])
		}
	}
	bv, mv := reflect.ValueOf(before), reflect.ValueOf(m)
	for i := 0; i < bv.NumField(); i++ {
		tag := bv.Type().Field(i).Tag.Get("tfsdk")
		if _, input := want[tag]; input || tag == "timeouts" {
			continue
		}
		if !bv.Field(i).Interface().(attr.Value).Equal(mv.Field(i).Interface().(attr.Value)) {
			t.Errorf("computed %s changed: %v -> %v", tag, bv.Field(i).Interface(), mv.Field(i).Interface())
		}
	}
}

// Every value fromSpec builds has the schema attribute's type, for null and
// known nested objects alike (nested types are compared in depth).
func TestFromSpec_typesMatchSchema(t *testing.T) {
	ctx := context.Background()
	sch := serviceSchema(ctx)
	for name, s := range fsSpecs() {
		var m serviceModel
		if d := fromSpec(ctx, s, &m); d.HasError() {
			t.Fatalf("%s: %v", name, d)
		}
		for attrName, v := range fsInputs(t, sch, m) {
			if want := sch.Attributes[attrName].GetType(); !v.Type(ctx).Equal(want) {
				t.Errorf("%s: %s has type %s, schema %s", name, attrName, v.Type(ctx), want)
			}
		}
		if lb := m.LoadBalancer; !lb.IsNull() {
			hc := lb.Attributes()["health_check"]
			want := sch.Attributes["load_balancer"].(schema.SingleNestedAttribute).Attributes["health_check"].GetType()
			if !hc.Type(ctx).Equal(want) {
				t.Errorf("%s: load_balancer.health_check has type %s, schema %s", name, hc.Type(ctx), want)
			}
		}
	}
	// A schema attribute the builder does not know is reported, not ignored.
	b := adapter.NewModelBuilder(ctx, serviceSchema(ctx))
	b.Str("", "load_balancer", "no_such_attribute")
	if !b.Diags().HasError() || !strings.Contains(b.Diags().Errors()[0].Detail(), "load_balancer.no_such_attribute") {
		t.Errorf("unknown attribute: diags %v", b.Diags())
	}
}
