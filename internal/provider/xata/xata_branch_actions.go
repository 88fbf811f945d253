package xata

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var (
	_ action.Action                   = (*branchAction)(nil)
	_ action.ActionWithConfigure      = (*branchAction)(nil)
	_ action.ActionWithValidateConfig = (*branchAction)(nil)
)

// defaultActionTimeout bounds an action without a timeout of its own, as
// defaultUpdateTimeout bounds a resource's hibernation.
const defaultActionTimeout = 20 * time.Minute

// actionUsage is how every action is invoked, for its description.
const actionUsage = "\n\nInvoke it with `terraform apply -invoke=action.%[1]s.<name>`, or from a resource's " +
	"`lifecycle { action_trigger { events = [...] actions = [action.%[1]s.<name>] } }` (Terraform 1.14 and later; " +
	"OpenTofu, as of 1.12, has no actions). Progress is reported while it waits."

// NewBranchHibernateAction is the xata_branch_hibernate action.
func NewBranchHibernateAction() action.Action {
	return &branchAction{
		suffix: "_branch_hibernate",
		site:   "Xata Branch Hibernate Action",
		description: "Hibernates a Xata branch (compute stops, storage stays and is all that is billed) and waits until " +
			"it reports `STATUS_TYPE_HIBERNATED`. A branch that is hibernated already is left alone. A `xata_branch` " +
			"with `hibernate` unset (the default) does not see this as drift, and leaves the branch hibernated.",
		run: hibernateBranch,
	}
}

// NewBranchWakeAction is the xata_branch_wake action.
func NewBranchWakeAction() action.Action {
	return &branchAction{
		suffix: "_branch_wake",
		site:   "Xata Branch Wake Action",
		description: "Wakes a hibernated Xata branch and waits until it is healthy. Waking a branch that is awake does " +
			"nothing and says so; a branch that is neither (still starting, or changing) is waited for.",
		run: wakeBranch,
	}
}

// NewBranchRotateCredentialsAction is the xata_branch_rotate_credentials
// action.
func NewBranchRotateCredentialsAction() action.Action {
	return &branchAction{
		suffix: "_branch_rotate_credentials",
		site:   "Xata Branch Rotate Credentials Action",
		description: "Gives a Xata branch's `xata` user a new password (the API's credentials rotate endpoint) and waits " +
			"until the new credentials can be read. Open connections survive; new ones need the new password, which " +
			"`xata_branch` records at its next refresh (e.g. `terraform apply -refresh-only`) and the " +
			"`xata_branch_credentials` ephemeral resource reads the next time it is opened.",
		run: rotateBranchCredentials,
	}
}

// branchAction is one of the actions on an existing branch; they differ
// only in what they do once the branch is found.
type branchAction struct {
	data        *shared.ProviderData
	suffix      string
	site        lookupSite
	description string
	run         func(ctx context.Context, r *actionRun) diag.Diagnostics
}

type branchActionModel struct {
	BranchID       types.String `tfsdk:"branch_id"`
	OrganizationID types.String `tfsdk:"organization_id"`
	ProjectID      types.String `tfsdk:"project_id"`
	Timeout        types.String `tfsdk:"timeout"`
}

// actionRun is one invocation on a branch that exists.
type actionRun struct {
	client       *xataapi.Client
	org, project string
	branch       *xataapi.BranchMetadata // as read before acting
	wait         xataapi.WaitOptions     // reports each status change as progress
	progress     func(format string, args ...any)
}

// name says which branch, in progress messages and errors.
func (r *actionRun) name() string { return fmt.Sprintf("%q (%s)", r.branch.Name, r.branch.ID) }

func (a *branchAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + a.suffix
}

func (a *branchAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: a.description + fmt.Sprintf(actionUsage, "xata"+a.suffix) + " " +
			scopesSentence("action.xata"+a.suffix),
		Attributes: map[string]schema.Attribute{
			"branch_id": schema.StringAttribute{
				MarkdownDescription: "Id of the branch, e.g. `xata_branch.pr.id` or an element's `id` from the " +
					"`xata_branches` data source. A branch that does not exist is an error.",
				Required: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(xataapi.BranchIDPattern, "must be a Xata branch id (26 characters of 0-9 and a-v, starting with a letter), such as xata_branch.<name>.id"),
				},
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Organization of the branch. Defaults to the provider's `organization_id`.",
				Optional:            true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the branch. Defaults to the provider's `project_id`.",
				Optional:            true,
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long the action may take, waiting included: a positive duration "+
					"such as `10m`. Default `%dm`.", int(defaultActionTimeout.Minutes())),
				Optional: true,
			},
		},
	}
}

func (a *branchAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	data, diags := shared.ProviderDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	a.data = data
}

// ValidateConfig refuses a timeout that is not a positive duration before
// anything runs.
func (a *branchAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m branchActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !shared.Known(m.Timeout) {
		return
	}
	if d, err := time.ParseDuration(m.Timeout.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid Xata Branch Action Timeout",
			fmt.Sprintf("timeout is %q, which is not a positive duration. Set one such as \"10m\" or \"1h\", or remove it "+
				"to wait up to %d minutes.", m.Timeout.ValueString(), int(defaultActionTimeout.Minutes())))
	}
}

