# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

resource "xata_project" "sandboxes" {
  name = "sandboxes"

  # Sandbox branches hibernate after 15 idle minutes; main never does.
  scale_to_zero = {
    base_branches  = { enabled = false }
    child_branches = { enabled = true, inactivity_period_minutes = 15 }
  }

  ip_filtering = {
    enabled = true
    cidrs   = [{ cidr = "10.0.0.0/8", description = "cluster network" }]
  }
}

# The project's root branch, in the same apply.
resource "xata_branch" "main" {
  project_id    = xata_project.sandboxes.id
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}
