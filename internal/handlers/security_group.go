package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeSecurityGroupInUse     = "InvalidGroup.InUse"
	errCodeSecurityGroupNotFound  = "InvalidGroup.NotFound"
	errCodeSecurityGroupIDInvalid = "InvalidGroupId.Malformed"
	errCodeSecurityGroupDuplicate = "InvalidGroup.Duplicate"
	errCodeDependencyViolation    = "DependencyViolation"
	errCodePermissionDuplicate    = "InvalidPermission.Duplicate"
	errCodePermissionNotFound     = "InvalidPermission.NotFound"
)

// Named timeouts of the security group handler.
const (
	// SecurityGroupPropagationTimeout bounds the retries of a rule call
	// answered InvalidGroup.NotFound: EC2 is eventually consistent, "If you
	// successfully run the CreateSecurityGroup command and then immediately
	// run another command using the security group ID that was provided in
	// the response of CreateSecurityGroup, it might return an
	// InvalidGroup.NotFound error"
	// (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
	// It holds for the group the rule is on and for a group the rule
	// references (the ALB's group, created in the same apply). The AWS
	// provider waits 2 minutes for the same reason.
	SecurityGroupPropagationTimeout = 2 * time.Minute
	// SecurityGroupDeleteFallback bounds the retries of a delete answered
	// DependencyViolation or InvalidGroup.InUse when the context has no
	// deadline; with one (the resource's delete timeout) the retries run
	// until it.
	SecurityGroupDeleteFallback = 15 * time.Minute
)

// SecurityGroupAPI is the part of *ec2.Client the security group handler
// uses.
type SecurityGroupAPI interface {
	CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupIngress(ctx context.Context, in *ec2.RevokeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	RevokeSecurityGroupEgress(ctx context.Context, in *ec2.RevokeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
}

var _ SecurityGroupAPI = (*ec2.Client)(nil)

// SecurityGroupHandler manages composite.KindSecurityGroup children. Rules
// are managed exclusively: a rule the props do not list is revoked. It holds
// no mutable state and is safe for concurrent use.
type SecurityGroupHandler struct {
	api SecurityGroupAPI
}

var (
	_ engine.Handler = (*SecurityGroupHandler)(nil)
	_ engine.Finder  = (*SecurityGroupHandler)(nil)
)

// NewSecurityGroupHandler returns a handler for VPC security groups.
func NewSecurityGroupHandler(api SecurityGroupAPI) *SecurityGroupHandler {
	return &SecurityGroupHandler{api: api}
}

// defaultEgress is the rule AWS puts on a new VPC security group.
var defaultEgress = livePermissions([]ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}})

// Create creates the group with its tags, authorizes the ingress rules and,
// when the egress rules are not AWS's default (all traffic out), replaces
// the default egress rule. Calls: CreateSecurityGroup,
// [AuthorizeSecurityGroupIngress], [RevokeSecurityGroupEgress,
// AuthorizeSecurityGroupEgress]. A group of the same name in the VPC that
// carries this child's ownership tags (an earlier create whose result was
// lost) is adopted and converged; another one is an error. When a rule call
// fails the created group's outputs are returned with the error.
func (h *SecurityGroupHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.SecurityGroupProps](c)
	if err != nil {
		return nil, err
	}
	out, err := h.api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(p.Name),
		Description: aws.String(p.Description),
		VpcId:       aws.String(p.VpcID),
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags:         ec2Tags(p.Tags),
		}},
	})
	if ErrorCode(err) == errCodeSecurityGroupDuplicate {
		sg, ferr := h.byName(ctx, p.VpcID, p.Name)
		if ferr != nil {
			return nil, fmt.Errorf("creating security group %q in %s: %w", p.Name, p.VpcID, err)
		}
		tags := ec2TagMap(sg.Tags)
		if tags[composite.TagOwner] != p.Tags[composite.TagOwner] || tags[composite.TagKey] != p.Tags[composite.TagKey] {
			return nil, fmt.Errorf("creating security group %q in %s: %s exists and is not managed by this composite: %w",
				p.Name, p.VpcID, aws.ToString(sg.GroupId), err)
		}
		return h.converge(ctx, sg, p)
	}
	if err != nil {
		return nil, fmt.Errorf("creating security group %q in %s: %w", p.Name, p.VpcID, err)
	}
	id := aws.ToString(out.GroupId)
	outputs := securityGroupOutputValues(firstNonEmpty(aws.ToString(out.SecurityGroupArn), id), id, p.Name, p.VpcID)
	if perms := permissions(ruleAtoms(p.Ingress), p.Ingress); len(perms) > 0 {
		err := retryGroupNotFound(ctx, func(ctx context.Context) error {
			_, err := h.api.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
			return err
		})
		if err != nil && ErrorCode(err) != errCodePermissionDuplicate {
			return outputs, fmt.Errorf("authorizing ingress of security group %s: %w", id, err)
		}
	}
	if err := h.syncRules(ctx, id, true, defaultEgress, p.Egress); err != nil {
		return outputs, err
	}
	return outputs, nil
}

