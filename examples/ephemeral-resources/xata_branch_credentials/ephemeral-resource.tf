# Configure another provider with a branch's credentials without storing
# the password in plan or state (Terraform 1.10+, OpenTofu 1.11+).
ephemeral "xata_branch_credentials" "main" {
  # For a branch this configuration manages, write xata_branch.<name>.name:
  # the reference orders destroy so the credentials are read before the
  # branch is deleted.
  branch_name = "main"
}

provider "postgresql" {
  host     = ephemeral.xata_branch_credentials.main.host
  port     = ephemeral.xata_branch_credentials.main.port
  username = ephemeral.xata_branch_credentials.main.username
  password = ephemeral.xata_branch_credentials.main.password
  database = ephemeral.xata_branch_credentials.main.database
  sslmode  = "require"
}
