package xata

import (
	"context"
	"fmt"
	"net/http"
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
	_ resource.Resource                   = (*projectResource)(nil)
	_ resource.ResourceWithConfigure      = (*projectResource)(nil)
	_ resource.ResourceWithImportState    = (*projectResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*projectResource)(nil)
	_ resource.ResourceWithValidateConfig = (*projectResource)(nil)
	_ resource.ResourceWithIdentity       = (*projectResource)(nil)
)

// NewProjectResource is the xata_project resource.
func NewProjectResource() resource.Resource { return &projectResource{} }

type projectResource struct {
	data *shared.ProviderData
}

func (r *projectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (r *projectResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = shared.OrgIdentitySchema("project", "Project id (not its name, which can change).")
}

func (r *projectResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// ModifyPlan fills organization_id from the provider for a new project.
func (r *projectResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.data.PlanOrganizationID(ctx, req, resp)
}

func (r *projectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan projectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, diags := r.data.OrgScope(plan.OrganizationID)
	resp.Diagnostics.Append(diags...)
	body, diags := projectRequest(ctx, nil, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	started := time.Now()
	p, err := client.CreateProject(ctx, org, body)
	switch {
	case err != nil && apiclient.Ambiguous(err, xataapi.StatusOf(err)):
		var diags diag.Diagnostics
		p, diags = findUnansweredCreate(ctx, client, org, plan.Name.ValueString(), started, err)
		resp.Diagnostics.Append(diags...)
		if p == nil {
			return
		}
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Xata Project Creation Failed", projectCreateFailureDetail(plan.Name.ValueString(), org, err))
		return
	}
	applyProject(&plan, org, p)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, p.ID)...)
}

// projectCreateFailureDetail explains a failed create, with the API's words.
func projectCreateFailureDetail(name, org string, err error) string {
	importHint := fmt.Sprintf("terraform import xata_project.<name> %s/%s, where xata_project.<name> is the address in "+
		"the \"with …\" line above this message", org, name)
	switch {
	case xataapi.IsConflict(err):
		return fmt.Sprintf("A project named %q already exists in organization %s. Choose another name, or import it "+
			"into this resource: %s.\n\n%s", name, org, importHint, err)
	}
	if advice, ok := quotaAdvice(err); ok {
		return fmt.Sprintf("Project %q was not created. %s\n\n%s", name, advice, err)
	}
	return fmt.Sprintf("The API refused to create project %q; nothing was created. Fix what the message names and "+
		"apply again.\n\n%s", name, err)
}

// findUnansweredCreate looks for the project a create that got no usable
// answer may have made: the organization's project of that name (names
// are unique in an organization) created since the request. Found, it is
// returned to be recorded, with a warning; otherwise nothing was made, or
// the user is told how to check.
func findUnansweredCreate(ctx context.Context, client *xataapi.Client, org, name string, started time.Time, createErr error) (*xataapi.Project, diag.Diagnostics) {
	var diags diag.Diagnostics
	projects, err := client.ListProjects(ctx, org)
	if err != nil {
		diags.AddAttributeError(path.Root("name"), "Xata Project Creation Unconfirmed",
			fmt.Sprintf("The create request for project %q got no usable answer, and listing the organization's projects "+
				"to look for it failed too. If `xata project list` shows it, import it (terraform import "+
				"xata_project.<name> %s/%s, where xata_project.<name> is the address in the \"with …\" line above); "+
				"otherwise apply again.\n\n%s\n\n%s", name, org, name, createErr, err))
		return nil, diags
	}
	for i := range projects {
		p := &projects[i]
		// The server's clock may run behind this machine's; a minute of
		// slack still excludes a project that held the name before.
		if p.Name != name || p.CreatedAt.Before(started.Add(-time.Minute)) {
			continue
		}
		diags.AddWarning("Xata Project Create Answer Lost",
			fmt.Sprintf("The create request for project %q got no usable answer, but the project was created (id %s) "+
				"and is recorded from the organization's list.\n\n%s", name, p.ID, createErr))
		return p, diags
	}
	diags.AddAttributeError(path.Root("name"), "Xata Project Creation Failed",
		fmt.Sprintf("The create request for project %q got no usable answer, and no project of that name is listed, so "+
			"nothing was created. Apply again.\n\n%s", name, createErr))
	return nil, diags
}

func (r *projectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state projectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, id := state.OrganizationID.ValueString(), state.ID.ValueString()
	// Set first: the framework wants one even when the project is gone.
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, id)...)
	p, err := client.GetProject(ctx, org, id)
	if xataapi.IsNotFound(err) {
		tflog.Warn(ctx, "xata project no longer exists; removing it from state", map[string]any{"project_id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Xata Project Refresh Failed",
			fmt.Sprintf("Reading project %s of organization %s failed. Retry; on HTTP 403 check organization_id, then "+
				"the key's project:read scope.\n\n%s", id, org, err))
		return
	}
	applyProject(&state, org, p)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *projectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state projectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	body, diags := projectRequest(ctx, &state, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, id := state.OrganizationID.ValueString(), state.ID.ValueString()
	var p *xataapi.Project
	var err error
	if body.Name == nil && body.Configuration == nil {
		p, err = client.GetProject(ctx, org, id) // nothing the API holds changed (e.g. unknowns settled)
	} else {
		p, err = client.UpdateProject(ctx, org, id, body)
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Xata Project Update Failed",
			fmt.Sprintf("Updating project %s failed; nothing was changed. Fix what the message names and apply "+
				"again.\n\n%s", id, err))
		return
	}
	applyProject(&plan, org, p)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, id)...)
}

