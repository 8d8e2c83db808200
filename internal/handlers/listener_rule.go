package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeRuleNotFound  = "RuleNotFound"
	errCodePriorityInUse = "PriorityInUse"

	// Listener rule priorities range over 1..50000.
	minRulePriority = 1
	maxRulePriority = 50000

	// priorityAllocationRetries bounds how often Create re-allocates a priority
	// after PriorityInUse (another writer took the one it picked).
	priorityAllocationRetries = 5

	ruleFieldPathPattern = "path-pattern"
	ruleFieldHostHeader  = "host-header"
)

// ListenerRuleAPI is the part of *elasticloadbalancingv2.Client the listener
// rule handler uses.
type ListenerRuleAPI interface {
	DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	DescribeRules(ctx context.Context, in *elbv2.DescribeRulesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeRulesOutput, error)
	CreateRule(ctx context.Context, in *elbv2.CreateRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateRuleOutput, error)
	ModifyRule(ctx context.Context, in *elbv2.ModifyRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyRuleOutput, error)
	SetRulePriorities(ctx context.Context, in *elbv2.SetRulePrioritiesInput, optFns ...func(*elbv2.Options)) (*elbv2.SetRulePrioritiesOutput, error)
	DeleteRule(ctx context.Context, in *elbv2.DeleteRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteRuleOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	AddTags(ctx context.Context, in *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, in *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
}

var _ ListenerRuleAPI = (*elbv2.Client)(nil)

// ListenerRuleHandler manages composite.KindListenerRule children. It is safe
// for concurrent use: priority allocation on one listener is serialized within
// the process, and PriorityInUse from other writers is retried.
type ListenerRuleHandler struct {
	api   ListenerRuleAPI
	locks sync.Map // listener ARN -> *sync.Mutex
}

var (
	_ engine.Handler = (*ListenerRuleHandler)(nil)
	_ engine.Finder  = (*ListenerRuleHandler)(nil)
)

// NewListenerRuleHandler returns a handler for ELBv2 listener rules.
func NewListenerRuleHandler(api ListenerRuleAPI) *ListenerRuleHandler {
	return &ListenerRuleHandler{api: api}
}

// Create creates a forward rule. With an explicit Priority: one CreateRule.
// With Priority 0 the lowest free priority >= PriorityHint is allocated
// (DescribeRules pages, then CreateRule), and on PriorityInUse the listener is
// described again and the create retried, at most priorityAllocationRetries
// times. "Target group ... does not have an associated load balancer" is
// retried for up to TargetGroupAssocTimeout.
//
// A rule on the listener that carries this child's ownership tags was made
// for this child by an earlier Create whose response was lost (a killed run,
// or the SDK's retry of a CreateRule that AWS had carried out, which then
// meets PriorityInUse): it is adopted and converged with Update instead of
// a second rule being created. Create looks for one before allocating a
// priority (from the same DescribeRules listing: one DescribeTags per 20
// rules on the listener, none when it has no other rule or the child no
// owner tag) and, with an explicit priority, when CreateRule answers
// PriorityInUse. A rule of another owner holding an explicit priority is
// never adopted: the PriorityInUse error is returned.
func (h *ListenerRuleHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ListenerRuleProps](c)
	if err != nil {
		return nil, err
	}
	in := &elbv2.CreateRuleInput{
		ListenerArn: aws.String(p.ListenerARN),
		Conditions:  ruleConditions(p),
		Actions:     forwardActions(p.TargetGroupARN),
		Tags:        elbv2Tags(p.Tags),
	}
	if p.Priority != 0 {
		in.Priority = aws.Int32(p.Priority)
		rule, err := h.createRule(ctx, in)
		if ErrorCode(err) == errCodePriorityInUse {
			rules, lerr := h.listRules(ctx, p.ListenerARN)
			if lerr != nil {
				return nil, fmt.Errorf("creating listener rule (priority %d) on %s: %w (%v)", p.Priority, p.ListenerARN, err, lerr)
			}
			owned, oerr := h.ownedRule(ctx, c, p, rules)
			if oerr != nil {
				return nil, fmt.Errorf("creating listener rule (priority %d) on %s: %w (%v)", p.Priority, p.ListenerARN, err, oerr)
			}
			if owned != nil {
				return h.adopt(ctx, c, p, owned)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("creating listener rule (priority %d) on %s: %w", p.Priority, p.ListenerARN, err)
		}
		return ruleOutputs(&rule, c.Name), nil
	}

	unlock := h.lock(p.ListenerARN)
	defer unlock()
	for retry := 0; ; retry++ {
		rules, err := h.listRules(ctx, p.ListenerARN)
		if err != nil {
			return nil, fmt.Errorf("creating listener rule on %s: listing rules to allocate a priority: %w", p.ListenerARN, err)
		}
		owned, err := h.ownedRule(ctx, c, p, rules)
		if err != nil {
			return nil, fmt.Errorf("creating listener rule on %s: %w", p.ListenerARN, err)
		}
		if owned != nil {
			return h.adopt(ctx, c, p, owned)
		}
		prio, err := lowestFreePriority(usedPriorities(rules), p.PriorityHint)
		if err != nil {
			return nil, fmt.Errorf("creating listener rule on %s: %w", p.ListenerARN, err)
		}
		in.Priority = aws.Int32(prio)
		rule, err := h.createRule(ctx, in)
		if err == nil {
			return ruleOutputs(&rule, c.Name), nil
		}
		if ErrorCode(err) == errCodePriorityInUse && retry < priorityAllocationRetries {
			continue // the next round adopts the rule if it was our own
		}
		return nil, fmt.Errorf("creating listener rule (allocated priority %d) on %s: %w", prio, p.ListenerARN, err)
	}
}

// ownedRule returns the rule among rules (a listener's, as DescribeRules
// lists them) whose ownership tags name the child's owner and key, or nil.
// A child without an owner tag owns none (no call). Calls: DescribeTags per
// elbv2TagsPerCall non-default rules.
func (h *ListenerRuleHandler) ownedRule(ctx context.Context, c composite.Child, p *composite.ListenerRuleProps, rules []elbv2types.Rule) (*elbv2types.Rule, error) {
	owner := p.Tags[composite.TagOwner]
	if owner == "" {
		return nil, nil
	}
	var candidates []elbv2types.Rule
	for _, r := range rules {
		if !aws.ToBool(r.IsDefault) {
			candidates = append(candidates, r)
		}
	}
	for start := 0; start < len(candidates); start += elbv2TagsPerCall {
		chunk := candidates[start:min(start+elbv2TagsPerCall, len(candidates))]
		arns := make([]string, 0, len(chunk))
		for _, r := range chunk {
			arns = append(arns, aws.ToString(r.RuleArn))
		}
		tags, err := elbv2TagsOfMany(ctx, h.api, arns)
		if err != nil {
			return nil, fmt.Errorf("looking for this resource's own rule: %w", err)
		}
		for i := range chunk {
			if ownershipMismatch(tags[arns[i]], owner, c.Key) == "" {
				return &chunk[i], nil
			}
		}
	}
	return nil, nil
}

// adopt takes over the child's own rule (ownedRule's) and converges it with
// Update: conditions, action, an explicit priority and tags; an allocated
// priority is the rule's.
func (h *ListenerRuleHandler) adopt(ctx context.Context, c composite.Child, p *composite.ListenerRuleProps, rule *elbv2types.Rule) (map[string]string, error) {
	ruleARN := aws.ToString(rule.RuleArn)
	out, err := h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: c.Name, ARN: ruleARN,
		PriorityExplicit: composite.Ptr(p.Priority != 0)})
	if err != nil {
		return out, fmt.Errorf("adopting this resource's listener rule %s on %s: %w", ruleARN, p.ListenerARN, err)
	}
	return out, nil
}

