# Sandbox branches of main older than three days: `terraform query` lists
# them, `terraform query -generate-config-out=orphans.tf` writes an import
# block and a resource block for each.
list "xata_branch" "stale_sandboxes" {
  provider = xata

  config {
    name_regex     = "^sb-"
    parent_name    = "main"
    created_before = "72h"
  }
}

# Every hibernated branch, with its attributes (include_resource).
list "xata_branch" "hibernated" {
  provider         = xata
  include_resource = true

  config {
    status = "STATUS_TYPE_HIBERNATED"
  }
}
