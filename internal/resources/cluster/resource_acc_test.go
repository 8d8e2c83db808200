package cluster_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
	"github.com/containerapp/terraform-provider-containerapp/internal/handlers"
)

const addr = "containerapp_cluster.test"

// network is a VPC with two subnets (sorted) made with the SDK for a test.
type network struct {
	VpcID   string
	Subnets []string
}

func newNetwork(t *testing.T) network {
	t.Helper()
	ctx := context.Background()
	c := ec2.NewFromConfig(acctest.MustConfig(t))
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.43.0.0/16")})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	n := network{VpcID: aws.ToString(vpc.Vpc.VpcId)}
	t.Cleanup(func() { _, _ = c.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(n.VpcID)}) })
	for i, az := range []string{"a", "b"} {
		id, err := acctest.CreateSubnet(ctx, c, n.VpcID, fmt.Sprintf("10.43.%d.0/24", i), acctest.Region()+az)
		if err != nil {
			t.Fatalf("CreateSubnet: %v", err)
		}
		n.Subnets = append(n.Subnets, id)
		t.Cleanup(func() { _, _ = c.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)}) })
	}
	sort.Strings(n.Subnets)
	return n
}

// newCertificate uploads an IAM server certificate (the emulator accepts
// any body; ELBv2 accepts IAM certificates as AWS does).
func newCertificate(t *testing.T, name string) string {
	t.Helper()
	c := iam.NewFromConfig(acctest.MustConfig(t))
	out, err := c.UploadServerCertificate(context.Background(), &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String(name),
		CertificateBody:       aws.String("-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----"),
		PrivateKey:            aws.String("-----BEGIN RSA PRIVATE KEY-----\nMIIBtest\n-----END RSA PRIVATE KEY-----"),
	})
	if err != nil {
		t.Fatalf("UploadServerCertificate: %v", err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteServerCertificate(context.Background(), &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String(name)})
	})
	return aws.ToString(out.ServerCertificateMetadata.Arn)
}

type configOpts struct {
	insights    bool
	idle        int
	cidrs       string // HCL list
	cert        string
	team        string
	noLB, noSD  bool
	namespaceNm string
	nsType      string // default HTTP (moto allows one private DNS namespace per VPC and name)
}

func testAccClusterConfig_basic(name string, n network, o configOpts) string {
	if o.idle == 0 {
		o.idle = 60
	}
	if o.cidrs == "" {
		o.cidrs = `["10.0.0.0/8"]`
	}
	if o.team == "" {
		o.team = "platform"
	}
	if o.namespaceNm == "" {
		o.namespaceNm = name + ".internal"
	}
	if o.nsType == "" {
		o.nsType = "HTTP"
	}
	sd := fmt.Sprintf(`
  service_discovery = {
    name        = %q
    type        = %q
    description = "services of %s"
  }
`, o.namespaceNm, o.nsType, name)
	if o.noSD {
		sd = ""
	}
	cert := ""
	if o.cert != "" {
		cert = fmt.Sprintf("    certificate_arn     = %q\n", o.cert)
	}
	lb := fmt.Sprintf(`
  load_balancer = {
    ingress_cidr_blocks = %s
    idle_timeout        = %d
%s  }
`, o.cidrs, o.idle, cert)
	if o.noLB {
		lb = ""
	}
	return fmt.Sprintf(`
resource "containerapp_cluster" "test" {
  name               = %q
  container_insights = %t
  vpc_id             = %q
  subnet_ids         = [%q, %q]
%s%s
  tags = { team = %q }
}
`, name, o.insights, n.VpcID, n.Subnets[0], n.Subnets[1], sd, lb, o.team)
}

// expectMapKeys asserts the planned keys of a map attribute.
func expectMapKeys(attr string, keys ...string) plancheck.PlanCheck {
	return mapKeysCheck{attr: attr, keys: keys}
}

type mapKeysCheck struct {
	attr string
	keys []string
}

