package xata

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ list.ListResource                   = (*projectListResource)(nil)
	_ list.ListResourceWithConfigure      = (*projectListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*projectListResource)(nil)
)

// NewProjectListResource lists xata_project resources for `terraform
// query` (Terraform 1.14+).
func NewProjectListResource() list.ListResource { return &projectListResource{} }

type projectListResource struct {
	data *shared.ProviderData
}

type projectFilterModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	NameRegex      types.String `tfsdk:"name_regex"`
}

func (l *projectListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (l *projectListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds existing Xata projects for `terraform query` (Terraform 1.14+), so that they can " +
			"be imported: `terraform query -generate-config-out=<file>` writes an import block (by identity) and a " +
			"resource block for each. Results come sorted by name. " + scopesSentence("list.xata_project"),
		Attributes: map[string]listschema.Attribute{
			"organization_id": listschema.StringAttribute{
				MarkdownDescription: "Organization to list. Defaults to the provider's `organization_id`.",
				Optional:            true,
			},
			"name_regex": listschema.StringAttribute{
				MarkdownDescription: "Keep only projects whose name matches this " +
					"[RE2 regular expression](https://github.com/google/re2/wiki/Syntax), e.g. `^team-`. An invalid " +
					"expression is refused at plan time.",
				Optional: true,
			},
		},
	}
}

func (l *projectListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	l.data = data
}

// ValidateListResourceConfig refuses a name_regex that does not compile
// before anything is listed.
func (l *projectListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var m projectFilterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if !shared.Known(m.NameRegex) {
		return
	}
	if _, err := regexp.Compile(m.NameRegex.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid Xata Project Name Regex",
			fmt.Sprintf("%q is not an RE2 regular expression: %v. Fix it, e.g. \"^team-\".", m.NameRegex.ValueString(), err))
	}
}

// List streams the matching projects, sorted by name, each with its
// identity and, when Terraform asks, the project as xata_project reads it.
func (l *projectListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var m projectFilterModel
	diags := req.Config.Get(ctx, &m)
	client, d := l.data.XataClient()
	diags.Append(d...)
	org, d := l.data.OrgScope(m.OrganizationID)
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	projects, err := client.ListProjects(ctx, org)
	if err != nil {
		diags.Append(catalogueDiagnostic("Xata Project List", "the projects", org, "project:read", err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	re := regexp.MustCompile(m.NameRegex.ValueString()) // checked at validation; "" matches all
	projects = slices.DeleteFunc(projects, func(p xataapi.Project) bool { return !re.MatchString(p.Name) })
	slices.SortFunc(projects, func(a, b xataapi.Project) int { return cmp.Compare(a.Name, b.Name) })
	if req.Limit > 0 && int64(len(projects)) > req.Limit {
		projects = projects[:req.Limit]
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range projects {
			p := &projects[i]
			result := req.NewListResult(ctx)
			result.DisplayName = p.Name
			result.Diagnostics.Append(shared.SetOrgIdentity(ctx, result.Identity, org, p.ID)...)
			if req.IncludeResource {
				var m projectModel
				applyProject(&m, org, p)
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
