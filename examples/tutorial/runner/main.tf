# The Terraform the xata-branch plugin's steps run, once per sandbox: a Xata
# branch sb-<sandbox> copied from the parent branch the sandbox asks for.
#
# State lives in PostgreSQL (the pg backend, PG_CONN_STR), one workspace per
# sandbox, because the create and delete steps run in different pods: nothing
# may live only in a local state file. No password is stored there: the
# branch keeps its credentials out of state, and the connection string goes
# from an ephemeral resource straight to Signadot's output file.
terraform {
  # Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
  required_version = ">= 1.10"

  backend "pg" {}

  required_providers {
    xata = {
      source  = "sandboxdb/xata"
      version = "~> 0.1"
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

variable "outputs_dir" {
  description = "Directory of the create step's outputs, which Signadot reads (value_from_path)."
  type        = string
  default     = "/outputs"
}

variable "run_id" {
  description = "Unique per run of the create step (provision.sh sets it): each run writes the output file again, in its own pod."
  type        = string
  default     = ""
}

resource "xata_branch" "sandbox" {
  name        = "sb-${var.sandbox}"
  parent_name = var.parent_branch

  # A step killed after the branch was created but before the state was
  # saved leaves a branch Terraform does not know: the next run adopts it.
  adopt_existing = true

  # username, password and connection_string stay null in state.
  store_credentials = false

  timeouts {
    create = "15m"
  }
}

output "branch_name" {
  value = xata_branch.sandbox.name
}

# Read on every apply, never stored.
ephemeral "xata_branch_credentials" "sandbox" {
  branch_id = xata_branch.sandbox.id
}

# Writes the connection string where Signadot reads it. A provisioner may
# use ephemeral values; it runs when the resource is created, and a new
# run_id replaces it, so every create step (a re-run too) writes the file in
# its own pod.
resource "terraform_data" "connection_string_output" {
  triggers_replace = var.run_id

  provisioner "local-exec" {
    command = "umask 077 && printf '%s' \"$CONNECTION_STRING\" > \"$OUTPUT_FILE\""
    environment = {
      CONNECTION_STRING = ephemeral.xata_branch_credentials.sandbox.connection_string
      OUTPUT_FILE       = "${var.outputs_dir}/connection-string"
    }
  }
}
