terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

variable "cluster_name" {
  type    = string
  default = "platform"
}

data "containerapp_cluster" "platform" {
  name = var.cluster_name
}

output "cluster_arn" {
  value = data.containerapp_cluster.platform.arn
}
