# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# Sandbox branches of main older than three days: candidates for cleanup
# once their sandboxes are gone.
data "xata_branches" "stale_sandboxes" {
  name_regex     = "^sb-"
  parent_name    = "main"
  created_before = "72h"
}

output "stale_sandbox_branches" {
  value = [for b in data.xata_branches.stale_sandboxes.branches : "${b.name} (${b.id}), created ${b.created_at}"]
}

# Every branch of the project that is hibernated now.
data "xata_branches" "hibernated" {
  status = "STATUS_TYPE_HIBERNATED"
}
