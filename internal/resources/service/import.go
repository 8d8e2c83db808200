package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"
	awspolicy "github.com/hashicorp/awspolicyequivalence"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/sync/errgroup"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
	"github.com/containerapp/terraform-provider-containerapp/internal/resources/adapter"
)

// Import: `terraform import containerapp_service.web <cluster>/<name>` sets
// id, cluster and name; Read then finds no recorded children and calls
// discover, which rediscovers every child through the ECS service's own
// references (task definition, target group, Cloud Map service), the
// ownership tags (the service itself, the listener rule) and the
// deterministic names (log group, repository, inline policies), and rebuilds
// the configuration from what AWS reports.
//
// Attributes whose value equals the composite's default are left null, so
// that the configuration the service was created with plans empty after the
// import. Each recorded child gets the hashes of the child that the rebuilt
// configuration expands to when what AWS reports matches it (so the next plan
// is empty); a child that differs in a way the configuration cannot express
// gets an empty Hash, so the next apply converges it.

// imported is what discover found in AWS for an imported service.
type imported struct {
	recorded map[string]composite.Recorded
	fillFn   func(ctx context.Context, m *serviceModel) diag.Diagnostics
}

func (i imported) fill(ctx context.Context, m *serviceModel) diag.Diagnostics {
	if i.fillFn == nil {
		return nil
	}
	return i.fillFn(ctx, m)
}

// ECS and ELBv2 error codes and states discover relies on.
const (
	ecsClusterNotFound = "ClusterNotFoundException"
	ecsStatusInactive  = "INACTIVE"
	ecsFailureMissing  = "MISSING"
	elbv2DescribeTags  = 20 // ARNs per DescribeTags call
	tgAttrDereg        = "deregistration_delay.timeout_seconds"
	// tgDefaultDeregistrationDelay is what ELBv2 applies to a new target group.
	tgDefaultDeregistrationDelay = 300
	awslogsGroupOption           = "awslogs-group"
)

// discover rediscovers an existing service's children. found is false when
// the ECS service (the anchor) does not exist or is INACTIVE. A service that
// exists but was not created by this provider (no matching containerapp:owner
// tag) is an error.
func (r *serviceResource) discover(ctx context.Context, id string) (bool, imported, error) {
	if r.clients == nil {
		return false, imported{}, errors.New("the provider is not configured")
	}
	cluster, name, err := composite.ParseServiceID(id)
	if err != nil {
		return false, imported{}, err
	}
	d := &discovery{
		clients: r.clients, env: r.env(), cluster: cluster, name: name,
		owner: composite.ServiceID(cluster, name),
	}
	found, err := d.observe(ctx)
	if err != nil || !found {
		return found, imported{}, err
	}
	built, rec, err := d.build(ctx)
	if err != nil {
		return false, imported{}, fmt.Errorf("rebuilding the configuration of %s: %w", d.owner, err)
	}
	return true, imported{recorded: rec, fillFn: func(_ context.Context, m *serviceModel) diag.Diagnostics {
		timeouts := m.Timeouts
		*m = built
		m.Timeouts = timeouts
		return nil
	}}, nil
}

// discovery holds what AWS reports about one service's children.
type discovery struct {
	clients              *conns.Clients
	env                  composite.Env
	cluster, name, owner string

	svc     *ecstypes.Service
	svcTags map[string]string
	td      *ecstypes.TaskDefinition
	tdTags  map[string]string

	execRole, taskRole     *iamtypes.Role
	execPolicy, taskPolicy *string // decoded documents; nil when absent

	logGroup  *logstypes.LogGroup
	repo      *ecrtypes.Repository
	repoTags  map[string]string
	lifecycle string

	tg          *elbv2types.TargetGroup
	tgAttrs     map[string]string
	rule        *elbv2types.Rule
	listenerARN string
	// otherPriorities are the numeric priorities of the listener's other rules.
	otherPriorities map[int32]bool
	elbTags         map[string]map[string]string

	sd *sdtypes.Service
}

// observe reads the ECS service, then its task definition, then everything
// else concurrently.
func (d *discovery) observe(ctx context.Context) (bool, error) {
	out, err := d.clients.ECS().DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster:  aws.String(d.cluster),
		Services: []string{d.name},
		Include:  []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if handlers.IsNotFound(err, ecsClusterNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("describing ECS service %q in cluster %q: %w", d.name, d.cluster, err)
	}
	for i := range out.Services {
		if s := &out.Services[i]; aws.ToString(s.ServiceName) == d.name && aws.ToString(s.Status) != ecsStatusInactive {
			d.svc = s
		}
	}
	if d.svc == nil {
		for _, f := range out.Failures {
			if r := aws.ToString(f.Reason); r != ecsFailureMissing {
				return false, fmt.Errorf("describing ECS service %q in cluster %q: %s: %s", d.name, d.cluster, r, aws.ToString(f.Detail))
			}
		}
		return false, nil
	}
	d.svcTags = ecsTagMap(d.svc.Tags)
	if got := d.svcTags[composite.TagOwner]; got != d.owner {
		why := "it has no " + composite.TagOwner + " tag"
		if got != "" {
			why = fmt.Sprintf("its %s tag is %q", composite.TagOwner, got)
		}
		return false, fmt.Errorf("ECS service %q in cluster %q was not created by containerapp_service %q: %s; only services this provider created can be imported",
			d.name, d.cluster, d.owner, why)
	}

	tdARN := aws.ToString(d.svc.TaskDefinition)
	td, err := d.clients.ECS().DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(tdARN),
		Include:        []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	})
	if err != nil {
		return false, fmt.Errorf("describing task definition %s of ECS service %q: %w", tdARN, d.name, err)
	}
	if td.TaskDefinition == nil {
		return false, fmt.Errorf("describing task definition %s of ECS service %q: empty response", tdARN, d.name)
	}
	d.td, d.tdTags = td.TaskDefinition, ecsTagMap(td.Tags)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(engineConcurrency)
	g.Go(func() error {
		var err error
		d.execRole, d.execPolicy, err = d.role(gctx, aws.ToString(d.td.ExecutionRoleArn), composite.ExecutionPolicyName)
		return err
	})
	g.Go(func() error {
		var err error
		d.taskRole, d.taskPolicy, err = d.role(gctx, aws.ToString(d.td.TaskRoleArn), composite.TaskPolicyName)
		return err
	})
	g.Go(func() error { return d.observeLogGroup(gctx) })
	g.Go(func() error { return d.observeRepository(gctx) })
	g.Go(func() error { return d.observeLoadBalancer(gctx) })
	g.Go(func() error { return d.observeDiscovery(gctx) })
	return true, g.Wait()
}

