# Terraform 1.5+ and OpenTofu: an import block instead of `terraform import`.
# The id is the branch's id or exact name in the provider's organization and
# project, or <organization_id>/<project_id>/<branch id or name>.
# `terraform plan -generate-config-out=generated.tf` writes the resource
# block for you.
import {
  to = xata_branch.main
  id = "main"
}
