# Cleans up orphaned branches without `terraform query` (OpenTofu 1.7+,
# Terraform 1.7+). Run it in an empty directory, with a state of its own:
#   1. terraform init && terraform apply   imports every match
#   2. delete the second half of this file (below the marker), then
#      terraform apply                     destroys what was imported

# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

variable "name_regex" {
  type    = string
  default = "^sb-"
}

variable "created_before" {
  type    = string
  default = "72h"
}

data "xata_branches" "orphans" {
  name_regex     = var.name_regex
  created_before = var.created_before
}

output "orphans" {
  value = [for b in data.xata_branches.orphans.branches : "${b.name} (${b.id}), created ${b.created_at}"]
}

# --- delete from here to the end of the file, then apply again ---

locals {
  orphans = { for b in data.xata_branches.orphans.branches : b.name => b }
}

import {
  for_each = local.orphans
  to       = xata_branch.orphan[each.key]
  id       = each.value.id
}

# Each attribute repeats what the branch has, so the import plans no change.
resource "xata_branch" "orphan" {
  for_each = local.orphans

  name          = each.value.name
  parent_id     = each.value.parent_id
  description   = each.value.description
  region        = each.value.region
  instance_type = each.value.instance_type
  image         = each.value.image
}
