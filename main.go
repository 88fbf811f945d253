// Command terraform-provider-xata serves the xata Terraform provider over
// protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

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
	if !debug { // a provider run under a debugger prints its logs itself
		for _, name := range logVariablesToSilence(os.Environ()) {
			_ = os.Setenv(name, "OFF") // only this process's environment
		}
	}

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

// logVariablesToSilence returns the plugin SDK's log-level variables to
// set to OFF when nobody asked for logs. The SDK defaults every logger to
// TRACE and writes each line to stderr as JSON, which Terraform (and
// OpenTofu) throw away unless a TF_LOG variable is set: a plan of 100
// branches spent a quarter of its time encoding discarded trace lines. Any
// TF_LOG* or TF_ACC_LOG* variable means someone is listening, and then
// nothing changes. The SDK names this provider's own logger after its
// type (TF_LOG_PROVIDER_XATA), which TF_LOG_PROVIDER does not silence.
func logVariablesToSilence(environ []string) []string {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_ACC_LOG") {
			return nil
		}
	}
	return []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_XATA"}
}
