package xata

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// descriptionPattern is the API's rule for branch descriptions.
var descriptionPattern = regexp.MustCompile(`^[a-zA-Z0-9]+[a-zA-Z0-9- ]*$`)

// The API checks only that a branch name is not empty. Names with '/'
// cannot be told from org/project/name import ids, and control characters
// (NUL among them) break logs and shells, so both are refused here; the
// bound is the legacy API's 255.
var branchNamePattern = regexp.MustCompile(`^[^/\x00-\x1f\x7f]+$`)

const branchNameRule = "1 to 255 characters, without `/` or control characters"

func branchNameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(1, 255),
		stringvalidator.RegexMatches(branchNamePattern, "must not contain '/' or control characters; use letters, digits, '-', '_' or '.'"),
	}
}

func (r *branchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Xata branch: a Postgres database of its own. A child branch (`parent_id` or " +
			"`parent_name`) starts as a copy-on-write copy of its parent's schema and data, and its writes never " +
			"reach the parent. A root branch (neither set) starts empty on the `region`, `instance_type` and " +
			"`image` given.\n\nCreate waits until the branch is healthy and its credentials exist, so " +
			"`connection_string` can be handed to an application straight away.\n\n" + scopesSentence("xata_branch"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: branchViewDescription("id"),
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Branch name, unique among the project's live branches (case-sensitive), " +
					branchNameRule + ". Changing it renames the branch in place.",
				Required:   true,
				Validators: branchNameValidators(),
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the branch. Defaults to the provider's `organization_id`. " +
					"Changing it replaces the branch.",
				Optional: true,
				Computed: true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the branch. Defaults to the provider's `project_id`. " +
					"Changing it replaces the branch.",
				Optional: true,
				Computed: true,
			},
			"parent_id": schema.StringAttribute{
				MarkdownDescription: "Id of the parent for a child branch; when `parent_name` is used, the id it resolved " +
					"to at creation. With `parent_name` set too, both must name the same branch (as generated import " +
					"configuration does). Changing it replaces the branch.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
				Validators: []validator.String{
					stringvalidator.RegexMatches(xataapi.BranchIDPattern, "must be a Xata branch id (26 characters of 0-9 and a-v, starting with a letter); to name the parent, use parent_name"),
				},
			},
			"parent_name": schema.StringAttribute{
				MarkdownDescription: "Name of the parent for a child branch, resolved to an id when the branch is " +
					"created (the API has no lookup by name, so this lists the project's branches); an import records " +
					"the parent's name here. With `parent_id` set too, both must name the same branch. Pointing it at " +
					"another branch replaces the branch; removing it keeps the parent. A name known at plan time that " +
					"names no branch is a warning at plan (this apply may still create that branch), naming the closest " +
					"existing names; the create then fails if it still does not exist. For a parent that the same " +
					"configuration creates, use `parent_id = xata_branch.<name>.id`, which plans without a lookup or warning.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    branchNameValidators(),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text, at most 50 characters of letters, digits, spaces and `-`, " +
					"starting with a letter or digit (the API's rule). Updated in place.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthAtMost(50),
					stringvalidator.RegexMatches(descriptionPattern, "may contain only letters, digits, spaces and '-', and must start with a letter or digit"),
				},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of a root branch, e.g. `us-east-1`; required for a root branch and checked " +
					"at plan time against the organization's regions. A child always lives in its parent's region: on a " +
					"child it may only repeat that region (as generated import configuration does). Changing it replaces the branch.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"instance_type": schema.StringAttribute{
				MarkdownDescription: "Instance type, e.g. `xata.micro`; required for a root branch. A child inherits " +
					"its parent's unless this is set, in which case it is changed right after creation. Updated in place " +
					"(a rolling restart).",
				Optional: true,
				Computed: true,
				// Unmanaged unless configured: an update never changes it, so the state value stands.
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"image": schema.StringAttribute{
				MarkdownDescription: "Postgres image of a root branch, `<offering>:<version>` such as `postgres:17.9`; " +
					"required for a root branch and inherited by a child (on a child it may only repeat the parent's image " +
					"when created). A minor upgrade is made in place; a change of offering or major version replaces the " +
					"branch, since the API cannot make it.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIf(imageNeedsReplace,
						"A change of offering or major version replaces the branch.",
						"A change of offering or major version replaces the branch."),
				},
				Validators: []validator.String{
					stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9-]+:[0-9]+(\.[0-9]+)*$`), "must look like postgres:17.9"),
				},
			},
			"replicas": schema.Int64Attribute{
				MarkdownDescription: "Read replicas besides the primary, 0 to 4. A child is created with 0 and " +
					"changed after creation when this is set. Updated in place.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.Between(0, 4)},
			},
			"storage": schema.Int64Attribute{
				MarkdownDescription: "Storage in GiB. It can only grow: a smaller value is refused at plan time. " +
					"The API sizes a new branch itself, so a configured value is applied right after creation.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					growOnly{},
				},
				Validators: []validator.Int64{int64validator.Between(1, 1024)},
			},
			"scale_to_zero": schema.SingleNestedAttribute{
				MarkdownDescription: "Hibernate the branch after a period without connections; it wakes on the " +
					"next connection. Defaults to the project's setting for base or child branches.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: scaleToZeroAttributes(
					"Whether the branch hibernates when idle. Required when `scale_to_zero` is set.",
					"Minutes without connections before hibernation. A new branch gets 30 when this is unset; "+
						"afterwards an unset value leaves the branch's setting alone."),
			},
			"postgres_parameters": schema.MapAttribute{
				MarkdownDescription: "Postgres configuration parameters, e.g. `{ max_connections = \"50\" }`. Only the " +
					"keys set here are managed; the server's other parameters are left alone and never show as drift. " +
					"Removing a key stops managing it. While other keys remain, an update sends them and the API " +
					"replaces the branch's parameters with what it is sent, so a removed key goes back to its default; " +
					"emptying the map (or removing the attribute) sends nothing, and the server keeps the values it has.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Map{
					mapvalidator.KeysAre(stringvalidator.RegexMatches(pgParameterName,
						"must be a Postgres parameter name: lowercase letters, digits, '_' and '.', e.g. max_connections")),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"hibernate": schema.BoolAttribute{
				MarkdownDescription: "`true` hibernates the branch (compute stops, storage stays); `false` wakes it. " +
					"Left unset, the provider never wakes or hibernates the branch, and a branch hibernated by " +
					"scale-to-zero is not drift.",
				Optional: true,
			},
			"adopt_existing": schema.BoolAttribute{
				MarkdownDescription: "When `true` and the create is refused because a branch of this exact name already " +
					"exists, adopt that branch instead of failing, provided it has the same parent (or, for a root branch, is a " +
					"root branch in the same region); the settings applied after creation are then converged to the configuration. " +
					"For runners that may be killed between creating a branch and saving state: a re-run then converges " +
					"instead of failing. Every adoption is reported as a warning naming the adopted id and its creation time.\n\n" +
					"The API records no owner, so the provider cannot tell a branch left by this configuration from one that " +
					"another state manages under the same name: two states that both adopt one name share one branch, and " +
					"destroying either deletes it. Use it only where the name belongs to a single state (the tutorial's runner " +
					"derives it from the sandbox, with one state per sandbox). Default `false`: a name conflict is an error.",
				Optional: true,
			},
			"store_credentials": schema.BoolAttribute{
				MarkdownDescription: storeCredentialsDescription,
				Optional:            true,
			},
			"database": schema.StringAttribute{
				MarkdownDescription: "Database name used in `connection_string`. Defaults to the database the " +
					"credentials endpoint names (`xata` on the hosted service).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 63)},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: branchViewDescription("status"),
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: branchViewDescription("created_at"),
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "Last update time, RFC 3339.",
				Computed:            true,
			},
			"public_access": schema.BoolAttribute{
				MarkdownDescription: "Whether the branch accepts connections from the public internet.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: branchViewDescription("host"),
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"port": schema.Int64Attribute{
				MarkdownDescription: branchViewDescription("port"),
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: branchViewDescription("username"),
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Postgres password of the branch's credentials.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_string": schema.StringAttribute{
				MarkdownDescription: connectionStringDescription,
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx),
		},
	}
}

