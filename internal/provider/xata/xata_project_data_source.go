package xata

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

var (
	_ datasource.DataSource                     = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*projectDataSource)(nil)
)

// NewProjectDataSource is the xata_project data source.
func NewProjectDataSource() datasource.DataSource { return &projectDataSource{} }

type projectDataSource struct {
	orgListSource
}

func (d *projectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

// Schema has the resource's attributes, all read from the API; the state
// is the resource's model (projectModel), filled by the same function.
func (d *projectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	scaleToZeroHalf := func(which string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: "Scale-to-zero default of the project's " + which + ".",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"enabled":                   schema.BoolAttribute{MarkdownDescription: "Whether " + which + " hibernate when idle.", Computed: true},
				"inactivity_period_minutes": schema.Int64Attribute{MarkdownDescription: "Minutes without connections before hibernation.", Computed: true},
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Xata project by `id` or exact `name`, e.g. the project a configuration's " +
			"branches go to. " + scopesSentence("data.xata_project"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Project id (`prj_…`). Exactly one of `id` and `name` is required.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Exact project name (case-sensitive). Exactly one of `id` and `name` is required.",
				Optional:            true,
				Computed:            true,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to look in. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"scale_to_zero": schema.SingleNestedAttribute{
				MarkdownDescription: "The scale-to-zero default of the project's root (`base_branches`) and child branches.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"base_branches":  scaleToZeroHalf("root branches"),
					"child_branches": scaleToZeroHalf("child branches"),
				},
			},
			"ip_filtering": schema.SingleNestedAttribute{
				MarkdownDescription: "Which addresses may connect to the project's branches.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{MarkdownDescription: "Whether only the `cidrs` may connect.", Computed: true},
					"cidrs": schema.ListNestedAttribute{
						MarkdownDescription: "The allowed address ranges.",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"cidr":        schema.StringAttribute{MarkdownDescription: "An address range in CIDR notation.", Computed: true},
							"description": schema.StringAttribute{MarkdownDescription: "What the range is.", Computed: true},
						}},
					},
				},
			},
			"created_at": schema.StringAttribute{MarkdownDescription: "Creation time, RFC 3339.", Computed: true},
			"updated_at": schema.StringAttribute{MarkdownDescription: "Last update time, RFC 3339.", Computed: true},
		},
	}
}

func (d *projectDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *projectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m projectModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, org, diags := d.clientAndOrg(m.OrganizationID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The list carries each project whole: one request, by id or by name.
	projects, err := client.ListProjects(ctx, org)
	if err != nil {
		resp.Diagnostics.Append(catalogueDiagnostic("Xata Project Data Source", "the projects", org, "project:read", err))
		return
	}
	ref := m.ID.ValueString()
	if ref == "" {
		ref = m.Name.ValueString()
	}
	id, err := resolveProjectRef(projects, ref)
	if err != nil {
		resp.Diagnostics.AddError("Xata Project Not Found",
			fmt.Sprintf("Organization %s: %s Names are case-sensitive; check the organization id too.", org, err))
		return
	}
	for i := range projects {
		if projects[i].ID == id {
			applyProject(&m, org, &projects[i])
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
