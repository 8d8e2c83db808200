package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeLoadBalancerNotFound = "LoadBalancerNotFound"

	lbAttrIdleTimeout        = "idle_timeout.timeout_seconds"
	lbAttrDropInvalidHeaders = "routing.http.drop_invalid_header_fields.enabled"
	lbDefaultIdleTimeout     = 60 // what ELBv2 applies to a new ALB

	// LoadBalancerActiveTimeout and LoadBalancerDeletedTimeout bound the
	// waits for a new ALB to turn active and a deleted one to disappear
	// (used when the context has no deadline).
	LoadBalancerActiveTimeout  = 10 * time.Minute
	LoadBalancerDeletedTimeout = 10 * time.Minute
)

// Waiter delays; variables so tests can shorten them.
var (
	lbWaitMinDelay = 5 * time.Second
	lbWaitMaxDelay = 30 * time.Second
)

// LoadBalancerAPI is the part of *elasticloadbalancingv2.Client the load
// balancer handler uses.
type LoadBalancerAPI interface {
	CreateLoadBalancer(ctx context.Context, in *elbv2.CreateLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error)
	DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DescribeLoadBalancerAttributes(ctx context.Context, in *elbv2.DescribeLoadBalancerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancerAttributesOutput, error)
	ModifyLoadBalancerAttributes(ctx context.Context, in *elbv2.ModifyLoadBalancerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyLoadBalancerAttributesOutput, error)
	SetSecurityGroups(ctx context.Context, in *elbv2.SetSecurityGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.SetSecurityGroupsOutput, error)
	SetSubnets(ctx context.Context, in *elbv2.SetSubnetsInput, optFns ...func(*elbv2.Options)) (*elbv2.SetSubnetsOutput, error)
	DeleteLoadBalancer(ctx context.Context, in *elbv2.DeleteLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	AddTags(ctx context.Context, in *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, in *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
}

var _ LoadBalancerAPI = (*elbv2.Client)(nil)

// LoadBalancerHandler manages composite.KindLoadBalancer children
// (Application Load Balancers). It holds no mutable state and is safe for
// concurrent use.
type LoadBalancerHandler struct {
	api LoadBalancerAPI
}

var (
	_ engine.Handler = (*LoadBalancerHandler)(nil)
	_ engine.Finder  = (*LoadBalancerHandler)(nil)
)

// NewLoadBalancerHandler returns a handler for Application Load Balancers.
func NewLoadBalancerHandler(api LoadBalancerAPI) *LoadBalancerHandler {
	return &LoadBalancerHandler{api: api}
}

// Create creates the ALB, sets its attributes and waits until it is active.
// ELBv2 returns an existing load balancer of the same name and settings
// instead of failing, so the name is checked first: one carrying this
// child's ownership tags is adopted and converged, another one is an error.
// Calls: DescribeLoadBalancers, CreateLoadBalancer,
// ModifyLoadBalancerAttributes, DescribeLoadBalancers (waiter). When a call
// after the create fails, the outputs are returned with the error.
func (h *LoadBalancerHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.LoadBalancerProps](c)
	if err != nil {
		return nil, err
	}
	existing, err := h.byName(ctx, p.Name)
	switch {
	case err == nil:
		if err := h.checkOwned(ctx, existing, p.Tags); err != nil {
			return nil, err
		}
		return h.converge(ctx, existing, p)
	case !IsNotFound(err):
		return nil, fmt.Errorf("creating load balancer %q: %w", p.Name, err)
	}
	scheme := elbv2types.LoadBalancerSchemeEnumInternetFacing
	if p.Internal {
		scheme = elbv2types.LoadBalancerSchemeEnumInternal
	}
	out, err := h.api.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name:           aws.String(p.Name),
		Type:           elbv2types.LoadBalancerTypeEnumApplication,
		Scheme:         scheme,
		Subnets:        p.Subnets,
		SecurityGroups: p.SecurityGroups,
		IpAddressType:  elbv2types.IpAddressType(firstNonEmpty(p.IPAddressType, "ipv4")),
		Tags:           elbv2Tags(p.Tags),
	})
	if err != nil {
		return nil, fmt.Errorf("creating load balancer %q: %w", p.Name, err)
	}
	if len(out.LoadBalancers) == 0 {
		return nil, fmt.Errorf("creating load balancer %q: empty response", p.Name)
	}
	lb := &out.LoadBalancers[0]
	lbARN := aws.ToString(lb.LoadBalancerArn)
	outputs := loadBalancerOutputs(lb, nil)
	if err := h.setAttributes(ctx, lbARN, map[string]string{}, p); err != nil {
		return outputs, err
	}
	if err := h.waitActive(ctx, lbARN); err != nil {
		return outputs, fmt.Errorf("waiting for load balancer %q to become active: %w", p.Name, err)
	}
	return loadBalancerOutputs(lb, expectedLBAttributes(p)), nil
}

