package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Observed fingerprints of the service composite's children: the same
// mechanism as the cluster's (AttrObserved, ExpectedObserved). Each handler's
// Read returns outputs[AttrObserved], a hash of the live configuration the
// composite manages, computed from the one response Read already gets (no
// extra call). A successful Create or Update returns the fingerprint of what
// it converged the object to (the desired one); a failed one returns an empty
// fingerprint ("unknown"). The adapter compares the recorded value with
// ExpectedObservedService of the desired (resolved) child to find a child
// changed out of band.
//
// What is fingerprinted per kind (anything that needs another call is left
// out: ECR lifecycle policy, target group deregistration delay, the tags of
// log groups, repositories, target groups, rules and Cloud Map services, the
// managed policies attached to a role):
//   - IAM role: trust policy (canonical JSON), path, description, max session
//     duration, tags;
//   - inline role policy: the policy document (canonical JSON);
//   - log group: retention days, KMS key;
//   - ECR repository: image tag mutability, scan on push;
//   - target group: port, protocol, health check;
//   - listener rule: conditions, actions, and the priority when it is
//     explicit (an allocated priority is whatever the rule has);
//   - Cloud Map service: DNS record types and TTLs;
//   - task definition: the normalized definition the handler compares before
//     registering a revision, tags;
//   - ECS service: task definition, desired count, awsvpc network, load
//     balancers, service registries, tags. The deployment configuration, the
//     health check grace period and execute command are left out: moto drops
//     them on CreateService.

// ExpectedObservedService returns the AttrObserved value a child of the
// service composite whose live configuration matches c (resolved: no
// references left) reads back. Other kinds are passed on to ExpectedObserved
// (the cluster's), so it serves either composite. ok is false for kinds
// without a fingerprint.
func ExpectedObservedService(c composite.Child) (string, bool) {
	switch p := c.Props.(type) {
	case *composite.ServiceProps:
		return composite.HashJSON(ecsServiceObservedFromProps(p)), true
	}
	return ExpectedObserved(c)
}

// observeApplied finishes the outputs of a Create or Update of c: on success
// the fingerprint of the desired configuration (the handler converged every
// fingerprinted setting to it), on failure an empty one - the object may be
// half converged, so the adapter must neither compare nor adopt it.
func observeApplied(c composite.Child, out map[string]string, err error) (map[string]string, error) {
	if out == nil {
		return nil, err
	}
	out[AttrObserved] = ""
	if err == nil {
		if fp, ok := ExpectedObservedService(c); ok {
			out[AttrObserved] = fp
		}
	}
	return out, err
}

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
// Fingerprinted shapes, one per kind. Every slice is normalized (sorted,
// distinct, never nil) and every map is non-nil, so that a props value and the
// SDK shape read back for it hash the same.

