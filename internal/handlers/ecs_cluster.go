package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	clusterStatusActive            = "ACTIVE"
	clusterStatusInactive          = "INACTIVE"
	clusterStatusFailed            = "FAILED"
	settingDisabled                = "disabled"
	// ClusterTasksTimeout bounds how long Delete waits for the tasks of
	// deleted services to stop (ClusterContainsTasksException).
	ClusterTasksTimeout = 5 * time.Minute
	// ClusterActiveTimeout bounds how long Create waits for a new cluster
	// (PROVISIONING while its capacity providers are set up) to be ACTIVE.
	ClusterActiveTimeout = 10 * time.Minute
)

// Waiter settings; variables so tests can shorten them.
var (
	// clusterPollInterval is the delay between DescribeClusters calls while
	// waiting for a cluster to be ACTIVE or INACTIVE.
	clusterPollInterval = 5 * time.Second
	// clusterDeleteMaxWait bounds Delete's retries of
	// ClusterContainsServicesException (services still DRAINING) and the
	// INACTIVE wait when ctx has no deadline (the delete timeout).
	clusterDeleteMaxWait = 20 * time.Minute
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
	in := &ecs.CreateClusterInput{
		ClusterName:                     aws.String(p.Name),
		CapacityProviders:               p.CapacityProviders,
		DefaultCapacityProviderStrategy: ecsStrategy(p.DefaultStrategy),
		Settings:                        []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(p.ContainerInsights)}},
		Tags:                            ecsTags(p.Tags),
	}
	var cl *ecstypes.Cluster
	err = RetryOn(ctx, IAMPropagationTimeout, isLinkedRoleNotAssumable, func(ctx context.Context) error {
		out, err := h.api.CreateCluster(ctx, in)
		if err != nil {
			return err
		}
		if out.Cluster == nil {
			return fmt.Errorf("empty response")
		}
		cl = out.Cluster
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("creating ECS cluster %q: %w", p.Name, err)
	}
	outputs := clusterOutputs(cl)
	if aws.ToString(cl.Status) != clusterStatusActive {
		if err := h.waitActive(ctx, aws.ToString(cl.ClusterArn)); err != nil {
			return outputs, fmt.Errorf("creating ECS cluster %q: %w", p.Name, err)
		}
	}
	return outputs, nil
}

// isLinkedRoleNotAssumable matches CreateCluster's answer on an account's
// first use of ECS, while the service-linked role AWSServiceRoleForECS that
// ECS creates for it propagates (the AWS provider retries it too):
// InvalidParameterException "Unable to assume the service linked role.
// Please verify that the ECS service linked role exists."
func isLinkedRoleNotAssumable(err error) bool {
	return errorMessageContains(err, []string{errCodeInvalidParameter}, "Unable to assume the service linked role")
}

// waitActive polls DescribeClusters until the cluster is ACTIVE (AWS
// reports PROVISIONING while capacity providers are attached), bounded by
// ctx and ClusterActiveTimeout. FAILED (the capacity providers could not be
// set up) is an error with the reason ECS gives.
func (h *ECSClusterHandler) waitActive(ctx context.Context, cluster string) error {
	notYet := errors.New("not ACTIVE yet")
	var last string
	err := pollUntil(ctx, min(waitBudget(ctx, ClusterActiveTimeout), ClusterActiveTimeout), notYet, func(ctx context.Context) error {
		cl, err := h.describeCluster(ctx, cluster)
		switch {
		case err != nil:
			return err
		case cl == nil:
			last = "MISSING"
			return notYet // not visible yet
		}
		last = aws.ToString(cl.Status)
		switch last {
		case clusterStatusActive:
			return nil
		case clusterStatusFailed, clusterStatusInactive:
			return fmt.Errorf("the cluster is %s: %s", last, aws.ToString(cl.AttachmentsStatus))
		}
		return notYet
	})
	if errors.Is(err, notYet) {
		return fmt.Errorf("waiting for ECS cluster %s to be ACTIVE (last status %s): %w", cluster, last, err)
	}
	return err
}

// pollUntil calls fn every clusterPollInterval until it returns anything
// but notYet, or timeout (or ctx) ends; then the last error is returned.
func pollUntil(ctx context.Context, timeout time.Duration, notYet error, fn func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn(ctx)
		if !errors.Is(err, notYet) {
			return err
		}
		if time.Now().Add(clusterPollInterval).After(deadline) {
			return fmt.Errorf("timed out after %s: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(clusterPollInterval):
		}
	}
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

// Delete deletes the cluster, then waits until it is INACTIVE (or gone).
// A cluster already gone (or INACTIVE) is not an error.
//
// ClusterContainsServicesException: services that were just deleted stay
// DRAINING until their tasks stop, and AWS counts them against the cluster
// although ListServices no longer lists them; the call is retried until the
// delete timeout (ctx's deadline, else clusterDeleteMaxWait). An ACTIVE
// service (ListServices and DescribeServices) does not go away by itself:
// that is an error naming the services, at once.
// ClusterContainsTasksException and UpdateInProgressException (tasks of
// deleted services still stopping, capacity providers being detached) are
// retried for up to ClusterTasksTimeout. Calls: DeleteCluster,
// [ListServices, DescribeServices], [DescribeClusters polls].
func (h *ECSClusterHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	id := firstNonEmpty(rec.ARN, rec.Name)
	if id == "" {
		return nil
	}
	start := time.Now()
	var active []string
	err := RetryOn(ctx, waitBudget(ctx, clusterDeleteMaxWait), func(err error) bool {
		switch ErrorCode(err) {
		case errCodeClusterContainsTasks, errCodeUpdateInProgress:
			return time.Since(start) < ClusterTasksTimeout
		case errCodeClusterContainsServices:
			names, lerr := h.servicesWithStatus(ctx, id, serviceStatusActive)
			if lerr == nil && len(names) > 0 {
				active = names
				return false
			}
			return true // DRAINING (invisible to ListServices): they go
		}
		return false
	}, func(ctx context.Context) error {
		_, err := h.api.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(id)})
		return err
	})
	switch {
	case IsNotFound(err, errCodeClusterNotFound):
		return nil
	case err == nil:
	case len(active) > 0:
		return fmt.Errorf("deleting ECS cluster %s: %w: %s; delete them first", id, ErrClusterHasServices, strings.Join(active, ", "))
	default:
		return fmt.Errorf("deleting ECS cluster %s: %w", id, err)
	}
	if err := h.waitInactive(ctx, id); err != nil {
		return fmt.Errorf("deleting ECS cluster %s: %w", id, err)
	}
	return nil
}

