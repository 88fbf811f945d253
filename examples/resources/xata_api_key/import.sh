# By id or exact name, in the provider's organization. The token is not
# imported: the API shows it only when the key is created.
terraform import xata_api_key.runner 0123456789abcdefghijklmnop
terraform import xata_api_key.runner sandbox-runner-1

# Or in another organization: <organization_id>/<key id or name>
terraform import xata_api_key.runner a1b2c3/sandbox-runner-1
