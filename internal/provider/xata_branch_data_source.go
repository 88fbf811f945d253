package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ datasource.DataSource                     = (*branchDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*branchDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*branchDataSource)(nil)
)

// NewBranchDataSource is the xata_branch data source.
func NewBranchDataSource() datasource.DataSource { return &branchDataSource{} }

type branchDataSource struct {
	data *providerData
}

type branchDataSourceModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	OrganizationID   types.String `tfsdk:"organization_id"`
	ProjectID        types.String `tfsdk:"project_id"`
	ParentID         types.String `tfsdk:"parent_id"`
	Description      types.String `tfsdk:"description"`
	Region           types.String `tfsdk:"region"`
	InstanceType     types.String `tfsdk:"instance_type"`
	Image            types.String `tfsdk:"image"`
	Replicas         types.Int64  `tfsdk:"replicas"`
	Status           types.String `tfsdk:"status"`
	CreatedAt        types.String `tfsdk:"created_at"`
	Host             types.String `tfsdk:"host"`
	Port             types.Int64  `tfsdk:"port"`
	Username         types.String `tfsdk:"username"`
	Database         types.String `tfsdk:"database"`
	ConnectionString types.String `tfsdk:"connection_string"`
	StoreCredentials types.Bool   `tfsdk:"store_credentials"`
}

func (d *branchDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch"
}

func (d *branchDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an existing Xata branch by `id` or by exact `name`, e.g. the `main` branch a " +
			"configuration branches from. Reading `connection_string` needs the `credentials:read` scope.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Branch id. Exactly one of `id` and `name` is required.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Exact branch name (case-sensitive). Exactly one of `id` and `name` is required.",
				Optional:            true,
				Computed:            true,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to look in. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project to look in. Defaults to the provider's `project_id`.",
				Optional:            true,
				Computed:            true,
			},
			"parent_id":     computed("Id of the parent branch; null for a root branch."),
			"description":   computed("Description of the branch."),
			"region":        computed("Region of the branch."),
			"instance_type": computed("Instance type of the branch."),
			"image":         computed("Postgres image of the branch."),
			"replicas": schema.Int64Attribute{
				MarkdownDescription: "Read replicas besides the primary.",
				Computed:            true,
			},
			"status":     computed("Status type, e.g. `STATUS_TYPE_HEALTHY`."),
			"created_at": computed("Creation time, RFC 3339."),
			"host":       computed(hostDescription),
			"port": schema.Int64Attribute{
				MarkdownDescription: portDescription,
				Computed:            true,
			},
			"username": computed("Postgres user of the branch's credentials."),
			"database": computed("Database named in `connection_string`."),
			"connection_string": schema.StringAttribute{
				MarkdownDescription: connectionStringDescription,
				Computed:            true,
				Sensitive:           true,
			},
			"store_credentials": schema.BoolAttribute{
				MarkdownDescription: storeCredentialsDescription,
				Optional:            true,
			},
		},
	}
}

func (d *branchDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *branchDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *branchDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m branchDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.data.xataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := d.data.scope(m.OrganizationID, m.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	ref, attr := branchRefFrom(m.ID, m.Name, "id", "name")
	found, diags := lookupBranch(ctx, client, "Xata Branch Data Source", attr, org, project, ref, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, creds := found.Branch, found.Credentials
	if err := found.CredentialsErr; err != nil {
		resp.Diagnostics.AddError("Xata Branch Credentials Read Failed",
			fmt.Sprintf("Reading the credentials of branch %s failed; the branch may still be starting, or the "+
				"API key lacks the credentials:read scope.\n\n%s", b.ID, err))
		return
	}
	conn, err := connectionString(b, creds, "")
	if err != nil {
		resp.Diagnostics.AddError("Unusable Xata Branch Credentials", err.Error())
		return
	}
	out := branchDataSourceFrom(org, project, b, creds.Username, conn)
	out.StoreCredentials = m.StoreCredentials
	if !storesCredentials(m.StoreCredentials) {
		out.Username, out.ConnectionString = types.StringNull(), types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

// branchDataSourceFrom maps an API branch and its connection URL to the
// data source's attributes.
func branchDataSourceFrom(org, project string, b *xata.BranchMetadata, username, conn string) branchDataSourceModel {
	host, port, database := connectionParts(conn)
	parent := types.StringNull()
	if b.ParentID != nil && *b.ParentID != "" {
		parent = types.StringValue(*b.ParentID)
	}
	description := types.StringNull()
	if b.Description != "" {
		description = types.StringValue(b.Description)
	}
	return branchDataSourceModel{
		ID:               types.StringValue(b.ID),
		Name:             types.StringValue(b.Name),
		OrganizationID:   types.StringValue(org),
		ProjectID:        types.StringValue(project),
		ParentID:         parent,
		Description:      description,
		Region:           types.StringValue(firstNonEmpty(b.Configuration.Region, b.Region)),
		InstanceType:     types.StringValue(b.Configuration.InstanceType),
		Image:            types.StringValue(b.Configuration.Image),
		Replicas:         types.Int64Value(b.Configuration.Replicas),
		Status:           types.StringValue(b.Status.StatusType),
		CreatedAt:        types.StringValue(b.CreatedAt.UTC().Format(time.RFC3339)),
		Host:             types.StringValue(host),
		Port:             types.Int64Value(port),
		Username:         types.StringValue(username),
		Database:         types.StringValue(database),
		ConnectionString: types.StringValue(conn),
	}
}