// role reads a role (GetRole) and its inline policy policyName
// (GetRolePolicy). A missing role or policy is reported as nil.
func (d *discovery) role(ctx context.Context, roleARN, policyName string) (*iamtypes.Role, *string, error) {
	if roleARN == "" {
		return nil, nil, nil
	}
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	out, err := d.clients.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if handlers.IsNotFound(err, "NoSuchEntity") {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading IAM role %q: %w", roleName, err)
	}
	pol, err := d.clients.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(policyName)})
	if handlers.IsNotFound(err, "NoSuchEntity") {
		return out.Role, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading inline policy %q of IAM role %q: %w", policyName, roleName, err)
	}
	doc := decodePolicyDocument(aws.ToString(pol.PolicyDocument))
	return out.Role, &doc, nil
}

// observeLogGroup finds the log group the containers log to (the composite's
// name when none does).
func (d *discovery) observeLogGroup(ctx context.Context) error {
	name := composite.LogGroupName(d.cluster, d.name)
	for _, c := range d.td.ContainerDefinitions {
		if c.LogConfiguration != nil && c.LogConfiguration.Options[awslogsGroupOption] != "" {
			name = c.LogConfiguration.Options[awslogsGroupOption]
			break
		}
	}
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(d.clients.Logs(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing log group %q: %w", name, err)
		}
		for i := range page.LogGroups {
			if aws.ToString(page.LogGroups[i].LogGroupName) == name {
				d.logGroup = &page.LogGroups[i]
				return nil
			}
		}
	}
	return nil
}

// observeRepository finds the service's ECR repository by its deterministic
// name, and its lifecycle policy.
func (d *discovery) observeRepository(ctx context.Context) error {
	name := composite.RepositoryName(d.cluster, d.name)
	out, err := d.clients.ECR().DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if handlers.IsNotFound(err, "RepositoryNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("describing ECR repository %q: %w", name, err)
	}
	for i := range out.Repositories {
		if aws.ToString(out.Repositories[i].RepositoryName) == name {
			d.repo = &out.Repositories[i]
		}
	}
	if d.repo == nil {
		return nil
	}
	// The name is derived from the owner, but only a repository carrying
	// the owner's tag is adopted.
	tags, err := d.clients.ECR().ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: d.repo.RepositoryArn})
	if err != nil {
		return fmt.Errorf("listing tags of ECR repository %q: %w", name, err)
	}
	d.repoTags = map[string]string{}
	for _, t := range tags.Tags {
		d.repoTags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if d.repoTags[composite.TagOwner] != d.owner {
		d.repo = nil
		return nil
	}
	lp, err := d.clients.ECR().GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
	if handlers.IsNotFound(err, "LifecyclePolicyNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading lifecycle policy of ECR repository %q: %w", name, err)
	}
	d.lifecycle = aws.ToString(lp.LifecyclePolicyText)
	return nil
}

// observeLoadBalancer reads the service's target group and its attributes,
// then finds the listener rule that forwards to it and carries the ownership
// tags: target group -> load balancers -> listeners -> rules.
func (d *discovery) observeLoadBalancer(ctx context.Context) error {
	if len(d.svc.LoadBalancers) == 0 {
		return nil
	}
	api := d.clients.ELBv2()
	tgARN := aws.ToString(d.svc.LoadBalancers[0].TargetGroupArn)
	out, err := api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARN}})
	if handlers.IsNotFound(err, "TargetGroupNotFound") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("describing target group %s: %w", tgARN, err)
	}
	for i := range out.TargetGroups {
		if aws.ToString(out.TargetGroups[i].TargetGroupArn) == tgARN {
			d.tg = &out.TargetGroups[i]
		}
	}
	if d.tg == nil {
		return nil
	}
	attrs, err := api.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil {
		return fmt.Errorf("reading attributes of target group %s: %w", tgARN, err)
	}
	d.tgAttrs = map[string]string{}
	for _, a := range attrs.Attributes {
		d.tgAttrs[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}

	type candidate struct {
		rule     elbv2types.Rule
		listener string
		others   map[int32]bool
	}
	var candidates []candidate
	for _, lbARN := range uniqueStrings(d.tg.LoadBalancerArns) {
		listeners := elbv2.NewDescribeListenersPaginator(api, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
		for listeners.HasMorePages() {
			page, err := listeners.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("listing listeners of load balancer %s: %w", lbARN, err)
			}
			for _, l := range page.Listeners {
				listenerARN := aws.ToString(l.ListenerArn)
				var rules []elbv2types.Rule
				rp := elbv2.NewDescribeRulesPaginator(api, &elbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN)})
				for rp.HasMorePages() {
					rpage, err := rp.NextPage(ctx)
					if err != nil {
						return fmt.Errorf("listing rules of listener %s: %w", listenerARN, err)
					}
					rules = append(rules, rpage.Rules...)
				}
				for _, rule := range rules {
					if !forwardsTo(rule, tgARN) || aws.ToBool(rule.IsDefault) {
						continue
					}
					others := map[int32]bool{}
					for _, o := range rules {
						if n, err := strconv.Atoi(aws.ToString(o.Priority)); err == nil && aws.ToString(o.RuleArn) != aws.ToString(rule.RuleArn) {
							others[int32(n)] = true
						}
					}
					candidates = append(candidates, candidate{rule: rule, listener: listenerARN, others: others})
				}
			}
		}
	}

	// Tags of the target group and every candidate rule, 20 ARNs per call.
	tagARNs := []string{tgARN}
	for _, c := range candidates {
		tagARNs = append(tagARNs, aws.ToString(c.rule.RuleArn))
	}
	d.elbTags = map[string]map[string]string{}
	for start := 0; start < len(tagARNs); start += elbv2DescribeTags {
		chunk := tagARNs[start:min(start+elbv2DescribeTags, len(tagARNs))]
		tags, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: chunk})
		if err != nil {
			return fmt.Errorf("reading tags of %s: %w", strings.Join(chunk, ", "), err)
		}
		for _, td := range tags.TagDescriptions {
			m := map[string]string{}
			for _, t := range td.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			d.elbTags[aws.ToString(td.ResourceArn)] = m
		}
	}
	for i := range candidates {
		c := &candidates[i]
		tags := d.elbTags[aws.ToString(c.rule.RuleArn)]
		if tags[composite.TagOwner] == d.owner && tags[composite.TagKey] == composite.KeyListenerRule {
			d.rule, d.listenerARN, d.otherPriorities = &c.rule, c.listener, c.others
			return nil
		}
	}
	return nil
}