func (c mapKeysCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != addr {
			continue
		}
		after, _ := rc.Change.After.(map[string]any)
		m, _ := after[c.attr].(map[string]any)
		got := make([]string, 0, len(m))
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		want := append([]string(nil), c.keys...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			resp.Error = fmt.Errorf("%s.%s keys = %v, want %v", addr, c.attr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", addr)
}

func attrOf(s *terraform.State, key string) string {
	rs := s.RootModule().Resources[addr]
	if rs == nil {
		return ""
	}
	return rs.Primary.Attributes[key]
}

var lbKeys = []string{"cluster", "namespace", "service_security_group", "load_balancer_security_group", "load_balancer", "http_listener"}

// checkAWS verifies the children in the emulator: security group rules,
// the listener's fixed 404, the cluster settings.
func checkAWS(t *testing.T, insights string, wantCIDR string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		cfg := acctest.MustConfig(t)
		cl, err := ecs.NewFromConfig(cfg).DescribeClusters(ctx, &ecs.DescribeClustersInput{
			Clusters: []string{attrOf(s, "name")}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings}})
		if err != nil || len(cl.Clusters) != 1 || aws.ToString(cl.Clusters[0].Status) != "ACTIVE" {
			return fmt.Errorf("ECS cluster: %v %v", cl, err)
		}
		if got := aws.ToString(cl.Clusters[0].Settings[0].Value); got != insights {
			return fmt.Errorf("container insights = %s, want %s", got, insights)
		}
		if strings.Join(cl.Clusters[0].CapacityProviders, ",") != "FARGATE,FARGATE_SPOT" {
			return fmt.Errorf("capacity providers = %v", cl.Clusters[0].CapacityProviders)
		}
		albSG, svcSG := attrOf(s, "load_balancer_security_group_id"), attrOf(s, "service_security_group_id")
		sgs, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{albSG, svcSG}})
		if err != nil {
			return err
		}
		for _, sg := range sgs.SecurityGroups {
			switch aws.ToString(sg.GroupId) {
			case albSG:
				if len(sg.IpPermissions) != 1 || aws.ToInt32(sg.IpPermissions[0].FromPort) != 80 ||
					len(sg.IpPermissions[0].IpRanges) != 1 || aws.ToString(sg.IpPermissions[0].IpRanges[0].CidrIp) != wantCIDR {
					return fmt.Errorf("load balancer group rules = %+v", sg.IpPermissions)
				}
			case svcSG:
				if len(sg.IpPermissions) != 1 || len(sg.IpPermissions[0].UserIdGroupPairs) != 1 ||
					aws.ToString(sg.IpPermissions[0].UserIdGroupPairs[0].GroupId) != albSG || len(sg.IpPermissions[0].IpRanges) != 0 {
					return fmt.Errorf("services group admits more than the load balancer: %+v", sg.IpPermissions)
				}
			}
		}
		ls, err := elbv2.NewFromConfig(cfg).DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{attrOf(s, "listener_arn")}})
		if err != nil {
			return err
		}
		a := ls.Listeners[0].DefaultActions[0]
		if a.Type != elbv2types.ActionTypeEnumFixedResponse || aws.ToString(a.FixedResponseConfig.StatusCode) != "404" {
			return fmt.Errorf("listener default action = %+v", a)
		}
		return nil
	}
}

