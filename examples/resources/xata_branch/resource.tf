# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# A branch per pull request, copied from main: schema and data at once,
# and writes never reach main. main is created below, so it is referenced
# by id, which the plan does not look up; parent_name = "main" suits a
# main that already exists.
resource "xata_branch" "pr" {
  name        = "pr-${var.pr_number}"
  parent_id   = xata_branch.main.id # main is created first
  description = "Pull request ${var.pr_number}"

  scale_to_zero = {
    enabled                   = true
    inactivity_period_minutes = 30
  }

  timeouts {
    create = "15m"
  }
}

variable "pr_number" {
  type = number
}

output "database_url" {
  value     = xata_branch.pr.connection_string
  sensitive = true
}

# A root branch names its own cluster.
resource "xata_branch" "main" {
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
  replicas      = 1

  postgres_parameters = {
    max_connections = "100"
  }
}
