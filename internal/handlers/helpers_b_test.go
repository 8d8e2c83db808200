package handlers

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// accTestB is what one acceptance test of the ELBv2/ECS handlers needs: a
// context, real SDK clients pointed at the emulator, and a log of the
// operations those clients sent (to assert call budgets).
type accTestB struct {
	t   *testing.T
	ctx context.Context
	ops *opLogB
	ec2 *ec2.Client
	elb *elbv2.Client
	ecs *ecs.Client
	iam *iam.Client
}

// newAccTestB skips unless TF_ACC and the emulator endpoint are set.
func newAccTestB(t *testing.T) *accTestB {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it")
	}
	if acctest.Endpoint() == "" {
		t.Skipf("acceptance test: set %s to the emulator endpoint (e.g. http://127.0.0.1:4566) to run it", acctest.EndpointEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	cfg, err := acctest.AWSConfig(ctx)
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	ops := &opLogB{}
	cfg.APIOptions = append(cfg.APIOptions, ops.register)
	return &accTestB{
		t:   t,
		ctx: ctx,
		ops: ops,
		ec2: ec2.NewFromConfig(cfg),
		elb: elbv2.NewFromConfig(cfg),
		ecs: ecs.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg),
	}
}

// opLogB records the operation name of every SDK call, and can answer the
// next calls of an operation with an injected AWS error instead of sending
// them (fault injection on the real client, not a fake of AWS).
type opLogB struct {
	mu     sync.Mutex
	ops    []string
	faults map[string][]error // operation -> errors for its next calls
}

func (l *opLogB) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("opLogB",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			l.mu.Lock()
			l.ops = append(l.ops, op)
			var fault error
			if q := l.faults[op]; len(q) > 0 {
				fault, l.faults[op] = q[0], q[1:]
			}
			l.mu.Unlock()
			if fault != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, fault
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// failNext makes the next `times` calls of op fail with the AWS error.
func (l *opLogB) failNext(op, code, message string, times int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.faults == nil {
		l.faults = map[string][]error{}
	}
	for i := 0; i < times; i++ {
		l.faults[op] = append(l.faults[op], &smithy.GenericAPIError{Code: code, Message: message})
	}
}

func (l *opLogB) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = nil
}

func (l *opLogB) calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ops...)
}

// expectCalls fails unless exactly the given operations were logged since
// the last reset; it then resets the log.
func (a *accTestB) expectCalls(what string, want ...string) {
	a.t.Helper()
	got := a.ops.calls()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		a.t.Errorf("%s: calls = %v, want %v", what, got, want)
	}
	a.ops.reset()
}

func sameTagsB(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// networkB is a VPC with two subnets and a security group.
type networkB struct {
	VpcID   string
	Subnets []string
	SG      string
}

// newNetworkB creates a fresh VPC (own CIDR block) with two subnets in two
// zones and a security group, deleted (best effort) when the test ends.
func (a *accTestB) newNetworkB() networkB {
	a.t.Helper()
	ctx, t := a.ctx, a.t
	vpc, err := a.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	n := networkB{VpcID: aws.ToString(vpc.Vpc.VpcId)}
	for i, zone := range []string{"a", "b"} {
		sn, err := a.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId:            aws.String(n.VpcID),
			CidrBlock:        aws.String([]string{"10.40.1.0/24", "10.40.2.0/24"}[i]),
			AvailabilityZone: aws.String(acctest.Region() + zone),
		})
		if err != nil {
			t.Fatalf("CreateSubnet: %v", err)
		}
		n.Subnets = append(n.Subnets, aws.ToString(sn.Subnet.SubnetId))
	}
	sg, err := a.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(acctest.RandomName("sg")),
		Description: aws.String("containerapp handler test"),
		VpcId:       aws.String(n.VpcID),
	})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	n.SG = aws.ToString(sg.GroupId)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = a.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(n.SG)})
		for _, s := range n.Subnets {
			_, _ = a.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(s)})
		}
		_, _ = a.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(n.VpcID)})
	})
	return n
}

// newListenerB creates an internal ALB in the network with an HTTP listener
// whose default action is a fixed 404; both are deleted when the test ends.
func (a *accTestB) newListenerB(n networkB) (lbARN, listenerARN string) {
	a.t.Helper()
	ctx, t := a.ctx, a.t
	lb, err := a.elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name:           aws.String(acctest.RandomName("alb")),
		Subnets:        n.Subnets,
		SecurityGroups: []string{n.SG},
		Scheme:         elbv2types.LoadBalancerSchemeEnumInternal,
		Type:           elbv2types.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	lbARN = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	l, err := a.elb.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(lbARN),
		Protocol:        elbv2types.ProtocolEnumHttp,
		Port:            aws.Int32(80),
		DefaultActions: []elbv2types.Action{{
			Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{
				StatusCode:  aws.String("404"),
				ContentType: aws.String("text/plain"),
				MessageBody: aws.String("not found"),
			},
		}},
	})
	if err != nil {
		t.Fatalf("CreateListener: %v", err)
	}
	listenerARN = aws.ToString(l.Listeners[0].ListenerArn)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = a.elb.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(listenerARN)})
		_, _ = a.elb.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(lbARN)})
	})
	return lbARN, listenerARN
}

