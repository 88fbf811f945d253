# By id or exact name, in the provider's organization and project:
terraform import xata_branch.main k3v9q0m2p8d4r6t1b5n7c0f2a9
terraform import xata_branch.main main

# Or spelled out: <organization_id>/<project_id>/<branch id or name>
terraform import xata_branch.main a1b2c3/prj_0123456789abcdefghijklmnop/main
