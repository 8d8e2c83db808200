# Against a local emulator (moto or LocalStack) on port 4566.
provider "containerapp" {
  alias                       = "emulator"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true

  endpoints {
    ecs              = "http://127.0.0.1:4566"
    elbv2            = "http://127.0.0.1:4566"
    iam              = "http://127.0.0.1:4566"
    logs             = "http://127.0.0.1:4566"
    ecr              = "http://127.0.0.1:4566"
    servicediscovery = "http://127.0.0.1:4566"
    ec2              = "http://127.0.0.1:4566"
    sts              = "http://127.0.0.1:4566"
  }
}
