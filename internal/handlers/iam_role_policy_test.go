package handlers

import (
	"net/url"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

const (
	testInlinePolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`
	testInlinePolicy2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":"*"}]}`
)

func rolePolicyChild(role, name, policy string) composite.Child {
	return composite.Child{
		Key: "execution_role_policy", Kind: composite.KindIAMRolePolicy, Name: name, Hash: "h",
		Props: &composite.RolePolicyProps{Role: role, Name: name, Policy: policy},
	}
}

func TestAccRolePolicyHandler_lifecycle(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := iam.NewFromConfig(at.cfg)
	h := NewRolePolicyHandler(client)
	role := acctest.RandomName("ca-role")
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(testTrustPolicy)}); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	t.Cleanup(func() { _ = NewRoleHandler(client).Delete(ctx, composite.Recorded{Name: role}) })
	name := acctest.RandomName("logs")

	// Create.
	c := rolePolicyChild(role, name, testInlinePolicy)
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	wantID := role + ":" + name
	if out[composite.AttrID] != wantID || out[composite.AttrName] != name || out[AttrRole] != role {
		t.Errorf("Create outputs = %v, want id %q, name and role", out, wantID)
	}
	if _, ok := out[composite.AttrARN]; ok {
		t.Errorf("Create outputs = %v: an inline policy has no arn", out)
	}
	rec := recorded(c, out)
	if rec.ARN != wantID {
		t.Errorf("recorded ARN field = %q, want the id %q", rec.ARN, wantID)
	}

	// Observe: one call, found, the props are the created ones.
	at.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Observe", at.ops.calls(), "GetRolePolicy")
	if got := obs.Outputs; got[composite.AttrID] != wantID || got[AttrRole] != role || got[composite.AttrName] != name {
		t.Errorf("Observe outputs = %v", got)
	}
	expectObservedProps(t, "Observe", c.Kind, c.Props, obs.Props)

	// Find by id, and by role ARN and name: the same policy, in one call.
	at.ops.reset()
	frec, fobs, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, ID: wantID})
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Find", at.ops.calls(), "GetRolePolicy")
	if frec.Key != c.Key || frec.Kind != c.Kind || frec.Name != name || frec.ARN != wantID || frec.Outputs[AttrRole] != role || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)
	roleARN := "arn:aws:iam::123456789012:role/" + role
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, ID: roleARN, Name: name}); err != nil || !found || frec.ARN != wantID {
		t.Errorf("Find by role ARN = %+v, %v, %v", frec, found, err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, ID: role, Name: "other"}); err != nil || found {
		t.Errorf("Find of a missing policy = %v, %v", found, err)
	}

	// Update the document.
	c2 := rolePolicyChild(role, name, testInlinePolicy2)
	out2, err := h.Update(ctx, c2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if doc := getRolePolicyDocument(t, at, client, role, name); !jsonEquivalent(doc, testInlinePolicy2) {
		t.Errorf("policy after update = %s, want %s", doc, testInlinePolicy2)
	}
	if obs, _, err := h.Observe(ctx, recorded(c2, out2), false); err != nil || !jsonEquivalent(obs.Props.(*composite.RolePolicyProps).Policy, testInlinePolicy2) {
		t.Errorf("Observe after Update = %+v, %v", obs.Props, err)
	}

	// Rename: the new policy is put and the old one removed.
	renamed := name + "-v2"
	c3 := rolePolicyChild(role, renamed, testInlinePolicy2)
	out3, err := h.Update(ctx, c3, recorded(c2, out2))
	if err != nil {
		t.Fatalf("Update (rename): %v", err)
	}
	list, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("ListRolePolicies: %v", err)
	}
	if len(list.PolicyNames) != 1 || list.PolicyNames[0] != renamed {
		t.Errorf("inline policies after rename = %v, want [%s]", list.PolicyNames, renamed)
	}

	// Delete, gone, delete again.
	rec = recorded(c3, out3)
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after delete = found %v, err %v; want gone", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}

	// A record holding only the id still finds its policy.
	if _, found, err := h.Observe(ctx, composite.Recorded{ARN: wantID}, false); err != nil || found {
		t.Fatalf("Observe by id = found %v, err %v; want gone", found, err)
	}
}

func TestAccRolePolicyHandler_roleGone(t *testing.T) {
	at := newAcc(t)
	h := NewRolePolicyHandler(iam.NewFromConfig(at.cfg))
	rec := composite.Recorded{Outputs: map[string]string{AttrRole: acctest.RandomName("ca-gone"), composite.AttrName: "p"}}
	if _, found, err := h.Observe(at.ctx, rec, false); err != nil || found {
		t.Fatalf("Observe with the role gone = found %v, err %v", found, err)
	}
	if err := h.Delete(at.ctx, rec); err != nil {
		t.Fatalf("Delete with the role gone: %v", err)
	}
}

func getRolePolicyDocument(t *testing.T, at *accEnv, client *iam.Client, role, name string) string {
	t.Helper()
	out, err := client.GetRolePolicy(at.ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetRolePolicy: %v", err)
	}
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRolePolicyIdentity(t *testing.T) {
	for _, tc := range []struct {
		rec        composite.Recorded
		role, name string
	}{
		{composite.Recorded{Outputs: map[string]string{AttrRole: "r", composite.AttrName: "p"}}, "r", "p"},
		{composite.Recorded{Outputs: map[string]string{composite.AttrID: "r:p"}}, "r", "p"},
		{composite.Recorded{ARN: "r:p"}, "r", "p"},
	} {
		role, name := rolePolicyIdentity(tc.rec)
		if role != tc.role || name != tc.name {
			t.Errorf("rolePolicyIdentity(%+v) = %q, %q; want %q, %q", tc.rec, role, name, tc.role, tc.name)
		}
	}
}

// rolePolicyProps maps GetRolePolicy's answer, the document URL-decoded.
func TestRolePolicyProps(t *testing.T) {
	got := rolePolicyProps("r", "p", &iam.GetRolePolicyOutput{
		RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(url.QueryEscape(testInlinePolicy)),
	})
	if want := (&composite.RolePolicyProps{Role: "r", Name: "p", Policy: testInlinePolicy}); *got != *want {
		t.Errorf("rolePolicyProps = %+v, want %+v", got, want)
	}
}
