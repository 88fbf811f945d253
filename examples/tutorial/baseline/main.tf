# Baseline of the tutorial, from an empty Xata organization: the project,
# its branch main that every sandbox copies, the runner's API key (limited
# to that project and to what the runner does), and the xata-branch Signadot
# resource plugin, whose steps run the Terraform in ../runner (baked into
# the runner image) once per sandbox.
#
#   export XATA_API_KEY=... XATA_ORGANIZATION_ID=...
#   export SIGNADOT_API_KEY=... SIGNADOT_ORG=...
#   terraform init && terraform apply
#
# No database password is stored in this configuration's state: main keeps
# no credentials, and seeding reads them from an ephemeral resource. The
# runner's API key token is stored here, as a sensitive value, and goes from
# the runner_api_key output straight into the runner's Kubernetes secret.
terraform {
  # Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
  required_version = ">= 1.10"

  required_providers {
    xata = {
      source  = "sandboxdb/xata"
      version = "~> 0.1"
    }
  }
}

provider "xata" {}

variable "project_name" {
  description = "Name of the project the sandboxes' branches live in."
  type        = string
  default     = "sandboxes"
}

variable "adopt_project_id" {
  description = "Id of an existing project to adopt (import) instead of creating one; set project_name to its name. Its branch named parent_branch is adopted too. Adopted, they are managed here: destroy deletes them unless you `terraform state rm` them first."
  type        = string
  default     = null
}

variable "parent_branch" {
  description = "Branch every sandbox branch is copied from."
  type        = string
  default     = "main"
}

variable "region" {
  description = "Region of the parent branch (data source xata_regions lists them)."
  type        = string
  default     = "us-east-1"
}

variable "instance_type" {
  description = "Instance type of the parent branch (data source xata_instance_types lists them)."
  type        = string
  default     = "xata.micro"
}

variable "image" {
  description = "Postgres image of the parent branch (data source xata_images lists them)."
  type        = string
  default     = "postgres:17.9"
}

variable "runner_key_generation" {
  description = "Bump to rotate the runner's API key: the apply makes the new key, then deletes the old one; update the runner's secret right after it."
  type        = number
  default     = 1
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
  description = "Kubernetes secret holding the runner's settings (made with kubectl, see the tutorial's README)."
  type        = string
  default     = "xata-credentials"
}

variable "seed_files" {
  description = "SQL files run against the parent with psql, in order, when this list or a file's content changes; empty: no seeding."
  type        = list(string)
  default     = []
}

variable "psql" {
  description = "The psql command that seeds the parent."
  type        = string
  default     = "psql"
}

locals {
  # Keys of the credentials secret, each passed to the runner as an env var.
  runner_env = ["XATA_API_KEY", "XATA_API_BASE_URL", "XATA_ORGANIZATION_ID", "XATA_PROJECT_ID", "PG_CONN_STR"]
}

import {
  for_each = toset(var.adopt_project_id == null ? [] : [var.adopt_project_id])
  to       = xata_project.sandboxes
  id       = each.value
}

resource "xata_project" "sandboxes" {
  name = var.project_name
}

# The branch every sandbox copies. An existing one of that name (in an
# adopted project) is adopted rather than refused.
resource "xata_branch" "parent" {
  project_id        = xata_project.sandboxes.id
  name              = var.parent_branch
  region            = var.region
  instance_type     = var.instance_type
  image             = var.image
  store_credentials = false
  adopt_existing    = true
}

# The runner's key: branches and their credentials in this project only.
# It cannot reach another project, mint keys or change the organization, so
# a leaked runner pod gives away no more than this project's branches.
# Rotation: -var runner_key_generation=2 (names are unique, hence the
# generation in the name).
resource "xata_api_key" "runner" {
  name     = "${var.project_name}-runner-${var.runner_key_generation}"
  scopes   = ["branch:write", "credentials:read"]
  projects = [xata_project.sandboxes.id]

  lifecycle {
    create_before_destroy = true
  }
}

# The parent's credentials, read when seeding needs them and never stored.
ephemeral "xata_branch_credentials" "parent" {
  count     = length(var.seed_files) > 0 ? 1 : 0
  project_id = xata_branch.parent.project_id
  branch_id  = xata_branch.parent.id
}

# Seeds the parent, e.g.
#   terraform apply -var 'seed_files=["../db/schema.sql","../db/seed.sql"]'
# The provisioner gets the connection string from the ephemeral resource, in
# its environment: neither the command line nor the state sees it.
resource "terraform_data" "seed_parent" {
  count            = length(var.seed_files) > 0 ? 1 : 0
  triggers_replace = [for f in var.seed_files : "${f}:${filesha256(f)}"]

  provisioner "local-exec" {
    command = "printf '%s\\n' \"$SEED_FILES\" | while IFS= read -r f; do \"$PSQL\" -X -q -v ON_ERROR_STOP=1 -d \"$DATABASE_URL\" -f \"$f\" || exit 1; done"
    environment = {
      DATABASE_URL = ephemeral.xata_branch_credentials.parent[0].connection_string
      SEED_FILES   = join("\n", [for f in var.seed_files : abspath(f)])
      PSQL         = var.psql
    }
  }
}

resource "signadot_resource_plugin" "xata_branch" {
  # signadot_* types are served by the xata provider; without this line
  # Terraform goes by the type's prefix and looks for hashicorp/signadot.
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

output "project_id" {
  description = "The runner secret's XATA_PROJECT_ID."
  value       = xata_project.sandboxes.id
}

output "parent_branch_id" {
  value = xata_branch.parent.id
}

output "runner_api_key" {
  description = "The runner secret's XATA_API_KEY: pipe it into kubectl (terraform output -raw runner_api_key | kubectl create secret … --from-file=XATA_API_KEY=/dev/stdin)."
  value       = xata_api_key.runner.token
  sensitive   = true
}

output "plugin_output_keys" {
  description = "What a sandbox's fork env reads via valueFrom.resource.outputKey."
  value       = signadot_resource_plugin.xata_branch.output_keys
}
