package composite

// Validation of containerapp_cluster's spec.

import (
	"fmt"
	"net"
	"reflect"
	"regexp"
	"strings"
)

const (
	maxCapacityProviders  = 20 // ECS: providers per cluster (soft limit)
	maxStrategyItems      = 6  // ECS: providers in one strategy
	maxStrategyWeight     = 1000
	maxStrategyBase       = 100000
	maxIdleTimeout        = 4000
	maxNamespaceDescLen   = 1024
	maxDNSNameLength      = 253
	minLoadBalancerSubnet = 2
)

var (
	capacityProviderRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	dnsLabelRe         = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	httpNamespaceRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	sslPolicyRe        = regexp.MustCompile(`^ELBSecurityPolicy-[A-Za-z0-9-]{1,100}$`)
	namespaceDescRe    = regexp.MustCompile(`^[^\x00-\x1f\x7f]*$`)
)

// Validate checks the whole spec and returns every problem found, each with
// its attribute path. It applies the defaults to a copy first and never
// calls AWS. An empty vpc_id or subnet_ids is valid (defaulted by lookups).
func (s ClusterSpec) Validate() []FieldError {
	c := s.clone()
	c.ApplyDefaults()
	v := &validator{}
	v.clusterSpec(&c)
	return v.errs
}

func (v *validator) clusterSpec(s *ClusterSpec) {
	switch {
	case s.Name == "":
		v.add(AttrPath("name"), "Missing name", "name is required")
	case !clusterNameRe.MatchString(s.Name):
		v.add(AttrPath("name"), "Invalid name", "%q is not an ECS cluster name: 1 to 255 letters, digits, hyphens and underscores", s.Name)
	}

	// Capacity providers and the default strategy.
	cpPath := AttrPath("capacity_providers")
	if len(s.CapacityProviders) > maxCapacityProviders {
		v.add(cpPath, "Too many capacity_providers", "at most %d, got %d", maxCapacityProviders, len(s.CapacityProviders))
	}
	providers := map[string]bool{}
	for i, cp := range s.CapacityProviders {
		p := at(cpPath, IndexStep(i))
		switch {
		case !capacityProviderRe.MatchString(cp):
			v.add(p, "Invalid capacity provider", "%q: 1 to 255 letters, digits, hyphens and underscores (FARGATE, FARGATE_SPOT or an Auto Scaling group capacity provider)", cp)
		case providers[cp]:
			v.add(p, "Duplicate capacity provider", "%q is listed twice", cp)
		}
		providers[cp] = true
	}
	stPath := AttrPath("default_capacity_provider_strategy")
	if len(s.DefaultCapacityProviderStrategy) > maxStrategyItems {
		v.add(stPath, "Too many strategy entries", "a capacity provider strategy holds at most %d providers, got %d", maxStrategyItems, len(s.DefaultCapacityProviderStrategy))
	}
	seen := map[string]bool{}
	withBase, weighted := 0, false
	for i, st := range s.DefaultCapacityProviderStrategy {
		p := at(stPath, IndexStep(i))
		cp := at(p, AttrStep("capacity_provider"))
		switch {
		case st.CapacityProvider == "":
			v.add(cp, "Missing capacity_provider", "capacity_provider is required")
		case !providers[st.CapacityProvider]:
			v.add(cp, "Unknown capacity provider", "%q is not in capacity_providers; a strategy may only use the cluster's providers", st.CapacityProvider)
		case seen[st.CapacityProvider]:
			v.add(cp, "Duplicate capacity provider", "%q appears twice in the strategy", st.CapacityProvider)
		}
		seen[st.CapacityProvider] = true
		v.intRange(at(p, AttrStep("weight")), st.Weight, 0, maxStrategyWeight, "Invalid weight")
		v.intRange(at(p, AttrStep("base")), st.Base, 0, maxStrategyBase, "Invalid base")
		if *st.Base > 0 {
			withBase++
			if withBase == 2 {
				v.add(at(p, AttrStep("base")), "Several bases", "only one provider of a strategy may have a base greater than 0")
			}
		}
		if *st.Weight > 0 {
			weighted = true
		}
	}
	if len(s.DefaultCapacityProviderStrategy) > 0 && !weighted {
		v.add(stPath, "No weighted provider", "at least one provider of the strategy needs a weight greater than 0")
	}

	// Network.
	if s.VpcID != "" && !vpcIDRe.MatchString(s.VpcID) {
		v.add(AttrPath("vpc_id"), "Invalid vpc_id", "%q is not a VPC id (vpc-...)", s.VpcID)
	}
	snPath := AttrPath("subnet_ids")
	if s.SubnetIDs != nil {
		switch {
		case len(s.SubnetIDs) == 0:
			v.add(snPath, "Empty subnet_ids", "list at least one subnet, or leave subnet_ids unset to have them looked up in the VPC")
		case len(s.SubnetIDs) > maxSubnets:
			v.add(snPath, "Too many subnet_ids", "at most %d subnets (ECS awsvpc limit for the services), got %d", maxSubnets, len(s.SubnetIDs))
		case s.LoadBalancer != nil && len(s.SubnetIDs) < minLoadBalancerSubnet:
			v.add(snPath, "Too few subnet_ids", "an Application Load Balancer needs subnets in at least two Availability Zones, got %d subnet", len(s.SubnetIDs))
		}
		v.idList(snPath, s.SubnetIDs, subnetIDRe, "subnet id", "subnet-")
	}

	if sd := s.ServiceDiscovery; sd != nil {
		v.clusterNamespace(sd)
	}
	if lb := s.LoadBalancer; lb != nil {
		v.clusterLoadBalancer(lb)
	}
	v.tags(s.Tags)

	walkSpecStrings(reflect.ValueOf(s).Elem(), nil, func(p []PathStep, str string) {
		if m := refPattern.FindString(str); m != "" {
			v.add(p, "Reserved reference syntax",
				"%q is the syntax this provider uses for references between the resources it creates; it cannot appear in a value", m)
		}
	})
}

