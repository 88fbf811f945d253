package signadot

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

var (
	_ datasource.DataSource              = (*resourcePluginDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*resourcePluginDataSource)(nil)
)

// NewResourcePluginDataSource is the signadot_resource_plugin data source.
func NewResourcePluginDataSource() datasource.DataSource { return &resourcePluginDataSource{} }

type resourcePluginDataSource struct {
	data *shared.ProviderData
}

type resourcePluginDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Version     types.String `tfsdk:"version"`
	Description types.String `tfsdk:"description"`
	RunnerImage types.String `tfsdk:"runner_image"`
	OutputKeys  types.List   `tfsdk:"output_keys"`
	CreatedAt   types.String `tfsdk:"created_at"`
	Sandboxes   types.List   `tfsdk:"sandboxes"`
}

var pluginUserAttrTypes = map[string]attr.Type{
	"sandbox": types.StringType, "resource": types.StringType, "cluster": types.StringType,
}

func (d *resourcePluginDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "signadot_resource_plugin"
}

func (d *resourcePluginDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a published Signadot resource plugin version and the sandboxes using it. " +
			"Served by the `xata` provider, so set `provider = xata` on it.\n\n" +
			"The plugin must already be published: the data source is read during the plan (when its arguments are " +
			"known by then), and a name or version Signadot does not have fails it with *Signadot Resource Plugin Not " +
			"Found*. For a plugin this configuration publishes, use the `signadot_resource_plugin` resource's " +
			"attributes instead.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`name`, or `name@version` for a version other than 0.0.0.",
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Plugin name.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(pluginNamePattern, "must be a Signadot plugin name")},
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "Version to read, e.g. `1.2.0`. Unset reads the latest (highest) version; the " +
					"attribute then holds the version found.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(semverPattern, "must be a full semantic version such as 1.0.0 (without a leading v)"),
				},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the plugin does.",
				Computed:            true,
			},
			"runner_image": schema.StringAttribute{
				MarkdownDescription: "Image the steps run in.",
				Computed:            true,
			},
			"output_keys": schema.ListAttribute{
				MarkdownDescription: "The `<step>.<output>` keys of the create steps' outputs.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the version was published (RFC 3339).",
				Computed:            true,
			},
			"sandboxes": schema.ListNestedAttribute{
				MarkdownDescription: "Sandbox resources using this version; while any exist it cannot be deleted.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"sandbox":  schema.StringAttribute{MarkdownDescription: "Sandbox name.", Computed: true},
					"resource": schema.StringAttribute{MarkdownDescription: "Name of the resource in the sandbox.", Computed: true},
					"cluster":  schema.StringAttribute{MarkdownDescription: "Cluster of the sandbox.", Computed: true},
				}},
			},
		},
	}
}

func (d *resourcePluginDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *resourcePluginDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m resourcePluginDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, diags := d.data.SignadotClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := client.GetResourcePlugin(ctx, m.Name.ValueString(), m.Version.ValueString())
	if err != nil {
		summary, detail := "Signadot Resource Plugin Lookup Failed", "Reading the plugin failed; check the name, version and Signadot settings."
		if signadotapi.IsNotFound(err) {
			summary, detail = "Signadot Resource Plugin Not Found", "No such plugin version is published; list them with `signadot resourceplugin versions "+m.Name.ValueString()+"`."
		}
		resp.Diagnostics.AddAttributeError(path.Root("name"), summary, detail+"\n\n"+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, pluginDataSourceFrom(p))...)
}

// pluginDataSourceFrom maps a plugin read from the API to the data source.
func pluginDataSourceFrom(p *signadotapi.ResourcePlugin) resourcePluginDataSourceModel {
	bare, version := signadotapi.SplitPluginName(p.Name)
	if version == "" {
		version = "0.0.0"
	}
	var keys []attr.Value
	for _, s := range p.Spec.Create {
		for _, o := range s.Outputs {
			keys = append(keys, types.StringValue(s.Name+"."+o.Name))
		}
	}
	users := []attr.Value{}
	for _, r := range p.Status.Resources {
		users = append(users, types.ObjectValueMust(pluginUserAttrTypes, map[string]attr.Value{
			"sandbox": types.StringValue(r.Sandbox), "resource": types.StringValue(r.Name), "cluster": types.StringValue(r.Cluster),
		}))
	}
	return resourcePluginDataSourceModel{
		ID:          types.StringValue(pluginID(bare, version)),
		Name:        types.StringValue(bare),
		Version:     types.StringValue(version),
		Description: optionalString(p.Spec.Description),
		RunnerImage: types.StringValue(p.Spec.Runner.Image),
		OutputKeys:  types.ListValueMust(types.StringType, append([]attr.Value{}, keys...)),
		CreatedAt:   optionalString(p.CreatedAt),
		Sandboxes:   types.ListValueMust(types.ObjectType{AttrTypes: pluginUserAttrTypes}, users),
	}
}