func (r *projectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state projectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, id := state.OrganizationID.ValueString(), state.ID.ValueString()
	err := client.DeleteProject(ctx, org, id)
	if err == nil || xataapi.IsNotFound(err) {
		return
	}
	// The API refuses (400) to delete a project with branches; which
	// refusal it was is told by listing them, not by its wording.
	if xataapi.StatusOf(err) == http.StatusBadRequest {
		if branches, lerr := client.ListBranches(ctx, org, id); lerr == nil && len(branches) > 0 {
			names := make([]string, 0, len(branches))
			for _, b := range branches {
				names = append(names, fmt.Sprintf("%s (%s)", b.Name, b.ID))
			}
			resp.Diagnostics.AddError("Xata Project Not Empty",
				fmt.Sprintf("Project %s still has branches, and Xata deletes only empty projects: %s. Delete them "+
					"first (destroy the xata_branch resources in it, or delete the branches other states or people "+
					"made), then destroy again. It stays in state.\n\n%s", id, strings.Join(names, ", "), err))
			return
		}
	}
	resp.Diagnostics.AddError("Xata Project Deletion Failed",
		fmt.Sprintf("Deleting project %s failed; it stays in state, so destroy again to retry.\n\n%s", id, err))
}

// ImportState accepts a project id or name, or
// <organization_id>/<project id or name>; an import block's identity
// (Terraform 1.12+) names it by id.
func (r *projectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	org, ref, ok := shared.OrgImportRef(ctx, req, resp, "Project", "project", "terraform import xata_project.sandboxes sandboxes")
	if ok {
		r.importProject(ctx, org, ref, resp)
	}
}

// importProject records the project ref (an id or name) of organization
// org (or the provider's) in the import's state and identity.
func (r *projectResource) importProject(ctx context.Context, orgAttr types.String, ref string, resp *resource.ImportStateResponse) {
	client, diags := r.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, diags := r.data.OrgScope(orgAttr)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	projects, err := client.ListProjects(ctx, org)
	if err != nil {
		resp.Diagnostics.AddError("Xata Project Import Failed",
			fmt.Sprintf("Listing the projects of organization %s failed. On HTTP 403 check the organization id, then "+
				"the key's project:read scope.\n\n%s", org, err))
		return
	}
	id, err := resolveProjectRef(projects, ref)
	if err != nil {
		resp.Diagnostics.AddError("Xata Project To Import Not Found",
			fmt.Sprintf("Organization %s: %s Names are case-sensitive; check the organization id too.", org, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("organization_id"), org)...)
	resp.Diagnostics.Append(shared.SetOrgIdentity(ctx, resp.Identity, org, id)...)
}

// resolveProjectRef finds a project by id, else by exact name.
func resolveProjectRef(projects []xataapi.Project, ref string) (string, error) {
	var names []string
	for _, p := range projects {
		if p.ID == ref {
			return p.ID, nil
		}
		names = append(names, p.Name)
	}
	for _, p := range projects {
		if p.Name == ref {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("no project has the id or name %q.%s", ref, shared.DidYouMeanAmong(ref, names))
}
