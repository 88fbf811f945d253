# Terraform 1.12+ and OpenTofu 1.12+: an import block by the plugin's
# identity. org defaults to the provider's signadot_org; version to 0.0.0,
# the version of a plugin published without one.
import {
  # signadot_* types are served by the xata provider; without this line
  # Terraform goes by the type's prefix and looks for hashicorp/signadot.
  provider = xata
  to       = signadot_resource_plugin.xata_branch
  identity = {
    name    = "xata-branch"
    version = "1.0.0"
  }
}
