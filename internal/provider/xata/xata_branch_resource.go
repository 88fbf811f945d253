package xata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ resource.Resource                   = (*branchResource)(nil)
	_ resource.ResourceWithConfigure      = (*branchResource)(nil)
	_ resource.ResourceWithImportState    = (*branchResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*branchResource)(nil)
	_ resource.ResourceWithValidateConfig = (*branchResource)(nil)
	_ resource.ResourceWithIdentity       = (*branchResource)(nil)
)

const (
	defaultCreateTimeout = 20 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// NewBranchResource is the xata_branch resource.
func NewBranchResource() resource.Resource { return &branchResource{} }

type branchResource struct {
	data *shared.ProviderData
}

func (r *branchResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch"
}

// branchIdentityModel is the identity of a xata_branch: what names the
// branch across Terraform states, e.g. in `import { identity = {...} }`
// blocks that `terraform query` generates.
type branchIdentityModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	ProjectID      types.String `tfsdk:"project_id"`
	ID             types.String `tfsdk:"id"`
}

func (r *branchResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"organization_id": identityschema.StringAttribute{
				Description:       "Organization of the branch. Defaults to the provider's organization_id when importing.",
				OptionalForImport: true,
			},
			"project_id": identityschema.StringAttribute{
				Description:       "Project of the branch. Defaults to the provider's project_id when importing.",
				OptionalForImport: true,
			},
			"id": identityschema.StringAttribute{
				Description:       "Branch id (not its name: a name can pass to another branch, an id cannot).",
				RequiredForImport: true,
			},
		},
	}
}

// setBranchIdentity records the identity of branch id. It never changes
// for the life of the branch: a move to another organization or project
// replaces the branch, and renames keep the id.
func setBranchIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, org, project, id string) diag.Diagnostics {
	return identity.Set(ctx, branchIdentityModel{
		OrganizationID: types.StringValue(org),
		ProjectID:      types.StringValue(project),
		ID:             types.StringValue(id),
	})
}

