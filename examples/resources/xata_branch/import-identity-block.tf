# Terraform 1.12+ and OpenTofu 1.12+: an import block by the branch's
# identity. organization_id and project_id default to the provider's; id
# is the branch's id, not its name (a name can pass to another branch).
import {
  to = xata_branch.main
  identity = {
    id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"
  }
}