// Observe reads the group (one DescribeSecurityGroups call, rules and tags
// included) and maps it with securityGroupProps.
func (h *SecurityGroupHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	sg, err := h.read(ctx, securityGroupID(rec))
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	return composite.Observed{Props: securityGroupProps(sg), Outputs: securityGroupOutputs(sg), Full: full}, true, nil
}

// Find looks the group up by its id (q.ID), else by its name (q.Name) in
// the VPC q.Scope[LookupVpcID], or - the VPC unknown - by its name and q's
// ownership tags, and observes it. With q.OwnedOnly a group whose
// ownership tags name another owner or key is an error.
func (h *SecurityGroupHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	id := q.ID
	if id == "" {
		if q.Name == "" {
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no security group id or name", q.Key)
		}
		filters := []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{q.Name}}}
		if vpc := q.Scope[composite.LookupVpcID]; vpc != "" {
			filters = append(filters, ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{vpc}})
		} else {
			filters = append(filters,
				ec2types.Filter{Name: aws.String("tag:" + composite.TagOwner), Values: []string{q.Owner}},
				ec2types.Filter{Name: aws.String("tag:" + composite.TagKey), Values: []string{q.Key}})
		}
		out, err := h.api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: filters})
		if err != nil {
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up security group %q: %w", q.Name, err)
		}
		var ids []string
		for _, sg := range out.SecurityGroups {
			if aws.ToString(sg.GroupName) == q.Name {
				ids = append(ids, aws.ToString(sg.GroupId))
			}
		}
		switch len(ids) {
		case 0:
			return composite.Recorded{}, composite.Observed{}, false, nil
		case 1:
			id = ids[0]
		default:
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up security group %q: %d groups match (%s)", q.Name, len(ids), strings.Join(ids, ", "))
		}
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindSecurityGroup, Outputs: map[string]string{composite.AttrID: id}}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.SecurityGroupProps)
	if err := lookupOwned(q, fmt.Sprintf("security group %q (%s)", p.Name, id), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindSecurityGroup, p.Name, obs), obs, true, nil
}

// securityGroupProps maps a group as DescribeSecurityGroups returns it: one
// rule per reported permission for its CIDR sources (IPv4 and IPv6, with
// the first description), one per source security group, the protocol
// "-1" with ports 0 for all traffic, the user tags. Prefix list sources are
// not part of SecurityGroupRule and are left out.
func securityGroupProps(sg *ec2types.SecurityGroup) *composite.SecurityGroupProps {
	return &composite.SecurityGroupProps{
		Name:        aws.ToString(sg.GroupName),
		Description: aws.ToString(sg.Description),
		VpcID:       aws.ToString(sg.VpcId),
		Ingress:     liveRules(sg.IpPermissions),
		Egress:      liveRules(sg.IpPermissionsEgress),
		Tags:        userTags(ec2TagMap(sg.Tags)),
	}
}

