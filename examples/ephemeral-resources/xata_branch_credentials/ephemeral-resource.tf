# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# A branch for a pull request, and its credentials read fresh on every run:
# they never reach the plan or the state (Terraform 1.10+, OpenTofu 1.11+).
resource "xata_branch" "pr" {
  name        = "pr-42"
  parent_name = "main"
}

# Reference the branch's id, not its name: the id is unknown until the
# branch exists, so Terraform opens this only after creating the branch
# (a name is known at plan time, and would be looked up before it exists).
ephemeral "xata_branch_credentials" "pr" {
  branch_id = xata_branch.pr.id
}

# Use them where ephemeral values are allowed: a provider block (for
# example the PostgreSQL provider's), or a provisioner, as here, to run
# the branch's migrations once it exists.
resource "terraform_data" "migrate" {
  triggers_replace = [xata_branch.pr.id]

  provisioner "local-exec" {
    command = "psql -v ON_ERROR_STOP=1 -c 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY)'"
    environment = {
      PGHOST     = ephemeral.xata_branch_credentials.pr.host
      PGPORT     = ephemeral.xata_branch_credentials.pr.port
      PGUSER     = ephemeral.xata_branch_credentials.pr.username
      PGPASSWORD = ephemeral.xata_branch_credentials.pr.password
      PGDATABASE = ephemeral.xata_branch_credentials.pr.database
    }
  }
}
