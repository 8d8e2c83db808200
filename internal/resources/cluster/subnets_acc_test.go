package cluster_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/acctest/factory"
)

// Without subnet_ids, a cluster with a load balancer gets one subnet per
// Availability Zone (issue 8, item 6): in a VPC without an internet gateway
// an internet-facing load balancer has no public subnet and the apply fails
// before creating anything, naming subnet_ids and the ways out; an internal
// one takes a private subnet per zone, the lowest id of the zone with two.
func TestAccCluster_defaultSubnets(t *testing.T) {
	factory.PreCheck(t)
	name := acctest.RandomName("tfacc-sn")
	n := newNetwork(t) // private subnets in zones a and b
	c := ec2.NewFromConfig(acctest.MustConfig(t))
	second, err := acctest.CreateSubnet(context.Background(), c, n.VpcID, "10.43.2.0/24", acctest.Region()+"a")
	if err != nil {
		t.Fatalf("CreateSubnet: %v", err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(second)})
	})
	out, err := c.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{SubnetIds: append([]string{second}, n.Subnets...)})
	if err != nil {
		t.Fatal(err)
	}
	byZone := map[string][]string{}
	for _, s := range out.Subnets {
		byZone[aws.ToString(s.AvailabilityZone)] = append(byZone[aws.ToString(s.AvailabilityZone)], aws.ToString(s.SubnetId))
	}
	var want []string
	for _, ids := range byZone {
		sort.Strings(ids)
		want = append(want, ids[0])
	}
	sort.Strings(want)
	if len(want) != 2 {
		t.Fatalf("subnets by zone: %v", byZone)
	}
	config := func(lb string) string {
		return factory.Config(fmt.Sprintf(`
resource "containerapp_cluster" "test" {
  name          = %q
  vpc_id        = %q
  load_balancer = %s
}
`, name, n.VpcID, lb))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factory.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckClusterDestroyed(name),
		Steps: []resource.TestStep{{
			Config: config("{}"),
			ExpectError: regexp.MustCompile(`Resolving the cluster's network[\s\S]*internet-facing\s+load\s+balancer\s+needs\s+public\s+subnets` +
				`[\s\S]*` + regexp.QuoteMeta(n.VpcID) + `[\s\S]*load_balancer.internal\s+=\s+true`),
		}, {
			Config: config("{ internal = true }"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectUnknownValue(addr, tfjsonpath.New("subnet_ids"))},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(want[0]), knownvalue.StringExact(want[1])})),
			},
		}},
	})
}
