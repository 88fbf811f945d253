package xata

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ ephemeral.EphemeralResource                     = (*branchCredentialsEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*branchCredentialsEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*branchCredentialsEphemeralResource)(nil)
)

// NewBranchCredentialsEphemeralResource is the xata_branch_credentials
// ephemeral resource: a branch's credentials that never reach state or plan.
func NewBranchCredentialsEphemeralResource() ephemeral.EphemeralResource {
	return &branchCredentialsEphemeralResource{}
}

type branchCredentialsEphemeralResource struct {
	data *shared.ProviderData
}

type branchCredentialsModel struct {
	BranchID         types.String `tfsdk:"branch_id"`
	BranchName       types.String `tfsdk:"branch_name"`
	OrganizationID   types.String `tfsdk:"organization_id"`
	ProjectID        types.String `tfsdk:"project_id"`
	Database         types.String `tfsdk:"database"`
	Host             types.String `tfsdk:"host"`
	Port             types.Int64  `tfsdk:"port"`
	Username         types.String `tfsdk:"username"`
	Password         types.String `tfsdk:"password"`
	ConnectionString types.String `tfsdk:"connection_string"`
}

func (e *branchCredentialsEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch_credentials"
}

func (e *branchCredentialsEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The credentials of an existing Xata branch, read fresh on every run and never " +
			"stored in the plan or state (Terraform 1.10+ / OpenTofu 1.11+). Use it to configure another " +
			"provider, such as a PostgreSQL provider, without putting the password in state. " +
			scopesSentence("ephemeral.xata_branch_credentials"),
		Attributes: map[string]schema.Attribute{
			"branch_id": schema.StringAttribute{
				MarkdownDescription: "Branch id. Exactly one of `branch_id` and `branch_name` is required. For a branch " +
					"managed in the same configuration, pass `xata_branch.<name>.id`: it is unknown until the branch " +
					"exists, so Terraform opens this resource only after creating the branch (a name is known at plan " +
					"time, so `branch_name` would be read before the branch exists).",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(xataapi.BranchIDPattern, "must be a Xata branch id; to name the branch, use branch_name")},
			},
			"branch_name": schema.StringAttribute{
				MarkdownDescription: "Exact branch name (case-sensitive) of an existing branch, such as `main`. Exactly one " +
					"of `branch_id` and `branch_name` is required.",
				Optional:   true,
				Validators: branchNameValidators(),
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the branch. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the branch. Defaults to the provider's `project_id`.",
				Optional:            true,
				Computed:            true,
			},
			"database": schema.StringAttribute{
				MarkdownDescription: "Database to name in `connection_string`. Defaults to the one the credentials endpoint names.",
				Optional:            true,
				Computed:            true,
			},
			"host": schema.StringAttribute{
				MarkdownDescription: hostDescription,
				Computed:            true,
			},
			"port": schema.Int64Attribute{
				MarkdownDescription: portDescription,
				Computed:            true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Postgres user.",
				Computed:            true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Postgres password.",
				Computed:            true,
				Sensitive:           true,
			},
			"connection_string": schema.StringAttribute{
				MarkdownDescription: connectionStringDescription,
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (e *branchCredentialsEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("branch_id"), path.MatchRoot("branch_name")),
	}
}

func (e *branchCredentialsEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	e.data = data
}

func (e *branchCredentialsEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m branchCredentialsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, diags := e.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := e.data.Scope(m.OrganizationID, m.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, diags := e.lookup(ctx, client, org, project, m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, creds, id := found.Branch, found.Credentials, m.BranchID.ValueString()
	if b != nil {
		id = b.ID
	}
	if err := found.CredentialsErr; err != nil {
		detail := "the API key may lack the credentials:read scope"
		if xataapi.IsNotFound(err) {
			detail = "the branch has no credentials yet; it may still be starting, or a rotation is in progress"
		}
		resp.Diagnostics.AddError("Xata Branch Credentials Unavailable",
			fmt.Sprintf("Reading the credentials of branch %s failed: %s. Retry once the branch is healthy.\n\n%s", id, detail, err))
		return
	}
	conn, err := connectionString(b, creds, m.Database.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unusable Xata Branch Credentials", err.Error())
		return
	}
	host, port, database := connectionParts(conn)
	m.BranchID = types.StringValue(id)
	m.OrganizationID = types.StringValue(org)
	m.ProjectID = types.StringValue(project)
	m.Database = types.StringValue(database)
	m.Host = types.StringValue(host)
	m.Port = types.Int64Value(port)
	m.Username = types.StringValue(creds.Username)
	m.Password = types.StringValue(creds.Password)
	m.ConnectionString = types.StringValue(conn)
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
}

// lookup reads the credentials, and the branch where they need it. By id,
// the credentials alone do when they name the host (hosted Xata), which
// saves a request per open of a runner's key; the open-source server's
// name only user and password, so the branch's connection string is read
// too. Without an answer to take the credentials from, the branch is
// looked up as by name, so a missing branch is told from one not ready.
func (e *branchCredentialsEphemeralResource) lookup(ctx context.Context, client *xataapi.Client, org, project string, m branchCredentialsModel) (*xataapi.BranchWithCredentials, diag.Diagnostics) {
	if shared.Known(m.BranchID) {
		id := m.BranchID.ValueString()
		creds, err := client.GetBranchCredentials(ctx, org, project, id)
		if err == nil && (creds.Hostname != "" || creds.ConnectionString != "") {
			return &xataapi.BranchWithCredentials{Credentials: creds}, nil
		}
		if err == nil {
			if b, err := client.GetBranch(ctx, org, project, id); err == nil {
				return &xataapi.BranchWithCredentials{Branch: b, Credentials: creds}, nil
			}
		}
	}
	ref, attr := branchRefFrom(m.BranchID, m.BranchName, "branch_id", "branch_name")
	return lookupBranch(ctx, client, "Xata Branch Credentials", attr, org, project, ref, true)
}
