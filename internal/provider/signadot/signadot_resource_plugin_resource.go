package signadot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

var (
	_ resource.Resource                   = (*resourcePluginResource)(nil)
	_ resource.ResourceWithConfigure      = (*resourcePluginResource)(nil)
	_ resource.ResourceWithImportState    = (*resourcePluginResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*resourcePluginResource)(nil)
	_ resource.ResourceWithValidateConfig = (*resourcePluginResource)(nil)
	_ resource.ResourceWithIdentity       = (*resourcePluginResource)(nil)
)

var (
	pluginNamePattern = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
	semverPattern     = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// NewResourcePluginResource is the signadot_resource_plugin resource. It is
// served by this provider, so configurations set provider = xata on it.
func NewResourcePluginResource() resource.Resource { return &resourcePluginResource{} }

type resourcePluginResource struct {
	data *shared.ProviderData
}

func (r *resourcePluginResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "signadot_resource_plugin"
}

func (r *resourcePluginResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.List{listplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A [Signadot resource plugin](https://www.signadot.com/docs/reference/resource-plugins/spec): " +
			"the steps Signadot runs to create and delete a resource (such as a Xata branch) for each sandbox. " +
			"Served by the `xata` provider, so set `provider = xata` on it.\n\n" +
			"Signadot versions are immutable, so any change of the spec replaces the plugin. While sandboxes use " +
			"it, the old version cannot be deleted; to change a plugin in use, bump `version`, set " +
			"`lifecycle { create_before_destroy = true }`, so the new version exists before the old one goes, and " +
			"set `keep_in_use_on_destroy = true`, so an old version that sandboxes still use is left to them " +
			"instead of failing the apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`name`, or `name@version` when `version` is set.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Plugin name, unique in the organization: letters, digits and `-`, starting with a " +
					"letter and ending with a letter or digit, at most 253 characters. Sandboxes refer to it as " +
					"`plugin: <name>`.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthAtMost(253),
					stringvalidator.RegexMatches(pluginNamePattern, "must start with a letter, contain only letters, digits and '-', and end with a letter or digit"),
				},
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "Semantic version to publish, e.g. `1.2.0`. Unset publishes the bare name (version " +
					"`0.0.0`), which sandboxes without a version resolve to only when no other version exists.",
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(semverPattern, "must be a full semantic version such as 1.0.0 (without a leading v)"),
				},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the plugin does, at most 255 bytes.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtMost(255)},
			},
			"runner": schema.SingleNestedAttribute{
				MarkdownDescription: "The pod each step runs in.",
				Required:            true,
				// Replacement is decided per attribute, so that an overlay that
				// is only reformatted is no change.
				Attributes: map[string]schema.Attribute{
					"image": schema.StringAttribute{
						MarkdownDescription: "Container image the steps run in; it must have what the scripts call (e.g. terraform).",
						Required:            true,
						PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"namespace": schema.StringAttribute{
						MarkdownDescription: "Kubernetes namespace of the runner pods (where the secrets they read live).",
						Optional:            true,
						PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
					},
					"pod_template_overlay": schema.StringAttribute{
						MarkdownDescription: "YAML pod template merged over the runner pod, e.g. to set the `main` " +
							"container's env from secrets. Compared by meaning: reformatting it is no change.",
						Optional:      true,
						CustomType:    yamlStringType{},
						PlanModifiers: []planmodifier.String{keepEquivalentYAML{}, stringplanmodifier.RequiresReplace()},
					},
				},
			},
			"create": schema.ListNestedAttribute{
				MarkdownDescription: "Steps that create the resource, in order of their inputs' dependencies.",
				Optional:            true,
				PlanModifiers:       replace,
				NestedObject:        stepSchema(),
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"delete": schema.ListNestedAttribute{
				MarkdownDescription: "Steps that delete the resource when its sandbox is deleted.",
				Optional:            true,
				PlanModifiers:       replace,
				NestedObject:        stepSchema(),
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When this version was published (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"keep_in_use_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "What to do when this version is replaced or destroyed while sandboxes still use it " +
					"(Signadot refuses to delete it). `true`: leave the version published for those sandboxes, remove it " +
					"from state, and warn, naming the version, the sandboxes, and how to delete it once they are gone. " +
					"Unset or `false`: fail the apply or destroy, keeping the version in state (the delete is retried on " +
					"the next apply). Nothing is lost either way: a kept version is an ordinary published version that Signadot " +
					"lists and that sandboxes keep using; it stays until deleted by hand. Terraform deletes a version " +
					"with the settings it was last applied with, so set this before the change that replaces it: on " +
					"its own it is an in-place change that calls no API.",
				Optional: true,
			},
			"output_keys": schema.ListAttribute{
				MarkdownDescription: "The `<step>.<output>` keys of the create steps' outputs, as a sandbox's " +
					"`valueFrom.resource.outputKey` names them, e.g. `provision.connection-string`.",
				Computed:    true,
				ElementType: types.StringType,
			},
		},
	}
}