// targetGroupPropsB returns props of an ip target group in the network.
func targetGroupPropsB(name string, n networkB, tags map[string]string) *composite.TargetGroupProps {
	return &composite.TargetGroupProps{
		Name:            name,
		Port:            8080,
		Protocol:        "HTTP",
		ProtocolVersion: "HTTP1",
		TargetType:      "ip",
		VPCFromSubnet:   n.Subnets[0],
		HealthCheck: composite.TargetGroupHealthCheck{
			Path:               "/healthz",
			Matcher:            "200-399",
			Protocol:           "HTTP",
			Port:               "traffic-port",
			IntervalSeconds:    15,
			TimeoutSeconds:     5,
			HealthyThreshold:   3,
			UnhealthyThreshold: 3,
		},
		DeregistrationDelay: 30,
		Tags:                tags,
	}
}

// newTargetGroupB creates a target group with the SDK (deleted at the end).
func (a *accTestB) newTargetGroupB(n networkB) string {
	a.t.Helper()
	out, err := a.elb.CreateTargetGroup(a.ctx, &elbv2.CreateTargetGroupInput{
		Name:       aws.String(acctest.RandomName("tg")),
		Port:       aws.Int32(8080),
		Protocol:   elbv2types.ProtocolEnumHttp,
		TargetType: elbv2types.TargetTypeEnumIp,
		VpcId:      aws.String(n.VpcID),
	})
	if err != nil {
		a.t.Fatalf("CreateTargetGroup: %v", err)
	}
	tgARN := aws.ToString(out.TargetGroups[0].TargetGroupArn)
	a.t.Cleanup(func() {
		_, _ = a.elb.DeleteTargetGroup(context.Background(), &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgARN)})
	})
	return tgARN
}

// newClusterB creates an ECS cluster (deleted, best effort, at the end).
func (a *accTestB) newClusterB() string {
	a.t.Helper()
	out, err := a.ecs.CreateCluster(a.ctx, &ecs.CreateClusterInput{ClusterName: aws.String(acctest.RandomName("cluster"))})
	if err != nil {
		a.t.Fatalf("CreateCluster: %v", err)
	}
	name := aws.ToString(out.Cluster.ClusterName)
	a.t.Cleanup(func() {
		_, _ = a.ecs.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	})
	return name
}

// newTaskRoleB creates an IAM role ECS tasks can assume.
func (a *accTestB) newTaskRoleB() string {
	a.t.Helper()
	name := acctest.RandomName("task-role")
	out, err := a.iam.CreateRole(a.ctx, &iam.CreateRoleInput{
		RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		a.t.Fatalf("CreateRole: %v", err)
	}
	a.t.Cleanup(func() {
		_, _ = a.iam.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)})
	})
	return aws.ToString(out.Role.Arn)
}

// taskDefinitionPropsB returns props of a one-container Fargate task.
func taskDefinitionPropsB(family, roleARN, image string, tags map[string]string) *composite.TaskDefinitionProps {
	return &composite.TaskDefinitionProps{
		Family:           family,
		CPU:              256,
		Memory:           512,
		NetworkMode:      "awsvpc",
		ExecutionRoleARN: roleARN,
		TaskRoleARN:      roleARN,
		OperatingSystem:  "LINUX",
		CPUArchitecture:  "X86_64",
		Containers: []composite.ContainerDef{{
			Name:        "web",
			Image:       image,
			Essential:   true,
			Command:     []string{"nginx", "-g", "daemon off;"},
			Environment: []composite.KeyValue{{Name: "B_VAR", Value: "2"}, {Name: "A_VAR", Value: "1"}},
			Secrets: []composite.KeyValue{{
				Name:  "DB_PASSWORD",
				Value: "arn:aws:secretsmanager:" + acctest.Region() + ":123456789012:secret:db-AbCdEf",
			}},
			Port:                   8080,
			LogGroup:               "/containerapp/" + family,
			LogRegion:              acctest.Region(),
			LogStreamPrefix:        "web",
			ReadonlyRootFilesystem: true,
		}},
		Tags: tags,
	}
}

// fastWaitersB shortens the ECS waiters' poll intervals for this test.
func fastWaitersB(t *testing.T) {
	t.Helper()
	oldSteady, oldInactive := steadyStatePollInterval, inactivePollInterval
	steadyStatePollInterval, inactivePollInterval = 200*time.Millisecond, 200*time.Millisecond
	t.Cleanup(func() { steadyStatePollInterval, inactivePollInterval = oldSteady, oldInactive })
}
