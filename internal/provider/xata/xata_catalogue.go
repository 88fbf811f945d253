package xata

// What an organization offers, for the catalogue data sources
// (xata_regions, xata_images, xata_instance_types, xata_limits): the values a root
// branch's plan is checked against, to look up before choosing them.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// catalogueDiagnostic explains a failed read of an organization's lists
// (catalogues, projects): what (e.g. "the regions") of organization org,
// which needs the key's scope.
func catalogueDiagnostic(site, what, org, scope string, err error) diag.Diagnostic {
	advice, quota := quotaAdvice(err)
	switch status := xataapi.StatusOf(err); {
	case quota:
		return diag.NewErrorDiagnostic(site+": API Quota Exhausted",
			fmt.Sprintf("Reading %s of organization %s was refused. %s\n\n%s", what, org, advice, err))
	case status == http.StatusUnauthorized:
		return diag.NewErrorDiagnostic(site+": API Key Refused",
			fmt.Sprintf("The Xata API refused the key while reading %s (HTTP 401): it is unknown, revoked or expired. "+
				"Check XATA_API_KEY (or the provider's api_key).\n\n%s", what, err))
	case status == http.StatusForbidden:
		return diag.NewErrorDiagnostic(site+": Access Denied",
			fmt.Sprintf("The Xata API denied reading %s of organization %s (HTTP 403). Check organization_id first: "+
				"an organization the key cannot see answers 403, not 404. Then check that the key has the %s scope.\n\n%s",
				what, org, scope, err))
	case status == http.StatusBadRequest:
		return diag.NewErrorDiagnostic(site+": Request Refused",
			fmt.Sprintf("The Xata API refused to list %s of organization %s; check what its message names (for a "+
				"region, the xata_regions data source lists them).\n\n%s", what, org, err))
	default:
		return diag.NewErrorDiagnostic(site+": Read Failed",
			fmt.Sprintf("Reading %s of organization %s failed. Retry, and check base_url and the network.\n\n%s", what, org, err))
	}
}

// orgListSource is what the data sources that read an organization's
// lists (regions, images, instance types, projects) share: the provider's
// data, and the client and organization a read uses.
type orgListSource struct {
	data *shared.ProviderData
}

func (s *orgListSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	s.data = data
}

// clientAndOrg returns the client and the organization org names, else
// the provider's, or errors naming every way to set what is missing.
func (s *orgListSource) clientAndOrg(org types.String) (*xataapi.Client, string, diag.Diagnostics) {
	client, diags := s.data.XataClient()
	o, d := s.data.OrgScope(org)
	diags.Append(d...)
	return client, o, diags
}
