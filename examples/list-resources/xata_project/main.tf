# main.tf, beside the .tfquery.hcl file: a query file cannot declare the
# provider, so the configuration in the same directory does.
# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

provider "xata" {} # XATA_API_KEY, XATA_ORGANIZATION_ID, XATA_PROJECT_ID
