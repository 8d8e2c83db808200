package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Shared code of the cluster composite's handlers (ECS cluster, Cloud Map
// namespace, security group, load balancer, listener): the observed
// fingerprint used for drift detection, EC2 tag helpers and the network
// lookups the adapter makes before expansion.

// AttrObserved is an output of every cluster child's Read: a hash of the
// live configuration the composite manages, in a canonical form. The
// adapter compares it with ExpectedObserved of the desired (resolved) child
// to detect a child changed out of band, or to adopt an imported one.
const AttrObserved = "observed"

// Further outputs the cluster's handlers return (besides arn, id, name).
const (
	AttrContainerInsights = "container_insights" // enabled | disabled
	AttrCapacityProviders = "capacity_providers" // JSON list
	AttrDefaultStrategy   = "default_strategy"   // JSON list of {capacity_provider, weight, base}
	AttrTags              = "tags"               // JSON map of every tag of the object
	AttrType              = "type"               // namespace type
	AttrDescription       = "description"
	AttrIngressCIDRs      = "ingress_cidr_blocks" // JSON list of the CIDR sources of the ingress rules
	AttrInternal          = "internal"            // "true" | "false"
	AttrSubnets           = "subnets"             // JSON list
	AttrIdleTimeout       = "idle_timeout"
	AttrProtocol          = "protocol"
	AttrPort              = "port"
	AttrCertificateARN    = "certificate_arn"
	AttrSSLPolicy         = "ssl_policy"
)

// ExpectedObserved returns the AttrObserved value a child whose live
// configuration matches c (resolved: no references left) would read back.
// ok is false for kinds without a fingerprint.
func ExpectedObserved(c composite.Child) (string, bool) {
	switch p := c.Props.(type) {
	case *composite.ClusterProps:
		return clusterFingerprint(p.CapacityProviders, p.DefaultStrategy, p.ContainerInsights, p.Tags), true
	case *composite.NamespaceProps:
		return namespaceFingerprint(p.Name, p.Type, p.Description), true
	case *composite.SecurityGroupProps:
		return securityGroupFingerprint(p.Name, p.Description, p.VpcID, ruleAtoms(p.Ingress), ruleAtoms(p.Egress), p.Tags), true
	case *composite.LoadBalancerProps:
		return loadBalancerFingerprint(lbObserved{
			Name: p.Name, Internal: p.Internal, Subnets: normalizedSet(p.Subnets), SecurityGroups: normalizedSet(p.SecurityGroups),
			IPAddressType: p.IPAddressType, IdleTimeout: p.IdleTimeout, DropInvalidHeaderFields: p.DropInvalidHeaderFields,
		}), true
	case *composite.ListenerProps:
		o := listenerObserved{Port: p.Port, Protocol: p.Protocol, CertificateARN: p.CertificateARN, Action: normalizeAction(p.DefaultAction)}
		if p.Protocol == "HTTPS" {
			o.SSLPolicy = p.SSLPolicy
		}
		return composite.HashJSON(o), true
	}
	return "", false
}

// ---------------------------------------------------------------------------
// EC2 tags

func ec2Tags(m map[string]string) []ec2types.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]ec2types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// userTags drops the tags AWS reserves ("aws:" prefix): they are neither
// managed nor compared.
func userTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "aws:") {
			out[k] = v
		}
	}
	return out
}

// jsonString renders v as JSON for an output value.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// ---------------------------------------------------------------------------
// Network lookups (default VPC and its subnets)

// NetworkAPI is the part of *ec2.Client used to resolve a cluster's network.
type NetworkAPI interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
}

var _ NetworkAPI = (*ec2.Client)(nil)

// NetworkError is a network lookup failure that belongs to one attribute
// (Attr is "vpc_id" or "subnet_ids").
type NetworkError struct {
	Attr string
	Err  error
}