// Observe reads the load balancer and its attributes (DescribeLoadBalancers,
// DescribeLoadBalancerAttributes; with full also DescribeTags) and maps
// them with loadBalancerProps.
func (h *LoadBalancerHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	lb, err := h.read(ctx, rec.ARN)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	attrs, err := h.attributes(ctx, rec.ARN)
	if IsNotFound(err, errCodeLoadBalancerNotFound) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var tags map[string]string
	if full {
		if tags, err = elbv2TagsOf(ctx, h.api, rec.ARN); err != nil {
			return composite.Observed{}, false, err
		}
		tags = userTags(tags)
	}
	return composite.Observed{Props: loadBalancerProps(lb, attrs, tags), Outputs: loadBalancerOutputs(lb, attrs), Full: full}, true, nil
}

// Find looks the load balancer up by its ARN (q.ID), else by its name
// (q.Name: one more DescribeLoadBalancers call), and observes it in full.
// With q.OwnedOnly a load balancer whose ownership tags name another owner
// or key is an error.
func (h *LoadBalancerHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	lbARN := q.ID
	if lbARN == "" {
		if q.Name == "" {
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no load balancer ARN or name", q.Key)
		}
		lb, err := h.byName(ctx, q.Name)
		if IsNotFound(err) {
			return composite.Recorded{}, composite.Observed{}, false, nil
		}
		if err != nil {
			return composite.Recorded{}, composite.Observed{}, false, err
		}
		lbARN = aws.ToString(lb.LoadBalancerArn)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindLoadBalancer, ARN: lbARN}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.LoadBalancerProps)
	if err := lookupOwned(q, fmt.Sprintf("load balancer %q (%s)", p.Name, lbARN), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindLoadBalancer, p.Name, obs), obs, true, nil
}

// loadBalancerProps maps a load balancer as DescribeLoadBalancers returns
// it, with its managed attributes (see attributes) and user tags (nil when
// not read): the subnets of its availability zones, internal for the
// internal scheme.
func loadBalancerProps(lb *elbv2types.LoadBalancer, attrs, tags map[string]string) *composite.LoadBalancerProps {
	idle, _ := strconv.Atoi(attrs[lbAttrIdleTimeout])
	return &composite.LoadBalancerProps{
		Name:                    aws.ToString(lb.LoadBalancerName),
		Internal:                lb.Scheme == elbv2types.LoadBalancerSchemeEnumInternal,
		Subnets:                 lbSubnets(lb),
		SecurityGroups:          lb.SecurityGroups,
		IPAddressType:           string(lb.IpAddressType),
		IdleTimeout:             int32(idle),
		DropInvalidHeaderFields: attrs[lbAttrDropInvalidHeaders] == "true",
		Tags:                    tags,
	}
}

// Update converges security groups (SetSecurityGroups), subnets
// (SetSubnets), the idle timeout and header setting
// (ModifyLoadBalancerAttributes) and the tags, calling only what differs.
// Name, scheme and IP address type cannot change: the composite replaces
// the load balancer. Calls: DescribeLoadBalancers,
// DescribeLoadBalancerAttributes, [SetSecurityGroups], [SetSubnets],
// [ModifyLoadBalancerAttributes], DescribeTags, [RemoveTags], [AddTags].
func (h *LoadBalancerHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.LoadBalancerProps](c)
	if err != nil {
		return nil, err
	}
	lb, err := h.read(ctx, prev.ARN)
	if err != nil {
		return nil, fmt.Errorf("updating load balancer %q: %w", p.Name, err)
	}
	return h.converge(ctx, lb, p)
}

