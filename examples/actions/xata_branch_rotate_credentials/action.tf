# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# Rotate main's password whenever var.rotation changes, e.g. after a
# suspected leak: terraform apply -var rotation=2. It can also be run on
# its own: terraform apply -invoke=action.xata_branch_rotate_credentials.main
data "xata_branch" "main" {
  name = "main"
}

variable "rotation" {
  type    = number
  default = 1
}

resource "terraform_data" "rotation" {
  input = var.rotation

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.xata_branch_rotate_credentials.main]
    }
  }
}

action "xata_branch_rotate_credentials" "main" {
  config {
    branch_id = data.xata_branch.main.id
  }
}