// liveRules maps reported permissions to rules (see securityGroupProps).
func liveRules(perms []ec2types.IpPermission) []composite.SecurityGroupRule {
	rules := []composite.SecurityGroupRule{}
	for _, p := range perms {
		proto, from, to := normalizeProtocol(aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
		cidrs := composite.SecurityGroupRule{Protocol: proto, FromPort: from, ToPort: to}
		for _, r := range p.IpRanges {
			cidrs.CIDRBlocks = append(cidrs.CIDRBlocks, aws.ToString(r.CidrIp))
			cidrs.Description = firstNonEmpty(cidrs.Description, aws.ToString(r.Description))
		}
		for _, r := range p.Ipv6Ranges {
			cidrs.IPv6CIDRBlocks = append(cidrs.IPv6CIDRBlocks, aws.ToString(r.CidrIpv6))
			cidrs.Description = firstNonEmpty(cidrs.Description, aws.ToString(r.Description))
		}
		if len(cidrs.CIDRBlocks) > 0 || len(cidrs.IPv6CIDRBlocks) > 0 {
			rules = append(rules, cidrs)
		}
		for _, g := range p.UserIdGroupPairs {
			rules = append(rules, composite.SecurityGroupRule{Protocol: proto, FromPort: from, ToPort: to,
				SourceSecurityGroupID: aws.ToString(g.GroupId), Description: aws.ToString(g.Description)})
		}
	}
	return rules
}

// Update converges the rules (revoking what is not listed, authorizing what
// is missing) and the tags. Name, description and VPC cannot change: the
// composite replaces the group. Calls: DescribeSecurityGroups,
// [RevokeSecurityGroupIngress], [AuthorizeSecurityGroupIngress],
// [RevokeSecurityGroupEgress], [AuthorizeSecurityGroupEgress], [DeleteTags],
// [CreateTags].
func (h *SecurityGroupHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.SecurityGroupProps](c)
	if err != nil {
		return nil, err
	}
	sg, err := h.read(ctx, securityGroupID(prev))
	if err != nil {
		return nil, fmt.Errorf("updating security group %q: %w", p.Name, err)
	}
	return h.converge(ctx, sg, p)
}

func (h *SecurityGroupHandler) converge(ctx context.Context, sg *ec2types.SecurityGroup, p *composite.SecurityGroupProps) (map[string]string, error) {
	id := aws.ToString(sg.GroupId)
	outputs := securityGroupOutputs(sg)
	if err := h.syncRules(ctx, id, false, livePermissions(sg.IpPermissions), p.Ingress); err != nil {
		return outputs, err
	}
	if err := h.syncRules(ctx, id, true, livePermissions(sg.IpPermissionsEgress), p.Egress); err != nil {
		return outputs, err
	}
	set, remove := tagChanges(ec2TagMap(sg.Tags), p.Tags)
	if len(remove) > 0 {
		tags := make([]ec2types.Tag, 0, len(remove))
		for _, k := range remove {
			tags = append(tags, ec2types.Tag{Key: aws.String(k)})
		}
		if _, err := h.api.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: tags}); err != nil {
			return outputs, fmt.Errorf("removing tags %v from security group %s: %w", remove, id, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(set)}); err != nil {
			return outputs, fmt.Errorf("tagging security group %s: %w", id, err)
		}
	}
	return outputs, nil
}

// retryGroupNotFound runs one rule call (Authorize or Revoke), retrying
// InvalidGroup.NotFound - the group, or a group a rule references, not yet
// visible - for SecurityGroupPropagationTimeout (bounded by ctx).
func retryGroupNotFound(ctx context.Context, call func(context.Context) error) error {
	return RetryOn(ctx, SecurityGroupPropagationTimeout, func(err error) bool { return ErrorCode(err) == errCodeSecurityGroupNotFound }, call)
}