func (v *validator) clusterNamespace(sd *ClusterServiceDiscoverySpec) {
	root := AttrPath("service_discovery")
	np := at(root, AttrStep("name"))
	switch sd.Type {
	case NamespaceTypeDNSPrivate:
		if err := checkDNSName(sd.Name); err != nil {
			v.add(np, "Invalid namespace name", "%v", err)
		}
	case NamespaceTypeHTTP:
		if len(sd.Name) > maxNamespaceDescLen || !httpNamespaceRe.MatchString(sd.Name) {
			v.add(np, "Invalid namespace name", "%q: 1 to 1024 letters, digits, dots, hyphens and underscores, starting with a letter or digit", sd.Name)
		}
	default:
		v.add(at(root, AttrStep("type")), "Invalid type", "must be DNS_PRIVATE or HTTP, got %q", sd.Type)
	}
	if len(sd.Description) > maxNamespaceDescLen || !namespaceDescRe.MatchString(sd.Description) {
		v.add(at(root, AttrStep("description")), "Invalid description", "at most %d printable characters", maxNamespaceDescLen)
	}
}

// checkDNSName validates a private DNS namespace name: a domain name of
// labels separated by dots.
func checkDNSName(name string) error {
	if name == "" {
		return fmt.Errorf("name is required")
	}
	if len(name) > maxDNSNameLength {
		return fmt.Errorf("%q is longer than %d characters", name, maxDNSNameLength)
	}
	for _, label := range strings.Split(name, ".") {
		if !dnsLabelRe.MatchString(label) {
			return fmt.Errorf("%q is not a DNS domain name: labels of 1 to 63 letters, digits and hyphens, separated by dots", name)
		}
	}
	return nil
}

func (v *validator) clusterLoadBalancer(lb *ClusterLoadBalancerSpec) {
	root := AttrPath("load_balancer")
	cp := at(root, AttrStep("ingress_cidr_blocks"))
	if len(lb.IngressCIDRBlocks) == 0 {
		v.add(cp, "Empty ingress_cidr_blocks", "list at least one CIDR block (for instance 0.0.0.0/0); the load balancer security group admits only these")
	}
	seen := map[string]bool{}
	for i, c := range lb.IngressCIDRBlocks {
		p := at(cp, IndexStep(i))
		if err := checkCIDR(c); err != nil {
			v.add(p, "Invalid CIDR block", "%v", err)
		} else if seen[c] {
			v.add(p, "Duplicate CIDR block", "%q is listed twice", c)
		}
		seen[c] = true
	}
	if lb.CertificateARN != "" {
		if err := checkCertificateARN(lb.CertificateARN); err != nil {
			v.add(at(root, AttrStep("certificate_arn")), "Invalid certificate_arn", "%v", err)
		}
		if !sslPolicyRe.MatchString(lb.SSLPolicy) {
			v.add(at(root, AttrStep("ssl_policy")), "Invalid ssl_policy", "%q is not an ELB security policy name (ELBSecurityPolicy-...)", lb.SSLPolicy)
		}
	} else if lb.SSLPolicy != "" {
		v.add(at(root, AttrStep("ssl_policy")), "ssl_policy without certificate_arn", "ssl_policy applies to the HTTPS listener, which exists only with certificate_arn")
	}
	v.intRange(at(root, AttrStep("idle_timeout")), lb.IdleTimeout, 1, maxIdleTimeout, "Invalid idle_timeout")
}

// checkCIDR accepts an IPv4 or IPv6 CIDR block in canonical form (the
// network address, as AWS stores it; otherwise every plan would differ).
func checkCIDR(c string) error {
	ip, n, err := net.ParseCIDR(c)
	if err != nil {
		return fmt.Errorf("%q is not a CIDR block (e.g. 10.0.0.0/8 or ::/0)", c)
	}
	if !ip.Equal(n.IP) || n.String() != c {
		return fmt.Errorf("%q is not in canonical form; did you mean %q?", c, n.String())
	}
	return nil
}

func isIPv6CIDR(c string) bool { return strings.Contains(c, ":") }

// checkClusterEnv reports an ACM certificate in another region or account:
// a listener can only use certificates of its own region.
func checkClusterEnv(s *ClusterSpec, env Env) []FieldError {
	v := &validator{}
	if lb := s.LoadBalancer; lb != nil && lb.CertificateARN != "" {
		if a, err := parseARN(lb.CertificateARN); err == nil && a.Service == "acm" {
			p := AttrPath("load_balancer", "certificate_arn")
			if a.Region != env.Region {
				v.add(p, "Certificate in another region", "%q is in %s; the load balancer is created in %s", lb.CertificateARN, a.Region, env.Region)
			} else if env.AccountID != "" && a.Account != env.AccountID {
				v.add(p, "Certificate in another account", "%q belongs to account %s; the provider uses account %s", lb.CertificateARN, a.Account, env.AccountID)
			}
		}
	}
	return v.errs
}
