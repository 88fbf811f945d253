package xata

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ datasource.DataSource                     = (*branchesDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*branchesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*branchesDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*branchesDataSource)(nil)
)

// NewBranchesDataSource is the xata_branches data source.
func NewBranchesDataSource() datasource.DataSource { return &branchesDataSource{} }

type branchesDataSource struct {
	data *shared.ProviderData
}

// branchFilterModel is the filter the xata_branches data source and the
// xata_branch list resource share, attribute for attribute.
type branchFilterModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	ProjectID      types.String `tfsdk:"project_id"`
	NameRegex      types.String `tfsdk:"name_regex"`
	ParentID       types.String `tfsdk:"parent_id"`
	ParentName     types.String `tfsdk:"parent_name"`
	Status         types.String `tfsdk:"status"`
	CreatedBefore  types.String `tfsdk:"created_before"`
}

type branchesDataSourceModel struct {
	branchFilterModel
	Branches types.List `tfsdk:"branches"`
}

// branchStatuses are the status types the API reports.
var branchStatuses = []string{xataapi.StatusHealthy, xataapi.StatusTransient, xataapi.StatusFault, xataapi.StatusHibernated, xataapi.StatusUnspecified}

// branchFilterAttribute describes one filter attribute once for both
// schemas (data source and list resource), which are distinct Go types.
type branchFilterAttribute struct {
	name        string
	description string
	validators  []validator.String
}

func branchFilterAttributes() []branchFilterAttribute {
	return []branchFilterAttribute{
		{name: "organization_id", description: "Organization to list. Defaults to the provider's `organization_id`."},
		{name: "project_id", description: "Project to list. Defaults to the provider's `project_id`."},
		{name: "name_regex", description: "Keep only branches whose name matches this " +
			"[RE2 regular expression](https://github.com/google/re2/wiki/Syntax), e.g. `^sb-`. It matches anywhere in " +
			"the name unless anchored with `^` and `$`. An invalid expression is refused at plan time."},
		{name: "parent_id", description: "Keep only the children of the branch with this id. The parent need not " +
			"exist any more: children keep a deleted parent's id, so this finds what a deleted branch left behind. " +
			"Conflicts with `parent_name`.",
			validators: []validator.String{
				stringvalidator.RegexMatches(xataapi.BranchIDPattern, "must be a Xata branch id (26 characters of 0-9 and a-v, starting with a letter); to name the parent, use parent_name"),
			}},
		{name: "parent_name", description: "Keep only the children of the live branch of this exact name " +
			"(case-sensitive). A name that matches no branch is an error. Conflicts with `parent_id`.",
			validators: branchNameValidators()},
		{name: "status", description: "Keep only branches whose status type is this: one of `" +
			strings.Join(branchStatuses, "`, `") + "`. The status is read from each branch as it is now.",
			validators: []validator.String{stringvalidator.OneOf(branchStatuses...)}},
		{name: "created_before", description: "Keep only branches created before this time: an RFC 3339 timestamp " +
			"such as `2026-05-01T00:00:00Z`, or a Go duration such as `72h`, meaning older than that at the time of " +
			"reading (hours, minutes and seconds only: write three days as `72h`). Anything else is refused at plan time."},
	}
}

func (d *branchesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_branches"
}

func (d *branchesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, f := range branchFilterAttributes() {
		computed := f.name == "organization_id" || f.name == "project_id" // set to the scope used
		attrs[f.name] = schema.StringAttribute{MarkdownDescription: f.description, Optional: true, Computed: computed, Validators: f.validators}
	}
	attrs["branches"] = schema.ListNestedAttribute{
		MarkdownDescription: "The matching branches, sorted by name. Each has the attributes of the `xata_branch` " +
			"data source except the credentials (`connection_string`): read those with the `xata_branch_credentials` " +
			"ephemeral resource.",
		Computed:     true,
		NestedObject: schema.NestedAttributeObject{Attributes: branchViewSchema("Null while the branch has no credentials yet.")},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every branch of a project, or those matching all of the filters set, e.g. the sandbox " +
			"branches older than three days. Without filters it lists every branch. It reads each matching branch " +
			"and its credentials (for `host` and `username`). See the guide *Finding and cleaning up orphaned " +
			"branches*. " + scopesSentence("data.xata_branches"),
		Attributes: attrs,
	}
}

