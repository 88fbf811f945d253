terraform {
  required_providers {
    xata = {
      source  = "sandboxdb/xata"
      version = "~> 0.1"
    }
  }
}

# Every setting can come from the environment instead:
# XATA_API_KEY, XATA_API_BASE_URL, XATA_ORGANIZATION_ID, XATA_PROJECT_ID.
# Without them, organization and project default to the xata CLI's
# .xata/project.json (written by `xata init`).
provider "xata" {
  organization_id = "a1b2c3"
  project_id      = "prj_0123456789abcdefghijklmnop"
}
