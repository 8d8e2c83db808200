package composite

// Kinds and props of containerapp_cluster's children. Like props.go: string
// fields may hold ${key.attr} references, slices and maps are kept in a
// canonical order by ExpandCluster so hashing is deterministic.

// Kinds of the cluster composite's children.
const (
	KindECSCluster = Kind("aws_ecs_cluster")
	// The Cloud Map namespace has one kind per type, as in the AWS provider;
	// changing service_discovery.type therefore replaces the namespace.
	KindPrivateDNSNamespace = Kind("aws_service_discovery_private_dns_namespace")
	KindHTTPNamespace       = Kind("aws_service_discovery_http_namespace")
	KindSecurityGroup       = Kind("aws_security_group")
	KindLoadBalancer        = Kind("aws_lb")
	KindListener            = Kind("aws_lb_listener")
)

// Output attributes of the cluster's children besides arn, id and name.
const (
	AttrDNSName = "dns_name" // load balancer DNS name
	AttrZoneID  = "zone_id"  // load balancer canonical hosted zone id
)

// NamespaceKind returns the kind of a Cloud Map namespace of the given type
// (DNS_PRIVATE or HTTP).
func NamespaceKind(namespaceType string) Kind {
	if namespaceType == NamespaceTypeHTTP {
		return KindHTTPNamespace
	}
	return KindPrivateDNSNamespace
}

// CapacityProviderStrategyItem is one entry of the default capacity provider
// strategy.
type CapacityProviderStrategyItem struct {
	CapacityProvider string `json:"capacity_provider"`
	Weight           int32  `json:"weight"`
	Base             int32  `json:"base"`
}

// ClusterProps: the ECS cluster, the anchor child.
type ClusterProps struct {
	Name              string                         `json:"name"`
	CapacityProviders []string                       `json:"capacity_providers"` // sorted
	DefaultStrategy   []CapacityProviderStrategyItem `json:"default_strategy"`   // sorted by provider
	ContainerInsights string                         `json:"container_insights"` // enabled | disabled
	Tags              map[string]string              `json:"tags,omitempty"`
}

// NamespaceProps: a Cloud Map namespace, private DNS (in VpcID) or HTTP.
type NamespaceProps struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`             // DNS_PRIVATE | HTTP
	VpcID       string            `json:"vpc_id,omitempty"` // DNS_PRIVATE only
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// SecurityGroupRule is one ingress or egress rule. Exactly one source kind is
// set: CIDRBlocks / IPv6CIDRBlocks, or SourceSecurityGroupID. Protocol "-1"
// means all protocols (ports 0).
type SecurityGroupRule struct {
	Protocol              string   `json:"protocol"` // tcp | udp | -1
	FromPort              int32    `json:"from_port"`
	ToPort                int32    `json:"to_port"`
	CIDRBlocks            []string `json:"cidr_blocks,omitempty"`      // sorted
	IPv6CIDRBlocks        []string `json:"ipv6_cidr_blocks,omitempty"` // sorted
	SourceSecurityGroupID string   `json:"source_security_group_id,omitempty"`
	Description           string   `json:"description,omitempty"`
}

// SecurityGroupProps: a VPC security group whose rules are managed
// exclusively: rules not listed here are revoked.
type SecurityGroupProps struct {
	Name        string              `json:"name"`
	Description string              `json:"description"`
	VpcID       string              `json:"vpc_id"`
	Ingress     []SecurityGroupRule `json:"ingress"`
	Egress      []SecurityGroupRule `json:"egress"`
	Tags        map[string]string   `json:"tags,omitempty"`
}

// LoadBalancerProps: an Application Load Balancer.
type LoadBalancerProps struct {
	Name           string   `json:"name"`
	Internal       bool     `json:"internal"`
	Subnets        []string `json:"subnets"`         // sorted
	SecurityGroups []string `json:"security_groups"` // sorted
	IPAddressType  string   `json:"ip_address_type"` // ipv4
	IdleTimeout    int32    `json:"idle_timeout"`    // seconds
	// DropInvalidHeaderFields drops HTTP headers with invalid names (a
	// security default: request smuggling protection).
	DropInvalidHeaderFields bool              `json:"drop_invalid_header_fields"`
	Tags                    map[string]string `json:"tags,omitempty"`
}

// ListenerAction is a listener's default action: a fixed response or a
// redirect.
type ListenerAction struct {
	Type string `json:"type"` // fixed-response | redirect
	// fixed-response
	StatusCode  string `json:"status_code,omitempty"` // "404"; for redirect HTTP_301 | HTTP_302
	ContentType string `json:"content_type,omitempty"`
	MessageBody string `json:"message_body,omitempty"`
	// redirect
	RedirectProtocol string `json:"redirect_protocol,omitempty"` // HTTPS
	RedirectPort     string `json:"redirect_port,omitempty"`     // "443"
}

// ListenerProps: a load balancer listener with a default action.
type ListenerProps struct {
	LoadBalancerARN string            `json:"load_balancer_arn"` // "${load_balancer.arn}"
	Port            int32             `json:"port"`
	Protocol        string            `json:"protocol"`                  // HTTP | HTTPS
	CertificateARN  string            `json:"certificate_arn,omitempty"` // HTTPS only
	SSLPolicy       string            `json:"ssl_policy,omitempty"`      // HTTPS only
	DefaultAction   ListenerAction    `json:"default_action"`
	Tags            map[string]string `json:"tags,omitempty"`
}
