package xata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// defaultLookupTimeout bounds what has no timeouts block of its own: data
// sources, ephemeral resources, plan-time lookups and import.
const defaultLookupTimeout = 2 * time.Minute

// lookupSite names where a lookup happens, so that each caller's
// diagnostics have summaries of their own, e.g. "Xata Branch Data Source".
type lookupSite string

// lookupBranch finds a branch by id or name (and its credentials when
// asked), the one path shared by the resource, the data source, the
// ephemeral resource and import. Its errors say whether the branch is
// missing, the key was refused, or the API could not be reached.
func lookupBranch(ctx context.Context, client *xataapi.Client, site lookupSite, attr path.Path, org, project string, ref xataapi.BranchRef, withCredentials bool) (*xataapi.BranchWithCredentials, diag.Diagnostics) {
	var diags diag.Diagnostics
	ctx, cancel := withLookupDeadline(ctx)
	defer cancel()
	found, err := client.LookupBranch(ctx, org, project, ref, withCredentials)
	if err != nil {
		diags.Append(lookupDiagnostic(site, attr, org, project, ref, err))
		return nil, diags
	}
	return found, diags
}

// branchRefFrom is the reference a configuration gives: its id attribute
// when set, else its name attribute, with the path diagnostics point at.
func branchRefFrom(id, name types.String, idAttr, nameAttr string) (xataapi.BranchRef, path.Path) {
	if id.ValueString() != "" {
		return xataapi.BranchRef{ID: id.ValueString()}, path.Root(idAttr)
	}
	return xataapi.BranchRef{Name: name.ValueString()}, path.Root(nameAttr)
}

// withLookupDeadline bounds ctx by defaultLookupTimeout unless it
// already has a deadline (a resource's timeouts).
func withLookupDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultLookupTimeout)
}

// lookupDiagnostic classifies a failed lookup: "not found" only when the
// API said so or the list lacked the name.
func lookupDiagnostic(site lookupSite, attr path.Path, org, project string, ref xataapi.BranchRef, err error) diag.Diagnostic {
	what := fmt.Sprintf("branch %q", ref.Name)
	if ref.ID != "" {
		what = "branch " + ref.ID
	}
	var ambiguous *xataapi.AmbiguousBranchError
	advice, quota := quotaAdvice(err)
	switch status := xataapi.StatusOf(err); {
	case quota:
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": API Quota Exhausted",
			fmt.Sprintf("Looking up %s in project %s was refused; nothing was changed. %s\n\n%s", what, project, advice, err))
	case errors.As(err, &ambiguous):
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": Ambiguous Branch Reference",
			fmt.Sprintf("%s. Import by the id of the branch you mean (%s or %s).\n\n%s",
				ambiguous.Error(), ambiguous.ByID, ambiguous.ByNameID, err))
	case xataapi.IsNotFound(err):
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": Branch Not Found",
			fmt.Sprintf("No %s exists in project %s.%s Names are case-sensitive; list the branches with "+
				"`xata branch list`, and check organization_id and project_id.\n\n%s", what, project, shared.DidYouMean(err), err))
	case status == http.StatusUnauthorized:
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": API Key Refused",
			fmt.Sprintf("The Xata API refused the key while looking up %s (HTTP 401): it is unknown, revoked or "+
				"expired. Check XATA_API_KEY (or the provider's api_key).\n\n%s", what, err))
	case status == http.StatusForbidden:
		// The server answers 403, not 404, for an organization or project
		// the key cannot see, so a mistyped id lands here first.
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": Access Denied",
			fmt.Sprintf("The Xata API denied access to organization %s, project %s while looking up %s (HTTP 403). "+
				"Check the ids first (organization_id and project_id, or those of an import id): one the key cannot "+
				"see answers 403, not 404. Then check the key's scopes (branch:read) and the projects it is limited "+
				"to.\n\n%s", org, project, what, err))
	default:
		return diag.NewAttributeErrorDiagnostic(attr, string(site)+": Branch Lookup Failed",
			fmt.Sprintf("Looking up %s in project %s failed; nothing was changed. Retry, and check base_url and "+
				"the network.\n\n%s", what, project, err))
	}
}