// observeDiscovery reads the Cloud Map service the ECS service registers in.
func (d *discovery) observeDiscovery(ctx context.Context) error {
	if len(d.svc.ServiceRegistries) == 0 {
		return nil
	}
	regARN := aws.ToString(d.svc.ServiceRegistries[0].RegistryArn)
	id := regARN[strings.LastIndex(regARN, "/")+1:]
	out, err := d.clients.ServiceDiscovery().GetService(ctx, &servicediscovery.GetServiceInput{Id: aws.String(id)})
	if handlers.IsNotFound(err, "ServiceNotFound") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading Cloud Map service %q: %w", id, err)
	}
	d.sd = out.Service
	return nil
}

// build rebuilds the configuration and the recorded children.
func (d *discovery) build(ctx context.Context) (serviceModel, map[string]composite.Recorded, error) {
	rec := d.recordedChildren()
	m, err := d.model(ctx, nil)
	if err != nil {
		return m, nil, err
	}
	g, err := d.expand(ctx, m)
	if err != nil {
		return m, nil, err
	}
	// Two choices need the expansion: whether network.vpc_id was set (the
	// target group's name hashes it) and whether the rule's priority was
	// allocated or explicit.
	var redo bool
	choice := modelChoice{}
	if tgChild := childByKey(g, composite.KeyTargetGroup); d.tg != nil && tgChild.Key != "" && tgChild.Name != aws.ToString(d.tg.TargetGroupName) {
		choice.vpcID = aws.ToString(d.tg.VpcId)
		redo = true
	}
	if rp, ok := childByKey(g, composite.KeyListenerRule).Props.(*composite.ListenerRuleProps); ok && d.rule != nil {
		if n, err := strconv.Atoi(aws.ToString(d.rule.Priority)); err == nil && int32(n) != lowestFreePriority(d.otherPriorities, rp.PriorityHint) {
			choice.priority = composite.Ptr(int64(n))
			redo = true
		}
	}
	if redo {
		m2, err := d.model(ctx, &choice)
		if err != nil {
			return m, nil, err
		}
		g2, err := d.expand(ctx, m2)
		if err != nil {
			return m, nil, err
		}
		if choice.vpcID != "" && childByKey(g2, composite.KeyTargetGroup).Name != aws.ToString(d.tg.TargetGroupName) {
			// Neither form explains the name: keep vpc_id unset.
			choice.vpcID = ""
			if m2, err = d.model(ctx, &choice); err != nil {
				return m, nil, err
			}
			if g2, err = d.expand(ctx, m2); err != nil {
				return m, nil, err
			}
		}
		m, g = m2, g2
	}
	d.setHashes(g, rec)
	return m, rec, nil
}

// deregistrationDelay is the target group's deregistration delay (ELBv2's
// default when not reported).
func (d *discovery) deregistrationDelay() int64 {
	return atoiOr(d.tgAttrs[tgAttrDereg], tgDefaultDeregistrationDelay)
}

func (d *discovery) expand(ctx context.Context, m serviceModel) (composite.Graph, error) {
	spec, _, diags := toSpec(ctx, m)
	if err := diagError(diags); err != nil {
		return composite.Graph{}, err
	}
	return composite.ExpandService(spec, d.env)
}

func childByKey(g composite.Graph, key string) composite.Child {
	for _, c := range g.Children {
		if c.Key == key {
			return c
		}
	}
	return composite.Child{}
}

// recordedChildren returns every child found, with the outputs its handler's
// Read returns and empty hashes.
func (d *discovery) recordedChildren() map[string]composite.Recorded {
	rec := map[string]composite.Recorded{}
	add := func(key string, kind composite.Kind, name string, outputs map[string]string) {
		id := outputs[composite.AttrARN]
		if id == "" {
			id = outputs[composite.AttrID]
		}
		rec[key] = composite.Recorded{Key: key, Kind: kind, Name: name, ARN: id, Outputs: outputs}
	}
	for _, r := range []struct {
		key, policyKey, policyName string
		role                       *iamtypes.Role
		policy                     *string
	}{
		{composite.KeyExecutionRole, composite.KeyExecutionRolePolicy, composite.ExecutionPolicyName, d.execRole, d.execPolicy},
		{composite.KeyTaskRole, composite.KeyTaskRolePolicy, composite.TaskPolicyName, d.taskRole, d.taskPolicy},
	} {
		if r.role == nil {
			continue
		}
		name := aws.ToString(r.role.RoleName)
		add(r.key, composite.KindIAMRole, name, map[string]string{
			composite.AttrName: name, composite.AttrID: name, composite.AttrARN: aws.ToString(r.role.Arn),
		})
		if r.policy != nil {
			add(r.policyKey, composite.KindIAMRolePolicy, r.policyName, map[string]string{
				composite.AttrID: name + ":" + r.policyName, composite.AttrName: r.policyName, handlers.AttrRole: name,
			})
		}
	}
	if g := d.logGroup; g != nil {
		a := aws.ToString(g.LogGroupArn)
		if a == "" {
			a = strings.TrimSuffix(aws.ToString(g.Arn), ":*")
		}
		add(composite.KeyLogGroup, composite.KindLogGroup, aws.ToString(g.LogGroupName), map[string]string{
			composite.AttrARN: a, composite.AttrName: aws.ToString(g.LogGroupName),
		})
	}
	if r := d.repo; r != nil {
		add(composite.KeyRepository, composite.KindECRRepository, aws.ToString(r.RepositoryName), map[string]string{
			composite.AttrName: aws.ToString(r.RepositoryName), composite.AttrARN: aws.ToString(r.RepositoryArn),
			composite.AttrURL: aws.ToString(r.RepositoryUri), handlers.AttrForceDelete: "false",
		})
	}
	if tg := d.tg; tg != nil {
		tgARN := aws.ToString(tg.TargetGroupArn)
		suffix := ""
		if a, err := arn.Parse(tgARN); err == nil {
			suffix = a.Resource
		}
		add(composite.KeyTargetGroup, composite.KindTargetGroup, aws.ToString(tg.TargetGroupName), map[string]string{
			composite.AttrARN: tgARN, composite.AttrName: aws.ToString(tg.TargetGroupName),
			handlers.AttrARNSuffix: suffix, handlers.AttrVpcID: aws.ToString(tg.VpcId),
		})
	}
	if r := d.rule; r != nil {
		ruleARN := aws.ToString(r.RuleArn)
		ruleName := composite.ListenerRuleName(d.name, composite.ListenerARNOfRule(ruleARN))
		add(composite.KeyListenerRule, composite.KindListenerRule, ruleName, map[string]string{
			composite.AttrARN: ruleARN, composite.AttrName: ruleARN[strings.LastIndex(ruleARN, "/")+1:],
			composite.AttrPriority: aws.ToString(r.Priority),
		})
	}
	if s := d.sd; s != nil {
		add(composite.KeyDiscoveryService, composite.KindDiscoveryService, aws.ToString(s.Name), map[string]string{
			composite.AttrARN: aws.ToString(s.Arn), composite.AttrID: aws.ToString(s.Id), composite.AttrName: aws.ToString(s.Name),
		})
	}
	family := aws.ToString(d.td.Family)
	add(composite.KeyTaskDefinition, composite.KindTaskDefinition, family, map[string]string{
		composite.AttrARN: aws.ToString(d.td.TaskDefinitionArn), composite.AttrName: family,
		handlers.AttrFamily: family, composite.AttrRevision: strconv.Itoa(int(d.td.Revision)),
	})
	clusterOut := aws.ToString(d.svc.ClusterArn)
	if clusterOut == "" {
		clusterOut = d.cluster
	}
	add(composite.KeyService, composite.KindECSService, aws.ToString(d.svc.ServiceName), map[string]string{
		composite.AttrARN: aws.ToString(d.svc.ServiceArn), composite.AttrName: aws.ToString(d.svc.ServiceName),
		handlers.AttrCluster: clusterOut,
	})
	return rec
}