func (d *branchesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("parent_id"), path.MatchRoot("parent_name")),
	}
}

// ValidateConfig refuses at plan time a filter that could never run.
func (d *branchesDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m branchesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.validate()...)
}

func (d *branchesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *branchesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m branchesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.data.XataClient()
	resp.Diagnostics.Append(diags...)
	q, diags := m.query(d.data, time.Now())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withLookupDeadline(ctx)
	defer cancel()
	selected, diags := q.run(ctx, client, "Xata Branches Data Source", selectOptions{describe: true, withCredentials: true})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	elems := make([]branchViewModel, 0, len(selected))
	for _, s := range selected {
		e, err := branchesElementFrom(q.org, q.project, s.found)
		if err != nil {
			resp.Diagnostics.AddError("Xata Branches Credentials Read Failed",
				fmt.Sprintf("Reading the credentials of branch %s (%s), for its host and username, failed; check that the "+
					"API key has the credentials:read scope, then retry.\n\n%s", s.listed.Name, s.listed.ID, err))
			return
		}
		elems = append(elems, e)
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: branchViewAttrTypes()}, elems)
	resp.Diagnostics.Append(diags...)
	m.OrganizationID = types.StringValue(q.org)
	m.ProjectID = types.StringValue(q.project)
	m.Branches = list
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// branchesElementFrom maps a described branch to an element. Credentials
// that do not exist yet (404) leave the connection attributes null; any
// other failure to read them is returned.
func branchesElementFrom(org, project string, found *xataapi.BranchWithCredentials) (branchViewModel, error) {
	b := found.Branch
	var full branchDataSourceModel
	switch err := found.CredentialsErr; {
	case xataapi.IsNotFound(err):
		full = branchDataSourceFrom(org, project, b, "", "")
		full.Host, full.Port, full.Username, full.Database = types.StringNull(), types.Int64Null(), types.StringNull(), types.StringNull()
	case err != nil:
		return branchViewModel{}, err
	default:
		conn, err := connectionString(b, found.Credentials, "")
		if err != nil {
			return branchViewModel{}, err
		}
		full = branchDataSourceFrom(org, project, b, found.Credentials.Username, conn)
	}
	return full.branchViewModel, nil
}

// validate checks what needs no API call: the regular expression compiles
// and created_before is a time or a duration. Unknown values are checked
// when they are known.
func (m branchFilterModel) validate() diag.Diagnostics {
	var diags diag.Diagnostics
	if shared.Known(m.NameRegex) {
		if _, err := regexp.Compile(m.NameRegex.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("name_regex"), "Invalid Xata Branch Name Regex",
				fmt.Sprintf("name_regex is not an RE2 regular expression (https://github.com/google/re2/wiki/Syntax): %s. "+
					"Fix it, e.g. \"^sb-\" for names that start with sb-.", err))
		}
	}
	if shared.Known(m.CreatedBefore) {
		if _, err := parseCreatedBefore(m.CreatedBefore.ValueString(), time.Time{}); err != nil {
			diags.AddAttributeError(path.Root("created_before"), "Invalid Xata Branch Created Before",
				fmt.Sprintf("created_before is %q: %s. Set an RFC 3339 time such as \"2026-05-01T00:00:00Z\" or a Go "+
					"duration such as \"72h\" (older than three days).", m.CreatedBefore.ValueString(), err))
		}
	}
	return diags
}

// parseCreatedBefore reads an RFC 3339 time, or a duration meaning that
// long before now.
func parseCreatedBefore(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return time.Time{}, errors.New("it is neither an RFC 3339 time nor a Go duration (units h, m and s; there is no d for days)")
	case d < 0:
		return time.Time{}, errors.New("a duration must not be negative: it means that long ago")
	}
	return now.Add(-d), nil
}

// branchQuery is a validated filter in one organization and project.
type branchQuery struct {
	org, project  string
	nameRegex     *regexp.Regexp // nil: any name
	parentID      string
	parentName    string
	status        string
	createdBefore time.Time // zero: any age
}