// scaleToZeroAttributes are the attributes of a scale-to-zero setting, a
// branch's or a project's default for its root or child branches
// (scaleToZeroAttrTypes in the models). Every one is Optional+Computed:
// Terraform treats a required one inside an unset object as a removed
// setting.
func scaleToZeroAttributes(enabledDescription, inactivityDescription string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"enabled": schema.BoolAttribute{
			MarkdownDescription: enabledDescription,
			Optional:            true,
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"inactivity_period_minutes": schema.Int64Attribute{
			MarkdownDescription: inactivityDescription,
			Optional:            true,
			Computed:            true,
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		},
	}
}

// pgParameterName is what the API takes as a Postgres parameter name; it
// refuses others with 400 at apply. Which names an instance type and
// version accept, only the server knows: those it reports at apply.
var pgParameterName = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)

// The connection attributes' descriptions, one for every type that exposes
// them: all derive them alike, in connectionString.
const (
	storeCredentialsDescription = "`false` keeps the branch's credentials out of plan and state: `username`, " +
		"`password` and `connection_string` are null (`host`, `port` and `database` stay). Read them where they are " +
		"used with the ephemeral resource `xata_branch_credentials` (Terraform 1.10+, OpenTofu 1.11+), which never " +
		"writes them down. Unset or `true` stores them, as sensitive values. Changing it takes effect on the next " +
		"apply, in place: the branch is never replaced for it."
	hostDescription = "Postgres host of the branch, as the server names it: in the credentials (hosted Xata) or in " +
		"the branch's own connection string (self-hosted Xata)."
	portDescription = "Postgres port of the branch, as the server names it (5432 when the server's connection " +
		"string names none)."
	connectionStringDescription = "`postgresql://` URL of the branch with its credentials and database, built from " +
		"what the server returns, never from a naming pattern. It keeps every query parameter the server sends; when " +
		"the server names no `sslmode` (hosted Xata's credentials do not), it asks for `sslmode=require`, as Xata " +
		"serves TLS only."
)

