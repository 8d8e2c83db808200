package handlers

// Output attributes handlers return besides composite's (AttrARN, AttrID,
// AttrName, AttrURL, AttrPriority, AttrRevision, AttrDNSName, AttrZoneID):
// what other children or the composites' resources refer to. Settings a
// resource rebuilds its configuration from (an import) are read from the
// observed props (composite.Observed), not from outputs.
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
	AttrCertificateARN    = "certificate_arn"    // HTTPS listener
	AttrSSLPolicy         = "ssl_policy"         // HTTPS listener
)
