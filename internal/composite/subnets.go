package composite

import (
	"fmt"
	"sort"
	"strings"
)

// The cluster's default subnets, decided from facts the network lookup
// gathers (internal/handlers ResolveNetwork).
//
// An Application Load Balancer takes one subnet per Availability Zone, in at
// least two Availability Zones (ELBv2 CreateLoadBalancer, Subnets). Elastic
// Load Balancing's guide: "If your load balancer is an internet-facing load
// balancer, you must select public subnets ... If your load balancer is an
// internal load balancer, we recommend that you select private subnets." A
// public subnet is one whose route table sends 0.0.0.0/0 to an internet
// gateway; a subnet without an explicit route table association uses the
// VPC's main route table (Amazon VPC User Guide, route tables).

// LoadBalancerPlacement is what the cluster's subnets are for.
type LoadBalancerPlacement int

const (
	// NoLoadBalancer: the subnets are only exported for the services; every
	// subnet of the VPC.
	NoLoadBalancer LoadBalancerPlacement = iota
	// InternetFacingLoadBalancer: one public subnet per Availability Zone.
	InternetFacingLoadBalancer
	// InternalLoadBalancer: one subnet per Availability Zone, private ones
	// first.
	InternalLoadBalancer
)

// PlacementOf returns the placement of a cluster with lb (nil: no load
// balancer; Internal unset: internet-facing, the default).
func PlacementOf(lb *ClusterLoadBalancerSpec) LoadBalancerPlacement {
	switch {
	case lb == nil:
		return NoLoadBalancer
	case lb.Internal != nil && *lb.Internal:
		return InternalLoadBalancer
	default:
		return InternetFacingLoadBalancer
	}
}

// SubnetFacts is what the subnet choice knows of one subnet.
type SubnetFacts struct {
	ID               string
	AvailabilityZone string
	DefaultForAZ     bool
	// Public: its route table has a 0.0.0.0/0 route to an internet gateway
	// (see PublicSubnets).
	Public bool
}

// RouteTableFacts is what the subnet choice knows of one route table.
type RouteTableFacts struct {
	Main    bool     // the VPC's main route table
	Subnets []string // subnets explicitly associated with it
	Routes  []RouteFacts
}

// RouteFacts is one route of a route table.
type RouteFacts struct {
	DestinationCIDR string
	GatewayID       string
	State           string // "active" or "blackhole"
}

// internetRoute reports whether rt sends 0.0.0.0/0 to an internet gateway
// (a route to a detached gateway is a "blackhole" and does not count).
func (rt RouteTableFacts) internetRoute() bool {
	for _, r := range rt.Routes {
		if r.DestinationCIDR == "0.0.0.0/0" && strings.HasPrefix(r.GatewayID, "igw-") && r.State != "blackhole" {
			return true
		}
	}
	return false
}

// PublicSubnets returns the ids of the subnets whose route table - the one
// they are explicitly associated with, else the main one - has a 0.0.0.0/0
// route to an internet gateway.
func PublicSubnets(subnetIDs []string, tables []RouteTableFacts) map[string]bool {
	explicit := map[string]bool{} // subnet -> its table has an internet route
	mainPublic := false
	for _, rt := range tables {
		pub := rt.internetRoute()
		if rt.Main {
			mainPublic = pub
		}
		for _, s := range rt.Subnets {
			explicit[s] = pub
		}
	}
	out := map[string]bool{}
	for _, id := range subnetIDs {
		pub, ok := explicit[id]
		if !ok {
			pub = mainPublic
		}
		if pub {
			out[id] = true
		}
	}
	return out
}

// ChooseSubnets picks the cluster's default subnets among the subnets of
// vpcID. Without a load balancer: every subnet. For a load balancer: one per
// Availability Zone - internet-facing: public subnets only (a zone without
// one is skipped); internal: a private subnet, else a public one. Among the
// candidates of a zone the default subnet for the zone wins, then the lowest
// id. The result is sorted. Fewer than two zones is an error that names the
// subnets found and the ways out.
func ChooseSubnets(vpcID string, subnets []SubnetFacts, placement LoadBalancerPlacement) ([]string, error) {
	if len(subnets) == 0 {
		return nil, fmt.Errorf("VPC %s has no subnets: set subnet_ids", vpcID)
	}
	if placement == NoLoadBalancer {
		ids := make([]string, 0, len(subnets))
		for _, s := range subnets {
			ids = append(ids, s.ID)
		}
		sort.Strings(ids)
		return ids, nil
	}
	best := map[string]SubnetFacts{}
	for _, s := range subnets {
		if placement == InternetFacingLoadBalancer && !s.Public {
			continue
		}
		cur, ok := best[s.AvailabilityZone]
		if !ok || betterSubnet(s, cur, placement) {
			best[s.AvailabilityZone] = s
		}
	}
	if len(best) < 2 {
		return nil, tooFewZonesError(vpcID, subnets, placement, len(best))
	}
	ids := make([]string, 0, len(best))
	for _, s := range best {
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	return ids, nil
}

// betterSubnet reports whether a is preferred to b (same zone).
func betterSubnet(a, b SubnetFacts, placement LoadBalancerPlacement) bool {
	if placement == InternalLoadBalancer && a.Public != b.Public {
		return !a.Public
	}
	if a.DefaultForAZ != b.DefaultForAZ {
		return a.DefaultForAZ
	}
	return a.ID < b.ID
}

func tooFewZonesError(vpcID string, subnets []SubnetFacts, placement LoadBalancerPlacement, zones int) error {
	byZone := map[string][]string{}
	for _, s := range subnets {
		kind := "private"
		if s.Public {
			kind = "public"
		}
		byZone[s.AvailabilityZone] = append(byZone[s.AvailabilityZone], s.ID+" ("+kind+")")
	}
	azs := make([]string, 0, len(byZone))
	for az := range byZone {
		azs = append(azs, az)
	}
	sort.Strings(azs)
	found := make([]string, 0, len(azs))
	for _, az := range azs {
		sort.Strings(byZone[az])
		found = append(found, az+": "+strings.Join(byZone[az], ", "))
	}
	if placement == InternetFacingLoadBalancer {
		return fmt.Errorf("an internet-facing load balancer needs public subnets (a 0.0.0.0/0 route to an internet gateway) "+
			"in at least two Availability Zones, and VPC %s has them in %d (subnets: %s). Set subnet_ids, set "+
			"load_balancer.internal = true for an internal load balancer, or add a public subnet in a second Availability Zone",
			vpcID, zones, strings.Join(found, "; "))
	}
	return fmt.Errorf("a load balancer needs subnets in at least two Availability Zones, and VPC %s has them in %d "+
		"(subnets: %s). Set subnet_ids, or add a subnet in a second Availability Zone", vpcID, zones, strings.Join(found, "; "))
}