// modelChoice holds the decisions build makes after a first expansion.
type modelChoice struct {
	vpcID    string
	priority *int64
}

// model rebuilds the configuration from what AWS reports. Values equal to
// the composite's default stay null when the attribute has no schema
// default, as they would in a configuration that leaves them unset.
func (d *discovery) model(ctx context.Context, choice *modelChoice) (serviceModel, error) {
	if choice == nil {
		choice = &modelChoice{}
	}
	at := schemaTypes(ctx)
	var diags diag.Diagnostics
	m := serviceModel{
		ID:                     types.StringValue(d.owner),
		Name:                   types.StringValue(d.name),
		Cluster:                types.StringValue(d.cluster),
		CPU:                    types.Int64Value(atoiOr(aws.ToString(d.td.Cpu), composite.DefaultCPU)),
		Memory:                 types.Int64Value(atoiOr(aws.ToString(d.td.Memory), composite.DefaultMemory)),
		DesiredCount:           types.Int64Value(int64(d.svc.DesiredCount)),
		CPUArchitecture:        types.StringValue(composite.DefaultCPUArchitecture),
		TaskRolePolicyJSON:     types.StringNull(),
		LogRetentionDays:       types.Int64Value(composite.DefaultLogRetentionDays),
		EnableExecuteCommand:   types.BoolValue(d.svc.EnableExecuteCommand),
		HealthCheckGracePeriod: types.Int64Null(),
		LoadBalancer:           types.ObjectNull(objectAttrTypes(at["load_balancer"])),
		ServiceDiscovery:       types.ObjectNull(objectAttrTypes(at["service_discovery"])),
		Repository:             types.ObjectNull(objectAttrTypes(at["repository"])),
		Deployment:             types.ObjectNull(objectAttrTypes(at["deployment"])),
		Tags:                   types.MapNull(types.StringType),

		ListenerRulePriority: types.Int64Null(),
		Resources:            types.MapNull(adapter.ChildObjectType),
	}
	if rp := d.td.RuntimePlatform; rp != nil && rp.CpuArchitecture != "" {
		m.CPUArchitecture = types.StringValue(string(rp.CpuArchitecture))
	}
	if g := d.logGroup; g != nil && g.RetentionInDays != nil {
		m.LogRetentionDays = types.Int64Value(int64(*g.RetentionInDays))
	}
	if v := aws.ToInt32(d.svc.HealthCheckGracePeriodSeconds); v > 0 {
		m.HealthCheckGracePeriod = types.Int64Value(int64(v))
	}

	// Task role policy: the user's document is what composite put, minus the
	// ECS Exec statement it adds with enable_execute_command.
	if d.taskPolicy != nil {
		doc, hadExec, err := stripExecStatement(*d.taskPolicy)
		if err != nil {
			return m, fmt.Errorf("task role policy: %w", err)
		}
		if hadExec {
			m.EnableExecuteCommand = types.BoolValue(true)
		}
		if doc != "" {
			m.TaskRolePolicyJSON = types.StringValue(doc)
		}
	}

	// Containers.
	repoURL := ""
	if d.repo != nil {
		repoURL = aws.ToString(d.repo.RepositoryUri)
	}
	containers := map[string]containerModel{}
	var withPort []string
	for _, c := range d.td.ContainerDefinitions {
		cm := containerModel{
			Image:       types.StringValue(aws.ToString(c.Image)),
			ImageTag:    types.StringNull(),
			Port:        types.Int64Null(),
			Command:     stringList(c.Command),
			EntryPoint:  stringList(c.EntryPoint),
			Environment: types.MapNull(types.StringType),
			Secrets:     types.MapNull(types.StringType),
			Essential:   types.BoolNull(),
			CPU:         types.Int64Null(),
			Memory:      types.Int64Null(),
		}
		if tag, ok := strings.CutPrefix(aws.ToString(c.Image), repoURL+":"); ok && repoURL != "" {
			cm.Image, cm.ImageTag = types.StringNull(), types.StringValue(tag)
		}
		if len(c.PortMappings) > 0 {
			cm.Port = types.Int64Value(int64(aws.ToInt32(c.PortMappings[0].ContainerPort)))
			withPort = append(withPort, aws.ToString(c.Name))
		}
		if len(c.Environment) > 0 {
			env := map[string]string{}
			for _, kv := range c.Environment {
				env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
			}
			cm.Environment = stringMap(env)
		}
		if len(c.Secrets) > 0 {
			sec := map[string]string{}
			for _, s := range c.Secrets {
				sec[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
			}
			cm.Secrets = stringMap(sec)
		}
		if c.Essential != nil && !*c.Essential {
			cm.Essential = types.BoolValue(false)
		}
		if c.Cpu > 0 {
			cm.CPU = types.Int64Value(int64(c.Cpu))
		}
		if v := aws.ToInt32(c.Memory); v > 0 {
			cm.Memory = types.Int64Value(int64(v))
		}
		containers[aws.ToString(c.Name)] = cm
	}
	sort.Strings(withPort)
	onlyPort := ""
	if len(withPort) == 1 {
		onlyPort = withPort[0]
	}
	var dg diag.Diagnostics
	m.Containers, dg = types.MapValueFrom(ctx, mapElemType(at["containers"]), containers)
	diags.Append(dg...)

	// Network.
	nm := networkModel{
		SubnetIDs:        types.SetValueMust(types.StringType, []attr.Value{}),
		SecurityGroupIDs: types.SetNull(types.StringType),
		AssignPublicIP:   types.BoolNull(),
		VpcID:            types.StringNull(),
	}
	if nc := d.svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		vpc := nc.AwsvpcConfiguration
		nm.SubnetIDs = stringSet(vpc.Subnets)
		if nm.SubnetIDs.IsNull() {
			nm.SubnetIDs = types.SetValueMust(types.StringType, []attr.Value{})
		}
		nm.SecurityGroupIDs = stringSet(vpc.SecurityGroups)
		if vpc.AssignPublicIp == ecstypes.AssignPublicIpEnabled {
			nm.AssignPublicIP = types.BoolValue(true)
		}
	}
	if choice.vpcID != "" {
		nm.VpcID = types.StringValue(choice.vpcID)
	}
	m.Network, dg = types.ObjectValueFrom(ctx, objectAttrTypes(at["network"]), nm)
	diags.Append(dg...)

	// Load balancer.
	lbContainer := ""
	// Without its target group or listener rule (deleted out of band) the
	// block cannot be rebuilt: it stays null, so the next plan shows it
	// added and the apply restores the missing children.
	if len(d.svc.LoadBalancers) > 0 && d.tg != nil && d.rule != nil {
		slb := d.svc.LoadBalancers[0]
		lbContainer = aws.ToString(slb.ContainerName)
		protocolVersion := aws.ToString(d.tg.ProtocolVersion)
		lm := loadBalancerModel{
			ListenerARN:         types.StringValue(d.listenerARN),
			ContainerName:       nullIf(lbContainer, onlyPort),
			PathPatterns:        types.SetNull(types.StringType),
			HostHeaders:         types.SetNull(types.StringType),
			Priority:            types.Int64Null(),
			DeregistrationDelay: types.Int64Null(),
			ProtocolVersion:     nullIf(protocolVersion, composite.DefaultProtocolVersion),
			HealthCheck:         types.ObjectNull(objectAttrTypes(objectAttrTypes(at["load_balancer"])["health_check"])),
		}
		if protocolVersion == "" {
			lm.ProtocolVersion = types.StringNull()
		}
		paths, hosts := ruleConditionValues(d.rule)
		lm.PathPatterns, lm.HostHeaders = stringSet(paths), stringSet(hosts)
		if choice.priority != nil {
			lm.Priority = types.Int64Value(*choice.priority)
		}
		lm.DeregistrationDelay = nullIfInt(d.deregistrationDelay(), composite.DefaultDeregistrationDelay)
		matcherDefault := composite.DefaultHealthCheckMatcher
		if protocolVersion == "GRPC" {
			matcherDefault = composite.DefaultHealthCheckMatcherGRPC
		}
		matcher := ""
		if d.tg.Matcher != nil {
			matcher = aws.ToString(d.tg.Matcher.HttpCode)
			if matcher == "" {
				matcher = aws.ToString(d.tg.Matcher.GrpcCode)
			}
		}
		hm := healthCheckModel{
			Path:               nullIf(aws.ToString(d.tg.HealthCheckPath), composite.DefaultHealthCheckPath),
			Matcher:            nullIf(matcher, matcherDefault),
			Interval:           nullIfInt(int64(aws.ToInt32(d.tg.HealthCheckIntervalSeconds)), composite.DefaultHealthCheckInterval),
			Timeout:            nullIfInt(int64(aws.ToInt32(d.tg.HealthCheckTimeoutSeconds)), composite.DefaultHealthCheckTimeout),
			HealthyThreshold:   nullIfInt(int64(aws.ToInt32(d.tg.HealthyThresholdCount)), composite.DefaultHealthyThreshold),
			UnhealthyThreshold: nullIfInt(int64(aws.ToInt32(d.tg.UnhealthyThresholdCount)), composite.DefaultUnhealthyThreshold),
		}
		if !hm.Path.IsNull() || !hm.Matcher.IsNull() || !hm.Interval.IsNull() || !hm.Timeout.IsNull() ||
			!hm.HealthyThreshold.IsNull() || !hm.UnhealthyThreshold.IsNull() {
			lm.HealthCheck, dg = types.ObjectValueFrom(ctx, objectAttrTypes(objectAttrTypes(at["load_balancer"])["health_check"]), hm)
			diags.Append(dg...)
		}
		m.LoadBalancer, dg = types.ObjectValueFrom(ctx, objectAttrTypes(at["load_balancer"]), lm)
		diags.Append(dg...)
	}

	// Service discovery.
	// Likewise without the Cloud Map service (its namespace is unknown).
	if len(d.svc.ServiceRegistries) > 0 && d.sd != nil {
		defaultContainer := onlyPort
		if lbContainer != "" {
			defaultContainer = lbContainer
		}
		nsID := aws.ToString(d.sd.NamespaceId)
		if nsID == "" && d.sd.DnsConfig != nil {
			nsID = aws.ToString(d.sd.DnsConfig.NamespaceId)
		}
		sm := serviceDiscoveryModel{
			NamespaceID:   types.StringValue(nsID),
			DNSTTL:        types.Int64Null(),
			ContainerName: nullIf(aws.ToString(d.svc.ServiceRegistries[0].ContainerName), defaultContainer),
		}
		if d.sd.DnsConfig != nil && len(d.sd.DnsConfig.DnsRecords) > 0 {
			sm.DNSTTL = nullIfInt(aws.ToInt64(d.sd.DnsConfig.DnsRecords[0].TTL), composite.DefaultDNSTTL)
		}
		m.ServiceDiscovery, dg = types.ObjectValueFrom(ctx, objectAttrTypes(at["service_discovery"]), sm)
		diags.Append(dg...)
	}

	// Repository.
	if r := d.repo; r != nil {
		rm := repositoryModel{
			ScanOnPush:         types.BoolNull(),
			ImageTagMutability: nullIf(string(r.ImageTagMutability), composite.DefaultImageTagMutability),
			KeepImages:         types.Int64Null(),
			ForceDelete:        types.BoolNull(),
		}
		if r.ImageScanningConfiguration == nil || !r.ImageScanningConfiguration.ScanOnPush {
			rm.ScanOnPush = types.BoolValue(false)
		}
		if r.ImageTagMutability == "" {
			rm.ImageTagMutability = types.StringValue(string(ecrtypes.ImageTagMutabilityMutable))
		}
		if keep, ok := lifecycleKeepImages(d.lifecycle); ok {
			rm.KeepImages = nullIfInt(keep, composite.DefaultKeepImages)
		}
		m.Repository, dg = types.ObjectValueFrom(ctx, objectAttrTypes(at["repository"]), rm)
		diags.Append(dg...)
	}

	// Deployment: ECS reports the circuit breaker and percents; an emulator
	// that does not keep them reports nothing, which reads as the defaults.
	dm := deploymentModel{
		CircuitBreakerRollback: types.BoolNull(),
		MinimumHealthyPercent:  types.Int64Null(),
		MaximumPercent:         types.Int64Null(),
		WaitForSteadyState:     types.BoolNull(),
	}
	if dc := d.svc.DeploymentConfiguration; dc != nil {
		if cb := dc.DeploymentCircuitBreaker; cb != nil && cb.Enable && !cb.Rollback {
			dm.CircuitBreakerRollback = types.BoolValue(false)
		}
		if dc.MinimumHealthyPercent != nil {
			dm.MinimumHealthyPercent = nullIfInt(int64(*dc.MinimumHealthyPercent), composite.DefaultMinimumHealthyPercent)
		}
		if dc.MaximumPercent != nil {
			dm.MaximumPercent = nullIfInt(int64(*dc.MaximumPercent), composite.DefaultMaximumPercent)
		}
	}
	if !dm.CircuitBreakerRollback.IsNull() || !dm.MinimumHealthyPercent.IsNull() || !dm.MaximumPercent.IsNull() {
		m.Deployment, dg = types.ObjectValueFrom(ctx, objectAttrTypes(at["deployment"]), dm)
		diags.Append(dg...)
	}

	// Tags: the service's, minus ownership tags, tags reserved by AWS and
	// the provider's default_tags (unless overridden with another value).
	tags := map[string]string{}
	for k, v := range d.svcTags {
		if k == composite.TagOwner || k == composite.TagKey || strings.HasPrefix(k, "aws:") {
			continue
		}
		if dv, ok := d.env.DefaultTags[k]; ok && dv == v {
			continue
		}
		tags[k] = v
	}
	if len(tags) > 0 {
		m.Tags = stringMap(tags)
	}
	// tags_all is never null: ModifyPlan always plans it as a map.
	m.TagsAll = stringMap(adapter.MergeTags(d.env.DefaultTags, tags))
	if m.TagsAll.IsNull() {
		m.TagsAll = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	return m, diagError(diags)
}

// setHashes gives each recorded child the hashes of its graph child when
// what AWS reports matches the child's (resolved) properties; a child that
// differs keeps an empty Hash so the next apply converges it.
func (d *discovery) setHashes(g composite.Graph, rec map[string]composite.Recorded) {
	outputs := map[string]map[string]string{}
	for k, r := range rec {
		outputs[k] = r.Outputs
	}
	for _, c := range g.Children {
		r, ok := rec[c.Key]
		if !ok || r.Kind != c.Kind || r.Name != c.Name {
			continue
		}
		r.ReplaceHash = c.ReplaceHash
		if resolved, err := composite.Resolve(c.Props, outputs); err == nil {
			r.NameScope = composite.NameScope(composite.Child{Kind: c.Kind, Name: c.Name, Props: resolved})
			if d.matches(c.Key, resolved) {
				r.Hash = c.Hash
			}
		}
		rec[c.Key] = r
	}
}

// matches compares the resolved properties of one child with what AWS
// reports, for what the rebuilt configuration cannot express by itself.
func (d *discovery) matches(key string, props any) bool {
	switch p := props.(type) {
	case *composite.RoleProps:
		role := d.execRole
		if key == composite.KeyTaskRole {
			role = d.taskRole
		}
		return role != nil && policiesEquivalent(decodePolicyDocument(aws.ToString(role.AssumeRolePolicyDocument)), p.AssumeRolePolicy) &&
			aws.ToString(role.Description) == p.Description && tagsEqual(iamTagMap(role.Tags), p.Tags)
	case *composite.RolePolicyProps:
		doc := d.execPolicy
		if key == composite.KeyTaskRolePolicy {
			doc = d.taskPolicy
		}
		return doc != nil && policiesEquivalent(*doc, p.Policy)
	case *composite.LogGroupProps:
		g := d.logGroup
		return g != nil && aws.ToInt32(g.RetentionInDays) == p.RetentionDays && aws.ToString(g.KmsKeyId) == p.KMSKeyID
	case *composite.RepositoryProps:
		r := d.repo
		if r == nil || string(r.ImageTagMutability) != p.ImageTagMutability ||
			(r.ImageScanningConfiguration != nil && r.ImageScanningConfiguration.ScanOnPush) != p.ScanOnPush {
			return false
		}
		if r.EncryptionConfiguration != nil && string(r.EncryptionConfiguration.EncryptionType) != p.EncryptionType {
			return false
		}
		return jsonEqual(d.lifecycle, p.LifecyclePolicy) && tagsEqual(d.repoTags, p.Tags)
	case *composite.TargetGroupProps:
		tg := d.tg
		if tg == nil || aws.ToInt32(tg.Port) != p.Port || d.deregistrationDelay() != int64(p.DeregistrationDelay) {
			return false
		}
		hc := p.HealthCheck
		matcher := ""
		if tg.Matcher != nil {
			matcher = orDefault(aws.ToString(tg.Matcher.HttpCode), aws.ToString(tg.Matcher.GrpcCode))
		}
		return aws.ToString(tg.HealthCheckPath) == hc.Path && matcher == hc.Matcher && aws.ToInt32(tg.HealthCheckIntervalSeconds) == hc.IntervalSeconds &&
			aws.ToInt32(tg.HealthCheckTimeoutSeconds) == hc.TimeoutSeconds && aws.ToInt32(tg.HealthyThresholdCount) == hc.HealthyThreshold &&
			aws.ToInt32(tg.UnhealthyThresholdCount) == hc.UnhealthyThreshold &&
			tagsEqual(d.elbTags[aws.ToString(tg.TargetGroupArn)], p.Tags)
	case *composite.ListenerRuleProps:
		r := d.rule
		if r == nil || d.listenerARN != p.ListenerARN || (p.Priority != 0 && aws.ToString(r.Priority) != strconv.Itoa(int(p.Priority))) {
			return false
		}
		paths, hosts := ruleConditionValues(r)
		return len(r.Conditions) == len(nonEmpty(paths, hosts)) && sameStrings(paths, p.PathPatterns) && sameStrings(hosts, p.HostHeaders) &&
			len(r.Actions) == 1 && forwardsTo(*r, p.TargetGroupARN) && tagsEqual(d.elbTags[aws.ToString(r.RuleArn)], p.Tags)
	case *composite.DiscoveryServiceProps:
		s := d.sd
		if s == nil || s.DnsConfig == nil || len(s.DnsConfig.DnsRecords) != len(p.RecordTypes) {
			return false
		}
		for _, rec := range s.DnsConfig.DnsRecords {
			if aws.ToInt64(rec.TTL) != p.DNSTTL {
				return false
			}
		}
		return true
	case *composite.TaskDefinitionProps:
		return taskDefinitionMatches(d.td, p) && tagsEqual(d.tdTags, p.Tags)
	case *composite.ServiceProps:
		return serviceMatches(d.svc, p) && tagsEqual(d.svcTags, p.Tags)
	}
	return false
}

func taskDefinitionMatches(td *ecstypes.TaskDefinition, p *composite.TaskDefinitionProps) bool {
	os, arch := string(ecstypes.OSFamilyLinux), string(ecstypes.CPUArchitectureX8664)
	if rp := td.RuntimePlatform; rp != nil {
		os, arch = orDefault(string(rp.OperatingSystemFamily), os), orDefault(string(rp.CpuArchitecture), arch)
	}
	if aws.ToString(td.Family) != p.Family || aws.ToString(td.Cpu) != strconv.Itoa(int(p.CPU)) ||
		aws.ToString(td.Memory) != strconv.Itoa(int(p.Memory)) || string(td.NetworkMode) != p.NetworkMode ||
		aws.ToString(td.ExecutionRoleArn) != p.ExecutionRoleARN || aws.ToString(td.TaskRoleArn) != p.TaskRoleARN ||
		os != p.OperatingSystem || arch != p.CPUArchitecture || len(td.ContainerDefinitions) != len(p.Containers) {
		return false
	}
	byName := map[string]ecstypes.ContainerDefinition{}
	for _, c := range td.ContainerDefinitions {
		byName[aws.ToString(c.Name)] = c
	}
	for _, want := range p.Containers {
		c, ok := byName[want.Name]
		if !ok || aws.ToString(c.Image) != want.Image || (c.Essential == nil || *c.Essential) != want.Essential ||
			!sameList(c.Command, want.Command) || !sameList(c.EntryPoint, want.EntryPoint) ||
			c.Cpu != want.CPU || aws.ToInt32(c.Memory) != want.Memory || aws.ToBool(c.ReadonlyRootFilesystem) != want.ReadonlyRootFilesystem {
			return false
		}
		env, sec := map[string]string{}, map[string]string{}
		for _, kv := range c.Environment {
			env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
		for _, s := range c.Secrets {
			sec[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
		}
		if !reflect.DeepEqual(env, keyValueMap(want.Environment)) || !reflect.DeepEqual(sec, keyValueMap(want.Secrets)) {
			return false
		}
		if want.Port > 0 {
			if len(c.PortMappings) != 1 || aws.ToInt32(c.PortMappings[0].ContainerPort) != want.Port {
				return false
			}
		} else if len(c.PortMappings) > 0 {
			return false
		}
		logOpts := map[string]string{}
		if c.LogConfiguration != nil {
			if c.LogConfiguration.LogDriver != ecstypes.LogDriverAwslogs {
				return false
			}
			logOpts = c.LogConfiguration.Options
		}
		wantOpts := map[string]string{}
		for k, v := range map[string]string{awslogsGroupOption: want.LogGroup, "awslogs-region": want.LogRegion, "awslogs-stream-prefix": want.LogStreamPrefix} {
			if v != "" {
				wantOpts[k] = v
			}
		}
		if !reflect.DeepEqual(logOpts, wantOpts) {
			return false
		}
	}
	return true
}

func serviceMatches(svc *ecstypes.Service, p *composite.ServiceProps) bool {
	if svc.DesiredCount != p.DesiredCount || (svc.EnableExecuteCommand && !p.EnableExecuteCommand) {
		return false
	}
	var subnets, sgs []string
	assign := false
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		subnets, sgs = nc.AwsvpcConfiguration.Subnets, nc.AwsvpcConfiguration.SecurityGroups
		assign = nc.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled
	}
	if !sameStrings(subnets, p.Subnets) || !sameStrings(sgs, p.SecurityGroups) || assign != p.AssignPublicIP {
		return false
	}
	if len(svc.LoadBalancers) != len(p.LoadBalancers) || len(svc.ServiceRegistries) != len(p.ServiceRegistries) {
		return false
	}
	for i, lb := range p.LoadBalancers {
		got := svc.LoadBalancers[i]
		if aws.ToString(got.TargetGroupArn) != lb.TargetGroupARN || aws.ToString(got.ContainerName) != lb.ContainerName ||
			aws.ToInt32(got.ContainerPort) != lb.ContainerPort {
			return false
		}
	}
	for i, r := range p.ServiceRegistries {
		got := svc.ServiceRegistries[i]
		if aws.ToString(got.RegistryArn) != r.RegistryARN || aws.ToString(got.ContainerName) != r.ContainerName ||
			aws.ToInt32(got.ContainerPort) != r.ContainerPort {
			return false
		}
	}
	// Compared only when reported (an emulator may not keep them).
	if dc := svc.DeploymentConfiguration; dc != nil {
		if dc.MaximumPercent != nil && (*dc.MaximumPercent != p.MaximumPercent || aws.ToInt32(dc.MinimumHealthyPercent) != p.MinimumHealthyPercent) {
			return false
		}
		if cb := dc.DeploymentCircuitBreaker; cb != nil && cb.Enable && (cb.Enable != p.CircuitBreaker || cb.Rollback != p.CircuitBreakerRollback) {
			return false
		}
	}
	return true
}

// stripExecStatement returns the task role policy without the ECS Exec
// statement composite adds, in canonical form ("" when nothing remains), and
// whether the statement was there.
func stripExecStatement(doc string) (string, bool, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", false, fmt.Errorf("not valid JSON: %w", err)
	}
	list, isList := m["Statement"].([]any)
	if !isList {
		return canonicalJSON(m), false, nil
	}
	kept := make([]any, 0, len(list))
	hadExec := false
	for _, st := range list {
		if canonicalJSON(st) == execStatementJSON {
			hadExec = true
			continue
		}
		kept = append(kept, st)
	}
	if len(kept) == 0 {
		return "", hadExec, nil
	}
	m["Statement"] = kept
	return canonicalJSON(m), hadExec, nil
}

// execStatementJSON is the statement composite adds to the task role policy
// for ECS Exec, in canonical form.
var execStatementJSON = canonicalJSON(map[string]any{
	"Sid":    "ECSExec",
	"Effect": "Allow",
	"Action": []any{
		"ssmmessages:CreateControlChannel",
		"ssmmessages:CreateDataChannel",
		"ssmmessages:OpenControlChannel",
		"ssmmessages:OpenDataChannel",
	},
	"Resource": []any{"*"},
})

// canonicalJSON renders v compactly with sorted keys and without HTML
// escaping, as composite renders policy documents.
func canonicalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimRight(buf.String(), "\n")
}

