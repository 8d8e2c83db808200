package handlers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// DescribeClustersAPI is the one ECS call DescribeActiveCluster needs.
type DescribeClustersAPI interface {
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

// ClusterSummary is an ECS cluster as the containerapp_cluster data source
// reports it.
type ClusterSummary struct {
	ARN, Status                                string
	RunningTasks, PendingTasks, ActiveServices int64
	CapacityProviders                          []string
	DefaultStrategy                            []composite.CapacityProviderStrategyItem
	ContainerInsights                          string // "enabled", "enhanced" or "disabled"
	Tags                                       map[string]string
}

// DescribeActiveCluster returns the ACTIVE cluster named (or with the ARN)
// name, with tags and settings, in one DescribeClusters call. An INACTIVE
// or missing cluster is an error saying so.
func DescribeActiveCluster(ctx context.Context, api DescribeClustersAPI, name string) (ClusterSummary, error) {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{name},
		Include:  []ecstypes.ClusterField{ecstypes.ClusterFieldTags, ecstypes.ClusterFieldSettings},
	})
	if err != nil {
		return ClusterSummary{}, fmt.Errorf("describing ECS cluster %q: %w", name, err)
	}
	for _, c := range out.Clusters {
		if aws.ToString(c.Status) == "INACTIVE" {
			return ClusterSummary{}, fmt.Errorf("ECS cluster %q is INACTIVE (deleted)", name)
		}
		s := ClusterSummary{
			ARN: aws.ToString(c.ClusterArn), Status: aws.ToString(c.Status),
			RunningTasks: int64(c.RunningTasksCount), PendingTasks: int64(c.PendingTasksCount), ActiveServices: int64(c.ActiveServicesCount),
			CapacityProviders: append([]string{}, c.CapacityProviders...),
			DefaultStrategy:   []composite.CapacityProviderStrategyItem{},
			ContainerInsights: "disabled",
			Tags:              map[string]string{},
		}
		for _, it := range c.DefaultCapacityProviderStrategy {
			s.DefaultStrategy = append(s.DefaultStrategy, composite.CapacityProviderStrategyItem{
				CapacityProvider: aws.ToString(it.CapacityProvider), Weight: it.Weight, Base: it.Base})
		}
		for _, st := range c.Settings {
			if st.Name == ecstypes.ClusterSettingNameContainerInsights {
				s.ContainerInsights = aws.ToString(st.Value)
			}
		}
		for _, t := range c.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		return s, nil
	}
	reason := "MISSING"
	for _, f := range out.Failures {
		reason = aws.ToString(f.Reason)
	}
	return ClusterSummary{}, fmt.Errorf("ECS cluster %q not found (%s)", name, reason)
}
