package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// errCodeLogGroupAlreadyExists is CreateLogGroup's answer for a taken name.
const errCodeLogGroupAlreadyExists = "ResourceAlreadyExistsException"

// LogGroupAPI is the part of *cloudwatchlogs.Client the log group handler uses.
type LogGroupAPI interface {
	CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(ctx context.Context, in *cloudwatchlogs.DeleteRetentionPolicyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	AssociateKmsKey(ctx context.Context, in *cloudwatchlogs.AssociateKmsKeyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error)
	DisassociateKmsKey(ctx context.Context, in *cloudwatchlogs.DisassociateKmsKeyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DisassociateKmsKeyOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *cloudwatchlogs.TagResourceInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *cloudwatchlogs.UntagResourceInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error)
	DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
}

var _ LogGroupAPI = (*cloudwatchlogs.Client)(nil)

// LogGroupHandler manages composite.KindLogGroup children. It holds no
// mutable state and is safe for concurrent use.
type LogGroupHandler struct {
	api LogGroupAPI
}

var (
	_ engine.Handler = (*LogGroupHandler)(nil)
	_ engine.Finder  = (*LogGroupHandler)(nil)
)

// NewLogGroupHandler returns a handler for CloudWatch Logs log groups.
func NewLogGroupHandler(api LogGroupAPI) *LogGroupHandler { return &LogGroupHandler{api: api} }

// Create creates the group (with tags and KMS key), looks up its ARN and sets
// the retention. Once the group exists, a failing follow-up call returns the
// outputs known so far with the error. A group of the same name carrying
// this child's ownership tags (an earlier Create whose response was lost)
// is adopted and converged; any other is refused.
func (h *LogGroupHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.LogGroupProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}
	if len(p.Tags) > 0 {
		in.Tags = p.Tags
	}
	if p.KMSKeyID != "" {
		in.KmsKeyId = aws.String(p.KMSKeyID)
	}
	if _, err := h.api.CreateLogGroup(ctx, in); err != nil {
		if ErrorCode(err) == errCodeLogGroupAlreadyExists {
			return h.adopt(ctx, c, p, name, err)
		}
		return nil, fmt.Errorf("creating log group %q: %w", name, err)
	}
	outputs := map[string]string{composite.AttrName: name}
	group, err := h.read(ctx, name)
	if err != nil {
		return outputs, fmt.Errorf("reading log group %q after create: %w", name, err)
	}
	outputs = logGroupOutputs(group)
	if p.RetentionDays > 0 {
		if err := h.putRetention(ctx, name, p.RetentionDays); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// adopt takes over the group of the child's name that CreateLogGroup
// reported as existing (createErr) when it carries the child's ownership
// tags - a group an earlier, unrecorded Create made - and converges it with
// Update. Calls: DescribeLogGroups, ListTagsForResource, then Update's.
func (h *LogGroupHandler) adopt(ctx context.Context, c composite.Child, p *composite.LogGroupProps, name string, createErr error) (map[string]string, error) {
	group, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("creating log group %q: %w (reading the existing group: %v)", name, createErr, err)
	}
	arn := logGroupOutputs(group)[composite.AttrARN]
	tags, err := h.api.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("creating log group %q: %w (listing the existing group's tags: %v)", name, createErr, err)
	}
	if err := ownedByChild(fmt.Sprintf("log group %q (%s)", name, arn), tags.Tags, c, p.Tags); err != nil {
		return nil, fmt.Errorf("creating log group %q: %w", name, refuseAdoption(err, createErr))
	}
	return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name, ARN: arn})
}

// Observe reads the group (one DescribeLogGroups call unless more than a
// page of groups share the name as a prefix; with full also
// ListTagsForResource) and maps it with logGroupProps.
func (h *LogGroupHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	name := logGroupName(rec)
	group, err := h.read(ctx, name)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	outputs := logGroupOutputs(group)
	var tags map[string]string
	if full {
		out, err := h.api.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(outputs[composite.AttrARN])})
		if IsNotFound(err, "ResourceNotFoundException") {
			return composite.Observed{}, false, nil
		}
		if err != nil {
			return composite.Observed{}, false, fmt.Errorf("listing tags of log group %q: %w", name, err)
		}
		tags = userTags(out.Tags)
	}
	return composite.Observed{Props: logGroupProps(group, tags), Outputs: outputs, Full: full}, true, nil
}

