# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# A project made elsewhere, looked up by name.
data "xata_project" "sandboxes" {
  name = "sandboxes"
}

resource "xata_branch" "main" {
  project_id    = data.xata_project.sandboxes.id
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}
