package handlers

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

func testClusterProps(name string, tags map[string]string) *composite.ClusterProps {
	return &composite.ClusterProps{
		Name:              name,
		CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"},
		DefaultStrategy:   []composite.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 1, Base: 0}},
		ContainerInsights: "enabled",
		Tags:              tags,
	}
}

func TestAccECSClusterHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	h := NewECSClusterHandler(a.ecs)
	name := acctest.RandomName("cluster")
	child := newChild(composite.KeyCluster, composite.KindECSCluster, name, testClusterProps(name, ownerTags(name, composite.KeyCluster, map[string]string{"team": "a"})))
	t.Cleanup(func() {
		_, _ = a.ecs.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	})

	// Create: the name is checked, then created with everything at once.
	a.ops.reset()
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "DescribeClusters", "CreateCluster")
	requireOutputs(t, out, composite.AttrARN, composite.AttrName, AttrContainerInsights)
	rec := recorded(child, out)

	// Observe: one call, the created props.
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = %v, %v", found, err)
	}
	a.expectCalls("Observe", "DescribeClusters")
	expectObservedProps(t, "Observe", child.Kind, child.Props, obs.Props)
	if got := obs.Outputs; got[AttrContainerInsights] != "enabled" || got[composite.AttrARN] != out[composite.AttrARN] || len(got) != 3 {
		t.Errorf("Observe outputs = %v", got)
	}

	// Find by name: the same, in one call; another owner's lookup fails
	// when only owned clusters count, finds it when any does (an import).
	q := composite.Lookup{Key: composite.KeyCluster, Kind: composite.KindECSCluster, Owner: name, Name: name, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeClusters")
	if frec.Key != composite.KeyCluster || frec.Kind != composite.KindECSCluster || frec.Name != name || frec.ARN != out[composite.AttrARN] || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", child.Kind, child.Props, fobs.Props)
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) for another owner: err = %v", err)
	}
	q.OwnedOnly = false
	if _, _, found, err := h.Find(ctx, q); err != nil || !found {
		t.Errorf("Find (any owner) = %v, %v", found, err)
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: composite.KeyCluster, Name: name + "-missing"}); err != nil || found {
		t.Errorf("Find of a missing cluster = %v, %v", found, err)
	}
	a.ops.reset()

	// No-op update: a read only.
	if _, err := h.Update(ctx, child, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	a.expectCalls("no-op Update", "DescribeClusters")

	// Change providers, strategy, insights and tags.
	p2 := testClusterProps(name, ownerTags(name, composite.KeyCluster, map[string]string{"team": "b"}))
	p2.CapacityProviders = []string{"FARGATE"}
	p2.DefaultStrategy = []composite.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 2, Base: 1}}
	p2.ContainerInsights = "disabled"
	child2 := newChild(composite.KeyCluster, composite.KindECSCluster, name, p2)
	out2, err := h.Update(ctx, child2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeClusters", "PutClusterCapacityProviders", "UpdateCluster", "TagResource")
	if out2[AttrContainerInsights] != "disabled" {
		t.Errorf("Update outputs = %v", out2)
	}
	obs, _, _ = h.Observe(ctx, rec, false)
	expectObservedProps(t, "Observe after Update", child2.Kind, child2.Props, obs.Props)
	a.ops.reset()

	// Drift: Container Insights switched out of band shows in the props.
	if _, err := a.ecs.UpdateCluster(ctx, &ecs.UpdateClusterInput{Cluster: aws.String(name),
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}}); err != nil {
		t.Fatal(err)
	}
	if obs, _, _ = h.Observe(ctx, rec, false); obs.Props.(*composite.ClusterProps).ContainerInsights != "enabled" {
		t.Errorf("Observe did not see the changed setting: %+v", obs.Props)
	}

	// Create again: an owned cluster is adopted (and converged)...
	a.ops.reset()
	if _, err := h.Create(ctx, child2); err != nil {
		t.Fatalf("Create over an owned cluster: %v", err)
	}
	a.expectCalls("adopt", "DescribeClusters", "UpdateCluster")
	// ...a foreign one is refused.
	foreign := newChild(composite.KeyCluster, composite.KindECSCluster, name, testClusterProps(name, ownerTags("someone-else", composite.KeyCluster, nil)))
	if _, err := h.Create(ctx, foreign); !errors.Is(err, ErrClusterAlreadyExists) {
		t.Fatalf("Create over a foreign cluster: %v", err)
	}

	// Delete and gone.
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

