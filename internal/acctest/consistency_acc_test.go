package acctest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestAccConsistency_emulator runs every consistency rule against the
// emulator (CONTAINERAPP_TEST_ENDPOINT), so the proxy reads the emulator's
// real answers (moto's XML and JSON shapes), with long windows that the test
// closes with ResetConsistency.
func TestAccConsistency_emulator(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || Endpoint() == "" {
		t.Skip("needs TF_ACC=1 and an emulator endpoint (CONTAINERAPP_TEST_ENDPOINT)")
	}
	t.Setenv(ConsistencyEnv, "")
	p, err := NewProxy(Endpoint(), WithConsistency(RealisticWindows().Scale(60)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	cfg := MustConfig(t)
	cfg.BaseEndpoint = aws.String(p.URL())
	ecsClient, ec2Client, lbClient, iamClient := ecs.NewFromConfig(cfg), ec2.NewFromConfig(cfg), elbv2.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	name := RandomName("cons")
	var seen []string
	reset := func() { // close the open windows, keeping the hits
		for _, h := range p.ConsistencyHits() {
			seen = append(seen, string(h.Rule)+" "+h.Operation+" "+h.Answer)
		}
		p.ResetConsistency()
	}

	// ClusterNotFound, then ServiceMissing.
	if _, err := ecsClient.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = ecsClient.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	}()
	td, err := ecsClient.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String(name),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	create := func() error {
		_, err := ecsClient.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String(name), ServiceName: aws.String("web"), TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0),
		})
		return err
	}
	wantCode(t, create(), "ClusterNotFoundException")
	reset()
	if err := create(); err != nil {
		t.Fatal(err)
	}
	out := describe(t, ecsClient, name, "web")
	if len(out.Services) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" {
		t.Fatalf("new service: services %+v failures %+v", out.Services, out.Failures)
	}

	// ServiceDraining.
	reset()
	if _, err := ecsClient.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(name), Service: aws.String("web"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out = describe(t, ecsClient, name, "web")
	if len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "DRAINING" {
		t.Fatalf("deleted service: services %+v failures %+v", out.Services, out.Failures)
	}
	wantCode(t, create(), "InvalidParameterException")
	_, err = ecsClient.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	wantCode(t, err, "ClusterContainsServicesException")
	reset()
	if out := describe(t, ecsClient, name, "web"); len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "INACTIVE" {
		t.Fatalf("deleted service after the window: %+v %+v", out.Services, out.Failures)
	}

	// RoleNotAssumable.
	role, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = iamClient.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)})
	}()
	_, err = ecsClient.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(name), ExecutionRoleArn: role.Role.Arn,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}},
	})
	wantCode(t, err, "ClientException")

	// SecurityGroupNotFound, then SecurityGroupInUse.
	vpc, err := ec2Client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.77.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	defer func() {
		_, _ = ec2Client.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)})
	}()
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := ec2Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String([]string{"10.77.1.0/24", "10.77.2.0/24"}[i]), AvailabilityZone: aws.String(Region() + az)})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
		defer func(id string) {
			_, _ = ec2Client.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
		}(subnets[i])
	}
	sg, err := ec2Client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("consistency"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	sgID := aws.ToString(sg.GroupId)
	perm := []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}
	_, err = ec2Client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sgID), IpPermissions: perm})
	wantCode(t, err, "InvalidGroup.NotFound")
	reset()
	if _, err := ec2Client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sgID), IpPermissions: perm}); err != nil {
		t.Fatal(err)
	}
	lb, err := lbClient.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets, SecurityGroups: []string{sgID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lbClient.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	_, err = ec2Client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sgID)})
	wantCode(t, err, "DependencyViolation")
	reset()
	if _, err := ec2Client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sgID)}); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"ClusterNotFound CreateService ClusterNotFoundException",
		"ServiceMissing DescribeServices MISSING",
		"ServiceDraining DescribeServices DRAINING",
		"ServiceDraining CreateService InvalidParameterException",
		"ServiceDraining DeleteCluster ClusterContainsServicesException",
		"RoleNotAssumable RegisterTaskDefinition ClientException",
		"SecurityGroupNotFound AuthorizeSecurityGroupIngress InvalidGroup.NotFound",
		"SecurityGroupInUse DeleteSecurityGroup DependencyViolation",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hits:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}