func TestAccCluster_basic(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	proxy, err := acctest.NewProxy(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	cfg := factory.ProviderConfig(proxy.URL()) + testAccClusterConfig_basic(name, n, configOpts{insights: true})
	var createCalls int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := acctest.CheckClusterDestroyed(name)(s); err != nil {
				return err
			}
			return checkTeardownOrder(proxy.Operations())
		},
		Steps: []resource.TestStep{{
			PreConfig: proxy.ResetCalls,
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					// The plan lists every child with its name before anything exists.
					expectMapKeys("resources", lbKeys...),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("cluster").AtMapKey("name"), knownvalue.StringExact(name)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("load_balancer").AtMapKey("name"), knownvalue.StringExact(name+"-alb")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("http_listener").AtMapKey("kind"), knownvalue.StringExact("aws_lb_listener")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("namespace").AtMapKey("kind"), knownvalue.StringExact("aws_service_discovery_http_namespace")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("resources").AtMapKey("cluster").AtMapKey("arn")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("listener_arn")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`:cluster/`+name+`$`))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("namespace_id"), knownvalue.StringRegexp(regexp.MustCompile(`^ns-`))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("load_balancer_dns_name"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_id"), knownvalue.StringExact(n.VpcID)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("platform")})),
				statecheck.CompareValuePairs(addr, tfjsonpath.New("listener_arn"), addr, tfjsonpath.New("resources").AtMapKey("http_listener").AtMapKey("arn"), compare.ValuesSame()),
			},
			Check: resource.ComposeTestCheckFunc(
				checkAWS(t, "enabled", "10.0.0.0/8"),
				func(*terraform.State) error {
					createCalls = proxy.CountCalls(nil)
					return nil
				},
			),
		}},
	})
	t.Logf("AWS calls of the create step (plans, apply, refreshes, STS included): %d", createCalls)
}

// checkTeardownOrder: listeners -> load balancer -> security groups ->
// namespace -> ECS cluster.
func checkTeardownOrder(ops []string) error {
	last := map[string]int{}
	first := map[string]int{}
	for i, op := range ops {
		if _, ok := first[op]; !ok {
			first[op] = i
		}
		last[op] = i
	}
	order := []string{"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteLoadBalancer", "ec2:DeleteSecurityGroup",
		"servicediscovery:DeleteNamespace", "ecs:DeleteCluster"}
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		if _, ok := first[a]; !ok {
			return fmt.Errorf("no %s during destroy: %v", a, ops)
		}
		if _, ok := first[b]; !ok {
			return fmt.Errorf("no %s during destroy: %v", b, ops)
		}
		if last[a] > first[b] {
			return fmt.Errorf("teardown order: %s after %s: %v", a, b, ops)
		}
	}
	return nil
}

// Defaults: the region's default VPC and its subnets, looked up at apply
// and unknown in the first plan.
func TestAccCluster_defaults(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	ctx := context.Background()
	c := ec2.NewFromConfig(acctest.MustConfig(t))
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("isDefault"), Values: []string{"true"}}}})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Skipf("no default VPC in the emulator: %v", err)
	}
	defaultVPC := aws.ToString(vpcs.Vpcs[0].VpcId)
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{defaultVPC}}}})
	if err != nil {
		t.Fatal(err)
	}
	var subnetChecks []knownvalue.Check
	var ids []string
	for _, s := range subnets.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	sort.Strings(ids)
	for _, id := range ids {
		subnetChecks = append(subnetChecks, knownvalue.StringExact(id))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: factory.Config(fmt.Sprintf(`
resource "containerapp_cluster" "test" {
  name = %q
}
`, name)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("vpc_id")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("subnet_ids")),
					expectMapKeys("resources", "cluster", "service_security_group"),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("service_security_group").AtMapKey("name"), knownvalue.StringExact(name+"-services")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_id"), knownvalue.StringExact(defaultVPC)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"), knownvalue.ListExact(subnetChecks)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("container_insights"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("capacity_providers"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("FARGATE"), knownvalue.StringExact("FARGATE_SPOT")})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("default_capacity_provider_strategy"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"capacity_provider": knownvalue.StringExact("FARGATE"), "weight": knownvalue.Int64Exact(1), "base": knownvalue.Int64Exact(0)}),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("load_balancer_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("listener_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("service_security_group_id"), knownvalue.StringRegexp(regexp.MustCompile(`^sg-`))),
			},
		}},
	})
}

