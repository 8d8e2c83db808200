# A whole platform from pure HCL: one cluster composite (ECS cluster, Cloud Map
# namespace, ALB with its security groups and listener) and three services.
terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

provider "containerapp" {
  default_tags {
    tags = {
      environment = var.environment
    }
  }
}

variable "environment" {
  description = "Environment name, added to every child as a tag."
  type        = string
  default     = "demo"
}

variable "name" {
  description = "Cluster name."
  type        = string
  default     = "platform"
}

resource "containerapp_cluster" "platform" {
  name = var.name

  service_discovery = {
    name = "${var.name}.internal"
    type = "HTTP"
  }

  load_balancer = {
    internal            = false
    ingress_cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { team = "platform" }
}

# The public web front end, behind the ALB on "/".
resource "containerapp_service" "web" {
  name          = "web"
  cluster       = containerapp_cluster.platform.name
  desired_count = 2

  containers = {
    web = {
      image = "public.ecr.aws/nginx/nginx:1.27"
      port  = 80
    }
  }

  # The cluster's subnets are the default VPC's, which are public and have
  # no NAT gateway: tasks need a public IP to pull images and write logs.
  network = {
    subnet_ids         = containerapp_cluster.platform.subnet_ids
    security_group_ids = [containerapp_cluster.platform.service_security_group_id]
    assign_public_ip   = true
  }

  load_balancer = {
    listener_arn  = containerapp_cluster.platform.listener_arn
    path_patterns = ["/*"]
    priority      = 200
  }

  # One task always on regular Fargate, the others three to one on Fargate
  # Spot (the cluster associates both). Without this, a service runs on the
  # cluster's default strategy, as api and worker do.
  capacity_provider_strategy = [
    { capacity_provider = "FARGATE", base = 1, weight = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = 3 },
  ]

  # 2 to 6 tasks, holding 60 % CPU and 1000 requests per task per minute;
  # at most 2 at night. desired_count is only the count it starts with.
  autoscaling = {
    min_count           = 2
    max_count           = 6
    cpu_target          = 60
    requests_per_target = 1000
    schedules = {
      night = { schedule = "cron(0 22 * * ? *)", timezone = "Europe/Berlin", max_count = 2 }
      day   = { schedule = "cron(0 7 ? * MON-FRI *)", timezone = "Europe/Berlin", max_count = 6 }
    }
  }
}

# The API, behind the ALB on "/api/*" and registered in Cloud Map.
resource "containerapp_service" "api" {
  name    = "api"
  cluster = containerapp_cluster.platform.name
  cpu     = 512
  memory  = 1024

  # image_tag runs an image of the service's own repository, which the first
  # apply creates empty: the service starts at desired count 0 with a
  # warning. Push the image to the repository_url output and apply again.
  containers = {
    api = {
      image_tag   = "v1"
      port        = 8080
      environment = { LOG_LEVEL = "info" }
    }
  }

  repository = {
    keep_images = 20
  }

  # The cluster's subnets are the default VPC's, which are public and have
  # no NAT gateway: tasks need a public IP to pull images and write logs.
  network = {
    subnet_ids         = containerapp_cluster.platform.subnet_ids
    security_group_ids = [containerapp_cluster.platform.service_security_group_id]
    assign_public_ip   = true
  }

  load_balancer = {
    listener_arn  = containerapp_cluster.platform.listener_arn
    path_patterns = ["/api/*"]
    priority      = 100
    health_check  = { path = "/api/healthz" }
  }

  service_discovery = {
    namespace_id = containerapp_cluster.platform.namespace_id
  }
}

# A background worker: no load balancer, no port.
resource "containerapp_service" "worker" {
  name    = "worker"
  cluster = containerapp_cluster.platform.name

  containers = {
    worker = {
      image   = "public.ecr.aws/docker/library/busybox:1.36"
      command = ["sh", "-c", "while true; do echo working; sleep 60; done"]
    }
  }

  # The cluster's subnets are the default VPC's, which are public and have
  # no NAT gateway: tasks need a public IP to pull images and write logs.
  network = {
    subnet_ids         = containerapp_cluster.platform.subnet_ids
    security_group_ids = [containerapp_cluster.platform.service_security_group_id]
    assign_public_ip   = true
  }
}

output "url" {
  description = "Public URL of the platform's load balancer."
  value       = "http://${containerapp_cluster.platform.load_balancer_dns_name}"
}

output "cluster_arn" {
  value = containerapp_cluster.platform.arn
}

output "service_arns" {
  value = {
    web    = containerapp_service.web.arn
    api    = containerapp_service.api.arn
    worker = containerapp_service.worker.arn
  }
}

output "api_repository_url" {
  description = "Push the api image here (tag v1)."
  value       = containerapp_service.api.repository_url
}

output "resources" {
  description = "Every AWS child of every composite, by composite and logical key."
  value = {
    cluster = containerapp_cluster.platform.resources
    web     = containerapp_service.web.resources
    api     = containerapp_service.api.resources
    worker  = containerapp_service.worker.resources
  }
}