// Observe reads the rule (one DescribeRules call; with full also
// DescribeTags) and maps it with listenerRuleProps. Whether the priority is
// configured or was allocated is the record's (rec.PriorityExplicit): an
// explicit priority is observed, an allocated one reads as 0 (it is
// whatever the rule has; the live one is the priority output). A refresh
// of a record that does not know (nil) reports no props, so the rule has
// no fingerprint until its next Create or Update; with full (an import)
// the props come with priority 0.
func (h *ListenerRuleHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	rule, err := h.read(ctx, rec.ARN)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	obs := composite.Observed{Outputs: ruleOutputs(rule, rec.Name), Full: full}
	if rec.PriorityExplicit == nil && !full {
		return obs, true, nil
	}
	var tags map[string]string
	if full {
		if tags, err = elbv2TagsOf(ctx, h.api, rec.ARN); err != nil {
			return composite.Observed{}, false, err
		}
		tags = userTags(tags)
	}
	obs.Props = listenerRuleProps(rule, rec.PriorityExplicit != nil && *rec.PriorityExplicit, tags)
	return obs, true, nil
}

// ScopePriorityHint is the Lookup scope key of a listener rule's
// PriorityHint (decimal). With it Find decides whether the rule's priority
// was allocated (it is the one allocation picks from the hint among the
// listener's other rules) or configured, and records that in
// PriorityExplicit; without it PriorityExplicit stays nil (unknown).
const ScopePriorityHint = composite.LookupPriorityHint

