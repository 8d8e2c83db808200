package handlers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeTargetGroupNotFound = "TargetGroupNotFound"
	errCodeResourceInUse       = "ResourceInUse"
	// errCodeDuplicateTargetGroupName is CreateTargetGroup's answer for a
	// taken name with other settings (same settings: AWS returns the
	// existing target group).
	errCodeDuplicateTargetGroupName = "DuplicateTargetGroupName"

	tgAttrDeregistrationDelay = "deregistration_delay.timeout_seconds"
	// tgDefaultDeregistrationDelay is what ELBv2 applies to a new target group.
	tgDefaultDeregistrationDelay = 300
)

// TargetGroupAPI is the part of *elasticloadbalancingv2.Client the target
// group handler uses.
type TargetGroupAPI interface {
	CreateTargetGroup(ctx context.Context, in *elbv2.CreateTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error)
	DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	ModifyTargetGroup(ctx context.Context, in *elbv2.ModifyTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyTargetGroupOutput, error)
	DescribeTargetGroupAttributes(ctx context.Context, in *elbv2.DescribeTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error)
	ModifyTargetGroupAttributes(ctx context.Context, in *elbv2.ModifyTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyTargetGroupAttributesOutput, error)
	DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	AddTags(ctx context.Context, in *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, in *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
}

// SubnetAPI is the part of *ec2.Client used to find a subnet's VPC.
type SubnetAPI interface {
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
}

var (
	_ TargetGroupAPI = (*elbv2.Client)(nil)
	_ SubnetAPI      = (*ec2.Client)(nil)
)

// TargetGroupHandler manages composite.KindTargetGroup children. It holds no
// mutable state and is safe for concurrent use.
type TargetGroupHandler struct {
	api TargetGroupAPI
	ec2 SubnetAPI
}

var (
	_ engine.Handler = (*TargetGroupHandler)(nil)
	_ engine.Finder  = (*TargetGroupHandler)(nil)
)

// NewTargetGroupHandler returns a handler for ELBv2 target groups. ec2api is
// used only when a target group's VpcID must be looked up from a subnet.
func NewTargetGroupHandler(api TargetGroupAPI, ec2api SubnetAPI) *TargetGroupHandler {
	return &TargetGroupHandler{api: api, ec2: ec2api}
}

// Create creates the target group (with its health check and tags) and sets
// its deregistration delay when it is not ELBv2's default. Calls: [EC2
// DescribeSubnets when VpcID is empty], CreateTargetGroup, DescribeTags,
// [ModifyTargetGroupAttributes]. When the attribute call fails the outputs
// are returned with the error. A target group of the same name carrying
// this child's ownership tags (an earlier Create whose response was lost)
// is adopted and converged; any other is refused: with other settings AWS
// answers DuplicateTargetGroupName, with identical ones it returns the
// existing group as if created, so Create reads the returned group's tags:
// exactly the ones sent is the new group (or ours, already converged),
// this child's ownership tags with others an earlier one of ours
// (converged with Update), anything else is refused and not recorded.
func (h *TargetGroupHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.TargetGroupProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	vpcID, err := h.vpcID(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("creating target group %q: %w", name, err)
	}
	hc := p.HealthCheck
	in := &elbv2.CreateTargetGroupInput{
		Name:                       aws.String(name),
		Port:                       aws.Int32(p.Port),
		Protocol:                   elbv2types.ProtocolEnum(firstNonEmpty(p.Protocol, "HTTP")),
		TargetType:                 elbv2types.TargetTypeEnum(firstNonEmpty(p.TargetType, "ip")),
		VpcId:                      aws.String(vpcID),
		HealthCheckEnabled:         aws.Bool(true),
		HealthCheckPath:            optString(hc.Path),
		HealthCheckPort:            optString(hc.Port),
		HealthCheckProtocol:        elbv2types.ProtocolEnum(hc.Protocol),
		HealthCheckIntervalSeconds: optInt32(hc.IntervalSeconds),
		HealthCheckTimeoutSeconds:  optInt32(hc.TimeoutSeconds),
		HealthyThresholdCount:      optInt32(hc.HealthyThreshold),
		UnhealthyThresholdCount:    optInt32(hc.UnhealthyThreshold),
		Matcher:                    tgMatcher(p.ProtocolVersion, hc.Matcher),
		Tags:                       elbv2Tags(p.Tags),
	}
	if p.ProtocolVersion != "" {
		in.ProtocolVersion = aws.String(p.ProtocolVersion)
	}
	out, err := h.api.CreateTargetGroup(ctx, in)
	if ErrorCode(err) == errCodeDuplicateTargetGroupName {
		return h.adopt(ctx, c, p, name, vpcID, err)
	}
	if err != nil {
		return nil, fmt.Errorf("creating target group %q: %w", name, err)
	}
	if len(out.TargetGroups) == 0 {
		return nil, fmt.Errorf("creating target group %q: empty response", name)
	}
	outputs := targetGroupOutputs(out.TargetGroups[0])
	// CreateTargetGroup is idempotent: "If you attempt to create multiple
	// target groups with the same settings, each call succeeds" - with the
	// existing group. Its tags say whether it is new (exactly the tags
	// sent) or an earlier Create's of this child, to converge; any other
	// is refused and not recorded.
	live, err := elbv2TagsOf(ctx, h.api, outputs[composite.AttrARN])
	if err != nil {
		return nil, fmt.Errorf("creating target group %q: checking that %s is this resource's (CreateTargetGroup returns an existing target group of identical settings): %w",
			name, outputs[composite.AttrARN], err)
	}
	if set, remove := tagChanges(live, p.Tags); len(set)+len(remove) > 0 {
		what := fmt.Sprintf("target group %q (%s)", name, outputs[composite.AttrARN])
		if err := ownedByChild(what, live, c, p.Tags); err != nil {
			return nil, fmt.Errorf("creating target group %q: CreateTargetGroup returned an existing target group with identical settings: %w; import it or choose another name",
				name, err)
		}
		return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name, ARN: outputs[composite.AttrARN]})
	}
	if p.DeregistrationDelay != tgDefaultDeregistrationDelay {
		if err := h.setDeregistrationDelay(ctx, outputs[composite.AttrARN], p.DeregistrationDelay); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// adopt takes over the target group of the child's name that
// CreateTargetGroup reported as existing (createErr) when it carries the
// child's ownership tags and the settings that cannot change in place -
// one an earlier, unrecorded Create made - and converges it with Update.
// Calls: DescribeTargetGroups, DescribeTags, then Update's.
func (h *TargetGroupHandler) adopt(ctx context.Context, c composite.Child, p *composite.TargetGroupProps, name, vpcID string, createErr error) (map[string]string, error) {
	out, err := h.api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{name}})
	if err != nil || len(out.TargetGroups) == 0 {
		return nil, fmt.Errorf("creating target group %q: %w (reading the existing target group: %v)", name, createErr, err)
	}
	tg := out.TargetGroups[0]
	tgARN := aws.ToString(tg.TargetGroupArn)
	tags, err := elbv2TagsOf(ctx, h.api, tgARN)
	if err != nil {
		return nil, fmt.Errorf("creating target group %q: %w (%v)", name, createErr, err)
	}
	what := fmt.Sprintf("target group %q (%s)", name, tgARN)
	if err := ownedByChild(what, tags, c, p.Tags); err != nil {
		return nil, fmt.Errorf("creating target group %q: %w", name, refuseAdoption(err, createErr))
	}
	for _, f := range []struct{ attr, have, want string }{
		{"port", strconv.Itoa(int(aws.ToInt32(tg.Port))), strconv.Itoa(int(p.Port))},
		{"protocol", string(tg.Protocol), firstNonEmpty(p.Protocol, "HTTP")},
		{"target type", string(tg.TargetType), firstNonEmpty(p.TargetType, "ip")},
		{"VPC", aws.ToString(tg.VpcId), vpcID},
	} {
		if f.have != f.want {
			return nil, fmt.Errorf("creating target group %q: %w", name, refuseAdoption(
				fmt.Errorf("%s has %s %s, not %s, which cannot change in place", what, f.attr, f.have, f.want), createErr))
		}
	}
	return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name, ARN: tgARN})
}

