# The branch every sandbox branches from.
data "xata_branch" "main" {
  name = "main"
}

resource "xata_branch" "sandbox" {
  name      = "sb-demo"
  parent_id = data.xata_branch.main.id
}
