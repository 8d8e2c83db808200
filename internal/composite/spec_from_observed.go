package composite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Import: the configuration a composite was created with, rebuilt from its
// observed children. ServiceSpecFromObserved and ClusterSpecFromObserved are
// the inverses of ExpandService and ExpandCluster:
//
//	ExpandService(ServiceSpecFromObserved(observe(ExpandService(s)))) == ExpandService(s)
//
// for every valid s whose attributes are observable (see below). obs is keyed
// by child key (KeyService, KeyTaskDefinition, ...) and holds what the
// children's handlers observed: props as AWS reports them, references
// resolved, with Full set (the settings that cost extra calls present: the
// repository's lifecycle policy, the target group's deregistration delay). A
// child that was looked up and not found is absent, or present with nil
// Props.
//
// Attributes equal to the composite's default are left unset (nil pointer,
// "" or nil slice), so that a configuration written with the defaults
// omitted plans empty after the import. Tags are the anchor's user tags
// minus the ownership tags, the keys AWS reserves and the provider's
// default_tags whose value is the same.
//
// Not observable, so never rebuilt (an imported configuration that sets them
// plans an update of the child that holds them):
//   - deployment.wait_for_steady_state: a provider-side setting, no AWS
//     field (left unset: true);
//   - repository.force_delete: taken from RepositoryProps.ForceDelete, which
//     a handler can only know from a record (false at import);
//   - repository.block_on_severity: a provider-side gate, no AWS field (left
//     unset: no gate);
//   - without Full: repository.keep_images and
//     load_balancer.deregistration_delay (left unset);
//   - an image given as the service's own repository URL is rebuilt as
//     image_tag (the two expand alike once resolved, not before);
//   - an explicit listener rule priority equal to the one the allocator
//     would pick is indistinguishable from an allocated one: the handler's
//     Find decides (ListenerRuleProps.Priority 0 means allocated).
// A child missing in AWS leaves its block unset (the load balancer without
// its target group or listener rule, service discovery without its Cloud Map
// service), so the next plan shows it added and the apply restores it.