// pluginIdentityModel is the identity of a published plugin version. The
// organization is the provider's (signadot_org), not an attribute, but it
// is part of what names the plugin: the same name in another organization
// is another plugin.
type pluginIdentityModel struct {
	Org     types.String `tfsdk:"org"`
	Name    types.String `tfsdk:"name"`
	Version types.String `tfsdk:"version"`
}

func (r *resourcePluginResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"org": identityschema.StringAttribute{
				Description:       "Signadot organization. Defaults to the provider's signadot_org when importing, and must equal it.",
				OptionalForImport: true,
			},
			"name": identityschema.StringAttribute{
				Description:       "Plugin name.",
				RequiredForImport: true,
			},
			"version": identityschema.StringAttribute{
				Description:       "Published version; 0.0.0 for a plugin published without one (the default when importing).",
				OptionalForImport: true,
			},
		},
	}
}

// setPluginIdentity records the identity of plugin name at version ("" for
// the bare name). Every change of name or version replaces the plugin, so
// it never changes for the life of the resource.
func setPluginIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, org, name, version string) diag.Diagnostics {
	if version == "" {
		version = "0.0.0"
	}
	return identity.Set(ctx, pluginIdentityModel{
		Org: types.StringValue(org), Name: types.StringValue(name), Version: types.StringValue(version),
	})
}

func stepSchema() schema.NestedAttributeObject {
	return schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"name": schema.StringAttribute{
			MarkdownDescription: "Step name, unique across create and delete steps: 1 to 63 letters, digits and `-`, " +
				"starting with a letter and ending with a letter or digit.",
			Required:   true,
			Validators: []validator.String{stepNameRule},
		},
		"script": schema.StringAttribute{
			MarkdownDescription: "Script run in the runner's main container (with its `#!` line); it must not be empty.",
			Required:            true,
			Validators:          []validator.String{scriptRule},
		},
		"inputs": schema.ListNestedAttribute{
			MarkdownDescription: "Values the step reads, each from the sandbox's params or an earlier step's output.",
			Optional:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{
					MarkdownDescription: "Input name, unique within the step: 1 to 63 letters, digits and `-`, starting with a " +
						"letter and ending with a letter or digit. With `value_from_sandbox` it is the key in the sandbox resource's `params`.",
					Required:   true,
					Validators: []validator.String{inputNameRule},
				},
				"value_from_sandbox": schema.BoolAttribute{
					MarkdownDescription: "Take the value from the sandbox resource's `params`. Exactly one of this and `value_from_step`.",
					Optional:            true,
				},
				"value_from_step": schema.SingleNestedAttribute{
					MarkdownDescription: "Take the value from an earlier step's output. Exactly one of this and `value_from_sandbox`.",
					Optional:            true,
					Attributes: map[string]schema.Attribute{
						"step": schema.StringAttribute{
							MarkdownDescription: "Name of the step that produces the value.",
							Required:            true,
						},
						"output": schema.StringAttribute{
							MarkdownDescription: "Name of that step's output.",
							Required:            true,
						},
					},
				},
				"as_env": schema.StringAttribute{
					MarkdownDescription: "Environment variable to deliver the value in. Defaults to the name upper-cased with `-` as `_`.",
					Optional:            true,
				},
				"as_path": schema.StringAttribute{
					MarkdownDescription: "File to write the value to, in addition to or instead of an environment variable.",
					Optional:            true,
				},
			}},
		},
		"outputs": schema.ListNestedAttribute{
			MarkdownDescription: "Values the step publishes, read from files after the script ends.",
			Optional:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{
					MarkdownDescription: "Output name, unique within the step: 1 to 63 letters, digits and `-`, starting with a " +
						"letter and ending with a letter or digit. A sandbox refers to it as `<step>.<name>`.",
					Required:   true,
					Validators: []validator.String{outputNameRule},
				},
				"value_from_path": schema.StringAttribute{
					MarkdownDescription: "File the script writes the value to.",
					Required:            true,
				},
				"description": schema.StringAttribute{
					MarkdownDescription: "What the value is.",
					Optional:            true,
				},
			}},
		},
	}}
}

