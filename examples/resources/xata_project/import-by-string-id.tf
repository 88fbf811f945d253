# Terraform 1.5+ and OpenTofu: an import block instead of `terraform import`.
# The id is the project's id or exact name in the provider's organization,
# or <organization_id>/<project id or name>.
import {
  to = xata_project.sandboxes
  id = "sandboxes"
}
