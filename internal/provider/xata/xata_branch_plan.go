package xata

// The plan-time half of xata_branch: defaults from the provider,
// replacement decisions that need more than one attribute, and the checks
// the API can answer before anything is created.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// ModifyPlan fills organization_id and project_id from the provider,
// decides replacement where it needs more than one attribute (or the API),
// and checks against the API what a plan can already know: the parent
// exists, a child repeats only its inherited values, and a root branch's
// region and instance type are offered.
func (r *branchResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) && r.planUnchanged(ctx, req, resp) {
		return
	}

	var plan, config branchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *branchModel
	if !req.State.Raw.IsNull() {
		state = &branchModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	if state == nil && config.ParentName.IsNull() {
		plan.ParentName = types.StringNull() // recorded only when configured or imported
	}
	resp.Diagnostics.Append(planCredentials(state, &plan)...)
	if config.OrganizationID.IsUnknown() || config.ProjectID.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return // the rest is decided at apply time
	}
	client, diags := r.data.XataClient() // a missing key fails the plan, not the apply
	resp.Diagnostics.Append(diags...)
	org, project, diags := r.data.Scope(config.OrganizationID, config.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.OrganizationID = types.StringValue(org)
	plan.ProjectID = types.StringValue(project)
	ctx, cancel := withLookupDeadline(ctx)
	defer cancel()

	resp.Diagnostics.Append(checkParentsAgree(ctx, client, org, project, config)...)
	if state == nil {
		resp.Diagnostics.Append(r.checkNewBranch(ctx, client, org, project, config)...)
	} else {
		if state.OrganizationID.ValueString() != org {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("organization_id"))
		}
		if state.ProjectID.ValueString() != project {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("project_id"))
		}
		if shared.Known(state.ParentID) || !config.ParentName.IsNull() || !config.ParentID.IsNull() {
			resp.Diagnostics.Append(checkInherited(config, "the branch's", state.Region, state.Image, false)...)
		}
		r.planParentName(ctx, client, state, &plan, resp)
		if !plan.Database.Equal(state.Database) && storesCredentials(plan.StoreCredentials) {
			plan.ConnectionString = types.StringUnknown()
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// planUnchanged settles the plan of a branch whose planned state is its
// prior state, as most branches of a large configuration are: nothing in
// the configuration changed, so of all ModifyPlan decides only the
// provider's default organization or project can have moved (checks of
// the parent and inherited values find what the last plan found). It
// reports false when one did, for the full ModifyPlan to replace the
// branch; true when the plan stands as it is, or fails as the full one
// would. It reads four attributes instead of three whole models.
func (r *branchResource) planUnchanged(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	var configOrg, configProject, stateOrg, stateProject types.String
	diags := req.Config.GetAttribute(ctx, path.Root("organization_id"), &configOrg)
	diags.Append(req.Config.GetAttribute(ctx, path.Root("project_id"), &configProject)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("organization_id"), &stateOrg)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("project_id"), &stateProject)...)
	if diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return true
	}
	_, d := r.data.XataClient() // a missing key fails the plan, not the apply
	diags.Append(d...)
	org, project, d := r.data.Scope(configOrg, configProject)
	diags.Append(d...)
	if diags.HasError() || (org == stateOrg.ValueString() && project == stateProject.ValueString()) {
		resp.Diagnostics.Append(diags...)
		return true
	}
	return false
}