// Observe reads the target group (one DescribeTargetGroups call; with full
// also DescribeTargetGroupAttributes and DescribeTags) and maps it with
// targetGroupProps.
func (h *TargetGroupHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	tg, err := h.read(ctx, rec.ARN)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var delay string
	var tags map[string]string
	if full {
		if delay, err = h.deregistrationDelay(ctx, rec.ARN); err != nil {
			return composite.Observed{}, false, err
		}
		if tags, err = elbv2TagsOf(ctx, h.api, rec.ARN); err != nil {
			return composite.Observed{}, false, err
		}
		tags = userTags(tags)
	}
	return composite.Observed{Props: targetGroupProps(tg, delay, tags), Outputs: targetGroupOutputs(*tg), Full: full}, true, nil
}

// Find looks the target group up by its ARN (q.ID, e.g. what the ECS
// service registers with), else by its name (q.Name: one more
// DescribeTargetGroups call), and observes it in full. With q.OwnedOnly a
// target group whose ownership tags name another owner or key is an error.
func (h *TargetGroupHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	tgARN := q.ID
	if tgARN == "" && q.Name != "" {
		out, err := h.api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{q.Name}})
		if IsNotFound(err, errCodeTargetGroupNotFound) {
			return composite.Recorded{}, composite.Observed{}, false, nil
		}
		if err != nil {
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up target group %q: %w", q.Name, err)
		}
		for _, tg := range out.TargetGroups {
			if aws.ToString(tg.TargetGroupName) == q.Name {
				tgARN = aws.ToString(tg.TargetGroupArn)
			}
		}
		if tgARN == "" {
			return composite.Recorded{}, composite.Observed{}, false, nil
		}
	}
	if tgARN == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no target group ARN or name", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindTargetGroup, ARN: tgARN}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.TargetGroupProps)
	if err := lookupOwned(q, fmt.Sprintf("target group %q (%s)", p.Name, tgARN), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindTargetGroup, p.Name, obs), obs, true, nil
}

