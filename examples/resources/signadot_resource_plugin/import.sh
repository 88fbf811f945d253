# The bare (0.0.0) version by name, or a version as name@version:
terraform import signadot_resource_plugin.xata_branch xata-branch
terraform import signadot_resource_plugin.xata_branch xata-branch@1.0.0