func (h *LoadBalancerHandler) converge(ctx context.Context, lb *elbv2types.LoadBalancer, p *composite.LoadBalancerProps) (map[string]string, error) {
	lbARN := aws.ToString(lb.LoadBalancerArn)
	attrs, err := h.attributes(ctx, lbARN)
	if err != nil {
		return nil, fmt.Errorf("updating load balancer %q: %w", p.Name, err)
	}
	outputs := loadBalancerOutputs(lb, attrs)
	if !sameSet(lb.SecurityGroups, p.SecurityGroups) {
		if _, err := h.api.SetSecurityGroups(ctx, &elbv2.SetSecurityGroupsInput{LoadBalancerArn: aws.String(lbARN), SecurityGroups: p.SecurityGroups}); err != nil {
			return outputs, fmt.Errorf("setting security groups of load balancer %s: %w", lbARN, err)
		}
		lb.SecurityGroups = p.SecurityGroups
	}
	if !sameSet(lbSubnets(lb), p.Subnets) {
		out, err := h.api.SetSubnets(ctx, &elbv2.SetSubnetsInput{LoadBalancerArn: aws.String(lbARN), Subnets: p.Subnets})
		if err != nil {
			return outputs, fmt.Errorf("setting subnets of load balancer %s: %w", lbARN, err)
		}
		lb.AvailabilityZones = out.AvailabilityZones
	}
	if err := h.setAttributes(ctx, lbARN, attrs, p); err != nil {
		return outputs, err
	}
	if err := syncELBv2Tags(ctx, h.api, lbARN, p.Tags); err != nil {
		return outputs, fmt.Errorf("updating load balancer %s: %w", lbARN, err)
	}
	return loadBalancerOutputs(lb, expectedLBAttributes(p)), nil
}

// Delete deletes the load balancer (and with it any listener left) and
// waits until it is gone. A load balancer already gone is fine.
func (h *LoadBalancerHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if rec.ARN == "" {
		return nil
	}
	_, err := h.api.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(rec.ARN)})
	if IsNotFound(err, errCodeLoadBalancerNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting load balancer %s: %w", rec.ARN, err)
	}
	w := elbv2.NewLoadBalancersDeletedWaiter(h.api, func(o *elbv2.LoadBalancersDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = lbWaitMinDelay, lbWaitMaxDelay
	})
	if err := w.Wait(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{rec.ARN}}, waitBudget(ctx, LoadBalancerDeletedTimeout)); err != nil {
		return fmt.Errorf("waiting for load balancer %s to be deleted: %w", rec.ARN, err)
	}
	return nil
}

func (h *LoadBalancerHandler) waitActive(ctx context.Context, lbARN string) error {
	w := elbv2.NewLoadBalancerAvailableWaiter(h.api, func(o *elbv2.LoadBalancerAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = lbWaitMinDelay, lbWaitMaxDelay
	})
	return w.Wait(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbARN}}, waitBudget(ctx, LoadBalancerActiveTimeout))
}

// setAttributes sets the idle timeout and the invalid-header setting when
// they differ from current (an empty map: a new load balancer).
func (h *LoadBalancerHandler) setAttributes(ctx context.Context, lbARN string, current map[string]string, p *composite.LoadBalancerProps) error {
	var change []elbv2types.LoadBalancerAttribute
	for k, v := range expectedLBAttributes(p) {
		if current[k] != v {
			change = append(change, elbv2types.LoadBalancerAttribute{Key: aws.String(k), Value: aws.String(v)})
		}
	}
	if len(change) == 0 {
		return nil
	}
	if _, err := h.api.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbARN), Attributes: change}); err != nil {
		return fmt.Errorf("setting attributes of load balancer %s: %w", lbARN, err)
	}
	return nil
}

// attributes returns the managed attributes, with ELBv2's defaults for the
// ones not reported.
func (h *LoadBalancerHandler) attributes(ctx context.Context, lbARN string) (map[string]string, error) {
	out, err := h.api.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbARN)})
	if err != nil {
		return nil, fmt.Errorf("reading attributes of load balancer %s: %w", lbARN, err)
	}
	attrs := map[string]string{lbAttrIdleTimeout: strconv.Itoa(lbDefaultIdleTimeout), lbAttrDropInvalidHeaders: "false"}
	for _, a := range out.Attributes {
		k := aws.ToString(a.Key)
		if _, managed := attrs[k]; managed && aws.ToString(a.Value) != "" {
			attrs[k] = aws.ToString(a.Value)
		}
	}
	return attrs, nil
}