// decodePolicyDocument undoes the URL encoding IAM applies to documents.
func decodePolicyDocument(doc string) string {
	if s, err := url.QueryUnescape(doc); err == nil {
		return s
	}
	return doc
}

func policiesEquivalent(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	ok, err := awspolicy.PoliciesAreEquivalent(a, b)
	return err == nil && ok
}

func jsonEqual(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return reflect.DeepEqual(va, vb)
}

// lifecycleKeepImages reads N from the composite's lifecycle policy shape
// (one rule expiring images beyond the newest N).
func lifecycleKeepImages(text string) (int64, bool) {
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

// lowestFreePriority mirrors the listener rule handler's allocation: the
// lowest priority >= hint not in used, wrapping around to 1.
func lowestFreePriority(used map[int32]bool, hint int32) int32 {
	if hint < 1 || hint > 50000 {
		hint = 1
	}
	for p := hint; p <= 50000; p++ {
		if !used[p] {
			return p
		}
	}
	for p := int32(1); p < hint; p++ {
		if !used[p] {
			return p
		}
	}
	return 0
}

// forwardsTo reports whether the rule forwards to the target group.
func forwardsTo(rule elbv2types.Rule, tgARN string) bool {
	for _, a := range rule.Actions {
		if a.Type != elbv2types.ActionTypeEnumForward {
			continue
		}
		if aws.ToString(a.TargetGroupArn) == tgARN {
			return true
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if aws.ToString(t.TargetGroupArn) == tgARN {
					return true
				}
			}
		}
	}
	return false
}

