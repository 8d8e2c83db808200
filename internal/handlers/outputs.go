package handlers

// Output attributes handlers return besides composite's (AttrARN, AttrID,
// AttrName, AttrURL, AttrPriority, AttrRevision, AttrDNSName, AttrZoneID).
const (
	AttrRole      = "role"       // inline role policy: the role it belongs to
	AttrFamily    = "family"     // task definition family
	AttrARNSuffix = "arn_suffix" // "targetgroup/<name>/<id>", for CloudWatch dimensions and ALBRequestCountPerTarget
	AttrVpcID     = "vpc_id"     // target group, security group, load balancer

	AttrContainerInsights = "container_insights" // ECS cluster: enabled | disabled
	AttrType              = "type"               // Cloud Map namespace type
	AttrDescription       = "description"        // Cloud Map namespace description
	AttrInternal          = "internal"           // load balancer: "true" | "false"
	AttrIdleTimeout       = "idle_timeout"       // load balancer idle timeout, seconds
	AttrProtocol          = "protocol"           // listener
	AttrPort              = "port"               // listener
	AttrCertificateARN    = "certificate_arn"    // HTTPS listener
	AttrSSLPolicy         = "ssl_policy"         // HTTPS listener

	// Outputs that become typed record fields or observed props (removed as
	// each kind moves to Observe).
	AttrObserved          = "observed"
	AttrCapacityProviders = "capacity_providers" // JSON list
	AttrDefaultStrategy   = "default_strategy"   // JSON list of {capacity_provider, weight, base}
	AttrTags              = "tags"               // JSON map of every tag of the object
	AttrSubnets           = "subnets"            // JSON list
)