// targetGroupProps maps a target group as DescribeTargetGroups returns it
// (and its deregistration delay attribute and user tags, empty when not
// read). The VPC is the resolved one (VPCFromSubnet stays empty); a
// disabled health check reads as no health check settings.
func targetGroupProps(tg *elbv2types.TargetGroup, deregistrationDelay string, tags map[string]string) *composite.TargetGroupProps {
	p := &composite.TargetGroupProps{
		Name:            aws.ToString(tg.TargetGroupName),
		Port:            aws.ToInt32(tg.Port),
		Protocol:        string(tg.Protocol),
		ProtocolVersion: aws.ToString(tg.ProtocolVersion),
		TargetType:      string(tg.TargetType),
		VpcID:           aws.ToString(tg.VpcId),
		Tags:            tags,
	}
	if deregistrationDelay != "" {
		delay, _ := strconv.Atoi(deregistrationDelay)
		p.DeregistrationDelay = int32(delay)
	}
	if aws.ToBool(tg.HealthCheckEnabled) {
		p.HealthCheck = composite.TargetGroupHealthCheck{
			Path:               aws.ToString(tg.HealthCheckPath),
			Matcher:            currentMatcher(*tg),
			Protocol:           string(tg.HealthCheckProtocol),
			Port:               aws.ToString(tg.HealthCheckPort),
			IntervalSeconds:    aws.ToInt32(tg.HealthCheckIntervalSeconds),
			TimeoutSeconds:     aws.ToInt32(tg.HealthCheckTimeoutSeconds),
			HealthyThreshold:   aws.ToInt32(tg.HealthyThresholdCount),
			UnhealthyThreshold: aws.ToInt32(tg.UnhealthyThresholdCount),
		}
	}
	return p
}

