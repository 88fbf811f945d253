package xata

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// projectModel is the Terraform state of xata_project.
type projectModel struct {
	ID             types.String `tfsdk:"id"`
	OrganizationID types.String `tfsdk:"organization_id"`
	Name           types.String `tfsdk:"name"`
	ScaleToZero    types.Object `tfsdk:"scale_to_zero"`
	IPFiltering    types.Object `tfsdk:"ip_filtering"`
	CreatedAt      types.String `tfsdk:"created_at"`
	UpdatedAt      types.String `tfsdk:"updated_at"`
}

// Each half of a project's scale_to_zero has the attributes of a
// branch's (scaleToZeroAttrTypes).
var projectScaleToZeroAttrTypes = map[string]attr.Type{
	"base_branches":  types.ObjectType{AttrTypes: scaleToZeroAttrTypes},
	"child_branches": types.ObjectType{AttrTypes: scaleToZeroAttrTypes},
}

var cidrAttrTypes = map[string]attr.Type{"cidr": types.StringType, "description": types.StringType}

var ipFilteringAttrTypes = map[string]attr.Type{
	"enabled": types.BoolType,
	"cidrs":   types.ListType{ElemType: types.ObjectType{AttrTypes: cidrAttrTypes}},
}

type projectScaleToZeroModel struct {
	BaseBranches  types.Object `tfsdk:"base_branches"`
	ChildBranches types.Object `tfsdk:"child_branches"`
}

type ipFilteringModel struct {
	Enabled types.Bool  `tfsdk:"enabled"`
	CIDRs   []cidrModel `tfsdk:"cidrs"`
}

type cidrModel struct {
	CIDR        types.String `tfsdk:"cidr"`
	Description types.String `tfsdk:"description"`
}

// applyProject copies what the API reports into the model.
func applyProject(m *projectModel, org string, p *xataapi.Project) {
	m.ID = types.StringValue(p.ID)
	m.OrganizationID = types.StringValue(org)
	m.Name = types.StringValue(p.Name)
	stz := p.Configuration.ScaleToZero
	m.ScaleToZero = types.ObjectValueMust(projectScaleToZeroAttrTypes, map[string]attr.Value{
		"base_branches":  scaleToZeroToModel(stz.BaseBranches),
		"child_branches": scaleToZeroToModel(stz.ChildBranches),
	})
	// The server omits ipFiltering when it is off and has no ranges.
	ipf := xataapi.IPFiltering{}
	if p.Configuration.IPFiltering != nil {
		ipf = *p.Configuration.IPFiltering
	}
	cidrs := make([]attr.Value, 0, len(ipf.CIDR))
	for _, c := range ipf.CIDR {
		description := types.StringNull()
		if c.Description != "" {
			description = types.StringValue(c.Description)
		}
		cidrs = append(cidrs, types.ObjectValueMust(cidrAttrTypes, map[string]attr.Value{
			"cidr": types.StringValue(c.CIDR), "description": description,
		}))
	}
	m.IPFiltering = types.ObjectValueMust(ipFilteringAttrTypes, map[string]attr.Value{
		"enabled": types.BoolValue(ipf.Enabled),
		"cidrs":   types.ListValueMust(types.ObjectType{AttrTypes: cidrAttrTypes}, cidrs),
	})
	m.CreatedAt = types.StringValue(p.CreatedAt.UTC().Format(time.RFC3339))
	m.UpdatedAt = types.StringValue(p.UpdatedAt.UTC().Format(time.RFC3339))
}

// projectScaleToZeroFromModel is the API's form of a planned
// scale_to_zero; nil when it is not known. An unset inactivity period is
// sent as 0, for which the API takes its default (30).
func projectScaleToZeroFromModel(ctx context.Context, v types.Object) (*xataapi.ProjectScaleToZero, diag.Diagnostics) {
	if !shared.Known(v) {
		return nil, nil
	}
	var m projectScaleToZeroModel
	diags := v.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	half := func(o types.Object) xataapi.ScaleToZero {
		var h scaleToZeroModel
		diags.Append(o.As(ctx, &h, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true})...)
		return xataapi.ScaleToZero{Enabled: h.Enabled.ValueBool(), InactivityPeriodMinutes: h.InactivityPeriodMinutes.ValueInt64()}
	}
	out := &xataapi.ProjectScaleToZero{BaseBranches: half(m.BaseBranches), ChildBranches: half(m.ChildBranches)}
	return out, diags
}

// ipFilteringFromModel is the API's form of a planned ip_filtering; nil
// when it is not known.
func ipFilteringFromModel(ctx context.Context, v types.Object) (*xataapi.IPFiltering, diag.Diagnostics) {
	if !shared.Known(v) {
		return nil, nil
	}
	var m ipFilteringModel
	diags := v.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	out := &xataapi.IPFiltering{Enabled: m.Enabled.ValueBool(), CIDR: []xataapi.CIDREntry{}}
	for _, c := range m.CIDRs {
		out.CIDR = append(out.CIDR, xataapi.CIDREntry{CIDR: c.CIDR.ValueString(), Description: c.Description.ValueString()})
	}
	return out, diags
}

// projectRequest is what a create (state nil) or an update sends: the name
// and each configuration part the plan knows and, on update, changes.
func projectRequest(ctx context.Context, state *projectModel, plan projectModel) (xataapi.ProjectRequest, diag.Diagnostics) {
	var req xataapi.ProjectRequest
	var diags diag.Diagnostics
	if state == nil || !plan.Name.Equal(state.Name) {
		req.Name = plan.Name.ValueStringPointer()
	}
	var cfg xataapi.ProjectConfigurationUpdate
	if state == nil || !plan.ScaleToZero.Equal(state.ScaleToZero) {
		stz, d := projectScaleToZeroFromModel(ctx, plan.ScaleToZero)
		diags.Append(d...)
		cfg.ScaleToZero = stz
	}
	if state == nil || !plan.IPFiltering.Equal(state.IPFiltering) {
		ipf, d := ipFilteringFromModel(ctx, plan.IPFiltering)
		diags.Append(d...)
		cfg.IPFiltering = ipf
	}
	if cfg.ScaleToZero != nil || cfg.IPFiltering != nil {
		req.Configuration = &cfg
	}
	return req, diags
}
