package composite

import (
	"regexp"
	"strings"
	"testing"
)

var (
	iamNameRe     = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	ecrNameRe     = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	tgNameRe      = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`)
	logGroupRe    = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	familyRe      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	longCluster   = strings.Repeat("Very_Long-Cluster", 15) // 255 characters
	longName      = "a" + strings.Repeat("b1-", 10) + "z"   // 32 characters
	defaultTGKey  = TargetGroupKey{Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip"}
	namingCluster = []string{"platform", "Shared_Prod", "a", "x__y--z_", longCluster, "arn:aws:ecs:us-east-1:123456789012:cluster/" + longCluster}
)

func TestClusterName(t *testing.T) {
	for in, want := range map[string]string{
		"platform": "platform",
		"arn:aws:ecs:us-east-1:123456789012:cluster/platform":    "platform",
		"arn:aws-cn:ecs:cn-north-1:123456789012:cluster/Prod_01": "Prod_01",
	} {
		if got := ClusterName(in); got != want {
			t.Errorf("ClusterName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServiceID(t *testing.T) {
	if id := ServiceID("arn:aws:ecs:us-east-1:123456789012:cluster/platform", "web"); id != "platform/web" {
		t.Errorf("ServiceID = %q", id)
	}
	for in, want := range map[string][2]string{
		"platform/web": {"platform", "web"},
		"arn:aws:ecs:us-east-1:123456789012:cluster/platform/web": {"platform", "web"},
	} {
		c, n, err := ParseServiceID(in)
		if err != nil || c != want[0] || n != want[1] {
			t.Errorf("ParseServiceID(%q) = %q, %q, %v", in, c, n, err)
		}
	}
	for _, bad := range []string{"", "web", "/web", "platform/", "platform/Web", "bad cluster/web", "a/b/c"} {
		if _, _, err := ParseServiceID(bad); err == nil {
			t.Errorf("ParseServiceID(%q): expected an error", bad)
		}
	}
}

func TestNames(t *testing.T) {
	if got := ExecutionRoleName("platform", "web"); !regexp.MustCompile(`^platform-web-exec-[0-9a-f]{8}$`).MatchString(got) {
		t.Errorf("execution role = %q", got)
	}
	if got := LogGroupName("arn:aws:ecs:us-east-1:123456789012:cluster/platform", "web"); got != "/containerapp/platform/web" {
		t.Errorf("log group = %q", got)
	}
	if got := RepositoryName("platform", "web"); got != "platform/web" {
		t.Errorf("repository = %q", got)
	}
	if got := TaskFamily("platform", "web"); got != "platform_web" {
		t.Errorf("family = %q", got)
	}
	if got := TargetGroupName("platform", "internal-api", defaultTGKey); !strings.HasPrefix(got, "svc-internal-api-") {
		t.Errorf("target group name %q starts with internal-", got)
	}

	for _, cluster := range namingCluster {
		for _, name := range []string{"a", "web", longName, "internal-" + strings.Repeat("x", 23)} {
			check := func(what, got string, max int, re *regexp.Regexp) {
				if len(got) > max || !re.MatchString(got) {
					t.Errorf("%s(%q, %q) = %q (%d chars): invalid", what, cluster, name, got, len(got))
				}
			}
			check("ExecutionRoleName", ExecutionRoleName(cluster, name), MaxRoleNameLength, iamNameRe)
			check("TaskRoleName", TaskRoleName(cluster, name), MaxRoleNameLength, iamNameRe)
			check("RepositoryName", RepositoryName(cluster, name), MaxRepositoryNameLength, ecrNameRe)
			check("LogGroupName", LogGroupName(cluster, name), MaxLogGroupNameLength, logGroupRe)
			check("TaskFamily", TaskFamily(cluster, name), MaxFamilyLength, familyRe)
			check("TargetGroupName", TargetGroupName(cluster, name, defaultTGKey), MaxTargetGroupNameLength, tgNameRe)
			if strings.HasPrefix(TargetGroupName(cluster, name, defaultTGKey), "internal-") {
				t.Errorf("target group name starts with internal-")
			}
		}
	}
}

func TestNames_distinctOwners(t *testing.T) {
	// Owners that differ only in ways a name could lose (truncation, case,
	// separators) still get distinct account-wide names.
	owners := [][2]string{
		{"platform", "web"}, {"Platform", "web"}, {"platform", "web2"},
		{longCluster, "web"}, {longCluster + "", "web2"}, {longCluster[:254] + "X", "web"},
		{"a-b", "c"}, {"a", "b-c"}, {"x__y", "web"}, {"x_y", "web"},
	}
	kinds := map[string]func(c, n string) string{
		"execution role": ExecutionRoleName,
		"task role":      TaskRoleName,
		"repository":     RepositoryName,
		"family":         TaskFamily,
		"target group":   func(c, n string) string { return TargetGroupName(c, n, defaultTGKey) },
	}
	for kind, fn := range kinds {
		seen := map[string][2]string{}
		for _, o := range owners {
			n := fn(o[0], o[1])
			if kind != "family" {
				n = strings.ToLower(n) // IAM and ELB names are case-insensitive; ECS families are not
			}
			if prev, dup := seen[n]; dup {
				t.Errorf("%s: %v and %v both get %q", kind, prev, o, n)
			}
			seen[n] = o
		}
	}
}

func TestTargetGroupName_replaceForcingProperties(t *testing.T) {
	base := TargetGroupName("platform", "web", defaultTGKey)
	for what, k := range map[string]TargetGroupKey{
		"port":             {Port: 8081, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip"},
		"protocol version": {Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP2", TargetType: "ip"},
		"protocol":         {Port: 8080, Protocol: "HTTPS", ProtocolVersion: "HTTP1", TargetType: "ip"},
		"vpc":              {Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip", VpcID: "vpc-1"},
	} {
		if TargetGroupName("platform", "web", k) == base {
			t.Errorf("changing %s keeps the target group name %q", what, base)
		}
	}
	if TargetGroupName("platform", "web", defaultTGKey) != base {
		t.Error("target group name is not deterministic")
	}
}

func TestListenerRuleName(t *testing.T) {
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
	rule := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
	if got := ListenerARNOfRule(rule); got != listener {
		t.Fatalf("ListenerARNOfRule = %q, want %q", got, listener)
	}
	a, b := ListenerRuleName("web", listener), ListenerRuleName("web", listener+"x")
	if a == b || !strings.HasPrefix(a, "web-rule-") || a != ListenerRuleName("web", listener) {
		t.Fatalf("ListenerRuleName not deterministic/distinct: %q %q", a, b)
	}
}

func TestNameScopeAndNamesClash(t *testing.T) {
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
	ds := func(ns string) Child {
		return Child{Key: KeyDiscoveryService, Kind: KindDiscoveryService, Name: "web", Props: &DiscoveryServiceProps{Name: "web", NamespaceID: ns}}
	}
	rec := func(c Child) Recorded {
		return Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: "arn:" + c.Key, NameScope: NameScope(c)}
	}
	rule := Child{Key: KeyListenerRule, Kind: KindListenerRule, Name: ListenerRuleName("web", listener), Props: &ListenerRuleProps{ListenerARN: listener}}
	sg := func(vpc string) Child {
		return Child{Key: "sg", Kind: KindSecurityGroup, Name: "platform-svc", Props: &SecurityGroupProps{Name: "platform-svc", VpcID: vpc}}
	}
	lg := Child{Key: KeyLogGroup, Kind: KindLogGroup, Name: "/lg", Props: &LogGroupProps{Name: "/lg"}}
	td := Child{Key: KeyTaskDefinition, Kind: KindTaskDefinition, Name: "fam", Props: &TaskDefinitionProps{Family: "fam"}}

	if NameScope(ds("ns-1")) != "ns-1" || NameScope(rule) != listener || NameScope(sg("vpc-1")) != "vpc-1" || NameScope(lg) != "" || NameScope(td) != "" {
		t.Fatal("NameScope")
	}
	legacyDS := rec(ds("ns-1"))
	legacyDS.NameScope = ""
	legacyRule := rec(rule)
	legacyRule.NameScope = ""
	legacyRule.ARN = strings.Replace(listener, ":listener/", ":listener-rule/", 1) + "/9683b2d02a6cabee"
	for _, tc := range []struct {
		what  string
		prev  Recorded
		c     Child
		clash bool
	}{
		{"discovery service, same namespace", rec(ds("ns-1")), ds("ns-1"), true},
		{"discovery service moved to another namespace", rec(ds("ns-1")), ds("ns-2"), false},
		{"discovery service, recorded namespace unknown", legacyDS, ds("ns-2"), true},
		{"security group, same vpc", rec(sg("vpc-1")), sg("vpc-1"), true},
		{"security group moved to another vpc", rec(sg("vpc-1")), sg("vpc-2"), false},
		{"listener rule, same listener", rec(rule), rule, true},
		{"listener rule, scope from its ARN", legacyRule, rule, true},
		{"log group, same name", rec(lg), lg, true},
		{"log group, another name", rec(lg), Child{Key: lg.Key, Kind: lg.Kind, Name: "/other", Props: lg.Props}, false},
		{"another kind", rec(lg), Child{Key: lg.Key, Kind: KindECRRepository, Name: "/lg"}, false},
		{"task definition revisions", rec(td), td, false},
	} {
		if got := NamesClash(tc.prev, tc.c); got != tc.clash {
			t.Errorf("%s: NamesClash = %v, want %v", tc.what, got, tc.clash)
		}
	}
	if s, ok := RecordedNameScope(legacyRule); !ok || s != listener {
		t.Errorf("RecordedNameScope(rule) = %q, %v", s, ok)
	}
	if _, ok := RecordedNameScope(legacyDS); ok {
		t.Error("a discovery service without a recorded namespace has a known scope")
	}
	if s, ok := RecordedNameScope(rec(lg)); !ok || s != "" {
		t.Errorf("RecordedNameScope(log group) = %q, %v", s, ok)
	}
}

func TestARNChangesOnUpdate(t *testing.T) {
	for _, k := range []Kind{KindIAMRole, KindIAMRolePolicy, KindLogGroup, KindECRRepository, KindTargetGroup, KindListenerRule,
		KindDiscoveryService, KindECSService, KindECSCluster, KindSecurityGroup, KindLoadBalancer, KindListener, KindPrivateDNSNamespace} {
		if ARNChangesOnUpdate(k) {
			t.Errorf("ARNChangesOnUpdate(%s)", k)
		}
	}
	if !ARNChangesOnUpdate(KindTaskDefinition) {
		t.Error("a task definition update registers a new revision")
	}
}

func TestNamesClash_listenerRulePriority(t *testing.T) {
	listener := "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2"
	prev := Recorded{Kind: KindListenerRule, Name: "", ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/2/3",
		Outputs: map[string]string{AttrPriority: "200"}, NameScope: listener}
	c := Child{Kind: KindListenerRule, Name: "web-rule-abc", Props: &ListenerRuleProps{ListenerARN: listener, Priority: 200}}
	if !NamesClash(prev, c) {
		t.Fatal("same explicit priority on the same listener must clash (delete first)")
	}
	c.Props = &ListenerRuleProps{ListenerARN: listener + "x", Priority: 200}
	prev.NameScope = listener
	if NamesClash(prev, c) {
		t.Fatal("another listener: no clash")
	}
	c.Props = &ListenerRuleProps{ListenerARN: listener}
	if NamesClash(prev, c) {
		t.Fatal("allocated priority: no clash")
	}
}
