package xata

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*imagesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*imagesDataSource)(nil)
)

// NewImagesDataSource is the xata_images data source.
func NewImagesDataSource() datasource.DataSource { return &imagesDataSource{} }

type imagesDataSource struct {
	orgListSource
}

type imagesDataSourceModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	Region         types.String `tfsdk:"region"`
	Images         []imageModel `tfsdk:"images"`
}

type imageModel struct {
	Name         types.String   `tfsdk:"name"`
	MajorVersion types.String   `tfsdk:"major_version"`
	FullVersion  types.String   `tfsdk:"full_version"`
	Regions      []types.String `tfsdk:"regions"`
}

func (d *imagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_images"
}

func (d *imagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Postgres images an organization may create root branches with, as the API lists " +
			"them: the values of `xata_branch`'s `image`. A self-hosted Xata offers its own list. " +
			scopesSentence("data.xata_images"),
		Attributes: map[string]schema.Attribute{
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization to list. Defaults to the provider's `organization_id`.",
				Optional:            true,
				Computed:            true,
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "List only the images offered in this region (see `xata_regions`); all when unset.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"images": schema.ListNestedAttribute{
				MarkdownDescription: "The images, sorted by offering, then by version, oldest first (`postgres:17.9` before `postgres:17.10`).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						MarkdownDescription: "Image as `xata_branch`'s `image` takes it, e.g. `postgres:17.9`.",
						Computed:            true,
					},
					"major_version": schema.StringAttribute{MarkdownDescription: "Postgres major version, e.g. `17`.", Computed: true},
					"full_version":  schema.StringAttribute{MarkdownDescription: "Postgres version, e.g. `17.9`.", Computed: true},
					"regions": schema.ListAttribute{
						MarkdownDescription: "Regions that offer the image, where the server says; empty otherwise.",
						Computed:            true,
						ElementType:         types.StringType,
					},
				}},
			},
		},
	}
}

func (d *imagesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m imagesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, org, diags := d.clientAndOrg(m.OrganizationID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	images, err := client.ListImages(ctx, org, m.Region.ValueString())
	if err != nil {
		resp.Diagnostics.Append(catalogueDiagnostic("Xata Images", "the images", org, "org:read", err))
		return
	}
	m.OrganizationID = types.StringValue(org)
	m.Images = make([]imageModel, 0, len(images))
	for _, img := range images {
		regions := make([]types.String, 0, len(img.Regions))
		for _, r := range img.Regions {
			regions = append(regions, types.StringValue(r))
		}
		m.Images = append(m.Images, imageModel{
			Name: types.StringValue(img.Name), MajorVersion: types.StringValue(img.MajorVersion),
			FullVersion: types.StringValue(img.FullVersion), Regions: regions,
		})
	}
	slices.SortFunc(m.Images, func(a, b imageModel) int { return compareImages(a.Name.ValueString(), b.Name.ValueString()) })
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// compareImages orders "offering:version" names by offering, then by
// version numerically, so that the newest of a major version comes last.
func compareImages(a, b string) int {
	offeringA, versionA, _ := strings.Cut(a, ":")
	offeringB, versionB, _ := strings.Cut(b, ":")
	if c := cmp.Compare(offeringA, offeringB); c != 0 {
		return c
	}
	partsA, partsB := strings.Split(versionA, "."), strings.Split(versionB, ".")
	for i := range min(len(partsA), len(partsB)) {
		x, errA := strconv.Atoi(partsA[i])
		y, errB := strconv.Atoi(partsB[i])
		if errA != nil || errB != nil {
			return cmp.Compare(a, b) // not numeric: as text
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(partsA), len(partsB))
}