// In-place updates: Container Insights, idle timeout, ingress CIDRs, tags,
// then a certificate (HTTPS listener, HTTP redirect), then removing the load
// balancer and the namespace.
func TestAccCluster_update(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	cert := newCertificate(t, name)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: factory.Config(testAccClusterConfig_basic(name, n, configOpts{insights: true})),
			Check:  checkAWS(t, "enabled", "10.0.0.0/8"),
		}, {
			Config: factory.Config(testAccClusterConfig_basic(name, n, configOpts{insights: false, idle: 120, cidrs: `["192.168.0.0/16"]`, team: "payments"})),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectMapKeys("resources", lbKeys...),
					// In-place: ARNs stay known.
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("load_balancer").AtMapKey("arn"), knownvalue.NotNull()),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("container_insights"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("payments")})),
			},
			Check: resource.ComposeTestCheckFunc(checkAWS(t, "disabled", "192.168.0.0/16"), checkIdleTimeout(t, "120")),
		}, {
			Config: factory.Config(testAccClusterConfig_basic(name, n, configOpts{idle: 120, cidrs: `["192.168.0.0/16"]`, team: "payments", cert: cert})),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectMapKeys("resources", append(lbKeys, "https_listener")...),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("listener_arn")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(addr, tfjsonpath.New("listener_arn"), addr, tfjsonpath.New("resources").AtMapKey("https_listener").AtMapKey("arn"), compare.ValuesSame()),
			},
			Check: checkRedirect(t),
		}, {
			Config: factory.Config(testAccClusterConfig_basic(name, n, configOpts{noLB: true, noSD: true})),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectMapKeys("resources", "cluster", "service_security_group"),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("load_balancer_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("namespace_id"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				left, err := acctest.ClusterLeftovers(context.Background(), name)
				if err != nil {
					return err
				}
				for _, l := range left {
					if !strings.HasPrefix(l, "ECS cluster") && !strings.Contains(l, name+"-services") {
						return fmt.Errorf("removed child still exists: %s", l)
					}
				}
				return nil
			},
		}},
	})
}

func checkIdleTimeout(t *testing.T, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		out, err := elbv2.NewFromConfig(acctest.MustConfig(t)).DescribeLoadBalancerAttributes(context.Background(),
			&elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(attrOf(s, "load_balancer_arn"))})
		if err != nil {
			return err
		}
		for _, a := range out.Attributes {
			if aws.ToString(a.Key) == "idle_timeout.timeout_seconds" && aws.ToString(a.Value) == want {
				return nil
			}
		}
		return fmt.Errorf("idle timeout is not %s: %v", want, out.Attributes)
	}
}

// checkRedirect: port 80 redirects to HTTPS; the HTTPS listener answers 404.
func checkRedirect(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		out, err := elbv2.NewFromConfig(acctest.MustConfig(t)).DescribeListeners(context.Background(),
			&elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(attrOf(s, "load_balancer_arn"))})
		if err != nil {
			return err
		}
		seen := 0
		for _, l := range out.Listeners {
			a := l.DefaultActions[0]
			switch aws.ToInt32(l.Port) {
			case 80:
				if a.Type != elbv2types.ActionTypeEnumRedirect || aws.ToString(a.RedirectConfig.Protocol) != "HTTPS" {
					return fmt.Errorf("port 80 action = %+v", a)
				}
				seen++
			case 443:
				if l.Protocol != elbv2types.ProtocolEnumHttps || a.Type != elbv2types.ActionTypeEnumFixedResponse {
					return fmt.Errorf("port 443 listener = %+v", l)
				}
				seen++
			}
		}
		if seen != 2 {
			return fmt.Errorf("listeners = %+v", out.Listeners)
		}
		return nil
	}
}

