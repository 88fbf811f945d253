package xata

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

func (r *projectResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Xata project: the home of a set of branches, with the scale-to-zero default of its " +
			"root and child branches and the addresses allowed to connect to them. Branches join it with " +
			"`xata_branch`'s `project_id = xata_project.<name>.id`. " + scopesSentence("xata_project"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The project id, as the API assigns it (`prj_…`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the project. Defaults to the provider's `organization_id`. " +
					"Changing it replaces the project.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Project name, unique in the organization. Changing it renames the project in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"scale_to_zero": schema.SingleNestedAttribute{
				MarkdownDescription: "The scale-to-zero default of the project's branches: `base_branches` for root " +
					"branches, `child_branches` for the others; a branch's own `scale_to_zero` overrides it. When set, " +
					"both must be given (the API takes them together). Left unset, the project keeps what it has " +
					"(the API's default: disabled, 30 minutes).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"base_branches":  projectScaleToZeroAttribute("root branches"),
					"child_branches": projectScaleToZeroAttribute("child branches"),
				},
			},
			"ip_filtering": schema.SingleNestedAttribute{
				MarkdownDescription: "Which addresses may connect to the project's branches. Left unset, the project " +
					"keeps what it has; to turn filtering off, set `enabled = false`.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether only the `cidrs` may connect. Required when `ip_filtering` is set.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
					},
					"cidrs": schema.ListNestedAttribute{
						MarkdownDescription: "The allowed address ranges. Left unset, the project keeps its ranges; `[]` removes them all.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"cidr": schema.StringAttribute{
								MarkdownDescription: "An IPv4 or IPv6 range in CIDR notation, e.g. `10.0.0.0/8`.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), cidrValidator{}},
							},
							"description": schema.StringAttribute{
								MarkdownDescription: "What the range is, 1 to 100 characters; leave it out rather than empty.",
								Optional:            true,
								Validators:          []validator.String{stringvalidator.LengthBetween(1, 100)},
							},
						}},
					},
				},
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
		},
	}
}

// projectScaleToZeroAttribute is one half of a project's scale_to_zero.
func projectScaleToZeroAttribute(which string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Scale-to-zero default of the project's " + which + ".",
		Optional:            true,
		Computed:            true,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: scaleToZeroAttributes(
			"Whether "+which+" hibernate when idle. Required when this is set.",
			"Minutes without connections before hibernation; the API takes 30 when unset."),
	}
}

// cidrValidator refuses at plan time what the API would refuse at apply: a
// range that is not one.
type cidrValidator struct{}

func (cidrValidator) Description(context.Context) string {
	return "must be an IPv4 or IPv6 range in CIDR notation"
}

func (v cidrValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cidrValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !shared.Known(req.ConfigValue) {
		return
	}
	if _, err := netip.ParsePrefix(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Xata Project CIDR",
			fmt.Sprintf("%q is not an address range in CIDR notation (%v). Write it as address/prefix length, e.g. "+
				"10.0.0.0/8 or 2001:db8::/32.", req.ConfigValue.ValueString(), err))
	}
}

// ValidateConfig refuses at plan time a scale_to_zero that lacks a half or
// says nothing of enabled, and an ip_filtering without enabled: the API
// takes both halves together, and enabled has no default to fall back on.
func (r *projectResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m projectModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if shared.Known(m.ScaleToZero) {
		for _, half := range []string{"base_branches", "child_branches"} {
			v := m.ScaleToZero.Attributes()[half]
			p := path.Root("scale_to_zero").AtName(half)
			switch {
			case v.IsNull():
				resp.Diagnostics.AddAttributeError(p, "Xata Project Scale To Zero Incomplete",
					"scale_to_zero is set without "+half+"; the API takes base_branches and child_branches together. "+
						"Set both, e.g. "+half+" = { enabled = false }.")
			case shared.Known(v):
				if obj, ok := v.(types.Object); ok && obj.Attributes()["enabled"].IsNull() {
					resp.Diagnostics.AddAttributeError(p.AtName("enabled"), "Xata Project Scale To Zero Missing Enabled",
						half+" does not say whether it is enabled. Add enabled = true or enabled = false.")
				}
			}
		}
	}
	if shared.Known(m.IPFiltering) {
		if enabled, ok := m.IPFiltering.Attributes()["enabled"]; ok && enabled.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("ip_filtering").AtName("enabled"), "Xata Project IP Filtering Missing Enabled",
				"ip_filtering is set but does not say whether it is enabled. Add enabled = true (only the cidrs may "+
					"connect) or enabled = false.")
		}
	}
}