func (r *branchResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

func (r *branchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan branchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := r.data.Scope(plan.OrganizationID, plan.ProjectID)
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan.OrganizationID = types.StringValue(org)
	plan.ProjectID = types.StringValue(project)

	parentID, diags := resolveParent(ctx, client, &r.data.Parents, org, project, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	createReq, diags := createRequest(ctx, plan, parentID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "branch_name", createReq.Name)
	tflog.Debug(ctx, "creating xata branch", map[string]any{"mode": createReq.Mode, "parent_id": parentID})
	created, err := client.CreateBranch(ctx, org, project, createReq)
	adopted := false
	if xataapi.IsConflict(err) && plan.AdoptExisting.ValueBool() {
		var existing *xataapi.BranchMetadata
		existing, err = adoptBranch(ctx, client, org, project, createReq, err)
		if err == nil {
			adopted = true
			created = &xataapi.BranchShortMetadata{ID: existing.ID, Name: existing.Name, ParentID: existing.ParentID}
			resp.Diagnostics.AddAttributeWarning(path.Root("adopt_existing"), "Existing Xata Branch Adopted",
				fmt.Sprintf("Branch %q already existed, so this resource adopted it instead of creating one: id %s, "+
					"created at %s. If another Terraform state manages a branch of this name, both now share it and "+
					"destroying either deletes it.", existing.Name, existing.ID, existing.CreatedAt.UTC().Format(time.RFC3339)))
		}
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Xata Branch Creation Failed",
			createFailureDetail(createReq.Name, org, project, err))
		return
	}
	ctx = tflog.SetField(ctx, "branch_id", created.ID)

	// Record the branch before waiting: if the wait fails or times out, the
	// state still points at it, Terraform marks it tainted, and the next
	// apply replaces it instead of leaving an orphan behind.
	plan.ID = types.StringValue(created.ID)
	if parentID != "" {
		plan.ParentID = types.StringValue(parentID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, nullUnknowns(ctx, plan))...)
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, org, project, created.ID)...)

	b, err := client.WaitForBranch(ctx, org, project, created.ID, xataapi.TargetHealthy, r.waitOptions(ctx))
	if xataapi.StatusOf(err) == http.StatusForbidden {
		resp.Diagnostics.AddError("Xata Branch Created But Not Readable",
			fmt.Sprintf("Branch %q (%s) was created, but the API key may not read it (HTTP 403). A key limited to a "+
				"list of branches can create branches but not read them: give the provider a key whose branches are "+
				"all (\"*\"), with the branch:read scope. The branch is saved in state as tainted, so the next apply "+
				"replaces it.\n\n%s", createReq.Name, created.ID, err))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Xata Branch Did Not Become Healthy",
			fmt.Sprintf("Branch %q (%s) was created but did not become healthy. It is saved in state as tainted, "+
				"so the next apply replaces it; raise timeouts.create if the service is just slow.\n\n%s", createReq.Name, created.ID, err))
		return
	}

	b, refused, diags := r.converge(ctx, client, org, project, b, plan)
	if refused && !adopted {
		// A setting the create could not carry was refused: take the new
		// branch away again so that a corrected apply starts clean.
		resp.Diagnostics.Append(r.undoCreate(ctx, client, org, project, created.ID, diags)...)
		if !resp.Diagnostics.HasError() {
			resp.State.RemoveResource(ctx)
		}
		return
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	creds, err := client.WaitForCredentials(ctx, org, project, b.ID, r.data.Wait)
	if err != nil {
		resp.Diagnostics.AddError("Xata Branch Credentials Unavailable",
			fmt.Sprintf("Branch %q (%s) is healthy but its credentials could not be read. It is saved in state as "+
				"tainted; check that the API key has the credentials:read scope.\n\n%s", createReq.Name, b.ID, err))
		return
	}
	applyBranch(&plan, b, plan.PostgresParameters)
	if err := applyCredentials(&plan, b, creds); err != nil {
		resp.Diagnostics.AddError("Unusable Xata Branch Credentials", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// undoCreate deletes a branch this apply created whose settings the API
// then refused, and explains both.
func (r *branchResource) undoCreate(ctx context.Context, client *xataapi.Client, org, project, id string, refusal diag.Diagnostics) diag.Diagnostics {
	var diags diag.Diagnostics
	detail := ""
	for _, d := range refusal.Errors() {
		detail += d.Detail() + "\n"
	}
	if err := client.DeleteBranch(ctx, org, project, id); err != nil && !xataapi.IsNotFound(err) {
		diags.AddError("Xata Branch Settings Refused After Create",
			fmt.Sprintf("Branch %s was created, but the API refused a setting that must be applied after creation, "+
				"and deleting the branch again failed. It stays in state as tainted, so the next apply replaces it; "+
				"fix the setting first.\n\nThe refusal:\n%s\nThe delete: %s", id, detail, err))
		return diags
	}
	diags.AddError("Xata Branch Settings Refused",
		fmt.Sprintf("The API refused a setting that is applied right after creation, so the new branch %s was "+
			"deleted again and nothing was left behind. Fix the setting the message names and apply again.\n\n%s", id, detail))
	return diags
}

// adoptBranch takes over the existing branch a create conflicted with, if
// it is the same kind of branch: same parent, or a root in the same region
// for a root. Settings applied after creation (instance type, storage…)
// are not compared: a create killed before them leaves them unapplied, and
// converging applies them.
func adoptBranch(ctx context.Context, client *xataapi.Client, org, project string, req xataapi.CreateBranchRequest, conflict error) (*xataapi.BranchMetadata, error) {
	found, err := client.LookupBranch(ctx, org, project, xataapi.BranchRef{Name: req.Name}, false)
	if err != nil {
		return nil, fmt.Errorf("%w; looking up the existing branch to adopt failed: %w", conflict, err)
	}
	existing := found.Branch
	if reason := adoptionMismatch(existing, req); reason != "" {
		return nil, fmt.Errorf("%w; not adopted: the existing branch %s (created %s) %s",
			conflict, existing.ID, existing.CreatedAt.UTC().Format(time.RFC3339), reason)
	}
	tflog.Warn(ctx, "adopting existing xata branch of the same name", map[string]any{
		"branch_id": existing.ID, "created_at": existing.CreatedAt.UTC().Format(time.RFC3339),
	})
	return existing, nil
}

// adoptionMismatch says why an existing branch is not the one a create
// would have made, or "" when it may be adopted.
func adoptionMismatch(b *xataapi.BranchMetadata, req xataapi.CreateBranchRequest) string {
	parent := ""
	if b.ParentID != nil {
		parent = *b.ParentID
	}
	switch {
	case parent != req.ParentID:
		return fmt.Sprintf("has parent %q, this configuration asks for %q", parent, req.ParentID)
	case req.Configuration != nil && b.EffectiveRegion() != req.Configuration.Region:
		return fmt.Sprintf("is in region %q, this configuration asks for %q", b.EffectiveRegion(), req.Configuration.Region)
	}
	return ""
}

// resolveParent returns the parent branch id for a child, "" for a root.
func resolveParent(ctx context.Context, client *xataapi.Client, planned *shared.PlannedParents, org, project string, plan branchModel) (string, diag.Diagnostics) {
	// A known parent_id is the parent, also beside a parent_name, which the
	// plan has checked names the same branch: no list needed.
	if shared.Known(plan.ParentID) || !shared.Known(plan.ParentName) {
		return plan.ParentID.ValueString(), nil
	}
	if id, ok := planned.Take(shared.PlannedParentKey{Org: org, Project: project, Branch: plan.Name.ValueString(), ParentName: plan.ParentName.ValueString()}); ok {
		return id, nil
	}
	ref := xataapi.BranchRef{Name: plan.ParentName.ValueString()}
	parent, err := client.FindBranchByName(ctx, org, project, ref.Name)
	if err != nil {
		return "", diag.Diagnostics{lookupDiagnostic("Xata Parent Branch", path.Root("parent_name"), org, project, ref, err)}
	}
	return parent.ID, nil
}

// converge applies what creation could not carry (a child's cluster
// settings, storage, hibernation) and waits for each to take effect.
// refused reports that the API turned a setting down (a 4xx), as opposed
// to a failure to reach it or to settle.
func (r *branchResource) converge(ctx context.Context, client *xataapi.Client, org, project string, b *xataapi.BranchMetadata, plan branchModel) (*xataapi.BranchMetadata, bool, diag.Diagnostics) {
	update, diags := followUpUpdate(ctx, plan, b)
	var steps []xataapi.UpdateBranchRequest
	if !update.IsEmpty() {
		steps = append(steps, update)
	}
	if plan.Hibernate.ValueBool() {
		steps = append(steps, xataapi.UpdateBranchRequest{Hibernate: plan.Hibernate.ValueBoolPointer()})
	}
	if len(steps) == 0 {
		return b, false, diags
	}
	return r.applySteps(ctx, client, org, project, b.ID, steps)
}

// stepTarget is what one PATCH is awaited to reach: hibernation or waking
// when it asks for them, else the end of the rollout, which on a hibernated
// branch leaves it hibernated.
func stepTarget(step xataapi.UpdateBranchRequest) xataapi.WaitTarget {
	switch {
	case step.Hibernate != nil && *step.Hibernate:
		return xataapi.TargetHibernated
	case step.Hibernate != nil:
		return xataapi.TargetHealthy
	}
	return xataapi.TargetSettled
}

// applySteps sends each PATCH and waits for asynchronous ones to settle,
// each at its own target. refused reports an API refusal of a step.
func (r *branchResource) applySteps(ctx context.Context, client *xataapi.Client, org, project, id string, steps []xataapi.UpdateBranchRequest) (*xataapi.BranchMetadata, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	for i, step := range steps {
		if _, err := client.UpdateBranch(ctx, org, project, id, step); err != nil {
			status := xataapi.StatusOf(err)
			refused := status >= 400 && status < 500 && status != http.StatusTooManyRequests
			diags.AddError("Xata Branch Update Failed",
				fmt.Sprintf("Updating branch %s (step %d of %d) failed. Fix the value the message names and apply "+
					"again; earlier steps of this apply are kept.\n\n%s", id, i+1, len(steps), err))
			return nil, refused, diags
		}
		if changesCluster(step) {
			if _, err := client.WaitForBranch(ctx, org, project, id, stepTarget(step), r.waitOptions(ctx)); err != nil {
				diags.AddError("Xata Branch Update Did Not Settle",
					fmt.Sprintf("Branch %s accepted the change (step %d of %d) but did not settle; apply again to "+
						"check, or raise timeouts.update.\n\n%s", id, i+1, len(steps), err))
				return nil, false, diags
			}
		}
	}
	b, err := client.GetBranch(ctx, org, project, id)
	if err != nil {
		diags.AddError("Xata Branch Read After Update Failed",
			fmt.Sprintf("Branch %s was updated but could not be read back; run terraform refresh.\n\n%s", id, err))
		return nil, false, diags
	}
	return b, false, diags
}

func (r *branchResource) waitOptions(ctx context.Context) xataapi.WaitOptions {
	opts := r.data.Wait
	opts.OnPoll = func(b *xataapi.BranchMetadata) {
		tflog.Debug(ctx, "xata branch status", map[string]any{
			"status_type": b.Status.StatusType, "status": b.Status.Status,
			"instances_ready": b.Status.InstanceReadyCount, "instances": b.Status.InstanceCount,
		})
	}
	return opts
}

func (r *branchResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state branchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	org, project, id := state.OrganizationID.ValueString(), state.ProjectID.ValueString(), state.ID.ValueString()
	// Set first: a state written before identities existed has none, and
	// the framework wants one even when the branch turns out to be gone.
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, org, project, id)...)
	// Without stored credentials, they are read only for the host a state
	// lacks (a fresh import); the host of a branch never changes.
	withCredentials := storesCredentials(state.StoreCredentials) || !shared.Known(state.Host)
	found, err := client.LookupBranch(ctx, org, project, xataapi.BranchRef{ID: id}, withCredentials)
	if xataapi.IsNotFound(err) {
		tflog.Warn(ctx, "xata branch no longer exists; removing it from state", map[string]any{"branch_id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(lookupDiagnostic("Xata Branch Refresh", path.Root("id"), org, project, xataapi.BranchRef{ID: id}, err))
		return
	}
	applyBranch(&state, found.Branch, state.PostgresParameters)

	// Credentials are re-read so a password rotated elsewhere reaches the
	// state.
	if withCredentials {
		resp.Diagnostics.Append(refreshCredentials(ctx, &state, found.Branch, found.Credentials, found.CredentialsErr, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// refreshCredentials applies a credentials read (creds, or its error) to m.
// A 404 means they are not there yet or a rotation is in progress: the
// last known ones (from prior) are kept, re-pointed at m's database.
func refreshCredentials(ctx context.Context, m *branchModel, b *xataapi.BranchMetadata, creds *xataapi.BranchCredentials, err error, prior branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case xataapi.IsNotFound(err):
		tflog.Debug(ctx, "xata branch credentials not available; keeping the last known ones", map[string]any{"branch_id": b.ID})
		if !shared.Known(prior.ConnectionString) {
			return diags // none known yet, e.g. a branch whose create timed out
		}
		creds = &xataapi.BranchCredentials{Username: prior.Username.ValueString(), Password: prior.Password.ValueString(),
			ConnectionString: prior.ConnectionString.ValueString()}
	case err != nil:
		diags.AddError("Xata Branch Credentials Read Failed",
			fmt.Sprintf("Reading the credentials of branch %s failed; check that the API key has the "+
				"credentials:read scope, then run terraform refresh.\n\n%s", b.ID, err))
		return diags
	}
	if err := applyCredentials(m, b, creds); err != nil {
		diags.AddError("Unusable Xata Branch Credentials", err.Error())
	}
	return diags
}

func (r *branchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state branchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	org, project, id := state.OrganizationID.ValueString(), state.ProjectID.ValueString(), state.ID.ValueString()
	steps, diags := updateSteps(ctx, state, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, _, diags := r.applySteps(ctx, client, org, project, id, steps)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	applyBranch(&plan, b, plan.PostgresParameters)
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, org, project, id)...)
	// Without stored credentials the plan has them null already.
	if storesCredentials(plan.StoreCredentials) || !shared.Known(plan.Host) {
		creds, err := client.GetBranchCredentials(ctx, org, project, b.ID)
		resp.Diagnostics.Append(refreshCredentials(ctx, &plan, b, creds, err, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *branchResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state branchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	err := client.DeleteBranch(ctx, state.OrganizationID.ValueString(), state.ProjectID.ValueString(), id)
	if err != nil && !xataapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Xata Branch Deletion Failed",
			fmt.Sprintf("Deleting branch %s failed; it stays in state, so apply or destroy again to retry.\n\n%s", id, err))
	}
}

// ImportState accepts "org/project/branch" or "branch", where branch is an
// id or an exact branch name. A reference that is the id of one branch and
// the name of another is refused rather than guessed. An import block's
// identity (Terraform 1.12+) names the branch by id.
func (r *branchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if shared.ImportNamesNothing(req) {
		resp.Diagnostics.AddError("Missing Xata Branch Import ID",
			"The import names no branch. Give its id or name, or <organization_id>/<project_id>/<id or name>, e.g. "+
				"terraform import xata_branch.pr pr-123; with Terraform 1.12 or later an import block may name it by "+
				"identity instead.")
		return
	}
	if req.ID == "" {
		r.importByIdentity(ctx, req, resp)
		return
	}
	org, project, ref, err := parseBranchImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Xata Branch Import ID",
			fmt.Sprintf("Got %q: %s. Use <organization_id>/<project_id>/<branch id or name>, or just "+
				"<branch id or name> to use the provider's organization and project.", req.ID, err))
		return
	}
	org, project, diags := r.data.Scope(types.StringValue(org), types.StringValue(project))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.importBranch(ctx, org, project, ref, resp)
}

// importBranch records the branch ref names in the import's state: its id,
// scope and identity, and its parent's name, so that a configuration
// naming the parent by parent_name plans clean after the import as one
// naming it by parent_id does. The parent's name comes from the same list
// that resolves ref.
func (r *branchResource) importBranch(ctx context.Context, org, project, ref string, resp *resource.ImportStateResponse) {
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withLookupDeadline(ctx)
	defer cancel()
	found, err := client.ResolveBranchRef(ctx, org, project, ref)
	if err != nil {
		resp.Diagnostics.Append(lookupDiagnostic("Xata Branch Import", path.Root("id"), org, project, xataapi.BranchRef{Name: ref}, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), found.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("organization_id"), org)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("project_id"), project)...)
	if found.ParentName != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("parent_name"), found.ParentName)...)
	}
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, org, project, found.ID)...)
}

