package handlers

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func logGroupChild(name string, days int32, tags map[string]string) composite.Child {
	return composite.Child{
		Key: "log_group", Kind: composite.KindLogGroup, Name: name, Hash: "h",
		Props: &composite.LogGroupProps{Name: name, RetentionDays: days, Tags: tags},
	}
}

func TestAccLogGroupHandler_lifecycle(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := cloudwatchlogs.NewFromConfig(at.cfg)
	h := NewLogGroupHandler(client)
	name := "/containerapp/" + acctest.RandomName("app")
	owner := acctest.RandomName("owner")
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: name}) })

	// A group whose name extends ours must not be mistaken for it.
	longer := name + "-other"
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(longer)}); err != nil {
		t.Fatalf("CreateLogGroup: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: longer}) })
	if _, found, err := h.Observe(ctx, composite.Recorded{Name: name}, false); err != nil || found {
		t.Fatalf("Observe before create = found %v, err %v; want gone (only a longer name exists)", found, err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: "log_group", Kind: composite.KindLogGroup, Owner: owner, Name: name}); err != nil || found {
		t.Fatalf("Find before create = found %v, err %v; want none (only a longer name exists)", found, err)
	}

	// Create.
	c := logGroupChild(name, 7, ownerTags(owner, "log_group", map[string]string{"team": "a", "drop": "me"}))
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName)
	if arn := out[composite.AttrARN]; strings.HasSuffix(arn, ":*") || !strings.HasSuffix(arn, ":log-group:"+name) {
		t.Errorf("arn = %q, want it to end with :log-group:%s (no :*)", arn, name)
	}
	if got := getLogGroupRetention(t, at, client, name); got != 7 {
		t.Errorf("retention after create = %d, want 7", got)
	}
	rec := recorded(c, out)

	// Observe (a refresh): found, one call, the props without the tags
	// (another call).
	at.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Observe", at.ops.calls(), "DescribeLogGroups")
	if got := obs.Outputs; got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrName] != name {
		t.Errorf("Observe outputs = %v, want %v", got, out)
	}
	refreshed := clone(c.Props).(*composite.LogGroupProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe", c.Kind, refreshed, obs.Props)

	// Find by name observes in full (tags included): the created props.
	at.ops.reset()
	q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Find", at.ops.calls(), "DescribeLogGroups", "ListTagsForResource")
	if frec.Key != c.Key || frec.Kind != c.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) of another owner's group: err = %v", err)
	}

	// No-op update: no mutating call.
	at.ops.reset()
	if _, err := h.Update(ctx, c, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("no-op Update made mutating calls %v", m)
	}

	// Out of band: a retention changed shows in the observed props.
	if _, err := client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatalf("PutRetentionPolicy: %v", err)
	}
	if obs, _, err := h.Observe(ctx, rec, false); err != nil || obs.Props.(*composite.LogGroupProps).RetentionDays != 14 {
		t.Errorf("Observe after an out-of-band change = %+v, %v", obs.Props, err)
	}

	// Update retention and tags.
	c2 := logGroupChild(name, 30, ownerTags(owner, "log_group", map[string]string{"team": "b", "new": "x"}))
	at.ops.reset()
	out2, err := h.Update(ctx, c2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	requireCalls(t, "Update mutations", at.ops.mutating(), "PutRetentionPolicy", "UntagResource", "TagResource")
	if got := getLogGroupRetention(t, at, client, name); got != 30 {
		t.Errorf("retention after update = %d, want 30", got)
	}
	tags, err := client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(out2[composite.AttrARN])})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	requireTags(t, "log group tags", tags.Tags, c2.Props.(*composite.LogGroupProps).Tags)

	// Delete, gone, delete again.
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

// When PutRetentionPolicy fails after CreateLogGroup, Create returns the
// group's outputs with the AWS error: the group exists and must be recorded.
func TestAccLogGroupHandler_createPartial(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	h := NewLogGroupHandler(cloudwatchlogs.NewFromConfig(at.cfg))
	name := "/containerapp/" + acctest.RandomName("partial")
	t.Cleanup(func() { at.ops.clearFailures(); _ = h.Delete(ctx, composite.Recorded{Name: name}) })

	at.ops.failOperation("PutRetentionPolicy", "InvalidParameterException")
	c := logGroupChild(name, 7, nil)
	out, err := h.Create(ctx, c)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Create error = %v, want the injected AWS message", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrName)
	at.ops.clearFailures()

	// The next apply updates the recorded child and converges it.
	rec := recorded(c, out)
	rec.Hash = ""
	if _, err := h.Update(ctx, c, rec); err != nil {
		t.Fatalf("Update after partial create: %v", err)
	}
	if got := getLogGroupRetention(t, at, cloudwatchlogs.NewFromConfig(at.cfg), name); got != 7 {
		t.Errorf("retention = %d, want 7", got)
	}
}

