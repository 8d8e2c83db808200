package composite

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestClusterApplyDefaults(t *testing.T) {
	s := ClusterSpec{Name: "platform", ServiceDiscovery: &ClusterServiceDiscoverySpec{Name: "platform.internal"}, LoadBalancer: &ClusterLoadBalancerSpec{}}
	s.ApplyDefaults()
	if got := strings.Join(s.CapacityProviders, ","); got != "FARGATE,FARGATE_SPOT" {
		t.Errorf("capacity_providers = %s", got)
	}
	if len(s.DefaultCapacityProviderStrategy) != 1 {
		t.Fatalf("strategy = %+v", s.DefaultCapacityProviderStrategy)
	}
	st := s.DefaultCapacityProviderStrategy[0]
	if st.CapacityProvider != "FARGATE" || *st.Weight != 1 || *st.Base != 0 {
		t.Errorf("strategy = %+v", st)
	}
	if !*s.ContainerInsights {
		t.Error("container_insights default should be true")
	}
	if s.ServiceDiscovery.Type != "DNS_PRIVATE" {
		t.Errorf("type = %q", s.ServiceDiscovery.Type)
	}
	lb := s.LoadBalancer
	if *lb.Internal || *lb.IdleTimeout != 60 || strings.Join(lb.IngressCIDRBlocks, ",") != "0.0.0.0/0" || lb.SSLPolicy != "" {
		t.Errorf("load balancer defaults = %+v", lb)
	}
	// A certificate brings the default TLS policy.
	s2 := ClusterSpec{Name: "p", LoadBalancer: &ClusterLoadBalancerSpec{CertificateARN: goldenCert}}
	s2.ApplyDefaults()
	if s2.LoadBalancer.SSLPolicy != DefaultSSLPolicy {
		t.Errorf("ssl_policy = %q", s2.LoadBalancer.SSLPolicy)
	}
	// Idempotent, and explicit values (an empty strategy included) are kept.
	s3 := ClusterSpec{Name: "p", CapacityProviders: []string{"FARGATE"}, DefaultCapacityProviderStrategy: []CapacityProviderStrategySpec{}, ContainerInsights: Ptr(false)}
	s3.ApplyDefaults()
	s3.ApplyDefaults()
	if len(s3.CapacityProviders) != 1 || len(s3.DefaultCapacityProviderStrategy) != 0 || *s3.ContainerInsights {
		t.Errorf("explicit values overridden: %+v", s3)
	}
	// clone keeps an empty list apart from an unset one.
	if c := s3.clone(); c.DefaultCapacityProviderStrategy == nil {
		t.Error("clone turned an empty strategy into an unset one")
	}
}

type clusterValidateCase struct {
	name   string
	mutate func(*ClusterSpec)
	want   []string // "path: Summary"
	detail string
}

