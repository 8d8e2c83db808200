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
	defaultTGKey  = TargetGroupKey{Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip", VPCFromSubnet: "subnet-1"}
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
		"port":             {Port: 8081, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip", VPCFromSubnet: "subnet-1"},
		"protocol version": {Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP2", TargetType: "ip", VPCFromSubnet: "subnet-1"},
		"protocol":         {Port: 8080, Protocol: "HTTPS", ProtocolVersion: "HTTP1", TargetType: "ip", VPCFromSubnet: "subnet-1"},
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
