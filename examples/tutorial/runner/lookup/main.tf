# Run by cleanup.sh when a sandbox's state records no branch: finds a branch
# sb-<sandbox> that a create step killed before it saved its state left
# behind, so the delete step can adopt and delete it. State is local: this
# configuration only reads.
terraform {
  required_version = ">= 1.5"

  required_providers {
    xata = {
      source  = "sandboxdb/xata"
      version = "~> 0.1"
    }
  }
}

provider "xata" {}

variable "name" {
  description = "Exact name of the branch to find."
  type        = string
}

data "xata_branches" "named" {
  name_regex = "^${var.name}$"
}

locals {
  # Names are unique within a project, so there is at most one.
  ids = [for b in data.xata_branches.named.branches : b.id if b.name == var.name]
}

output "id" {
  description = "Id of the live branch of that exact name, or \"\" when there is none."
  value       = length(local.ids) == 0 ? "" : local.ids[0]
}
