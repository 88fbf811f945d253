package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ resource.Resource                     = (*branchResource)(nil)
	_ resource.ResourceWithConfigure        = (*branchResource)(nil)
	_ resource.ResourceWithImportState      = (*branchResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*branchResource)(nil)
	_ resource.ResourceWithConfigValidators = (*branchResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*branchResource)(nil)
)

const (
	defaultCreateTimeout = 20 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
	// credentialsGrace bounds how long a healthy branch's credentials may
	// still be missing: the operator writes the secret after the cluster.
	credentialsGrace = 60 * time.Second
)

// descriptionPattern is the API's rule for branch descriptions.
var descriptionPattern = regexp.MustCompile(`^[a-zA-Z0-9]+[a-zA-Z0-9- ]*$`)

// branchIDPattern matches Xata branch ids: 26 base32hex characters, the
// first a letter (ids double as DNS labels).
var branchIDPattern = regexp.MustCompile(`^[a-v][0-9a-v]{25}$`)

// NewBranchResource is the xata_branch resource.
func NewBranchResource() resource.Resource { return &branchResource{} }

type branchResource struct {
	data *providerData
}

func (r *branchResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch"
}

func (r *branchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Xata branch: a Postgres database of its own. A child branch (`parent_id` or " +
			"`parent_name`) starts as a copy-on-write copy of its parent's schema and data, and its writes never " +
			"reach the parent. A root branch (neither set) starts empty on the `region`, `instance_type` and " +
			"`image` given.\n\nCreate waits until the branch is healthy and its credentials exist, so " +
			"`connection_string` can be handed to an application straight away.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The branch id, as the API assigns it (26 characters).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Branch name, unique among the project's live branches (case-sensitive). " +
					"Changing it renames the branch in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the branch. Defaults to the provider's `organization_id`. " +
					"Changing it replaces the branch.",
				Optional: true,
				Computed: true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the branch. Defaults to the provider's `project_id`. " +
					"Changing it replaces the branch.",
				Optional: true,
				Computed: true,
			},
			"parent_id": schema.StringAttribute{
				MarkdownDescription: "Id of the parent for a child branch. Conflicts with `parent_name`; when " +
					"`parent_name` is used this is the id it resolved to at creation. Changing it replaces the branch.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
				Validators: []validator.String{
					stringvalidator.RegexMatches(branchIDPattern, "must be a Xata branch id (26 characters of 0-9 and a-v, starting with a letter); to name the parent, use parent_name"),
				},
			},
			"parent_name": schema.StringAttribute{
				MarkdownDescription: "Name of the parent for a child branch, resolved to an id when the branch is " +
					"created (the API has no lookup by name, so this lists the project's branches). Conflicts with " +
					"`parent_id`. Pointing it at another branch replaces the branch.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text, at most 50 characters of letters, digits, spaces and `-`, " +
					"starting with a letter or digit (the API's rule). Updated in place.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthAtMost(50),
					stringvalidator.RegexMatches(descriptionPattern, "may contain only letters, digits, spaces and '-', and must start with a letter or digit"),
				},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of a root branch, e.g. `us-east-1`; required for a root branch. " +
					"A child always lives in its parent's region, so it cannot be set on a child. Changing it replaces the branch.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"instance_type": schema.StringAttribute{
				MarkdownDescription: "Instance type, e.g. `xata.micro`; required for a root branch. A child inherits " +
					"its parent's unless this is set, in which case it is changed right after creation. Updated in place " +
					"(a rolling restart).",
				Optional: true,
				Computed: true,
				// Unmanaged unless configured: an update never changes it, so the state value stands.
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"image": schema.StringAttribute{
				MarkdownDescription: "Postgres image of a root branch, `<offering>:<version>` such as `postgres:17.9`; " +
					"required for a root branch and inherited by a child. A minor upgrade is made in place; a change " +
					"of offering or major version replaces the branch, since the API cannot make it.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIf(imageNeedsReplace,
						"A change of offering or major version replaces the branch.",
						"A change of offering or major version replaces the branch."),
				},
				Validators: []validator.String{
					stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9-]+:[0-9]+(\.[0-9]+)*$`), "must look like postgres:17.9"),
				},
			},
			"replicas": schema.Int64Attribute{
				MarkdownDescription: "Read replicas besides the primary, 0 to 4. A child is created with 0 and " +
					"changed after creation when this is set. Updated in place.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.Between(0, 4)},
			},
			"storage": schema.Int64Attribute{
				MarkdownDescription: "Storage in GiB. It can only grow: a smaller value is refused at plan time. " +
					"The API sizes a new branch itself, so a configured value is applied right after creation.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					growOnly{},
				},
				Validators: []validator.Int64{int64validator.Between(1, 1024)},
			},
			"scale_to_zero": schema.SingleNestedAttribute{
				MarkdownDescription: "Hibernate the branch after a period without connections; it wakes on the " +
					"next connection. Defaults to the project's setting for base or child branches.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					// Every nested attribute is Optional+Computed: Terraform treats a
					// required one inside an unset object as a removed setting.
					"enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether the branch hibernates when idle. Required when `scale_to_zero` is set.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
					},
					"inactivity_period_minutes": schema.Int64Attribute{
						MarkdownDescription: "Minutes without connections before hibernation. A new branch gets 30 " +
							"when this is unset; afterwards an unset value leaves the branch's setting alone.",
						Optional:      true,
						Computed:      true,
						PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
						Validators:    []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"postgres_parameters": schema.MapAttribute{
				MarkdownDescription: "Postgres configuration parameters, e.g. `{ max_connections = \"50\" }`. Only the " +
					"keys set here are managed; the server's other parameters are left alone and never show as drift. " +
					"Removing a key stops managing it (the server keeps its value).",
				Optional:    true,
				ElementType: types.StringType,
			},
			"hibernate": schema.BoolAttribute{
				MarkdownDescription: "`true` hibernates the branch (compute stops, storage stays); `false` wakes it. " +
					"Left unset, the provider never wakes or hibernates the branch, and a branch hibernated by " +
					"scale-to-zero is not drift.",
				Optional: true,
			},
			"adopt_existing": schema.BoolAttribute{
				MarkdownDescription: "When `true` and the create is refused because a branch of this exact name already " +
					"exists, adopt that branch instead of failing, provided it has the same parent. For runners that may " +
					"be killed between creating a branch and saving state (a re-run then converges instead of failing). " +
					"Default `false`: a name conflict is an error.",
				Optional: true,
			},
			"database": schema.StringAttribute{
				MarkdownDescription: "Database name used in `connection_string`. Defaults to the database the " +
					"credentials endpoint names (`xata` on the hosted service).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 63)},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Last status type read from the API, e.g. `STATUS_TYPE_HEALTHY` or " +
					"`STATUS_TYPE_HIBERNATED`.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "Creation time, RFC 3339.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "Last update time, RFC 3339.",
				Computed:            true,
			},
			"public_access": schema.BoolAttribute{
				MarkdownDescription: "Whether the branch accepts connections from the public internet.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Postgres host of the branch.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"port": schema.Int64Attribute{
				MarkdownDescription: "Postgres port of the branch.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Postgres user of the branch's credentials.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Postgres password of the branch's credentials.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_string": schema.StringAttribute{
				MarkdownDescription: "`postgresql://` URL of the branch, with its credentials and `database`.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx),
		},
	}
}

