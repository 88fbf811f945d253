# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# A preview branch that is hibernated as soon as it exists, and costs only
# its storage until someone wakes it:
#   terraform apply -invoke=action.xata_branch_wake.preview
resource "xata_branch" "preview" {
  name        = "preview"
  parent_name = "main"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.xata_branch_hibernate.preview]
    }
  }
}

action "xata_branch_hibernate" "preview" {
  config {
    branch_id = xata_branch.preview.id
  }
}

action "xata_branch_wake" "preview" {
  config {
    branch_id = xata_branch.preview.id
  }
}
