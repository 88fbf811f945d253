package shared

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ImportNamesNothing reports an import with neither an id nor an
// identity: `terraform import <address> ”`. Taking it for an import by
// identity would fail converting the missing identity, a message that
// blames the provider.
func ImportNamesNothing(req resource.ImportStateRequest) bool {
	return req.ID == "" && (req.Identity == nil || req.Identity.Raw.IsNull())
}

// orgIdentityModel is the identity of an object that lives directly in an
// organization (a project, an API key): the organization and the object's
// id, neither of which ever changes.
type orgIdentityModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	ID             types.String `tfsdk:"id"`
}

// OrgIdentitySchema is that identity's schema; what names the object
// ("project", "key") and idNote says which id it is.
func OrgIdentitySchema(what, idNote string) identityschema.Schema {
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

func SetOrgIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, org, id string) diag.Diagnostics {
	return identity.Set(ctx, orgIdentityModel{OrganizationID: types.StringValue(org), ID: types.StringValue(id)})
}

// OrgImportRef reads what an import names of an object that lives in an
// organization: its identity, or "<ref>" or "<organization_id>/<ref>",
// where ref is an id or a name. title names the type in diagnostics
// ("Project"), noun in prose ("project"), example is a terraform import
// line. org is null when the import leaves the organization to the
// provider. It reports false after adding an error.
func OrgImportRef(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, title, noun, example string) (org types.String, ref string, ok bool) {
	if ImportNamesNothing(req) {
		resp.Diagnostics.AddError("Missing Xata "+title+" Import ID",
			fmt.Sprintf("The import names no %[1]s. Give its id or name, or <organization_id>/<%[1]s id or name>, e.g. "+
				"%[2]s; with Terraform 1.12 or later an import block may name it by identity instead.", noun, example))
		return types.StringNull(), "", false
	}
	if req.ID == "" {
		var identity orgIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		return identity.OrganizationID, identity.ID.ValueString(), !resp.Diagnostics.HasError()
	}
	o, rest, found := strings.Cut(req.ID, "/")
	if !found {
		return types.StringNull(), req.ID, true
	}
	if o == "" || rest == "" {
		resp.Diagnostics.AddError("Invalid Xata "+title+" Import ID",
			fmt.Sprintf("Got %[1]q. Use the %[2]s's id or name, or <organization_id>/<%[2]s id or name> for another "+
				"organization than the provider's.", req.ID, noun))
		return types.StringNull(), "", false
	}
	return types.StringValue(o), rest, true
}