// checkNewBranch refuses at plan time a create that the API would refuse:
// a parent that does not exist, a child that sets a region or image other
// than its parent's, a region or instance type the organization lacks.
// Values unknown until apply are checked then.
func (r *branchResource) checkNewBranch(ctx context.Context, client *xataapi.Client, org, project string, config branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	var ref xataapi.BranchRef
	var attr path.Path
	switch {
	case shared.Known(config.ParentID):
		ref, attr = xataapi.BranchRef{ID: config.ParentID.ValueString()}, path.Root("parent_id")
	case shared.Known(config.ParentName):
		ref, attr = xataapi.BranchRef{Name: config.ParentName.ValueString()}, path.Root("parent_name")
	case config.ParentID.IsUnknown() || config.ParentName.IsUnknown():
		return diags
	default:
		return checkCatalogue(ctx, client, org, config)
	}
	// Only a child that repeats its region or image needs the parent's
	// configuration; existence alone costs one call, not two.
	var parent *xataapi.BranchMetadata
	var parentID string
	var err error
	if ref.ID == "" && config.Region.IsNull() && config.Image.IsNull() {
		var found *xataapi.BranchListMetadata
		if found, err = client.FindBranchByName(ctx, org, project, ref.Name); err == nil {
			parentID = found.ID
		}
	} else {
		var found *xataapi.BranchWithCredentials
		if found, err = client.LookupBranch(ctx, org, project, ref, false); err == nil {
			parent, parentID = found.Branch, found.Branch.ID
		}
	}
	if ref.Name != "" && shared.Known(config.Name) {
		key := shared.PlannedParentKey{Org: org, Project: project, Branch: config.Name.ValueString(), ParentName: ref.Name}
		if err == nil {
			r.data.Parents.Remember(key, parentID)
		} else {
			r.data.Parents.Take(key) // an older answer must not outlive this one
		}
	}
	if xataapi.IsNotFound(err) {
		// The parent may be created by this same apply (parent_name =
		// xata_branch.x.name is known at plan time), so this is not yet
		// an error; the create checks again and then creates nothing.
		diags.AddAttributeWarning(attr, "Xata Parent Branch Not Found Yet",
			fmt.Sprintf("Project %s has no branch %s%s now.%s Unless this apply creates it first, the create will fail. "+
				"Names are case-sensitive; list the branches with `xata branch list`.", project, ref.ID, ref.Name, shared.DidYouMean(err)))
		return diags
	}
	if err != nil {
		diags.Append(lookupDiagnostic("Xata Parent Branch", attr, org, project, ref, err))
		return diags
	}
	if parent == nil {
		return diags
	}
	region := types.StringValue(parent.EffectiveRegion())
	diags.Append(checkInherited(config, "the parent's", region, types.StringValue(parent.Configuration.Image), true)...)
	return diags
}

// checkInherited accepts region and image on a child only when they repeat
// what it inherits (generated import configuration writes them).
func checkInherited(config branchModel, whose string, region, image types.String, creating bool) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, a := range []struct {
		name           string
		config, actual types.String
	}{{"region", config.Region, region}, {"image", config.Image, image}} {
		if !shared.Known(a.config) || !shared.Known(a.actual) || a.config.Equal(a.actual) {
			continue
		}
		if a.name == "image" && !creating {
			continue // a minor upgrade of a child is made in place, a major one replaces it
		}
		diags.AddAttributeError(path.Root(a.name), "Xata Child Branch Cannot Set "+strings.ToUpper(a.name[:1])+a.name[1:],
			fmt.Sprintf("A child branch (parent_id or parent_name set) inherits its parent's %s; %s is %q, and this "+
				"configuration asks for %q. Remove %s from this resource (or set it to %q), or remove the parent to "+
				"create a root branch.", a.name, whose, a.actual.ValueString(), a.config.ValueString(), a.name, a.actual.ValueString()))
	}
	return diags
}

// checkCatalogue refuses a root branch's region or instance type that the
// organization does not offer, naming the choices.
func checkCatalogue(ctx context.Context, client *xataapi.Client, org string, config branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !shared.Known(config.Region) {
		return diags
	}
	region := config.Region.ValueString()
	regions, err := client.ListRegions(ctx, org)
	if xataapi.StatusOf(err) == http.StatusUnauthorized {
		// A refused key fails everything after; say so now. A 403 may only
		// mean the key lacks org:read, which creating does not need.
		diags.AddAttributeError(path.Root("region"), "Xata API Key Refused At Plan",
			fmt.Sprintf("The Xata API refused the key while checking region %q (HTTP 401). Check XATA_API_KEY (or the "+
				"provider's api_key).\n\n%s", region, err))
		return diags
	}
	if err != nil {
		tflog.Debug(ctx, "could not list regions at plan time; the create will check", map[string]any{"error": err.Error()})
		return diags
	}
	var ids []string
	for _, r := range regions {
		ids = append(ids, r.ID)
	}
	if !slices.Contains(ids, region) {
		diags.AddAttributeError(path.Root("region"), "Xata Region Not Offered",
			fmt.Sprintf("Organization %s cannot create branches in %q. Choose one of: %s.", org, region, strings.Join(ids, ", ")))
		return diags
	}
	if !shared.Known(config.InstanceType) {
		return diags
	}
	offered, err := client.ListInstanceTypes(ctx, org, region)
	if err != nil {
		tflog.Debug(ctx, "could not list instance types at plan time; the create will check", map[string]any{"error": err.Error()})
		return diags
	}
	var names []string
	for _, t := range offered {
		names = append(names, t.Name)
	}
	if !slices.Contains(names, config.InstanceType.ValueString()) {
		diags.AddAttributeError(path.Root("instance_type"), "Xata Instance Type Not Offered",
			fmt.Sprintf("%q is not an instance type of region %s. Choose one of: %s.",
				config.InstanceType.ValueString(), region, strings.Join(names, ", ")))
	}
	return diags
}

