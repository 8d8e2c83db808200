package adapter

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// The testdata/v1_*.json files are the private state ("children") that the
// release before format version 2 wrote for examples/platform's cluster and
// api service, captured from that release's binary against the emulator.

func loadFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDecodeRecorded_upgradesVersion1(t *testing.T) {
	for _, name := range []string{"v1_cluster.json", "v1_service_api.json"} {
		t.Run(name, func(t *testing.T) {
			raw := loadFixture(t, name)
			rec, err := DecodeRecorded(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec) == 0 {
				t.Fatal("no children decoded")
			}
			for k, r := range rec {
				for _, old := range []string{v1Observed, v1DriftedHash, v1ForceDelete, v1PriorityExplicit} {
					if _, ok := r.Outputs[old]; ok {
						t.Errorf("%s: output %q left after the upgrade", k, old)
					}
				}
				if r.Kind == composite.KindECSService {
					if _, ok := r.Outputs[v1Cluster]; ok {
						t.Errorf("%s: output cluster left after the upgrade", k)
					}
				}
				if r.Hash == "" || r.Key != k || (r.Kind != composite.KindSecurityGroup && r.Observed == "") {
					t.Errorf("%s upgraded as %+v", k, r)
				}
			}
			// The version 1 writer reproduces what that release wrote.
			back, err := encodeV1(rec)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(back, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("encodeV1(upgrade(v1)) differs from the release's state:\n got %s\nwant %s", back, raw)
			}
			// Version 2 round-trips.
			v2, err := EncodeRecorded(rec)
			if err != nil {
				t.Fatal(err)
			}
			again, err := DecodeRecorded(v2)
			if err != nil || !reflect.DeepEqual(again, rec) {
				t.Errorf("version 2 round trip: %v\n got %+v\nwant %+v", err, again, rec)
			}
		})
	}
	rec, err := DecodeRecorded(loadFixture(t, "v1_service_api.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s := rec[composite.KeyService]; s.Cluster != "arn:aws:ecs:us-east-1:123456789012:cluster/platform" {
		t.Errorf("service cluster = %q", s.Cluster)
	}
	if r := rec[composite.KeyRepository]; r.Kind != composite.KindECRRepository || r.ForceDelete {
		t.Errorf("repository = %+v", r)
	}
	if r := rec[composite.KeyListenerRule]; r.PriorityExplicit == nil || !*r.PriorityExplicit {
		t.Errorf("listener rule priority explicit = %v", r.PriorityExplicit)
	}
}

func TestDecodeRecorded_versions(t *testing.T) {
	if _, err := DecodeRecorded([]byte(`{"version":3,"children":{}}`)); err == nil {
		t.Error("a newer version must be refused")
	}
	rec, err := DecodeRecorded([]byte(`{"version":2,"children":null}`))
	if err != nil || rec == nil || len(rec) != 0 {
		t.Errorf("empty v2 = %v, %v", rec, err)
	}
	restore := SetWriteVersionForTest(1)
	raw, err := EncodeRecorded(map[string]composite.Recorded{"service": {Kind: composite.KindECSService, Cluster: "c", Observed: "f"}})
	restore()
	if err != nil || string(raw) != `{"service":{"Key":"","Kind":"aws_ecs_service","Name":"","ARN":"","Outputs":{"cluster":"c","observed":"f"},"Hash":"","ReplaceHash":""}}` {
		t.Errorf("v1 encoding = %s, %v", raw, err)
	}
}

func TestRecordedFromResources(t *testing.T) {
	ctx := context.Background()
	obj := func(kind composite.Kind, name, arn string) attr.Value {
		return types.ObjectValueMust(ChildObjectType.AttrTypes, map[string]attr.Value{
			"kind": types.StringValue(string(kind)), "name": types.StringValue(name), "arn": types.StringValue(arn),
		})
	}
	m := types.MapValueMust(ChildObjectType, map[string]attr.Value{
		"service":               obj(composite.KindECSService, "web", "arn:aws:ecs:us-east-1:1:service/platform/web"),
		"execution_role_policy": obj(composite.KindIAMRolePolicy, "containerapp-execution", "role-x:containerapp-execution"),
		"listener_rule":         obj(composite.KindListenerRule, "", "arn:rule"),
	})
	rec, diags := RecordedFromResources(ctx, m)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if len(rec) != 3 {
		t.Fatalf("got %d records", len(rec))
	}
	if s := rec["service"]; s.Kind != composite.KindECSService || s.ARN != "arn:aws:ecs:us-east-1:1:service/platform/web" || s.Name != "web" {
		t.Errorf("service record %+v", s)
	}
	if p := rec["execution_role_policy"]; p.Outputs[composite.AttrID] != "role-x:containerapp-execution" || p.Name != "containerapp-execution" {
		t.Errorf("policy record %+v", p)
	}
	if r := rec["listener_rule"]; r.ARN != "arn:rule" || r.Outputs[composite.AttrName] != "" {
		t.Errorf("rule record %+v", r)
	}
	if rec, _ := RecordedFromResources(ctx, types.MapNull(ChildObjectType)); len(rec) != 0 {
		t.Errorf("null map: %v", rec)
	}
}
