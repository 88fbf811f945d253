package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// importNamesNothing reports an import with neither an id nor an
// identity: `terraform import <address> ”`. Taking it for an import by
// identity would fail converting the missing identity, a message that
// blames the provider.
func importNamesNothing(req resource.ImportStateRequest) bool {
	return req.ID == "" && (req.Identity == nil || req.Identity.Raw.IsNull())
}
