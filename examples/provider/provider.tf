terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}

# Against AWS: credentials and region come from the usual SDK chain
# (environment, shared config, SSO, instance role).
provider "containerapp" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }
}
