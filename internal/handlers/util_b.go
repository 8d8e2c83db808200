package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Shared helpers of the ELBv2 and ECS handlers (target group, listener rule,
// task definition, ECS service).

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

// elbv2Tags converts a tag map to ELBv2 tags, sorted by key (nil when empty).
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

// ecsTags converts a tag map to ECS tags, sorted by key (nil when empty).
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

// ecsTagMap converts ECS tags to a map.
func ecsTagMap(tags []ecstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// syncELBv2Tags makes the tags of one ELBv2 resource equal to desired
// (DescribeTags, then AddTags and/or RemoveTags only when something differs).
func syncELBv2Tags(ctx context.Context, api elbv2TagAPI, resourceARN string, desired map[string]string) error {
	out, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{resourceARN}})
	if err != nil {
		return fmt.Errorf("reading tags of %s: %w", resourceARN, err)
	}
	current := map[string]string{}
	for _, d := range out.TagDescriptions {
		if aws.ToString(d.ResourceArn) != resourceARN {
			continue
		}
		for _, t := range d.Tags {
			current[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
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

// arnResource returns the resource part of an ARN ("targetgroup/name/id"),
// or "" when s is not an ARN.
func arnResource(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Resource
}

// lastSegment returns what follows the last "/" of s (s itself without one).
func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// normalizedSet returns the distinct non-empty members of ss, sorted.
func normalizedSet(ss []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// sameSet reports whether a and b hold the same distinct members.
func sameSet(a, b []string) bool {
	na, nb := normalizedSet(a), normalizedSet(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}

// waitBudget is how long a waiter may run: until ctx's deadline when it has
// one, else fallback.
func waitBudget(ctx context.Context, fallback time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			return d
		}
		return time.Millisecond // let the waiter fail at once with a clear error
	}
	return fallback
}

// errorMessageContains reports whether err has one of the AWS error codes
// (any code when codes is empty) and a message containing one of the given
// fragments, compared case-insensitively.
func errorMessageContains(err error, codes []string, fragments ...string) bool {
	if err == nil {
		return false
	}
	if len(codes) > 0 {
		code := ErrorCode(err)
		ok := false
		for _, c := range codes {
			if c == code {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	msg := strings.ToLower(ErrorMessage(err))
	for _, f := range fragments {
		if strings.Contains(msg, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// optString returns nil for "" (leave the AWS default), else a pointer.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// optInt32 returns nil for 0 (leave the AWS default), else a pointer.
func optInt32(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return aws.Int32(v)
}
