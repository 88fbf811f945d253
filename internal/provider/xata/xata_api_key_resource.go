package xata

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ resource.Resource                = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState = (*apiKeyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiKeyResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiKeyResource)(nil)
)

// NewAPIKeyResource is the xata_api_key resource.
func NewAPIKeyResource() resource.Resource { return &apiKeyResource{} }

type apiKeyResource struct {
	data *shared.ProviderData
}

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (r *apiKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = shared.OrgIdentitySchema("key", "Key id (not its token).")
}

func (r *apiKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// ModifyPlan fills organization_id from the provider and, for a key about
// to be created, refuses an expiry that has passed (only then: a config
// whose key has expired must still plan its destroy).
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.data.PlanOrganizationID(ctx, req, resp)
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Expiry.IsNull() || plan.Expiry.IsUnknown() || !plan.ID.IsUnknown() {
		return
	}
	t, diags := plan.Expiry.ValueRFC3339Time()
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() && !t.After(time.Now()) {
		resp.Diagnostics.AddAttributeError(path.Root("expiry"), "Xata API Key Expiry In The Past",
			fmt.Sprintf("expiry %s has passed, and the API only creates keys that expire in the future. Set a later "+
				"time, or remove expiry for a key that does not expire.", plan.Expiry.ValueString()))
	}
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, diags := r.data.OrgScope(plan.OrganizationID)
	resp.Diagnostics.Append(diags...)
	body, diags := createAPIKeyRequest(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	started := time.Now()
	k, err := client.CreateAPIKey(ctx, org, body)
	if xataapi.IsConflict(err) && r.deleteExpiredNamesake(ctx, client, org, body.Name, &resp.Diagnostics) {
		k, err = client.CreateAPIKey(ctx, org, body)
	}
	if err != nil {
		if apiclient.Ambiguous(err, xataapi.StatusOf(err)) {
			r.adoptAmbiguousCreate(ctx, client, org, plan, started, err, resp)
			return
		}
		resp.Diagnostics.AddAttributeError(apiKeyErrorAttribute(err), "Xata API Key Creation Failed",
			apiKeyCreateFailureDetail(body.Name, org, err))
		return
	}
	plan.Token = types.StringValue(k.Token)
	resp.Diagnostics.Append(applyAPIKey(ctx, &plan, org, k.APIKey)...)
	tflog.Info(ctx, "created xata API key", map[string]any{"api_key_id": k.ID, "preview": k.Preview})
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, k.ID)...)
}

// deleteExpiredNamesake deletes the organization's expired key named name,
// which the API keeps listing and which holds the name: an expired key
// can never authenticate again, and there is no update to revive it. It
// reports whether it deleted one.
func (r *apiKeyResource) deleteExpiredNamesake(ctx context.Context, client *xataapi.Client, org, name string, diags *diag.Diagnostics) bool {
	keys, err := client.ListAPIKeys(ctx, org)
	if err != nil {
		return false
	}
	for _, k := range keys {
		if k.Name != name || !k.Expired(time.Now()) {
			continue
		}
		if err := client.DeleteAPIKeys(ctx, org, k.ID); err != nil {
			return false
		}
		diags.AddWarning("Expired Xata API Key Deleted",
			fmt.Sprintf("API key %q (id %s) expired at %s and still held the name, so it was deleted to create the new "+
				"key. An expired key cannot authenticate again.", name, k.ID, k.Expiry.Format(time.RFC3339)))
		return true
	}
	return false
}

// adoptAmbiguousCreate handles a create that got no answer. The key may
// exist, with a token nobody saw: if a key of that name created since the
// request is listed, it goes into state with an error, so Terraform marks
// it tainted and the next apply deletes it and makes a new one. Nothing is
// left behind unrecorded.
func (r *apiKeyResource) adoptAmbiguousCreate(ctx context.Context, client *xataapi.Client, org string, plan apiKeyModel, started time.Time, createErr error, resp *resource.CreateResponse) {
	keys, err := client.ListAPIKeys(ctx, org)
	if err != nil {
		resp.Diagnostics.AddError("Xata API Key Creation Unconfirmed",
			fmt.Sprintf("The create request for API key %q got no usable answer, and listing the organization's keys to look "+
				"for it failed too. If the key is listed in the Xata dashboard, delete it there, then apply again.\n\n"+
				"%s\n\n%s", plan.Name.ValueString(), createErr, err))
		return
	}
	for _, k := range keys {
		// The server's clock may run behind this machine's; a minute of
		// slack still excludes any key the name could have had before.
		if k.Name != plan.Name.ValueString() || k.CreatedAt.Before(started.Add(-time.Minute)) {
			continue
		}
		plan.Token = types.StringNull()
		resp.Diagnostics.Append(applyAPIKey(ctx, &plan, org, k)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, k.ID)...)
		resp.Diagnostics.AddError("Xata API Key Created Without Its Token",
			fmt.Sprintf("The create request for API key %q got no usable answer, but the key was created (id %s). Its token "+
				"is shown only in that answer, so the key is recorded as tainted: apply again to replace it with one "+
				"whose token Terraform knows.\n\n%s", plan.Name.ValueString(), k.ID, createErr))
		return
	}
	resp.Diagnostics.AddError("Xata API Key Creation Failed",
		fmt.Sprintf("The create request for API key %q got no usable answer, and no key of that name is listed, so nothing "+
			"was created. Apply again. If it fails the same way again, check that the provider's key holds every scope, "+
			"project and branch this key asks for: the open-source server answers a request for more with an internal "+
			"error rather than a 400.\n\n%s", plan.Name.ValueString(), createErr))
}

