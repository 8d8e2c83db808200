package composite

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// lkFind answers a lookup the way the handlers' Find would, from the
// simulated AWS of w: by the lookup's location only (ID, Name, Scope,
// ownership tags), never by its Key. It fails the test when more than one
// object matches or the match has another key; found=false when nothing
// matches.
func lkFind(t *testing.T, w rtWorld, q Lookup) (Observed, bool) {
	t.Helper()
	var hits []Child
	for _, c := range w.g.Children {
		sameKind := c.Kind == q.Kind || q.Kind == KindPrivateDNSNamespace && c.Kind == KindHTTPNamespace
		if !sameKind {
			continue
		}
		out, props := w.outputs[c.Key], w.desired[c.Key]
		tags := lkTags(props)
		var match bool
		switch p := props.(type) {
		case *ServiceProps:
			match = q.Name == c.Name && q.Scope[LookupCluster] == p.Cluster
		case *TaskDefinitionProps, *TargetGroupProps, *DiscoveryServiceProps:
			match = q.ID != "" && q.ID == out[AttrARN]
		case *RoleProps:
			match = q.Name == c.Name && (q.ID == "" || q.ID == out[AttrARN])
		case *RolePolicyProps:
			match = q.Name == out[AttrID]
		case *LogGroupProps, *RepositoryProps, *ClusterProps, *LoadBalancerProps:
			match = q.Name == c.Name
		case *ListenerRuleProps:
			match = q.Scope[LookupTargetGroupARN] != "" && q.Scope[LookupTargetGroupARN] == p.TargetGroupARN
		case *NamespaceProps: // searched by the ownership tags
			match = tags[TagOwner] == q.Owner && tags[TagKey] == q.Key
		case *SecurityGroupProps:
			match = q.Name == c.Name && (q.Scope[LookupVpcID] == "" || q.Scope[LookupVpcID] == p.VpcID)
		case *ListenerProps:
			match = q.Scope[LookupLoadBalancerARN] == p.LoadBalancerARN && q.Name == c.Name
		case *ScalableTargetProps:
			match = q.ID == p.ResourceID
		case *ScalingPolicyProps:
			match = q.ID == p.ResourceID && q.Name == p.Name
		default:
			t.Fatalf("lookup %s: no rule for %T", q.Key, props)
		}
		if match {
			hits = append(hits, c)
		}
	}
	switch {
	case len(hits) == 0:
		return Observed{}, false
	case len(hits) > 1:
		t.Fatalf("lookup %+v matches %d children", q, len(hits))
	case hits[0].Key != q.Key:
		t.Fatalf("lookup %+v finds child %q", q, hits[0].Key)
	}
	c := hits[0]
	if tags := lkTags(w.desired[c.Key]); q.OwnedOnly && (tags[TagOwner] != q.Owner || tags[TagKey] != q.Key) {
		t.Fatalf("lookup %+v: %s is not owned (tags %v)", q, c.Key, tags)
	}
	return w.observed[c.Key], true
}

func lkTags(props any) map[string]string {
	switch p := props.(type) {
	case *RoleProps:
		return p.Tags
	case *LogGroupProps:
		return p.Tags
	case *RepositoryProps:
		return p.Tags
	case *TargetGroupProps:
		return p.Tags
	case *ListenerRuleProps:
		return p.Tags
	case *DiscoveryServiceProps:
		return p.Tags
	case *TaskDefinitionProps:
		return p.Tags
	case *ServiceProps:
		return p.Tags
	case *ClusterProps:
		return p.Tags
	case *NamespaceProps:
		return p.Tags
	case *SecurityGroupProps:
		return p.Tags
	case *LoadBalancerProps:
		return p.Tags
	case *ListenerProps:
		return p.Tags
	}
	return nil
}