// importByIdentity takes the branch an identity names, by id.
func (r *branchResource) importByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var identity branchIdentityModel
	resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, project, diags := r.data.Scope(identity.OrganizationID, identity.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := identity.ID.ValueString()
	if !xataapi.BranchIDPattern.MatchString(id) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid Xata Branch Import Identity",
			fmt.Sprintf("The identity's id is %q, which is not a branch id (26 characters of 0-9 and a-v, starting "+
				"with a letter). To import a branch by name, use id = \"<name>\" in the import block instead of identity.", id))
		return
	}
	r.importBranch(ctx, org, project, id, resp)
}

// parseBranchImportID splits "org/project/branch" or "branch". Branch
// names cannot contain '/', so the split is unambiguous.
func parseBranchImportID(id string) (org, project, ref string, err error) {
	parts := strings.Split(id, "/")
	switch len(parts) {
	case 1:
		ref = parts[0]
	case 3:
		org, project, ref = parts[0], parts[1], parts[2]
		if org == "" || project == "" {
			return "", "", "", errors.New("the organization or project part is empty")
		}
	default:
		return "", "", "", fmt.Errorf("expected 1 or 3 parts separated by '/', got %d", len(parts))
	}
	if ref == "" {
		return "", "", "", errors.New("the branch part is empty")
	}
	return org, project, ref, nil
}

