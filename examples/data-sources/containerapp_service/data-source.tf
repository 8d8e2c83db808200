terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

variable "cluster" {
  type    = string
  default = "platform"
}

variable "service_name" {
  type    = string
  default = "web"
}

# Look up a service created by a containerapp_service resource (for example in
# another configuration): its children's ARNs and the resources map.
data "containerapp_service" "web" {
  cluster = var.cluster
  name    = var.service_name
}

output "task_definition_arn" {
  value = data.containerapp_service.web.task_definition_arn
}

output "log_group_name" {
  value = data.containerapp_service.web.log_group_name
}

output "children" {
  value = { for key, child in data.containerapp_service.web.resources : key => child.name }
}
