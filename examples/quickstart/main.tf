# Quickstart: branch an existing branch (main) and print how to connect.
#
#   export XATA_API_KEY=... XATA_ORGANIZATION_ID=... XATA_PROJECT_ID=...
#   terraform init && terraform apply
#   psql "$(terraform output -raw connection_string)"
#
# With a local build under dev_overrides, init fails on Terraform before
# 1.15 and on OpenTofu: skip it there, or install the build from a
# filesystem mirror (docs/guides/installing-a-local-build.md).
terraform {
  required_providers {
    xata = {
      source  = "sandboxdb/xata"
      version = "~> 0.1"
    }
  }
}

provider "xata" {}

variable "branch_name" {
  description = "Name of the new branch."
  type        = string
  default     = "quickstart"
}

variable "parent_branch" {
  description = "Name of the branch to copy."
  type        = string
  default     = "main"
}

resource "xata_branch" "this" {
  name        = var.branch_name
  parent_name = var.parent_branch
}

output "branch_id" {
  value = xata_branch.this.id
}

output "connection_string" {
  value     = xata_branch.this.connection_string
  sensitive = true
}