func (a *branchAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m branchActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := a.data.XataClient()
	resp.Diagnostics.Append(diags...)
	org, project, diags := a.data.Scope(m.OrganizationID, m.ProjectID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := defaultActionTimeout
	if shared.Known(m.Timeout) {
		timeout, _ = time.ParseDuration(m.Timeout.ValueString()) // ValidateConfig parsed it
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = tflog.SetField(ctx, "branch_id", m.BranchID.ValueString())

	found, diags := lookupBranch(ctx, client, a.site, path.Root("branch_id"), org, project, xataapi.BranchRef{ID: m.BranchID.ValueString()}, false)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run := &actionRun{client: client, org: org, project: project, branch: found.Branch}
	run.progress = func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Debug(ctx, "xata branch action progress", map[string]any{"message": msg})
		resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}
	run.wait = a.data.Wait
	last := ""
	run.wait.OnPoll = func(b *xataapi.BranchMetadata) {
		s := b.Status
		now := fmt.Sprintf("%s (%q), %d of %d instances ready", s.StatusType, s.Status, s.InstanceReadyCount, s.InstanceCount)
		if now != last { // one message per change, not per poll
			last = now
			run.progress("Branch %s: %s.", run.name(), now)
		}
	}
	resp.Diagnostics.Append(a.run(ctx, run)...)
}

func hibernateBranch(ctx context.Context, r *actionRun) diag.Diagnostics {
	var diags diag.Diagnostics
	if r.branch.Status.StatusType == xataapi.StatusHibernated {
		r.progress("Branch %s is hibernated already; nothing to do.", r.name())
		return diags
	}
	r.progress("Hibernating branch %s.", r.name())
	hibernate := true
	if _, err := r.client.UpdateBranch(ctx, r.org, r.project, r.branch.ID, xataapi.UpdateBranchRequest{Hibernate: &hibernate}); err != nil {
		diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Hibernation Refused",
			fmt.Sprintf("The API refused to hibernate branch %s; nothing changed. Check that the API key has the "+
				"branch:write scope, and retry.\n\n%s", r.name(), err))
		return diags
	}
	if _, err := r.client.WaitForBranch(ctx, r.org, r.project, r.branch.ID, xataapi.TargetHibernated, r.wait); err != nil {
		diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Did Not Hibernate",
			fmt.Sprintf("Branch %s accepted hibernation but did not report it in time; invoke the action again to keep "+
				"waiting, or raise timeout.\n\n%s", r.name(), err))
		return diags
	}
	r.progress("Branch %s is hibernated.", r.name())
	return diags
}

func wakeBranch(ctx context.Context, r *actionRun) diag.Diagnostics {
	var diags diag.Diagnostics
	switch s := r.branch.Status; {
	case s.StatusType == xataapi.StatusHealthy && s.InstanceReadyCount >= 1:
		r.progress("Branch %s is awake already; nothing to do.", r.name())
		return diags
	case s.StatusType == xataapi.StatusHibernated:
		r.progress("Waking branch %s.", r.name())
		hibernate := false
		if _, err := r.client.UpdateBranch(ctx, r.org, r.project, r.branch.ID, xataapi.UpdateBranchRequest{Hibernate: &hibernate}); err != nil {
			diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Wake Refused",
				fmt.Sprintf("The API refused to wake branch %s; nothing changed. Check that the API key has the "+
					"branch:write scope, and retry.\n\n%s", r.name(), err))
			return diags
		}
	default:
		r.progress("Branch %s is not hibernated but %s (%q); waiting for it to become healthy.", r.name(), s.StatusType, s.Status)
	}
	if _, err := r.client.WaitForBranch(ctx, r.org, r.project, r.branch.ID, xataapi.TargetHealthy, r.wait); err != nil {
		diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Did Not Wake",
			fmt.Sprintf("Branch %s did not become healthy in time; invoke the action again to keep waiting, or raise "+
				"timeout.\n\n%s", r.name(), err))
		return diags
	}
	r.progress("Branch %s is awake.", r.name())
	return diags
}

func rotateBranchCredentials(ctx context.Context, r *actionRun) diag.Diagnostics {
	var diags diag.Diagnostics
	// The credentials exist once the branch has come up; until then there
	// is nothing to rotate.
	if !xataapi.BranchReached(r.branch, xataapi.TargetSettled, false) {
		r.progress("Branch %s is %s; waiting for it to settle before rotating.", r.name(), r.branch.Status.StatusType)
		if _, err := r.client.WaitForBranch(ctx, r.org, r.project, r.branch.ID, xataapi.TargetSettled, r.wait); err != nil {
			diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Not Ready For Rotation",
				fmt.Sprintf("Branch %s did not settle in time, so its password was not rotated. Invoke the action "+
					"again once it is healthy, or raise timeout.\n\n%s", r.name(), err))
			return diags
		}
	}
	r.progress("Rotating the password of branch %s.", r.name())
	if err := r.client.RotateBranchCredentials(ctx, r.org, r.project, r.branch.ID); err != nil {
		detail := "Retry; the old password still works."
		if status := xataapi.StatusOf(err); status == http.StatusUnauthorized || status == http.StatusForbidden {
			detail = "Check that the API key has the credentials:write scope; the old password still works."
		}
		diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Credential Rotation Failed",
			fmt.Sprintf("Rotating the password of branch %s failed. %s\n\n%s", r.name(), detail, err))
		return diags
	}
	r.progress("Password of branch %s rotated; waiting for the new credentials to be readable.", r.name())
	if _, err := r.client.WaitForCredentials(ctx, r.org, r.project, r.branch.ID, r.wait); err != nil {
		diags.AddAttributeError(path.Root("branch_id"), "Xata Branch Rotated Credentials Unavailable",
			fmt.Sprintf("The password of branch %s was rotated, but the new credentials could not be read yet. They "+
				"usually appear within a minute: refresh xata_branch later (terraform apply -refresh-only) rather than "+
				"rotating again.\n\n%s", r.name(), err))
		return diags
	}
	r.progress("New credentials of branch %s are readable: xata_branch records them at its next refresh, "+
		"xata_branch_credentials reads them when next opened.", r.name())
	return diags
}