// timeoutsBlock is the stock timeouts block with markdown descriptions, so
// that every schema element is documented.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeouts.Opts{
		Create:            true,
		Update:            true,
		Delete:            true,
		CreateDescription: fmt.Sprintf("How long to wait for a new branch to become healthy, e.g. `30m`. Default %s.", defaultCreateTimeout),
		UpdateDescription: fmt.Sprintf("How long to wait for a configuration change to be applied. Default %s.", defaultUpdateTimeout),
		DeleteDescription: fmt.Sprintf("How long a delete may take, retries included. Default %s.", defaultDeleteTimeout),
	})
	nested := b.(schema.SingleNestedBlock) //nolint:forcetypeassert // the type timeouts.Block documents
	nested.MarkdownDescription = "Operation timeouts (a duration string such as `30s` or `20m`)."
	for name, a := range nested.Attributes {
		s := a.(schema.StringAttribute) //nolint:forcetypeassert // timeouts.Block makes only string attributes
		s.MarkdownDescription = s.Description
		nested.Attributes[name] = s
	}
	return nested
}

func imageNeedsReplace(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	oldOffering, oldMajor := imageMajor(req.StateValue.ValueString())
	newOffering, newMajor := imageMajor(req.PlanValue.ValueString())
	resp.RequiresReplace = oldOffering != newOffering || oldMajor != newMajor
}