// Update converges the health check, the deregistration delay and the tags in
// place, calling a Modify only for what differs. Port, protocol, protocol
// version, target type, VPC and name cannot change in place: the composite
// replaces the target group for those. Calls: DescribeTargetGroups,
// [ModifyTargetGroup], DescribeTargetGroupAttributes,
// [ModifyTargetGroupAttributes], DescribeTags, [RemoveTags], [AddTags].
func (h *TargetGroupHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.TargetGroupProps](c)
	if err != nil {
		return nil, err
	}
	tgARN := prev.ARN
	tg, err := h.read(ctx, tgARN)
	if err != nil {
		return nil, fmt.Errorf("updating target group %q: %w", firstNonEmpty(p.Name, c.Name), err)
	}
	outputs := targetGroupOutputs(*tg)

	if mod := healthCheckChanges(*tg, p); mod != nil {
		mod.TargetGroupArn = aws.String(tgARN)
		if _, err := h.api.ModifyTargetGroup(ctx, mod); err != nil {
			return outputs, fmt.Errorf("modifying health check of target group %s: %w", tgARN, err)
		}
	}

	current, err := h.deregistrationDelay(ctx, tgARN)
	if err != nil {
		return outputs, err
	}
	if current != strconv.Itoa(int(p.DeregistrationDelay)) {
		if err := h.setDeregistrationDelay(ctx, tgARN, p.DeregistrationDelay); err != nil {
			return outputs, err
		}
	}

	if err := syncELBv2Tags(ctx, h.api, tgARN, p.Tags); err != nil {
		return outputs, fmt.Errorf("updating target group %s: %w", tgARN, err)
	}
	return outputs, nil
}

// Delete deletes the target group. A target group that is already gone is not
// an error; ResourceInUse (a listener rule or an ECS service still detaching)
// is retried for up to ResourceInUseTimeout.
func (h *TargetGroupHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if rec.ARN == "" {
		return nil
	}
	err := RetryOn(ctx, ResourceInUseTimeout, isTargetGroupInUse, func(ctx context.Context) error {
		_, err := h.api.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(rec.ARN)})
		return err
	})
	if err != nil && !IsNotFound(err, errCodeTargetGroupNotFound) {
		return fmt.Errorf("deleting target group %s: %w", rec.ARN, err)
	}
	return nil
}

// read returns the target group, or an error IsNotFound accepts.
func (h *TargetGroupHandler) read(ctx context.Context, tgARN string) (*elbv2types.TargetGroup, error) {
	if tgARN == "" {
		return nil, fmt.Errorf("target group without ARN: %w", ErrNotFound)
	}
	out, err := h.api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARN}})
	if IsNotFound(err, errCodeTargetGroupNotFound) {
		return nil, fmt.Errorf("target group %s: %w: %s", tgARN, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("reading target group %s: %w", tgARN, err)
	}
	for i := range out.TargetGroups {
		if aws.ToString(out.TargetGroups[i].TargetGroupArn) == tgARN {
			return &out.TargetGroups[i], nil
		}
	}
	return nil, fmt.Errorf("target group %s: %w", tgARN, ErrNotFound)
}

// vpcID returns the VPC of the target group: VpcID, or the VPC of
// VPCFromSubnet (one DescribeSubnets call).
func (h *TargetGroupHandler) vpcID(ctx context.Context, p *composite.TargetGroupProps) (string, error) {
	if p.VpcID != "" {
		return p.VpcID, nil
	}
	if p.VPCFromSubnet == "" {
		return "", fmt.Errorf("neither vpc_id nor vpc_from_subnet is set")
	}
	if h.ec2 == nil {
		return "", fmt.Errorf("no EC2 client to look up the VPC of subnet %s", p.VPCFromSubnet)
	}
	out, err := h.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{p.VPCFromSubnet}})
	if err != nil {
		return "", fmt.Errorf("looking up the VPC of subnet %s: %w", p.VPCFromSubnet, err)
	}
	for _, s := range out.Subnets {
		if aws.ToString(s.SubnetId) == p.VPCFromSubnet && aws.ToString(s.VpcId) != "" {
			return aws.ToString(s.VpcId), nil
		}
	}
	return "", fmt.Errorf("looking up the VPC of subnet %s: subnet not found", p.VPCFromSubnet)
}

// deregistrationDelay returns the deregistration delay attribute (ELBv2's
// default when not reported). Calls: DescribeTargetGroupAttributes.
func (h *TargetGroupHandler) deregistrationDelay(ctx context.Context, tgARN string) (string, error) {
	attrs, err := h.api.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil {
		return "", fmt.Errorf("reading attributes of target group %s: %w", tgARN, err)
	}
	for _, a := range attrs.Attributes {
		if aws.ToString(a.Key) == tgAttrDeregistrationDelay && aws.ToString(a.Value) != "" {
			return aws.ToString(a.Value), nil
		}
	}
	return strconv.Itoa(tgDefaultDeregistrationDelay), nil
}

