package xata

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*instanceTypesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*instanceTypesDataSource)(nil)
)

// NewInstanceTypesDataSource is the xata_instance_types data source.
func NewInstanceTypesDataSource() datasource.DataSource { return &instanceTypesDataSource{} }

type instanceTypesDataSource struct {
	orgListSource
}

type instanceTypesDataSourceModel struct {
	OrganizationID types.String        `tfsdk:"organization_id"`
	Region         types.String        `tfsdk:"region"`
	InstanceTypes  []instanceTypeModel `tfsdk:"instance_types"`
}

type instanceTypeModel struct {
	Name               types.String  `tfsdk:"name"`
	VCPUMillicores     types.Int64   `tfsdk:"vcpu_millicores"`
	RAMGB              types.Float64 `tfsdk:"ram_gb"`
	HourlyRate         types.Float64 `tfsdk:"hourly_rate"`
	StorageMonthlyRate types.Float64 `tfsdk:"storage_monthly_rate"`
}

func (d *instanceTypesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance_types"
}

func (d *instanceTypesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedFloat := func(desc string) schema.Float64Attribute {
		return schema.Float64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The instance types a region offers, as the API lists them: the values `xata_branch`'s " +
			"`instance_type` is checked against at plan time. " + scopesSentence("data.xata_instance_types"),
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to list. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region to list (see `xata_regions`); the API requires one.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"instance_types": schema.ListNestedAttribute{
				MarkdownDescription: "The instance types, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						MarkdownDescription: "Instance type as `xata_branch`'s `instance_type` takes it, e.g. `xata.micro`.",
						Computed:            true,
					},
					"vcpu_millicores": schema.Int64Attribute{
						MarkdownDescription: "CPU in thousandths of a vCPU (the API's `vcpus`), e.g. `2000` for two.",
						Computed:            true,
					},
					"ram_gb":               computedFloat("Memory in GB."),
					"hourly_rate":          computedFloat("Compute price per hour, as the API reports it."),
					"storage_monthly_rate": computedFloat("Storage price per GB and month, as the API reports it."),
				}},
			},
		},
	}
}

func (d *instanceTypesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m instanceTypesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, org, diags := d.clientAndOrg(m.OrganizationID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	offered, err := client.ListInstanceTypes(ctx, org, m.Region.ValueString())
	if err != nil {
		resp.Diagnostics.Append(catalogueDiagnostic("Xata Instance Types", "the instance types of region "+m.Region.ValueString(), org, "org:read", err))
		return
	}
	m.OrganizationID = types.StringValue(org)
	m.InstanceTypes = make([]instanceTypeModel, 0, len(offered))
	for _, it := range offered {
		m.InstanceTypes = append(m.InstanceTypes, instanceTypeModel{
			Name: types.StringValue(it.Name), VCPUMillicores: types.Int64Value(it.VCPUs), RAMGB: types.Float64Value(it.RAM),
			HourlyRate: types.Float64Value(it.HourlyRate), StorageMonthlyRate: types.Float64Value(it.StorageMonthlyRate),
		})
	}
	slices.SortFunc(m.InstanceTypes, func(a, b instanceTypeModel) int { return cmp.Compare(a.Name.ValueString(), b.Name.ValueString()) })
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
