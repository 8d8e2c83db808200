package acctest

// Consistency mode: the proxy reproduces AWS's eventual-consistency windows
// in front of an emulator (moto answers at once where AWS is eventually
// consistent). It watches what the provider creates and deletes through the
// proxy and, for a configurable window after each event, answers the way
// AWS does while the change propagates:
//
//	rule                   after (upstream success)      calls held back, and the answer
//	ServiceMissing         ecs:CreateService             ecs:DescribeServices lists it under failures, reason MISSING
//	ClusterNotFound        ecs:CreateCluster             ecs:CreateService, ecs:DescribeServices: ClusterNotFoundException
//	SecurityGroupNotFound  ec2:CreateSecurityGroup       ec2:Authorize/RevokeSecurityGroupIngress/Egress naming it: InvalidGroup.NotFound
//	ServiceDraining        ecs:DeleteService             ecs:DescribeServices shows DRAINING; ecs:CreateService of the same
//	                                                     cluster/name: InvalidParameterException (not idempotent);
//	                                                     ecs:DeleteCluster: ClusterContainsServicesException
//	RoleNotAssumable       iam:CreateRole                ecs:RegisterTaskDefinition naming it: ClientException "Role is not valid";
//	                                                     ecs:CreateService naming it as role: InvalidParameterException
//	                       iam:CreateServiceLinkedRole   ecs:CreateCluster, ecs:CreateService: InvalidParameterException
//	                       (ecs.amazonaws.com)           "Unable to assume the service linked role"
//	SecurityGroupInUse     elasticloadbalancing:         ec2:DeleteSecurityGroup of a group the load balancer had:
//	                       DeleteLoadBalancer            DependencyViolation
//
// Each rule's comment cites the AWS documentation it reproduces. Every
// answer the mode shapes is logged (ConsistencyHits) and marked on its Call
// (Call.Consistency). Only objects created or deleted through the proxy
// while the mode is on are held back; calls an injected Fault answers are
// left alone and do not open windows. The mode is for an emulator target:
// real AWS needs no help.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ConsistencyEnv turns consistency mode off suite-wide when set to "0",
// "false", "off" or "no": EnableConsistency (and WithConsistency) are then
// no-ops, to compare a run with and without the windows.
const ConsistencyEnv = "CONTAINERAPP_TEST_CONSISTENCY"

// ConsistencyEnabled reports whether ConsistencyEnv allows consistency mode
// (unset means on).
func ConsistencyEnabled() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(ConsistencyEnv))) {
	case "0", "false", "off", "no":
		return false
	}
	return true
}

// ConsistencyRule names one reproduced eventual-consistency behaviour.
type ConsistencyRule string

// The rules; see the table at the top of consistency.go.
const (
	RuleServiceMissing        ConsistencyRule = "ServiceMissing"
	RuleClusterNotFound       ConsistencyRule = "ClusterNotFound"
	RuleSecurityGroupNotFound ConsistencyRule = "SecurityGroupNotFound"
	RuleServiceDraining       ConsistencyRule = "ServiceDraining"
	RuleRoleNotAssumable      ConsistencyRule = "RoleNotAssumable"
	RuleSecurityGroupInUse    ConsistencyRule = "SecurityGroupInUse"
)

// Windows holds how long each rule holds an object back, counted from the
// moment the proxy saw the upstream's successful answer to the event that
// opens it. A zero duration turns that rule off.
type Windows struct {
	// ServiceMissing: a new ECS service reads MISSING to DescribeServices.
	ServiceMissing time.Duration
	// ClusterNotFound: a new ECS cluster is not found by CreateService and
	// DescribeServices.
	ClusterNotFound time.Duration
	// SecurityGroupNotFound: a new security group is InvalidGroup.NotFound
	// to the rule calls.
	SecurityGroupNotFound time.Duration
	// ServiceDraining: a deleted ECS service stays DRAINING and blocks its
	// cluster/name.
	ServiceDraining time.Duration
	// RoleNotAssumable: a new IAM role (or ECS's new service-linked role)
	// cannot be assumed by ECS.
	RoleNotAssumable time.Duration
	// SecurityGroupInUse: a deleted load balancer's ENIs still hold its
	// security groups.
	SecurityGroupInUse time.Duration
}