func (h *TargetGroupHandler) setDeregistrationDelay(ctx context.Context, tgARN string, seconds int32) error {
	_, err := h.api.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{
		TargetGroupArn: aws.String(tgARN),
		Attributes: []elbv2types.TargetGroupAttribute{{
			Key:   aws.String(tgAttrDeregistrationDelay),
			Value: aws.String(strconv.Itoa(int(seconds))),
		}},
	})
	if err != nil {
		return fmt.Errorf("setting deregistration delay of target group %s: %w", tgARN, err)
	}
	return nil
}

// healthCheckChanges returns a ModifyTargetGroupInput carrying the whole
// desired health check when any configured field differs from tg, else nil.
// Unset (zero) fields keep whatever the target group has.
func healthCheckChanges(tg elbv2types.TargetGroup, p *composite.TargetGroupProps) *elbv2.ModifyTargetGroupInput {
	hc := p.HealthCheck
	differs := !aws.ToBool(tg.HealthCheckEnabled) ||
		(hc.Path != "" && hc.Path != aws.ToString(tg.HealthCheckPath)) ||
		(hc.Port != "" && hc.Port != aws.ToString(tg.HealthCheckPort)) ||
		(hc.Protocol != "" && hc.Protocol != string(tg.HealthCheckProtocol)) ||
		(hc.IntervalSeconds != 0 && hc.IntervalSeconds != aws.ToInt32(tg.HealthCheckIntervalSeconds)) ||
		(hc.TimeoutSeconds != 0 && hc.TimeoutSeconds != aws.ToInt32(tg.HealthCheckTimeoutSeconds)) ||
		(hc.HealthyThreshold != 0 && hc.HealthyThreshold != aws.ToInt32(tg.HealthyThresholdCount)) ||
		(hc.UnhealthyThreshold != 0 && hc.UnhealthyThreshold != aws.ToInt32(tg.UnhealthyThresholdCount)) ||
		(hc.Matcher != "" && hc.Matcher != currentMatcher(tg))
	if !differs {
		return nil
	}
	return &elbv2.ModifyTargetGroupInput{
		HealthCheckEnabled:         aws.Bool(true),
		HealthCheckPath:            optString(hc.Path),
		HealthCheckPort:            optString(hc.Port),
		HealthCheckProtocol:        elbv2types.ProtocolEnum(hc.Protocol),
		HealthCheckIntervalSeconds: optInt32(hc.IntervalSeconds),
		HealthCheckTimeoutSeconds:  optInt32(hc.TimeoutSeconds),
		HealthyThresholdCount:      optInt32(hc.HealthyThreshold),
		UnhealthyThresholdCount:    optInt32(hc.UnhealthyThreshold),
		Matcher:                    tgMatcher(p.ProtocolVersion, hc.Matcher),
	}
}

// tgMatcher returns the success-code matcher: gRPC codes for GRPC target
// groups, HTTP codes otherwise; nil when none is configured.
func tgMatcher(protocolVersion, codes string) *elbv2types.Matcher {
	if codes == "" {
		return nil
	}
	if protocolVersion == "GRPC" {
		return &elbv2types.Matcher{GrpcCode: aws.String(codes)}
	}
	return &elbv2types.Matcher{HttpCode: aws.String(codes)}
}

func currentMatcher(tg elbv2types.TargetGroup) string {
	if tg.Matcher == nil {
		return ""
	}
	return firstNonEmpty(aws.ToString(tg.Matcher.HttpCode), aws.ToString(tg.Matcher.GrpcCode))
}

func targetGroupOutputs(tg elbv2types.TargetGroup) map[string]string {
	tgARN := aws.ToString(tg.TargetGroupArn)
	return map[string]string{
		composite.AttrARN:  tgARN,
		composite.AttrName: aws.ToString(tg.TargetGroupName),
		AttrARNSuffix:      arnResource(tgARN),
		AttrVpcID:          aws.ToString(tg.VpcId),
	}
}

func isTargetGroupInUse(err error) bool { return ErrorCode(err) == errCodeResourceInUse }