// createFailureDetail explains a failed create, with the API's words. The
// provider is never told the resource's address; Terraform prints it in
// the "with …" line above the detail.
func createFailureDetail(name, org, project string, err error) string {
	id := org + "/" + project + "/" + name
	importHint := fmt.Sprintf("terraform import xata_branch.<name> %s, where xata_branch.<name> is the address in the "+
		"\"with …\" line above this message, or an import block (Terraform 1.5+, OpenTofu):\n\n"+
		"  import {\n    to = xata_branch.<name>\n    id = %q\n  }", id, id)
	if errors.Is(err, xataapi.ErrCreateOutcomeUnknown) {
		return fmt.Sprintf("The create request for branch %q got no answer that could be checked, so the branch may "+
			"exist in project %s although Terraform did not record it. Look with `xata branch list`; if it is there, "+
			"set adopt_existing = true or import it, then apply again: %s\n\n%s", name, project, importHint, err)
	}
	if advice, ok := quotaAdvice(err); ok {
		return fmt.Sprintf("Branch %q was not created. %s\n\n%s", name, advice, err)
	}
	if xataapi.StatusOf(err) == http.StatusForbidden {
		return fmt.Sprintf("The API denied creating branch %q in project %s (HTTP 403); nothing was created. Check "+
			"project_id and organization_id first (an id the key cannot reach answers 403, not 404), then that the "+
			"key has the branch:write scope and, if it is limited to projects, this one.\n\n%s", name, project, err)
	}
	if xataapi.IsConflict(err) {
		return fmt.Sprintf("A branch named %q already exists in project %s. Choose another name, set adopt_existing = "+
			"true to take it over when it has the same parent, or import it into this resource: %s\n\n%s",
			name, project, importHint, err)
	}
	return fmt.Sprintf("The API refused to create branch %q; nothing was created. Fix what the message names and "+
		"apply again.\n\n%s", name, err)
}