// ServiceSpecFromObserved rebuilds the spec of the service composite
// cluster/name from its observed children. The ECS service and its task
// definition must have been observed. The listener rule's priority is the
// configured one when ListenerRuleProps.Priority != 0 and allocated when 0
// (a handler's Find decides from the listener's other rules: see
// ListenerRulePriorityHint).
func ServiceSpecFromObserved(cluster, name string, obs map[string]Observed, env Env) (ServiceSpec, error) {
	svc := observedProps[ServiceProps](obs, KeyService)
	if svc == nil {
		return ServiceSpec{}, fmt.Errorf("rebuilding service %s: the ECS service was not observed", ServiceID(cluster, name))
	}
	td := observedProps[TaskDefinitionProps](obs, KeyTaskDefinition)
	if td == nil {
		return ServiceSpec{}, fmt.Errorf("rebuilding service %s: its task definition was not observed", ServiceID(cluster, name))
	}
	clusterName := ClusterName(cluster)
	s := ServiceSpec{Name: name, Cluster: cluster}
	s.CPU = invUnlessDefault(int64(td.CPU), DefaultCPU)
	s.Memory = invUnlessDefault(int64(td.Memory), DefaultMemory)
	s.DesiredCount = invUnlessInt(int64(svc.DesiredCount), DefaultDesiredCount)
	if a := td.CPUArchitecture; a != "" && a != DefaultCPUArchitecture {
		s.CPUArchitecture = a
	}
	// 0 ("never expire") is not a retention the composite can configure: it
	// is left unset and the next apply sets the default.
	if lg := observedProps[LogGroupProps](obs, KeyLogGroup); lg != nil {
		s.LogRetentionDays = invUnlessDefault(int64(lg.RetentionDays), DefaultLogRetentionDays)
	}
	if svc.HealthCheckGracePeriod > 0 {
		s.HealthCheckGracePeriod = Ptr(int64(svc.HealthCheckGracePeriod))
	}
	if s.Autoscaling = invAutoscaling(obs); s.Autoscaling != nil {
		// The live count is the scaler's; desired_count is only the count
		// a new service starts with.
		s.DesiredCount = nil
	}

	// kms_key_arns: the Resource of the execution role policy's KMS
	// statement (the rest of that policy is derived).
	if ep := observedProps[RolePolicyProps](obs, KeyExecutionRolePolicy); ep != nil {
		keys, err := invKMSKeys(ep.Policy)
		if err != nil {
			return ServiceSpec{}, fmt.Errorf("rebuilding service %s: execution role policy: %w", ServiceID(cluster, name), err)
		}
		s.KMSKeyARNs = keys
	}

	// The task role policy is the user's document plus, with
	// enable_execute_command, the ECS Exec statement.
	s.EnableExecuteCommand = svc.EnableExecuteCommand
	if tp := observedProps[RolePolicyProps](obs, KeyTaskRolePolicy); tp != nil {
		doc, hadExec, err := invStripExecStatement(tp.Policy)
		if err != nil {
			return ServiceSpec{}, fmt.Errorf("rebuilding service %s: task role policy: %w", ServiceID(cluster, name), err)
		}
		s.TaskRolePolicyJSON = doc
		s.EnableExecuteCommand = s.EnableExecuteCommand || hadExec
	}

	// Repository.
	repo := observedProps[RepositoryProps](obs, KeyRepository)
	if repo != nil {
		r := &RepositorySpec{ForceDelete: repo.ForceDelete}
		if !repo.ScanOnPush {
			r.ScanOnPush = Ptr(false)
		}
		if m := invOr(repo.ImageTagMutability, "MUTABLE"); m != DefaultImageTagMutability {
			r.ImageTagMutability = m
		}
		if obs[KeyRepository].Full {
			if keep, ok := invLifecycleKeepImages(repo.LifecyclePolicy); ok {
				r.KeepImages = invUnlessInt(keep, DefaultKeepImages)
			}
		}
		s.Repository = r
	}

	// Containers.
	s.Containers = map[string]ContainerSpec{}
	for _, c := range td.Containers {
		cs := ContainerSpec{
			Image:       c.Image,
			Command:     invCopy(c.Command),
			EntryPoint:  invCopy(c.EntryPoint),
			Environment: invMap(c.Environment),
			Secrets:     invMap(c.Secrets),
		}
		if repo != nil {
			if tag, ok := invOwnImageTag(c.Image, repo.Name, obs[KeyRepository].Outputs[AttrURL]); ok {
				cs.Image, cs.ImageTag = "", tag
			}
		}
		if c.Port > 0 {
			cs.Port = Ptr(int64(c.Port))
		}
		if !c.Essential {
			cs.Essential = Ptr(false)
		}
		if c.CPU > 0 {
			cs.CPU = Ptr(int64(c.CPU))
		}
		if c.Memory > 0 {
			cs.Memory = Ptr(int64(c.Memory))
		}
		s.Containers[c.Name] = cs
	}
	withPort := s.portContainers()
	onlyPort := ""
	if len(withPort) == 1 {
		onlyPort = withPort[0]
	}

	// Network.
	s.Network = NetworkSpec{
		SubnetIDs:        sortedCopy(uniqueSorted(append([]string(nil), svc.Subnets...))),
		SecurityGroupIDs: sortedCopy(uniqueSorted(append([]string(nil), svc.SecurityGroups...))),
		AssignPublicIP:   svc.AssignPublicIP,
	}

	// Load balancer: the block needs the target group and the listener rule.
	tg := observedProps[TargetGroupProps](obs, KeyTargetGroup)
	rule := observedProps[ListenerRuleProps](obs, KeyListenerRule)
	lbContainer := ""
	if len(svc.LoadBalancers) > 0 && tg != nil && rule != nil {
		slb := svc.LoadBalancers[0]
		lbContainer = slb.ContainerName
		lb := &LoadBalancerSpec{
			ListenerARN:  rule.ListenerARN,
			PathPatterns: sortedCopy(uniqueSorted(append([]string(nil), rule.PathPatterns...))),
			HostHeaders:  sortedCopy(uniqueSorted(append([]string(nil), rule.HostHeaders...))),
		}
		if lb.ListenerARN == "" {
			lb.ListenerARN = ListenerARNOfRule(obs[KeyListenerRule].Outputs[AttrARN])
		}
		if lbContainer != onlyPort {
			lb.ContainerName = lbContainer
		}
		if rule.Priority != 0 {
			lb.Priority = Ptr(int64(rule.Priority))
		}
		if obs[KeyTargetGroup].Full {
			lb.DeregistrationDelay = invUnlessInt(int64(tg.DeregistrationDelay), DefaultDeregistrationDelay)
		}
		protocolVersion := invOr(tg.ProtocolVersion, DefaultProtocolVersion)
		if protocolVersion != DefaultProtocolVersion {
			lb.ProtocolVersion = protocolVersion
		}
		matcherDefault := DefaultHealthCheckMatcher
		if protocolVersion == "GRPC" {
			matcherDefault = DefaultHealthCheckMatcherGRPC
		}
		hc := tg.HealthCheck
		h := &HealthCheckSpec{
			Interval:           invUnlessDefault(int64(hc.IntervalSeconds), DefaultHealthCheckInterval),
			Timeout:            invUnlessDefault(int64(hc.TimeoutSeconds), DefaultHealthCheckTimeout),
			HealthyThreshold:   invUnlessDefault(int64(hc.HealthyThreshold), DefaultHealthyThreshold),
			UnhealthyThreshold: invUnlessDefault(int64(hc.UnhealthyThreshold), DefaultUnhealthyThreshold),
		}
		if hc.Path != DefaultHealthCheckPath {
			h.Path = hc.Path
		}
		if hc.Matcher != matcherDefault {
			h.Matcher = hc.Matcher
		}
		if *h != (HealthCheckSpec{}) {
			lb.HealthCheck = h
		}
		s.LoadBalancer = lb

		// network.vpc_id is part of the target group's name when it was set:
		// keep it only when the name says so.
		port := tg.Port
		if c, ok := s.Containers[lbContainer]; ok && c.Port != nil {
			port = int32(*c.Port)
		}
		k := TargetGroupKey{Port: port, Protocol: "HTTP", ProtocolVersion: protocolVersion, TargetType: "ip"}
		if TargetGroupName(clusterName, name, k) != tg.Name && tg.VpcID != "" {
			k.VpcID = tg.VpcID
			if TargetGroupName(clusterName, name, k) == tg.Name {
				s.Network.VpcID = tg.VpcID
			}
		}
	}

	// Service discovery: the block needs the Cloud Map service.
	if sd := observedProps[DiscoveryServiceProps](obs, KeyDiscoveryService); len(svc.ServiceRegistries) > 0 && sd != nil {
		defaultContainer := onlyPort
		if s.LoadBalancer != nil && lbContainer != "" {
			defaultContainer = lbContainer
		}
		d := &ServiceDiscoverySpec{NamespaceID: sd.NamespaceID}
		if sd.HTTPNamespace || len(sd.RecordTypes) == 0 {
			// No DNS records: an HTTP namespace (the resource's import
			// looks the exact type up for a DNS one).
			d.NamespaceType = NamespaceTypeHTTP
		} else {
			d.DNSTTL = invUnlessInt(sd.DNSTTL, DefaultDNSTTL)
			if c := svc.ServiceRegistries[0].ContainerName; c != defaultContainer {
				d.ContainerName = c
			}
		}
		s.ServiceDiscovery = d
	}

	// Deployment: ECS reports the circuit breaker and the percents; an
	// emulator that does not keep them reports nothing, which reads as the
	// defaults.
	d := DeploymentSpec{}
	if svc.CircuitBreaker && !svc.CircuitBreakerRollback {
		d.CircuitBreakerRollback = Ptr(false)
	}
	if svc.MaximumPercent > 0 {
		d.MinimumHealthyPercent = invUnlessInt(int64(svc.MinimumHealthyPercent), DefaultMinimumHealthyPercent)
		d.MaximumPercent = invUnlessInt(int64(svc.MaximumPercent), DefaultMaximumPercent)
	}
	if len(svc.Alarms) > 0 {
		a := &DeploymentAlarmsSpec{Names: svc.Alarms}
		if !svc.AlarmsRollback {
			a.Rollback = Ptr(false)
		}
		d.Alarms = a
	}
	if d.CircuitBreakerRollback != nil || d.MinimumHealthyPercent != nil || d.MaximumPercent != nil || d.Alarms != nil {
		s.Deployment = &d
	}
	// capacity_provider_strategy stays unset: the service's strategy may
	// be the one ECS copied from the cluster's default, and unset compares
	// nothing (see capacity.go).

	s.Tags = invUserTags(svc.Tags, env)
	return s, nil
}

