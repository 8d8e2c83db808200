package handlers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeClusterContainsServices = "ClusterContainsServicesException"
	errCodeClusterContainsTasks    = "ClusterContainsTasksException"
	errCodeUpdateInProgress        = "UpdateInProgressException"
	clusterStatusInactive          = "INACTIVE"
	settingDisabled                = "disabled"
	// ClusterTasksTimeout bounds how long Delete waits for the tasks of
	// deleted services to stop (ClusterContainsTasksException).
	ClusterTasksTimeout = 5 * time.Minute
)

// ErrClusterHasServices is returned (wrapped) when an ECS cluster that still
// has services would be deleted.
var ErrClusterHasServices = errors.New("the ECS cluster still has services")

// ErrClusterAlreadyExists is returned (wrapped) by Create when an ACTIVE
// cluster of the same name exists that the composite does not own.
var ErrClusterAlreadyExists = errors.New("ECS cluster already exists")

// ECSClusterAPI is the part of *ecs.Client the ECS cluster handler uses.
type ECSClusterAPI interface {
	CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, optFns ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error)
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	PutClusterCapacityProviders(ctx context.Context, in *ecs.PutClusterCapacityProvidersInput, optFns ...func(*ecs.Options)) (*ecs.PutClusterCapacityProvidersOutput, error)
	UpdateCluster(ctx context.Context, in *ecs.UpdateClusterInput, optFns ...func(*ecs.Options)) (*ecs.UpdateClusterOutput, error)
	DeleteCluster(ctx context.Context, in *ecs.DeleteClusterInput, optFns ...func(*ecs.Options)) (*ecs.DeleteClusterOutput, error)
	TagResource(ctx context.Context, in *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *ecs.UntagResourceInput, optFns ...func(*ecs.Options)) (*ecs.UntagResourceOutput, error)
	ClusterServicesAPI
}

// ClusterServicesAPI lists a cluster's services (the pre-delete check).
type ClusterServicesAPI interface {
	ListServices(ctx context.Context, in *ecs.ListServicesInput, optFns ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

var _ ECSClusterAPI = (*ecs.Client)(nil)

// ECSClusterHandler manages composite.KindECSCluster children, the anchor of
// the cluster composite. It holds no mutable state and is safe for
// concurrent use.
type ECSClusterHandler struct {
	api ECSClusterAPI
}

var (
	_ engine.Handler = (*ECSClusterHandler)(nil)
	_ engine.Finder  = (*ECSClusterHandler)(nil)
)

// NewECSClusterHandler returns a handler for ECS clusters.
func NewECSClusterHandler(api ECSClusterAPI) *ECSClusterHandler { return &ECSClusterHandler{api: api} }

// Create creates the cluster with its capacity providers, default strategy,
// Container Insights setting and tags. ECS CreateCluster silently returns an
// existing ACTIVE cluster of the same name, so the name is checked first: a
// cluster carrying this child's ownership tags (an earlier create whose
// result was lost) is adopted and updated; any other is an error. Calls:
// DescribeClusters, CreateCluster.
func (h *ECSClusterHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ClusterProps](c)
	if err != nil {
		return nil, err
	}
	existing, err := h.read(ctx, p.Name)
	switch {
	case err == nil:
		tags := ecsTagMap(existing.Tags)
		if tags[composite.TagOwner] != p.Tags[composite.TagOwner] || tags[composite.TagKey] != p.Tags[composite.TagKey] {
			return nil, fmt.Errorf("%w: %q (%s) is not managed by this composite; import it (terraform import) or choose another name",
				ErrClusterAlreadyExists, p.Name, aws.ToString(existing.ClusterArn))
		}
		return h.converge(ctx, existing, p)
	case !IsNotFound(err):
		return nil, fmt.Errorf("creating ECS cluster %q: %w", p.Name, err)
	}
	out, err := h.api.CreateCluster(ctx, &ecs.CreateClusterInput{
		ClusterName:                     aws.String(p.Name),
		CapacityProviders:               p.CapacityProviders,
		DefaultCapacityProviderStrategy: ecsStrategy(p.DefaultStrategy),
		Settings:                        []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(p.ContainerInsights)}},
		Tags:                            ecsTags(p.Tags),
	})
	if err != nil {
		return nil, fmt.Errorf("creating ECS cluster %q: %w", p.Name, err)
	}
	if out.Cluster == nil {
		return nil, fmt.Errorf("creating ECS cluster %q: empty response", p.Name)
	}
	return clusterOutputs(out.Cluster), nil
}