func (e *NetworkError) Error() string { return e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// ResolveNetwork fills what the user left unset: with subnets but no VPC,
// the subnets' VPC; with neither, the region's default VPC; without subnets,
// every subnet of the VPC (sorted). Calls: [DescribeSubnets by id],
// [DescribeVpcs isDefault], [DescribeSubnets by vpc-id] - at most two.
func ResolveNetwork(ctx context.Context, api NetworkAPI, vpcID string, subnetIDs []string) (string, []string, error) {
	if vpcID == "" && len(subnetIDs) > 0 {
		out, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnetIDs})
		if err != nil {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("looking up the VPC of subnets %s: %w", strings.Join(subnetIDs, ", "), err)}
		}
		vpcs := map[string]bool{}
		for _, s := range out.Subnets {
			vpcs[aws.ToString(s.VpcId)] = true
		}
		if len(vpcs) != 1 {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("subnets %s belong to %d VPCs (%s); they must share one VPC",
				strings.Join(subnetIDs, ", "), len(vpcs), strings.Join(sortedSetKeys(vpcs), ", "))}
		}
		return sortedSetKeys(vpcs)[0], subnetIDs, nil
	}
	if vpcID == "" {
		out, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
			Filters: []ec2types.Filter{{Name: aws.String("isDefault"), Values: []string{"true"}}},
		})
		if err != nil {
			return "", nil, &NetworkError{"vpc_id", fmt.Errorf("looking up the default VPC: %w", err)}
		}
		for _, v := range out.Vpcs {
			if aws.ToBool(v.IsDefault) {
				vpcID = aws.ToString(v.VpcId)
				break
			}
		}
		if vpcID == "" {
			return "", nil, &NetworkError{"vpc_id", fmt.Errorf("the region has no default VPC: set vpc_id (and subnet_ids)")}
		}
	}
	if len(subnetIDs) > 0 {
		return vpcID, subnetIDs, nil
	}
	var subnets []string
	p := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("listing the subnets of %s: %w", vpcID, err)}
		}
		for _, s := range out.Subnets {
			subnets = append(subnets, aws.ToString(s.SubnetId))
		}
	}
	if len(subnets) == 0 {
		return "", nil, &NetworkError{"subnet_ids", fmt.Errorf("VPC %s has no subnets: set subnet_ids", vpcID)}
	}
	sort.Strings(subnets)
	return vpcID, subnets, nil
}

// ---------------------------------------------------------------------------
// Import: rediscovering a cluster composite's children

// ClusterHandlers are the handlers of the cluster composite's kinds.
type ClusterHandlers struct {
	Cluster       *ECSClusterHandler
	Namespace     *NamespaceHandler
	SecurityGroup *SecurityGroupHandler
	LoadBalancer  *LoadBalancerHandler
	Listener      *ListenerHandler
}