// timeoutsBlock is the stock timeouts block with markdown descriptions, so
// that every schema element is documented.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeouts.Opts{
		Create:            true,
		Update:            true,
		Delete:            true,
		Read:              true,
		CreateDescription: fmt.Sprintf("How long to wait for a new branch to become healthy, e.g. `30m`. Default %s.", defaultCreateTimeout),
		ReadDescription:   fmt.Sprintf("How long a refresh may take, retries included. Default %s.", defaultReadTimeout),
		UpdateDescription: fmt.Sprintf("How long to wait for a configuration change to be applied. Default %s.", defaultUpdateTimeout),
		DeleteDescription: fmt.Sprintf("How long a delete may take, retries included. Default %s.", defaultDeleteTimeout),
	})
	nested := b.(schema.SingleNestedBlock) //nolint:forcetypeassert // the type timeouts.Block documents
	nested.MarkdownDescription = "Operation timeouts (a duration string such as `30s` or `20m`)."
	for name, a := range nested.Attributes {
		s := a.(schema.StringAttribute) //nolint:forcetypeassert // timeouts.Block makes only string attributes
		s.MarkdownDescription = s.Description
		nested.Attributes[name] = s
	}
	return nested
}

func imageNeedsReplace(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	oldOffering, oldMajor := imageMajor(req.StateValue.ValueString())
	newOffering, newMajor := imageMajor(req.PlanValue.ValueString())
	resp.RequiresReplace = oldOffering != newOffering || oldMajor != newMajor
}

// growOnly refuses a storage decrease at plan time: the API cannot shrink.
type growOnly struct{}

func (growOnly) Description(context.Context) string { return "storage can only grow" }
func (g growOnly) MarkdownDescription(ctx context.Context) string {
	return g.Description(ctx)
}

func (growOnly) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if !shared.Known(req.StateValue) || !shared.Known(req.PlanValue) || req.PlanValue.ValueInt64() >= req.StateValue.ValueInt64() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Xata Branch Storage Cannot Shrink",
		fmt.Sprintf("The branch has %d GiB and the configuration asks for %d GiB; Xata can only grow storage. "+
			"Set storage to %d or more, or replace the branch (terraform apply -replace=...) to start smaller.",
			req.StateValue.ValueInt64(), req.PlanValue.ValueInt64(), req.StateValue.ValueInt64()))
}

// ValidateConfig enforces at plan time what needs no API call: a root
// branch names its cluster, scale_to_zero says whether it is enabled, and
// every timeout is positive.
func (r *branchResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m branchModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if shared.Known(m.ScaleToZero) {
		if enabled, ok := m.ScaleToZero.Attributes()["enabled"]; ok && enabled.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("scale_to_zero").AtName("enabled"), "Xata Scale To Zero Missing Enabled",
				"scale_to_zero is set but does not say whether it is enabled. Add enabled = true or enabled = false.")
		}
	}
	resp.Diagnostics.Append(validatePositiveTimeouts(m.Timeouts)...)
	if !m.ParentID.IsNull() || !m.ParentName.IsNull() {
		return // a child's inherited values are checked against its parent in ModifyPlan
	}
	for _, attr := range []struct {
		name    string
		v       attr.Value
		example string
	}{{"region", m.Region, "us-east-1"}, {"instance_type", m.InstanceType, "xata.micro"}, {"image", m.Image, "postgres:17.9"}} {
		if attr.v.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Xata Root Branch Missing "+attr.name,
				fmt.Sprintf("A branch without parent_id or parent_name is a root branch and needs %s (e.g. %q). "+
					"Set it, or set parent_name to branch from an existing branch.", attr.name, attr.example))
		}
	}
}

// validatePositiveTimeouts refuses a zero or negative timeout at plan time:
// it would end every operation before its first request.
func validatePositiveTimeouts(t timeouts.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	if !shared.Known(t.Object) {
		return diags
	}
	for name, v := range t.Attributes() {
		s, ok := v.(types.String)
		if !ok || !shared.Known(s) {
			continue
		}
		d, err := time.ParseDuration(s.ValueString())
		if err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Xata Branch Timeout Not Positive",
				fmt.Sprintf("timeouts.%s is %q, which would end the operation before it starts. Set a positive duration "+
					"such as \"20m\", or remove it to use the default.", name, s.ValueString()))
		}
	}
	return diags
}
