# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# The branch every sandbox branches from.
data "xata_branch" "main" {
  name = "main"
}

resource "xata_branch" "sandbox" {
  name      = "sb-demo"
  parent_id = data.xata_branch.main.id
}