// Observe reads the cluster (one DescribeClusters call with settings and
// tags) and maps it with clusterProps. A cluster that does not exist or is
// INACTIVE is gone.
func (h *ECSClusterHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	cl, err := h.read(ctx, firstNonEmpty(rec.ARN, rec.Name))
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	return composite.Observed{Props: clusterProps(cl), Outputs: clusterOutputs(cl), Full: full}, true, nil
}

// Find looks the cluster up by its name (q.Name, else its ARN q.ID) and
// observes it. With q.OwnedOnly a cluster whose ownership tags name another
// owner or key is an error (deleting by rediscovery must never take an
// unrelated cluster of the same name); an import takes it regardless.
func (h *ECSClusterHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	id := firstNonEmpty(q.Name, q.ID)
	if id == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no ECS cluster name", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindECSCluster, Name: id}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.ClusterProps)
	if err := lookupOwned(q, fmt.Sprintf("ECS cluster %q (%s)", p.Name, obs.Outputs[composite.AttrARN]), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindECSCluster, p.Name, obs), obs, true, nil
}

// clusterProps maps a cluster as DescribeClusters (settings, tags) returns
// it: the default strategy sorted by provider, Container Insights
// "disabled" when not set, the user tags.
func clusterProps(cl *ecstypes.Cluster) *composite.ClusterProps {
	return &composite.ClusterProps{
		Name:              aws.ToString(cl.ClusterName),
		CapacityProviders: cl.CapacityProviders,
		DefaultStrategy:   liveStrategy(cl.DefaultCapacityProviderStrategy),
		ContainerInsights: insightsSetting(cl.Settings),
		Tags:              userTags(ecsTagMap(cl.Tags)),
	}
}

// Update converges capacity providers and strategy
// (PutClusterCapacityProviders), the Container Insights setting
// (UpdateCluster) and tags, calling only what differs. Calls:
// DescribeClusters, [PutClusterCapacityProviders], [UpdateCluster],
// [UntagResource], [TagResource].
func (h *ECSClusterHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.ClusterProps](c)
	if err != nil {
		return nil, err
	}
	cl, err := h.read(ctx, firstNonEmpty(prev.ARN, p.Name))
	if err != nil {
		return nil, fmt.Errorf("updating ECS cluster %q: %w", p.Name, err)
	}
	return h.converge(ctx, cl, p)
}

func (h *ECSClusterHandler) converge(ctx context.Context, cl *ecstypes.Cluster, p *composite.ClusterProps) (map[string]string, error) {
	clusterARN := aws.ToString(cl.ClusterArn)
	outputs := clusterOutputs(cl)
	if !sameSet(cl.CapacityProviders, p.CapacityProviders) || strategyKey(liveStrategy(cl.DefaultCapacityProviderStrategy)) != strategyKey(p.DefaultStrategy) {
		out, err := h.api.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
			Cluster:                         aws.String(clusterARN),
			CapacityProviders:               append([]string{}, p.CapacityProviders...),
			DefaultCapacityProviderStrategy: append([]ecstypes.CapacityProviderStrategyItem{}, ecsStrategy(p.DefaultStrategy)...),
		})
		if err != nil {
			return outputs, fmt.Errorf("setting the capacity providers of ECS cluster %s: %w", clusterARN, err)
		}
		if out.Cluster != nil {
			cl.CapacityProviders, cl.DefaultCapacityProviderStrategy = out.Cluster.CapacityProviders, out.Cluster.DefaultCapacityProviderStrategy
		}
	}
	if insightsSetting(cl.Settings) != p.ContainerInsights {
		_, err := h.api.UpdateCluster(ctx, &ecs.UpdateClusterInput{
			Cluster:  aws.String(clusterARN),
			Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(p.ContainerInsights)}},
		})
		if err != nil {
			return outputs, fmt.Errorf("setting Container Insights of ECS cluster %s: %w", clusterARN, err)
		}
		cl.Settings = []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(p.ContainerInsights)}}
	}
	if err := syncECSTags(ctx, h.api, clusterARN, ecsTagMap(cl.Tags), p.Tags); err != nil {
		return outputs, fmt.Errorf("updating ECS cluster %s: %w", clusterARN, err)
	}
	return clusterOutputs(cl), nil
}