// ClusterSpecFromObserved rebuilds the spec of the cluster composite name
// from its observed children; the ECS cluster must have been observed. VpcID
// is the security groups' VPC; SubnetIDs are the load balancer's subnets
// (unset without a load balancer: the adapter resolves them, as for a
// configuration that leaves them unset).
func ClusterSpecFromObserved(name string, obs map[string]Observed, env Env) (ClusterSpec, error) {
	cl := observedProps[ClusterProps](obs, KeyCluster)
	if cl == nil {
		return ClusterSpec{}, fmt.Errorf("rebuilding cluster %s: the ECS cluster was not observed", ClusterID(name))
	}
	s := ClusterSpec{Name: name}

	providers := uniqueSorted(append([]string(nil), cl.CapacityProviders...))
	switch {
	case invSameStrings(providers, DefaultCapacityProviders()):
	case len(providers) == 0:
		s.CapacityProviders = []string{} // none, not the default
	default:
		s.CapacityProviders = providers
	}
	strategy := append([]CapacityProviderStrategyItem(nil), cl.DefaultStrategy...)
	sort.SliceStable(strategy, func(i, j int) bool { return strategy[i].CapacityProvider < strategy[j].CapacityProvider })
	isDefault := len(strategy) == 1 && strategy[0] == CapacityProviderStrategyItem{CapacityProvider: CapacityFargate, Weight: DefaultStrategyWeight, Base: DefaultStrategyBase}
	if !isDefault {
		s.DefaultCapacityProviderStrategy = []CapacityProviderStrategySpec{}
		for _, it := range strategy {
			s.DefaultCapacityProviderStrategy = append(s.DefaultCapacityProviderStrategy, CapacityProviderStrategySpec{
				CapacityProvider: it.CapacityProvider,
				Weight:           invUnlessInt(int64(it.Weight), DefaultStrategyWeight),
				Base:             invUnlessInt(int64(it.Base), DefaultStrategyBase),
			})
		}
	}
	// Not reported means disabled; "enhanced" is on (the default, true).
	if cl.ContainerInsights == "disabled" || cl.ContainerInsights == "" {
		s.ContainerInsights = Ptr(false)
	}

	ns := observedProps[NamespaceProps](obs, KeyNamespace)
	for _, key := range []string{KeyServiceSecurityGroup, KeyLoadBalancerSecurityGroup} {
		if sg := observedProps[SecurityGroupProps](obs, key); sg != nil && sg.VpcID != "" {
			s.VpcID = sg.VpcID
			break
		}
	}
	if s.VpcID == "" && ns != nil {
		s.VpcID = ns.VpcID
	}

	if ns != nil {
		sd := &ClusterServiceDiscoverySpec{Name: ns.Name, Description: ns.Description}
		if ns.Type != "" && ns.Type != DefaultNamespaceType {
			sd.Type = ns.Type
		}
		s.ServiceDiscovery = sd
	}

	if lb := observedProps[LoadBalancerProps](obs, KeyLoadBalancer); lb != nil {
		l := &ClusterLoadBalancerSpec{}
		if lb.Internal {
			l.Internal = Ptr(true)
		}
		if lb.IdleTimeout != 0 {
			l.IdleTimeout = invUnlessInt(int64(lb.IdleTimeout), DefaultIdleTimeout)
		}
		if https := observedProps[ListenerProps](obs, KeyHTTPSListener); https != nil && https.CertificateARN != "" {
			l.CertificateARN = https.CertificateARN
			if https.SSLPolicy != DefaultSSLPolicy {
				l.SSLPolicy = https.SSLPolicy
			}
		}
		if sg := observedProps[SecurityGroupProps](obs, KeyLoadBalancerSecurityGroup); sg != nil {
			var cidrs []string
			for _, r := range sg.Ingress {
				cidrs = append(cidrs, r.CIDRBlocks...)
				cidrs = append(cidrs, r.IPv6CIDRBlocks...)
			}
			if cidrs = uniqueSorted(cidrs); len(cidrs) > 0 && !invSameStrings(cidrs, []string{DefaultIngressCIDRBlock}) {
				l.IngressCIDRBlocks = cidrs
			}
		}
		s.LoadBalancer = l
		s.SubnetIDs = sortedCopy(uniqueSorted(append([]string(nil), lb.Subnets...)))
	}

	s.Tags = invUserTags(cl.Tags, env)
	return s, nil
}

