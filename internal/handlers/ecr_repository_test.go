package handlers

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

const (
	testLifecyclePolicy = `{"rules":[{"rulePriority":1,"description":"keep 10","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`
	// Same policy, reformatted: no update call may follow.
	testLifecyclePolicyReformatted = `{
  "rules": [
    {"action": {"type": "expire"}, "rulePriority": 1, "description": "keep 10",
     "selection": {"countNumber": 10, "countType": "imageCountMoreThan", "tagStatus": "any"}}
  ]
}`
	testLifecyclePolicy2 = `{"rules":[{"rulePriority":1,"description":"keep 5","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`
)

func repositoryChild(name string, p composite.RepositoryProps) composite.Child {
	p.Name = name
	return composite.Child{Key: "repository", Kind: composite.KindECRRepository, Name: name, Props: &p, Hash: "h"}
}

func TestAccRepositoryHandler_lifecycle(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := ecr.NewFromConfig(at.cfg)
	h := NewRepositoryHandler(client)
	name := acctest.RandomName("ca-repo")
	owner := acctest.RandomName("owner")
	t.Cleanup(func() {
		_ = h.Delete(ctx, composite.Recorded{Name: name, ForceDelete: true})
	})

	props := composite.RepositoryProps{
		ImageTagMutability: "IMMUTABLE",
		ScanOnPush:         false,
		EncryptionType:     "AES256",
		LifecyclePolicy:    testLifecyclePolicy,
		ForceDelete:        false,
		Tags:               ownerTags(owner, "repository", map[string]string{"team": "a", "drop": "me"}),
	}
	c := repositoryChild(name, props)

	// Create.
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, composite.AttrURL)
	if _, ok := out["force_delete"]; ok || !strings.HasSuffix(out[composite.AttrURL], "/"+name) {
		t.Errorf("Create outputs = %v", out)
	}
	repo := describeRepository(t, at, client, name)
	if repo.ImageTagMutability != ecrtypes.ImageTagMutabilityImmutable || repo.ImageScanningConfiguration.ScanOnPush {
		t.Errorf("repository after create = %+v", repo)
	}
	if got := getLifecyclePolicy(t, at, client, name); !jsonEquivalent(got, testLifecyclePolicy) {
		t.Errorf("lifecycle policy after create = %s", got)
	}
	rec := recorded(c, out)

	// Observe (a refresh): found, one call; the props without what takes
	// more calls (lifecycle policy, tags).
	at.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Observe", at.ops.calls(), "DescribeRepositories")
	for _, a := range []string{composite.AttrARN, composite.AttrName, composite.AttrURL} {
		if obs.Outputs[a] != out[a] {
			t.Errorf("Observe output %s = %q, want %q", a, obs.Outputs[a], out[a])
		}
	}
	refreshed := clone(c.Props).(*composite.RepositoryProps)
	refreshed.LifecyclePolicy, refreshed.Tags = "", nil
	expectObservedProps(t, "Observe", c.Kind, refreshed, obs.Props)

	// Find by name observes in full: the created props.
	at.ops.reset()
	q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Find", at.ops.calls(), "DescribeRepositories", "GetLifecyclePolicy", "ListTagsForResource")
	if frec.Key != c.Key || frec.Kind != c.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] ||
		frec.Outputs[composite.AttrURL] != out[composite.AttrURL] || frec.ForceDelete || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) of another owner's repository: err = %v", err)
	}

	// No-op update with a reformatted lifecycle policy: no mutating call.
	same := props
	same.LifecyclePolicy = testLifecyclePolicyReformatted
	at.ops.reset()
	if _, err := h.Update(ctx, repositoryChild(name, same), rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("no-op Update made mutating calls %v", m)
	}

	// Update everything that can change in place. (Scan on push goes from
	// false to true: the SDK omits a false scanOnPush, which AWS reads as
	// false but moto 5.2.1 ignores.)
	props2 := composite.RepositoryProps{
		ImageTagMutability: "MUTABLE",
		ScanOnPush:         true,
		EncryptionType:     "AES256",
		LifecyclePolicy:    testLifecyclePolicy2,
		ForceDelete:        true,
		Tags:               ownerTags(owner, "repository", map[string]string{"team": "b", "new": "x"}),
	}
	c2 := repositoryChild(name, props2)
	at.ops.reset()
	out2, err := h.Update(ctx, c2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	requireCalls(t, "Update mutations", at.ops.mutating(),
		"PutImageTagMutability", "PutImageScanningConfiguration", "PutLifecyclePolicy", "UntagResource", "TagResource")
	if rec2 := recorded(c2, out2); !rec2.ForceDelete || out2["force_delete"] != "" {
		t.Errorf("Update outputs = %v, record %+v: want force_delete in the record only", out2, rec2)
	}
	repo = describeRepository(t, at, client, name)
	if repo.ImageTagMutability != ecrtypes.ImageTagMutabilityMutable || !repo.ImageScanningConfiguration.ScanOnPush {
		t.Errorf("repository after update = %+v", repo)
	}
	if got := getLifecyclePolicy(t, at, client, name); !jsonEquivalent(got, testLifecyclePolicy2) {
		t.Errorf("lifecycle policy after update = %s", got)
	}
	if _, fobs, _, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name}); err == nil {
		p := clone(c2.Props).(*composite.RepositoryProps)
		p.ForceDelete = false // a found repository is recorded without force
		expectObservedProps(t, "Find after Update", c.Kind, p, fobs.Props)
	} else {
		t.Errorf("Find after Update: %v", err)
	}
	tags, err := client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(out2[composite.AttrARN])})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	requireTags(t, "repository tags", ecrTagMap(tags.Tags), props2.Tags)

	// Removing the lifecycle policy deletes it.
	props3 := props2
	props3.LifecyclePolicy = ""
	c3 := repositoryChild(name, props3)
	at.ops.reset()
	out3, err := h.Update(ctx, c3, recorded(c2, out2))
	if err != nil {
		t.Fatalf("Update (no lifecycle policy): %v", err)
	}
	requireCalls(t, "Update mutations", at.ops.mutating(), "DeleteLifecyclePolicy")
	if got := getLifecyclePolicy(t, at, client, name); got != "" {
		t.Errorf("lifecycle policy after removal = %s", got)
	}

	// An image in the repository: Delete uses the recorded force_delete.
	if _, err := client.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName: aws.String(name), ImageTag: aws.String("v1"),
		ImageManifest: aws.String(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}`),
	}); err != nil {
		t.Fatalf("PutImage: %v", err)
	}
	rec = recorded(c3, out3)
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete (force): %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after delete = found %v, err %v; want gone", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

// Create with a failing PutLifecyclePolicy returns the outputs and the error.
func TestAccRepositoryHandler_createPartial(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	h := NewRepositoryHandler(ecr.NewFromConfig(at.cfg))
	name := acctest.RandomName("ca-repo")
	t.Cleanup(func() { at.ops.clearFailures(); _ = h.Delete(ctx, composite.Recorded{Name: name}) })

	at.ops.failOperation("PutLifecyclePolicy", "InvalidParameterException")
	c := repositoryChild(name, composite.RepositoryProps{ImageTagMutability: "IMMUTABLE", ScanOnPush: true, LifecyclePolicy: testLifecyclePolicy})
	out, err := h.Create(ctx, c)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Create error = %v, want the injected AWS message", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, composite.AttrURL)
	at.ops.clearFailures()
	if err := h.Delete(ctx, recorded(c, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func describeRepository(t *testing.T, at *accEnv, client *ecr.Client, name string) ecrtypes.Repository {
	t.Helper()
	out, err := client.DescribeRepositories(at.ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil || len(out.Repositories) != 1 {
		t.Fatalf("DescribeRepositories: %v", err)
	}
	return out.Repositories[0]
}

func getLifecyclePolicy(t *testing.T, at *accEnv, client *ecr.Client, name string) string {
	t.Helper()
	out, err := client.GetLifecyclePolicy(at.ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
	var nf *ecrtypes.LifecyclePolicyNotFoundException
	if errors.As(err, &nf) {
		return ""
	}
	if err != nil {
		t.Fatalf("GetLifecyclePolicy: %v", err)
	}
	return aws.ToString(out.LifecyclePolicyText)
}

// repositoryProps maps DescribeRepositories' answer and the extra reads.
func TestRepositoryProps(t *testing.T) {
	repo := &ecrtypes.Repository{
		RepositoryName: aws.String("r"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeAes256},
	}
	want := composite.RepositoryProps{Name: "r", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, EncryptionType: "AES256",
		LifecyclePolicy: testLifecyclePolicy, ForceDelete: true, Tags: map[string]string{"a": "b"}}
	if got := repositoryProps(repo, testLifecyclePolicy, map[string]string{"a": "b"}, true); !reflect.DeepEqual(*got, want) {
		t.Errorf("repositoryProps = %+v, want %+v", got, want)
	}
	if got := repositoryProps(&ecrtypes.Repository{RepositoryName: aws.String("r")}, "", nil, false); got.ScanOnPush || got.EncryptionType != "" {
		t.Errorf("repositoryProps of a bare repository = %+v", got)
	}
}

func TestJSONEquivalent(t *testing.T) {
	if !jsonEquivalent(testLifecyclePolicy, testLifecyclePolicyReformatted) {
		t.Error("reformatted lifecycle policy should be equivalent")
	}
	if jsonEquivalent(testLifecyclePolicy, testLifecyclePolicy2) {
		t.Error("different lifecycle policies should differ")
	}
	if !jsonEquivalent(" not json", "not json") || jsonEquivalent("not json", "{}") {
		t.Error("unparsable documents compare as trimmed text")
	}
}

// A repository an earlier Create made (its response lost) is adopted by the
// next Create of the same child; one of the same name with another owner is
// refused and left alone.
func TestAccRepositoryHandler_adopt(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := ecr.NewFromConfig(at.cfg)
	h := NewRepositoryHandler(client)
	owner := acctest.RandomName("owner")
	name := acctest.RandomName("ca-repo")
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: name}) })
	props := composite.RepositoryProps{ImageTagMutability: "IMMUTABLE", ScanOnPush: true, EncryptionType: "AES256",
		LifecyclePolicy: testLifecyclePolicy, Tags: ownerTags(owner, "repository", nil)}
	out, err := h.Create(ctx, repositoryChild(name, props))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	at.ops.reset()
	got, err := h.Create(ctx, repositoryChild(name, props))
	if err != nil {
		t.Fatalf("Create of an existing own repository: %v", err)
	}
	for _, a := range []string{composite.AttrARN, composite.AttrName, composite.AttrURL} {
		if got[a] != out[a] {
			t.Errorf("adopted output %s = %q, want %q", a, got[a], out[a])
		}
	}
	requireCalls(t, "adopting Create mutations", at.ops.mutating(), "CreateRepository")

	foreign := acctest.RandomName("ca-repo")
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(foreign),
		Tags: ecrTags(ownerTags("someone-else", "repository", nil))}); err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: foreign}) })
	_, err = h.Create(ctx, repositoryChild(foreign, props))
	if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeRepositoryAlreadyExists || !strings.Contains(err.Error(), foreign) {
		t.Fatalf("Create over another owner's repository: err = %v", err)
	}
	if got := getLifecyclePolicy(t, at, client, foreign); got != "" {
		t.Errorf("refused Create put a lifecycle policy on the foreign repository: %s", got)
	}
}
