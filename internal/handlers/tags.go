package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"
)

// Tags: conversions between tag maps and each service's tag type, and the
// convergence of an object's tags (tagChanges, syncELBv2Tags, syncECSTags).
// Every converter to a service type sorts by key and returns nil for no
// tags; every converter to a map returns a non-nil map.

// tagChanges compares the tags an object has with the tags it should have.
// It returns the tags to set (new or changed values) and the keys to remove,
// both in sorted order. Keys reserved by AWS ("aws:" prefix) are never
// removed: they cannot be.
func tagChanges(current, desired map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range desired {
		if cur, ok := current[k]; !ok || cur != v {
			set[k] = v
		}
	}
	for k := range current {
		if _, ok := desired[k]; !ok && !strings.HasPrefix(k, "aws:") {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// userTags drops the tags AWS reserves ("aws:" prefix): they are neither
// managed nor compared.
func userTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "aws:") {
			out[k] = v
		}
	}
	return out
}

// elbv2TagAPI is the tagging part of *elasticloadbalancingv2.Client.
type elbv2TagAPI interface {
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	AddTags(ctx context.Context, in *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, in *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
}

// ecsTagAPI is the tagging part of *ecs.Client.
type ecsTagAPI interface {
	TagResource(ctx context.Context, in *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *ecs.UntagResourceInput, optFns ...func(*ecs.Options)) (*ecs.UntagResourceOutput, error)
}

// elbv2TagsOf returns the tags of one ELBv2 resource (one DescribeTags call).
func elbv2TagsOf(ctx context.Context, api elbv2TagAPI, arn string) (map[string]string, error) {
	out, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{arn}})
	if err != nil {
		return nil, fmt.Errorf("reading tags of %s: %w", arn, err)
	}
	m := map[string]string{}
	for _, d := range out.TagDescriptions {
		if aws.ToString(d.ResourceArn) == arn {
			for _, t := range d.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
	}
	return m, nil
}

// elbv2TagsPerCall is how many ARNs one DescribeTags call takes.
const elbv2TagsPerCall = 20

// elbv2TagsOfMany returns the tags of up to elbv2TagsPerCall ELBv2
// resources by ARN (one DescribeTags call).
func elbv2TagsOfMany(ctx context.Context, api elbv2TagAPI, arns []string) (map[string]map[string]string, error) {
	out, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
	if err != nil {
		return nil, fmt.Errorf("reading tags of %s: %w", strings.Join(arns, ", "), err)
	}
	m := map[string]map[string]string{}
	for _, d := range out.TagDescriptions {
		tags := map[string]string{}
		for _, t := range d.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		m[aws.ToString(d.ResourceArn)] = tags
	}
	return m, nil
}

// syncELBv2Tags makes the tags of one ELBv2 resource equal to desired
// (DescribeTags, then AddTags and/or RemoveTags only when something differs).
func syncELBv2Tags(ctx context.Context, api elbv2TagAPI, resourceARN string, desired map[string]string) error {
	current, err := elbv2TagsOf(ctx, api, resourceARN)
	if err != nil {
		return err
	}
	set, remove := tagChanges(current, desired)
	if len(remove) > 0 {
		if _, err := api.RemoveTags(ctx, &elbv2.RemoveTagsInput{ResourceArns: []string{resourceARN}, TagKeys: remove}); err != nil {
			return fmt.Errorf("removing tags %v from %s: %w", remove, resourceARN, err)
		}
	}
	if len(set) > 0 {
		if _, err := api.AddTags(ctx, &elbv2.AddTagsInput{ResourceArns: []string{resourceARN}, Tags: elbv2Tags(set)}); err != nil {
			return fmt.Errorf("tagging %s: %w", resourceARN, err)
		}
	}
	return nil
}

// syncECSTags makes the tags of one ECS resource equal to desired, given its
// current tags (which ECS Describe calls return with include=TAGS).
func syncECSTags(ctx context.Context, api ecsTagAPI, resourceARN string, current, desired map[string]string) error {
	set, remove := tagChanges(current, desired)
	if len(remove) > 0 {
		if _, err := api.UntagResource(ctx, &ecs.UntagResourceInput{ResourceArn: aws.String(resourceARN), TagKeys: remove}); err != nil {
			return fmt.Errorf("removing tags %v from %s: %w", remove, resourceARN, err)
		}
	}
	if len(set) > 0 {
		if _, err := api.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: aws.String(resourceARN), Tags: ecsTags(set)}); err != nil {
			return fmt.Errorf("tagging %s: %w", resourceARN, err)
		}
	}
	return nil
}

func elbv2Tags(m map[string]string) []elbv2types.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]elbv2types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, elbv2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func ecsTags(m map[string]string) []ecstypes.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]ecstypes.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, ecstypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func ecsTagMap(tags []ecstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func ec2Tags(m map[string]string) []ec2types.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]ec2types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func iamTags(m map[string]string) []iamtypes.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]iamtypes.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func iamTagMap(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func ecrTags(m map[string]string) []ecrtypes.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]ecrtypes.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, ecrtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func ecrTagMap(tags []ecrtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func discoveryTags(m map[string]string) []sdtypes.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]sdtypes.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, sdtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func discoveryTagMap(tags []sdtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
