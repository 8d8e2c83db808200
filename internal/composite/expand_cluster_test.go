package composite

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const goldenCert = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x636c7573746572)) }

// goldenClusterMinimal: only the name (and the VPC the adapter resolved).
func goldenClusterMinimal() ClusterSpec {
	return ClusterSpec{Name: "platform", VpcID: "vpc-0a1b2c3d", SubnetIDs: []string{"subnet-0b000002", "subnet-0a000001"}}
}

// goldenClusterFull: private DNS namespace, HTTPS load balancer, custom
// strategy, insights off, IPv4 and IPv6 ingress.
func goldenClusterFull() ClusterSpec {
	return ClusterSpec{
		Name: "platform",
		DefaultCapacityProviderStrategy: []CapacityProviderStrategySpec{
			{CapacityProvider: "FARGATE_SPOT", Weight: Ptr[int64](3)},
			{CapacityProvider: "FARGATE", Weight: Ptr[int64](1), Base: Ptr[int64](1)},
		},
		ContainerInsights: Ptr(false),
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0b000002", "subnet-0a000001"},
		ServiceDiscovery:  &ClusterServiceDiscoverySpec{Name: "platform.internal", Description: "platform services"},
		LoadBalancer: &ClusterLoadBalancerSpec{
			IngressCIDRBlocks: []string{"10.0.0.0/8", "::/0", "192.168.0.0/16"},
			CertificateARN:    goldenCert,
			IdleTimeout:       Ptr[int64](120),
		},
		Tags: map[string]string{"team": "platform", "env": "prod"},
	}
}

// goldenClusterHTTP: HTTP namespace, internal HTTP-only load balancer.
func goldenClusterHTTP() ClusterSpec {
	return ClusterSpec{
		Name:              "Shared_Prod",
		CapacityProviders: []string{"FARGATE"},
		VpcID:             "vpc-0a1b2c3d",
		SubnetIDs:         []string{"subnet-0a000001", "subnet-0b000002"},
		ServiceDiscovery:  &ClusterServiceDiscoverySpec{Name: "shared", Type: "HTTP"},
		LoadBalancer:      &ClusterLoadBalancerSpec{Internal: Ptr(true)},
	}
}

func TestExpandCluster_golden(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec ClusterSpec
	}{
		{"cluster_minimal", goldenClusterMinimal()},
		{"cluster_full", goldenClusterFull()},
		{"cluster_http", goldenClusterHTTP()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ExpandCluster(tc.spec, goldenEnv())
			if err != nil {
				t.Fatal(err)
			}
			got := goldenJSON(t, g)
			path := filepath.Join("testdata", tc.name+".golden.json")
			if updateGolden() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("expansion differs from %s (run go test ./internal/composite -update to accept):\n%s", path, expFirstDiff(string(want), string(got)))
			}
		})
	}
}

func TestExpandCluster_children(t *testing.T) {
	cases := []struct {
		spec ClusterSpec
		keys string
	}{
		{goldenClusterMinimal(), "cluster,service_security_group"},
		{goldenClusterFull(), "cluster,load_balancer_security_group,namespace,load_balancer,service_security_group,http_listener,https_listener"},
		{goldenClusterHTTP(), "cluster,load_balancer_security_group,namespace,load_balancer,service_security_group,http_listener"},
	}
	for _, c := range cases {
		g, err := ExpandCluster(c.spec, goldenEnv())
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(expKeys(g), ","); got != c.keys {
			t.Errorf("%s: keys = %s, want %s", c.spec.Name, got, c.keys)
		}
		if g.Owner != c.spec.Name {
			t.Errorf("owner = %q", g.Owner)
		}
	}
}