func getLogGroupRetention(t *testing.T, at *accEnv, client *cloudwatchlogs.Client, name string) int32 {
	t.Helper()
	out, err := client.DescribeLogGroups(at.ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeLogGroups: %v", err)
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return aws.ToInt32(g.RetentionInDays)
		}
	}
	t.Fatalf("log group %q not found", name)
	return 0
}

// One handler serves concurrent children (the engine creates independent
// children concurrently); run with -race.
// logGroupProps maps DescribeLogGroups' answer: no retention is 0.
func TestLogGroupProps(t *testing.T) {
	g := &logstypes.LogGroup{LogGroupName: aws.String("/g"), RetentionInDays: aws.Int32(30), KmsKeyId: aws.String("arn:kms")}
	want := composite.LogGroupProps{Name: "/g", RetentionDays: 30, KMSKeyID: "arn:kms", Tags: map[string]string{"a": "b"}}
	if got := logGroupProps(g, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("logGroupProps = %+v, want %+v", got, want)
	}
	if got := logGroupProps(&logstypes.LogGroup{LogGroupName: aws.String("/g")}, nil); got.RetentionDays != 0 || got.Tags != nil {
		t.Errorf("logGroupProps without retention = %+v", got)
	}
}

func TestAccLogGroupHandler_concurrent(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	h := NewLogGroupHandler(cloudwatchlogs.NewFromConfig(at.cfg))
	prefix := "/containerapp/" + acctest.RandomName("conc")
	errs := make(chan error, 6)
	for i := 0; i < cap(errs); i++ {
		go func(i int) {
			name := fmt.Sprintf("%s-%d", prefix, i)
			c := logGroupChild(name, 7, map[string]string{"i": fmt.Sprint(i)})
			out, err := h.Create(ctx, c)
			if err != nil {
				errs <- err
				return
			}
			rec := recorded(c, out)
			if got, found, err := h.Observe(ctx, rec, false); err != nil || !found || got.Outputs[composite.AttrName] != name {
				errs <- fmt.Errorf("Observe %s = %v, %v, %v", name, got, found, err)
				return
			}
			errs <- h.Delete(ctx, rec)
		}(i)
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A group an earlier Create made (its response lost) is adopted by the next
// Create of the same child and converged; a group of the same name with
// another owner is refused and left alone.
func TestAccLogGroupHandler_adopt(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := cloudwatchlogs.NewFromConfig(at.cfg)
	h := NewLogGroupHandler(client)
	owner := acctest.RandomName("owner")
	name := "/containerapp/" + acctest.RandomName("adopt")
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: name}) })
	c := logGroupChild(name, 7, ownerTags(owner, "log_group", nil))
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	at.ops.reset()
	got, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create of an existing own group: %v", err)
	}
	if got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrName] != name {
		t.Errorf("adopted outputs = %v, want %v", got, out)
	}
	requireCalls(t, "adopting Create mutations", at.ops.mutating(), "CreateLogGroup")

	// Adoption converges: a new retention is applied.
	if _, err := h.Create(ctx, logGroupChild(name, 30, ownerTags(owner, "log_group", nil))); err != nil {
		t.Fatalf("adopting Create with changes: %v", err)
	}
	if got := getLogGroupRetention(t, at, client, name); got != 30 {
		t.Errorf("retention after adoption = %d, want 30", got)
	}

	foreign := "/containerapp/" + acctest.RandomName("foreign")
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(foreign),
		Tags: ownerTags("someone-else", "log_group", nil)}); err != nil {
		t.Fatalf("CreateLogGroup: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Name: foreign}) })
	_, err = h.Create(ctx, logGroupChild(foreign, 30, ownerTags(owner, "log_group", nil)))
	if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeLogGroupAlreadyExists || !strings.Contains(err.Error(), foreign) ||
		!strings.Contains(err.Error(), "someone-else") {
		t.Fatalf("Create over another owner's group: err = %v", err)
	}
	if got := getLogGroupRetention(t, at, client, foreign); got != 0 {
		t.Errorf("refused Create set the retention of the foreign group to %d", got)
	}
}
