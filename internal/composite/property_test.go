package composite

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Property tests over generated valid specs (fixed seeds: failures reproduce).

const propertyRuns = 400

type specGen struct{ r *rand.Rand }

func (g specGen) n(lo, hi int) int      { return lo + g.r.IntN(hi-lo+1) }
func (g specGen) chance(p float64) bool { return g.r.Float64() < p }
func (g specGen) pick(list ...string) string {
	return list[g.r.IntN(len(list))]
}

func (g specGen) str(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	genLower  = "abcdefghijklmnopqrstuvwxyz"
	genDigits = "0123456789"
	genHex    = "0123456789abcdef"
)

func (g specGen) serviceName() string {
	n := g.n(1, MaxNameLength)
	if g.chance(0.5) {
		n = g.n(1, 10)
	}
	b := []byte{genLower[g.r.IntN(26)]}
	for len(b) < n {
		if len(b) < n-1 && b[len(b)-1] != '-' && g.chance(0.15) {
			b = append(b, '-')
		} else {
			b = append(b, (genLower + genDigits)[g.r.IntN(36)])
		}
	}
	if b[len(b)-1] == '-' {
		b[len(b)-1] = 'z'
	}
	return string(b)
}

func (g specGen) cluster(env Env) string {
	n := g.n(1, 12)
	if g.chance(0.2) {
		n = g.n(200, 255)
	}
	name := g.str(genLower+"ABCXYZ"+genDigits+"_-", n)
	if g.chance(0.3) {
		return fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", env.partition(), env.Region, g.envAccount(env), name)
	}
	return name
}

func (g specGen) account() string { return g.str(genDigits, 12) }

// envAccount is the provider's account when known, else any account.
func (g specGen) envAccount(env Env) string {
	if env.AccountID != "" {
		return env.AccountID
	}
	return g.account()
}

func (g specGen) env() Env {
	regions := [][2]string{{"us-east-1", ""}, {"eu-west-1", "aws"}, {"cn-north-1", "aws-cn"}, {"us-gov-west-1", "aws-us-gov"}}
	r := regions[g.r.IntN(len(regions))]
	env := Env{Region: r[0], Partition: r[1]}
	if g.chance(0.7) {
		env.AccountID = g.account()
	}
	if g.chance(0.5) {
		env.DefaultTags = map[string]string{"env": g.pick("dev", "prod"), g.str(genLower, 4): "x"}
	}
	return env
}

func (g specGen) secret() string {
	if g.chance(0.5) {
		arn := fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:%s:secret:%s-%s", g.account(), g.str(genLower, g.n(1, 10)), g.str(genLower+genDigits, 6))
		if g.chance(0.3) {
			arn += ":" + g.str(genLower, 4) + "::"
		}
		return arn
	}
	return fmt.Sprintf("arn:aws:ssm:eu-west-1:%s:parameter/%s/%s", g.account(), g.str(genLower, 3), g.str(genLower, 5))
}

func (g specGen) envMap(max int) map[string]string {
	m := map[string]string{}
	for i, n := 0, g.n(0, max); i < n; i++ {
		m[strings.ToUpper(g.str(genLower, g.n(1, 8)))+"_"+fmt.Sprint(i)] = g.str(genLower+" ${}:/", g.n(0, 12))
	}
	return m
}

