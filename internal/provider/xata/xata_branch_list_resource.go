package xata

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listresourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ list.ListResource                     = (*branchListResource)(nil)
	_ list.ListResourceWithConfigure        = (*branchListResource)(nil)
	_ list.ListResourceWithConfigValidators = (*branchListResource)(nil)
	_ list.ListResourceWithValidateConfig   = (*branchListResource)(nil)
)

// NewBranchListResource lists xata_branch resources for `terraform query`
// (Terraform 1.14+).
func NewBranchListResource() list.ListResource { return &branchListResource{} }

type branchListResource struct {
	data *shared.ProviderData
}

func (l *branchListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branch"
}

func (l *branchListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attrs := map[string]listschema.Attribute{}
	for _, f := range branchFilterAttributes() {
		attrs[f.name] = listschema.StringAttribute{MarkdownDescription: f.description, Optional: true, Validators: f.validators}
	}
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds existing Xata branches for `terraform query` (Terraform 1.14+), with the filters of " +
			"the `xata_branches` data source, so that they can be imported: `terraform query " +
			"-generate-config-out=<file>` writes an import block (by identity) and a resource block for each. Listed " +
			"objects carry no credentials (`host`, `port`, `username`, `password`, `connection_string` and `database` " +
			"are null); the refresh that follows an import reads them. " + scopesSentence("list.xata_branch"),
		Attributes: attrs,
	}
}

func (l *branchListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	l.data = data
}

func (l *branchListResource) ListResourceConfigValidators(context.Context) []list.ConfigValidator {
	return []list.ConfigValidator{
		listresourcevalidator.Conflicting(path.MatchRoot("parent_id"), path.MatchRoot("parent_name")),
	}
}

// ValidateListResourceConfig refuses a filter that could never run before
// anything is listed.
func (l *branchListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var m branchFilterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.validate()...)
}

// List streams the matching branches, sorted by name: each with its
// identity and, when Terraform asks for the objects (include_resource, or
// -generate-config-out), the branch as xata_branch would read it. The
// branches are read before the first result is sent, so a failure is one
// error rather than a partial list.
func (l *branchListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var m branchFilterModel
	diags := req.Config.Get(ctx, &m)
	client, d := l.data.XataClient()
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	q, d := m.query(l.data, time.Now())
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ctx, cancel := withLookupDeadline(ctx)
	defer cancel()
	selected, d := q.run(ctx, client, "Xata Branch List", selectOptions{describe: req.IncludeResource, limit: req.Limit})
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for _, s := range selected {
			result := req.NewListResult(ctx)
			result.DisplayName = s.listed.Name
			result.Diagnostics.Append(setBranchIdentity(ctx, result.Identity, q.org, q.project, s.listed.ID)...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, listedBranch(q.org, q.project, s.found.Branch))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// timeoutsAttrTypes is the object type of xata_branch's timeouts block,
// which a listed object sets to null.
var timeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
}

// listedBranch is a branch as a listed xata_branch object: what
// applyBranch makes of it, with every setting the provider keeps only in
// state (parent_name, hibernate, adopt_existing, postgres_parameters,
// timeouts) unset, as after an import. The credentials are left null
// rather than read for every branch listed (one more call each, and the
// credentials:read scope): generated configuration never holds them, and
// the refresh after an import reads them.
func listedBranch(org, project string, b *xataapi.BranchMetadata) branchModel {
	m := branchModel{
		branchViewModel: branchViewModel{
			OrganizationID: types.StringValue(org),
			ProjectID:      types.StringValue(project),
			Database:       types.StringNull(),
			Host:           types.StringNull(),
			Port:           types.Int64Null(),
			Username:       types.StringNull(),
		},
		ParentName:         types.StringNull(),
		Hibernate:          types.BoolNull(),
		AdoptExisting:      types.BoolNull(),
		Password:           types.StringNull(),
		ConnectionString:   types.StringNull(),
		PostgresParameters: types.MapNull(types.StringType),
		Timeouts:           timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes)},
	}
	applyBranch(&m, b, m.PostgresParameters)
	return m
}
