data "containerapp_cluster" "platform" {
  name = "platform"
}

output "cluster_arn" {
  value = data.containerapp_cluster.platform.arn
}
