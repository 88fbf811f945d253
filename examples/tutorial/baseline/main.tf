# Baseline of the tutorial: look up the branch every sandbox copies, and
# install the xata-branch Signadot resource plugin, whose steps run the
# Terraform in ../runner (baked into the runner image) once per sandbox.
#
#   export XATA_API_KEY=... XATA_ORGANIZATION_ID=... XATA_PROJECT_ID=...
#   export SIGNADOT_API_KEY=... SIGNADOT_ORG=...
#   terraform init && terraform apply
terraform {
  required_version = ">= 1.5"

  required_providers {
    xata = {
      source = "sandboxdb/xata"
    }
  }
}

provider "xata" {}

variable "parent_branch" {
  description = "Branch every sandbox branch is copied from."
  type        = string
  default     = "main"
}

variable "runner_image" {
  description = "Image with terraform, this provider and ../runner at /opt/xata-runner (see ../Dockerfile)."
  type        = string
  default     = "ghcr.io/sandboxdb/xata-branch-runner:0.1.0"
}

variable "runner_namespace" {
  description = "Namespace the runner pods run in; the credentials secret must live there."
  type        = string
  default     = "signadot"
}

# Bump this whenever you change the plugin (its steps, runner or overlay):
# published versions are immutable, so a change under the same version is
# refused. Sandboxes keep the version they resolved when they were created;
# new sandboxes get the highest.
#   terraform apply -var plugin_version=1.1.0
variable "plugin_version" {
  description = "Version of the xata-branch plugin to publish; bump it on every change of the plugin."
  type        = string
  default     = "1.0.0"

  validation {
    condition     = can(regex("^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$", var.plugin_version))
    error_message = "plugin_version must be a semantic version such as 1.1.0 (without a leading v)."
  }
}

variable "credentials_secret" {
  description = "Kubernetes secret holding the runner's settings (see ../k8s/xata-credentials.yaml)."
  type        = string
  default     = "xata-credentials"
}

locals {
  # Keys of the credentials secret, each passed to the runner as an env var.
  runner_env = ["XATA_API_KEY", "XATA_API_BASE_URL", "XATA_ORGANIZATION_ID", "XATA_PROJECT_ID", "PG_CONN_STR"]
}

# Fails the plan if the parent does not exist, before any sandbox needs it.
data "xata_branch" "parent" {
  name = var.parent_branch
}

resource "signadot_resource_plugin" "xata_branch" {
  provider    = xata
  name        = "xata-branch"
  version     = var.plugin_version
  description = "A Xata branch per sandbox, copied from ${var.parent_branch}, managed by Terraform"

  runner = {
    image     = var.runner_image
    namespace = var.runner_namespace
    pod_template_overlay = yamlencode({
      spec = {
        containers = [{
          name = "main"
          env = [for key in local.runner_env : {
            name      = key
            valueFrom = { secretKeyRef = { name = var.credentials_secret, key = key } }
          }]
        }]
      }
    })
  }

  create = [{
    name = "provision"
    inputs = [{
      name               = "parent-branch"
      value_from_sandbox = true
      as_env             = "PARENT_BRANCH"
    }]
    script = <<-SH
      #!/bin/bash
      exec "$${RUNNER_DIR:-/opt/xata-runner}/provision.sh"
    SH
    outputs = [
      { name = "branch-name", value_from_path = "/outputs/branch-name", description = "Name of the sandbox's Xata branch" },
      { name = "connection-string", value_from_path = "/outputs/connection-string", description = "postgresql:// URL of the branch" },
    ]
  }]

  delete = [{
    name   = "cleanup"
    script = <<-SH
      #!/bin/bash
      exec "$${RUNNER_DIR:-/opt/xata-runner}/cleanup.sh"
    SH
  }]

  # A bump publishes the new version first (create_before_destroy), then
  # deletes the old one; while sandboxes still use the old one, Signadot
  # refuses, and this leaves it published to them (with a warning saying
  # how to delete it once they are gone) instead of failing the apply.
  keep_in_use_on_destroy = true

  lifecycle {
    create_before_destroy = true
  }
}

output "parent_branch_id" {
  value = data.xata_branch.parent.id
}

output "parent_connection_string" {
  description = "For seeding the parent: psql \"$(terraform output -raw parent_connection_string)\" -f ../db/schema.sql"
  value       = data.xata_branch.parent.connection_string
  sensitive   = true
}

output "plugin_output_keys" {
  description = "What a sandbox's fork env reads via valueFrom.resource.outputKey."
  value       = signadot_resource_plugin.xata_branch.output_keys
}