// lkDiscover runs the lookup waves against w until no new lookup comes;
// it returns what was observed and the keys asked, wave by wave.
func lkDiscover(t *testing.T, w rtWorld, next func(obs map[string]Observed) []Lookup, markNotFound bool) (map[string]Observed, [][]string) {
	t.Helper()
	obs := map[string]Observed{}
	asked := map[string]Lookup{}
	var waves [][]string
	for wave := 0; ; wave++ {
		if wave > 10 {
			t.Fatal("discovery does not end")
		}
		var keys []string
		var pending []Lookup
		for _, q := range next(obs) {
			if prev, dup := asked[q.Key]; dup {
				if fmt.Sprint(prev) != fmt.Sprint(q) {
					t.Errorf("lookup of %s changed between waves: %+v, then %+v", q.Key, prev, q)
				}
				continue
			}
			if q.Owner != w.g.Owner {
				t.Errorf("lookup %s: owner %q, want %q", q.Key, q.Owner, w.g.Owner)
			}
			asked[q.Key] = q
			keys = append(keys, q.Key)
			pending = append(pending, q)
		}
		if len(pending) == 0 {
			return obs, waves
		}
		for _, q := range pending {
			if o, found := lkFind(t, w, q); found {
				obs[q.Key] = o
			} else if markNotFound {
				obs[q.Key] = Observed{}
			}
		}
		sort.Strings(keys)
		waves = append(waves, keys)
	}
}

func lkCheckReached(t *testing.T, w rtWorld, obs map[string]Observed) {
	t.Helper()
	for _, c := range w.g.Children {
		if o, ok := obs[c.Key]; !ok || o.Props == nil {
			t.Errorf("child %s (%s) was not discovered", c.Key, c.Kind)
		}
	}
	for k, o := range obs {
		if o.Props != nil && !lkHasKey(w.g, k) {
			t.Errorf("%s discovered but not in the expansion", k)
		}
	}
}

func lkHasKey(g Graph, key string) bool {
	for _, c := range g.Children {
		if c.Key == key {
			return true
		}
	}
	return false
}

