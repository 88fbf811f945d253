# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

data "xata_regions" "all" {}

# The regions a root branch's region may name.
output "regions" {
  value = data.xata_regions.all.regions[*].id
}
