package handlers

import (
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// ServiceRegistry maps every child kind a service composite can emit to its
// handler. TestRegistries asserts that every kind an expansion emits has one.
func ServiceRegistry(c *conns.Clients) engine.Registry {
	// The ECS service handler checks its images in ECR, and keeps the task
	// definition revision a deployment started without waiting may roll
	// back to: the task definition handler it returns spares that revision.
	service := NewECSServiceHandler(c.ECS(), c.ECR())
	taskDefinitions := service.KeepRollbackRevisions(NewTaskDefinitionHandler(c.ECS()))
	return engine.Registry{
		composite.KindIAMRole:          NewRoleHandler(c.IAM()),
		composite.KindIAMRolePolicy:    NewRolePolicyHandler(c.IAM()),
		composite.KindLogGroup:         NewLogGroupHandler(c.Logs()),
		composite.KindECRRepository:    NewRepositoryHandler(c.ECR()),
		composite.KindTargetGroup:      NewTargetGroupHandler(c.ELBv2(), c.EC2()),
		composite.KindListenerRule:     NewListenerRuleHandler(c.ELBv2()),
		composite.KindDiscoveryService: NewDiscoveryServiceHandler(c.ServiceDiscovery()),
		composite.KindTaskDefinition:   taskDefinitions,
		composite.KindECSService:       service,
		composite.KindScalableTarget:   NewScalableTargetHandler(c.ApplicationAutoScaling()),
		composite.KindScalingPolicy:    NewScalingPolicyHandler(c.ApplicationAutoScaling()),
		composite.KindScheduledAction:  NewScheduledActionHandler(c.ApplicationAutoScaling()),
	}
}

// ClusterRegistry maps every child kind a cluster composite can emit to its
// handler.
func ClusterRegistry(c *conns.Clients) engine.Registry {
	ns := NewNamespaceHandler(c.ServiceDiscovery())
	return engine.Registry{
		composite.KindECSCluster:          NewECSClusterHandler(c.ECS()),
		composite.KindPrivateDNSNamespace: ns,
		composite.KindHTTPNamespace:       ns,
		composite.KindSecurityGroup:       NewSecurityGroupHandler(c.EC2()),
		composite.KindLoadBalancer:        NewLoadBalancerHandler(c.ELBv2()),
		composite.KindListener:            NewListenerHandler(c.ELBv2()),
	}
}
