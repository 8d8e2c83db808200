package service

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// recordAll records every child of g as applied, with fake ARNs.
func recordAll(g composite.Graph) map[string]composite.Recorded {
	rec := map[string]composite.Recorded{}
	for _, c := range g.Children {
		rec[c.Key] = composite.Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn:" + c.Key,
			Outputs: map[string]string{composite.AttrName: c.Name, composite.AttrARN: "arn:" + c.Key}, Hash: c.Hash, ReplaceHash: c.ReplaceHash}
	}
	return rec
}

func TestArnKeptOnUpdate(t *testing.T) {
	env := composite.Env{Region: "us-east-1"}
	n := acctest.Network{SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupID: "sg-1",
		ListenerARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2",
		NamespaceID: "ns-1", SecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}
	spec := budgetSpec("web", "platform", n)
	g, err := composite.ExpandService(spec, env)
	if err != nil {
		t.Fatal(err)
	}
	td := func(g composite.Graph) composite.Child {
		for _, c := range g.Children {
			if c.Key == composite.KeyTaskDefinition {
				return c
			}
		}
		t.Fatal("no task definition")
		return composite.Child{}
	}
	kept := func(g composite.Graph, rec map[string]composite.Recorded) bool {
		ops := map[string]composite.Op{}
		names := map[string]string{}
		for _, a := range composite.Diff(g, rec) {
			ops[a.Key] = a.Op
		}
		for _, c := range g.Children {
			names[c.Key] = c.Name
		}
		if ops[composite.KeyTaskDefinition] != composite.OpUpdate {
			t.Fatalf("task definition op = %s, want update", ops[composite.KeyTaskDefinition])
		}
		return arnKeptOnUpdate(td(g), rec[composite.KeyTaskDefinition], ops, rec, names)
	}

	// The log group is gone (re-created under the same name): the task
	// definition only reads its name, so no new revision.
	rec := recordAll(g)
	delete(rec, composite.KeyLogGroup)
	if !kept(g, rec) {
		t.Error("log group re-created: task definition ARN should stay known")
	}

	// Its own properties differ from the recorded revision's: a new one.
	rec = recordAll(g)
	r := rec[composite.KeyTaskDefinition]
	r.Hash = "other"
	rec[composite.KeyTaskDefinition] = r
	if kept(g, rec) {
		t.Error("own properties changed: task definition ARN should be unknown")
	}

	// An incomplete record (empty hash): unknown.
	rec = recordAll(g)
	r = rec[composite.KeyTaskDefinition]
	r.Hash = ""
	rec[composite.KeyTaskDefinition] = r
	if kept(g, rec) {
		t.Error("incomplete record: task definition ARN should be unknown")
	}
}

func TestRecordedFromResources(t *testing.T) {
	ctx := context.Background()
	obj := func(kind composite.Kind, name, arn string) attr.Value {
		return types.ObjectValueMust(adapter.ChildObjectType.AttrTypes, map[string]attr.Value{
			"kind": types.StringValue(string(kind)), "name": types.StringValue(name), "arn": types.StringValue(arn),
		})
	}
	m := serviceModel{
		Cluster: types.StringValue("platform"),
		Resources: types.MapValueMust(adapter.ChildObjectType, map[string]attr.Value{
			"service":               obj(composite.KindECSService, "web", "arn:aws:ecs:us-east-1:1:service/platform/web"),
			"execution_role_policy": obj(composite.KindIAMRolePolicy, "containerapp-execution", "role-x:containerapp-execution"),
			"listener_rule":         obj(composite.KindListenerRule, "", "arn:rule"),
		}),
		Repository: types.ObjectNull(map[string]attr.Type{
			"scan_on_push": types.BoolType, "image_tag_mutability": types.StringType, "keep_images": types.Int64Type, "force_delete": types.BoolType,
		}),
	}
	rec, diags := recordedFromResources(ctx, m)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if len(rec) != 3 {
		t.Fatalf("got %d records", len(rec))
	}
	if s := rec["service"]; s.Kind != composite.KindECSService || s.ARN != "arn:aws:ecs:us-east-1:1:service/platform/web" || s.Outputs[handlers.AttrCluster] != "platform" {
		t.Errorf("service record %+v", s)
	}
	if p := rec["execution_role_policy"]; p.Outputs[composite.AttrID] != "role-x:containerapp-execution" || p.Name != "containerapp-execution" {
		t.Errorf("policy record %+v", p)
	}
	if r := rec["listener_rule"]; r.ARN != "arn:rule" || r.Outputs[composite.AttrName] != "" {
		t.Errorf("rule record %+v", r)
	}
}
