package composite

import (
	"fmt"
	"sort"
)

// Logical keys of containerapp_cluster's children. A key never changes
// without a state upgrader.
const (
	KeyCluster                   = "cluster"
	KeyNamespace                 = "namespace"
	KeyLoadBalancerSecurityGroup = "load_balancer_security_group"
	KeyServiceSecurityGroup      = "service_security_group"
	KeyLoadBalancer              = "load_balancer"
	KeyHTTPListener              = "http_listener"
	KeyHTTPSListener             = "https_listener"
)

// ExpandCluster applies the defaults to a copy of spec, validates it
// (ValidationErrors when invalid) and expands it into the desired children,
// in dependency order (then by key). VpcID must be resolved before (the
// adapter looks up the default VPC), and with a load balancer SubnetIDs too.
//
// Children: the ECS cluster (always), the services' security group (always:
// services attach it; it admits traffic only from the load balancer's group),
// the Cloud Map namespace (with service_discovery), and with load_balancer
// the load balancer's security group, the ALB, an HTTP listener (fixed 404,
// or a redirect to HTTPS with a certificate) and the HTTPS listener.
func ExpandCluster(spec ClusterSpec, env Env) (Graph, error) {
	s := spec.clone()
	s.ApplyDefaults()
	v := &validator{}
	v.clusterSpec(&s)
	if len(v.errs) > 0 {
		return Graph{}, ValidationErrors(v.errs)
	}
	if errs := checkClusterEnv(&s, env); len(errs) > 0 {
		return Graph{}, ValidationErrors(errs)
	}
	if s.VpcID == "" {
		return Graph{}, fmt.Errorf("expanding cluster %q: vpc_id is not resolved", s.Name)
	}
	if s.LoadBalancer != nil && len(s.SubnetIDs) == 0 {
		return Graph{}, fmt.Errorf("expanding cluster %q: subnet_ids are not resolved", s.Name)
	}
	x := &clusterExpander{graphBuilder: newGraphBuilder(ClusterID(s.Name), env, s.Tags), s: &s}
	x.expand()
	return x.graph(), nil
}

// clusterExpander builds the cluster's children: expand calls one builder
// per group of children, in dependency order.
type clusterExpander struct {
	graphBuilder
	s *ClusterSpec
}

// allEgress is the egress rule of both security groups: everything out
// (what AWS puts on a new group).
func allEgress() []SecurityGroupRule {
	return []SecurityGroupRule{{Protocol: "-1", CIDRBlocks: []string{"0.0.0.0/0"}}}
}

func (x *clusterExpander) expand() {
	x.addECSCluster()
	x.addNamespace()
	x.addSecurityGroups()
	x.addLoadBalancer()
	x.addListeners()
}

// addECSCluster adds the ECS cluster, the anchor.
func (x *clusterExpander) addECSCluster() {
	s := x.s
	cl := &ClusterProps{
		Name:              s.Name,
		CapacityProviders: sortedCopy(s.CapacityProviders),
		ContainerInsights: "disabled",
		Tags:              x.tags(KeyCluster),
	}
	if cl.CapacityProviders == nil {
		cl.CapacityProviders = []string{}
	}
	if *s.ContainerInsights {
		cl.ContainerInsights = "enabled"
	}
	cl.DefaultStrategy = []CapacityProviderStrategyItem{}
	for _, st := range s.DefaultCapacityProviderStrategy {
		cl.DefaultStrategy = append(cl.DefaultStrategy, CapacityProviderStrategyItem{
			CapacityProvider: st.CapacityProvider, Weight: int32(*st.Weight), Base: int32(*st.Base),
		})
	}
	sort.Slice(cl.DefaultStrategy, func(i, j int) bool {
		return cl.DefaultStrategy[i].CapacityProvider < cl.DefaultStrategy[j].CapacityProvider
	})
	x.add(KeyCluster, KindECSCluster, cl.Name, cl, struct {
		Name string `json:"name"`
	}{cl.Name})
}

// addNamespace adds the Cloud Map namespace (with service_discovery).
func (x *clusterExpander) addNamespace() {
	sd := x.s.ServiceDiscovery
	if sd == nil {
		return
	}
	ns := &NamespaceProps{Name: sd.Name, Type: sd.Type, Description: sd.Description, Tags: x.tags(KeyNamespace)}
	if sd.Type == NamespaceTypeDNSPrivate {
		ns.VpcID = x.s.VpcID
	}
	x.add(KeyNamespace, NamespaceKind(sd.Type), ns.Name, ns, struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		VpcID string `json:"vpc_id,omitempty"`
	}{ns.Name, ns.Type, ns.VpcID})
}