// clusterProps maps DescribeClusters' answer.
func TestClusterProps(t *testing.T) {
	cl := &ecstypes.Cluster{ClusterName: aws.String("c"), CapacityProviders: []string{"FARGATE_SPOT", "FARGATE"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}, {CapacityProvider: aws.String("FARGATE"), Weight: 2, Base: 1}},
		Tags: ecsTags(map[string]string{"a": "b", "aws:x": "y"})}
	want := composite.ClusterProps{Name: "c", CapacityProviders: []string{"FARGATE_SPOT", "FARGATE"},
		DefaultStrategy:   []composite.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: 2, Base: 1}, {CapacityProvider: "FARGATE_SPOT", Weight: 1}},
		ContainerInsights: "disabled", Tags: map[string]string{"a": "b"}}
	if got := clusterProps(cl); !reflect.DeepEqual(*got, want) {
		t.Errorf("clusterProps = %+v, want %+v", got, want)
	}
}

func TestAccECSClusterHandler_activeServices(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	h := NewECSClusterHandler(a.ecs)
	cluster := a.newCluster()
	names, err := ActiveServices(ctx, a.ecs, cluster)
	if err != nil || len(names) != 0 {
		t.Fatalf("ActiveServices of an empty cluster = %v, %v", names, err)
	}
	td, err := a.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(acctest.RandomName("td")),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(64),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"zeta", "alpha"} {
		if _, err := a.ecs.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String(cluster), ServiceName: aws.String(svc), TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(cluster), Service: aws.String("zeta"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	names, err = ActiveServices(ctx, a.ecs, cluster)
	if err != nil || strings.Join(names, ",") != "alpha" {
		t.Fatalf("ActiveServices = %v, %v (deleted services must not count)", names, err)
	}
	// AWS refuses to delete the cluster; the error names the services.
	a.ops.failNext("DeleteCluster", errCodeClusterContainsServices, "The Cluster cannot be deleted while Services are active.", 1)
	err = h.Delete(ctx, composite.Recorded{Name: cluster, ARN: cluster})
	if !errors.Is(err, ErrClusterHasServices) || !strings.Contains(err.Error(), "alpha") {
		t.Fatalf("Delete with services = %v", err)
	}
	if names, _ := ActiveServices(ctx, a.ecs, "no-such-cluster-"+cluster); names != nil {
		t.Errorf("ActiveServices of a missing cluster = %v", names)
	}
	_, _ = a.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(cluster), Service: aws.String("alpha"), Force: aws.Bool(true)})
}