func TestServiceLookups_reachEveryChild(t *testing.T) {
	noAccount := goldenEnv()
	noAccount.AccountID = ""
	for _, tc := range []struct {
		name string
		spec ServiceSpec
		env  Env
	}{
		{"minimal", goldenMinimalSpec(), goldenEnv()},
		{"full", goldenFullSpec(), goldenEnv()},
		{"arn_cluster_image_tag", goldenARNSpec(), noAccount},
		{"autoscaled_without_schedules", func() ServiceSpec { s := goldenAutoscaledSpec(); s.Autoscaling.Schedules = nil; return s }(), goldenEnv()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ExpandService(tc.spec, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			w := rtObserve(t, g, tc.env)
			cluster, name := ClusterName(tc.spec.Cluster), tc.spec.Name
			for _, mark := range []bool{true, false} {
				obs, waves := lkDiscover(t, w, func(obs map[string]Observed) []Lookup { return ServiceLookups(tc.spec.Cluster, name, tc.env, obs) }, mark)
				lkCheckReached(t, w, obs)
				if len(waves) > 4 {
					t.Errorf("%d waves: %v", len(waves), waves)
				}
				if strings.Join(waves[0], ",") != KeyService {
					t.Errorf("first wave %v, want the ECS service alone", waves[0])
				}
				// What was discovered rebuilds the configuration.
				if _, err := ServiceSpecFromObserved(cluster, name, obs, tc.env); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestServiceLookups_generated(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		w := rtObserve(t, g, env)
		obs, _ := lkDiscover(t, w, func(obs map[string]Observed) []Lookup { return ServiceLookups(s.Cluster, s.Name, env, obs) }, true)
		lkCheckReached(t, w, obs)
	})
}

func TestServiceLookups_waves(t *testing.T) {
	env := goldenEnv()
	g, err := ExpandService(goldenFullSpec(), env)
	if err != nil {
		t.Fatal(err)
	}
	w := rtObserve(t, g, env)
	_, waves := lkDiscover(t, w, func(obs map[string]Observed) []Lookup { return ServiceLookups("platform", "web", env, obs) }, true)
	want := [][]string{
		{KeyService},
		{KeyDiscoveryService, KeyScalableTarget, KeyTargetGroup, KeyTaskDefinition},
		{KeyExecutionRole, KeyExecutionRolePolicy, KeyListenerRule, KeyLogGroup, KeyRepository, KeyTaskRole, KeyTaskRolePolicy},
	}
	if fmt.Sprint(waves) != fmt.Sprint(want) {
		t.Errorf("waves %v\nwant  %v", waves, want)
	}

	first := ServiceLookups("arn:aws:ecs:us-east-1:123456789012:cluster/platform", "web", env, nil)
	if len(first) != 1 || first[0].Name != "web" || first[0].Scope[LookupCluster] != "platform" || !first[0].OwnedOnly || first[0].Owner != "platform/web" {
		t.Errorf("first lookup = %+v", first)
	}

	// The locations come from the observed references.
	obs := map[string]Observed{KeyService: w.observed[KeyService], KeyTaskDefinition: w.observed[KeyTaskDefinition], KeyTargetGroup: w.observed[KeyTargetGroup]}
	by := map[string]Lookup{}
	for _, q := range ServiceLookups("platform", "web", env, obs) {
		by[q.Key] = q
	}
	td := w.desired[KeyTaskDefinition].(*TaskDefinitionProps)
	for key, want := range map[string]Lookup{
		KeyExecutionRole:       {Name: ExecutionRoleName("platform", "web"), ID: td.ExecutionRoleARN},
		KeyTaskRole:            {Name: TaskRoleName("platform", "web"), ID: td.TaskRoleARN},
		KeyExecutionRolePolicy: {Name: ExecutionRoleName("platform", "web") + ":" + ExecutionPolicyName, ID: ExecutionRoleName("platform", "web") + ":" + ExecutionPolicyName},
		KeyTaskRolePolicy:      {Name: TaskRoleName("platform", "web") + ":" + TaskPolicyName, ID: TaskRoleName("platform", "web") + ":" + TaskPolicyName},
		KeyLogGroup:            {Name: LogGroupName("platform", "web")},
		KeyRepository:          {Name: RepositoryName("platform", "web"), OwnedOnly: true},
		KeyListenerRule: {Scope: map[string]string{LookupTargetGroupARN: w.outputs[KeyTargetGroup][AttrARN],
			LookupPriorityHint: fmt.Sprint(ListenerRulePriorityHint(ServiceID("platform", "web")))}, OwnedOnly: true},
		KeyDiscoveryService: {ID: w.outputs[KeyDiscoveryService][AttrARN]},
	} {
		got := by[key]
		if got.Name != want.Name || got.ID != want.ID || fmt.Sprint(got.Scope) != fmt.Sprint(want.Scope) || got.OwnedOnly != want.OwnedOnly {
			t.Errorf("%s: %+v, want %+v", key, got, want)
		}
	}
	if _, again := by[KeyTaskDefinition]; again {
		t.Error("the task definition is looked up again")
	}
}

// TestServiceLookups_anchorGone: without the ECS service only the children
// with deterministic names are looked for, ours only.
func TestServiceLookups_anchorGone(t *testing.T) {
	env := goldenEnv()
	got := ServiceLookups("platform", "web", env, map[string]Observed{KeyService: {}})
	var keys []string
	for _, q := range got {
		keys = append(keys, q.Key)
		if q.Kind != KindIAMRolePolicy && !q.OwnedOnly {
			t.Errorf("%s: found by name, must be OwnedOnly", q.Key)
		}
		if q.Kind == KindIAMRolePolicy && q.Name != ExecutionRoleName("platform", "web")+":"+ExecutionPolicyName && q.Name != TaskRoleName("platform", "web")+":"+TaskPolicyName {
			t.Errorf("%s: %q", q.Key, q.Name)
		}
	}
	sort.Strings(keys)
	want := []string{KeyExecutionRole, KeyExecutionRolePolicy, KeyLogGroup, KeyRepository, KeyTaskRole, KeyTaskRolePolicy}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestClusterLookups_reachEveryChild(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec ClusterSpec
	}{
		{"cluster_minimal", goldenClusterMinimal()},
		{"cluster_full", goldenClusterFull()},
		{"cluster_http", goldenClusterHTTP()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := goldenEnv()
			g, err := ExpandCluster(tc.spec, env)
			if err != nil {
				t.Fatal(err)
			}
			w := rtObserve(t, g, env)
			for _, mark := range []bool{true, false} {
				obs, waves := lkDiscover(t, w, func(obs map[string]Observed) []Lookup { return ClusterLookups(tc.spec.Name, env, obs) }, mark)
				lkCheckReached(t, w, obs)
				if strings.Join(waves[0], ",") != KeyCluster || len(waves) > 3 {
					t.Errorf("waves %v", waves)
				}
				if _, err := ClusterSpecFromObserved(tc.spec.Name, obs, env); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestClusterLookups_generated(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		w := rtObserve(t, g, env)
		obs, _ := lkDiscover(t, w, func(obs map[string]Observed) []Lookup { return ClusterLookups(s.Name, env, obs) }, true)
		lkCheckReached(t, w, obs)
	})
}

func TestClusterLookups_details(t *testing.T) {
	env := goldenEnv()
	first := ClusterLookups("platform", env, nil)
	if len(first) != 1 || first[0].Key != KeyCluster || first[0].Name != "platform" || first[0].OwnedOnly || first[0].Owner != "platform" {
		t.Errorf("first wave = %+v; want the ECS cluster by name (an import adopts it whatever its tags)", first)
	}
	// The rest is looked for even when the anchor is gone, ours only.
	second := ClusterLookups("platform", env, map[string]Observed{KeyCluster: {}})
	var keys []string
	for _, q := range second {
		keys = append(keys, q.Key)
		if !q.OwnedOnly {
			t.Errorf("%s: must be OwnedOnly", q.Key)
		}
	}
	sort.Strings(keys)
	if want := []string{KeyLoadBalancer, KeyLoadBalancerSecurityGroup, KeyNamespace, KeyServiceSecurityGroup}; fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("second wave %v, want %v", keys, want)
	}
	for _, q := range second {
		switch q.Key {
		case KeyLoadBalancer:
			if q.Name != LoadBalancerName("platform") {
				t.Errorf("load balancer lookup %+v", q)
			}
		case KeyServiceSecurityGroup, KeyLoadBalancerSecurityGroup:
			if !strings.HasPrefix(q.Name, "platform-") || q.Scope != nil {
				t.Errorf("security group lookup %+v", q)
			}
		}
	}

	g, err := ExpandCluster(goldenClusterFull(), env)
	if err != nil {
		t.Fatal(err)
	}
	w := rtObserve(t, g, env)
	obs := map[string]Observed{KeyCluster: w.observed[KeyCluster], KeyLoadBalancer: w.observed[KeyLoadBalancer], KeyNamespace: w.observed[KeyNamespace]}
	for _, q := range ClusterLookups("platform", env, obs) {
		switch q.Key {
		case KeyHTTPListener, KeyHTTPSListener:
			if q.Scope[LookupLoadBalancerARN] != w.outputs[KeyLoadBalancer][AttrARN] || !q.OwnedOnly {
				t.Errorf("listener lookup %+v", q)
			}
		}
	}
}

func TestRolePolicyID(t *testing.T) {
	id := RolePolicyID("platform-web-exec-1a2b3c4d", ExecutionPolicyName)
	role, policy, ok := ParseRolePolicyID(id)
	if id != "platform-web-exec-1a2b3c4d:containerapp-execution" || !ok || role != "platform-web-exec-1a2b3c4d" || policy != ExecutionPolicyName {
		t.Errorf("%q -> %q %q %v", id, role, policy, ok)
	}
	for _, bad := range []string{"", "role", ":p", "r:"} {
		if _, _, ok := ParseRolePolicyID(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestListenerRulePriorityHint(t *testing.T) {
	g, err := ExpandService(goldenFullSpec(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	rule := expChild(t, g, KeyListenerRule).Props.(*ListenerRuleProps)
	if h := ListenerRulePriorityHint(g.Owner); h != rule.PriorityHint || h < 1 || h > 50000 {
		t.Errorf("hint %d, the expansion's %d", h, rule.PriorityHint)
	}
}
