package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// RandomName returns prefix-<6 hex chars>, lowercase, for unique test names.
func RandomName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// MustConfig returns AWSConfig or fails the test.
func MustConfig(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := AWSConfig(context.Background())
	if err != nil {
		t.Fatalf("AWS config: %v", err)
	}
	return cfg
}

// CreateCluster creates an ECS cluster with a tag and deletes it at cleanup.
func CreateCluster(t testing.TB, name string) string {
	t.Helper()
	ctx := context.Background()
	client := ecs.NewFromConfig(MustConfig(t))
	out, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{
		ClusterName: aws.String(name),
		Tags:        []ecstypes.Tag{{Key: aws.String("suite"), Value: aws.String("acctest")}},
		Settings:    []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}},
	})
	if err != nil {
		t.Fatalf("creating ECS cluster %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteCluster(context.Background(), &ecs.DeleteClusterInput{Cluster: aws.String(name)})
	})
	return aws.ToString(out.Cluster.ClusterArn)
}

// Network is the prerequisite networking a service test needs.
type Network struct {
	VpcID           string
	SubnetIDs       []string
	SecurityGroupID string
	LoadBalancerARN string
	ListenerARN     string
	NamespaceID     string // an HTTP Cloud Map namespace
	SecretARN       string
}

// CreateNetwork creates a VPC with two subnets, a security group, an ALB with
// an HTTP listener (fixed 404), an HTTP Cloud Map namespace and a secret, all
// removed at cleanup.
func CreateNetwork(t testing.TB, name string) Network {
	t.Helper()
	ctx := context.Background()
	cfg := MustConfig(t)
	ec2c := ec2.NewFromConfig(cfg)
	lb := elbv2.NewFromConfig(cfg)
	sd := servicediscovery.NewFromConfig(cfg)
	sm := secretsmanager.NewFromConfig(cfg)
	var n Network
	fail := func(what string, err error) { t.Helper(); t.Fatalf("test setup: %s: %v", what, err) }

	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	if err != nil {
		fail("CreateVpc", err)
	}
	n.VpcID = aws.ToString(vpc.Vpc.VpcId)
	t.Cleanup(func() { _, _ = ec2c.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(n.VpcID)}) })
	region := Region()
	for i, az := range []string{"a", "b"} {
		id, err := CreateSubnet(ctx, ec2c, n.VpcID, fmt.Sprintf("10.42.%d.0/24", i), region+az)
		if err != nil {
			fail("CreateSubnet", err)
		}
		n.SubnetIDs = append(n.SubnetIDs, id)
		t.Cleanup(func() {
			_, _ = ec2c.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
		})
	}
	sg, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name + "-sg"), Description: aws.String("acctest"), VpcId: aws.String(n.VpcID),
	})
	if err != nil {
		fail("CreateSecurityGroup", err)
	}
	n.SecurityGroupID = aws.ToString(sg.GroupId)
	t.Cleanup(func() {
		_, _ = ec2c.DeleteSecurityGroup(context.Background(), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(n.SecurityGroupID)})
	})
	alb, err := lb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(name + "-alb"), Subnets: n.SubnetIDs, SecurityGroups: []string{n.SecurityGroupID},
		Type: elbv2types.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		fail("CreateLoadBalancer", err)
	}
	n.LoadBalancerARN = aws.ToString(alb.LoadBalancers[0].LoadBalancerArn)
	t.Cleanup(func() {
		_, _ = lb.DeleteLoadBalancer(context.Background(), &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(n.LoadBalancerARN)})
	})
	lis, err := lb.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(n.LoadBalancerARN), Port: aws.Int32(80), Protocol: elbv2types.ProtocolEnumHttp,
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404"), ContentType: aws.String("text/plain")}}},
	})
	if err != nil {
		fail("CreateListener", err)
	}
	n.ListenerARN = aws.ToString(lis.Listeners[0].ListenerArn)
	t.Cleanup(func() {
		_, _ = lb.DeleteListener(context.Background(), &elbv2.DeleteListenerInput{ListenerArn: aws.String(n.ListenerARN)})
	})
	ns, err := sd.CreateHttpNamespace(ctx, &servicediscovery.CreateHttpNamespaceInput{Name: aws.String(name + ".internal")})
	if err != nil {
		fail("CreateHttpNamespace", err)
	}
	op, err := sd.GetOperation(ctx, &servicediscovery.GetOperationInput{OperationId: ns.OperationId})
	if err != nil {
		fail("GetOperation", err)
	}
	n.NamespaceID = op.Operation.Targets["NAMESPACE"]
	t.Cleanup(func() {
		_, _ = sd.DeleteNamespace(context.Background(), &servicediscovery.DeleteNamespaceInput{Id: aws.String(n.NamespaceID)})
	})
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name + "/db"), SecretString: aws.String("s3cr3t")})
	if err != nil {
		fail("CreateSecret", err)
	}
	n.SecretARN = aws.ToString(sec.ARN)
	t.Cleanup(func() {
		_, _ = sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(n.SecretARN), ForceDeleteWithoutRecovery: aws.Bool(true)})
	})
	return n
}

