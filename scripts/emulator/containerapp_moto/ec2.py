"""EC2: the default VPC has an internet gateway and a 0.0.0.0/0 route to it in
its main route table, so its default subnets are public.

Patched (moto 5.2.1, moto/ec2/models/vpcs.py):
  VPCBackend.create_default_vpc (called when a region's backend is built, and
  by CreateDefaultVpc)

AWS, Amazon VPC User Guide, "Default VPC components": "When we create a
default VPC, we do the following to set it up for you: ... Create an internet
gateway and connect it to your default VPC. Add a route to the main route
table that points all traffic (0.0.0.0/0) to the internet gateway." The main
route table of the default VPC holds "172.31.0.0/16 local" and "0.0.0.0/0
internet_gateway_id". moto creates the VPC, its default subnets and its main
route table (local route only), but no internet gateway: every subnet of its
default VPC reads as private, and a load balancer that looks for public
subnets finds none.
"""

from typing import Any

from moto.ec2.models import vpcs as vpcs_models

Backend = vpcs_models.VPCBackend
_orig_create_default_vpc = Backend.create_default_vpc


def create_default_vpc(self: Any) -> Any:
    vpc = _orig_create_default_vpc(self)
    igw = self.create_internet_gateway()
    self.attach_internet_gateway(igw.id, vpc.id)
    for table in list(self.route_tables.values()):
        if table.vpc_id == vpc.id and table.main_association_id is not None:
            self.create_route(table.id, "0.0.0.0/0", gateway_id=igw.id)
    return vpc


def apply() -> list:
    Backend.create_default_vpc = create_default_vpc
    return ["ec2-default-vpc-internet-gateway"]