// RealisticWindows returns windows shaped like AWS's usual behaviour (a
// second or two for ECS/EC2 visibility, a few seconds for IAM propagation,
// draining and ENI release) but short enough for a test suite. On AWS the
// tails are longer: draining lasts the target group's deregistration delay
// (300 s by default), ENI release and IAM propagation can take minutes.
func RealisticWindows() Windows {
	return Windows{
		ServiceMissing:        2 * time.Second,
		ClusterNotFound:       1 * time.Second,
		SecurityGroupNotFound: 1 * time.Second,
		ServiceDraining:       3 * time.Second,
		RoleNotAssumable:      3 * time.Second,
		SecurityGroupInUse:    3 * time.Second,
	}
}

// Scale returns w with every window multiplied by f (e.g. longer windows for
// a demo).
func (w Windows) Scale(f float64) Windows {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	return Windows{
		ServiceMissing:        s(w.ServiceMissing),
		ClusterNotFound:       s(w.ClusterNotFound),
		SecurityGroupNotFound: s(w.SecurityGroupNotFound),
		ServiceDraining:       s(w.ServiceDraining),
		RoleNotAssumable:      s(w.RoleNotAssumable),
		SecurityGroupInUse:    s(w.SecurityGroupInUse),
	}
}

// ConsistencyHit is one answer consistency mode shaped.
type ConsistencyHit struct {
	Rule ConsistencyRule
	// Service and Operation are the call's ("ecs", "DescribeServices").
	Service   string
	Operation string
	// Resource is the object held back: a service or cluster ARN or
	// region/cluster[/service] key, a security group id, a role ARN.
	Resource string
	// Answer is the error code returned, or "MISSING" / "DRAINING" for a
	// rewritten DescribeServices.
	Answer string
	// Age is how long after the opening event the call came.
	Age time.Duration
	// At is when the answer was given.
	At time.Time
}

// String renders the hit as "Rule service:Operation Resource -> Answer".
func (h ConsistencyHit) String() string {
	return fmt.Sprintf("%s %s:%s %s -> %s (+%v)", h.Rule, h.Service, h.Operation, h.Resource, h.Answer, h.Age.Round(time.Millisecond))
}

// EnableConsistency turns consistency mode on with windows w, forgetting any
// state of an earlier call. It reports whether the mode is on: it is a no-op
// returning false when ConsistencyEnv turns the mode off.
func (p *Proxy) EnableConsistency(w Windows) bool {
	if !ConsistencyEnabled() {
		return false
	}
	c := newConsistency(w, time.Now)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cons = c
	return true
}

// DisableConsistency turns consistency mode off (the hits are dropped too).
func (p *Proxy) DisableConsistency() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cons = nil
}

// ConsistencyEnabled reports whether consistency mode is on for this proxy.
func (p *Proxy) ConsistencyEnabled() bool { return p.consistencyState() != nil }

// ConsistencyHits returns the answers consistency mode shaped, in order.
func (p *Proxy) ConsistencyHits() []ConsistencyHit {
	c := p.consistencyState()
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ConsistencyHit(nil), c.hits...)
}

// CountConsistencyHits returns how many hits are of rule (all if empty).
func (p *Proxy) CountConsistencyHits(rule ConsistencyRule) int {
	n := 0
	for _, h := range p.ConsistencyHits() {
		if rule == "" || h.Rule == rule {
			n++
		}
	}
	return n
}

// ResetConsistency forgets the hits and every object being held back (open
// windows close at once); the mode stays on.
func (p *Proxy) ResetConsistency() {
	if c := p.consistencyState(); c != nil {
		c.reset()
	}
}