// The whole composite through the engine: expand, apply, every child's
// Observe reports the props it was applied with (no false drift), every
// child's Find - the lookups the cluster's discovery makes - finds exactly
// what was recorded, destroy removes everything.
func TestAccClusterComposite_roundTrip(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	namespaces := NewNamespaceHandler(a.sd)
	reg := engine.Registry{
		composite.KindECSCluster:          NewECSClusterHandler(a.ecs),
		composite.KindPrivateDNSNamespace: namespaces,
		composite.KindHTTPNamespace:       namespaces,
		composite.KindSecurityGroup:       NewSecurityGroupHandler(a.ec2),
		composite.KindLoadBalancer:        NewLoadBalancerHandler(a.elb),
		composite.KindListener:            NewListenerHandler(a.elb),
	}
	name := acctest.RandomName("cl")
	spec := composite.ClusterSpec{
		Name: name, VpcID: n.VpcID, SubnetIDs: n.Subnets,
		ServiceDiscovery: &composite.ClusterServiceDiscoverySpec{Name: name + ".internal"},
		LoadBalancer:     &composite.ClusterLoadBalancerSpec{CertificateARN: a.newServerCertificate(), IngressCIDRBlocks: []string{"10.0.0.0/8", "::/0"}},
		Tags:             map[string]string{"team": "platform"},
	}
	g, err := composite.ExpandCluster(spec, composite.Env{Region: acctest.Region()})
	if err != nil {
		t.Fatal(err)
	}
	a.ops.reset()
	rec, err := engine.Apply(ctx, reg, g, nil, composite.Diff(g, nil), engine.Options{Concurrency: 4})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	t.Cleanup(func() { _, _ = engine.Destroy(context.Background(), reg, rec, engine.Options{}) })
	t.Logf("create: %d calls: %v", len(a.ops.calls()), a.ops.calls())
	if len(rec) != 7 {
		t.Fatalf("recorded %d children", len(rec))
	}

	a.ops.reset()
	refreshed, gone, err := engine.Refresh(ctx, reg, rec, engine.Options{Concurrency: 4})
	if err != nil || len(gone) > 0 {
		t.Fatalf("Refresh: %v, gone %v", err, gone)
	}
	t.Logf("refresh: %d calls", len(a.ops.calls()))
	outputs := map[string]map[string]string{}
	for k, r := range refreshed {
		outputs[k] = r.Outputs
	}
	for _, c := range g.Children {
		resolved, err := composite.Resolve(c.Props, outputs)
		if err != nil {
			t.Fatal(err)
		}
		obs, found, err := reg[c.Kind].Observe(ctx, refreshed[c.Key], false)
		if err != nil || !found {
			t.Fatalf("%s: Observe = %v, %v", c.Key, found, err)
		}
		expectObservedProps(t, c.Key+": Observe", c.Kind, refreshView(resolved), obs.Props)

		q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: g.Owner, OwnedOnly: true}
		switch c.Kind {
		case composite.KindECSCluster, composite.KindLoadBalancer:
			q.Name = c.Name
		case composite.KindSecurityGroup:
			q.Name, q.Scope = c.Name, map[string]string{composite.LookupVpcID: n.VpcID}
		case composite.KindListener:
			q.ID = refreshed[composite.KeyLoadBalancer].ARN
		}
		frec, fobs, found, err := reg[c.Kind].(engine.Finder).Find(ctx, q)
		if err != nil || !found {
			t.Fatalf("%s: Find = %v, %v", c.Key, found, err)
		}
		if r := rec[c.Key]; frec.Key != c.Key || frec.Kind != r.Kind || frec.Name != r.Name || frec.ARN != r.ARN || frec.Hash != "" {
			t.Errorf("%s: found %+v, recorded %+v", c.Key, frec, r)
		}
		for k, v := range refreshed[c.Key].Outputs {
			if frec.Outputs[k] != v {
				t.Errorf("%s: found output %s = %q, refreshed %q", c.Key, k, frec.Outputs[k], v)
			}
		}
		expectObservedProps(t, c.Key+": Find", c.Kind, resolved, fobs.Props)
	}

	a.ops.reset()
	left, err := engine.Destroy(ctx, reg, rec, engine.Options{Concurrency: 4})
	if err != nil || len(left) > 0 {
		t.Fatalf("Destroy: %v, left %v", err, left)
	}
	t.Logf("destroy: %v", a.ops.calls())
	for _, c := range g.Children {
		if c.Kind == composite.KindListener {
			continue // found through its load balancer, gone too
		}
		q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: g.Owner, Name: c.Name, Scope: map[string]string{composite.LookupVpcID: n.VpcID}}
		if c.Kind == composite.KindPrivateDNSNamespace || c.Kind == composite.KindHTTPNamespace {
			q.Name = ""
		}
		if _, _, found, err := reg[c.Kind].(engine.Finder).Find(ctx, q); err != nil || found {
			t.Errorf("%s: Find after Destroy = %v, %v", c.Key, found, err)
		}
	}
}

// refreshView is what a refresh observes of props: the settings that cost
// extra calls (tags of the kinds whose describe does not return them) left
// out.
func refreshView(props any) any {
	switch p := clone(props).(type) {
	case *composite.NamespaceProps:
		p.Tags = nil
		return p
	case *composite.LoadBalancerProps:
		p.Tags = nil
		return p
	case *composite.ListenerProps:
		p.Tags = nil
		return p
	case *composite.RoleProps:
		p.ManagedPolicyARNs = nil
		return p
	case *composite.LogGroupProps:
		p.Tags = nil
		return p
	case *composite.RepositoryProps:
		p.LifecyclePolicy, p.Tags = "", nil
		return p
	case *composite.TargetGroupProps:
		p.DeregistrationDelay, p.Tags = 0, nil
		return p
	case *composite.ListenerRuleProps:
		p.Tags = nil
		return p
	case *composite.DiscoveryServiceProps:
		p.Tags = nil
		return p
	default:
		return p
	}
}