// ValidateConfig checks every rule the API enforces at apply time, so a
// broken plugin fails the plan, not the first sandbox.
func (r *resourcePluginResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m resourcePluginModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	create, okCreate, diags := steps(ctx, m.Create)
	resp.Diagnostics.Append(diags...)
	del, okDelete, diags := steps(ctx, m.Delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || !okCreate || !okDelete {
		return
	}
	for _, p := range validatePluginSpec(m.Runner, create, del) {
		if p.warning {
			resp.Diagnostics.AddAttributeWarning(p.path, p.summary, p.detail)
		} else {
			resp.Diagnostics.AddAttributeError(p.path, p.summary, p.detail)
		}
	}
}

func (r *resourcePluginResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// ModifyPlan computes id and output_keys at plan time, so a sandbox
// definition can reference them in the same plan.
func (r *resourcePluginResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan resourcePluginModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A missing key or org fails the plan, not the apply.
	_, diags := r.data.SignadotClient()
	resp.Diagnostics.Append(diags...)
	if shared.Known(plan.Name) && !plan.Version.IsUnknown() {
		plan.ID = types.StringValue(pluginID(plan.Name.ValueString(), plan.Version.ValueString()))
	}
	if create, ok, diags := steps(ctx, plan.Create); ok && !diags.HasError() && allOutputNamesKnown(create) {
		keys, d := types.ListValueFrom(ctx, types.StringType, outputKeys(create))
		resp.Diagnostics.Append(d...)
		plan.OutputKeys = keys
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func allOutputNamesKnown(create []stepModel) bool {
	for _, s := range create {
		if !shared.Known(s.Name) {
			return false
		}
		for _, o := range s.Outputs {
			if !shared.Known(o.Name) {
				return false
			}
		}
	}
	return true
}

func (r *resourcePluginResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan resourcePluginModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.SignadotClient()
	resp.Diagnostics.Append(diags...)
	body, diags := pluginFromModel(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := client.ApplyResourcePlugin(ctx, body); err != nil {
		var apiErr *signadotapi.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == 409 {
			// The provider is never told the resource's address; Terraform
			// prints it above this message ("with signadot_resource_plugin.x").
			resp.Diagnostics.AddAttributeError(path.Root("version"), "Signadot Resource Plugin Version Exists",
				fmt.Sprintf("%s is already published, and published versions are immutable. Set a new version, or "+
					"import the published one into this resource, then apply again: terraform import "+
					"signadot_resource_plugin.<name> %s, where signadot_resource_plugin.<name> is the address "+
					"in the \"with …\" line above this message. With Terraform 1.7+ or OpenTofu, an import block does the same:\n\n"+
					"  import {\n    to       = signadot_resource_plugin.<name>\n    id       = %q\n    provider = xata\n  }\n\n%s",
					body.Name, body.Name, body.Name, err))
			return
		}
		resp.Diagnostics.AddError("Signadot Resource Plugin Apply Failed",
			fmt.Sprintf("Signadot refused plugin %s; nothing was published. Fix what the message names and apply again.\n\n%s", body.Name, err))
		return
	}
	resp.Diagnostics.Append(setPluginIdentity(ctx, resp.Identity, r.data.SignadotSettings.Org, plan.Name.ValueString(), plan.Version.ValueString())...)
	got, err := client.GetResourcePlugin(ctx, plan.Name.ValueString(), versionOrDefault(plan.Version))
	if err != nil {
		resp.Diagnostics.AddError("Signadot Resource Plugin Read After Apply Failed",
			fmt.Sprintf("Plugin %s was published but could not be read back; run terraform refresh.\n\n%s", body.Name, err))
		// Record what was published, so it is not forgotten.
		plan.CreatedAt = types.StringNull()
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	plan.CreatedAt = types.StringValue(got.CreatedAt)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func versionOrDefault(v types.String) string {
	if v.ValueString() == "" {
		return "0.0.0"
	}
	return v.ValueString()
}

func (r *resourcePluginResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state resourcePluginModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.data.SignadotClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.checkOrg(ctx, req.Identity, state)...)
	// Set first: a state written before identities existed has none, and
	// the framework wants one even when the plugin turns out to be gone.
	resp.Diagnostics.Append(setPluginIdentity(ctx, resp.Identity, r.data.SignadotSettings.Org, state.Name.ValueString(), state.Version.ValueString())...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := client.GetResourcePlugin(ctx, state.Name.ValueString(), versionOrDefault(state.Version))
	if signadotapi.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Signadot Resource Plugin Read Failed",
			fmt.Sprintf("Reading plugin %s failed; retry, and check the Signadot API key and org.\n\n%s", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(applyPlugin(ctx, &state, got)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// checkOrg refuses to read a plugin recorded in another organization than
// the provider's: the read would find (and a destroy would delete) another
// organization's plugin of the same name, or drop this one from state.
func (r *resourcePluginResource) checkOrg(ctx context.Context, identity *tfsdk.ResourceIdentity, state resourcePluginModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if identity.Raw.IsNull() {
		return diags // recorded before identities existed
	}
	var recorded types.String
	diags.Append(identity.GetAttribute(ctx, path.Root("org"), &recorded)...)
	current := r.data.SignadotSettings.Org
	if !shared.Known(recorded) || recorded.ValueString() == current {
		return diags
	}
	diags.AddError("Signadot Resource Plugin In Another Organization",
		fmt.Sprintf("Plugin %s was published in Signadot organization %q, but the provider is now configured for %q, "+
			"where it would read, and on destroy delete, another plugin of that name. Set signadot_org back to %q, or "+
			"forget this one (terraform state rm <address>) and import the plugin of organization %q.",
			state.ID.ValueString(), recorded.ValueString(), current, recorded.ValueString(), current))
	return diags
}

// applyPlugin copies a plugin read from the API into the model, keeping
// the prior model's choices where the API cannot tell them apart (an empty
// list vs none, value_from_sandbox = false vs unset, overlay formatting).
func applyPlugin(ctx context.Context, m *resourcePluginModel, p *signadotapi.ResourcePlugin) (diags diag.Diagnostics) {
	bare, version := signadotapi.SplitPluginName(p.Name)
	m.Name = types.StringValue(bare)
	if version != "" && version != "0.0.0" {
		m.Version = types.StringValue(version)
	} else if m.Version.ValueString() != "0.0.0" {
		m.Version = types.StringNull()
	}
	m.ID = types.StringValue(pluginID(bare, version))
	m.Description = optionalString(p.Spec.Description)
	overlay := yamlStringNull()
	if p.Spec.Runner.PodTemplateOverlay != "" {
		overlay = yamlStringOf(p.Spec.Runner.PodTemplateOverlay)
		if m.Runner != nil && yamlEqual(m.Runner.PodTemplateOverlay.ValueString(), p.Spec.Runner.PodTemplateOverlay) {
			overlay = m.Runner.PodTemplateOverlay
		}
	}
	m.Runner = &runnerModel{
		Image:              types.StringValue(p.Spec.Runner.Image),
		Namespace:          optionalString(p.Spec.Runner.Namespace),
		PodTemplateOverlay: overlay,
	}
	priorCreate, _, d := steps(ctx, m.Create)
	diags.Append(d...)
	priorDelete, _, d := steps(ctx, m.Delete)
	diags.Append(d...)
	create := modelSteps(p.Spec.Create, priorCreate)
	del := modelSteps(p.Spec.Delete, priorDelete)
	keepFalse(create, priorCreate)
	keepFalse(del, priorDelete)
	m.Create, d = stepList(ctx, create)
	diags.Append(d...)
	m.Delete, d = stepList(ctx, del)
	diags.Append(d...)
	m.OutputKeys, d = types.ListValueFrom(ctx, types.StringType, outputKeys(create))
	diags.Append(d...)
	m.CreatedAt = optionalString(p.CreatedAt)
	return diags
}

// Update is never reached with a spec change (every argument replaces);
// it only records the plan, i.e. a change of keep_in_use_on_destroy,
// which is Terraform's alone and calls no API.
func (r *resourcePluginResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan resourcePluginModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setPluginIdentity(ctx, resp.Identity, r.data.SignadotSettings.Org, plan.Name.ValueString(), plan.Version.ValueString())...)
}

func (r *resourcePluginResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state resourcePluginModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client, diags := r.data.SignadotClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := client.DeleteResourcePlugin(ctx, state.Name.ValueString(), versionOrDefault(state.Version))
	var inUse *signadotapi.PluginInUseError
	switch {
	case err == nil, signadotapi.IsNotFound(err):
	case errors.As(err, &inUse) && state.KeepInUseOnDestroy.ValueBool():
		// Returning without an error removes the resource from state; the
		// version stays published for the sandboxes that use it.
		resp.Diagnostics.AddWarning("Signadot Resource Plugin Version Left To Its Sandboxes",
			keptVersionDetail(ctx, client, state, inUse, err))
	case errors.As(err, &inUse):
		resp.Diagnostics.AddError("Signadot Resource Plugin In Use",
			fmt.Sprintf("Plugin %s is still used by %s, and Signadot deletes no version in use. Delete those "+
				"sandboxes, then apply or destroy again. To change a plugin in use, publish a new version with "+
				"create_before_destroy; to leave an old version to its sandboxes instead of failing, set "+
				"keep_in_use_on_destroy = true and apply it before the version is replaced or destroyed (Terraform "+
				"deletes a version with the settings it was last applied with). The plugin stays in state.\n\n%s",
				state.ID.ValueString(), sandboxList(inUse.Sandboxes), err))
	default:
		resp.Diagnostics.AddError("Signadot Resource Plugin Delete Failed",
			fmt.Sprintf("Deleting plugin %s failed; it stays in state, so destroy again to retry.\n\n%s", state.ID.ValueString(), err))
	}
}

// keptVersionDetail is the warning for a version left published because
// sandboxes use it: which version, which sandboxes, and how to delete it
// once they are gone. The delete names the version explicitly, as a bare
// name would delete the highest version instead.
func keptVersionDetail(ctx context.Context, client *signadotapi.Client, state resourcePluginModel, inUse *signadotapi.PluginInUseError, err error) string {
	name, version := state.Name.ValueString(), versionOrDefault(state.Version)
	full := name + "@" + version
	detail := fmt.Sprintf("Plugin %s is still used by %s, so, as keep_in_use_on_destroy is set, it was left published "+
		"in Signadot and removed from Terraform state. Those sandboxes keep working with it; nothing is lost.",
		full, sandboxList(inUse.Sandboxes))
	if highest, ok := highestVersion(ctx, client, name); ok && highest == canonicalOr(version) {
		detail += " It is still the highest published version, so new sandboxes that name the plugin without a " +
			"version also get it; publish a higher version to change that."
	}
	detail += fmt.Sprintf(" Once those sandboxes are deleted, delete it with: signadot resourceplugin delete %s "+
		"(or import it into a signadot_resource_plugin block of its own, with provider = xata, and destroy that: "+
		"terraform import signadot_resource_plugin.<name> %s, <name> being the new block's).\n\n%s", full, full, err)
	return detail
}

// canonicalOr is v as the server stores it, else v.
func canonicalOr(v string) string {
	if canon, err := signadotapi.CanonicalVersion(v); err == nil {
		return canon
	}
	return v
}

// sandboxList names the sandboxes of an in-use refusal.
func sandboxList(sandboxes []string) string {
	if len(sandboxes) == 0 {
		return "one or more sandboxes (Signadot did not say which)"
	}
	return "sandbox(es) " + strings.Join(sandboxes, ", ")
}

// highestVersion is the highest published version of a plugin ("0.0.0"
// for the bare name); ok is false if it could not be read, which only
// leaves a sentence out of a warning.
func highestVersion(ctx context.Context, client *signadotapi.Client, name string) (string, bool) {
	versions, err := client.ResourcePluginVersions(ctx, name)
	if err != nil || len(versions) == 0 {
		return "", false
	}
	_, v := signadotapi.SplitPluginName(versions[0].Name)
	v, err = signadotapi.CanonicalVersion(v) // "" (the bare name) is 0.0.0
	return v, err == nil
}

// ImportState accepts "name" or "name@version", or an import block's
// identity (Terraform 1.12+): name, and optionally version and org.
func (r *resourcePluginResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if shared.ImportNamesNothing(req) {
		resp.Diagnostics.AddError("Missing Signadot Resource Plugin Import ID",
			"The import names no plugin. Give <name>@<version>, e.g. terraform import signadot_resource_plugin.p "+
				"xata-branch@1.0.0 (with provider = xata on the resource), or <name> for a plugin published without a "+
				"version; with Terraform 1.12 or later an import block may name it by identity instead.")
		return
	}
	_, diags := r.data.SignadotClient() // the organization to record
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	org := r.data.SignadotSettings.Org
	var bare, version string
	if req.ID == "" {
		bare, version, diags = pluginFromIdentity(ctx, req.Identity, org)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
	} else {
		bare, version = signadotapi.SplitPluginName(req.ID)
		if !pluginNamePattern.MatchString(bare) || (version != "" && !semverPattern.MatchString(version)) {
			resp.Diagnostics.AddError("Invalid Signadot Resource Plugin Import ID",
				fmt.Sprintf("Got %q. Use <name> for the bare (0.0.0) version or <name>@<version> such as xata-branch@1.0.0.", req.ID))
			return
		}
	}
	if version == "0.0.0" {
		version = ""
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), bare)...)
	if version != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("version"), version)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), pluginID(bare, version))...)
	resp.Diagnostics.Append(setPluginIdentity(ctx, resp.Identity, org, bare, version)...)
}

// pluginFromIdentity reads the plugin an import identity names. It can
// only be imported from the provider's organization.
func pluginFromIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, org string) (bare, version string, diags diag.Diagnostics) {
	var m pluginIdentityModel
	diags.Append(identity.Get(ctx, &m)...)
	if diags.HasError() {
		return "", "", diags
	}
	if shared.Known(m.Org) && m.Org.ValueString() != org {
		diags.AddError("Signadot Resource Plugin Import From Another Organization",
			fmt.Sprintf("The identity names organization %q, but the provider is configured for %q and can only import "+
				"from there. Set signadot_org to %q in the provider block, or leave org out of the identity.",
				m.Org.ValueString(), org, m.Org.ValueString()))
		return "", "", diags
	}
	bare, version = m.Name.ValueString(), m.Version.ValueString()
	if !pluginNamePattern.MatchString(bare) || (version != "" && !semverPattern.MatchString(version)) {
		diags.AddError("Invalid Signadot Resource Plugin Import Identity",
			fmt.Sprintf("The identity has name %q and version %q. Set name to a plugin name such as xata-branch and "+
				"version, if any, to a full semantic version such as 1.0.0 (without a leading v).", bare, version))
	}
	return bare, version, diags
}