// Find looks the rule up by its ARN (q.ID), else as the rule that forwards
// to the target group q.Scope[LookupTargetGroupARN] and carries q's
// ownership tags, on the listener q.Scope[LookupListenerARN] or else on
// every listener of the target group's load balancers, and observes it in
// full. Calls: [DescribeTargetGroups, DescribeListeners pages per load
// balancer], DescribeRules pages per listener, DescribeTags per 20
// candidates, then Observe's.
func (h *ListenerRuleHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	rec := composite.Recorded{Key: q.Key, Kind: composite.KindListenerRule, ARN: q.ID}
	if rec.ARN == "" {
		rule, others, found, err := h.findForwarding(ctx, q)
		if err != nil || !found {
			return composite.Recorded{}, composite.Observed{}, found, err
		}
		rec.ARN = aws.ToString(rule.RuleArn)
		if hint, err := strconv.Atoi(q.Scope[ScopePriorityHint]); err == nil {
			if prio, err := strconv.Atoi(aws.ToString(rule.Priority)); err == nil {
				allocated, aerr := lowestFreePriority(others, int32(hint))
				rec.PriorityExplicit = composite.Ptr(aerr != nil || int32(prio) != allocated)
			}
		}
	}
	rec.Name = firstNonEmpty(q.Name, listenerRuleName(q.Owner, rec.ARN))
	obs, found, err := h.Observe(ctx, rec, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.ListenerRuleProps)
	if err := lookupOwned(q, "listener rule "+rec.ARN, p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	out := lookupRecord(q, composite.KindListenerRule, rec.Name, obs)
	out.PriorityExplicit = rec.PriorityExplicit
	return out, obs, true, nil
}

// findForwarding finds the rule Find looks for by its target group, and the
// numeric priorities of the other rules on its listener.
func (h *ListenerRuleHandler) findForwarding(ctx context.Context, q composite.Lookup) (*elbv2types.Rule, map[int32]bool, bool, error) {
	tgARN := q.Scope[composite.LookupTargetGroupARN]
	if tgARN == "" {
		return nil, nil, false, fmt.Errorf("looking up %s: no rule ARN or target group", q.Key)
	}
	listeners := []string{}
	if l := q.Scope[composite.LookupListenerARN]; l != "" {
		listeners = append(listeners, l)
	} else {
		out, err := h.api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARN}})
		if IsNotFound(err, errCodeTargetGroupNotFound) {
			return nil, nil, false, nil
		}
		if err != nil {
			return nil, nil, false, fmt.Errorf("describing target group %s: %w", tgARN, err)
		}
		var lbs []string
		for _, tg := range out.TargetGroups {
			if aws.ToString(tg.TargetGroupArn) == tgARN {
				lbs = append(lbs, tg.LoadBalancerArns...)
			}
		}
		for _, lbARN := range normalizedSet(lbs) {
			pages := elbv2.NewDescribeListenersPaginator(h.api, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return nil, nil, false, fmt.Errorf("listing listeners of load balancer %s: %w", lbARN, err)
				}
				for _, l := range page.Listeners {
					listeners = append(listeners, aws.ToString(l.ListenerArn))
				}
			}
		}
	}
	type candidate struct {
		rule   elbv2types.Rule
		others map[int32]bool
	}
	var candidates []candidate
	for _, listenerARN := range listeners {
		var rules []elbv2types.Rule
		pages := elbv2.NewDescribeRulesPaginator(h.api, &elbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if IsNotFound(err, errCodeListenerNotFound) {
				break
			}
			if err != nil {
				return nil, nil, false, fmt.Errorf("listing rules of listener %s: %w", listenerARN, err)
			}
			rules = append(rules, page.Rules...)
		}
		for _, rule := range rules {
			if aws.ToBool(rule.IsDefault) || !contains(forwardTargetsOf(rule), tgARN) {
				continue
			}
			others := map[int32]bool{}
			for _, o := range rules {
				if n, err := strconv.Atoi(aws.ToString(o.Priority)); err == nil && aws.ToString(o.RuleArn) != aws.ToString(rule.RuleArn) {
					others[int32(n)] = true
				}
			}
			candidates = append(candidates, candidate{rule: rule, others: others})
		}
	}
	for start := 0; start < len(candidates); start += elbv2TagsPerCall {
		chunk := candidates[start:min(start+elbv2TagsPerCall, len(candidates))]
		arns := make([]string, 0, len(chunk))
		for _, c := range chunk {
			arns = append(arns, aws.ToString(c.rule.RuleArn))
		}
		tags, err := elbv2TagsOfMany(ctx, h.api, arns)
		if err != nil {
			return nil, nil, false, err
		}
		for i := range chunk {
			if ownsLookup(q, tags[arns[i]]) {
				return &chunk[i].rule, chunk[i].others, true, nil
			}
		}
	}
	return nil, nil, false, nil
}

