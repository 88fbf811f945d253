package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// importNamesNothing reports an import with neither an id nor an
// identity: `terraform import <address> ”`. Taking it for an import by
// identity would fail converting the missing identity, a message that
// blames the provider.
func importNamesNothing(req resource.ImportStateRequest) bool {
	return req.ID == "" && (req.Identity == nil || req.Identity.Raw.IsNull())
}

// orgIdentityModel is the identity of an object that lives directly in an
// organization (a project, an API key): the organization and the object's
// id, neither of which ever changes.
type orgIdentityModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	ID             types.String `tfsdk:"id"`
}

// orgIdentitySchema is that identity's schema; what names the object
// ("project", "key") and idNote says which id it is.
func orgIdentitySchema(what, idNote string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"organization_id": identityschema.StringAttribute{
				Description:       "Organization of the " + what + ". Defaults to the provider's organization_id when importing.",
				OptionalForImport: true,
			},
			"id": identityschema.StringAttribute{
				Description:       idNote,
				RequiredForImport: true,
			},
		},
	}
}

func setOrgIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, org, id string) diag.Diagnostics {
	return identity.Set(ctx, orgIdentityModel{OrganizationID: types.StringValue(org), ID: types.StringValue(id)})
}
