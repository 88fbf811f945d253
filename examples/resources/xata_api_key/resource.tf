# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

resource "xata_project" "sandboxes" {
  name = "sandboxes"
}

# Bump to rotate: the new key (a new name, since names are unique) is made
# before the old one is deleted, so whatever holds the token can switch
# over before the old token stops working.
variable "runner_key_generation" {
  type    = number
  default = 1
}

# The key a sandbox runner needs: branches and their credentials in one
# project, nothing else (no other project, no keys, no organization changes).
resource "xata_api_key" "runner" {
  name     = "sandbox-runner-${var.runner_key_generation}"
  scopes   = ["branch:write", "credentials:read"]
  projects = [xata_project.sandboxes.id]

  lifecycle {
    create_before_destroy = true
  }
}

# The token is sensitive: `terraform output -raw runner_api_key` prints it,
# for example into `kubectl create secret` (see the Signadot guide).
output "runner_api_key" {
  value     = xata_api_key.runner.token
  sensitive = true
}
