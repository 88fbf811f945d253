// Package signadot is the provider's Signadot service: the resource plugin
// as a resource and a data source (configurations set provider = xata on
// them). It reaches the Signadot API only through the client package
// internal/signadot (imported as signadotapi).
package signadot

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

// Types are the Signadot types the provider serves.
func Types() shared.Types {
	return shared.Types{
		Resources:   []func() resource.Resource{NewResourcePluginResource},
		DataSources: []func() datasource.DataSource{NewResourcePluginDataSource},
	}
}
