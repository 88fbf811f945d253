// Package provider is the Terraform face of the project: the provider that
// package shared configures, serving the types of every service package
// (xata for Xata, signadot for Signadot). The services talk to their APIs
// only through the API client packages.
package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/xata"
)

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return shared.New(version, xata.Types(), signadot.Types())
}
