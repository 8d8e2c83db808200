package cluster

import (
	"context"
	"encoding/json"
	"reflect"
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

const fsCert = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

// The specs of internal/composite/expand_cluster_test.go, and ones that set
// every field, hold empty lists and empty blocks.
func fsClusterMinimal() composite.ClusterSpec {
	return composite.ClusterSpec{Name: "platform", VpcID: "vpc-0a1b2c3d", SubnetIDs: []string{"subnet-0b000002", "subnet-0a000001"}}
}

func fsClusterFull() composite.ClusterSpec {
	return composite.ClusterSpec{
		Name: "platform",
		DefaultCapacityProviderStrategy: []composite.CapacityProviderStrategySpec{
			{CapacityProvider: "FARGATE_SPOT", Weight: composite.Ptr[int64](3)},
			{CapacityProvider: "FARGATE", Weight: composite.Ptr[int64](1), Base: composite.Ptr[int64](1)},
		},
		ContainerInsights: composite.Ptr(false),
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0b000002", "subnet-0a000001"},
		ServiceDiscovery:  &composite.ClusterServiceDiscoverySpec{Name: "platform.internal", Description: "platform services"},
		LoadBalancer: &composite.ClusterLoadBalancerSpec{
			IngressCIDRBlocks: []string{"10.0.0.0/8", "::/0", "192.168.0.0/16"},
			CertificateARN:    fsCert,
			IdleTimeout:       composite.Ptr[int64](120),
		},
		Tags: map[string]string{"team": "platform", "env": "prod"},
	}
}

func fsClusterHTTP() composite.ClusterSpec {
	return composite.ClusterSpec{
		Name:              "Shared_Prod",
		CapacityProviders: []string{"FARGATE"},
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0a000001", "subnet-0b000002"},
		ServiceDiscovery:  &composite.ClusterServiceDiscoverySpec{Name: "shared", Type: "HTTP"},
		LoadBalancer:      &composite.ClusterLoadBalancerSpec{Internal: composite.Ptr(true)},
	}
}

// fsClusterEvery sets every field of every block (none left to a default).
func fsClusterEvery() composite.ClusterSpec {
	return composite.ClusterSpec{
		Name:              "every",
		CapacityProviders: []string{"FARGATE_SPOT", "FARGATE", "my-asg"},
		DefaultCapacityProviderStrategy: []composite.CapacityProviderStrategySpec{
			{CapacityProvider: "my-asg", Weight: composite.Ptr[int64](0), Base: composite.Ptr[int64](2)},
			{CapacityProvider: "FARGATE", Weight: composite.Ptr[int64](5), Base: composite.Ptr[int64](0)},
		},
		ContainerInsights: composite.Ptr(true),
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0b000002", "subnet-0a000001", "subnet-0c000003"},
		ServiceDiscovery:  &composite.ClusterServiceDiscoverySpec{Name: "every.internal", Type: "DNS_PRIVATE", Description: "d"},
		LoadBalancer: &composite.ClusterLoadBalancerSpec{
			Internal:          composite.Ptr(false),
			IngressCIDRBlocks: []string{"192.168.0.0/16", "10.0.0.0/8"},
			CertificateARN:    fsCert,
			SSLPolicy:         "ELBSecurityPolicy-TLS13-1-3-2021-06",
			IdleTimeout:       composite.Ptr[int64](4000),
		},
		Tags: map[string]string{"a": "1", "b": ""},
	}
}

// fsClusterEmpty holds explicitly empty lists ("none", not "unset") and
// empty blocks.
func fsClusterEmpty() composite.ClusterSpec {
	return composite.ClusterSpec{
		Name:                            "empty",
		CapacityProviders:               []string{},
		DefaultCapacityProviderStrategy: []composite.CapacityProviderStrategySpec{},
		SubnetIDs:                       []string{},
		ServiceDiscovery:                &composite.ClusterServiceDiscoverySpec{},
		LoadBalancer:                    &composite.ClusterLoadBalancerSpec{IngressCIDRBlocks: []string{}},
		Tags:                            map[string]string{},
	}
}

func fsClusterSpecs() map[string]composite.ClusterSpec {
	return map[string]composite.ClusterSpec{
		"minimal": fsClusterMinimal(), "full": fsClusterFull(), "http": fsClusterHTTP(), "every": fsClusterEvery(),
		"empty": fsClusterEmpty(), "zero": {},
		"empty_blocks":           {Name: "b", ServiceDiscovery: &composite.ClusterServiceDiscoverySpec{}, LoadBalancer: &composite.ClusterLoadBalancerSpec{}},
		"strategy_unset_numbers": {Name: "s", DefaultCapacityProviderStrategy: []composite.CapacityProviderStrategySpec{{CapacityProvider: "FARGATE"}}},
	}
}

func fsJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// fsExpected is what toSpec(fromSpec(s)) returns: the schema defaults filled
// (what a plan holds for an attribute left out), empty tags nil. s is
// deep-copied through JSON (which keeps nil and empty lists apart: their
// tags have no omitempty).
func fsExpected(in composite.ClusterSpec) composite.ClusterSpec {
	var s composite.ClusterSpec
	if err := json.Unmarshal([]byte(fsJSON(in)), &s); err != nil {
		panic(err)
	}
	if s.CapacityProviders == nil {
		s.CapacityProviders = composite.DefaultCapacityProviders()
	}
	if s.DefaultCapacityProviderStrategy == nil {
		s.DefaultCapacityProviderStrategy = composite.DefaultCapacityProviderStrategy()
	}
	for i := range s.DefaultCapacityProviderStrategy {
		st := &s.DefaultCapacityProviderStrategy[i]
		if st.Weight == nil {
			st.Weight = composite.Ptr[int64](composite.DefaultStrategyWeight)
		}
		if st.Base == nil {
			st.Base = composite.Ptr[int64](composite.DefaultStrategyBase)
		}
	}
	if s.ContainerInsights == nil {
		s.ContainerInsights = composite.Ptr(composite.DefaultContainerInsights)
	}
	if sd := s.ServiceDiscovery; sd != nil && sd.Type == "" {
		sd.Type = composite.DefaultNamespaceType
	}
	if lb := s.LoadBalancer; lb != nil {
		if lb.Internal == nil {
			lb.Internal = composite.Ptr(false)
		}
		if lb.IngressCIDRBlocks == nil {
			lb.IngressCIDRBlocks = []string{composite.DefaultIngressCIDRBlock}
		}
		if lb.IdleTimeout == nil {
			lb.IdleTimeout = composite.Ptr[int64](composite.DefaultIdleTimeout)
		}
	}
	return s
}

// fsState puts the model into a state of the resource schema (so every
// value must have the schema's type) and reads it back.
func fsState(t *testing.T, m clusterResourceModel) clusterResourceModel {
	t.Helper()
	ctx := context.Background()
	sch := clusterSchema(ctx)
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(sch.Attributes["timeouts"].GetType().(attr.TypeWithAttributeTypes).AttributeTypes())}
	m.TagsAll = types.MapNull(types.StringType)
	m.Resources = types.MapNull(adapter.ChildObjectType)
	st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatalf("state.Set: %v", d)
	}
	var back clusterResourceModel
	if d := st.Get(ctx, &back); d.HasError() {
		t.Fatalf("state.Get: %v", d)
	}
	return back
}

