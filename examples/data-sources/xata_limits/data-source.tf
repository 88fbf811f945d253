# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

data "xata_limits" "org" {}

# How many sandboxes fit beside main in one project.
output "sandbox_capacity" {
  value = data.xata_limits.org.max_branches_per_project - 1
}
