# Which sandboxes still use the plugin (a version in use cannot be deleted).
data "signadot_resource_plugin" "xata_branch" {
  provider = xata
  name     = "xata-branch"
}

output "sandboxes_using_plugin" {
  value = [for s in data.signadot_resource_plugin.xata_branch.sandboxes : s.sandbox]
}
