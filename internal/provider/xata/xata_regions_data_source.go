package xata

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*regionsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*regionsDataSource)(nil)
)

// NewRegionsDataSource is the xata_regions data source.
func NewRegionsDataSource() datasource.DataSource { return &regionsDataSource{} }

type regionsDataSource struct {
	orgListSource
}

type regionsDataSourceModel struct {
	OrganizationID types.String  `tfsdk:"organization_id"`
	Regions        []regionModel `tfsdk:"regions"`
}

type regionModel struct {
	ID             types.String `tfsdk:"id"`
	PublicAccess   types.Bool   `tfsdk:"public_access"`
	BackupsEnabled types.Bool   `tfsdk:"backups_enabled"`
	Provider       types.String `tfsdk:"provider"`
	OrganizationID types.String `tfsdk:"organization_id"`
}

func (d *regionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_regions"
}

func (d *regionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The regions an organization may create root branches in, as the API lists them: the " +
			"values `xata_branch`'s `region` is checked against at plan time. " + scopesSentence("data.xata_regions"),
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to list. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"regions": schema.ListNestedAttribute{
				MarkdownDescription: "The regions, sorted by id.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{MarkdownDescription: "Region id, e.g. `us-east-1`.", Computed: true},
					"public_access": schema.BoolAttribute{
						MarkdownDescription: "Whether branches in the region accept connections from the public internet.",
						Computed:            true,
					},
					"backups_enabled": schema.BoolAttribute{MarkdownDescription: "Whether branches in the region are backed up.", Computed: true},
					"provider": schema.StringAttribute{
						MarkdownDescription: "Cloud of the region (`aws`, `gcp` or `custom`); null where the server does not say.",
						Computed:            true,
					},
					"organization_id": schema.StringAttribute{
						MarkdownDescription: "The organization a private region belongs to; null for a region every organization shares.",
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *regionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m regionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, org, diags := d.clientAndOrg(m.OrganizationID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	regions, err := client.ListRegions(ctx, org)
	if err != nil {
		resp.Diagnostics.Append(catalogueDiagnostic("Xata Regions", "the regions", org, "project:read", err))
		return
	}
	m.OrganizationID = types.StringValue(org)
	m.Regions = make([]regionModel, 0, len(regions))
	for _, r := range regions {
		provider := types.StringNull()
		if r.Provider != "" {
			provider = types.StringValue(r.Provider)
		}
		m.Regions = append(m.Regions, regionModel{
			ID: types.StringValue(r.ID), PublicAccess: types.BoolValue(r.PublicAccess),
			BackupsEnabled: types.BoolValue(r.BackupsEnabled), Provider: provider,
			OrganizationID: types.StringPointerValue(r.OrganizationID),
		})
	}
	slices.SortFunc(m.Regions, func(a, b regionModel) int { return cmp.Compare(a.ID.ValueString(), b.ID.ValueString()) })
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