// listenerRuleName is the display name of a found rule: the composite's
// naming rule from the service name of the owner ("<cluster>/<name>") and
// the rule's listener, else the rule id.
func listenerRuleName(owner, ruleARN string) string {
	if _, name, ok := strings.Cut(owner, "/"); ok && name != "" {
		return composite.ListenerRuleName(name, composite.ListenerARNOfRule(ruleARN))
	}
	return lastSegment(ruleARN)
}

// listenerRuleProps maps a rule as DescribeRules returns it (and its user
// tags, nil when not read). The priority is observed when explicit, else 0.
// The props hold what the composite manages: path-pattern and host-header
// conditions, one forward action to one target group. A rule with another
// action (or a forward to several target groups, or a condition on another
// field) reads back with an empty TargetGroupARN: it is not a rule the
// composite makes, so it never matches a desired one.
func listenerRuleProps(rule *elbv2types.Rule, explicit bool, tags map[string]string) *composite.ListenerRuleProps {
	ruleARN := aws.ToString(rule.RuleArn)
	p := &composite.ListenerRuleProps{ListenerARN: composite.ListenerARNOfRule(ruleARN), Tags: tags}
	if explicit {
		n, _ := strconv.Atoi(aws.ToString(rule.Priority))
		p.Priority = int32(n)
	}
	managed := true
	var paths, hosts []string
	for _, c := range rule.Conditions {
		switch aws.ToString(c.Field) {
		case ruleFieldPathPattern:
			paths = append(paths, c.Values...)
			if c.PathPatternConfig != nil {
				paths = append(paths, c.PathPatternConfig.Values...)
			}
		case ruleFieldHostHeader:
			hosts = append(hosts, c.Values...)
			if c.HostHeaderConfig != nil {
				hosts = append(hosts, c.HostHeaderConfig.Values...)
			}
		default:
			managed = false
		}
	}
	if len(paths) > 0 {
		p.PathPatterns = normalizedSet(paths)
	}
	if len(hosts) > 0 {
		p.HostHeaders = normalizedSet(hosts)
	}
	if targets := forwardTargetsOf(*rule); managed && len(rule.Actions) == 1 && len(targets) == 1 {
		p.TargetGroupARN = targets[0]
	}
	return p
}

