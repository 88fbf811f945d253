# Once per configuration: without it Terraform looks for hashicorp/xata.
terraform {
  required_providers {
    xata = { source = "sandboxdb/xata", version = "~> 0.1" }
  }
}

data "xata_instance_types" "us" {
  region = "us-east-1"
}

# Name, CPU and memory of each instance type the region offers.
output "instance_types" {
  value = { for t in data.xata_instance_types.us.instance_types : t.name => "${t.vcpu_millicores / 1000} vCPU, ${t.ram_gb} GB" }
}
