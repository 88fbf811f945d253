# By id or exact name, in the provider's organization:
terraform import xata_project.sandboxes prj_0123456789abcdefghijklmnop
terraform import xata_project.sandboxes sandboxes

# Or in another organization: <organization_id>/<project id or name>
terraform import xata_project.sandboxes a1b2c3/sandboxes
