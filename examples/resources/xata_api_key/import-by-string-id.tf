# Terraform 1.5+ and OpenTofu: an import block instead of `terraform import`.
# The id is the key's id or exact name in the provider's organization, or
# <organization_id>/<key id or name>. The imported key's token is null.
import {
  to = xata_api_key.runner
  id = "sandbox-runner-1"
}
