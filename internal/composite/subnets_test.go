package composite

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestUnitPublicSubnets(t *testing.T) {
	igw := []RouteFacts{{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"}, {DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "active"}}
	local := []RouteFacts{{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"}}
	nat := append(local[:1:1], RouteFacts{DestinationCIDR: "0.0.0.0/0", GatewayID: "", State: "active"}) // a NAT gateway route has no GatewayId
	cases := []struct {
		name    string
		subnets []string
		tables  []RouteTableFacts
		want    []string
	}{
		{"main table public, none associated", []string{"subnet-a", "subnet-b"},
			[]RouteTableFacts{{Main: true, Routes: igw}}, []string{"subnet-a", "subnet-b"}},
		{"main table private, none associated", []string{"subnet-a"},
			[]RouteTableFacts{{Main: true, Routes: local}}, nil},
		{"explicit association overrides the main table", []string{"subnet-a", "subnet-b", "subnet-c"},
			[]RouteTableFacts{{Main: true, Routes: igw}, {Subnets: []string{"subnet-b"}, Routes: local}, {Subnets: []string{"subnet-c"}, Routes: nat}},
			[]string{"subnet-a"}},
		{"private main table, public association", []string{"subnet-a", "subnet-b"},
			[]RouteTableFacts{{Main: true, Routes: local}, {Subnets: []string{"subnet-b"}, Routes: igw}}, []string{"subnet-b"}},
		{"blackhole route to a detached gateway", []string{"subnet-a"},
			[]RouteTableFacts{{Main: true, Routes: []RouteFacts{{DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "blackhole"}}}}, nil},
		{"route to an internet gateway for another destination only", []string{"subnet-a"},
			[]RouteTableFacts{{Main: true, Routes: []RouteFacts{{DestinationCIDR: "192.0.2.0/24", GatewayID: "igw-1", State: "active"}}}}, nil},
		{"virtual private gateway default route", []string{"subnet-a"},
			[]RouteTableFacts{{Main: true, Routes: []RouteFacts{{DestinationCIDR: "0.0.0.0/0", GatewayID: "vgw-1", State: "active"}}}}, nil},
		{"no route tables", []string{"subnet-a"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := PublicSubnets(c.subnets, c.tables)
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			if !reflect.DeepEqual(ids, c.want) {
				t.Errorf("PublicSubnets = %v, want %v", ids, c.want)
			}
		})
	}
}

func TestUnitChooseSubnets(t *testing.T) {
	pub := func(id, az string) SubnetFacts { return SubnetFacts{ID: id, AvailabilityZone: az, Public: true} }
	priv := func(id, az string) SubnetFacts { return SubnetFacts{ID: id, AvailabilityZone: az} }
	def := func(s SubnetFacts) SubnetFacts { s.DefaultForAZ = true; return s }
	// Two zones, a public and a private subnet in each, a second public one
	// in the first.
	mixed := []SubnetFacts{
		pub("subnet-pa2", "az-a"), pub("subnet-pa1", "az-a"), priv("subnet-xa", "az-a"),
		pub("subnet-pb", "az-b"), priv("subnet-xb", "az-b"),
	}
	cases := []struct {
		name      string
		subnets   []SubnetFacts
		placement LoadBalancerPlacement
		want      []string
		wantErr   []string // substrings of the error
	}{
		{"no load balancer: every subnet, sorted", mixed, NoLoadBalancer,
			[]string{"subnet-pa1", "subnet-pa2", "subnet-pb", "subnet-xa", "subnet-xb"}, nil},
		{"no load balancer, one zone", []SubnetFacts{priv("subnet-b", "az-a"), priv("subnet-a", "az-a")}, NoLoadBalancer,
			[]string{"subnet-a", "subnet-b"}, nil},
		{"internet-facing: a public subnet per zone, lowest id", mixed, InternetFacingLoadBalancer,
			[]string{"subnet-pa1", "subnet-pb"}, nil},
		{"internal: a private subnet per zone", mixed, InternalLoadBalancer,
			[]string{"subnet-xa", "subnet-xb"}, nil},
		{"internal: falls back to public in a zone without private", []SubnetFacts{
			pub("subnet-pa", "az-a"), priv("subnet-xa", "az-a"), pub("subnet-pb2", "az-b"), pub("subnet-pb1", "az-b")}, InternalLoadBalancer,
			[]string{"subnet-pb1", "subnet-xa"}, nil},
		{"default for the zone wins over a lower id", []SubnetFacts{
			pub("subnet-1", "az-a"), def(pub("subnet-9", "az-a")), pub("subnet-5", "az-b")}, InternetFacingLoadBalancer,
			[]string{"subnet-5", "subnet-9"}, nil},
		{"internal: private beats default-for-zone public", []SubnetFacts{
			def(pub("subnet-1", "az-a")), priv("subnet-9", "az-a"), def(pub("subnet-2", "az-b"))}, InternalLoadBalancer,
			[]string{"subnet-2", "subnet-9"}, nil},
		{"default VPC: one default public subnet per zone", []SubnetFacts{
			def(pub("subnet-c", "az-c")), def(pub("subnet-a", "az-a")), def(pub("subnet-b", "az-b"))}, InternetFacingLoadBalancer,
			[]string{"subnet-a", "subnet-b", "subnet-c"}, nil},
		{"internet-facing: a zone without public subnets is skipped", []SubnetFacts{
			pub("subnet-pa", "az-a"), pub("subnet-pb", "az-b"), priv("subnet-xc", "az-c")}, InternetFacingLoadBalancer,
			[]string{"subnet-pa", "subnet-pb"}, nil},
		{"internet-facing: public subnets in one zone", []SubnetFacts{
			pub("subnet-pa", "az-a"), priv("subnet-xa", "az-a"), priv("subnet-xb", "az-b")}, InternetFacingLoadBalancer, nil,
			[]string{"VPC vpc-1", "internet-facing", "in 1 (subnets: az-a: subnet-pa (public), subnet-xa (private); az-b: subnet-xb (private))",
				"Set subnet_ids", "load_balancer.internal = true", "public subnet in a second Availability Zone"}},
		{"internet-facing: no public subnet", []SubnetFacts{priv("subnet-xa", "az-a"), priv("subnet-xb", "az-b")}, InternetFacingLoadBalancer, nil,
			[]string{"in 0 (subnets: az-a: subnet-xa (private); az-b: subnet-xb (private))", "load_balancer.internal = true"}},
		{"internal: one zone", []SubnetFacts{pub("subnet-pa", "az-a"), priv("subnet-xa", "az-a")}, InternalLoadBalancer, nil,
			[]string{"VPC vpc-1", "in 1 (subnets: az-a: subnet-pa (public), subnet-xa (private))", "Set subnet_ids", "subnet in a second Availability Zone"}},
		{"no subnets", nil, InternalLoadBalancer, nil, []string{"VPC vpc-1 has no subnets: set subnet_ids"}},
		{"no subnets, no load balancer", nil, NoLoadBalancer, nil, []string{"VPC vpc-1 has no subnets"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ChooseSubnets("vpc-1", c.subnets, c.placement)
			if c.wantErr != nil {
				if err == nil {
					t.Fatalf("ChooseSubnets = %v, want an error", got)
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if c.placement == InternalLoadBalancer && strings.Contains(err.Error(), "internal = true") {
					t.Errorf("error for an internal load balancer suggests internal = true: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ChooseSubnets = %v, want %v", got, c.want)
			}
		})
	}
}

func TestUnitPlacementOf(t *testing.T) {
	if PlacementOf(nil) != NoLoadBalancer ||
		PlacementOf(&ClusterLoadBalancerSpec{}) != InternetFacingLoadBalancer ||
		PlacementOf(&ClusterLoadBalancerSpec{Internal: Ptr(false)}) != InternetFacingLoadBalancer ||
		PlacementOf(&ClusterLoadBalancerSpec{Internal: Ptr(true)}) != InternalLoadBalancer {
		t.Error("PlacementOf")
	}
}
