package handlers

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// accTestC extends accTestB (clients, operation log, fault injection) with
// a Cloud Map client, for the cluster composite's handlers.
type accTestC struct {
	*accTestB
	sd *servicediscovery.Client
}

// newAccTestC skips unless TF_ACC and the emulator endpoint are set.
func newAccTestC(t *testing.T) *accTestC {
	t.Helper()
	a := newAccTestB(t)
	cfg, err := acctest.AWSConfig(a.ctx)
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	cfg.APIOptions = append(cfg.APIOptions, a.ops.register)
	lbWaitMinDelay, lbWaitMaxDelay = 100e6, 500e6 // 0.1 s, 0.5 s
	return &accTestC{accTestB: a, sd: servicediscovery.NewFromConfig(cfg)}
}

// clusterHandlersC returns every handler of the cluster composite.
func (a *accTestC) clusterHandlersC() ClusterHandlers {
	return ClusterHandlers{
		Cluster:       NewECSClusterHandler(a.ecs),
		Namespace:     NewNamespaceHandler(a.sd),
		SecurityGroup: NewSecurityGroupHandler(a.ec2),
		LoadBalancer:  NewLoadBalancerHandler(a.elb),
		Listener:      NewListenerHandler(a.elb),
	}
}

// childC builds a child the way ExpandCluster does (hashes included).
func childC(key string, kind composite.Kind, name string, props any) composite.Child {
	h := composite.HashJSON(props)
	return composite.Child{Key: key, Kind: kind, Name: name, Props: props, Hash: h, ReplaceHash: h}
}

// expectObservedC fails unless the outputs' fingerprint is the one the
// child's props predict (no false drift right after a create or update).
func expectObservedC(t *testing.T, what string, c composite.Child, outputs map[string]string) {
	t.Helper()
	want, ok := ExpectedObserved(c)
	if !ok {
		t.Fatalf("%s: no fingerprint for %s", what, c.Kind)
	}
	if outputs[AttrObserved] != want {
		t.Errorf("%s: observed %q, props predict %q (outputs %v)", what, outputs[AttrObserved], want, outputs)
	}
}

// newBareLoadBalancerC creates an internal ALB without listeners (deleted
// at cleanup).
func (a *accTestC) newBareLoadBalancerC(n networkB) string {
	a.t.Helper()
	out, err := a.elb.CreateLoadBalancer(a.ctx, &elbv2.CreateLoadBalancerInput{
		Name:           aws.String(acctest.RandomName("alb")),
		Subnets:        n.Subnets,
		SecurityGroups: []string{n.SG},
		Scheme:         elbv2types.LoadBalancerSchemeEnumInternal,
		Type:           elbv2types.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		a.t.Fatalf("CreateLoadBalancer: %v", err)
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	a.t.Cleanup(func() {
		_, _ = a.elb.DeleteLoadBalancer(context.Background(), &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)})
	})
	return arn
}

// newServerCertificateC uploads an IAM server certificate (the emulator
// accepts any body) for HTTPS listeners; deleted at cleanup.
func (a *accTestC) newServerCertificateC() string {
	a.t.Helper()
	name := acctest.RandomName("cert")
	out, err := a.iam.UploadServerCertificate(a.ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String(name),
		CertificateBody:       aws.String("-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----"),
		PrivateKey:            aws.String("-----BEGIN RSA PRIVATE KEY-----\nMIIBtest\n-----END RSA PRIVATE KEY-----"),
	})
	if err != nil {
		a.t.Fatalf("UploadServerCertificate: %v", err)
	}
	a.t.Cleanup(func() {
		_, _ = a.iam.DeleteServerCertificate(context.Background(), &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String(name)})
	})
	return aws.ToString(out.ServerCertificateMetadata.Arn)
}