func TestFromSpec_roundTrip(t *testing.T) {
	ctx := context.Background()
	for name, s := range fsClusterSpecs() {
		t.Run(name, func(t *testing.T) {
			orig := fsJSON(s)
			var m clusterResourceModel
			if d := fromSpec(ctx, s, &m); d.HasError() {
				t.Fatalf("fromSpec: %v", d)
			}
			if fsJSON(s) != orig {
				t.Fatal("fromSpec changed the spec")
			}
			for via, mm := range map[string]clusterResourceModel{"model": m, "state": fsState(t, m)} {
				got, unknown, d := toSpec(ctx, mm)
				if d.HasError() || len(unknown) != 0 {
					t.Fatalf("%s: toSpec: %v, unknown %v", via, d, unknown)
				}
				want := fsExpected(s)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: toSpec(fromSpec(s)) differs\n got %s\nwant %s", via, fsJSON(got), fsJSON(want))
				}
				// The schema defaults are the composite's: with defaults
				// applied, the round trip is exact.
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

// When no field is left to a schema default, the round trip is the identity.
func TestFromSpec_roundTripIdentity(t *testing.T) {
	ctx := context.Background()
	for _, s := range []composite.ClusterSpec{fsClusterEvery(), fsClusterEmpty()} {
		s.Tags = map[string]string{"k": "v"}
		s.ServiceDiscovery = &composite.ClusterServiceDiscoverySpec{Name: "n", Type: "HTTP"}
		s.LoadBalancer.Internal, s.LoadBalancer.IdleTimeout = composite.Ptr(true), composite.Ptr[int64](1)
		s.ContainerInsights = composite.Ptr(false)
		var m clusterResourceModel
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
// attribute has one; an empty list stays an empty list.
func TestFromSpec_unsetIsNull(t *testing.T) {
	ctx := context.Background()
	sch := clusterSchema(ctx)
	b := adapter.NewModelBuilder(ctx, clusterSchema(ctx))
	var m clusterResourceModel
	if d := fromSpec(ctx, composite.ClusterSpec{}, &m); d.HasError() {
		t.Fatal(d)
	}
	for name, v := range fsInputs(t, sch, m) {
		if def, ok := b.SchemaDefault(name); ok {
			if !v.Equal(def) {
				t.Errorf("%s = %v, want the schema default %v", name, v, def)
			}
		} else if !v.IsNull() {
			t.Errorf("%s = %v, want null", name, v)
		}
	}
	if !m.CapacityProviders.Equal(stringList(composite.DefaultCapacityProviders()...)) ||
		!m.DefaultCapacityProviderStrategy.Equal(defaultStrategyList()) || !m.ContainerInsights.Equal(types.BoolValue(true)) {
		t.Errorf("schema defaults: %v %v %v", m.CapacityProviders, m.DefaultCapacityProviderStrategy, m.ContainerInsights)
	}

	// Empty blocks: defaulted attributes hold their default, the rest null.
	if d := fromSpec(ctx, fsClusterSpecs()["empty_blocks"], &m); d.HasError() {
		t.Fatal(d)
	}
	sd, lb := m.ServiceDiscovery.Attributes(), m.LoadBalancer.Attributes()
	if !sd["name"].IsNull() || !sd["description"].IsNull() || !sd["type"].Equal(types.StringValue(composite.DefaultNamespaceType)) {
		t.Errorf("service_discovery = %v", m.ServiceDiscovery)
	}
	if !lb["certificate_arn"].IsNull() || !lb["ssl_policy"].IsNull() || !lb["internal"].Equal(types.BoolValue(false)) ||
		!lb["idle_timeout"].Equal(types.Int64Value(composite.DefaultIdleTimeout)) ||
		!lb["ingress_cidr_blocks"].Equal(stringList(composite.DefaultIngressCIDRBlock)) {
		t.Errorf("load_balancer = %v", m.LoadBalancer)
	}

	// Empty lists are "none": known and empty. Empty tags are unset.
	if d := fromSpec(ctx, fsClusterEmpty(), &m); d.HasError() {
		t.Fatal(d)
	}
	for name, l := range map[string]types.List{
		"capacity_providers": m.CapacityProviders, "default_capacity_provider_strategy": m.DefaultCapacityProviderStrategy,
		"subnet_ids": m.SubnetIDs, "load_balancer.ingress_cidr_blocks": m.LoadBalancer.Attributes()["ingress_cidr_blocks"].(types.List),
	} {
		if l.IsNull() || l.IsUnknown() || len(l.Elements()) != 0 {
			t.Errorf("%s = %v, want an empty list", name, l)
		}
	}
	if !m.Tags.IsNull() {
		t.Errorf("tags = %v, want null", m.Tags)
	}
}

// fromSpec replaces every input attribute (no value of a previous spec
// survives) and leaves the computed ones alone.
func TestFromSpec_overwritesInputsOnly(t *testing.T) {
	ctx := context.Background()
	sch := clusterSchema(ctx)
	var m clusterResourceModel
	if d := fromSpec(ctx, fsClusterEvery(), &m); d.HasError() {
		t.Fatal(d)
	}
	for i, f := range []*types.String{&m.ID, &m.ARN, &m.NamespaceID, &m.NamespaceARN, &m.LoadBalancerARN, &m.LoadBalancerDNSName,
		&m.ListenerARN, &m.LoadBalancerSecurityGroupID, &m.ServiceSecurityGroupID} {
		*f = types.StringValue(strings.Repeat("x", i+1))
	}
	m.TagsAll = types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringValue("b")})
	m.Resources = types.MapNull(adapter.ChildObjectType)
	before := m

	if d := fromSpec(ctx, composite.ClusterSpec{Name: "platform"}, &m); d.HasError() {
		t.Fatal(d)
	}
	var fresh clusterResourceModel
	if d := fromSpec(ctx, composite.ClusterSpec{Name: "platform"}, &fresh); d.HasError() {
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
	sch := clusterSchema(ctx)
	for name, s := range fsClusterSpecs() {
		var m clusterResourceModel
		if d := fromSpec(ctx, s, &m); d.HasError() {
			t.Fatalf("%s: %v", name, d)
		}
		for attrName, v := range fsInputs(t, sch, m) {
			if want := sch.Attributes[attrName].GetType(); !v.Type(ctx).Equal(want) {
				t.Errorf("%s: %s has type %s, schema %s", name, attrName, v.Type(ctx), want)
			}
		}
	}
	// The package's hand-written object types (used by fillImported and the
	// data source) agree with the schema too.
	for name, want := range map[string]attr.Type{
		"service_discovery": serviceDiscoveryType, "load_balancer": loadBalancerType,
		"default_capacity_provider_strategy": types.ListType{ElemType: strategyType},
	} {
		if got := sch.Attributes[name].GetType(); !got.Equal(want) {
			t.Errorf("%s: schema type %s, package type %s", name, got, want)
		}
	}
	b := adapter.NewModelBuilder(ctx, clusterSchema(ctx))
	b.Str("", "service_discovery", "no_such_attribute")
	if !b.Diags().HasError() || !strings.Contains(b.Diags().Errors()[0].Detail(), "service_discovery.no_such_attribute") {
		t.Errorf("unknown attribute: diags %v", b.Diags())
	}
}
