# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

data "xata_images" "us" {
  region = "us-east-1"
}

locals {
  # Sorted oldest first, so the last is the newest Postgres 17 offered.
  postgres17 = [for image in data.xata_images.us.images : image.name if image.major_version == "17"]
}

resource "xata_branch" "main" {
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = local.postgres17[length(local.postgres17) - 1]
}
