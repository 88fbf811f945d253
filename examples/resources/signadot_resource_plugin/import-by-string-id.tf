# Terraform 1.7+ and OpenTofu: an import block instead of `terraform import`.
# The id is the plugin's name (its bare 0.0.0 version) or name@version.
import {
  # signadot_* types are served by the xata provider; without this line
  # Terraform goes by the type's prefix and looks for hashicorp/signadot.
  provider = xata
  to       = signadot_resource_plugin.xata_branch
  id       = "xata-branch@1.0.0"
}
