package xata

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*limitsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*limitsDataSource)(nil)
)

// NewLimitsDataSource is the xata_limits data source.
func NewLimitsDataSource() datasource.DataSource { return &limitsDataSource{} }

type limitsDataSource struct {
	orgListSource
}

type limitsDataSourceModel struct {
	OrganizationID        types.String `tfsdk:"organization_id"`
	MaxBranchesPerProject types.Int64  `tfsdk:"max_branches_per_project"`
	MaxInstancesPerBranch types.Int64  `tfsdk:"max_instances_per_branch"`
	MinInstancesPerBranch types.Int64  `tfsdk:"min_instances_per_branch"`
	MaxDescriptionLength  types.Int64  `tfsdk:"max_description_length"`
}

func (d *limitsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_limits"
}

func (d *limitsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The limits every project of an organization has (the API's project limits, which the " +
			"hosted service and a self-hosted Xata both serve): how many branches a project holds, and how many " +
			"instances a branch may run (`xata_branch`'s `replicas` is the instances beyond the primary). The hosted " +
			"service's further organization limits (branches per hour, projects) are not in its public API " +
			"specification, so they are not read here. " + scopesSentence("data.xata_limits"),
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to read. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"max_branches_per_project": schema.Int64Attribute{
				MarkdownDescription: "The most active branches a project may hold; creating one more is refused.",
				Computed:            true,
			},
			"max_instances_per_branch": schema.Int64Attribute{
				MarkdownDescription: "The most instances a branch may run, its primary included.",
				Computed:            true,
			},
			"min_instances_per_branch": schema.Int64Attribute{
				MarkdownDescription: "The fewest instances a branch runs, its primary included.",
				Computed:            true,
			},
			"max_description_length": schema.Int64Attribute{
				MarkdownDescription: "The longest description a project may have, in characters.",
				Computed:            true,
			},
		},
	}
}

func (d *limitsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m limitsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, org, diags := d.clientAndOrg(m.OrganizationID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	l, err := client.GetProjectLimits(ctx, org)
	if err != nil {
		resp.Diagnostics.Append(catalogueDiagnostic("Xata Limits", "the project limits", org, "project:read", err))
		return
	}
	m.OrganizationID = types.StringValue(org)
	m.MaxBranchesPerProject = types.Int64Value(l.MaxBranches)
	m.MaxInstancesPerBranch = types.Int64Value(l.MaxInstances)
	m.MinInstancesPerBranch = types.Int64Value(l.MinInstances)
	m.MaxDescriptionLength = types.Int64Value(l.MaxDescriptionLength)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