func TestClusterValidate_valid(t *testing.T) {
	for name, s := range map[string]ClusterSpec{"minimal": goldenClusterMinimal(), "full": goldenClusterFull(), "http": goldenClusterHTTP()} {
		if errs := s.Validate(); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
	// Unset network is valid: the adapter resolves it.
	if errs := (ClusterSpec{Name: "x", LoadBalancer: &ClusterLoadBalancerSpec{}}).Validate(); len(errs) > 0 {
		t.Errorf("unset network: %v", errs)
	}
}

func TestClusterValidate_rules(t *testing.T) {
	st := func(fn func(*CapacityProviderStrategySpec)) func(*ClusterSpec) {
		return func(s *ClusterSpec) { fn(&s.DefaultCapacityProviderStrategy[0]) }
	}
	lb := func(fn func(*ClusterLoadBalancerSpec)) func(*ClusterSpec) {
		return func(s *ClusterSpec) { fn(s.LoadBalancer) }
	}
	sd := func(fn func(*ClusterServiceDiscoverySpec)) func(*ClusterSpec) {
		return func(s *ClusterSpec) { fn(s.ServiceDiscovery) }
	}
	cases := []clusterValidateCase{
		{"name missing", func(s *ClusterSpec) { s.Name = "" }, []string{"name: Missing name"}, ""},
		{"name bad chars", func(s *ClusterSpec) { s.Name = "my cluster" }, []string{"name: Invalid name"}, "255"},
		{"name too long", func(s *ClusterSpec) { s.Name = strings.Repeat("c", 256) }, []string{"name: Invalid name"}, ""},
		{"capacity provider bad", func(s *ClusterSpec) { s.CapacityProviders = []string{"FARGATE", "FARGATE_SPOT", "bad name"} }, []string{"capacity_providers[2]: Invalid capacity provider"}, ""},
		{"capacity provider dup", func(s *ClusterSpec) { s.CapacityProviders = []string{"FARGATE", "FARGATE_SPOT", "FARGATE"} }, []string{"capacity_providers[2]: Duplicate capacity provider"}, ""},
		{"strategy unknown provider", st(func(c *CapacityProviderStrategySpec) { c.CapacityProvider = "EC2" }), []string{"default_capacity_provider_strategy[0].capacity_provider: Unknown capacity provider"}, "capacity_providers"},
		{"strategy provider not listed", func(s *ClusterSpec) { s.CapacityProviders = []string{"FARGATE"} }, []string{"default_capacity_provider_strategy[0].capacity_provider: Unknown capacity provider"}, ""},
		{"strategy missing provider", st(func(c *CapacityProviderStrategySpec) { c.CapacityProvider = "" }), []string{"default_capacity_provider_strategy[0].capacity_provider: Missing capacity_provider"}, ""},
		{"strategy weight", st(func(c *CapacityProviderStrategySpec) { c.Weight = Ptr[int64](1001) }), []string{"default_capacity_provider_strategy[0].weight: Invalid weight"}, "1000"},
		{"strategy base", st(func(c *CapacityProviderStrategySpec) { c.Base = Ptr[int64](-1) }), []string{"default_capacity_provider_strategy[0].base: Invalid base"}, ""},
		{"strategy two bases", func(s *ClusterSpec) { s.DefaultCapacityProviderStrategy[0].Base = Ptr[int64](2) }, []string{"default_capacity_provider_strategy[1].base: Several bases"}, ""},
		{"strategy no weight", func(s *ClusterSpec) {
			s.DefaultCapacityProviderStrategy[0].Weight = Ptr[int64](0)
			s.DefaultCapacityProviderStrategy[1].Weight = Ptr[int64](0)
		}, []string{"default_capacity_provider_strategy: No weighted provider"}, ""},
		{"strategy dup", func(s *ClusterSpec) { s.DefaultCapacityProviderStrategy[1].CapacityProvider = "FARGATE_SPOT" }, []string{"default_capacity_provider_strategy[1].capacity_provider: Duplicate capacity provider"}, ""},
		{"vpc id", func(s *ClusterSpec) { s.VpcID = "vpc_1" }, []string{"vpc_id: Invalid vpc_id"}, ""},
		{"subnets empty", func(s *ClusterSpec) { s.SubnetIDs = []string{} }, []string{"subnet_ids: Empty subnet_ids"}, ""},
		{"subnet bad", func(s *ClusterSpec) { s.SubnetIDs = []string{"subnet-0a000001", "sn-2"} }, []string{"subnet_ids[1]: Invalid subnet id"}, ""},
		{"subnet dup", func(s *ClusterSpec) { s.SubnetIDs = []string{"subnet-0a000001", "subnet-0a000001"} }, []string{"subnet_ids[1]: Duplicate subnet id"}, ""},
		{"one subnet with alb", func(s *ClusterSpec) { s.SubnetIDs = []string{"subnet-0a000001"} }, []string{"subnet_ids: Too few subnet_ids"}, "two Availability Zones"},
		{"namespace type", sd(func(n *ClusterServiceDiscoverySpec) { n.Type = "DNS_PUBLIC" }), []string{"service_discovery.type: Invalid type"}, ""},
		{"namespace dns name", sd(func(n *ClusterServiceDiscoverySpec) { n.Name = "bad_name.internal" }), []string{"service_discovery.name: Invalid namespace name"}, "DNS domain name"},
		{"namespace dns empty label", sd(func(n *ClusterServiceDiscoverySpec) { n.Name = "a..b" }), []string{"service_discovery.name: Invalid namespace name"}, ""},
		{"namespace missing name", sd(func(n *ClusterServiceDiscoverySpec) { n.Name = "" }), []string{"service_discovery.name: Invalid namespace name"}, "required"},
		{"namespace http name", func(s *ClusterSpec) { s.ServiceDiscovery = &ClusterServiceDiscoverySpec{Name: "-x", Type: "HTTP"} }, []string{"service_discovery.name: Invalid namespace name"}, ""},
		{"namespace description", sd(func(n *ClusterServiceDiscoverySpec) { n.Description = "a\x00b" }), []string{"service_discovery.description: Invalid description"}, ""},
		{"cidr empty", lb(func(l *ClusterLoadBalancerSpec) { l.IngressCIDRBlocks = []string{} }), []string{"load_balancer.ingress_cidr_blocks: Empty ingress_cidr_blocks"}, ""},
		{"cidr bad", lb(func(l *ClusterLoadBalancerSpec) { l.IngressCIDRBlocks = []string{"10.0.0.0/8", "10.0.0.0"} }), []string{"load_balancer.ingress_cidr_blocks[1]: Invalid CIDR block"}, ""},
		{"cidr not canonical", lb(func(l *ClusterLoadBalancerSpec) { l.IngressCIDRBlocks = []string{"10.1.2.3/8"} }), []string{"load_balancer.ingress_cidr_blocks[0]: Invalid CIDR block"}, `did you mean "10.0.0.0/8"`},
		{"cidr dup", lb(func(l *ClusterLoadBalancerSpec) { l.IngressCIDRBlocks = []string{"::/0", "::/0"} }), []string{"load_balancer.ingress_cidr_blocks[1]: Duplicate CIDR block"}, ""},
		{"cert not arn", lb(func(l *ClusterLoadBalancerSpec) { l.CertificateARN = "my-cert" }), []string{"load_balancer.certificate_arn: Invalid certificate_arn"}, "not an ARN"},
		{"cert wrong service", lb(func(l *ClusterLoadBalancerSpec) { l.CertificateARN = "arn:aws:s3:::bucket" }), []string{"load_balancer.certificate_arn: Invalid certificate_arn"}, "ACM"},
		{"ssl policy bad", lb(func(l *ClusterLoadBalancerSpec) { l.SSLPolicy = "TLS13" }), []string{"load_balancer.ssl_policy: Invalid ssl_policy"}, ""},
		{"ssl policy without cert", func(s *ClusterSpec) {
			s.LoadBalancer.CertificateARN = ""
			s.LoadBalancer.SSLPolicy = DefaultSSLPolicy
		}, []string{"load_balancer.ssl_policy: ssl_policy without certificate_arn"}, ""},
		{"idle timeout", lb(func(l *ClusterLoadBalancerSpec) { l.IdleTimeout = Ptr[int64](0) }), []string{"load_balancer.idle_timeout: Invalid idle_timeout"}, "4000"},
		{"tags reserved", func(s *ClusterSpec) { s.Tags = map[string]string{"containerapp:owner": "x"} }, []string{`tags["containerapp:owner"]: Reserved tag key`}, ""},
		{"reference syntax", sd(func(n *ClusterServiceDiscoverySpec) { n.Description = "see ${cluster.arn}" }), []string{"service_discovery.description: Reserved reference syntax"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := goldenClusterFull()
			tc.mutate(&s)
			errs := s.Validate()
			var got []string
			for _, e := range errs {
				got = append(got, PathString(e.Path)+": "+e.Summary)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("errors = %q, want %q", got, tc.want)
			}
			if tc.detail != "" && !strings.Contains(errs[0].Detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", errs[0].Detail, tc.detail)
			}
			// ExpandCluster refuses the same spec with the same errors.
			if _, err := ExpandCluster(s, goldenEnv()); err == nil {
				t.Error("ExpandCluster accepted an invalid spec")
			}
		})
	}
}

func TestClusterValidate_collectsAll(t *testing.T) {
	s := goldenClusterFull()
	s.Name = ""
	s.VpcID = "x"
	s.LoadBalancer.IdleTimeout = Ptr[int64](5000)
	if errs := s.Validate(); len(errs) != 3 {
		t.Fatalf("want 3 errors, got %v", errs)
	}
}

func TestExpandCluster_envChecks(t *testing.T) {
	s := goldenClusterFull()
	s.LoadBalancer.CertificateARN = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
	_, err := ExpandCluster(s, goldenEnv())
	if err == nil || !strings.Contains(err.Error(), "load_balancer.certificate_arn: Certificate in another region") {
		t.Fatalf("err = %v", err)
	}
	s.LoadBalancer.CertificateARN = "arn:aws:acm:us-east-1:999999999999:certificate/abc"
	if _, err := ExpandCluster(s, goldenEnv()); err == nil || !strings.Contains(err.Error(), "another account") {
		t.Fatalf("err = %v", err)
	}
	// IAM server certificates are global.
	s.LoadBalancer.CertificateARN = "arn:aws:iam::123456789012:server-certificate/web"
	if _, err := ExpandCluster(s, goldenEnv()); err != nil {
		t.Fatal(err)
	}
	// The network must be resolved first.
	s.VpcID = ""
	if _, err := ExpandCluster(s, goldenEnv()); err == nil || !strings.Contains(err.Error(), "vpc_id is not resolved") {
		t.Fatalf("err = %v", err)
	}
	s = goldenClusterFull()
	s.SubnetIDs = nil
	if _, err := ExpandCluster(s, goldenEnv()); err == nil || !strings.Contains(err.Error(), "subnet_ids are not resolved") {
		t.Fatalf("err = %v", err)
	}
}

var (
	albNameRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	sgNameRe  = regexp.MustCompile(`^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`)
)

func TestClusterNames(t *testing.T) {
	cases := []struct{ cluster, alb, sg string }{
		{"platform", "platform-alb", "platform-load-balancer"},
		{"Platform", "platform-" + hashString("cluster|Platform", 8) + "-alb", "Platform-load-balancer"},
		{"a_b", "a-b-" + hashString("cluster|a_b", 8) + "-alb", "a_b-load-balancer"},
		{"internal-x", "lb-internal-x-" + hashString("cluster|internal-x", 8) + "-alb", "internal-x-load-balancer"},
		{"sg-prod", "sg-prod-alb", "cluster-sg-prod-load-balancer"},
		{"___", "c-" + hashString("cluster|___", 8) + "-alb", "___-load-balancer"},
		{strings.Repeat("a", 28), strings.Repeat("a", 28) + "-alb", strings.Repeat("a", 28) + "-load-balancer"},
		{strings.Repeat("a", 29), strings.Repeat("a", 19) + "-" + hashString("cluster|"+strings.Repeat("a", 29), 8) + "-alb", strings.Repeat("a", 29) + "-load-balancer"},
	}
	for _, c := range cases {
		if got := LoadBalancerName(c.cluster); got != c.alb {
			t.Errorf("LoadBalancerName(%q) = %q, want %q", c.cluster, got, c.alb)
		}
		if got := SecurityGroupName(c.cluster, LoadBalancerSecurityGroupSuffix); got != c.sg {
			t.Errorf("SecurityGroupName(%q) = %q, want %q", c.cluster, got, c.sg)
		}
	}
	long := strings.Repeat("x", 255)
	if n := SecurityGroupName(long, ServiceSecurityGroupSuffix); len(n) > MaxSecurityGroupNameLength || !strings.HasSuffix(n, "-services") {
		t.Errorf("long security group name %q (%d)", n, len(n))
	}
	if ListenerName("HTTPS", 443) != "HTTPS:443" {
		t.Error(ListenerName("HTTPS", 443))
	}
	if id, err := ParseClusterID("arn:aws:ecs:us-east-1:123456789012:cluster/platform"); err != nil || id != "platform" {
		t.Errorf("ParseClusterID(arn) = %q, %v", id, err)
	}
	if _, err := ParseClusterID("bad/name here"); err == nil {
		t.Error("ParseClusterID accepted a bad id")
	}
}

// Property: every cluster name yields valid, distinct load balancer and
// security group names (ALB names are case-insensitive).
func TestProperty_clusterNames(t *testing.T) {
	g := specGen{newRand(7)}
	albs := map[string]string{}
	for i := 0; i < 3000; i++ {
		n := g.n(1, 40)
		if g.chance(0.1) {
			n = g.n(200, 255)
		}
		cluster := g.str(genLower+"ABCXYZ"+genDigits+"_-", n)
		if g.chance(0.05) {
			cluster = "internal-" + cluster
		}
		if len(cluster) > 255 {
			cluster = cluster[:255]
		}
		alb := LoadBalancerName(cluster)
		if len(alb) > MaxLoadBalancerNameLength || !albNameRe.MatchString(alb) || strings.HasPrefix(strings.ToLower(alb), "internal-") {
			t.Fatalf("LoadBalancerName(%q) = %q", cluster, alb)
		}
		if other, dup := albs[strings.ToLower(alb)]; dup && other != cluster {
			t.Fatalf("clusters %q and %q share load balancer name %q", other, cluster, alb)
		}
		albs[strings.ToLower(alb)] = cluster
		for _, suffix := range []string{LoadBalancerSecurityGroupSuffix, ServiceSecurityGroupSuffix} {
			sg := SecurityGroupName(cluster, suffix)
			if len(sg) > MaxSecurityGroupNameLength || !sgNameRe.MatchString(sg) || strings.HasPrefix(strings.ToLower(sg), "sg-") {
				t.Fatalf("SecurityGroupName(%q) = %q", cluster, sg)
			}
		}
	}
	if a, b := SecurityGroupName("x", LoadBalancerSecurityGroupSuffix), SecurityGroupName("x", ServiceSecurityGroupSuffix); a == b {
		t.Fatal(fmt.Sprintf("both groups are named %q", a))
	}
}
