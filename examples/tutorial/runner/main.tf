# The Terraform the xata-branch plugin's steps run, once per sandbox: a Xata
# branch sb-<sandbox> copied from the parent branch the sandbox asks for.
#
# State lives in PostgreSQL (the pg backend, PG_CONN_STR), one workspace per
# sandbox, because the create and delete steps run in different pods: nothing
# may live only in a local state file.
terraform {
  required_version = ">= 1.5"

  backend "pg" {}

  required_providers {
    xata = {
      source = "sandboxdb/xata"
    }
  }
}

# XATA_API_KEY, XATA_ORGANIZATION_ID, XATA_PROJECT_ID (and XATA_API_BASE_URL)
# come from the runner pod's environment, set from a Kubernetes secret.
provider "xata" {}

variable "sandbox" {
  description = "Name of the Signadot sandbox (SIGNADOT_SANDBOX_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.sandbox))
    error_message = "sandbox must be a Signadot sandbox name: lowercase letters, digits and '-'."
  }
}

variable "parent_branch" {
  description = "Name of the branch to copy (the sandbox's parent-branch param)."
  type        = string
  default     = "main"
}

resource "xata_branch" "sandbox" {
  name        = "sb-${var.sandbox}"
  parent_name = var.parent_branch

  # A step killed after the branch was created but before the state was
  # saved leaves a branch Terraform does not know: the next run adopts it.
  adopt_existing = true

  timeouts {
    create = "15m"
  }
}

output "branch_name" {
  value = xata_branch.sandbox.name
}

output "connection_string" {
  value     = xata_branch.sandbox.connection_string
  sensitive = true
}