func (p *Proxy) consistencyState() *consistency {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cons
}

// setConsistencyClock replaces the clock (tests).
func (p *Proxy) setConsistencyClock(now func() time.Time) {
	if c := p.consistencyState(); c != nil {
		c.mu.Lock()
		c.now = now
		c.mu.Unlock()
	}
}

// ---------------------------------------------------------------------------
// State

type consistency struct {
	w Windows

	mu       sync.Mutex
	now      func() time.Time
	clusters map[string]time.Time      // cluster key -> CreateCluster answered
	services map[string]time.Time      // service key -> CreateService answered
	deleted  map[string]deletedService // service key -> DeleteService answered
	groups   map[string]time.Time      // security group id -> CreateSecurityGroup answered
	lbGroups map[string][]string       // load balancer ARN -> its security groups (learned)
	released map[string]releasedGroup  // security group id -> DeleteLoadBalancer answered
	roles    map[string]time.Time      // role ARN and role name -> CreateRole answered
	linked   map[string]time.Time      // "ecs" -> CreateServiceLinkedRole answered
	hits     []ConsistencyHit
}

type deletedService struct {
	at      time.Time
	service map[string]any // the DeleteService answer's service, to show while DRAINING
}

type releasedGroup struct {
	at time.Time
	lb string
}

func newConsistency(w Windows, now func() time.Time) *consistency {
	c := &consistency{w: w, now: now}
	c.reset()
	return c
}

func (c *consistency) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clusters = map[string]time.Time{}
	c.services = map[string]time.Time{}
	c.deleted = map[string]deletedService{}
	c.groups = map[string]time.Time{}
	c.lbGroups = map[string][]string{}
	c.released = map[string]releasedGroup{}
	c.roles = map[string]time.Time{}
	c.linked = map[string]time.Time{}
	c.hits = nil
}

// within reports whether key's event is younger than window, and its age;
// expired entries are dropped. Call with c.mu held.
func within(m map[string]time.Time, key string, window time.Duration, now time.Time) (time.Duration, bool) {
	at, ok := m[key]
	if !ok || window <= 0 {
		return 0, false
	}
	age := now.Sub(at)
	if age >= window {
		delete(m, key)
		return age, false
	}
	return age, true
}

// hit logs an answer. Call with c.mu held.
func (c *consistency) hit(ex *exchange, rule ConsistencyRule, resource, answer string, age time.Duration, now time.Time) {
	c.hits = append(c.hits, ConsistencyHit{
		Rule: rule, Service: ex.service, Operation: ex.op, Resource: resource, Answer: answer, Age: age, At: now,
	})
	ex.mu.Lock()
	if ex.rule == "" {
		ex.rule = rule
	}
	ex.mu.Unlock()
}

// ---------------------------------------------------------------------------
// Per-call exchange

type exchangeKey struct{}

// exchange is one call consistency mode looks at: its parsed request, and
// which rule (if any) shaped its answer.
type exchange struct {
	c                   *consistency
	region, service, op string
	body                map[string]any // JSON protocols (ECS)
	form                url.Values     // query protocols (EC2, ELBv2, IAM)

	mu   sync.Mutex
	rule ConsistencyRule
}

type consistencyAnswer struct {
	fault Fault
}

// watched lists the calls the mode reads, by signing name and operation.
var watched = map[string]map[string]bool{
	"ecs": {
		"CreateCluster": true, "DeleteCluster": true, "CreateService": true, "DeleteService": true,
		"DescribeServices": true, "RegisterTaskDefinition": true,
	},
	"ec2": {
		"CreateSecurityGroup": true, "DeleteSecurityGroup": true,
		"AuthorizeSecurityGroupIngress": true, "AuthorizeSecurityGroupEgress": true,
		"RevokeSecurityGroupIngress": true, "RevokeSecurityGroupEgress": true,
	},
	"elasticloadbalancing": {
		"CreateLoadBalancer": true, "DescribeLoadBalancers": true, "SetSecurityGroups": true, "DeleteLoadBalancer": true,
	},
	"iam": {"CreateRole": true, "CreateServiceLinkedRole": true},
}

