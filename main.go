// Command terraform-provider-xata serves the xata Terraform provider over
// protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider"
)

// version is what the provider reports to Terraform and in its User-Agent:
// "dev" for any build but a release, whose build (.goreleaser.yml) sets it
// to the tag's version with -ldflags "-X main.version=<version>".
var version = "dev"

// registryAddress is the provider's source address; configs write
// source = "sandboxdb/xata".
const registryAddress = "registry.terraform.io/sandboxdb/xata"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         registryAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		// The plugin protocol has not started yet, so stderr is the only channel.
		log.Fatal(err.Error())
	}
}