// Disappears: the anchor (ECS cluster) deleted out of band is re-created in
// place (the other children kept); a deleted child (the HTTP listener) is
// restored; a child changed out of band (an extra security group rule) is
// converged back.
func TestAccCluster_disappears(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	cfg := factory.Config(testAccClusterConfig_basic(name, n, configOpts{insights: true}))
	ctx := context.Background()
	awsCfg := acctest.MustConfig(t)
	var st *terraform.State
	keep := func(s *terraform.State) error { st = s; return nil }
	outOfBand := func(what string, fn func(s *terraform.State) error) func() {
		return func() {
			if err := fn(st); err != nil {
				t.Fatalf("%s out of band: %v", what, err)
			}
		}
	}
	var lbARN string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeTestCheckFunc(keep, func(s *terraform.State) error {
				lbARN = attrOf(s, "load_balancer_arn")
				return nil
			}),
		}, {
			// The anchor: the ECS cluster deleted out of band is re-created in
			// place; the other children are kept.
			PreConfig: outOfBand("deleting the ECS cluster", func(s *terraform.State) error {
				_, err := ecs.NewFromConfig(awsCfg).DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(name)})
				return err
			}),
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("resources").AtMapKey("cluster").AtMapKey("arn")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("load_balancer").AtMapKey("arn"), knownvalue.NotNull()),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(keep, checkAWS(t, "enabled", "10.0.0.0/8"),
				resource.TestCheckResourceAttrPtr(addr, "load_balancer_arn", &lbARN)),
		}, {
			// One child: the HTTP listener deleted out of band is restored.
			PreConfig: outOfBand("deleting the HTTP listener", func(s *terraform.State) error {
				_, err := elbv2.NewFromConfig(awsCfg).DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(attrOf(s, "listener_arn"))})
				return err
			}),
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectMapKeys("resources", lbKeys...),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("resources").AtMapKey("http_listener").AtMapKey("arn")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("cluster").AtMapKey("arn"), knownvalue.NotNull()),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(keep, checkAWS(t, "enabled", "10.0.0.0/8")),
		}, {
			// A child changed out of band (a rule added to the load balancer's
			// group) is converged back.
			PreConfig: outOfBand("opening port 22", func(s *terraform.State) error {
				_, err := ec2.NewFromConfig(awsCfg).AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
					GroupId: aws.String(attrOf(s, "load_balancer_security_group_id")),
					IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
						IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
				})
				return err
			}),
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("resources").AtMapKey("load_balancer_security_group").AtMapKey("arn")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("resources").AtMapKey("service_security_group").AtMapKey("arn"), knownvalue.NotNull()),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(keep, checkAWS(t, "enabled", "10.0.0.0/8")),
		}, {
			// Every child gone: the cluster is gone and created anew.
			PreConfig: outOfBand("deleting everything", func(s *terraform.State) error {
				return deleteAllChildren(ctx, awsCfg, s)
			}),
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkAWS(t, "enabled", "10.0.0.0/8"),
		}},
	})
}

// deleteAllChildren deletes every child of the state's cluster with the SDK.
func deleteAllChildren(ctx context.Context, cfg aws.Config, s *terraform.State) error {
	lb := elbv2.NewFromConfig(cfg)
	if _, err := lb.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(attrOf(s, "load_balancer_arn"))}); err != nil {
		return err
	}
	e := ec2.NewFromConfig(cfg)
	for _, sg := range []string{attrOf(s, "service_security_group_id"), attrOf(s, "load_balancer_security_group_id")} {
		if _, err := e.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)}); err != nil {
			return err
		}
	}
	if _, err := servicediscovery.NewFromConfig(cfg).DeleteNamespace(ctx, &servicediscovery.DeleteNamespaceInput{Id: aws.String(attrOf(s, "namespace_id"))}); err != nil {
		return err
	}
	_, err := ecs.NewFromConfig(cfg).DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(attrOf(s, "name"))})
	return err
}

// Import by cluster name rediscovers every child; the imported state plans
// nothing against the same configuration.
func TestAccCluster_import(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	cert := newCertificate(t, name)
	cfg := factory.Config(testAccClusterConfig_basic(name, n, configOpts{idle: 90, cidrs: `["10.0.0.0/8", "172.16.0.0/12"]`, cert: cert, nsType: "DNS_PRIVATE"}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: cfg,
		}, {
			ResourceName:      addr,
			ImportState:       true,
			ImportStateId:     name,
			ImportStateVerify: true,
		}, {
			ResourceName:  addr,
			ImportState:   true,
			ImportStateId: "no-such-cluster-" + name,
			ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
		}},
	})
}

