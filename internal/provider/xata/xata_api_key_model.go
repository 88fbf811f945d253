package xata

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// apiKeyModel is the Terraform state of xata_api_key.
type apiKeyModel struct {
	ID             types.String      `tfsdk:"id"`
	OrganizationID types.String      `tfsdk:"organization_id"`
	Name           types.String      `tfsdk:"name"`
	Scopes         types.Set         `tfsdk:"scopes"`
	Projects       types.Set         `tfsdk:"projects"`
	Branches       types.Set         `tfsdk:"branches"`
	Expiry         timetypes.RFC3339 `tfsdk:"expiry"`
	Token          types.String      `tfsdk:"token"`
	Preview        types.String      `tfsdk:"preview"`
	CreatedAt      types.String      `tfsdk:"created_at"`
}

// createAPIKeyRequest is the create body the plan asks for.
func createAPIKeyRequest(ctx context.Context, m apiKeyModel) (xataapi.CreateAPIKeyRequest, diag.Diagnostics) {
	req := xataapi.CreateAPIKeyRequest{Name: m.Name.ValueString()}
	var diags diag.Diagnostics
	diags.Append(m.Scopes.ElementsAs(ctx, &req.Scopes, false)...)
	diags.Append(m.Projects.ElementsAs(ctx, &req.Projects, false)...)
	diags.Append(m.Branches.ElementsAs(ctx, &req.Branches, false)...)
	if !m.Expiry.IsNull() {
		t, d := m.Expiry.ValueRFC3339Time()
		diags.Append(d...)
		req.Expiry = &t
	}
	return req, diags
}

// applyAPIKey copies what the API reports into the model. The token is
// not listed, so it is left as it is. An expiry the API reports at another
// precision or offset than the configuration's stays as configured when it
// is the same instant.
func applyAPIKey(ctx context.Context, m *apiKeyModel, org string, k xataapi.APIKey) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(k.ID)
	m.OrganizationID = types.StringValue(org)
	m.Name = types.StringValue(k.Name)
	var d diag.Diagnostics
	m.Scopes, d = types.SetValueFrom(ctx, types.StringType, k.Scopes)
	diags.Append(d...)
	m.Projects, d = types.SetValueFrom(ctx, types.StringType, k.Projects)
	diags.Append(d...)
	m.Branches, d = types.SetValueFrom(ctx, types.StringType, k.Branches)
	diags.Append(d...)
	m.Preview = types.StringValue(k.Preview)
	m.CreatedAt = types.StringValue(k.CreatedAt.UTC().Format(time.RFC3339Nano))
	switch {
	case k.Expiry == nil:
		m.Expiry = timetypes.NewRFC3339Null()
	case !sameInstant(m.Expiry, *k.Expiry):
		m.Expiry = timetypes.NewRFC3339TimeValue(k.Expiry.UTC())
	}
	if m.Token.IsUnknown() {
		m.Token = types.StringNull()
	}
	return diags
}

// sameInstant reports whether v is known and names instant t, to the
// microsecond the API stores.
func sameInstant(v timetypes.RFC3339, t time.Time) bool {
	if v.IsNull() || v.IsUnknown() {
		return false
	}
	vt, diags := v.ValueRFC3339Time()
	return !diags.HasError() && vt.Truncate(time.Microsecond).Equal(t.Truncate(time.Microsecond))
}