// DiscoverCluster finds the children of the cluster composite named name:
// the ECS cluster by name (found=false when it does not exist), the security
// groups by their ownership tag, the load balancer by its derived name and
// ownership tags, its listeners and the Cloud Map namespace by ownership
// tags. The records carry the children's Read outputs and no hash (unknown).
// With ownedOnly the ECS cluster counts only when it carries the
// composite's ownership tags (deleting by rediscovery must never take an
// unrelated cluster of the same name); an import adopts it regardless.
// Calls: DescribeClusters, DescribeSecurityGroups, DescribeLoadBalancers,
// [DescribeTags, DescribeLoadBalancerAttributes, DescribeListeners,
// DescribeTags], ListNamespaces pages, ListTagsForResource per namespace.
func DiscoverCluster(ctx context.Context, h ClusterHandlers, name string, ownedOnly bool) (map[string]composite.Recorded, bool, error) {
	owner := composite.ClusterID(name)
	rec := map[string]composite.Recorded{}
	add := func(key string, kind composite.Kind, outputs map[string]string) {
		rec[key] = composite.Recorded{
			Key: key, Kind: kind, Name: outputs[composite.AttrName],
			ARN: firstNonEmpty(outputs[composite.AttrARN], outputs[composite.AttrID]), Outputs: outputs,
		}
	}

	cl, err := h.Cluster.find(ctx, name)
	if IsNotFound(err) && !ownedOnly {
		return nil, false, nil
	}
	if IsNotFound(err) {
		cl = &ecstypes.Cluster{} // look for the other children all the same
	} else if err != nil {
		return nil, false, err
	}
	if tags := ecsTagMap(cl.Tags); cl.ClusterArn != nil && (!ownedOnly || tags[composite.TagOwner] == owner && tags[composite.TagKey] == composite.KeyCluster) {
		add(composite.KeyCluster, composite.KindECSCluster, clusterOutputs(cl))
	}

	sgs, err := h.SecurityGroup.api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + composite.TagOwner), Values: []string{owner}},
	}})
	if err != nil {
		return nil, true, fmt.Errorf("looking up the security groups of cluster %q: %w", name, err)
	}
	for i := range sgs.SecurityGroups {
		sg := &sgs.SecurityGroups[i]
		tags := ec2TagMap(sg.Tags)
		switch key := tags[composite.TagKey]; key {
		case composite.KeyLoadBalancerSecurityGroup, composite.KeyServiceSecurityGroup:
			if tags[composite.TagOwner] == owner {
				add(key, composite.KindSecurityGroup, securityGroupOutputs(sg))
			}
		}
	}

	lb, err := findLoadBalancerByName(ctx, h.LoadBalancer.api, composite.LoadBalancerName(name))
	switch {
	case err == nil:
		lbARN := aws.ToString(lb.LoadBalancerArn)
		tags, err := elbv2TagsOf(ctx, h.LoadBalancer.api, lbARN)
		if err != nil {
			return nil, true, err
		}
		if tags[composite.TagOwner] != owner || tags[composite.TagKey] != composite.KeyLoadBalancer {
			break
		}
		attrs, err := h.LoadBalancer.attributes(ctx, lbARN)
		if err != nil {
			return nil, true, err
		}
		add(composite.KeyLoadBalancer, composite.KindLoadBalancer, loadBalancerOutputs(lb, attrs))
		ls, err := h.Listener.api.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
		if err != nil {
			return nil, true, fmt.Errorf("listing the listeners of %s: %w", lbARN, err)
		}
		var arns []string
		byARN := map[string]*elbv2types.Listener{}
		for i := range ls.Listeners {
			arn := aws.ToString(ls.Listeners[i].ListenerArn)
			arns = append(arns, arn)
			byARN[arn] = &ls.Listeners[i]
		}
		if len(arns) > 0 {
			td, err := h.Listener.api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
			if err != nil {
				return nil, true, fmt.Errorf("reading the tags of the listeners of %s: %w", lbARN, err)
			}
			for _, d := range td.TagDescriptions {
				m := map[string]string{}
				for _, t := range d.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				l := byARN[aws.ToString(d.ResourceArn)]
				switch key := m[composite.TagKey]; key {
				case composite.KeyHTTPListener, composite.KeyHTTPSListener:
					if m[composite.TagOwner] == owner && l != nil {
						add(key, composite.KindListener, listenerOutputs(l))
					}
				}
			}
		}
	case !IsNotFound(err):
		return nil, true, err
	}

	all, err := listNamespaces(ctx, h.Namespace.api)
	if err != nil {
		return nil, true, err
	}
	for i := range all {
		ns := &all[i]
		tags, err := h.Namespace.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: ns.Arn})
		if err != nil {
			if IsNotFound(err, "ResourceNotFoundException", errCodeNamespaceNotFound) {
				continue
			}
			return nil, true, fmt.Errorf("reading the tags of Cloud Map namespace %s: %w", aws.ToString(ns.Id), err)
		}
		m := discoveryTagMap(tags.Tags)
		if m[composite.TagOwner] == owner && m[composite.TagKey] == composite.KeyNamespace {
			add(composite.KeyNamespace, composite.NamespaceKind(string(ns.Type)), namespaceOutputsFromSummary(ns))
		}
	}
	return rec, len(rec) > 0, nil
}