// Update converges conditions and action (ModifyRule, only if different), an
// explicit priority (SetRulePriorities, only if it differs from the current
// one; an allocated priority is kept) and tags. Calls: DescribeRules,
// [ModifyRule], [SetRulePriorities], DescribeTags, [RemoveTags], [AddTags].
func (h *ListenerRuleHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.ListenerRuleProps](c)
	if err != nil {
		return nil, err
	}
	rule, err := h.read(ctx, prev.ARN)
	if err != nil {
		return nil, fmt.Errorf("updating listener rule: %w", err)
	}
	ruleARN := aws.ToString(rule.RuleArn)
	outputs := ruleOutputs(rule, firstNonEmpty(c.Name, prev.Name))

	if !ruleMatches(rule, p) {
		if _, err := h.api.ModifyRule(ctx, &elbv2.ModifyRuleInput{
			RuleArn:    aws.String(ruleARN),
			Conditions: ruleConditions(p),
			Actions:    forwardActions(p.TargetGroupARN),
		}); err != nil {
			return outputs, fmt.Errorf("modifying listener rule %s: %w", ruleARN, err)
		}
	}

	if p.Priority != 0 && strconv.Itoa(int(p.Priority)) != aws.ToString(rule.Priority) {
		if _, err := h.api.SetRulePriorities(ctx, &elbv2.SetRulePrioritiesInput{
			RulePriorities: []elbv2types.RulePriorityPair{{RuleArn: aws.String(ruleARN), Priority: aws.Int32(p.Priority)}},
		}); err != nil {
			return outputs, fmt.Errorf("setting priority %d of listener rule %s: %w", p.Priority, ruleARN, err)
		}
		outputs[composite.AttrPriority] = strconv.Itoa(int(p.Priority))
	}

	if err := syncELBv2Tags(ctx, h.api, ruleARN, p.Tags); err != nil {
		return outputs, fmt.Errorf("updating listener rule %s: %w", ruleARN, err)
	}
	return outputs, nil
}

// Delete deletes the rule; a rule that is already gone is not an error.
func (h *ListenerRuleHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if rec.ARN == "" {
		return nil
	}
	_, err := h.api.DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: aws.String(rec.ARN)})
	if err != nil && !IsNotFound(err, errCodeRuleNotFound) {
		return fmt.Errorf("deleting listener rule %s: %w", rec.ARN, err)
	}
	return nil
}

// read returns the rule, or an error IsNotFound accepts.
func (h *ListenerRuleHandler) read(ctx context.Context, ruleARN string) (*elbv2types.Rule, error) {
	if ruleARN == "" {
		return nil, fmt.Errorf("listener rule without ARN: %w", ErrNotFound)
	}
	out, err := h.api.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{ruleARN}})
	if IsNotFound(err, errCodeRuleNotFound, "ListenerNotFound", "LoadBalancerNotFound") {
		return nil, fmt.Errorf("listener rule %s: %w: %s", ruleARN, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("reading listener rule %s: %w", ruleARN, err)
	}
	for i := range out.Rules {
		if aws.ToString(out.Rules[i].RuleArn) == ruleARN {
			return &out.Rules[i], nil
		}
	}
	return nil, fmt.Errorf("listener rule %s: %w", ruleARN, ErrNotFound)
}

// createRule calls CreateRule, retrying while the target group is not yet
// associated with the listener's load balancer.
func (h *ListenerRuleHandler) createRule(ctx context.Context, in *elbv2.CreateRuleInput) (elbv2types.Rule, error) {
	var rule elbv2types.Rule
	err := RetryOn(ctx, TargetGroupAssocTimeout, isTargetGroupNotAssociated, func(ctx context.Context) error {
		out, err := h.api.CreateRule(ctx, in)
		if err != nil {
			return err
		}
		if len(out.Rules) == 0 {
			return fmt.Errorf("empty CreateRule response")
		}
		rule = out.Rules[0]
		return nil
	})
	return rule, err
}

// listRules returns every rule of the listener (DescribeRules pages).
func (h *ListenerRuleHandler) listRules(ctx context.Context, listenerARN string) ([]elbv2types.Rule, error) {
	var rules []elbv2types.Rule
	pages := elbv2.NewDescribeRulesPaginator(h.api, &elbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		rules = append(rules, page.Rules...)
	}
	return rules, nil
}

// usedPriorities returns the numeric priorities of rules ("default" is
// skipped).
func usedPriorities(rules []elbv2types.Rule) map[int32]bool {
	used := map[int32]bool{}
	for _, r := range rules {
		if n, err := strconv.Atoi(aws.ToString(r.Priority)); err == nil {
			used[int32(n)] = true
		}
	}
	return used
}

