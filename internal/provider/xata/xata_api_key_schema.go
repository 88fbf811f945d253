package xata

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.Set{setplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An organization API key (`xao_…`) limited to the scopes, projects and branches it lists, " +
			"such as the key a sandbox runner uses. The API has no update for keys: every change replaces the key, " +
			"which changes its `token` (see the rotation example). The token is known only to the apply that creates " +
			"the key. A key cannot grant what the provider's own key does not hold. " + scopesSentence("xata_api_key"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The key's id, as the API assigns it (not the token).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the key. Defaults to the provider's `organization_id`. " +
					"Changing it replaces the key.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Key name, unique among the organization's keys. Changing it replaces the key.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "What the key may do: any of " + markdownList(xataapi.Scopes) + ", or `\"*\"` alone " +
					"for everything. A `:write` scope also grants its `:read`. The scopes each resource and data source " +
					"needs are in the [authentication guide](../guides/authentication.md#scopes). Changing them replaces " +
					"the key.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, xataapi.MaxKeyRestrictions),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(append([]string{"*"}, xataapi.Scopes...)...)),
					wildcardAlone{},
				},
				PlanModifiers: replace,
			},
			"projects": schema.SetAttribute{
				MarkdownDescription: "Project ids the key may reach, or `[\"*\"]` (the default) for all. Paths that " +
					"name a project are checked; listing the organization's projects is not restricted. Changing it " +
					"replaces the key.",
				ElementType:   types.StringType,
				Optional:      true,
				Computed:      true,
				Default:       setdefault.StaticValue(allOf()),
				Validators:    restrictionValidators(),
				PlanModifiers: replace,
			},
			"branches": schema.SetAttribute{
				MarkdownDescription: "Branch ids the key may reach, or `[\"*\"]` (the default) for all. Only paths " +
					"that name a branch are checked, so a key limited to branches can still list and create branches " +
					"but cannot read the ones it creates: a key that manages branches with this provider needs " +
					"`[\"*\"]`. Changing it replaces the key.",
				ElementType:   types.StringType,
				Optional:      true,
				Computed:      true,
				Default:       setdefault.StaticValue(allOf()),
				Validators:    restrictionValidators(),
				PlanModifiers: replace,
			},
			"expiry": schema.StringAttribute{
				MarkdownDescription: "When the key stops working, as an RFC 3339 time (e.g. `2027-01-31T00:00:00Z`); " +
					"unset, it never expires. The plan refuses a time that has passed. Once it passes, the next refresh " +
					"removes the key from state; set a later expiry and apply to make a new key, which takes the expired " +
					"one's name (the API still lists it; the provider deletes it then). Changing it replaces the key.",
				CustomType: timetypes.RFC3339Type{},
				Optional:   true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
				},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret to send as `Authorization: Bearer …`. The API shows it once, at " +
					"creation; it is null after an import.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"preview": schema.StringAttribute{
				MarkdownDescription: "The token's prefix and last characters, as the Xata dashboard shows them, to " +
					"recognise the key without the secret.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the key was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// allOf is the API's "all" restriction.
func allOf() types.Set {
	return types.SetValueMust(types.StringType, []attr.Value{types.StringValue("*")})
}

func restrictionValidators() []validator.Set {
	return []validator.Set{
		setvalidator.SizeBetween(1, xataapi.MaxKeyRestrictions),
		setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
		wildcardAlone{},
	}
}

func markdownList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "`" + s + "`"
	}
	return strings.Join(quoted, ", ")
}

// wildcardAlone refuses "*" beside other values: the API keeps "*" alone
// and drops the rest, which would leave state different from the config.
type wildcardAlone struct{}

func (wildcardAlone) Description(context.Context) string { return `"*" must be the only value` }

func (v wildcardAlone) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (wildcardAlone) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var values []types.String
	resp.Diagnostics.Append(req.ConfigValue.ElementsAs(ctx, &values, true)...)
	if len(values) > 1 && slices.ContainsFunc(values, func(s types.String) bool { return s.ValueString() == "*" }) {
		resp.Diagnostics.AddAttributeError(req.Path, "Xata API Key Wildcard Not Alone",
			fmt.Sprintf(`%s lists "*" (all) beside other values. Keep only "*" for all, or drop it and list what the key may reach.`, req.Path))
	}
}
