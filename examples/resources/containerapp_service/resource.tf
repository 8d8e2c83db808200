terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

variable "cluster" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "listener_arn" {
  type = string
}

variable "namespace_id" {
  type = string
}

variable "db_password_secret_arn" {
  type = string
}

resource "containerapp_service" "web" {
  name          = "web"
  cluster       = var.cluster
  cpu           = 256
  memory        = 512
  desired_count = 2

  containers = {
    web = {
      image       = "public.ecr.aws/nginx/nginx:1.27"
      port        = 80 # the stock nginx image listens on 80
      command     = ["nginx", "-g", "daemon off;"]
      environment = { LOG_LEVEL = "info" }
      secrets     = { DB_PASSWORD = var.db_password_secret_arn }
    }
  }

  # Tasks get no public IP: private subnets need a NAT gateway (or VPC
  # endpoints for ECR, S3, CloudWatch Logs and Secrets Manager) to pull the
  # image, read the secret and write logs. In public subnets (a default VPC)
  # set assign_public_ip = true instead.
  network = {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  load_balancer = {
    listener_arn  = var.listener_arn
    path_patterns = ["/*"]
    host_headers  = ["web.example.com"]
    health_check  = { path = "/", matcher = "200-399", interval = 15, healthy_threshold = 3 }
  }

  service_discovery = {
    namespace_id = var.namespace_id
    dns_ttl      = 10
  }

  repository = {
    scan_on_push         = true
    image_tag_mutability = "IMMUTABLE"
    keep_images          = 30
  }

  task_role_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::my-bucket/*"]
    }]
  })

  log_retention_days = 30

  deployment = {
    circuit_breaker_rollback = true
    minimum_healthy_percent  = 100
    maximum_percent          = 200
    wait_for_steady_state    = true
  }

  tags = { team = "payments" }
}

output "service_arn" {
  value = containerapp_service.web.arn
}

output "resources" {
  value = containerapp_service.web.resources
}