func TestExpandCluster_details(t *testing.T) {
	g, err := ExpandCluster(goldenClusterFull(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	cl := expChild(t, g, KeyCluster).Props.(*ClusterProps)
	if cl.ContainerInsights != "disabled" || strings.Join(cl.CapacityProviders, ",") != "FARGATE,FARGATE_SPOT" {
		t.Errorf("cluster props = %+v", cl)
	}
	if len(cl.DefaultStrategy) != 2 || cl.DefaultStrategy[0] != (CapacityProviderStrategyItem{"FARGATE", 1, 1}) || cl.DefaultStrategy[1] != (CapacityProviderStrategyItem{"FARGATE_SPOT", 3, 0}) {
		t.Errorf("strategy = %+v", cl.DefaultStrategy)
	}
	ns := expChild(t, g, KeyNamespace)
	if ns.Kind != KindPrivateDNSNamespace || ns.Props.(*NamespaceProps).VpcID != "vpc-0a1b2c3d" {
		t.Errorf("namespace = %+v", ns)
	}
	// The ALB group admits ingress_cidr_blocks on 80 and 443 only.
	alb := expChild(t, g, KeyLoadBalancerSecurityGroup).Props.(*SecurityGroupProps)
	if len(alb.Ingress) != 2 || alb.Ingress[0].FromPort != 80 || alb.Ingress[1].FromPort != 443 {
		t.Fatalf("alb ingress = %+v", alb.Ingress)
	}
	for _, r := range alb.Ingress {
		if strings.Join(r.CIDRBlocks, ",") != "10.0.0.0/8,192.168.0.0/16" || strings.Join(r.IPv6CIDRBlocks, ",") != "::/0" || r.SourceSecurityGroupID != "" || r.ToPort != r.FromPort {
			t.Errorf("alb rule = %+v", r)
		}
	}
	// The services' group admits only the ALB group.
	svc := expChild(t, g, KeyServiceSecurityGroup).Props.(*SecurityGroupProps)
	if len(svc.Ingress) != 1 || svc.Ingress[0].SourceSecurityGroupID != "${load_balancer_security_group.id}" || len(svc.Ingress[0].CIDRBlocks) != 0 ||
		svc.Ingress[0].FromPort != 0 || svc.Ingress[0].ToPort != 65535 {
		t.Errorf("service ingress = %+v", svc.Ingress)
	}
	if len(svc.Egress) != 1 || svc.Egress[0].Protocol != "-1" {
		t.Errorf("service egress = %+v", svc.Egress)
	}
	lb := expChild(t, g, KeyLoadBalancer).Props.(*LoadBalancerProps)
	if lb.Internal || lb.IdleTimeout != 120 || !lb.DropInvalidHeaderFields || strings.Join(lb.Subnets, ",") != "subnet-0a000001,subnet-0b000002" {
		t.Errorf("load balancer = %+v", lb)
	}
	httpL := expChild(t, g, KeyHTTPListener)
	if a := httpL.Props.(*ListenerProps).DefaultAction; a.Type != "redirect" || a.RedirectProtocol != "HTTPS" || a.RedirectPort != "443" {
		t.Errorf("http default action = %+v", a)
	}
	httpsL := expChild(t, g, KeyHTTPSListener)
	hp := httpsL.Props.(*ListenerProps)
	if hp.CertificateARN != goldenCert || hp.SSLPolicy != DefaultSSLPolicy || hp.DefaultAction.StatusCode != "404" || httpsL.Name != "HTTPS:443" {
		t.Errorf("https listener = %+v", hp)
	}
	if !slices.Contains(httpsL.ReplaceOn, KeyLoadBalancer) {
		t.Errorf("listener is not replaced with its load balancer: %v", httpsL.ReplaceOn)
	}
	if k := goldenClusterFull().ListenerKey(); k != KeyHTTPSListener {
		t.Errorf("ListenerKey = %q", k)
	}
	if k := goldenClusterHTTP().ListenerKey(); k != KeyHTTPListener {
		t.Errorf("ListenerKey = %q", k)
	}
	// Without a load balancer the services' group admits nothing.
	g2, _ := ExpandCluster(goldenClusterMinimal(), goldenEnv())
	if in := expChild(t, g2, KeyServiceSecurityGroup).Props.(*SecurityGroupProps).Ingress; len(in) != 0 {
		t.Errorf("ingress without load balancer = %+v", in)
	}
	// HTTP namespace: no VPC; internal ALB: HTTP listener with the fixed 404.
	g3, _ := ExpandCluster(goldenClusterHTTP(), goldenEnv())
	if ns := expChild(t, g3, KeyNamespace); ns.Kind != KindHTTPNamespace || ns.Props.(*NamespaceProps).VpcID != "" {
		t.Errorf("http namespace = %+v", ns)
	}
	if a := expChild(t, g3, KeyHTTPListener).Props.(*ListenerProps).DefaultAction; a.Type != "fixed-response" || a.StatusCode != "404" {
		t.Errorf("http action = %+v", a)
	}
}

// Changing what can change in place keeps every replace hash.
func TestExpandCluster_inPlaceChanges(t *testing.T) {
	base, err := ExpandCluster(goldenClusterFull(), goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	s := goldenClusterFull()
	s.ContainerInsights = Ptr(true)
	s.LoadBalancer.IdleTimeout = Ptr[int64](30)
	s.LoadBalancer.IngressCIDRBlocks = []string{"10.0.0.0/8"}
	s.SubnetIDs = append(s.SubnetIDs, "subnet-0c000003")
	s.Tags["extra"] = "1"
	s.ServiceDiscovery.Description = "changed"
	g, err := ExpandCluster(s, goldenEnv())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Diff(g, recordAll(base)) {
		if a.Op != OpUpdate {
			t.Errorf("%s: %s (%s), want update", a.Key, a.Op, a.Reason)
		}
	}
	// The internal flag replaces the load balancer and its listeners.
	s.LoadBalancer.Internal = Ptr(true)
	g, _ = ExpandCluster(s, goldenEnv())
	ops := map[string]Op{}
	for _, a := range Diff(g, recordAll(base)) {
		ops[a.Key] = a.Op
	}
	if ops[KeyLoadBalancer] != OpReplace || ops[KeyHTTPListener] != OpReplace || ops[KeyHTTPSListener] != OpReplace || ops[KeyCluster] != OpUpdate {
		t.Errorf("ops after internal change = %v", ops)
	}
	// The namespace type replaces the namespace (another kind).
	s2 := goldenClusterFull()
	s2.ServiceDiscovery.Type = "HTTP"
	g, _ = ExpandCluster(s2, goldenEnv())
	for _, a := range Diff(g, recordAll(base)) {
		if a.Key == KeyNamespace && a.Op != OpReplace {
			t.Errorf("namespace: %s", a.Op)
		}
	}
}

func recordAll(g Graph) map[string]Recorded {
	rec := map[string]Recorded{}
	for _, c := range g.Children {
		rec[c.Key] = Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn-" + c.Key, Hash: c.Hash, ReplaceHash: c.ReplaceHash}
	}
	return rec
}

func TestExpandCluster_doesNotMutateSpec(t *testing.T) {
	s := goldenClusterFull()
	before := marshalCanonical(s)
	if _, err := ExpandCluster(s, goldenEnv()); err != nil {
		t.Fatal(err)
	}
	if after := marshalCanonical(s); after != before {
		t.Errorf("spec mutated:\n%s\n%s", before, after)
	}
}

func TestTeardownRank_cluster(t *testing.T) {
	order := []Kind{KindListener, KindLoadBalancer, KindSecurityGroup, KindPrivateDNSNamespace, KindECSCluster}
	for i := 1; i < len(order); i++ {
		if TeardownRank(order[i-1]) >= TeardownRank(order[i]) {
			t.Errorf("%s (rank %d) is not deleted before %s (rank %d)", order[i-1], TeardownRank(order[i-1]), order[i], TeardownRank(order[i]))
		}
	}
	if TeardownRank(KindHTTPNamespace) != TeardownRank(KindPrivateDNSNamespace) {
		t.Error("namespace kinds differ in rank")
	}
	// Services' listener rules go before the cluster's listeners.
	if TeardownRank(KindListenerRule) >= TeardownRank(KindListener) {
		t.Error("listener rules must be deleted before listeners")
	}
}

// ---------------------------------------------------------------------------
// Property tests over generated valid cluster specs.

func (g specGen) clusterSpec() (ClusterSpec, Env) {
	env := g.env()
	s := ClusterSpec{Name: g.str(genLower+"ABCXYZ"+genDigits+"_-", g.n(1, 40))}
	if g.chance(0.1) {
		s.Name = g.str(genLower+genDigits+"_-", g.n(200, 255))
	}
	if g.chance(0.4) {
		s.CapacityProviders = []string{"FARGATE", "FARGATE_SPOT"}
		if g.chance(0.5) {
			s.CapacityProviders = append(s.CapacityProviders, "asg-"+g.str(genLower, 5))
		}
		s.DefaultCapacityProviderStrategy = []CapacityProviderStrategySpec{}
		for i, cp := range s.CapacityProviders {
			if g.chance(0.6) || i == 0 {
				st := CapacityProviderStrategySpec{CapacityProvider: cp, Weight: Ptr(int64(g.n(1, 1000)))}
				if i == 0 && g.chance(0.5) {
					st.Base = Ptr(int64(g.n(0, 100000)))
				}
				s.DefaultCapacityProviderStrategy = append(s.DefaultCapacityProviderStrategy, st)
			}
		}
	}
	if g.chance(0.5) {
		s.ContainerInsights = Ptr(g.chance(0.5))
	}
	s.VpcID = "vpc-" + g.str(genHex, 17)
	for i, n := 0, g.n(2, 6); i < n; i++ {
		s.SubnetIDs = append(s.SubnetIDs, fmt.Sprintf("subnet-%s%d", g.str(genHex, 8), i))
	}
	if g.chance(0.6) {
		sd := &ClusterServiceDiscoverySpec{Type: g.pick("", "DNS_PRIVATE", "HTTP")}
		sd.Name = g.str(genLower, g.n(1, 20)) + "." + g.pick("internal", "local", "svc.cluster")
		if g.chance(0.3) {
			sd.Description = g.str(genLower+" ", g.n(0, 40))
		}
		s.ServiceDiscovery = sd
	}
	if g.chance(0.7) {
		lb := &ClusterLoadBalancerSpec{}
		if g.chance(0.5) {
			lb.Internal = Ptr(g.chance(0.5))
		}
		if g.chance(0.6) {
			lb.IngressCIDRBlocks = []string{}
			for i, n := 0, g.n(1, 4); i < n; i++ {
				lb.IngressCIDRBlocks = append(lb.IngressCIDRBlocks, fmt.Sprintf("10.%d.0.0/16", i*7+g.n(0, 6)))
			}
			if g.chance(0.3) {
				lb.IngressCIDRBlocks = append(lb.IngressCIDRBlocks, "::/0")
			}
		}
		if g.chance(0.5) {
			lb.CertificateARN = fmt.Sprintf("arn:%s:acm:%s:%s:certificate/%s", env.partition(), env.Region, g.envAccount(env), g.str(genHex, 12))
			if g.chance(0.3) {
				lb.SSLPolicy = "ELBSecurityPolicy-FS-1-2-Res-2020-10"
			}
		}
		if g.chance(0.5) {
			lb.IdleTimeout = Ptr(int64(g.n(1, 4000)))
		}
		s.LoadBalancer = lb
	}
	if g.chance(0.5) {
		s.Tags = map[string]string{"team": g.str(genLower, 5), g.str(genLower, 3): g.str(genLower+" ", 6)}
	}
	return s, env
}

func forEachClusterSpec(t *testing.T, fn func(t *testing.T, s ClusterSpec, env Env, g Graph)) {
	t.Helper()
	for seed := uint64(1); seed <= propertyRuns; seed++ {
		s, env := specGen{newRand(seed)}.clusterSpec()
		if errs := s.Validate(); len(errs) > 0 {
			t.Fatalf("seed %d: generated spec is invalid: %v", seed, errs)
		}
		g, err := ExpandCluster(s, env)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if ok := t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { fn(t, s, env, g) }); !ok {
			t.Logf("spec: %s", marshalCanonical(s))
			return
		}
	}
}

func TestPropertyCluster_referencesResolve(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		kinds := map[string]Kind{}
		outputs := map[string]map[string]string{}
		for _, c := range g.Children {
			if _, dup := kinds[c.Key]; dup {
				t.Errorf("duplicate key %q", c.Key)
			}
			kinds[c.Key] = c.Kind
			outputs[c.Key] = map[string]string{}
			for _, a := range ClusterKindOutputs(c.Kind) {
				outputs[c.Key][a] = "resolved-" + c.Key + "-" + a
			}
		}
		for _, c := range g.Children {
			for _, r := range Refs(c.Props) {
				kind, ok := kinds[r.Key]
				if !ok {
					t.Errorf("%s references missing child %s", c.Key, r)
				} else if !slices.Contains(ClusterKindOutputs(kind), r.Attr) {
					t.Errorf("%s references %s, but %s does not output %q", c.Key, r, kind, r.Attr)
				}
			}
			for _, k := range c.ReplaceOn {
				if _, ok := kinds[k]; !ok {
					t.Errorf("%s: replace_on names missing child %q", c.Key, k)
				}
			}
			if _, err := Resolve(c.Props, outputs); err != nil {
				t.Errorf("%s: %v", c.Key, err)
			}
		}
	})
}

