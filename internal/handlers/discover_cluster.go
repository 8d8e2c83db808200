package handlers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Import of a cluster composite: rediscovering its children. This goes
// away once every handler implements engine.Finder and the engine runs the
// discovery (composite.ClusterLookups).

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

	cl, err := h.Cluster.read(ctx, name)
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

	lb, err := h.LoadBalancer.byName(ctx, composite.LoadBalancerName(name))
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

	all, err := h.Namespace.list(ctx)
	if err != nil {
		return nil, true, err
	}
	for i := range all {
		ns := &all[i]
		m, err := h.Namespace.tags(ctx, aws.ToString(ns.Arn))
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, true, err
		}
		if m[composite.TagOwner] == owner && m[composite.TagKey] == composite.KeyNamespace {
			add(composite.KeyNamespace, composite.NamespaceKind(string(ns.Type)), namespaceOutputsFromSummary(ns))
		}
	}
	return rec, len(rec) > 0, nil
}