// lowestFreePriority picks the lowest priority >= hint not in used, wrapping
// around to minRulePriority.
func lowestFreePriority(used map[int32]bool, hint int32) (int32, error) {
	if hint < minRulePriority || hint > maxRulePriority {
		hint = minRulePriority
	}
	for p := hint; p <= maxRulePriority; p++ {
		if !used[p] {
			return p, nil
		}
	}
	for p := int32(minRulePriority); p < hint; p++ {
		if !used[p] {
			return p, nil
		}
	}
	return 0, fmt.Errorf("no free listener rule priority (all %d are in use)", maxRulePriority)
}

// lock serializes priority allocation on one listener within this process.
func (h *ListenerRuleHandler) lock(listenerARN string) func() {
	m, _ := h.locks.LoadOrStore(listenerARN, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// ruleConditions returns the path-pattern and host-header conditions.
func ruleConditions(p *composite.ListenerRuleProps) []elbv2types.RuleCondition {
	conds := []elbv2types.RuleCondition{}
	if v := normalizedSet(p.HostHeaders); len(v) > 0 {
		conds = append(conds, elbv2types.RuleCondition{
			Field:            aws.String(ruleFieldHostHeader),
			HostHeaderConfig: &elbv2types.HostHeaderConditionConfig{Values: v},
		})
	}
	if v := normalizedSet(p.PathPatterns); len(v) > 0 {
		conds = append(conds, elbv2types.RuleCondition{
			Field:             aws.String(ruleFieldPathPattern),
			PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: v},
		})
	}
	return conds
}

// forwardActions returns the single forward action to the target group.
func forwardActions(targetGroupARN string) []elbv2types.Action {
	return []elbv2types.Action{{
		Type:           elbv2types.ActionTypeEnumForward,
		TargetGroupArn: aws.String(targetGroupARN),
		Order:          aws.Int32(1),
	}}
}

// ruleMatches reports whether the rule already has exactly the desired
// conditions and a single forward action to the desired target group.
func ruleMatches(rule *elbv2types.Rule, p *composite.ListenerRuleProps) bool {
	var paths, hosts []string
	for _, c := range rule.Conditions {
		switch aws.ToString(c.Field) {
		case ruleFieldPathPattern:
			paths = append(paths, c.Values...)
			if c.PathPatternConfig != nil {
				paths = append(paths, c.PathPatternConfig.Values...)
			}
		case ruleFieldHostHeader:
			hosts = append(hosts, c.Values...)
			if c.HostHeaderConfig != nil {
				hosts = append(hosts, c.HostHeaderConfig.Values...)
			}
		default:
			return false // a condition this composite does not manage
		}
	}
	if !sameSet(paths, p.PathPatterns) || !sameSet(hosts, p.HostHeaders) {
		return false
	}
	if len(rule.Actions) != 1 || rule.Actions[0].Type != elbv2types.ActionTypeEnumForward {
		return false
	}
	return sameSet(forwardTargets(rule.Actions[0]), []string{p.TargetGroupARN})
}

// forwardTargetsOf returns the distinct target groups the rule's forward
// actions send to, sorted.
func forwardTargetsOf(rule elbv2types.Rule) []string {
	var arns []string
	for _, a := range rule.Actions {
		if a.Type == elbv2types.ActionTypeEnumForward {
			arns = append(arns, forwardTargets(a)...)
		}
	}
	return normalizedSet(arns)
}

// forwardTargets returns the target groups a forward action sends to.
func forwardTargets(a elbv2types.Action) []string {
	var arns []string
	if v := aws.ToString(a.TargetGroupArn); v != "" {
		arns = append(arns, v)
	}
	if a.ForwardConfig != nil {
		for _, tg := range a.ForwardConfig.TargetGroups {
			arns = append(arns, aws.ToString(tg.TargetGroupArn))
		}
	}
	return arns
}

func ruleOutputs(rule *elbv2types.Rule, name string) map[string]string {
	ruleARN := aws.ToString(rule.RuleArn)
	return map[string]string{
		composite.AttrARN:      ruleARN,
		composite.AttrName:     firstNonEmpty(name, lastSegment(ruleARN)),
		composite.AttrPriority: aws.ToString(rule.Priority),
	}
}

// isTargetGroupNotAssociated matches the eventual-consistency error of a rule
// or service created right after its target group or listener.
func isTargetGroupNotAssociated(err error) bool {
	return errorMessageContains(err, []string{"ValidationError", "InvalidConfigurationRequest"}, "does not have an associated load balancer")
}