// Delete deletes the cluster. A cluster already gone (or INACTIVE) is not an
// error. ClusterContainsServicesException is an error naming the services;
// ClusterContainsTasksException (tasks of just-deleted services still
// stopping) is retried for up to ClusterTasksTimeout.
func (h *ECSClusterHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	id := firstNonEmpty(rec.ARN, rec.Name)
	if id == "" {
		return nil
	}
	err := RetryOn(ctx, ClusterTasksTimeout, func(err error) bool {
		code := ErrorCode(err)
		return code == errCodeClusterContainsTasks || code == errCodeUpdateInProgress
	}, func(ctx context.Context) error {
		_, err := h.api.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(id)})
		return err
	})
	switch {
	case err == nil || IsNotFound(err, errCodeClusterNotFound):
		return nil
	case ErrorCode(err) == errCodeClusterContainsServices:
		if names, lerr := ActiveServices(ctx, h.api, id); lerr == nil && len(names) > 0 {
			return fmt.Errorf("deleting ECS cluster %s: %w: %s; delete them first", id, ErrClusterHasServices, strings.Join(names, ", "))
		}
	}
	return fmt.Errorf("deleting ECS cluster %s: %w", id, err)
}

// ActiveServices returns the names of the cluster's services that are not
// INACTIVE, sorted (nil when the cluster does not exist). Calls: ListServices
// pages, DescribeServices per 10 services.
func ActiveServices(ctx context.Context, api ClusterServicesAPI, cluster string) ([]string, error) {
	var arns []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if IsNotFound(err, errCodeClusterNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the services of ECS cluster %s: %w", cluster, err)
		}
		arns = append(arns, out.ServiceArns...)
	}
	var names []string
	for i := 0; i < len(arns); i += 10 {
		out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: arns[i:min(i+10, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("describing the services of ECS cluster %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			if aws.ToString(s.Status) != serviceStatusInactive {
				names = append(names, aws.ToString(s.ServiceName))
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// read returns the ACTIVE cluster, or an error IsNotFound accepts.
func (h *ECSClusterHandler) read(ctx context.Context, cluster string) (*ecstypes.Cluster, error) {
	if cluster == "" {
		return nil, fmt.Errorf("ECS cluster without a name: %w", ErrNotFound)
	}
	out, err := h.api.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{cluster},
		Include:  []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldTags},
	})
	if IsNotFound(err, errCodeClusterNotFound) {
		return nil, fmt.Errorf("ECS cluster %s: %w", cluster, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading ECS cluster %s: %w", cluster, err)
	}
	for i := range out.Clusters {
		if aws.ToString(out.Clusters[i].Status) != clusterStatusInactive {
			return &out.Clusters[i], nil
		}
	}
	return nil, fmt.Errorf("ECS cluster %s: %w", cluster, ErrNotFound)
}

func ecsStrategy(items []composite.CapacityProviderStrategyItem) []ecstypes.CapacityProviderStrategyItem {
	if items == nil {
		return nil
	}
	out := make([]ecstypes.CapacityProviderStrategyItem, 0, len(items))
	for _, it := range items {
		out = append(out, ecstypes.CapacityProviderStrategyItem{CapacityProvider: aws.String(it.CapacityProvider), Weight: it.Weight, Base: it.Base})
	}
	return out
}

func liveStrategy(items []ecstypes.CapacityProviderStrategyItem) []composite.CapacityProviderStrategyItem {
	out := make([]composite.CapacityProviderStrategyItem, 0, len(items))
	for _, it := range items {
		out = append(out, composite.CapacityProviderStrategyItem{CapacityProvider: aws.ToString(it.CapacityProvider), Weight: it.Weight, Base: it.Base})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CapacityProvider < out[j].CapacityProvider })
	return out
}

// strategyKey is a canonical rendering of a strategy (order-insensitive).
func strategyKey(items []composite.CapacityProviderStrategyItem) string {
	parts := make([]string, 0, len(items))
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%s:%d:%d", it.CapacityProvider, it.Weight, it.Base))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func insightsSetting(settings []ecstypes.ClusterSetting) string {
	for _, s := range settings {
		if s.Name == ecstypes.ClusterSettingNameContainerInsights && aws.ToString(s.Value) != "" {
			return aws.ToString(s.Value)
		}
	}
	return settingDisabled
}

func clusterOutputs(cl *ecstypes.Cluster) map[string]string {
	return map[string]string{
		composite.AttrARN:     aws.ToString(cl.ClusterArn),
		composite.AttrName:    aws.ToString(cl.ClusterName),
		AttrContainerInsights: insightsSetting(cl.Settings),
	}
}