// syncRules makes the group's ingress (or egress) rules equal to desired,
// given the current rule atoms: revoke first (so a rule moved between
// descriptions is never duplicated), then authorize. A rule call answered
// InvalidGroup.NotFound is retried (retryGroupNotFound).
func (h *SecurityGroupHandler) syncRules(ctx context.Context, id string, egress bool, live map[string]ec2types.IpPermission, desired []composite.SecurityGroupRule) error {
	current := make([]string, 0, len(live))
	for a := range live {
		current = append(current, a)
	}
	current = normalizedSet(current)
	want := ruleAtoms(desired)
	wantSet, curSet := map[string]bool{}, map[string]bool{}
	for _, a := range want {
		wantSet[a] = true
	}
	for _, a := range current {
		curSet[a] = true
	}
	var revoke, authorize []string
	for _, a := range current {
		if !wantSet[a] {
			revoke = append(revoke, a)
		}
	}
	for _, a := range want {
		if !curSet[a] {
			authorize = append(authorize, a)
		}
	}
	dir := "ingress"
	if egress {
		dir = "egress"
	}
	if len(revoke) > 0 {
		perms := make([]ec2types.IpPermission, 0, len(revoke))
		for _, a := range revoke {
			perms = append(perms, live[a])
		}
		err := retryGroupNotFound(ctx, func(ctx context.Context) error {
			var err error
			if egress {
				_, err = h.api.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: perms})
			} else {
				_, err = h.api.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
			}
			return err
		})
		if err != nil && ErrorCode(err) != errCodePermissionNotFound {
			return fmt.Errorf("revoking %s rules %v of security group %s: %w", dir, revoke, id, err)
		}
	}
	if len(authorize) > 0 {
		perms := permissions(authorize, desired)
		err := retryGroupNotFound(ctx, func(ctx context.Context) error {
			var err error
			if egress {
				_, err = h.api.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: perms})
			} else {
				_, err = h.api.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
			}
			return err
		})
		if err != nil && ErrorCode(err) != errCodePermissionDuplicate {
			return fmt.Errorf("authorizing %s rules %v of security group %s: %w", dir, authorize, id, err)
		}
	}
	return nil
}

// Delete deletes the group. A group already gone is fine. DependencyViolation
// and InvalidGroup.InUse (a load balancer's or task's network interfaces
// still being released - ALB ENIs go asynchronously, minutes after
// DeleteLoadBalancer returns - or another group's rule still referencing
// it) are retried until ctx's deadline (the resource's delete timeout), else
// for SecurityGroupDeleteFallback.
func (h *SecurityGroupHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	id := securityGroupID(rec)
	if id == "" {
		return nil
	}
	err := RetryOn(ctx, waitBudget(ctx, SecurityGroupDeleteFallback), securityGroupInUse,
		func(ctx context.Context) error {
			_, err := h.api.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
			return err
		})
	if err != nil && !IsNotFound(err, errCodeSecurityGroupNotFound) {
		return fmt.Errorf("deleting security group %s: %w", id, err)
	}
	return nil
}

// securityGroupInUse reports whether a DeleteSecurityGroup error means the
// group is still in use by something that goes away on its own (the
// delete is retried).
func securityGroupInUse(err error) bool {
	switch ErrorCode(err) {
	case errCodeDependencyViolation, errCodeSecurityGroupInUse:
		return true
	}
	return false
}

// read returns the group, or an error IsNotFound accepts.
func (h *SecurityGroupHandler) read(ctx context.Context, id string) (*ec2types.SecurityGroup, error) {
	if id == "" {
		return nil, fmt.Errorf("security group without an id: %w", ErrNotFound)
	}
	out, err := h.api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if IsNotFound(err, errCodeSecurityGroupNotFound, errCodeSecurityGroupIDInvalid) {
		return nil, fmt.Errorf("security group %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading security group %s: %w", id, err)
	}
	for i := range out.SecurityGroups {
		if aws.ToString(out.SecurityGroups[i].GroupId) == id {
			return &out.SecurityGroups[i], nil
		}
	}
	return nil, fmt.Errorf("security group %s: %w", id, ErrNotFound)
}

// byName returns the group of that name in the VPC, or an error IsNotFound
// accepts.
func (h *SecurityGroupHandler) byName(ctx context.Context, vpcID, name string) (*ec2types.SecurityGroup, error) {
	out, err := h.api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		return nil, err
	}
	for i := range out.SecurityGroups {
		if aws.ToString(out.SecurityGroups[i].GroupName) == name {
			return &out.SecurityGroups[i], nil
		}
	}
	return nil, fmt.Errorf("security group %q in %s: %w", name, vpcID, ErrNotFound)
}

// securityGroupID is the recorded group id: the id output, else the last
// part of the ARN (arn:...:security-group/sg-...).
func securityGroupID(rec composite.Recorded) string {
	if id := recordedOutput(rec, composite.AttrID); id != "" {
		return id
	}
	return lastSegment(rec.ARN)
}