// begin returns the exchange for a watched call (its body parsed), or nil.
func (c *consistency) begin(r *http.Request, service, op string) *exchange {
	if !watched[service][op] {
		return nil
	}
	ex := &exchange{c: c, region: signingRegion(r), service: service, op: op}
	body, err := peekBody(r)
	if err != nil {
		return nil
	}
	if r.Header.Get("X-Amz-Target") != "" {
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &ex.body); err != nil {
				return nil
			}
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil
		}
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
		ex.form = form
	}
	return ex
}

// answered returns the rule that shaped the answer, if any.
func (ex *exchange) answered() ConsistencyRule {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.rule
}

func (ex *exchange) str(key string) string {
	if ex.body != nil {
		s, _ := ex.body[key].(string)
		return s
	}
	return ex.form.Get(key)
}

// members returns the values of a query list parameter prefix.member.N (or
// prefix.N), in N order.
func (ex *exchange) members(prefix string) []string {
	type kv struct {
		n int
		v string
	}
	var got []kv
	for k, vs := range ex.form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		rest = strings.TrimPrefix(rest, "member.")
		if n, err := strconv.Atoi(rest); err == nil {
			got = append(got, kv{n, vs[0]})
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i].n < got[j].n })
	out := make([]string, len(got))
	for i, g := range got {
		out[i] = g.v
	}
	return out
}

func fault(code string, message string) *consistencyAnswer {
	return &consistencyAnswer{fault: Fault{Code: code, Status: http.StatusBadRequest, Message: message}}
}

