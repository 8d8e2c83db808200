package composite

import (
	"slices"
	"testing"
)

// kindConstants enumerates every Kind constant explicitly: a new constant must be
// added here, and then to Kinds.
var kindConstants = []Kind{
	// service (types.go)
	KindIAMRole, KindIAMRolePolicy, KindLogGroup, KindECRRepository, KindTargetGroup,
	KindListenerRule, KindDiscoveryService, KindTaskDefinition, KindECSService,
	// the service's scaler (autoscaling.go)
	KindScalableTarget, KindScalingPolicy, KindScheduledAction,
	// cluster (cluster_props.go)
	KindECSCluster, KindPrivateDNSNamespace, KindHTTPNamespace, KindSecurityGroup,
	KindLoadBalancer, KindListener,
}

func TestKinds_everyConstantHasAnEntry(t *testing.T) {
	for _, k := range kindConstants {
		info, ok := Kinds[k]
		if !ok {
			t.Errorf("Kinds has no entry for %s", k)
			continue
		}
		if len(info.Outputs) == 0 {
			t.Errorf("%s: no outputs", k)
		}
	}
	if len(Kinds) != len(kindConstants) {
		t.Errorf("Kinds has %d entries, kindConstants lists %d constants: keep them in step", len(Kinds), len(kindConstants))
	}
}