// query resolves the scope and parses the filter, with created_before
// relative to now.
func (m branchFilterModel) query(d *shared.ProviderData, now time.Time) (branchQuery, diag.Diagnostics) {
	diags := m.validate()
	org, project, scopeDiags := d.Scope(m.OrganizationID, m.ProjectID)
	diags.Append(scopeDiags...)
	if diags.HasError() {
		return branchQuery{}, diags
	}
	q := branchQuery{
		org: org, project: project,
		parentID: m.ParentID.ValueString(), parentName: m.ParentName.ValueString(), status: m.Status.ValueString(),
	}
	if shared.Known(m.NameRegex) {
		q.nameRegex = regexp.MustCompile(m.NameRegex.ValueString()) // validate compiled it
	}
	if shared.Known(m.CreatedBefore) {
		q.createdBefore, _ = parseCreatedBefore(m.CreatedBefore.ValueString(), now) // validate parsed it
	}
	return q, diags
}

// selectOptions say how much of each matching branch run reads.
type selectOptions struct {
	describe        bool // GET each match (always done when filtering by status)
	withCredentials bool // and read its credentials
	limit           int64
}

// selectedBranch is one match: its list entry and, when described, the
// branch as GET returns it.
type selectedBranch struct {
	listed xataapi.BranchListMetadata
	found  *xataapi.BranchWithCredentials
}

// run lists the project and keeps the matches, sorted by name. What the
// list carries (name, parent, creation time) is filtered first, so only
// those matches are read one by one; status is not in the list, so
// filtering by it reads every candidate. A positive limit keeps the first
// matches by name.
func (q branchQuery) run(ctx context.Context, client *xataapi.Client, site lookupSite, opts selectOptions) ([]selectedBranch, diag.Diagnostics) {
	var diags diag.Diagnostics
	listed, err := client.ListBranches(ctx, q.org, q.project)
	if err != nil {
		diags.AddError(string(site)+": Branch List Failed",
			fmt.Sprintf("Listing the branches of project %s failed; nothing was changed. Check organization_id and "+
				"project_id, that the API key reaches the project with the branch:read scope, and base_url.\n\n%s", q.project, err))
		return nil, diags
	}
	parentID := q.parentID
	if q.parentName != "" {
		i := slices.IndexFunc(listed, func(b xataapi.BranchListMetadata) bool { return b.Name == q.parentName })
		if i < 0 {
			diags.AddAttributeError(path.Root("parent_name"), string(site)+": Parent Branch Not Found",
				fmt.Sprintf("Project %s has no live branch named %q. Names are case-sensitive; to find the children of "+
					"a deleted branch, set parent_id to its id instead.", q.project, q.parentName))
			return nil, diags
		}
		parentID = listed[i].ID
	}
	var out []selectedBranch
	for _, b := range listed {
		switch {
		case q.nameRegex != nil && !q.nameRegex.MatchString(b.Name):
		case parentID != "" && (b.ParentID == nil || *b.ParentID != parentID):
		case !q.createdBefore.IsZero() && !b.CreatedAt.Before(q.createdBefore):
		default:
			out = append(out, selectedBranch{listed: b})
		}
	}
	slices.SortFunc(out, func(a, b selectedBranch) int { return strings.Compare(a.listed.Name, b.listed.Name) })
	if q.status == "" && opts.limit > 0 && int64(len(out)) > opts.limit {
		out = out[:opts.limit]
	}
	if !opts.describe && q.status == "" {
		return out, diags
	}

	ids := make([]string, len(out))
	for i, s := range out {
		ids[i] = s.listed.ID
	}
	found, err := client.LookupBranches(ctx, q.org, q.project, ids, opts.withCredentials)
	if err != nil {
		diags.AddError(string(site)+": Branch Read Failed",
			fmt.Sprintf("Listing project %s worked, but reading one of its %d matching branches failed; nothing was "+
				"changed. Retry, and check that the API key has the branch:read scope.\n\n%s", q.project, len(ids), err))
		return nil, diags
	}
	byID := map[string]*xataapi.BranchWithCredentials{}
	for _, f := range found {
		byID[f.Branch.ID] = f
	}
	kept := out[:0]
	for _, s := range out {
		f := byID[s.listed.ID]
		if f == nil || (q.status != "" && f.Branch.Status.StatusType != q.status) {
			continue // deleted since it was listed, or another status
		}
		s.found = f
		kept = append(kept, s)
	}
	if opts.limit > 0 && int64(len(kept)) > opts.limit {
		kept = kept[:opts.limit]
	}
	return kept, diags
}