// addSecurityGroups adds the services' security group (always: services
// attach it; with a load balancer only the load balancer's group may
// connect) and, with load_balancer, the load balancer's group
// (ingress_cidr_blocks on the listener ports only).
func (x *clusterExpander) addSecurityGroups() {
	s, name := x.s, x.s.Name
	sgReplace := func(p *SecurityGroupProps) any {
		return struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			VpcID       string `json:"vpc_id"`
		}{p.Name, p.Description, p.VpcID}
	}

	svc := &SecurityGroupProps{
		Name:        SecurityGroupName(name, ServiceSecurityGroupSuffix),
		Description: securityGroupDescription("ECS services", name),
		VpcID:       s.VpcID,
		Ingress:     []SecurityGroupRule{},
		Egress:      allEgress(),
		Tags:        x.tags(KeyServiceSecurityGroup),
	}
	lb := s.LoadBalancer
	if lb != nil {
		svc.Ingress = []SecurityGroupRule{{
			Protocol: "tcp", FromPort: 0, ToPort: 65535,
			SourceSecurityGroupID: RefString(KeyLoadBalancerSecurityGroup, AttrID),
			Description:           "All TCP from the cluster load balancer",
		}}
	}
	x.add(KeyServiceSecurityGroup, KindSecurityGroup, svc.Name, svc, sgReplace(svc))
	if lb == nil {
		return
	}

	var v4, v6 []string
	for _, c := range sortedCopy(lb.IngressCIDRBlocks) {
		if isIPv6CIDR(c) {
			v6 = append(v6, c)
		} else {
			v4 = append(v4, c)
		}
	}
	ports := []int32{HTTPPort}
	if lb.CertificateARN != "" {
		ports = append(ports, HTTPSPort)
	}
	albSG := &SecurityGroupProps{
		Name:        SecurityGroupName(name, LoadBalancerSecurityGroupSuffix),
		Description: securityGroupDescription("Load balancer", name),
		VpcID:       s.VpcID,
		Egress:      allEgress(),
		Tags:        x.tags(KeyLoadBalancerSecurityGroup),
	}
	for _, port := range ports {
		albSG.Ingress = append(albSG.Ingress, SecurityGroupRule{
			Protocol: "tcp", FromPort: port, ToPort: port, CIDRBlocks: v4, IPv6CIDRBlocks: v6,
			Description: fmt.Sprintf("Port %d from ingress_cidr_blocks", port),
		})
	}
	x.add(KeyLoadBalancerSecurityGroup, KindSecurityGroup, albSG.Name, albSG, sgReplace(albSG))
}

// addLoadBalancer adds the Application Load Balancer (with load_balancer).
func (x *clusterExpander) addLoadBalancer() {
	s := x.s
	lb := s.LoadBalancer
	if lb == nil {
		return
	}
	alb := &LoadBalancerProps{
		Name:                    LoadBalancerName(s.Name),
		Internal:                *lb.Internal,
		Subnets:                 sortedCopy(s.SubnetIDs),
		SecurityGroups:          []string{RefString(KeyLoadBalancerSecurityGroup, AttrID)},
		IPAddressType:           "ipv4",
		IdleTimeout:             int32(*lb.IdleTimeout),
		DropInvalidHeaderFields: true,
		Tags:                    x.tags(KeyLoadBalancer),
	}
	x.add(KeyLoadBalancer, KindLoadBalancer, alb.Name, alb, struct {
		Name          string `json:"name"`
		Internal      bool   `json:"internal"`
		IPAddressType string `json:"ip_address_type"`
	}{alb.Name, alb.Internal, alb.IPAddressType})
}

// addListeners adds the load balancer's listeners (with load_balancer): an
// HTTP listener answering 404 or, with a certificate, redirecting to the
// HTTPS listener, which answers 404.
func (x *clusterExpander) addListeners() {
	lb := x.s.LoadBalancer
	if lb == nil {
		return
	}
	notFound := ListenerAction{Type: "fixed-response", StatusCode: NotFoundStatus, ContentType: NotFoundType, MessageBody: NotFoundBody}
	listener := func(key, protocol string, port int32, action ListenerAction, cert, policy string) {
		p := &ListenerProps{
			LoadBalancerARN: RefString(KeyLoadBalancer, AttrARN),
			Port:            port,
			Protocol:        protocol,
			CertificateARN:  cert,
			SSLPolicy:       policy,
			DefaultAction:   action,
			Tags:            x.tags(key),
		}
		name := ListenerName(protocol, port)
		x.add(key, KindListener, name, p, struct {
			Name string `json:"name"`
			Port int32  `json:"port"`
		}{name, port}, KeyLoadBalancer)
	}
	httpAction := notFound
	if lb.CertificateARN != "" {
		httpAction = ListenerAction{Type: "redirect", StatusCode: RedirectStatus, RedirectProtocol: "HTTPS", RedirectPort: fmt.Sprint(HTTPSPort)}
		listener(KeyHTTPSListener, "HTTPS", HTTPSPort, notFound, lb.CertificateARN, lb.SSLPolicy)
	}
	listener(KeyHTTPListener, "HTTP", HTTPPort, httpAction, "", "")
}

// ListenerKey returns the key of the listener services attach their rules
// to: HTTPS when the spec has a certificate, else HTTP ("" without a load
// balancer).
func (s ClusterSpec) ListenerKey() string {
	switch {
	case s.LoadBalancer == nil:
		return ""
	case s.LoadBalancer.CertificateARN != "":
		return KeyHTTPSListener
	}
	return KeyHTTPListener
}
