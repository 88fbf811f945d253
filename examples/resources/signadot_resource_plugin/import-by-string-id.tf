# Terraform 1.7+ and OpenTofu: an import block instead of `terraform import`.
# The id is the plugin's name (its bare 0.0.0 version) or name@version.
# Like the resource, the import names the xata provider, which serves it.
import {
  to       = signadot_resource_plugin.xata_branch
  id       = "xata-branch@1.0.0"
  provider = xata
}