// observedProps returns obs[key].Props as *T, nil when the child was not
// observed (absent, looked up and not found, or props of another kind).
func observedProps[T any](obs map[string]Observed, key string) *T {
	p, _ := obs[key].Props.(*T)
	return p
}

// invUnlessDefault is nil for the default and for 0 (not reported), else a
// pointer to v.
func invUnlessDefault(v, def int64) *int64 {
	if v == def || v == 0 {
		return nil
	}
	return Ptr(v)
}

// invUnlessInt is nil for the default, else a pointer to v (0 included).
func invUnlessInt(v, def int64) *int64 {
	if v == def {
		return nil
	}
	return Ptr(v)
}

func invOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func invCopy(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return append([]string(nil), ss...)
}

func invMap(kvs []KeyValue) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Name] = kv.Value
	}
	return m
}

func invSameStrings(a, b []string) bool {
	a, b = uniqueSorted(append([]string(nil), a...)), uniqueSorted(append([]string(nil), b...))
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// invUserTags returns the tags a configuration sets: tags minus the
// ownership tags, the keys AWS reserves and the default_tags of the same
// value (nil when none remain).
func invUserTags(tags map[string]string, env Env) map[string]string {
	var out map[string]string
	for k, v := range tags {
		if k == TagOwner || k == TagKey || strings.HasPrefix(k, "aws:") {
			continue
		}
		if dv, ok := env.DefaultTags[k]; ok && dv == v {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// invOwnImageTag reports the tag of image when it names the service's own
// repository: "<repository url>:<tag>" (url from the repository's outputs,
// else any private ECR registry holding a repository of that name).
func invOwnImageTag(image, repoName, repoURL string) (string, bool) {
	if repoURL != "" {
		tag, ok := strings.CutPrefix(image, repoURL+":")
		return tag, ok && tag != ""
	}
	if m := ecrImageRe.FindStringSubmatch(image); m == nil || m[4] != repoName {
		return "", false
	}
	_, path, _ := strings.Cut(image, "/")
	tag, ok := strings.CutPrefix(path, repoName+":")
	return tag, ok && tag != ""
}

// invLifecycleKeepImages reads N from the composite's lifecycle policy
// shape (one rule expiring the images beyond the newest N).
func invLifecycleKeepImages(text string) (int64, bool) {
	var doc struct {
		Rules []struct {
			Selection struct {
				CountType   string `json:"countType"`
				CountNumber int64  `json:"countNumber"`
			} `json:"selection"`
		} `json:"rules"`
	}
	if json.Unmarshal([]byte(text), &doc) != nil || len(doc.Rules) != 1 || doc.Rules[0].Selection.CountType != "imageCountMoreThan" {
		return 0, false
	}
	return doc.Rules[0].Selection.CountNumber, true
}

// invStripExecStatement returns the task role policy without the ECS Exec
// statement the composite adds (in canonical form, "" when nothing remains)
// and whether the statement was there. The document may be URL-encoded (as
// IAM returns it).
func invStripExecStatement(doc string) (string, bool, error) {
	m, err := invDecodePolicy(doc)
	if err != nil {
		return "", false, err
	}
	list, isList := m["Statement"].([]any)
	if !isList {
		return marshalCanonical(m), false, nil
	}
	exec := driftCanonicalJSON(driftCanonicalPolicyValue("", execCommandStatement()))
	kept := make([]any, 0, len(list))
	hadExec := false
	for _, st := range list {
		if driftCanonicalJSON(driftCanonicalPolicyValue("", st)) == exec {
			hadExec = true
			continue
		}
		kept = append(kept, st)
	}
	if len(kept) == 0 {
		return "", hadExec, nil
	}
	m["Statement"] = kept
	return marshalCanonical(m), hadExec, nil
}

// invKMSKeys returns the resources of the SecretsKMS statement of an
// execution role policy, sorted (nil without one).
func invKMSKeys(doc string) ([]string, error) {
	m, err := invDecodePolicy(doc)
	if err != nil {
		return nil, err
	}
	list, _ := m["Statement"].([]any)
	for _, st := range list {
		sm, _ := st.(map[string]any)
		if sm["Sid"] != SecretsKMSSid {
			continue
		}
		var keys []string
		switch r := sm["Resource"].(type) {
		case string:
			keys = []string{r}
		case []any:
			for _, x := range r {
				if k, ok := x.(string); ok {
					keys = append(keys, k)
				}
			}
		}
		return uniqueSorted(keys), nil
	}
	return nil, nil
}

// invDecodePolicy parses a policy document (numbers as written), URL-decoding
// it first when it is not JSON as it stands.
func invDecodePolicy(doc string) (map[string]any, error) {
	parse := func(s string) (map[string]any, error) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, fmt.Errorf("trailing data after the document")
		}
		return m, nil
	}
	m, err := parse(doc)
	if err == nil {
		return m, nil
	}
	if s, uerr := url.QueryUnescape(doc); uerr == nil {
		if m, perr := parse(s); perr == nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("not valid JSON: %v", err)
}