// growOnly refuses a storage decrease at plan time: the API cannot shrink.
type growOnly struct{}

func (growOnly) Description(context.Context) string { return "storage can only grow" }
func (g growOnly) MarkdownDescription(ctx context.Context) string {
	return g.Description(ctx)
}

func (growOnly) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if !known(req.StateValue) || !known(req.PlanValue) || req.PlanValue.ValueInt64() >= req.StateValue.ValueInt64() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Xata Branch Storage Cannot Shrink",
		fmt.Sprintf("The branch has %d GiB and the configuration asks for %d GiB; Xata can only grow storage. "+
			"Set storage to %d or more, or replace the branch (terraform apply -replace=...) to start smaller.",
			req.StateValue.ValueInt64(), req.PlanValue.ValueInt64(), req.StateValue.ValueInt64()))
}

func (r *branchResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("parent_id"), path.MatchRoot("parent_name")),
	}
}

// ValidateConfig enforces the API's two creation modes at plan time: a
// child inherits region and image; a root branch must name them.
func (r *branchResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m branchModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.ScaleToZero) {
		if enabled, ok := m.ScaleToZero.Attributes()["enabled"]; ok && enabled.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("scale_to_zero").AtName("enabled"), "Xata Scale To Zero Missing Enabled",
				"scale_to_zero is set but does not say whether it is enabled. Add enabled = true or enabled = false.")
		}
	}
	parentMaybeSet := !m.ParentID.IsNull() || !m.ParentName.IsNull()
	if parentMaybeSet {
		for _, attr := range []struct {
			name string
			v    attr.Value
		}{{"region", m.Region}, {"image", m.Image}} {
			if !attr.v.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Xata Child Branch Cannot Set "+strings.ToUpper(attr.name[:1])+attr.name[1:],
					"A child branch (parent_id or parent_name set) inherits its parent's "+attr.name+
						". Remove "+attr.name+" from this resource, or remove the parent to create a root branch.")
			}
		}
		return
	}
	for _, attr := range []struct {
		name    string
		v       attr.Value
		example string
	}{{"region", m.Region, "us-east-1"}, {"instance_type", m.InstanceType, "xata.micro"}, {"image", m.Image, "postgres:17.9"}} {
		if attr.v.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Xata Root Branch Missing "+attr.name,
				fmt.Sprintf("A branch without parent_id or parent_name is a root branch and needs %s (e.g. %q). "+
					"Set it, or set parent_name to branch from an existing branch.", attr.name, attr.example))
		}
	}
}