func TestPropertyCluster_acyclicAndOrdered(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		pos := map[string]int{}
		for i, c := range g.Children {
			pos[c.Key] = i
		}
		for i, c := range g.Children {
			for _, d := range c.DependsOn() {
				if j, ok := pos[d]; !ok || j >= i {
					t.Errorf("%s (position %d) depends on %s (position %d)", c.Key, i, d, j)
				}
			}
		}
		// Teardown (by rank) never deletes a child before one that depends on it.
		for _, c := range g.Children {
			for _, d := range c.DependsOn() {
				dk := g.Children[pos[d]].Kind
				if TeardownRank(c.Kind) > TeardownRank(dk) {
					t.Errorf("%s (rank %d) depends on %s (rank %d) but is deleted after it", c.Key, TeardownRank(c.Kind), d, TeardownRank(dk))
				}
			}
		}
	})
}

func TestPropertyCluster_namesWithinLimits(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		for _, c := range g.Children {
			ok := true
			switch c.Kind {
			case KindECSCluster:
				ok = clusterNameRe.MatchString(c.Name) && c.Name == s.Name
			case KindSecurityGroup:
				ok = len(c.Name) <= MaxSecurityGroupNameLength && sgNameRe.MatchString(c.Name) && !strings.HasPrefix(strings.ToLower(c.Name), "sg-") &&
					len(c.Props.(*SecurityGroupProps).Description) <= MaxSecurityGroupDescLength
			case KindLoadBalancer:
				ok = len(c.Name) <= MaxLoadBalancerNameLength && albNameRe.MatchString(c.Name) && !strings.HasPrefix(c.Name, "internal-")
			case KindListener:
				ok = c.Name == "HTTP:80" || c.Name == "HTTPS:443"
			case KindPrivateDNSNamespace, KindHTTPNamespace:
				ok = c.Name == s.ServiceDiscovery.Name
			default:
				t.Fatalf("unexpected kind %s", c.Kind)
			}
			if !ok {
				t.Errorf("%s: name %q breaks the %s naming rules", c.Key, c.Name, c.Kind)
			}
			if len(c.Hash) != HashLength || len(c.ReplaceHash) != HashLength {
				t.Errorf("%s: hash %q replace hash %q", c.Key, c.Hash, c.ReplaceHash)
			}
		}
	})
}

