terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

variable "name" {
  type    = string
  default = "platform"
}

variable "vpc_id" {
  type        = string
  description = "VPC for the platform; null for the region's default VPC."
  default     = null
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets for the ALB and services; null for all subnets of the VPC."
  default     = null
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for the HTTPS listener; null for HTTP only."
  default     = null
}

# The shared platform: an ECS cluster (Fargate and Fargate Spot), a Cloud Map
# namespace, and an internet-facing ALB in the region's default VPC.
resource "containerapp_cluster" "platform" {
  name = var.name

  capacity_providers                 = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy = [{ capacity_provider = "FARGATE", weight = 1, base = 1 }]
  container_insights                 = true

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  service_discovery = {
    name = "${var.name}.internal"
    type = "DNS_PRIVATE"
  }

  load_balancer = {
    internal            = false
    ingress_cidr_blocks = ["0.0.0.0/0"]
    certificate_arn     = var.certificate_arn
    idle_timeout        = 60
  }

  tags = { env = "prod" }
}

output "url" {
  value = "http://${containerapp_cluster.platform.load_balancer_dns_name}"
}

output "listener_arn" {
  value = containerapp_cluster.platform.listener_arn
}

output "resources" {
  value = containerapp_cluster.platform.resources
}