// Find looks the group up by its name (q.Name) and observes it in full.
// With q.OwnedOnly a group whose ownership tags name another owner or key
// is an error.
func (h *LogGroupHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	if q.Name == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no log group name", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindLogGroup, Name: q.Name}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	what := fmt.Sprintf("log group %q (%s)", q.Name, obs.Outputs[composite.AttrARN])
	if err := lookupOwned(q, what, obs.Props.(*composite.LogGroupProps).Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindLogGroup, q.Name, obs), obs, true, nil
}

// logGroupProps maps a group as DescribeLogGroups returns it (and its user
// tags, nil when not read): no retention reads as 0 (never expire).
func logGroupProps(g *logstypes.LogGroup, tags map[string]string) *composite.LogGroupProps {
	return &composite.LogGroupProps{
		Name:          aws.ToString(g.LogGroupName),
		RetentionDays: max(aws.ToInt32(g.RetentionInDays), 0),
		KMSKeyID:      aws.ToString(g.KmsKeyId),
		Tags:          tags,
	}
}

// Update converges retention, KMS key and tags, calling only what differs.
func (h *LogGroupHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.LogGroupProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	group, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("updating log group %q: %w", name, err)
	}
	outputs := logGroupOutputs(group)

	switch have := aws.ToInt32(group.RetentionInDays); {
	case p.RetentionDays > 0 && p.RetentionDays != have:
		if err := h.putRetention(ctx, name, p.RetentionDays); err != nil {
			return outputs, err
		}
	case p.RetentionDays <= 0 && have > 0:
		if _, err := h.api.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)}); err != nil {
			return outputs, fmt.Errorf("deleting retention policy of log group %q: %w", name, err)
		}
	}

	if have := aws.ToString(group.KmsKeyId); have != p.KMSKeyID {
		if p.KMSKeyID == "" {
			if _, err := h.api.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(name)}); err != nil {
				return outputs, fmt.Errorf("disassociating KMS key from log group %q: %w", name, err)
			}
		} else {
			if _, err := h.api.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(name), KmsKeyId: aws.String(p.KMSKeyID)}); err != nil {
				return outputs, fmt.Errorf("associating KMS key with log group %q: %w", name, err)
			}
		}
	}

	arn := outputs[composite.AttrARN]
	tags, err := h.api.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return outputs, fmt.Errorf("listing tags of log group %q: %w", name, err)
	}
	set, remove := tagChanges(tags.Tags, p.Tags)
	if len(remove) > 0 {
		if _, err := h.api.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			return outputs, fmt.Errorf("untagging log group %q: %w", name, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: set}); err != nil {
			return outputs, fmt.Errorf("tagging log group %q: %w", name, err)
		}
	}
	return outputs, nil
}

// Delete deletes the group; a group already gone is fine.
func (h *LogGroupHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	name := logGroupName(rec)
	_, err := h.api.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	if err != nil && !IsNotFound(err, "ResourceNotFoundException") {
		return fmt.Errorf("deleting log group %q: %w", name, err)
	}
	return nil
}

// read returns the group named exactly name, or an error IsNotFound accepts.
// DescribeLogGroups matches a prefix, so pages are read until the exact name
// shows up (names sort, so usually the first page has it).
func (h *LogGroupHandler) read(ctx context.Context, name string) (*logstypes.LogGroup, error) {
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(h.api, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing log group %q: %w", name, err)
		}
		for i := range page.LogGroups {
			if aws.ToString(page.LogGroups[i].LogGroupName) == name {
				return &page.LogGroups[i], nil
			}
		}
	}
	return nil, fmt.Errorf("log group %q: %w", name, ErrNotFound)
}

func (h *LogGroupHandler) putRetention(ctx context.Context, name string, days int32) error {
	_, err := h.api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(days)})
	if err != nil {
		return fmt.Errorf("setting retention of log group %q to %d days: %w", name, days, err)
	}
	return nil
}

func logGroupName(rec composite.Recorded) string {
	return firstNonEmpty(recordedOutput(rec, composite.AttrName), rec.Name)
}

// logGroupOutputs returns arn (without the ":*" that DescribeLogGroups'
// legacy arn field carries) and name.
func logGroupOutputs(g *logstypes.LogGroup) map[string]string {
	arn := aws.ToString(g.LogGroupArn)
	if arn == "" {
		arn = strings.TrimSuffix(aws.ToString(g.Arn), ":*")
	}
	return map[string]string{
		composite.AttrARN:  arn,
		composite.AttrName: aws.ToString(g.LogGroupName),
	}
}
