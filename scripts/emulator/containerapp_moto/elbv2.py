"""ELBv2: an Application Load Balancer takes one subnet per Availability
Zone, in at least two Availability Zones.

Patched (moto 5.2.1, moto/elbv2/models.py):
  ELBv2Backend.create_load_balancer

AWS, ELBv2 CreateLoadBalancer Subnets: "The IDs of the subnets. You can
specify only one subnet per Availability Zone. You must specify either subnets
or subnet mappings, but not both." ... "[Application Load Balancers] You must
specify subnets from at least two Availability Zones." AWS answers (HTTP 400)
InvalidConfigurationRequest "A load balancer cannot be attached to multiple
subnets in the same Availability Zone" and ValidationError "At least two
subnets in two different Availability Zones must be specified". moto accepts
both. (moto's SetSubnets already checks the same rules.)
"""

from typing import Any

from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import InvalidConfigurationRequest, ValidationError

Backend = elbv2_models.ELBv2Backend
_orig_create_load_balancer = Backend.create_load_balancer

SAME_AZ = "A load balancer cannot be attached to multiple subnets in the same Availability Zone"
FEWER_THAN_TWO_AZS = "At least two subnets in two different Availability Zones must be specified"


def create_load_balancer(
    self: Backend,
    name: str,
    security_groups: list,
    subnet_ids: list,
    subnet_mappings: list | None = None,
    scheme: str = "internet-facing",
    loadbalancer_type: str | None = None,
    ip_address_type: str = "ipv4",
    tags: list | None = None,
) -> Any:
    if (loadbalancer_type or "application") == "application":
        ids = list(dict.fromkeys(list(subnet_ids or []) + [m.get("SubnetId") for m in subnet_mappings or []]))
        try:
            subnets = [self.ec2_backend.get_subnet(i) for i in ids if i]
        except Exception:
            subnets = []  # moto reports the unknown subnet (SubnetNotFound)
        if subnets and all(subnets):
            zones: dict = {}
            for subnet in subnets:
                if subnet.availability_zone in zones:
                    raise InvalidConfigurationRequest(SAME_AZ)
                zones[subnet.availability_zone] = subnet.id
            if len(zones) < 2:
                raise ValidationError(FEWER_THAN_TWO_AZS)
    return _orig_create_load_balancer(
        self,
        name=name,
        security_groups=security_groups,
        subnet_ids=subnet_ids,
        subnet_mappings=subnet_mappings,
        scheme=scheme,
        loadbalancer_type=loadbalancer_type,
        ip_address_type=ip_address_type,
        tags=tags,
    )


def apply() -> list:
    Backend.create_load_balancer = create_load_balancer
    return ["elbv2-alb-subnets-one-per-az-two-azs"]