func kindsGoldenGraphs(t *testing.T) map[string]Graph {
	t.Helper()
	noAccount := goldenEnv()
	noAccount.AccountID = ""
	out := map[string]Graph{}
	for name, s := range map[string]struct {
		spec ServiceSpec
		env  Env
	}{
		"minimal":               {goldenMinimalSpec(), goldenEnv()},
		"full":                  {goldenFullSpec(), goldenEnv()},
		"arn_cluster_image_tag": {goldenARNSpec(), noAccount},
		"autoscaled":            {goldenAutoscaledSpec(), goldenEnv()},
	} {
		g, err := ExpandService(s.spec, s.env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = g
	}
	for name, s := range map[string]ClusterSpec{
		"cluster_minimal": goldenClusterMinimal(),
		"cluster_full":    goldenClusterFull(),
		"cluster_http":    goldenClusterHTTP(),
	} {
		g, err := ExpandCluster(s, goldenEnv())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = g
	}
	return out
}

func TestKinds_everyExpandedKindHasAnEntry(t *testing.T) {
	seen := map[Kind]bool{}
	for name, g := range kindsGoldenGraphs(t) {
		for _, c := range g.Children {
			seen[c.Kind] = true
			info, ok := Kinds[c.Kind]
			if !ok {
				t.Errorf("%s: %s has kind %s, which has no entry in Kinds", name, c.Key, c.Kind)
				continue
			}
			if !slices.Contains(kindConstants, c.Kind) {
				t.Errorf("%s: kind %s is not listed in kindConstants", name, c.Kind)
			}
			// The table agrees with what the expanders build.
			_, tagged := kindsPropsTags(c.Props)
			if tagged != info.Taggable {
				t.Errorf("%s: %s (%s) carries tags: %v, Kinds says Taggable: %v", name, c.Key, c.Kind, tagged, info.Taggable)
			}
			if (NameScope(c) != "") != info.NameScoped {
				t.Errorf("%s: %s (%s) NameScope %q, Kinds says NameScoped: %v", name, c.Key, c.Kind, NameScope(c), info.NameScoped)
			}
		}
	}
	// The golden specs cover every kind.
	for _, k := range kindConstants {
		if !seen[k] {
			t.Errorf("no golden spec expands to a %s", k)
		}
	}
}

// kindsPropsTags returns the Tags field of a props struct, and whether it is set
// with the ownership tags.
func kindsPropsTags(props any) (map[string]string, bool) {
	var tags map[string]string
	switch p := props.(type) {
	case *RoleProps:
		tags = p.Tags
	case *LogGroupProps:
		tags = p.Tags
	case *RepositoryProps:
		tags = p.Tags
	case *TargetGroupProps:
		tags = p.Tags
	case *ListenerRuleProps:
		tags = p.Tags
	case *DiscoveryServiceProps:
		tags = p.Tags
	case *TaskDefinitionProps:
		tags = p.Tags
	case *ServiceProps:
		tags = p.Tags
	case *ScalableTargetProps:
		tags = p.Tags
	case *ClusterProps:
		tags = p.Tags
	case *NamespaceProps:
		tags = p.Tags
	case *SecurityGroupProps:
		tags = p.Tags
	case *LoadBalancerProps:
		tags = p.Tags
	case *ListenerProps:
		tags = p.Tags
	}
	return tags, tags[TagOwner] != "" && tags[TagKey] != ""
}

// TestKinds_teardownRanks pins the ranks the per-kind switch of earlier
// releases returned: the deletion order must not change.
func TestKinds_teardownRanks(t *testing.T) {
	want := map[Kind]int{
		KindECSService:          0,
		KindListenerRule:        1,
		KindTargetGroup:         2,
		KindListener:            2,
		KindDiscoveryService:    3,
		KindLoadBalancer:        3,
		KindTaskDefinition:      4,
		KindSecurityGroup:       4,
		KindLogGroup:            5,
		KindECRRepository:       5,
		KindIAMRolePolicy:       5,
		KindPrivateDNSNamespace: 5,
		KindHTTPNamespace:       5,
		KindIAMRole:             6,
		KindECSCluster:          6,
		// The scaler goes before the ECS service it scales.
		KindScalingPolicy:   -2,
		KindScheduledAction: -2,
		KindScalableTarget:  -1,
	}
	for _, k := range kindConstants {
		if got := TeardownRank(k); got != want[k] {
			t.Errorf("TeardownRank(%s) = %d, want %d", k, got, want[k])
		}
	}
	if got := TeardownRank("aws_unknown"); got != 7 {
		t.Errorf("TeardownRank(unknown) = %d, want 7 (last)", got)
	}
	// The service's order, as DESIGN.md states it.
	order := []Kind{KindScalingPolicy, KindScalableTarget, KindECSService, KindListenerRule, KindTargetGroup, KindDiscoveryService, KindTaskDefinition, KindLogGroup, KindIAMRole}
	for i := 1; i < len(order); i++ {
		if TeardownRank(order[i-1]) >= TeardownRank(order[i]) {
			t.Errorf("%s is not deleted before %s", order[i-1], order[i])
		}
	}
}

// TestKinds_outputs pins the outputs of earlier releases' KindOutputs and
// ClusterKindOutputs.
func TestKinds_outputs(t *testing.T) {
	want := map[Kind][]string{
		KindIAMRole:             {AttrARN, AttrID, AttrName},
		KindIAMRolePolicy:       {AttrID, AttrName},
		KindLogGroup:            {AttrARN, AttrName},
		KindECRRepository:       {AttrARN, AttrName, AttrURL},
		KindTargetGroup:         {AttrARN, AttrName},
		KindListenerRule:        {AttrARN, AttrPriority},
		KindDiscoveryService:    {AttrARN, AttrID, AttrName},
		KindTaskDefinition:      {AttrARN, AttrName, AttrRevision},
		KindECSService:          {AttrARN, AttrName},
		KindECSCluster:          {AttrARN, AttrName},
		KindPrivateDNSNamespace: {AttrARN, AttrID, AttrName},
		KindHTTPNamespace:       {AttrARN, AttrID, AttrName},
		KindSecurityGroup:       {AttrARN, AttrID, AttrName},
		KindLoadBalancer:        {AttrARN, AttrName, AttrDNSName, AttrZoneID},
		KindListener:            {AttrARN, AttrName},
		KindScalableTarget:      {AttrARN, AttrID},
		KindScalingPolicy:       {AttrARN, AttrID, AttrName},
		KindScheduledAction:     {AttrARN, AttrID, AttrName},
	}
	for _, k := range kindConstants {
		if got := KindOutputs(k); !slices.Equal(got, want[k]) {
			t.Errorf("KindOutputs(%s) = %v, want %v", k, got, want[k])
		}
		if got := ClusterKindOutputs(k); !slices.Equal(got, want[k]) {
			t.Errorf("ClusterKindOutputs(%s) = %v, want %v", k, got, want[k])
		}
	}
	if KindOutputs("aws_unknown") != nil {
		t.Error("KindOutputs(unknown) is not nil")
	}
}

func TestKinds_flags(t *testing.T) {
	for _, k := range kindConstants {
		if got, want := IsTaggable(k), k != KindIAMRolePolicy && k != KindScalingPolicy && k != KindScheduledAction; got != want {
			t.Errorf("IsTaggable(%s) = %v, want %v", k, got, want)
		}
		if got, want := ARNChangesOnUpdate(k), k == KindTaskDefinition; got != want {
			t.Errorf("ARNChangesOnUpdate(%s) = %v, want %v", k, got, want)
		}
		if got, want := hasNameScope(k), k == KindDiscoveryService || k == KindListenerRule || k == KindSecurityGroup; got != want {
			t.Errorf("hasNameScope(%s) = %v, want %v", k, got, want)
		}
	}
	if IsTaggable("") {
		t.Error(`IsTaggable("")`)
	}
}

func TestRecordFacts(t *testing.T) {
	var r Recorded
	RecordFacts(KindECSService, &ServiceProps{Name: "web", Cluster: "platform"}, &r)
	if r.Cluster != "platform" {
		t.Errorf("ECS service: Cluster = %q", r.Cluster)
	}

	r = Recorded{}
	RecordFacts(KindECRRepository, &RepositoryProps{Name: "platform/web", ForceDelete: true}, &r)
	if !r.ForceDelete {
		t.Error("ECR repository: ForceDelete not set")
	}
	r = Recorded{ForceDelete: true}
	RecordFacts(KindECRRepository, &RepositoryProps{Name: "platform/web"}, &r)
	if r.ForceDelete {
		t.Error("ECR repository: ForceDelete not cleared")
	}

	for _, tc := range []struct {
		priority int32
		want     bool
	}{{0, false}, {100, true}} {
		r = Recorded{}
		RecordFacts(KindListenerRule, &ListenerRuleProps{Priority: tc.priority}, &r)
		if r.PriorityExplicit == nil || *r.PriorityExplicit != tc.want {
			t.Errorf("listener rule with priority %d: PriorityExplicit = %v, want %v", tc.priority, r.PriorityExplicit, tc.want)
		}
	}

	// Kinds without typed facts, nil or foreign props: nothing changes.
	for _, k := range kindConstants {
		r = Recorded{}
		RecordFacts(k, nil, &r)
		if r.Cluster != "" || r.ForceDelete || r.PriorityExplicit != nil {
			t.Errorf("%s with nil props: %+v", k, r)
		}
	}
	r = Recorded{}
	RecordFacts(KindLogGroup, &LogGroupProps{Name: "/containerapp/x/y"}, &r)
	RecordFacts(KindECSService, &RepositoryProps{ForceDelete: true}, &r)
	RecordFacts("aws_unknown", &ServiceProps{Cluster: "x"}, &r)
	if r.Cluster != "" || r.ForceDelete || r.PriorityExplicit != nil {
		t.Errorf("no facts expected: %+v", r)
	}

	// Applied to the golden expansions: the facts of the children that have
	// them.
	g := kindsGoldenGraphs(t)["full"]
	for _, c := range g.Children {
		r := Recorded{Key: c.Key, Kind: c.Kind}
		RecordFacts(c.Kind, c.Props, &r)
		switch c.Kind {
		case KindECSService:
			if r.Cluster != "platform" {
				t.Errorf("service: Cluster = %q", r.Cluster)
			}
		case KindListenerRule:
			if r.PriorityExplicit == nil || *r.PriorityExplicit {
				t.Errorf("listener rule (allocated priority): PriorityExplicit = %v", r.PriorityExplicit)
			}
		case KindECRRepository:
			if r.ForceDelete != c.Props.(*RepositoryProps).ForceDelete {
				t.Errorf("repository: ForceDelete = %v", r.ForceDelete)
			}
		}
	}
}
