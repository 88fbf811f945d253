# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

# A plugin that gives each sandbox its own Xata branch. The steps run the
# scripts baked into the runner image, which apply or destroy a xata_branch
# with Terraform (see examples/tutorial).
resource "signadot_resource_plugin" "xata_branch" {
  # signadot_* types are served by the xata provider; without this line
  # Terraform goes by the type's prefix and looks for hashicorp/signadot.
  provider    = xata
  name        = "xata-branch"
  version     = "1.0.0"
  description = "A Xata branch per sandbox"

  runner = {
    image                = "ghcr.io/example/xata-branch-runner:1.0.0"
    namespace            = "signadot"
    pod_template_overlay = <<-YAML
      spec:
        containers:
          - name: main
            env:
              - name: XATA_API_KEY
                valueFrom:
                  secretKeyRef:
                    name: xata-credentials
                    key: XATA_API_KEY
    YAML
  }

  create = [{
    name = "provision"
    inputs = [{
      name               = "parent-branch"
      value_from_sandbox = true
      as_env             = "PARENT_BRANCH"
    }]
    script = <<-SH
      #!/bin/bash
      exec /opt/xata-runner/provision.sh
    SH
    outputs = [
      { name = "branch-name", value_from_path = "/outputs/branch-name" },
      { name = "connection-string", value_from_path = "/outputs/connection-string" },
    ]
  }]

  delete = [{
    name   = "cleanup"
    script = <<-SH
      #!/bin/bash
      exec /opt/xata-runner/cleanup.sh
    SH
  }]

  # Versions are immutable: bump version to change the plugin, and publish
  # the new one before the old one is deleted. An old version sandboxes
  # still use cannot be deleted: leave it to them, with a warning, instead
  # of failing the apply.
  keep_in_use_on_destroy = true

  lifecycle {
    create_before_destroy = true
  }
}

# What a sandbox's fork reads, e.g. valueFrom.resource.outputKey.
output "plugin_output_keys" {
  value = signadot_resource_plugin.xata_branch.output_keys # ["provision.branch-name", "provision.connection-string"]
}