type ecsNetworkObserved struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"security_groups"`
	AssignPublicIP string   `json:"assign_public_ip"` // ENABLED | DISABLED
}

type ecsServiceObserved struct {
	TaskDefinition    string              `json:"task_definition"` // "family:revision"
	DesiredCount      int32               `json:"desired_count"`
	Network           *ecsNetworkObserved `json:"network"`
	LoadBalancers     []string            `json:"load_balancers"`
	ServiceRegistries []string            `json:"service_registries"`
	Tags              map[string]string   `json:"tags"`
}

func ecsServiceObservedFromProps(p *composite.ServiceProps) ecsServiceObserved {
	return ecsServiceObservedOf(p.TaskDefinition, p.DesiredCount, serviceNetwork(p), serviceLoadBalancers(p), serviceRegistries(p), p.Tags)
}

// ecsServiceFingerprint is the observed fingerprint of a service as
// DescribeServices (with tags) returns it.
func ecsServiceFingerprint(svc *ecstypes.Service) string {
	return composite.HashJSON(ecsServiceObservedOf(aws.ToString(svc.TaskDefinition), svc.DesiredCount, svc.NetworkConfiguration,
		svc.LoadBalancers, svc.ServiceRegistries, ecsTagMap(svc.Tags)))
}

func ecsServiceObservedOf(taskDefinition string, desired int32, network *ecstypes.NetworkConfiguration,
	lbs []ecstypes.LoadBalancer, regs []ecstypes.ServiceRegistry, tags map[string]string) ecsServiceObserved {
	o := ecsServiceObserved{
		TaskDefinition: lastSegment(taskDefinition), DesiredCount: desired,
		LoadBalancers: []string{}, ServiceRegistries: []string{}, Tags: userTags(tags),
	}
	if network != nil && network.AwsvpcConfiguration != nil {
		n := network.AwsvpcConfiguration
		o.Network = &ecsNetworkObserved{
			Subnets: normalizedSet(n.Subnets), SecurityGroups: normalizedSet(n.SecurityGroups),
			AssignPublicIP: firstNonEmpty(string(n.AssignPublicIp), string(ecstypes.AssignPublicIpDisabled)),
		}
	}
	for _, lb := range lbs {
		o.LoadBalancers = append(o.LoadBalancers, fmt.Sprintf("%s|%s|%s|%d", aws.ToString(lb.TargetGroupArn), aws.ToString(lb.LoadBalancerName),
			aws.ToString(lb.ContainerName), aws.ToInt32(lb.ContainerPort)))
	}
	for _, r := range regs {
		o.ServiceRegistries = append(o.ServiceRegistries, fmt.Sprintf("%s|%s|%d|%d", aws.ToString(r.RegistryArn), aws.ToString(r.ContainerName),
			aws.ToInt32(r.ContainerPort), aws.ToInt32(r.Port)))
	}
	sort.Strings(o.LoadBalancers)
	sort.Strings(o.ServiceRegistries)
	return o
}

// ---------------------------------------------------------------------------
// Canonical IAM policy documents

// policyScalarKeys are the policy elements whose value is a single string;
// every other string value may equally be written as a one-element list.
var policyScalarKeys = map[string]bool{"Version": true, "Id": true, "Sid": true, "Effect": true}

// canonicalPolicy returns a canonical JSON form of an IAM policy document, so
// that documents IAM treats as the same hash the same: URL-decoded (as IAM
// returns them), statements in a sorted order, a single value written as a
// one-element list, lists of values sorted and made distinct, numbers and
// booleans as strings, object keys sorted. A document that does not parse is
// returned as is.
func canonicalPolicy(doc string) string {
	if doc == "" {
		return ""
	}
	v, ok := parsePolicy(doc)
	if !ok {
		return doc
	}
	return canonicalJSON(canonicalPolicyValue("", v))
}

// parsePolicy parses doc as JSON, URL-decoding it first when it is not JSON
// as it stands (GetRole and GetRolePolicy return RFC 3986-encoded text).
func parsePolicy(doc string) (any, bool) {
	parse := func(s string) (any, bool) {
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil || d.More() {
			return nil, false
		}
		return v, true
	}
	if v, ok := parse(doc); ok {
		return v, true
	}
	for _, unescape := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if s, err := unescape(doc); err == nil {
			if v, ok := parse(s); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// canonicalPolicyValue normalizes v, the value of the element named key.
func canonicalPolicyValue(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = canonicalPolicyValue(k, e)
		}
		if key == "Statement" {
			return []any{out}
		}
		return out
	case []any:
		var scalars []string
		var others []any
		for _, e := range t {
			switch n := canonicalPolicyValue(key, e).(type) {
			case []any: // a scalar turned into a one-element list
				for _, s := range n {
					if str, ok := s.(string); ok {
						scalars = append(scalars, str)
					} else {
						others = append(others, s)
					}
				}
			case map[string]any:
				others = append(others, n)
			default:
				others = append(others, n)
			}
		}
		out := make([]any, 0, len(t))
		for _, s := range normalizedSet(scalars) {
			out = append(out, s)
		}
		sort.SliceStable(others, func(i, j int) bool { return canonicalJSON(others[i]) < canonicalJSON(others[j]) })
		return append(out, others...)
	case nil:
		return nil
	}
	s := scalarString(v)
	if policyScalarKeys[key] {
		return s
	}
	return []any{s}
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}

// canonicalJSON marshals v with sorted object keys and no HTML escaping.
func canonicalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n"))
}
