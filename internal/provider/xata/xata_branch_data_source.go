package xata

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ datasource.DataSource                     = (*branchDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*branchDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*branchDataSource)(nil)
)

// NewBranchDataSource is the xata_branch data source.
func NewBranchDataSource() datasource.DataSource { return &branchDataSource{} }

type branchDataSource struct {
	data *shared.ProviderData
}

// branchViewModel is a branch as the data sources show it: the
// attributes of the xata_branch data source but its credentials and
// settings, which are also each element of xata_branches. The resource's
// model embeds it as well: it has every one of these attributes.
type branchViewModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	OrganizationID types.String `tfsdk:"organization_id"`
	ProjectID      types.String `tfsdk:"project_id"`
	ParentID       types.String `tfsdk:"parent_id"`
	Description    types.String `tfsdk:"description"`
	Region         types.String `tfsdk:"region"`
	InstanceType   types.String `tfsdk:"instance_type"`
	Image          types.String `tfsdk:"image"`
	Replicas       types.Int64  `tfsdk:"replicas"`
	Status         types.String `tfsdk:"status"`
	CreatedAt      types.String `tfsdk:"created_at"`
	Host           types.String `tfsdk:"host"`
	Port           types.Int64  `tfsdk:"port"`
	Username       types.String `tfsdk:"username"`
	Database       types.String `tfsdk:"database"`
}

// setBranchFacts sets what the branch's metadata says: every attribute of
// the view but the scope (organization and project) and what the
// credentials give.
func (v *branchViewModel) setBranchFacts(b *xataapi.BranchMetadata) {
	v.ID = types.StringValue(b.ID)
	v.Name = types.StringValue(b.Name)
	v.Description = types.StringNull()
	if b.Description != "" {
		v.Description = types.StringValue(b.Description)
	}
	v.ParentID = types.StringNull()
	if b.ParentID != nil && *b.ParentID != "" {
		v.ParentID = types.StringValue(*b.ParentID)
	}
	v.Region = types.StringValue(b.EffectiveRegion())
	v.InstanceType = types.StringValue(b.Configuration.InstanceType)
	v.Image = types.StringValue(b.Configuration.Image)
	v.Replicas = types.Int64Value(b.Configuration.Replicas)
	v.Status = types.StringValue(b.Status.StatusType)
	v.CreatedAt = types.StringValue(b.CreatedAt.UTC().Format(time.RFC3339))
}

// branchViewAttribute describes one attribute of branchViewModel, once for
// every schema that shows it.
type branchViewAttribute struct {
	name, description string
	number            bool // an Int64, else a String
	// fromCredentials marks what the credentials give, which a branch
	// listed before they exist does not have.
	fromCredentials bool
}

var branchViewAttributes = []branchViewAttribute{
	{name: "id", description: "The branch id, as the API assigns it (26 characters)."},
	{name: "name", description: "Branch name."},
	{name: "organization_id", description: "Organization of the branch."},
	{name: "project_id", description: "Project of the branch."},
	{name: "parent_id", description: "Id of the parent branch; null for a root branch. It may name a branch that was deleted since."},
	{name: "description", description: "Description of the branch."},
	{name: "region", description: "Region of the branch."},
	{name: "instance_type", description: "Instance type of the branch."},
	{name: "image", description: "Postgres image of the branch."},
	{name: "replicas", description: "Read replicas besides the primary.", number: true},
	{name: "status", description: "Last status type read from the API, e.g. `STATUS_TYPE_HEALTHY` or `STATUS_TYPE_HIBERNATED`."},
	{name: "created_at", description: "Creation time, RFC 3339."},
	{name: "host", description: hostDescription, fromCredentials: true},
	{name: "port", description: portDescription, number: true, fromCredentials: true},
	{name: "username", description: "Postgres user of the branch's credentials.", fromCredentials: true},
	{name: "database", description: "Database the credentials name.", fromCredentials: true},
}

// branchViewDescription is the description of the view's attribute name,
// for the resource's schema, which shows the same read-only facts.
func branchViewDescription(name string) string {
	i := slices.IndexFunc(branchViewAttributes, func(a branchViewAttribute) bool { return a.name == name })
	if i < 0 {
		panic("xata_branch data sources show no attribute " + name)
	}
	return branchViewAttributes[i].description
}

// branchViewAttrTypes are the attribute types of a branchViewModel object.
func branchViewAttrTypes() map[string]attr.Type {
	out := map[string]attr.Type{}
	for _, a := range branchViewAttributes {
		out[a.name] = types.StringType
		if a.number {
			out[a.name] = types.Int64Type
		}
	}
	return out
}

// branchViewSchema is the computed schema of a branchViewModel; note, when
// not empty, ends the description of what the credentials give.
func branchViewSchema(note string) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for _, a := range branchViewAttributes {
		desc := a.description
		if a.fromCredentials && note != "" {
			desc += " " + note
		}
		if a.number {
			out[a.name] = schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
		} else {
			out[a.name] = schema.StringAttribute{MarkdownDescription: desc, Computed: true}
		}
	}
	return out
}

type branchDataSourceModel struct {
	branchViewModel
	ConnectionString types.String `tfsdk:"connection_string"`
	StoreCredentials types.Bool   `tfsdk:"store_credentials"`
}

func (d *branchDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch"
}

func (d *branchDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := branchViewSchema("")
	lookup := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Computed: true}
	}
	attrs["id"] = lookup("Branch id. Exactly one of `id` and `name` is required.")
	attrs["name"] = lookup("Exact branch name (case-sensitive). Exactly one of `id` and `name` is required.")
	attrs["organization_id"] = lookup("Organization to look in. Defaults to the provider's `organization_id`.")
	attrs["project_id"] = lookup("Project to look in. Defaults to the provider's `project_id`.")
	attrs["connection_string"] = schema.StringAttribute{
		MarkdownDescription: connectionStringDescription,
		Computed:            true,
		Sensitive:           true,
	}
	attrs["store_credentials"] = schema.BoolAttribute{
		MarkdownDescription: storeCredentialsDescription,
		Optional:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an existing Xata branch by `id` or by exact `name`, e.g. the `main` branch a " +
			"configuration branches from. " + scopesSentence("data.xata_branch"),
		Attributes: attrs,
	}
}

func (d *branchDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *branchDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *branchDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m branchDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := d.data.Scope(m.OrganizationID, m.ProjectID)
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
func branchDataSourceFrom(org, project string, b *xataapi.BranchMetadata, username, conn string) branchDataSourceModel {
	host, port, database := connectionParts(conn)
	v := branchViewModel{
		OrganizationID: types.StringValue(org),
		ProjectID:      types.StringValue(project),
		Host:           types.StringValue(host),
		Port:           types.Int64Value(port),
		Username:       types.StringValue(username),
		Database:       types.StringValue(database),
	}
	v.setBranchFacts(b)
	return branchDataSourceModel{branchViewModel: v, ConnectionString: types.StringValue(conn)}
}