// A cluster whose Terraform state was lost (its children exist, created
// here through the engine as a previous apply would have) is imported by
// name; the imported state plans nothing against the same configuration
// and destroys every child.
func TestAccCluster_importAdopts(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	ctx := context.Background()
	awsCfg := acctest.MustConfig(t)
	reg := engine.Registry{
		composite.KindECSCluster:    handlers.NewECSClusterHandler(ecs.NewFromConfig(awsCfg)),
		composite.KindHTTPNamespace: handlers.NewNamespaceHandler(servicediscovery.NewFromConfig(awsCfg)),
		composite.KindSecurityGroup: handlers.NewSecurityGroupHandler(ec2.NewFromConfig(awsCfg)),
		composite.KindLoadBalancer:  handlers.NewLoadBalancerHandler(elbv2.NewFromConfig(awsCfg)),
		composite.KindListener:      handlers.NewListenerHandler(elbv2.NewFromConfig(awsCfg)),
	}
	spec := composite.ClusterSpec{
		Name: name, ContainerInsights: composite.Ptr(false), VpcID: n.VpcID, SubnetIDs: n.Subnets,
		ServiceDiscovery: &composite.ClusterServiceDiscoverySpec{Name: name + ".internal", Type: "HTTP", Description: "services of " + name},
		LoadBalancer:     &composite.ClusterLoadBalancerSpec{IngressCIDRBlocks: []string{"10.0.0.0/8"}},
		Tags:             map[string]string{"team": "platform"},
	}
	g, err := composite.ExpandCluster(spec, composite.Env{Region: acctest.Region()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Apply(ctx, reg, g, nil, composite.Diff(g, nil), engine.Options{}); err != nil {
		t.Fatalf("creating the children: %v", err)
	}
	cfg := factory.Config(testAccClusterConfig_basic(name, n, configOpts{}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config:             cfg,
			ResourceName:       addr,
			ImportState:        true,
			ImportStateId:      name,
			ImportStatePersist: true,
		}, {
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				expectResourcesKeys(lbKeys...),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_id"), knownvalue.StringExact(n.VpcID)),
			},
		}},
	})
}

// expectResourcesKeys asserts the keys of the resources map in state.
func expectResourcesKeys(keys ...string) statecheck.StateCheck {
	checks := map[string]knownvalue.Check{}
	for _, k := range keys {
		checks[k] = knownvalue.NotNull()
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("resources"), knownvalue.MapExact(checks))
}

// Faults: each mutating create call fails in turn. The error names the
// child, the partial state records what exists, the next apply converges
// and destroy leaves nothing.
func TestAccCluster_faults(t *testing.T) {
	factory.PreCheck(t)
	steps := []struct {
		service, op string
		nth         int
		key         string
	}{
		{"ecs", "CreateCluster", 1, "cluster"},
		{"servicediscovery", "CreateHttpNamespace", 1, "namespace"},
		{"ec2", "CreateSecurityGroup", 1, "load_balancer_security_group"},
		{"ec2", "AuthorizeSecurityGroupIngress", 1, "load_balancer_security_group"},
		{"ec2", "CreateSecurityGroup", 2, "service_security_group"},
		{"ec2", "AuthorizeSecurityGroupIngress", 2, "service_security_group"},
		{"elasticloadbalancing", "CreateLoadBalancer", 1, "load_balancer"},
		{"elasticloadbalancing", "ModifyLoadBalancerAttributes", 1, "load_balancer"},
		{"elasticloadbalancing", "CreateListener", 1, "http_listener"},
	}
	for _, st := range steps {
		t.Run(fmt.Sprintf("%s_%d", st.op, st.nth), func(t *testing.T) {
			t.Parallel()
			name := acctest.RandomName("tfacc-fault")
			n := newNetwork(t)
			proxy, err := acctest.NewProxy(acctest.Endpoint(), acctest.SuiteProxyOptions()...)
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			defer func() {
				if t.Failed() {
					t.Logf("operations: %v", proxy.Operations())
				}
			}()
			cfg := factory.ProviderConfig(proxy.URL()) + testAccClusterConfig_basic(name, n, configOpts{insights: true})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckClusterDestroyed(name),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						proxy.Inject(acctest.Fault{Service: st.service, Operation: st.op, Nth: st.nth, Code: "InjectedFault", Message: "injected " + st.op})
					},
					Config:      cfg,
					ExpectError: regexp.MustCompile(`\(child "` + st.key + `"\)[\s\S]*injected\s+` + st.op),
				}, {
					PreConfig: proxy.ClearFaults,
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkAWS(t, "enabled", "10.0.0.0/8"),
				}},
			})
		})
	}
}

