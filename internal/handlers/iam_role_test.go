package handlers

import (
	"errors"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

const (
	testTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	// Same document, reformatted and with the action as a one-element list:
	// equivalent for IAM, so no update call may follow.
	testTrustPolicyReformatted = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Action": ["sts:AssumeRole"], "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Effect": "Allow"}
  ]
}`
	testTrustPolicyConditioned = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`

	testExecPolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	testECRPolicyARN  = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
)

func roleChild(name string, p composite.RoleProps) composite.Child {
	p.Name = name
	return composite.Child{Key: "execution_role", Kind: composite.KindIAMRole, Name: name, Props: &p, Hash: "h"}
}

func TestAccRoleHandler_lifecycle(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := iam.NewFromConfig(at.cfg)
	h := NewRoleHandler(client)
	name := acctest.RandomName("ca-role")
	owner := acctest.RandomName("owner")

	c := roleChild(name, composite.RoleProps{
		Path:              "/containerapp/",
		Description:       "execution role",
		AssumeRolePolicy:  testTrustPolicy,
		ManagedPolicyARNs: []string{testExecPolicyARN},
		Tags:              ownerTags(owner, "execution_role", map[string]string{"team": "a", "drop": "me"}),
	})
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: name}) })

	// Create.
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, composite.AttrID)
	if out[composite.AttrName] != name || out[composite.AttrID] != name {
		t.Errorf("Create outputs = %v, want name and id %q", out, name)
	}
	if !strings.HasSuffix(out[composite.AttrARN], ":role/containerapp/"+name) {
		t.Errorf("arn = %q, want the path and name in it", out[composite.AttrARN])
	}
	rec := recorded(c, out)

	// Observe (a refresh): found, same outputs, one call; the props are
	// the created ones, without the managed policies (another call).
	at.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Observe", at.ops.calls(), "GetRole")
	if got := obs.Outputs; got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrName] != name || got[composite.AttrID] != name {
		t.Errorf("Observe outputs = %v, want %v", got, out)
	}
	if p := obs.Props.(*composite.RoleProps); obs.Full || p.ManagedPolicyARNs != nil {
		t.Errorf("refresh Observe read the managed policies: %+v", obs)
	}
	refreshed := clone(c.Props).(*composite.RoleProps)
	refreshed.ManagedPolicyARNs = nil
	expectObservedProps(t, "Observe", c.Kind, refreshed, obs.Props)

	// Find by name observes in full: the props are the created ones.
	at.ops.reset()
	q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Find", at.ops.calls(), "GetRole", "ListAttachedRolePolicies")
	if frec.Key != c.Key || frec.Kind != c.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] || frec.Outputs[composite.AttrID] != name || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)
	// ... and by ARN (a task definition's role).
	if frec, _, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, ID: out[composite.AttrARN]}); err != nil || !found || frec.Name != name {
		t.Errorf("Find by ARN = %+v, %v, %v", frec, found, err)
	}
	// Another owner's lookup: an error naming the role when only owned
	// roles count, the role when any does (an import adopts it).
	foreignQ := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: "someone-else", Name: name, OwnedOnly: true}
	if _, _, _, err := h.Find(ctx, foreignQ); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) of another owner's role: err = %v", err)
	}
	foreignQ.OwnedOnly = false
	if _, _, found, err := h.Find(ctx, foreignQ); err != nil || !found {
		t.Errorf("Find (any owner) = %v, %v", found, err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name + "-missing"}); err != nil || found {
		t.Errorf("Find of a missing role = %v, %v", found, err)
	}
	if pols := getAttachedRolePolicies(t, at, client, name); strings.Join(pols, ",") != testExecPolicyARN {
		t.Errorf("attached policies after create = %v", pols)
	}

	// An inline policy put out of band must not make Delete fail.
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String("oob"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}]}`),
	}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}

	// No-op update: an equivalent (reformatted) trust policy, same everything:
	// no mutating call.
	same := roleChild(name, *c.Props.(*composite.RoleProps))
	same.Props.(*composite.RoleProps).AssumeRolePolicy = testTrustPolicyReformatted
	at.ops.reset()
	if _, err := h.Update(ctx, same, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("no-op Update made mutating calls %v", m)
	}

	// Update every property that can change in place.
	c2 := roleChild(name, composite.RoleProps{
		Path:               "/containerapp/",
		Description:        "execution role v2",
		AssumeRolePolicy:   testTrustPolicyConditioned,
		ManagedPolicyARNs:  []string{testECRPolicyARN},
		MaxSessionDuration: 7200,
		Tags:               ownerTags(owner, "execution_role", map[string]string{"team": "b", "new": "x"}),
	})
	at.ops.reset()
	out2, err := h.Update(ctx, c2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if out2[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("Update changed the arn: %v -> %v", out, out2)
	}
	for _, op := range []string{"UpdateAssumeRolePolicy", "UpdateRole", "AttachRolePolicy", "DetachRolePolicy", "TagRole", "UntagRole"} {
		if !contains(at.ops.mutating(), op) {
			t.Errorf("Update calls %v lack %s", at.ops.calls(), op)
		}
	}
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetRole: %v", err)
	}
	if d := aws.ToString(role.Role.Description); d != "execution role v2" {
		t.Errorf("description = %q", d)
	}
	if m := aws.ToInt32(role.Role.MaxSessionDuration); m != 7200 {
		t.Errorf("max session duration = %d", m)
	}
	doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if eq, err := trustPolicyEquivalent(doc, testTrustPolicyConditioned); err != nil || !eq {
		t.Errorf("trust policy = %s, want %s (err %v)", doc, testTrustPolicyConditioned, err)
	}
	if pols := getAttachedRolePolicies(t, at, client, name); strings.Join(pols, ",") != testECRPolicyARN {
		t.Errorf("attached policies after update = %v", pols)
	}
	tags, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListRoleTags: %v", err)
	}
	requireTags(t, "role tags", iamTagMap(tags.Tags), c2.Props.(*composite.RoleProps).Tags)

	// Out of band: the description changed shows in the observed props.
	if _, err := client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name), Description: aws.String("changed")}); err != nil {
		t.Fatalf("UpdateRole: %v", err)
	}
	if obs, _, err := h.Observe(ctx, recorded(c2, out2), false); err != nil || obs.Props.(*composite.RoleProps).Description != "changed" {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}
	if _, err := h.Update(ctx, c2, recorded(c2, out2)); err != nil {
		t.Fatalf("restoring Update: %v", err)
	}

	// A second identical update is a no-op.
	at.ops.reset()
	if _, err := h.Update(ctx, c2, recorded(c2, out2)); err != nil {
		t.Fatalf("repeated Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("repeated Update made mutating calls %v", m)
	}

	// Delete, then gone, then delete again.
	rec = recorded(c2, out2)
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after delete = found %v, err %v; want gone", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

// A failing attach after CreateRole returns the role's outputs with the
// error, so the engine records the role and no orphan is left.
func TestAccRoleHandler_createPartial(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	h := NewRoleHandler(iam.NewFromConfig(at.cfg))
	name := acctest.RandomName("ca-role")
	c := roleChild(name, composite.RoleProps{AssumeRolePolicy: testTrustPolicy, ManagedPolicyARNs: []string{testExecPolicyARN}})
	t.Cleanup(func() { at.ops.clearFailures(); _ = h.Delete(ctx, composite.Recorded{Name: name}) })

	at.ops.failOperation("AttachRolePolicy", "ServiceFailure")
	out, err := h.Create(ctx, c)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Create error = %v, want the injected AWS message", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName)
	at.ops.clearFailures()
	if err := h.Delete(ctx, recorded(c, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func TestAccRoleHandler_missing(t *testing.T) {
	at := newAcc(t)
	h := NewRoleHandler(iam.NewFromConfig(at.cfg))
	rec := composite.Recorded{Kind: composite.KindIAMRole, Name: acctest.RandomName("ca-missing")}
	if _, found, err := h.Observe(at.ctx, rec, true); err != nil || found {
		t.Fatalf("Observe of a missing role = found %v, err %v", found, err)
	}
	if err := h.Delete(at.ctx, rec); err != nil {
		t.Fatalf("Delete of a missing role: %v", err)
	}
	_, err := h.Update(at.ctx, roleChild(rec.Name, composite.RoleProps{AssumeRolePolicy: testTrustPolicy}), rec)
	if err == nil || !strings.Contains(err.Error(), rec.Name) {
		t.Fatalf("Update of a missing role: err = %v, want one naming the role", err)
	}
}

func getAttachedRolePolicies(t *testing.T, at *accEnv, client *iam.Client, name string) []string {
	t.Helper()
	out, err := client.ListAttachedRolePolicies(at.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListAttachedRolePolicies: %v", err)
	}
	var arns []string
	for _, p := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	sort.Strings(arns)
	return arns
}

// roleProps maps a role as GetRole returns it: the trust policy
// URL-decoded, the aws: tags left out.
func TestRoleProps(t *testing.T) {
	tags := map[string]string{composite.TagOwner: "cl/web", composite.TagKey: "execution_role", "team": "a"}
	role := &iamtypes.Role{
		RoleName: aws.String("r"), Path: aws.String("/containerapp/"), Description: aws.String("exec role"),
		AssumeRolePolicyDocument: aws.String(url.QueryEscape(testTrustPolicy)), MaxSessionDuration: aws.Int32(3600),
		Arn:  aws.String("arn:aws:iam::123456789012:role/containerapp/r"),
		Tags: append(iamTags(tags), iamtypes.Tag{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("x")}),
	}
	want := &composite.RoleProps{Name: "r", Path: "/containerapp/", Description: "exec role", AssumeRolePolicy: testTrustPolicy,
		MaxSessionDuration: 3600, ManagedPolicyARNs: []string{testExecPolicyARN}, Tags: tags}
	if got := roleProps(role, []string{testExecPolicyARN}); !reflect.DeepEqual(got, want) {
		t.Errorf("roleProps = %+v\nwant %+v", got, want)
	}
	for _, doc := range []string{testTrustPolicy, url.QueryEscape(testTrustPolicy), strings.ReplaceAll(url.PathEscape(testTrustPolicy), ":", "%3A")} {
		if got := decodePolicyDocument(doc); got != testTrustPolicy {
			t.Errorf("decodePolicyDocument(%.40q) = %.40q", doc, got)
		}
	}
	if got := decodePolicyDocument("not json"); got != "not json" {
		t.Errorf("decodePolicyDocument(not json) = %q", got)
	}
}

func TestTrustPolicyEquivalent(t *testing.T) {
	encoded := url.QueryEscape(testTrustPolicy)
	for _, tc := range []struct {
		current, desired string
		want             bool
	}{
		{encoded, testTrustPolicyReformatted, true},
		{testTrustPolicy, testTrustPolicyReformatted, true},
		{encoded, testTrustPolicyConditioned, false},
		{"", testTrustPolicy, false},
	} {
		got, err := trustPolicyEquivalent(tc.current, tc.desired)
		if err != nil || got != tc.want {
			t.Errorf("trustPolicyEquivalent(%.40q, %.40q) = %v, %v; want %v", tc.current, tc.desired, got, err, tc.want)
		}
	}
}

func TestTagChanges(t *testing.T) {
	set, remove := tagChanges(
		map[string]string{"keep": "1", "change": "old", "drop": "x", "aws:cloudformation:stack-name": "s"},
		map[string]string{"keep": "1", "change": "new", "add": "y"},
	)
	requireTags(t, "set", set, map[string]string{"change": "new", "add": "y"})
	requireCalls(t, "remove", remove, "drop")
	set, remove = tagChanges(map[string]string{"a": "1"}, map[string]string{"a": "1"})
	if len(set) != 0 || len(remove) != 0 {
		t.Errorf("equal tags: set %v, remove %v", set, remove)
	}
}

// A role an earlier Create made (its response lost) is adopted by the next
// Create of the same child and converged; a role of the same name without
// the child's ownership tags is refused and left alone.
func TestAccRoleHandler_adopt(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := iam.NewFromConfig(at.cfg)
	h := NewRoleHandler(client)
	owner := acctest.RandomName("owner")
	name := acctest.RandomName("ca-role")
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: name}) })
	props := composite.RoleProps{
		Path: "/containerapp/", Description: "execution role", AssumeRolePolicy: testTrustPolicy,
		ManagedPolicyARNs: []string{testExecPolicyARN}, Tags: ownerTags(owner, "execution_role", nil),
	}
	out, err := h.Create(ctx, roleChild(name, props))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	// Same props: adopted, nothing to change.
	at.ops.reset()
	got, err := h.Create(ctx, roleChild(name, props))
	if err != nil {
		t.Fatalf("Create of an existing own role: %v", err)
	}
	if got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrName] != name {
		t.Errorf("adopted outputs = %v, want %v", got, out)
	}
	requireCalls(t, "adopting Create mutations", at.ops.mutating(), "CreateRole")

	// Adoption converges: a new description and policy are applied.
	props2 := props
	props2.Description = "execution role v2"
	props2.ManagedPolicyARNs = []string{testECRPolicyARN}
	if _, err := h.Create(ctx, roleChild(name, props2)); err != nil {
		t.Fatalf("adopting Create with changes: %v", err)
	}
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil || aws.ToString(role.Role.Description) != "execution role v2" {
		t.Errorf("adopted role not converged: %+v, %v", role, err)
	}
	if pols := getAttachedRolePolicies(t, at, client, name); strings.Join(pols, ",") != testECRPolicyARN {
		t.Errorf("attached policies after adoption = %v", pols)
	}

	// Other owner, other key, no tags: refused with the AWS error, untouched.
	for what, tags := range map[string]map[string]string{
		"another owner": ownerTags("someone-else", "execution_role", nil),
		"another key":   ownerTags(owner, "task_role", nil),
		"no tags":       nil,
	} {
		other := acctest.RandomName("ca-role")
		if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(other), Path: aws.String("/containerapp/"),
			AssumeRolePolicyDocument: aws.String(testTrustPolicy), Description: aws.String("theirs"), Tags: iamTags(tags)}); err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: other}) })
		_, err := h.Create(ctx, roleChild(other, props))
		if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeEntityAlreadyExists || !strings.Contains(err.Error(), other) {
			t.Errorf("%s: Create error = %v, want a refusal naming the role", what, err)
		}
		if role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(other)}); err != nil || aws.ToString(role.Role.Description) != "theirs" {
			t.Errorf("%s: refused Create changed the role: %+v, %v", what, role, err)
		}
	}
}