// ruleAtoms renders rules as canonical one-source atoms
// "<protocol>|<from>|<to>|<4:cidr | 6:cidr | sg:id>", sorted and distinct.
// Descriptions are not part of an atom.
func ruleAtoms(rules []composite.SecurityGroupRule) []string {
	var atoms []string
	for _, r := range rules {
		proto, from, to := normalizeProtocol(r.Protocol, r.FromPort, r.ToPort)
		prefix := fmt.Sprintf("%s|%d|%d|", proto, from, to)
		for _, c := range r.CIDRBlocks {
			atoms = append(atoms, prefix+"4:"+c)
		}
		for _, c := range r.IPv6CIDRBlocks {
			atoms = append(atoms, prefix+"6:"+c)
		}
		if r.SourceSecurityGroupID != "" {
			atoms = append(atoms, prefix+"sg:"+r.SourceSecurityGroupID)
		}
	}
	return normalizedSet(atoms)
}

// livePermissions splits the permissions AWS reports into one-source
// permissions by atom, exactly as reported (descriptions and user ids
// included: a revoke matching them is accepted everywhere).
func livePermissions(perms []ec2types.IpPermission) map[string]ec2types.IpPermission {
	out := map[string]ec2types.IpPermission{}
	for _, p := range perms {
		proto, from, to := normalizeProtocol(aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
		prefix := fmt.Sprintf("%s|%d|%d|", proto, from, to)
		base := ec2types.IpPermission{IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort}
		for _, r := range p.IpRanges {
			one := base
			one.IpRanges = []ec2types.IpRange{r}
			out[prefix+"4:"+aws.ToString(r.CidrIp)] = one
		}
		for _, r := range p.Ipv6Ranges {
			one := base
			one.Ipv6Ranges = []ec2types.Ipv6Range{r}
			out[prefix+"6:"+aws.ToString(r.CidrIpv6)] = one
		}
		for _, g := range p.UserIdGroupPairs {
			one := base
			one.UserIdGroupPairs = []ec2types.UserIdGroupPair{g}
			out[prefix+"sg:"+aws.ToString(g.GroupId)] = one
		}
		for _, pl := range p.PrefixListIds {
			one := base
			one.PrefixListIds = []ec2types.PrefixListId{pl}
			out[prefix+"pl:"+aws.ToString(pl.PrefixListId)] = one
		}
	}
	return out
}

func normalizeProtocol(proto string, from, to int32) (string, int32, int32) {
	proto = strings.ToLower(proto)
	if proto == "-1" || proto == "all" || proto == "" {
		return "-1", 0, 0
	}
	return proto, from, to
}

// permissions turns atoms back into IpPermissions (one per atom), with the
// description of the desired rule the atom comes from when known.
func permissions(atoms []string, desired []composite.SecurityGroupRule) []ec2types.IpPermission {
	desc := map[string]string{}
	for _, r := range desired {
		for _, a := range ruleAtoms([]composite.SecurityGroupRule{r}) {
			desc[a] = r.Description
		}
	}
	perms := make([]ec2types.IpPermission, 0, len(atoms))
	for _, a := range atoms {
		f := strings.SplitN(a, "|", 4)
		if len(f) != 4 {
			continue
		}
		from, _ := strconv.Atoi(f[1])
		to, _ := strconv.Atoi(f[2])
		perm := ec2types.IpPermission{IpProtocol: aws.String(f[0])}
		if f[0] != "-1" {
			perm.FromPort, perm.ToPort = aws.Int32(int32(from)), aws.Int32(int32(to))
		}
		d := optString(desc[a])
		src, val, _ := strings.Cut(f[3], ":")
		switch src {
		case "4":
			perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(val), Description: d}}
		case "6":
			perm.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(val), Description: d}}
		case "sg":
			perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(val), Description: d}}
		case "pl":
			perm.PrefixListIds = []ec2types.PrefixListId{{PrefixListId: aws.String(val)}}
		}
		perms = append(perms, perm)
	}
	return perms
}

func securityGroupOutputs(sg *ec2types.SecurityGroup) map[string]string {
	id := aws.ToString(sg.GroupId)
	return securityGroupOutputValues(firstNonEmpty(aws.ToString(sg.SecurityGroupArn), id), id, aws.ToString(sg.GroupName), aws.ToString(sg.VpcId))
}

func securityGroupOutputValues(arn, id, name, vpcID string) map[string]string {
	return map[string]string{
		composite.AttrARN:  arn,
		composite.AttrID:   id,
		composite.AttrName: name,
		AttrVpcID:          vpcID,
	}
}