// CreateDNSNamespace creates a private DNS Cloud Map namespace in n's VPC,
// for services with DNS records (A and SRV with a TTL), and returns its id.
// A VPC holds one private DNS namespace (moto, like Route 53, refuses a
// second one for the same domain), so only tests that need one create it.
func CreateDNSNamespace(t *testing.T, n Network, name string) string {
	t.Helper()
	ctx := context.Background()
	sd := servicediscovery.NewFromConfig(MustConfig(t))
	dns, err := sd.CreatePrivateDnsNamespace(ctx, &servicediscovery.CreatePrivateDnsNamespaceInput{
		Name: aws.String(name + ".dns.internal"), Vpc: aws.String(n.VpcID)})
	if err != nil {
		t.Fatalf("CreatePrivateDnsNamespace: %v", err)
	}
	op, err := sd.GetOperation(ctx, &servicediscovery.GetOperationInput{OperationId: dns.OperationId})
	if err != nil {
		t.Fatalf("GetOperation: %v", err)
	}
	id := op.Operation.Targets["NAMESPACE"]
	t.Cleanup(func() {
		_, _ = sd.DeleteNamespace(context.Background(), &servicediscovery.DeleteNamespaceInput{Id: aws.String(id)})
	})
	return id
}

// imageManifest is a minimal Docker image manifest: ECR PutImage stores it
// as an image, which is what a `docker push` leaves in the repository.
const imageManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
	`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,` +
	`"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},` +
	`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,` +
	`"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}`

// PushImage puts an image tagged tag into the ECR repository of service
// name on cluster (composite.RepositoryName), as a CI pipeline's push would.
// For a PreConfig between the bootstrap apply of a service whose image_tag
// names its own, still empty repository and the apply that scales it up.
func PushImage(t testing.TB, cluster, name, tag string) {
	t.Helper()
	repo := composite.RepositoryName(cluster, name)
	client := ecr.NewFromConfig(MustConfig(t))
	if _, err := client.PutImage(context.Background(), &ecr.PutImageInput{
		RepositoryName: aws.String(repo),
		ImageTag:       aws.String(tag),
		ImageManifest:  aws.String(imageManifest),
	}); err != nil {
		t.Fatalf("pushing %s:%s: %v", repo, tag, err)
	}
}

// DeleteImages removes every image from the ECR repository of service name
// on cluster, so that a destroy without force_delete can delete it (ECR
// refuses to delete a repository that holds images: RepositoryNotEmpty).
func DeleteImages(t testing.TB, cluster, name string) {
	t.Helper()
	ctx := context.Background()
	repo := composite.RepositoryName(cluster, name)
	client := ecr.NewFromConfig(MustConfig(t))
	out, err := client.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String(repo)})
	if err != nil {
		t.Fatalf("listing the images of %s: %v", repo, err)
	}
	if len(out.ImageIds) == 0 {
		return
	}
	if _, err := client.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: out.ImageIds}); err != nil {
		t.Fatalf("deleting the images of %s: %v", repo, err)
	}
}

// CreateSubnet creates a subnet of vpc in az and returns its id. A conflict
// on the CIDR (InvalidSubnet.Conflict: the emulator made the subnet but its
// answer was lost, and the SDK's retry found it) returns the existing subnet
// of that CIDR in the VPC.
func CreateSubnet(ctx context.Context, c *ec2.Client, vpc, cidr, az string) (string, error) {
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
	if err == nil {
		return aws.ToString(sn.Subnet.SubnetId), nil
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidSubnet.Conflict" {
		return "", err
	}
	out, derr := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}},
		{Name: aws.String("cidr-block"), Values: []string{cidr}},
	}})
	if derr != nil || len(out.Subnets) != 1 {
		return "", err
	}
	return aws.ToString(out.Subnets[0].SubnetId), nil
}