// check decides, before forwarding, whether a rule answers the call with an
// error instead.
func (ex *exchange) check() *consistencyAnswer {
	c := ex.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()

	switch ex.service + ":" + ex.op {
	case "ecs:CreateService":
		cluster := clusterKey(ex.region, ex.str("cluster"))
		if a := ex.clusterNotFound(cluster, now); a != nil {
			return a
		}
		// ServiceDraining. AWS: "If you attempt to create a new service with
		// the same name as an existing service in either ACTIVE or DRAINING
		// status, you receive an error."
		// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html
		// The error is InvalidParameterException "Creation of service was
		// not idempotent." (what the AWS CLI and SDKs report).
		key := cluster + "/" + ex.str("serviceName")
		if d, ok := c.deleted[key]; ok && c.w.ServiceDraining > 0 {
			if age := now.Sub(d.at); age < c.w.ServiceDraining {
				c.hit(ex, RuleServiceDraining, key, "InvalidParameterException", age, now)
				return fault("InvalidParameterException", "Creation of service was not idempotent.")
			}
			delete(c.deleted, key)
		}
		// RoleNotAssumable, CreateService's role (the service role that
		// registers targets). The message is the one ECS gives while IAM
		// propagates; the AWS provider retries on its "verify that the ECS
		// service role being passed has the proper permissions" part
		// (internal/service/ecs/service.go, retryServiceCreate).
		if role := ex.str("role"); role != "" {
			if age, ok := c.recentRole(role, now); ok {
				c.hit(ex, RuleRoleNotAssumable, role, "InvalidParameterException", age, now)
				return fault("InvalidParameterException", "Unable to assume role and validate the specified targetGroupArn. "+
					"Please verify that the ECS service role being passed has the proper permissions.")
			}
		}
		return ex.linkedRoleNotAssumable(now)

	case "ecs:DescribeServices":
		return ex.clusterNotFound(clusterKey(ex.region, ex.str("cluster")), now)

	case "ecs:CreateCluster":
		return ex.linkedRoleNotAssumable(now)

	case "ecs:DeleteCluster":
		// ServiceDraining: DRAINING services still count against their
		// cluster (they are invisible to ListServices, so a caller cannot
		// list and delete them first).
		cluster := clusterKey(ex.region, ex.str("cluster"))
		for key, d := range c.deleted {
			if !strings.HasPrefix(key, cluster+"/") || c.w.ServiceDraining <= 0 {
				continue
			}
			if age := now.Sub(d.at); age < c.w.ServiceDraining {
				c.hit(ex, RuleServiceDraining, key, "ClusterContainsServicesException", age, now)
				return fault("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
			}
		}

	case "ecs:RegisterTaskDefinition":
		// RoleNotAssumable. IAM: "Any change that you make in IAM (or other
		// AWS services) takes time to become visible from all possible
		// endpoints." ("Changes that I make are not always immediately
		// visible", https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
		// ECS refuses a role it cannot validate with ClientException "Role
		// is not valid". (The AWS provider does not retry
		// RegisterTaskDefinition; this repository's handler does.)
		for _, field := range []string{"executionRoleArn", "taskRoleArn"} {
			role := ex.str(field)
			if role == "" {
				continue
			}
			if age, ok := c.recentRole(role, now); ok {
				c.hit(ex, RuleRoleNotAssumable, role, "ClientException", age, now)
				return fault("ClientException", "Role is not valid")
			}
		}

	case "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
		"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress":
		// SecurityGroupNotFound. EC2: "If you successfully run the
		// CreateSecurityGroup command and then immediately run another
		// command using the security group ID that was provided in the
		// response of CreateSecurityGroup, it might return an
		// InvalidGroup.NotFound error."
		// https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
		// Held back: the group the rule is on, and groups a rule references.
		ids := []string{ex.form.Get("GroupId")}
		for k, vs := range ex.form {
			if strings.HasPrefix(k, "IpPermissions.") && strings.HasSuffix(k, ".GroupId") && len(vs) > 0 {
				ids = append(ids, vs[0])
			}
		}
		for _, id := range ids {
			if id == "" {
				continue
			}
			if age, ok := within(c.groups, id, c.w.SecurityGroupNotFound, now); ok {
				c.hit(ex, RuleSecurityGroupNotFound, id, "InvalidGroup.NotFound", age, now)
				return fault("InvalidGroup.NotFound", fmt.Sprintf("The security group '%s' does not exist", id))
			}
		}

	case "ec2:DeleteSecurityGroup":
		// SecurityGroupInUse. EC2: "If you attempt to delete a security
		// group that is associated with an instance or network interface
		// [...] the operation fails with DependencyViolation."
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html
		// A load balancer's requester-managed ENIs are released
		// asynchronously after DeleteLoadBalancer succeeds, so its groups
		// stay associated for a while (the AWS provider retries
		// DependencyViolation on security group delete for this reason,
		// hashicorp/terraform-provider-aws#1671).
		id := ex.form.Get("GroupId")
		if g, ok := c.released[id]; ok && c.w.SecurityGroupInUse > 0 {
			if age := now.Sub(g.at); age < c.w.SecurityGroupInUse {
				c.hit(ex, RuleSecurityGroupInUse, id, "DependencyViolation", age, now)
				return fault("DependencyViolation", fmt.Sprintf("resource %s has a dependent object", id))
			}
			delete(c.released, id)
		}
	}
	return nil
}

// clusterNotFound is ClusterNotFound. ECS: "The Amazon ECS API follows an
// eventual consistency model. [...] the result of an API command you run
// that affects your Amazon ECS resources might not be immediately visible to
// all subsequent commands you run."
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
// (the same text is in CreateService's). A cluster ECS cannot see yet
// answers ClusterNotFoundException "Cluster not found."; the AWS provider
// retries it on CreateService (internal/service/ecs/service.go,
// retryServiceCreate). Call with c.mu held.
func (ex *exchange) clusterNotFound(cluster string, now time.Time) *consistencyAnswer {
	c := ex.c
	if age, ok := within(c.clusters, cluster, c.w.ClusterNotFound, now); ok {
		c.hit(ex, RuleClusterNotFound, cluster, "ClusterNotFoundException", age, now)
		return fault("ClusterNotFoundException", "Cluster not found.")
	}
	return nil
}

// linkedRoleNotAssumable is RoleNotAssumable for ECS's service-linked role
// (created on first ECS use in an account): CreateCluster and CreateService
// answer InvalidParameterException "Unable to assume the service linked
// role. Please verify that the ECS service linked role exists." until it
// propagates; the AWS provider retries that message on CreateCluster and
// CreateService. Call with c.mu held.
func (ex *exchange) linkedRoleNotAssumable(now time.Time) *consistencyAnswer {
	c := ex.c
	if age, ok := within(c.linked, "ecs", c.w.RoleNotAssumable, now); ok {
		c.hit(ex, RuleRoleNotAssumable, "AWSServiceRoleForECS", "InvalidParameterException", age, now)
		return fault("InvalidParameterException", "Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
	}
	return nil
}

// recentRole reports whether role (an ARN, or a role name) was created within
// the RoleNotAssumable window. Call with c.mu held.
func (c *consistency) recentRole(role string, now time.Time) (time.Duration, bool) {
	return within(c.roles, role, c.w.RoleNotAssumable, now)
}

// ---------------------------------------------------------------------------
// Responses

// modifyResponse lets consistency mode watch (and for DescribeServices,
// rewrite) a successful upstream answer.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	if resp.Request == nil {
		return nil
	}
	ex, _ := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	body := raw
	gzipped := strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip")
	if gzipped {
		if body, err = gunzip(raw); err != nil {
			body = nil
		}
	}
	if out, changed := ex.observe(body); changed {
		resp.Header.Del("Content-Encoding")
		raw = out
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	resp.TransferEncoding = nil
	resp.ContentLength = int64(len(raw))
	resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	return nil
}

// observe records what a successful answer created or deleted, and returns
// a rewritten body when a rule changes it.
func (ex *exchange) observe(body []byte) ([]byte, bool) {
	c := ex.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()

	switch ex.service + ":" + ex.op {
	case "ecs:CreateCluster":
		var out struct {
			Cluster struct {
				ClusterArn, ClusterName string
			} `json:"cluster"`
		}
		if json.Unmarshal(body, &out) == nil && c.w.ClusterNotFound > 0 {
			name := firstNonEmptyStr(out.Cluster.ClusterName, ex.str("clusterName"))
			c.clusters[clusterKey(ex.region, name)] = now
		}

	case "ecs:DeleteCluster":
		delete(c.clusters, clusterKey(ex.region, ex.str("cluster")))

	case "ecs:CreateService":
		var out struct {
			Service map[string]any `json:"service"`
		}
		if json.Unmarshal(body, &out) == nil && out.Service != nil {
			key := serviceKey(ex.region, out.Service, clusterKey(ex.region, ex.str("cluster")))
			delete(c.deleted, key)
			if c.w.ServiceMissing > 0 {
				c.services[key] = now
			}
		}

	case "ecs:DeleteService":
		var out struct {
			Service map[string]any `json:"service"`
		}
		if json.Unmarshal(body, &out) == nil && out.Service != nil {
			key := serviceKey(ex.region, out.Service, clusterKey(ex.region, ex.str("cluster")))
			delete(c.services, key)
			if c.w.ServiceDraining > 0 {
				c.deleted[key] = deletedService{at: now, service: out.Service}
			}
		}

	case "ecs:DescribeServices":
		return ex.rewriteDescribeServices(body, now)

	case "ec2:CreateSecurityGroup":
		var out struct {
			GroupID string `xml:"groupId"`
		}
		if xml.Unmarshal(body, &out) == nil && out.GroupID != "" && c.w.SecurityGroupNotFound > 0 {
			c.groups[out.GroupID] = now
		}

	case "ec2:DeleteSecurityGroup":
		id := ex.form.Get("GroupId")
		delete(c.groups, id)
		delete(c.released, id)

	case "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers":
		var out struct {
			Created   []elbLoadBalancer `xml:"CreateLoadBalancerResult>LoadBalancers>member"`
			Described []elbLoadBalancer `xml:"DescribeLoadBalancersResult>LoadBalancers>member"`
		}
		if xml.Unmarshal(body, &out) != nil {
			break
		}
		for _, lb := range append(out.Created, out.Described...) {
			groups := lb.SecurityGroups
			if ex.op == "CreateLoadBalancer" {
				groups = union(groups, ex.members("SecurityGroups"))
			}
			if lb.ARN != "" {
				c.lbGroups[lb.ARN] = groups
			}
		}

	case "elasticloadbalancing:SetSecurityGroups":
		if arn := ex.form.Get("LoadBalancerArn"); arn != "" {
			c.lbGroups[arn] = ex.members("SecurityGroups")
		}

	case "elasticloadbalancing:DeleteLoadBalancer":
		arn := ex.form.Get("LoadBalancerArn")
		if c.w.SecurityGroupInUse > 0 {
			for _, id := range c.lbGroups[arn] {
				c.released[id] = releasedGroup{at: now, lb: arn}
			}
		}
		delete(c.lbGroups, arn)

	case "iam:CreateRole", "iam:CreateServiceLinkedRole":
		var out struct {
			Created struct {
				Arn, RoleName string
			} `xml:"CreateRoleResult>Role"`
			Linked struct {
				Arn, RoleName string
			} `xml:"CreateServiceLinkedRoleResult>Role"`
		}
		if xml.Unmarshal(body, &out) != nil || c.w.RoleNotAssumable <= 0 {
			break
		}
		for _, r := range []struct{ Arn, RoleName string }{out.Created, out.Linked} {
			if r.Arn != "" {
				c.roles[r.Arn] = now
			}
			if r.RoleName != "" {
				c.roles[r.RoleName] = now
			}
		}
		if ex.op == "CreateServiceLinkedRole" && ex.form.Get("AWSServiceName") == "ecs.amazonaws.com" {
			c.linked["ecs"] = now
		}
	}
	return nil, false
}

type elbLoadBalancer struct {
	ARN            string   `xml:"LoadBalancerArn"`
	SecurityGroups []string `xml:"SecurityGroups>member"`
}

// rewriteDescribeServices applies ServiceMissing and ServiceDraining to a
// DescribeServices answer. Call with c.mu held.
//
// ServiceMissing. ECS: "The Amazon ECS API follows an eventual consistency
// model. [...] if you run a command to modify or describe the resource that
// you just created, its ID might not have propagated throughout the system"
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html,
// API_RunTask.html). DescribeServices reports a service it cannot see under
// failures with reason MISSING, not as an error.
//
// ServiceDraining. ECS: "When you delete a service, if there are still
// running tasks that require cleanup, the service status moves from ACTIVE
// to DRAINING [...] After all tasks have transitioned to either STOPPING or
// STOPPED status, the service status moves from DRAINING to INACTIVE.
// Services in the DRAINING or INACTIVE status can still be viewed with the
// DescribeServices API operation."
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html
// moto has no DRAINING stage (INACTIVE at once): within the window the
// service reads DRAINING, and an emulator that forgot it (MISSING) gets back
// the service DeleteService returned, DRAINING.
func (ex *exchange) rewriteDescribeServices(body []byte, now time.Time) ([]byte, bool) {
	c := ex.c
	if len(c.services) == 0 && len(c.deleted) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	cluster := clusterKey(ex.region, ex.str("cluster"))
	services, _ := doc["services"].([]any)
	failures, _ := doc["failures"].([]any)
	var keptServices, keptFailures []any
	changed := false

	for _, raw := range services {
		svc, ok := raw.(map[string]any)
		if !ok {
			keptServices = append(keptServices, raw)
			continue
		}
		key := serviceKey(ex.region, svc, cluster)
		arn, _ := svc["serviceArn"].(string)
		if age, ok := within(c.services, key, c.w.ServiceMissing, now); ok {
			keptFailures = append(keptFailures, map[string]any{"arn": firstNonEmptyStr(arn, key), "reason": "MISSING"})
			c.hit(ex, RuleServiceMissing, firstNonEmptyStr(arn, key), "MISSING", age, now)
			changed = true
			continue
		}
		if d, ok := c.deleted[key]; ok && c.w.ServiceDraining > 0 {
			if age := now.Sub(d.at); age < c.w.ServiceDraining {
				svc["status"] = "DRAINING"
				c.hit(ex, RuleServiceDraining, firstNonEmptyStr(arn, key), "DRAINING", age, now)
				changed = true
			} else {
				delete(c.deleted, key)
			}
		}
		keptServices = append(keptServices, svc)
	}

	for _, raw := range failures {
		f, ok := raw.(map[string]any)
		if !ok {
			keptFailures = append(keptFailures, raw)
			continue
		}
		arn, _ := f["arn"].(string)
		reason, _ := f["reason"].(string)
		key := cluster + "/" + lastSegment(arn)
		if d, ok := c.deleted[key]; ok && reason == "MISSING" && c.w.ServiceDraining > 0 && d.service != nil {
			if age := now.Sub(d.at); age < c.w.ServiceDraining {
				svc := make(map[string]any, len(d.service))
				for k, v := range d.service {
					svc[k] = v
				}
				svc["status"] = "DRAINING"
				keptServices = append(keptServices, svc)
				svcARN, _ := svc["serviceArn"].(string)
				c.hit(ex, RuleServiceDraining, firstNonEmptyStr(svcARN, key), "DRAINING", age, now)
				changed = true
				continue
			}
		}
		keptFailures = append(keptFailures, f)
	}

	if !changed {
		return nil, false
	}
	if keptServices == nil {
		keptServices = []any{}
	}
	if keptFailures == nil {
		keptFailures = []any{}
	}
	doc["services"] = keptServices
	doc["failures"] = keptFailures
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return out, true
}

// ---------------------------------------------------------------------------
// Keys

// clusterKey is "region/name" for a cluster given by name or ARN ("default"
// when empty, as ECS assumes).
func clusterKey(region, cluster string) string {
	if cluster == "" {
		cluster = "default"
	}
	if strings.HasPrefix(cluster, "arn:") {
		if i := strings.Index(cluster, ":cluster/"); i >= 0 {
			cluster = cluster[i+len(":cluster/"):]
		}
	}
	return region + "/" + cluster
}

// serviceKey is "region/cluster/name" for a service object of an ECS answer;
// the cluster comes from its clusterArn, else from a long-format serviceArn
// (service/cluster/name), else fallbackCluster.
func serviceKey(region string, svc map[string]any, fallbackCluster string) string {
	arn, _ := svc["serviceArn"].(string)
	name, _ := svc["serviceName"].(string)
	if name == "" {
		name = lastSegment(arn)
	}
	cluster := fallbackCluster
	if ca, _ := svc["clusterArn"].(string); ca != "" {
		cluster = clusterKey(region, ca)
	} else if i := strings.Index(arn, ":service/"); i >= 0 {
		if parts := strings.Split(arn[i+len(":service/"):], "/"); len(parts) == 2 {
			cluster = clusterKey(region, parts[0])
		}
	}
	return cluster + "/" + name
}

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func firstNonEmptyStr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range append(append([]string(nil), a...), b...) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