// planParentName replaces the branch when parent_name points at another
// branch than the one it was created from. An imported branch has no
// parent_name in state, so the name is resolved and compared by id rather
// than replacing on the first plan after import.
func (r *branchResource) planParentName(ctx context.Context, client *xataapi.Client, state, plan *branchModel, resp *resource.ModifyPlanResponse) {
	// Computed, so null only when neither the configuration nor the state
	// names a parent by name.
	if plan.ParentName.Equal(state.ParentName) || !shared.Known(plan.ParentName) {
		return
	}
	if shared.Known(state.ParentID) {
		parent, err := client.FindBranchByName(ctx, plan.OrganizationID.ValueString(), plan.ProjectID.ValueString(), plan.ParentName.ValueString())
		if err == nil && parent.ID == state.ParentID.ValueString() {
			return
		}
		if err != nil && !xataapi.IsNotFound(err) {
			resp.Diagnostics.Append(lookupDiagnostic("Xata Parent Branch", path.Root("parent_name"), plan.OrganizationID.ValueString(), plan.ProjectID.ValueString(),
				xataapi.BranchRef{Name: plan.ParentName.ValueString()}, err))
			return
		}
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("parent_name"))
	plan.ParentID = types.StringUnknown()
}

// planCredentials plans the attributes that carry credentials as
// store_credentials asks: null when they are not stored, unknown when a
// branch whose state holds none is to store them again. Switching it off
// warns, since whatever read them gets null from this apply on.
func planCredentials(state, plan *branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	credentials := []*types.String{&plan.Username, &plan.Password, &plan.ConnectionString}
	switch {
	case plan.StoreCredentials.IsUnknown():
		for _, v := range credentials {
			*v = types.StringUnknown()
		}
	case !storesCredentials(plan.StoreCredentials):
		for _, v := range credentials {
			*v = types.StringNull()
		}
		if state != nil && storesCredentials(state.StoreCredentials) {
			diags.AddAttributeWarning(path.Root("store_credentials"), "Xata Branch Credentials Leave State",
				fmt.Sprintf("This apply removes the credentials of branch %s from state: username, password and "+
					"connection_string become null, and whatever references them (outputs, other resources) gets null. "+
					"Where they are needed, read them with the ephemeral resource xata_branch_credentials, whose "+
					"branch_id is this resource's id.", state.ID.ValueString()))
		}
	case state != nil && !storesCredentials(state.StoreCredentials):
		for _, v := range credentials {
			*v = types.StringUnknown()
		}
	}
	return diags
}

// checkParentsAgree refuses parent_id and parent_name set together unless
// they name the same branch: generated import configuration writes both,
// and a hand-written pair that disagrees would leave which one counts to
// chance.
func checkParentsAgree(ctx context.Context, client *xataapi.Client, org, project string, config branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !shared.Known(config.ParentID) || !shared.Known(config.ParentName) {
		return diags
	}
	name, id := config.ParentName.ValueString(), config.ParentID.ValueString()
	parent, err := client.FindBranchByName(ctx, org, project, name)
	switch {
	case err == nil && parent.ID == id:
		return diags
	case err == nil:
		diags.AddAttributeError(path.Root("parent_name"), "Xata Parent Attributes Disagree",
			fmt.Sprintf("parent_name %q is branch %s, but parent_id is %s. Set only one of them (parent_id = "+
				"xata_branch.<name>.id, or parent_name), or make both name the same branch.", name, parent.ID, id))
	case xataapi.IsNotFound(err):
		diags.AddAttributeError(path.Root("parent_name"), "Xata Parent Attributes Disagree",
			fmt.Sprintf("parent_id is %s, and parent_name %q names no branch of project %s. Set only one of them, "+
				"or make both name the same branch.", id, name, project))
	default:
		diags.Append(lookupDiagnostic("Xata Parent Branch", path.Root("parent_name"), org, project, xataapi.BranchRef{Name: name}, err))
	}
	return diags
}
