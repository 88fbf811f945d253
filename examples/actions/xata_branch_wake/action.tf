# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# Wake main before a job that needs it, however it was hibernated:
#   terraform apply -invoke=action.xata_branch_wake.main
data "xata_branch" "main" {
  name = "main"
}

action "xata_branch_wake" "main" {
  config {
    branch_id = data.xata_branch.main.id
    timeout   = "10m"
  }
}