func (g specGen) spec() (ServiceSpec, Env) {
	env := g.env()
	s := ServiceSpec{Name: g.serviceName(), Cluster: g.cluster(env)}
	if g.chance(0.6) {
		row := fargateSizes[g.r.IntN(len(fargateSizes))]
		mem := []int64{512, 1024, 2048}[g.r.IntN(3)]
		if row.step != 0 {
			mem = row.lo + int64(g.r.IntN(int((row.hi-row.lo)/row.step)+1))*row.step
		}
		s.CPU, s.Memory = Ptr(row.cpu), Ptr(mem)
	}
	if g.chance(0.5) {
		s.DesiredCount = Ptr(int64(g.n(0, 10)))
	}
	if g.chance(0.5) {
		s.Repository = &RepositorySpec{ImageTagMutability: g.pick("", "MUTABLE", "IMMUTABLE"), ForceDelete: g.chance(0.5)}
		if g.chance(0.5) {
			s.Repository.KeepImages = Ptr(int64(g.n(1, 1000)))
		}
		if g.chance(0.3) {
			s.Repository.ScanOnPush = Ptr(false)
		}
	}

	s.Containers = map[string]ContainerSpec{}
	port := int64(g.n(1, 60000))
	var withPort []string
	for i, n := 0, g.n(1, 4); i < n; i++ {
		name := g.str(genLower+genDigits+"_-", g.n(1, 12)) + fmt.Sprint(i)
		c := ContainerSpec{Environment: g.envMap(3), Command: []string{g.str(genLower, 4)}}
		switch {
		case s.Repository != nil && g.chance(0.5):
			c.ImageTag = "v" + g.str(genDigits+".", g.n(1, 8))
		case g.chance(0.3):
			c.Image = fmt.Sprintf("%s.dkr.ecr.us-west-2.amazonaws.com/%s/%s:%s", g.account(), g.str(genLower, 4), g.str(genLower, 5), g.str(genDigits, 3))
		default:
			c.Image = "public.ecr.aws/" + g.str(genLower, 6) + "/" + g.str(genLower, 5) + ":" + g.str(genDigits, 2)
		}
		if g.chance(0.6) {
			c.Port = Ptr(port + int64(i))
			withPort = append(withPort, name)
		}
		if g.chance(0.4) {
			c.Secrets = map[string]string{}
			for j, m := 0, g.n(1, 3); j < m; j++ {
				c.Secrets[fmt.Sprintf("SECRET_%d", j)] = g.secret()
			}
		}
		if i > 0 && g.chance(0.3) {
			c.Essential = Ptr(false)
		}
		s.Containers[name] = c
	}
	slices.Sort(withPort)

	for i, n := 0, g.n(1, 4); i < n; i++ {
		s.Network.SubnetIDs = append(s.Network.SubnetIDs, fmt.Sprintf("subnet-%s%d", g.str(genHex, 8), i))
	}
	for i, n := 0, g.n(0, 3); i < n; i++ {
		s.Network.SecurityGroupIDs = append(s.Network.SecurityGroupIDs, fmt.Sprintf("sg-%s%d", g.str(genHex, 8), i))
	}
	s.Network.AssignPublicIP = g.chance(0.2)
	if g.chance(0.3) {
		s.Network.VpcID = "vpc-" + g.str(genHex, 8)
	}

	if len(withPort) > 0 && g.chance(0.6) {
		lb := &LoadBalancerSpec{
			ListenerARN:     fmt.Sprintf("arn:%s:elasticloadbalancing:%s:%s:listener/app/%s/%s/%s", env.partition(), env.Region, g.envAccount(env), g.str(genLower, 5), g.str(genHex, 16), g.str(genHex, 16)),
			ProtocolVersion: g.pick("", "HTTP1", "HTTP2", "GRPC"),
		}
		if len(withPort) > 1 || g.chance(0.3) {
			lb.ContainerName = withPort[g.r.IntN(len(withPort))]
		}
		paths, hosts := g.n(0, 3), 0
		if paths == 0 {
			hosts = g.n(1, 2)
		} else {
			hosts = g.n(0, 5-paths)
		}
		for i := 0; i < paths; i++ {
			lb.PathPatterns = append(lb.PathPatterns, fmt.Sprintf("/%s%d/*", g.str(genLower, 4), i))
		}
		for i := 0; i < hosts; i++ {
			lb.HostHeaders = append(lb.HostHeaders, fmt.Sprintf("%s%d.example.com", g.str(genLower, 4), i))
		}
		if g.chance(0.5) {
			lb.Priority = Ptr(int64(g.n(1, 50000)))
		}
		if g.chance(0.5) {
			lb.DeregistrationDelay = Ptr(int64(g.n(0, 3600)))
		}
		if g.chance(0.5) {
			interval := int64(g.n(5, 300))
			lb.HealthCheck = &HealthCheckSpec{
				Path:               "/" + g.str(genLower, g.n(0, 8)),
				Interval:           Ptr(interval),
				Timeout:            Ptr(int64(g.n(2, int(min(interval-1, 120))))),
				HealthyThreshold:   Ptr(int64(g.n(2, 10))),
				UnhealthyThreshold: Ptr(int64(g.n(2, 10))),
			}
		}
		s.LoadBalancer = lb
	}
	if len(withPort) > 0 && g.chance(0.5) {
		s.ServiceDiscovery = &ServiceDiscoverySpec{NamespaceID: "ns-" + g.str(genLower+genDigits, 16)}
		if len(withPort) > 1 && (s.LoadBalancer == nil || g.chance(0.5)) {
			s.ServiceDiscovery.ContainerName = withPort[g.r.IntN(len(withPort))]
		}
		if g.chance(0.5) {
			s.ServiceDiscovery.DNSTTL = Ptr(int64(g.n(0, 600)))
		}
	}
	if g.chance(0.5) {
		s.TaskRolePolicyJSON = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::%s/${aws:username}/*"}]}`, g.str(genLower, 8))
	}
	s.EnableExecuteCommand = g.chance(0.3)
	if g.chance(0.5) {
		s.LogRetentionDays = Ptr(logRetentionDays[g.r.IntN(len(logRetentionDays))])
	}
	if g.chance(0.3) {
		s.CPUArchitecture = g.pick("X86_64", "ARM64")
	}
	if g.chance(0.3) {
		s.HealthCheckGracePeriod = Ptr(int64(g.n(0, 600)))
	}
	if g.chance(0.5) {
		mn := int64(g.n(0, 100))
		mx := int64(g.n(int(max(mn+1, 100)), 200))
		s.Deployment = &DeploymentSpec{MinimumHealthyPercent: Ptr(mn), MaximumPercent: Ptr(mx), CircuitBreakerRollback: Ptr(g.chance(0.5)), WaitForSteadyState: Ptr(g.chance(0.5))}
	}
	if g.chance(0.3) {
		mn := int64(g.n(0, 5))
		a := &AutoscalingSpec{MinCount: Ptr(mn), MaxCount: Ptr(mn + int64(g.n(1, 20)))}
		if g.chance(0.7) {
			a.CPUTarget = Ptr(int64(g.n(10, 90)))
		}
		if g.chance(0.4) || a.CPUTarget == nil && s.LoadBalancer == nil {
			a.MemoryTarget = Ptr(int64(g.n(10, 90)))
		}
		if s.LoadBalancer != nil && g.chance(0.5) {
			a.RequestsPerTarget = Ptr(int64(g.n(50, 5000)))
		}
		if a.CPUTarget == nil && a.MemoryTarget == nil && a.RequestsPerTarget == nil {
			a.CPUTarget = Ptr(int64(g.n(10, 90)))
		}
		if g.chance(0.3) {
			a.ScaleInCooldown, a.ScaleOutCooldown = Ptr(int64(g.n(0, 900))), Ptr(int64(g.n(0, 900)))
		}
		s.Autoscaling = a
		s.DesiredCount = nil // the scaler's: an import leaves it unset
	}
	s.Tags = map[string]string{}
	for i, n := 0, g.n(0, 5); i < n; i++ {
		s.Tags[g.str(genLower, 5)] = g.str(genLower+" ", 6)
	}
	return s, env
}

// forEachSpec runs fn over propertyRuns generated specs.
func forEachSpec(t *testing.T, fn func(t *testing.T, s ServiceSpec, env Env, g Graph)) {
	t.Helper()
	for seed := uint64(1); seed <= propertyRuns; seed++ {
		s, env := specGen{rand.New(rand.NewPCG(seed, 0x636f6e7461696e))}.spec()
		if errs := Validate(s); len(errs) > 0 {
			t.Fatalf("seed %d: generated spec is invalid: %v", seed, errs)
		}
		g, err := ExpandService(s, env)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		ok := t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { fn(t, s, env, g) })
		if !ok {
			t.Logf("spec: %s", marshalCanonical(s))
			return
		}
	}
}

func TestProperty_referencesResolve(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		kinds := map[string]Kind{}
		for _, c := range g.Children {
			if _, dup := kinds[c.Key]; dup {
				t.Errorf("duplicate key %q", c.Key)
			}
			kinds[c.Key] = c.Kind
		}
		outputs := map[string]map[string]string{}
		for _, c := range g.Children {
			outputs[c.Key] = map[string]string{}
			for _, a := range KindOutputs(c.Kind) {
				outputs[c.Key][a] = "resolved-" + c.Key + "-" + a
			}
		}
		for _, c := range g.Children {
			for _, r := range Refs(c.Props) {
				kind, ok := kinds[r.Key]
				if !ok {
					t.Errorf("%s references missing child %s", c.Key, r)
					continue
				}
				if !slices.Contains(KindOutputs(kind), r.Attr) {
					t.Errorf("%s references %s, but %s does not output %q", c.Key, r, kind, r.Attr)
				}
			}
			for _, k := range c.ReplaceOn {
				if _, ok := kinds[k]; !ok {
					t.Errorf("%s: replace_on names missing child %q", c.Key, k)
				}
			}
			resolved, err := Resolve(c.Props, outputs)
			if err != nil {
				t.Errorf("%s: %v", c.Key, err)
				continue
			}
			// Policy documents stay valid JSON after substitution.
			var doc string
			switch p := resolved.(type) {
			case *RolePolicyProps:
				doc = p.Policy
			case *RoleProps:
				doc = p.AssumeRolePolicy
			}
			if doc != "" && !json.Valid([]byte(doc)) {
				t.Errorf("%s: resolved policy is not JSON: %s", c.Key, doc)
			}
		}
	})
}

func TestProperty_acyclicAndOrdered(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		pos := map[string]int{}
		for i, c := range g.Children {
			pos[c.Key] = i
		}
		// Every dependency comes strictly earlier: the order is a topological
		// order, so the graph is acyclic.
		for i, c := range g.Children {
			for _, d := range c.DependsOn() {
				if j, ok := pos[d]; !ok || j >= i {
					t.Errorf("%s (position %d) depends on %s (position %d)", c.Key, i, d, j)
				}
			}
		}
	})
}

var (
	childNameRules = map[Kind]struct {
		max int
		re  *regexp.Regexp
	}{
		KindIAMRole:          {MaxRoleNameLength, iamNameRe},
		KindIAMRolePolicy:    {MaxPolicyNameLength, regexp.MustCompile(`^[\w+=,.@-]+$`)},
		KindLogGroup:         {MaxLogGroupNameLength, logGroupRe},
		KindECRRepository:    {MaxRepositoryNameLength, ecrNameRe},
		KindTargetGroup:      {MaxTargetGroupNameLength, tgNameRe},
		KindListenerRule:     {64, regexp.MustCompile(`^[a-z][a-z0-9-]*-rule-[0-9a-f]{8}$`)}, // display name: rules have none in AWS
		KindDiscoveryService: {63, regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)},
		KindTaskDefinition:   {MaxFamilyLength, familyRe},
		KindECSService:       {MaxServiceNameLength, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)},
		// Application Auto Scaling: a resource id up to 1600, policy and
		// scheduled action names up to 256 (no ':', '/' or '|').
		KindScalableTarget:  {1600, regexp.MustCompile(`^service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$`)},
		KindScalingPolicy:   {256, regexp.MustCompile(`^containerapp-(cpu|memory|requests)$`)},
		KindScheduledAction: {256, regexp.MustCompile(`^containerapp-[A-Za-z0-9_-]+$`)},
	}
)

func TestProperty_namesWithinLimits(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		for _, c := range g.Children {
			rule, ok := childNameRules[c.Kind]
			if !ok {
				t.Fatalf("no name rule for %s", c.Kind)
			}
			if len(c.Name) > rule.max || !rule.re.MatchString(c.Name) {
				t.Errorf("%s: name %q (%d chars) breaks the %s naming rules", c.Key, c.Name, len(c.Name), c.Kind)
			}
			if c.Kind == KindECRRepository && c.Name != strings.ToLower(c.Name) {
				t.Errorf("repository name %q is not lowercase", c.Name)
			}
			if c.Kind == KindTargetGroup && strings.HasPrefix(c.Name, "internal-") {
				t.Errorf("target group name %q starts with internal-", c.Name)
			}
			if len(c.Hash) != HashLength || len(c.ReplaceHash) != HashLength {
				t.Errorf("%s: hash %q replace hash %q", c.Key, c.Hash, c.ReplaceHash)
			}
		}
	})
}

func TestProperty_ownershipTags(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		if g.Owner != ServiceID(s.Cluster, s.Name) {
			t.Errorf("owner = %q", g.Owner)
		}
		for _, c := range g.Children {
			tags := expTags(c)
			if !IsTaggable(c.Kind) {
				continue
			}
			if tags[TagOwner] != g.Owner || tags[TagKey] != c.Key {
				t.Errorf("%s: ownership tags %q=%q %q=%q", c.Key, TagOwner, tags[TagOwner], TagKey, tags[TagKey])
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

func TestProperty_deterministic(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		want := goldenJSON(t, g)
		for i := 0; i < 3; i++ {
			// A deep copy rebuilds every map: a different insertion (and
			// iteration) order.
			g2, err := ExpandService(s.clone(), env)
			if err != nil {
				t.Fatal(err)
			}
			if got := goldenJSON(t, g2); string(got) != string(want) {
				t.Fatalf("expansion %d differs:\n%s", i, expFirstDiff(string(want), string(got)))
			}
		}
		// Reordering lists AWS treats as sets changes nothing.
		r := s.clone()
		slices.Reverse(r.Network.SubnetIDs)
		slices.Reverse(r.Network.SecurityGroupIDs)
		if r.LoadBalancer != nil {
			slices.Reverse(r.LoadBalancer.PathPatterns)
			slices.Reverse(r.LoadBalancer.HostHeaders)
		}
		g3, err := ExpandService(r, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := goldenJSON(t, g3); string(got) != string(want) {
			t.Fatalf("reordered sets change the expansion:\n%s", expFirstDiff(string(want), string(got)))
		}
	})
}

func TestProperty_imageChangeTouchesOnlyTaskDefinition(t *testing.T) {
	forEachSpec(t, func(t *testing.T, s ServiceSpec, env Env, g Graph) {
		changed := s.clone()
		name := sortedKeys(changed.Containers)[0]
		c := changed.Containers[name]
		if c.ImageTag != "" {
			c.ImageTag += "-next"
		} else {
			c.Image += "-next" // the tag part: same repository
		}
		changed.Containers[name] = c
		g2, err := ExpandService(changed, env)
		if err != nil {
			t.Fatal(err)
		}
		if len(g2.Children) != len(g.Children) {
			t.Fatalf("children %v -> %v", expKeys(g), expKeys(g2))
		}
		for i, before := range g.Children {
			after := g2.Children[i]
			if after.Key != before.Key || after.Name != before.Name {
				t.Errorf("%s %q became %s %q", before.Key, before.Name, after.Key, after.Name)
			}
			hashChanged := after.Hash != before.Hash
			if hashChanged != (before.Key == KeyTaskDefinition) {
				t.Errorf("%s: hash changed = %v", before.Key, hashChanged)
			}
			if before.Key != KeyTaskDefinition && after.ReplaceHash != before.ReplaceHash {
				t.Errorf("%s: replace hash changed", before.Key)
			}
		}
	})
}