func TestPropertyCluster_ownershipTags(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		if g.Owner != ClusterID(s.Name) {
			t.Errorf("owner = %q", g.Owner)
		}
		for _, c := range g.Children {
			tags := clusterChildTags(c)
			if tags[TagOwner] != g.Owner || tags[TagKey] != c.Key {
				t.Errorf("%s: ownership tags %v", c.Key, tags)
			}
			if len(tags) > 50 {
				t.Errorf("%s: %d tags", c.Key, len(tags))
			}
			for k, v := range s.Tags {
				if tags[k] != v {
					t.Errorf("%s: tag %s = %q, want %q", c.Key, k, tags[k], v)
				}
			}
		}
	})
}

func TestPropertyCluster_deterministic(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		want := goldenJSON(t, g)
		g2, err := ExpandCluster(s.clone(), env)
		if err != nil {
			t.Fatal(err)
		}
		if got := goldenJSON(t, g2); string(got) != string(want) {
			t.Fatalf("second expansion differs:\n%s", expFirstDiff(string(want), string(got)))
		}
		// Lists AWS treats as sets may be reordered.
		r := s.clone()
		slices.Reverse(r.SubnetIDs)
		slices.Reverse(r.CapacityProviders)
		slices.Reverse(r.DefaultCapacityProviderStrategy)
		if r.LoadBalancer != nil {
			slices.Reverse(r.LoadBalancer.IngressCIDRBlocks)
		}
		g3, err := ExpandCluster(r, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := goldenJSON(t, g3); string(got) != string(want) {
			t.Fatalf("reordered sets change the expansion:\n%s", expFirstDiff(string(want), string(got)))
		}
	})
}

// Tags never force a replacement.
func TestPropertyCluster_tagsUpdateInPlace(t *testing.T) {
	forEachClusterSpec(t, func(t *testing.T, s ClusterSpec, env Env, g Graph) {
		c := s.clone()
		c.Tags = map[string]string{"changed": "yes"}
		g2, err := ExpandCluster(c, env)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range Diff(g2, recordAll(g)) {
			if a.Op != OpUpdate {
				t.Errorf("%s: %s, want update", a.Key, a.Op)
			}
		}
	})
}

func clusterChildTags(c Child) map[string]string {
	switch p := c.Props.(type) {
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
