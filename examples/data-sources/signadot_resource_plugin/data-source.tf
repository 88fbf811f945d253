# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# Which sandboxes still use the plugin (a version in use cannot be deleted).
data "signadot_resource_plugin" "xata_branch" {
  # signadot_* types are served by the xata provider; without this line
  # Terraform goes by the type's prefix and looks for hashicorp/signadot.
  provider = xata
  name     = "xata-branch"
}

output "sandboxes_using_plugin" {
  value = [for s in data.signadot_resource_plugin.xata_branch.sandboxes : s.sandbox]
}