// waitInactive polls DescribeClusters until the deleted cluster is INACTIVE
// or no longer reported (AWS reports DEPROVISIONING while its capacity
// providers are detached), bounded by ctx or clusterDeleteMaxWait.
func (h *ECSClusterHandler) waitInactive(ctx context.Context, cluster string) error {
	notYet := errors.New("not INACTIVE yet")
	var last string
	err := pollUntil(ctx, waitBudget(ctx, clusterDeleteMaxWait), notYet, func(ctx context.Context) error {
		cl, err := h.describeCluster(ctx, cluster)
		if err != nil {
			return err
		}
		if cl == nil || aws.ToString(cl.Status) == clusterStatusInactive {
			return nil
		}
		last = aws.ToString(cl.Status)
		return notYet
	})
	if errors.Is(err, notYet) {
		return fmt.Errorf("waiting for ECS cluster %s to be INACTIVE (last status %s): %w", cluster, last, err)
	}
	return err
}

// servicesWithStatus returns the names of the cluster's listed services
// whose status is one of statuses, sorted.
func (h *ECSClusterHandler) servicesWithStatus(ctx context.Context, cluster string, statuses ...string) ([]string, error) {
	var arns []string
	p := ecs.NewListServicesPaginator(h.api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if IsNotFound(err, errCodeClusterNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		arns = append(arns, out.ServiceArns...)
	}
	var names []string
	for i := 0; i < len(arns); i += 10 {
		out, err := describeListedServices(ctx, h.api, cluster, arns[i:min(i+10, len(arns))])
		if err != nil {
			return nil, err
		}
		for _, s := range out.Services {
			if slices.Contains(statuses, aws.ToString(s.Status)) {
				names = append(names, aws.ToString(s.ServiceName))
			}
		}
	}
	sort.Strings(names)
	return names, nil
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
		out, err := describeListedServices(ctx, api, cluster, arns[i:min(i+10, len(arns))])
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

// describeListedServices describes services ListServices has just listed.
// The listing proves the cluster exists, so a ClusterNotFoundException here
// is ECS's propagation after a recent CreateCluster (DescribeServices lags
// the other ECS APIs on a young cluster), retried for up to
// ClusterPropagationTimeout rather than taken for "no services".
func describeListedServices(ctx context.Context, api ClusterServicesAPI, cluster string, arns []string) (*ecs.DescribeServicesOutput, error) {
	var out *ecs.DescribeServicesOutput
	err := RetryOn(ctx, ClusterPropagationTimeout, func(err error) bool { return IsNotFound(err, errCodeClusterNotFound) },
		func(ctx context.Context) error {
			var err error
			out, err = api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: arns})
			return err
		})
	return out, err
}

// read returns the cluster unless it is INACTIVE, or an error IsNotFound
// accepts. See describeCluster.
func (h *ECSClusterHandler) read(ctx context.Context, cluster string) (*ecstypes.Cluster, error) {
	if cluster == "" {
		return nil, fmt.Errorf("ECS cluster without a name: %w", ErrNotFound)
	}
	cl, err := h.describeCluster(ctx, cluster)
	if err != nil {
		return nil, err
	}
	if cl == nil || aws.ToString(cl.Status) == clusterStatusInactive {
		return nil, fmt.Errorf("ECS cluster %s: %w", cluster, ErrNotFound)
	}
	return cl, nil
}

// describeCluster returns the cluster (with settings and tags) in any
// status, or nil when it does not exist: ClusterNotFoundException, or
// reported under failures with reason MISSING. Any other failure
// DescribeClusters reports is an error, not "gone", as are all other errors.
func (h *ECSClusterHandler) describeCluster(ctx context.Context, cluster string) (*ecstypes.Cluster, error) {
	out, err := h.api.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{cluster},
		Include:  []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldTags},
	})
	if IsNotFound(err, errCodeClusterNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading ECS cluster %s: %w", cluster, err)
	}
	// One cluster was asked for; prefer a live answer over an INACTIVE one.
	var found *ecstypes.Cluster
	for i := range out.Clusters {
		cl := &out.Clusters[i]
		if found == nil || aws.ToString(found.Status) == clusterStatusInactive {
			found = cl
		}
	}
	if found != nil {
		return found, nil
	}
	for _, f := range out.Failures {
		if aws.ToString(f.Reason) != failureReasonMissing {
			return nil, fmt.Errorf("reading ECS cluster %s: %s: %s", cluster, aws.ToString(f.Reason), aws.ToString(f.Detail))
		}
	}
	return nil, nil
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