// apiKeyErrorAttribute points a refused create at the attribute the API's
// message names ("insufficient access to scope: …", "… project [x] not
// found"), else at name.
func apiKeyErrorAttribute(err error) path.Path {
	msg := err.Error()
	for _, a := range []struct{ word, attr string }{
		{"scope", "scopes"}, {"project", "projects"}, {"branch", "branches"}, {"expir", "expiry"},
	} {
		if strings.Contains(msg, "insufficient access to "+a.word) || strings.Contains(msg, a.word+" [") ||
			strings.Contains(msg, "invalid "+a.word) || strings.Contains(msg, a.word+"s limit") ||
			(a.word == "expir" && strings.Contains(msg, "expiration")) {
			return path.Root(a.attr)
		}
	}
	return path.Root("name")
}

// apiKeyCreateFailureDetail explains a refused create, with the API's words.
func apiKeyCreateFailureDetail(name, org string, err error) string {
	msg := err.Error()
	switch {
	case xataapi.IsConflict(err):
		return fmt.Sprintf("An API key named %q already exists in organization %s. Choose another name, or delete "+
			"the other key (its token cannot be recovered, so importing it would give no token).\n\n%s", name, org, err)
	case strings.Contains(msg, "insufficient access"):
		return fmt.Sprintf("A key cannot grant more than the key that creates it: the provider's key lacks what the "+
			"message names. Ask for less, or configure the provider with a key that holds it. Nothing was "+
			"created.\n\n%s", err)
	case xataapi.StatusOf(err) == http.StatusForbidden:
		return fmt.Sprintf("The provider's key may not create keys in organization %s: check organization_id, then "+
			"the key's keys:write scope. Nothing was created.\n\n%s", org, err)
	}
	if advice, ok := quotaAdvice(err); ok {
		return fmt.Sprintf("API key %q was not created. %s\n\n%s", name, advice, err)
	}
	return fmt.Sprintf("The API refused to create API key %q; nothing was created. Fix what the message names and "+
		"apply again.\n\n%s", name, err)
}

// findAPIKey returns the organization's key whose field (its id or its
// name) is ref, or nil.
func findAPIKey(keys []xataapi.APIKey, field func(xataapi.APIKey) string, ref string) *xataapi.APIKey {
	if i := slices.IndexFunc(keys, func(k xataapi.APIKey) bool { return field(k) == ref }); i >= 0 {
		return &keys[i]
	}
	return nil
}

func keyID(k xataapi.APIKey) string   { return k.ID }
func keyName(k xataapi.APIKey) string { return k.Name }

// Read looks the key up in the organization's list (there is no endpoint
// for one key). A key deleted or expired outside Terraform leaves state.
func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, id := state.OrganizationID.ValueString(), state.ID.ValueString()
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, id)...)
	keys, err := client.ListAPIKeys(ctx, org)
	if err != nil {
		resp.Diagnostics.AddError("Xata API Key Refresh Failed",
			fmt.Sprintf("Listing the API keys of organization %s to refresh key %s failed. Retry; on HTTP 403 check "+
				"organization_id, then the provider key's keys:read scope.\n\n%s", org, id, err))
		return
	}
	k := findAPIKey(keys, keyID, id)
	switch {
	case k == nil:
		tflog.Warn(ctx, "xata API key no longer exists; removing it from state", map[string]any{"api_key_id": id})
		resp.State.RemoveResource(ctx)
		return
	case k.Expired(time.Now()):
		tflog.Warn(ctx, "xata API key has expired; removing it from state", map[string]any{"api_key_id": id, "expiry": k.Expiry})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(applyAPIKey(ctx, &state, org, *k)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update is never reached with a change the API would have to make: every
// configurable attribute replaces the key. It records the plan.
func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, id := state.OrganizationID.ValueString(), state.ID.ValueString()
	err := client.DeleteAPIKeys(ctx, org, id)
	if err == nil || xataapi.IsNotFound(err) {
		return
	}
	resp.Diagnostics.AddError("Xata API Key Deletion Failed",
		fmt.Sprintf("Deleting API key %s of organization %s failed; it stays in state, so destroy again to retry. On "+
			"HTTP 403 check the provider key's keys:write scope.\n\n%s", id, org, err))
}

// ImportState accepts a key id or name, or <organization_id>/<id or name>;
// an import block's identity (Terraform 1.12+) names it by id. The token
// cannot be imported: the API shows it only at creation.
func (r *apiKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	org, ref, ok := shared.OrgImportRef(ctx, req, resp, "API Key", "key", "terraform import xata_api_key.runner runner")
	if !ok {
		return
	}
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	o, diags := r.data.OrgScope(org)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys, err := client.ListAPIKeys(ctx, o)
	if err != nil {
		resp.Diagnostics.AddError("Xata API Key Import Failed",
			fmt.Sprintf("Listing the API keys of organization %s failed. On HTTP 403 check the organization id, then "+
				"the provider key's keys:read scope.\n\n%s", o, err))
		return
	}
	k := findAPIKey(keys, keyID, ref)
	if k == nil {
		k = findAPIKey(keys, keyName, ref)
	}
	if k == nil {
		names := make([]string, len(keys))
		for i := range keys {
			names[i] = keys[i].Name
		}
		resp.Diagnostics.AddError("Xata API Key To Import Not Found",
			fmt.Sprintf("Organization %s has no API key with the id or name %q.%s Names are case-sensitive; check the "+
				"organization id too.", o, ref, shared.DidYouMeanAmong(ref, names)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), k.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("organization_id"), o)...)
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, o, k.ID)...)
}