// ruleConditionValues returns the rule's path patterns and host headers,
// distinct and sorted.
func ruleConditionValues(rule *elbv2types.Rule) (paths, hosts []string) {
	if rule == nil {
		return nil, nil
	}
	for _, c := range rule.Conditions {
		switch aws.ToString(c.Field) {
		case "path-pattern":
			paths = append(paths, c.Values...)
			if c.PathPatternConfig != nil {
				paths = append(paths, c.PathPatternConfig.Values...)
			}
		case "host-header":
			hosts = append(hosts, c.Values...)
			if c.HostHeaderConfig != nil {
				hosts = append(hosts, c.HostHeaderConfig.Values...)
			}
		}
	}
	return uniqueStrings(paths), uniqueStrings(hosts)
}

func nonEmpty(lists ...[]string) [][]string {
	var out [][]string
	for _, l := range lists {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// schemaTypes returns the attribute types of the resource's schema, so the
// nested objects built here always match it.
func schemaTypes(ctx context.Context) map[string]attr.Type {
	var resp resource.SchemaResponse
	(&serviceResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	out := make(map[string]attr.Type, len(resp.Schema.Attributes))
	for k, a := range resp.Schema.Attributes {
		out[k] = a.GetType()
	}
	return out
}

func objectAttrTypes(t attr.Type) map[string]attr.Type {
	if o, ok := t.(interface{ AttributeTypes() map[string]attr.Type }); ok {
		return o.AttributeTypes()
	}
	return nil
}

func mapElemType(t attr.Type) attr.Type {
	if m, ok := t.(interface{ ElementType() attr.Type }); ok {
		return m.ElementType()
	}
	return nil
}

func diagError(diags diag.Diagnostics) error {
	if !diags.HasError() {
		return nil
	}
	var msgs []string
	for _, d := range diags.Errors() {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	return errors.New(strings.Join(msgs, "; "))
}

// stringList is a list value, null when empty.
func stringList(ss []string) types.List {
	if len(ss) == 0 {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, 0, len(ss))
	for _, s := range ss {
		elems = append(elems, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, elems)
}

// stringMap is a map value, null when empty.
func stringMap(m map[string]string) types.Map {
	if len(m) == 0 {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// nullIf is v, or null when v is "" or the default.
func nullIf(v, def string) types.String {
	if v == "" || v == def {
		return types.StringNull()
	}
	return types.StringValue(v)
}

func nullIfInt(v, def int64) types.Int64 {
	if v == def {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}

func atoiOr(s string, def int64) int64 {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return def
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func ecsTagMap(tags []ecstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func iamTagMap(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// tagsEqual compares tags, ignoring the keys AWS reserves ("aws:").
func tagsEqual(have, want map[string]string) bool {
	n := 0
	for k, v := range have {
		if strings.HasPrefix(k, "aws:") {
			continue
		}
		if want[k] != v {
			return false
		}
		n++
	}
	return n == len(want)
}

func keyValueMap(kvs []composite.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Name] = kv.Value
	}
	return m
}

func sortedStrings(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// uniqueStrings returns the distinct non-empty members of ss, sorted.
func uniqueStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func sameStrings(a, b []string) bool {
	return reflect.DeepEqual(uniqueStrings(a), uniqueStrings(b))
}

func sameList(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// stringSet is a set of strings, null when empty.
func stringSet(ss []string) types.Set {
	if len(ss) == 0 {
		return types.SetNull(types.StringType)
	}
	elems := make([]attr.Value, len(ss))
	for i, s := range ss {
		elems[i] = types.StringValue(s)
	}
	return types.SetValueMust(types.StringType, elems)
}