// Bad input fails at plan with the attribute and makes no AWS call.
func TestAccCluster_badInput(t *testing.T) {
	factory.PreCheck(t)
	proxy, err := acctest.NewProxy("http://127.0.0.1:1") // nothing may be forwarded anyway
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	provider := factory.ProviderConfig(proxy.URL(), "skip_credentials_validation = true", "skip_requesting_account_id = true")
	cases := []struct{ name, body, err string }{
		{"name", `name = "bad name"`, `Invalid name[\s\S]*not an ECS cluster name`},
		{"strategy", `
  name = "x"
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT" }]`, `Unknown capacity provider[\s\S]*not in capacity_providers`},
		{"vpc", `
  name   = "x"
  vpc_id = "vpc_1"`, `Invalid vpc_id`},
		{"one subnet", `
  name          = "x"
  subnet_ids    = ["subnet-0a1b2c3d"]
  load_balancer = {}`, `Too few subnet_ids`},
		{"cidr", `
  name          = "x"
  load_balancer = { ingress_cidr_blocks = ["10.1.2.3/8"] }`, `Invalid CIDR block[\s\S]*did you mean "10.0.0.0/8"`},
		{"certificate", `
  name          = "x"
  load_balancer = { certificate_arn = "my-cert" }`, `Invalid certificate_arn`},
		{"idle timeout", `
  name          = "x"
  load_balancer = { idle_timeout = 0 }`, `Invalid idle_timeout[\s\S]*4000`},
		{"namespace type", `
  name              = "x"
  service_discovery = { name = "x.internal", type = "DNS_PUBLIC" }`, `Invalid type[\s\S]*DNS_PRIVATE or HTTP`},
		{"namespace name", `
  name              = "x"
  service_discovery = { name = "bad_label.internal" }`, `Invalid namespace name`},
		{"reserved tag", `
  name = "x"
  tags = { "containerapp:owner" = "y" }`, `Reserved tag key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      provider + "resource \"containerapp_cluster\" \"test\" {\n" + c.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.err),
				}},
			})
		})
	}
	if calls := proxy.Calls(); len(calls) != 0 {
		t.Fatalf("bad input made AWS calls: %v", proxy.Operations())
	}
}

// Deleting a cluster that still has ECS services fails, naming them, before
// anything is deleted.
func TestAccCluster_deleteWithServices(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-cl")
	n := newNetwork(t)
	cfg := factory.Config(testAccClusterConfig_basic(name, n, configOpts{noLB: true}))
	ctx := context.Background()
	client := ecs.NewFromConfig(acctest.MustConfig(t))
	svc := "orders"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: cfg,
		}, {
			PreConfig: func() {
				td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
					Family:               aws.String(name),
					ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(64)}},
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(name), ServiceName: aws.String(svc),
					TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0)}); err != nil {
					t.Fatal(err)
				}
			},
			Config:      cfg,
			Destroy:     true,
			ExpectError: regexp.MustCompile(`still has 1 service\(s\): ` + svc + `[\s\S]*nothing was deleted`),
		}, {
			PreConfig: func() {
				left, err := acctest.ClusterLeftovers(ctx, name)
				if err != nil || len(left) != 3 { // cluster, services group, namespace
					t.Fatalf("after the refused destroy: %v, %v", left, err)
				}
				if _, err := client.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(name), Service: aws.String(svc), Force: aws.Bool(true)}); err != nil {
					t.Fatal(err)
				}
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}