func (r *branchResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// ModifyPlan fills organization_id and project_id from the provider and
// decides replacement where it needs more than one attribute (or the API).
func (r *branchResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
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

	if config.OrganizationID.IsUnknown() || config.ProjectID.IsUnknown() {
		return // decided at apply time
	}
	_, diags := r.data.xataClient() // a missing key fails the plan, not the apply
	resp.Diagnostics.Append(diags...)
	org, project, diags := r.data.scope(config.OrganizationID, config.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.OrganizationID = types.StringValue(org)
	plan.ProjectID = types.StringValue(project)

	if state != nil {
		if state.OrganizationID.ValueString() != org {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("organization_id"))
		}
		if state.ProjectID.ValueString() != project {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("project_id"))
		}
		r.planParentName(ctx, state, &plan, resp)
		if !plan.Database.Equal(state.Database) {
			plan.ConnectionString = types.StringUnknown()
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// planParentName replaces the branch when parent_name points at another
// branch than the one it was created from. An imported branch has no
// parent_name in state, so the name is resolved and compared by id rather
// than replacing on the first plan after import.
func (r *branchResource) planParentName(ctx context.Context, state, plan *branchModel, resp *resource.ModifyPlanResponse) {
	if plan.ParentName.Equal(state.ParentName) || plan.ParentName.IsUnknown() {
		return
	}
	if plan.ParentName.IsNull() {
		// Now identified by parent_id (or no longer a child): parent_id decides.
		if !known(plan.ParentID) && known(state.ParentID) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("parent_id"))
		}
		return
	}
	if known(state.ParentID) && r.data != nil && r.data.xata != nil {
		parent, err := r.data.xata.FindBranchByName(ctx, plan.OrganizationID.ValueString(), plan.ProjectID.ValueString(), plan.ParentName.ValueString())
		if err == nil && parent.ID == state.ParentID.ValueString() {
			return
		}
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("parent_name"))
	plan.ParentID = types.StringUnknown()
}

func (r *branchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan branchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.xataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := r.data.scope(plan.OrganizationID, plan.ProjectID)
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

	parentID, diags := r.resolveParent(ctx, client, org, project, plan)
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
	if xata.IsConflict(err) && plan.AdoptExisting.ValueBool() {
		created, err = adoptBranch(ctx, client, org, project, createReq, err)
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Xata Branch Creation Failed",
			createFailureDetail(createReq.Name, project, err))
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
	resp.Diagnostics.Append(resp.State.Set(ctx, nullUnknowns(plan))...)

	b, err := client.WaitForBranch(ctx, org, project, created.ID, xata.TargetHealthy, r.waitOptions(ctx))
	if err != nil {
		resp.Diagnostics.AddError("Xata Branch Did Not Become Healthy",
			fmt.Sprintf("Branch %q (%s) was created but did not become healthy. It is saved in state as tainted, "+
				"so the next apply replaces it; raise timeouts.create if the service is just slow.\n\n%s", createReq.Name, created.ID, err))
		return
	}

	b, diags = r.converge(ctx, client, org, project, b, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	creds, err := r.credentialsWhenReady(ctx, client, org, project, b.ID)
	if err != nil {
		resp.Diagnostics.AddError("Xata Branch Credentials Unavailable",
			fmt.Sprintf("Branch %q (%s) is healthy but its credentials could not be read. It is saved in state as "+
				"tainted; check that the API key has the credentials:read scope.\n\n%s", createReq.Name, b.ID, err))
		return
	}
	managed := plan.PostgresParameters
	applyBranch(&plan, b, managed)
	if err := applyCredentials(&plan, b, creds); err != nil {
		resp.Diagnostics.AddError("Unusable Xata Branch Credentials", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// adoptBranch takes over the existing branch a create conflicted with, if
// it is the same kind of branch: same parent, or root for a root.
func adoptBranch(ctx context.Context, client *xata.Client, org, project string, req xata.CreateBranchRequest, conflict error) (*xata.BranchShortMetadata, error) {
	existing, err := client.FindBranchByName(ctx, org, project, req.Name)
	if err != nil {
		return nil, fmt.Errorf("%w; looking up the existing branch to adopt failed: %w", conflict, err)
	}
	existingParent := ""
	if existing.ParentID != nil {
		existingParent = *existing.ParentID
	}
	if existingParent != req.ParentID {
		return nil, fmt.Errorf("%w; not adopted: the existing branch %s has parent %q, this configuration asks for %q",
			conflict, existing.ID, existingParent, req.ParentID)
	}
	tflog.Info(ctx, "adopting existing xata branch of the same name", map[string]any{"branch_id": existing.ID})
	return &xata.BranchShortMetadata{ID: existing.ID, Name: existing.Name, ParentID: existing.ParentID, Region: existing.Region}, nil
}

// resolveParent returns the parent branch id for a child, "" for a root.
func (r *branchResource) resolveParent(ctx context.Context, client *xata.Client, org, project string, plan branchModel) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case known(plan.ParentID):
		return plan.ParentID.ValueString(), diags
	case known(plan.ParentName):
		parent, err := client.FindBranchByName(ctx, org, project, plan.ParentName.ValueString())
		if xata.IsNotFound(err) {
			diags.AddAttributeError(path.Root("parent_name"), "Xata Parent Branch Not Found",
				fmt.Sprintf("No branch named %q exists in project %s. Branch names are case-sensitive; "+
					"check the name with `xata branch list`, or create the parent first.", plan.ParentName.ValueString(), project))
			return "", diags
		}
		if err != nil {
			diags.AddAttributeError(path.Root("parent_name"), "Xata Parent Branch Lookup Failed",
				"Listing the project's branches to resolve parent_name failed; retry, or set parent_id instead.\n\n"+err.Error())
			return "", diags
		}
		return parent.ID, diags
	}
	return "", diags
}

// converge applies what creation could not carry (a child's cluster
// settings, storage, hibernation) and waits for each to take effect.
func (r *branchResource) converge(ctx context.Context, client *xata.Client, org, project string, b *xata.BranchMetadata, plan branchModel) (*xata.BranchMetadata, diag.Diagnostics) {
	update, diags := followUpUpdate(ctx, plan, b)
	var steps []xata.UpdateBranchRequest
	if !update.IsEmpty() {
		steps = append(steps, update)
	}
	if plan.Hibernate.ValueBool() {
		steps = append(steps, xata.UpdateBranchRequest{Hibernate: plan.Hibernate.ValueBoolPointer()})
	}
	if len(steps) == 0 {
		return b, diags
	}
	return r.applySteps(ctx, client, org, project, b.ID, plan, steps)
}

// applySteps sends each PATCH and waits for asynchronous ones to settle.
func (r *branchResource) applySteps(ctx context.Context, client *xata.Client, org, project, id string, plan branchModel, steps []xata.UpdateBranchRequest) (*xata.BranchMetadata, diag.Diagnostics) {
	var diags diag.Diagnostics
	target := xata.TargetHealthy
	if plan.Hibernate.ValueBool() {
		target = xata.TargetHibernated
	}
	for _, step := range steps {
		if _, err := client.UpdateBranch(ctx, org, project, id, step); err != nil {
			diags.AddError("Xata Branch Update Failed",
				fmt.Sprintf("Updating branch %s was refused. Fix the value the message names and apply again; "+
					"earlier changes of this apply are kept.\n\n%s", id, err))
			return nil, diags
		}
		if changesCluster(step) {
			stepTarget := target
			if step.Hibernate != nil && !*step.Hibernate {
				stepTarget = xata.TargetHealthy
			}
			if _, err := client.WaitForBranch(ctx, org, project, id, stepTarget, r.waitOptions(ctx)); err != nil {
				diags.AddError("Xata Branch Update Did Not Settle",
					fmt.Sprintf("Branch %s accepted the change but did not settle; apply again to check, "+
						"or raise timeouts.update.\n\n%s", id, err))
				return nil, diags
			}
		}
	}
	b, err := client.GetBranch(ctx, org, project, id)
	if err != nil {
		diags.AddError("Xata Branch Read After Update Failed",
			fmt.Sprintf("Branch %s was updated but could not be read back; run terraform refresh.\n\n%s", id, err))
		return nil, diags
	}
	return b, diags
}

// credentialsWhenReady reads the branch credentials, waiting out the short
// window in which a healthy branch has no credentials secret yet.
func (r *branchResource) credentialsWhenReady(ctx context.Context, client *xata.Client, org, project, id string) (*xata.BranchCredentials, error) {
	deadline := time.Now().Add(credentialsGrace)
	interval := r.data.wait.MinInterval
	for {
		creds, err := client.GetBranchCredentials(ctx, org, project, id)
		if err == nil || !xata.IsNotFound(err) || time.Now().After(deadline) {
			return creds, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), err)
		case <-time.After(interval):
		}
		interval = min(interval*2, r.data.wait.MaxInterval)
	}
}

func (r *branchResource) waitOptions(ctx context.Context) xata.WaitOptions {
	opts := r.data.wait
	opts.OnPoll = func(b *xata.BranchMetadata) {
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
	client, diags := r.data.xataClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, project, id := state.OrganizationID.ValueString(), state.ProjectID.ValueString(), state.ID.ValueString()
	b, err := client.GetBranch(ctx, org, project, id)
	if xata.IsNotFound(err) {
		tflog.Warn(ctx, "xata branch no longer exists; removing it from state", map[string]any{"branch_id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Xata Branch Read Failed",
			fmt.Sprintf("Reading branch %s failed; retry, and check the API key and network.\n\n%s", id, err))
		return
	}
	applyBranch(&state, b, state.PostgresParameters)

	// Credentials are re-read so a password rotated elsewhere reaches the
	// state.
	resp.Diagnostics.Append(refreshCredentials(ctx, client, &state, b, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// refreshCredentials reads the branch's credentials into m. A 404 means
// they are not there yet or a rotation is in progress: the last known ones
// (from prior) are kept, re-pointed at m's database.
func refreshCredentials(ctx context.Context, client *xata.Client, m *branchModel, b *xata.BranchMetadata, prior branchModel) diag.Diagnostics {
	var diags diag.Diagnostics
	org, project := m.OrganizationID.ValueString(), m.ProjectID.ValueString()
	creds, err := client.GetBranchCredentials(ctx, org, project, b.ID)
	switch {
	case xata.IsNotFound(err):
		tflog.Debug(ctx, "xata branch credentials not available; keeping the last known ones", map[string]any{"branch_id": b.ID})
		if !known(prior.ConnectionString) {
			return diags // none known yet, e.g. a branch whose create timed out
		}
		creds = &xata.BranchCredentials{Username: prior.Username.ValueString(), Password: prior.Password.ValueString(),
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
	client, diags := r.data.xataClient()
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
	b, diags := r.applySteps(ctx, client, org, project, id, plan, steps)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	applyBranch(&plan, b, plan.PostgresParameters)
	resp.Diagnostics.Append(refreshCredentials(ctx, client, &plan, b, state)...)
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
	client, diags := r.data.xataClient()
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
	if err != nil && !xata.IsNotFound(err) {
		resp.Diagnostics.AddError("Xata Branch Deletion Failed",
			fmt.Sprintf("Deleting branch %s failed; it stays in state, so apply or destroy again to retry.\n\n%s", id, err))
	}
}

// ImportState accepts "org/project/branch" or "branch", where branch is an
// id or an exact, unique branch name.
func (r *branchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	org, project, ref, err := parseBranchImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Xata Branch Import ID",
			fmt.Sprintf("Got %q: %s. Use <organization_id>/<project_id>/<branch id or name>, or just "+
				"<branch id or name> to use the provider's organization and project.", req.ID, err))
		return
	}
	client, diags := r.data.xataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags = r.data.scope(types.StringValue(org), types.StringValue(project))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	id := ref
	if !branchIDPattern.MatchString(ref) {
		b, err := client.FindBranchByName(ctx, org, project, ref)
		if err != nil {
			resp.Diagnostics.AddError("Xata Branch To Import Not Found",
				fmt.Sprintf("%q is not a branch id, and no branch of that name was found in project %s. "+
					"Check the name (case-sensitive) or import by id.\n\n%s", ref, project, err))
			return
		}
		id = b.ID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("organization_id"), org)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("project_id"), project)...)
}

// parseBranchImportID splits "org/project/branch" or "branch".
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

// createFailureDetail explains a failed create, with the API's words.
func createFailureDetail(name, project string, err error) string {
	if errors.Is(err, xata.ErrCreateOutcomeUnknown) {
		return fmt.Sprintf("The create request for branch %q got no answer that could be checked, so the branch may "+
			"exist in project %s although Terraform did not record it. Look with `xata branch list`; if it is there, "+
			"import it (terraform import <address> %s) or set adopt_existing = true, then apply again.\n\n%s",
			name, project, name, err)
	}
	if xata.IsConflict(err) {
		return fmt.Sprintf("A branch named %q already exists in project %s. Choose another name, import the "+
			"existing branch with: terraform import <address> %s, or set adopt_existing = true to take it over "+
			"when it has the same parent.\n\n%s", name, project, name, err)
	}
	return fmt.Sprintf("The API refused to create branch %q; nothing was created. Fix what the message names and "+
		"apply again.\n\n%s", name, err)
}

// nullUnknowns turns every unknown in a model into null, so that a partial
// state saved before an error holds no unknown values.
func nullUnknowns(m branchModel) branchModel {
	if m.Region.IsUnknown() {
		m.Region = types.StringNull()
	}
	if m.ParentID.IsUnknown() {
		m.ParentID = types.StringNull()
	}
	if m.InstanceType.IsUnknown() {
		m.InstanceType = types.StringNull()
	}
	if m.Image.IsUnknown() {
		m.Image = types.StringNull()
	}
	if m.Replicas.IsUnknown() {
		m.Replicas = types.Int64Null()
	}
	if m.Storage.IsUnknown() {
		m.Storage = types.Int64Null()
	}
	if m.ScaleToZero.IsUnknown() {
		m.ScaleToZero = types.ObjectNull(scaleToZeroAttrTypes)
	}
	if m.Database.IsUnknown() {
		m.Database = types.StringNull()
	}
	m.Status = types.StringNull()
	m.CreatedAt = types.StringNull()
	m.UpdatedAt = types.StringNull()
	m.PublicAccess = types.BoolNull()
	m.Host = types.StringNull()
	m.Port = types.Int64Null()
	m.Username = types.StringNull()
	m.Password = types.StringNull()
	m.ConnectionString = types.StringNull()
	return m
}
