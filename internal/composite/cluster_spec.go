package composite

import (
	"encoding/json"
	"fmt"
)

// ClusterSpec is the containerapp_cluster resource as the user wrote it. The
// json tags are the HCL attribute names (used for attribute paths). As in
// ServiceSpec, optional numbers and true-by-default booleans are pointers and
// optional blocks are pointer structs. The two capacity provider lists keep
// nil ("unset": defaulted) apart from an empty list ("none"); their json tags
// have no omitempty so clone preserves the difference.
type ClusterSpec struct {
	Name string `json:"name"` // required; forces replacement

	CapacityProviders               []string                       `json:"capacity_providers"`
	DefaultCapacityProviderStrategy []CapacityProviderStrategySpec `json:"default_capacity_provider_strategy"`
	ContainerInsights               *bool                          `json:"container_insights,omitempty"`

	// VpcID and SubnetIDs are optional for the user; the adapter resolves
	// them (the region's default VPC, that VPC's subnets) before ExpandCluster,
	// which needs VpcID.
	VpcID     string   `json:"vpc_id,omitempty"`
	SubnetIDs []string `json:"subnet_ids"` // nil: unset

	ServiceDiscovery *ClusterServiceDiscoverySpec `json:"service_discovery,omitempty"`
	LoadBalancer     *ClusterLoadBalancerSpec     `json:"load_balancer,omitempty"`

	Tags map[string]string `json:"tags,omitempty"`
}

// CapacityProviderStrategySpec is one entry of default_capacity_provider_strategy.
type CapacityProviderStrategySpec struct {
	CapacityProvider string `json:"capacity_provider"`
	Weight           *int64 `json:"weight,omitempty"`
	Base             *int64 `json:"base,omitempty"`
}

// ClusterServiceDiscoverySpec: the cluster's Cloud Map namespace.
type ClusterServiceDiscoverySpec struct {
	Name        string `json:"name"`
	Type        string `json:"type,omitempty"` // DNS_PRIVATE | HTTP
	Description string `json:"description,omitempty"`
}

// ClusterLoadBalancerSpec: the shared Application Load Balancer.
type ClusterLoadBalancerSpec struct {
	Internal          *bool    `json:"internal,omitempty"`
	IngressCIDRBlocks []string `json:"ingress_cidr_blocks"` // nil: default
	CertificateARN    string   `json:"certificate_arn,omitempty"`
	SSLPolicy         string   `json:"ssl_policy,omitempty"`
	IdleTimeout       *int64   `json:"idle_timeout,omitempty"`
}

// Namespace types.
const (
	NamespaceTypeDNSPrivate = "DNS_PRIVATE"
	NamespaceTypeHTTP       = "HTTP"
	NamespaceTypeDNSPublic  = "DNS_PUBLIC"
)

// Cluster defaults.
const (
	DefaultContainerInsights = true
	DefaultStrategyWeight    = 1
	DefaultStrategyBase      = 0
	DefaultNamespaceType     = NamespaceTypeDNSPrivate
	DefaultIngressCIDRBlock  = "0.0.0.0/0"
	DefaultIdleTimeout       = 60
	// DefaultSSLPolicy is the policy AWS recommends for new HTTPS listeners
	// (TLS 1.3 and 1.2 only).
	DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	// Listener ports and the body of the fixed 404 default action.
	HTTPPort          = 80
	HTTPSPort         = 443
	NotFoundBody      = "Not Found"
	NotFoundType      = "text/plain"
	NotFoundStatus    = "404"
	RedirectStatus    = "HTTP_301"
	CapacityFargate   = "FARGATE"
	CapacityFargateSp = "FARGATE_SPOT"
)

// DefaultCapacityProviders is the default of capacity_providers.
func DefaultCapacityProviders() []string { return []string{CapacityFargate, CapacityFargateSp} }

// DefaultCapacityProviderStrategy is the default of
// default_capacity_provider_strategy: everything on Fargate.
func DefaultCapacityProviderStrategy() []CapacityProviderStrategySpec {
	return []CapacityProviderStrategySpec{{CapacityProvider: CapacityFargate, Weight: Ptr[int64](DefaultStrategyWeight), Base: Ptr[int64](DefaultStrategyBase)}}
}

// ApplyDefaults fills every unset attribute with its default. It is
// idempotent and never overrides a value the user set (an explicitly empty
// list stays empty). VpcID and SubnetIDs are not defaulted here: they need
// AWS lookups, which the adapter makes.
func (s *ClusterSpec) ApplyDefaults() {
	if s.CapacityProviders == nil {
		s.CapacityProviders = DefaultCapacityProviders()
	}
	if s.DefaultCapacityProviderStrategy == nil {
		s.DefaultCapacityProviderStrategy = DefaultCapacityProviderStrategy()
	}
	for i := range s.DefaultCapacityProviderStrategy {
		st := &s.DefaultCapacityProviderStrategy[i]
		setInt(&st.Weight, DefaultStrategyWeight)
		setInt(&st.Base, DefaultStrategyBase)
	}
	setBool(&s.ContainerInsights, DefaultContainerInsights)
	if sd := s.ServiceDiscovery; sd != nil && sd.Type == "" {
		sd.Type = DefaultNamespaceType
	}
	if lb := s.LoadBalancer; lb != nil {
		setBool(&lb.Internal, false)
		if lb.IngressCIDRBlocks == nil {
			lb.IngressCIDRBlocks = []string{DefaultIngressCIDRBlock}
		}
		setInt(&lb.IdleTimeout, DefaultIdleTimeout)
		if lb.SSLPolicy == "" && lb.CertificateARN != "" {
			lb.SSLPolicy = DefaultSSLPolicy
		}
	}
}

func (s ClusterSpec) clone() ClusterSpec {
	var out ClusterSpec
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("composite: cloning cluster spec: %v", err)) // plain data: cannot fail
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("composite: cloning cluster spec: %v", err))
	}
	return out
}