func expectedLBAttributes(p *composite.LoadBalancerProps) map[string]string {
	idle := p.IdleTimeout
	if idle == 0 {
		idle = lbDefaultIdleTimeout
	}
	return map[string]string{
		lbAttrIdleTimeout:        strconv.Itoa(int(idle)),
		lbAttrDropInvalidHeaders: formatBool(p.DropInvalidHeaderFields),
	}
}

// read returns the load balancer, or an error IsNotFound accepts.
func (h *LoadBalancerHandler) read(ctx context.Context, lbARN string) (*elbv2types.LoadBalancer, error) {
	if lbARN == "" {
		return nil, fmt.Errorf("load balancer without ARN: %w", ErrNotFound)
	}
	out, err := h.api.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbARN}})
	if IsNotFound(err, errCodeLoadBalancerNotFound) {
		return nil, fmt.Errorf("load balancer %s: %w", lbARN, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading load balancer %s: %w", lbARN, err)
	}
	for i := range out.LoadBalancers {
		if aws.ToString(out.LoadBalancers[i].LoadBalancerArn) == lbARN {
			return &out.LoadBalancers[i], nil
		}
	}
	return nil, fmt.Errorf("load balancer %s: %w", lbARN, ErrNotFound)
}

// byName returns the load balancer named name, or an error IsNotFound
// accepts.
func (h *LoadBalancerHandler) byName(ctx context.Context, name string) (*elbv2types.LoadBalancer, error) {
	out, err := h.api.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if IsNotFound(err, errCodeLoadBalancerNotFound) {
		return nil, fmt.Errorf("load balancer %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up load balancer %q: %w", name, err)
	}
	for i := range out.LoadBalancers {
		if aws.ToString(out.LoadBalancers[i].LoadBalancerName) == name {
			return &out.LoadBalancers[i], nil
		}
	}
	return nil, fmt.Errorf("load balancer %q: %w", name, ErrNotFound)
}

// checkOwned fails unless the ELBv2 resource carries the ownership tags of
// want.
func (h *LoadBalancerHandler) checkOwned(ctx context.Context, lb *elbv2types.LoadBalancer, want map[string]string) error {
	arn := aws.ToString(lb.LoadBalancerArn)
	tags, err := elbv2TagsOf(ctx, h.api, arn)
	if err != nil {
		return err
	}
	if tags[composite.TagOwner] != want[composite.TagOwner] || tags[composite.TagKey] != want[composite.TagKey] {
		return fmt.Errorf("creating load balancer %q: %s already exists and is not managed by this composite; choose another cluster name",
			aws.ToString(lb.LoadBalancerName), arn)
	}
	return nil
}

func lbSubnets(lb *elbv2types.LoadBalancer) []string {
	var out []string
	for _, az := range lb.AvailabilityZones {
		if id := aws.ToString(az.SubnetId); id != "" {
			out = append(out, id)
		}
	}
	return normalizedSet(out)
}

// loadBalancerOutputs renders the outputs; attrs nil leaves out the
// attribute-based ones.
func loadBalancerOutputs(lb *elbv2types.LoadBalancer, attrs map[string]string) map[string]string {
	lbARN := aws.ToString(lb.LoadBalancerArn)
	internal := lb.Scheme == elbv2types.LoadBalancerSchemeEnumInternal
	out := map[string]string{
		composite.AttrARN:     lbARN,
		composite.AttrName:    aws.ToString(lb.LoadBalancerName),
		composite.AttrDNSName: aws.ToString(lb.DNSName),
		composite.AttrZoneID:  aws.ToString(lb.CanonicalHostedZoneId),
		AttrARNSuffix:         arnResource(lbARN),
		AttrVpcID:             aws.ToString(lb.VpcId),
		AttrInternal:          formatBool(internal),
	}
	if attrs != nil {
		out[AttrIdleTimeout] = attrs[lbAttrIdleTimeout]
	}
	return out
}
