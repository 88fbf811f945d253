package xata

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// branchModel is the Terraform state of xata_branch.
type branchModel struct {
	// branchViewModel holds what the data sources show of a branch too,
	// defined once for all three.
	branchViewModel
	ParentName         types.String   `tfsdk:"parent_name"`
	Storage            types.Int64    `tfsdk:"storage"`
	ScaleToZero        types.Object   `tfsdk:"scale_to_zero"`
	PostgresParameters types.Map      `tfsdk:"postgres_parameters"`
	Hibernate          types.Bool     `tfsdk:"hibernate"`
	AdoptExisting      types.Bool     `tfsdk:"adopt_existing"`
	StoreCredentials   types.Bool     `tfsdk:"store_credentials"`
	UpdatedAt          types.String   `tfsdk:"updated_at"`
	PublicAccess       types.Bool     `tfsdk:"public_access"`
	Password           types.String   `tfsdk:"password"`
	ConnectionString   types.String   `tfsdk:"connection_string"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// scaleToZeroAttrTypes is the object type of scale_to_zero.
var scaleToZeroAttrTypes = map[string]attr.Type{
	"enabled":                   types.BoolType,
	"inactivity_period_minutes": types.Int64Type,
}

type scaleToZeroModel struct {
	Enabled                 types.Bool  `tfsdk:"enabled"`
	InactivityPeriodMinutes types.Int64 `tfsdk:"inactivity_period_minutes"`
}

// nullUnknowns turns every unknown in a model into null, so that a partial
// state saved before an error holds no unknown values. It walks the
// struct, so a new attribute cannot be forgotten.
func nullUnknowns(ctx context.Context, m branchModel) branchModel {
	v := reflect.ValueOf(&m).Elem()
	for _, sf := range reflect.VisibleFields(v.Type()) {
		if sf.Anonymous {
			continue // the embedded view: its fields come next
		}
		f := v.FieldByIndex(sf.Index)
		val, ok := f.Interface().(attr.Value)
		if !ok || !val.IsUnknown() {
			continue
		}
		typ := val.Type(ctx)
		null, err := typ.ValueFromTerraform(ctx, tftypes.NewValue(typ.TerraformType(ctx), nil))
		if err != nil {
			panic(fmt.Sprintf("null of %s: %v", typ, err)) // every framework type has a null
		}
		f.Set(reflect.ValueOf(null))
	}
	return m
}

func scaleToZeroFromModel(ctx context.Context, v types.Object) (*xataapi.ScaleToZero, diag.Diagnostics) {
	if !shared.Known(v) {
		return nil, nil
	}
	var m scaleToZeroModel
	diags := v.As(ctx, &m, basetypes.ObjectAsOptions{})
	if diags.HasError() {
		return nil, diags
	}
	s := &xataapi.ScaleToZero{Enabled: m.Enabled.ValueBool(), InactivityPeriodMinutes: 30}
	if shared.Known(m.InactivityPeriodMinutes) {
		s.InactivityPeriodMinutes = m.InactivityPeriodMinutes.ValueInt64()
	}
	return s, diags
}

func scaleToZeroToModel(s xataapi.ScaleToZero) types.Object {
	return types.ObjectValueMust(scaleToZeroAttrTypes, map[string]attr.Value{
		"enabled":                   types.BoolValue(s.Enabled),
		"inactivity_period_minutes": types.Int64Value(s.InactivityPeriodMinutes),
	})
}

func stringMap(ctx context.Context, v types.Map) (map[string]string, diag.Diagnostics) {
	if !shared.Known(v) {
		return nil, nil
	}
	out := map[string]string{}
	diags := v.ElementsAs(ctx, &out, false)
	return out, diags
}

// createRequest translates the plan into the API's BranchCreationDetails.
// parentID is the resolved parent for a child branch, "" for a root one.
// A child inherits its cluster settings, so those are applied by a PATCH
// after creation (followUpUpdate), as the xata CLI does.
func createRequest(ctx context.Context, m branchModel, parentID string) (xataapi.CreateBranchRequest, diag.Diagnostics) {
	req := xataapi.CreateBranchRequest{
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
	}
	s2z, diags := scaleToZeroFromModel(ctx, m.ScaleToZero)
	req.ScaleToZero = s2z
	if parentID != "" {
		req.Mode = xataapi.ModeInherit
		req.ParentID = parentID
		return req, diags
	}
	params, d := stringMap(ctx, m.PostgresParameters)
	diags.Append(d...)
	req.Mode = xataapi.ModeCustom
	req.Configuration = &xataapi.ClusterConfiguration{
		Region:                          m.Region.ValueString(),
		InstanceType:                    m.InstanceType.ValueString(),
		Image:                           m.Image.ValueString(),
		Replicas:                        m.Replicas.ValueInt64(),
		PostgresConfigurationParameters: params,
	}
	if shared.Known(m.Storage) {
		storage := m.Storage.ValueInt64()
		req.Configuration.Storage = &storage
	}
	return req, diags
}

// followUpUpdate is the PATCH that brings a freshly created (or adopted)
// branch to the planned settings the create call could not carry:
// everything a child inherits, and storage, which the API ignores on create.
func followUpUpdate(ctx context.Context, plan branchModel, b *xataapi.BranchMetadata) (xataapi.UpdateBranchRequest, diag.Diagnostics) {
	var req xataapi.UpdateBranchRequest
	var diags diag.Diagnostics
	// Equal after a plain create; an adopted branch may differ.
	if shared.Known(plan.Description) && plan.Description.ValueString() != b.Description {
		req.Description = plan.Description.ValueStringPointer()
	}
	if shared.Known(plan.ScaleToZero) {
		s2z, d := scaleToZeroFromModel(ctx, plan.ScaleToZero)
		diags.Append(d...)
		if s2z != nil && *s2z != b.ScaleToZero {
			req.ScaleToZero = s2z
		}
	}
	cfg := b.Configuration
	if shared.Known(plan.InstanceType) && plan.InstanceType.ValueString() != cfg.InstanceType {
		req.InstanceType = plan.InstanceType.ValueStringPointer()
	}
	if shared.Known(plan.Replicas) && plan.Replicas.ValueInt64() != cfg.Replicas {
		req.Replicas = plan.Replicas.ValueInt64Pointer()
	}
	if shared.Known(plan.Storage) && (cfg.Storage == nil || plan.Storage.ValueInt64() != *cfg.Storage) {
		req.Storage = plan.Storage.ValueInt64Pointer()
	}
	params, d := stringMap(ctx, plan.PostgresParameters)
	diags.Append(d...)
	// The server reports parameters merged with defaults that follow the
	// instance type: a planned value equal to today's default is only kept
	// through a change of instance type if it is sent with it.
	for k, v := range params {
		if req.InstanceType != nil || cfg.PostgresConfigurationParameters[k] != v {
			req.PostgresConfigurationParameters = params
			break
		}
	}
	return req, diags
}

// updateSteps translates a plan/state difference into the PATCH calls to
// make, in order. The API refuses an image change combined with instance
// type or parameters, so the image goes alone and first; hibernation is its
// own step so that a branch is woken before and put to sleep after any
// cluster change.
func updateSteps(ctx context.Context, state, plan branchModel) ([]xataapi.UpdateBranchRequest, diag.Diagnostics) {
	var steps []xataapi.UpdateBranchRequest
	var diags diag.Diagnostics

	// Compared with the branch's last read status too: a branch hibernated
	// while hibernate was unset must still be woken when it turns false.
	isHibernated := state.Status.ValueString() == xataapi.StatusHibernated
	hibernateChanged := shared.Known(plan.Hibernate) && !plan.Hibernate.Equal(state.Hibernate) &&
		plan.Hibernate.ValueBool() != isHibernated
	if hibernateChanged && !plan.Hibernate.ValueBool() {
		steps = append(steps, xataapi.UpdateBranchRequest{Hibernate: plan.Hibernate.ValueBoolPointer()})
	}

	if changed(plan.Image, state.Image) {
		steps = append(steps, xataapi.UpdateBranchRequest{Image: plan.Image.ValueStringPointer()})
	}

	var req xataapi.UpdateBranchRequest
	if changed(plan.Name, state.Name) {
		req.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) && !plan.Description.IsUnknown() {
		d := plan.Description.ValueString() // null clears it: the API takes "" for that
		req.Description = &d
	}
	if changed(plan.InstanceType, state.InstanceType) {
		req.InstanceType = plan.InstanceType.ValueStringPointer()
	}
	if changed(plan.Replicas, state.Replicas) {
		req.Replicas = plan.Replicas.ValueInt64Pointer()
	}
	if changed(plan.Storage, state.Storage) {
		req.Storage = plan.Storage.ValueInt64Pointer()
	}
	if changed(plan.ScaleToZero, state.ScaleToZero) {
		s2z, d := scaleToZeroFromModel(ctx, plan.ScaleToZero)
		diags.Append(d...)
		req.ScaleToZero = s2z
	}
	// A change of instance type changes the parameters' defaults, so the
	// managed ones go with it: one never sent (equal to the default when
	// a child was created) would otherwise follow the new type.
	if shared.Known(plan.PostgresParameters) && (!plan.PostgresParameters.Equal(state.PostgresParameters) || req.InstanceType != nil) {
		params, d := stringMap(ctx, plan.PostgresParameters)
		diags.Append(d...)
		if len(params) > 0 {
			req.PostgresConfigurationParameters = params
		}
	}
	if !req.IsEmpty() {
		steps = append(steps, req)
	}

	if hibernateChanged && plan.Hibernate.ValueBool() {
		steps = append(steps, xataapi.UpdateBranchRequest{Hibernate: plan.Hibernate.ValueBoolPointer()})
	}
	return steps, diags
}

// changed reports whether a planned value is known and differs from state.
func changed(plan, state attr.Value) bool {
	return shared.Known(plan) && !plan.Equal(state)
}

// changesCluster reports whether a PATCH reconfigures the cluster, which the
// API applies asynchronously (the branch goes TRANSIENT, then HEALTHY).
func changesCluster(req xataapi.UpdateBranchRequest) bool {
	return req.Replicas != nil || req.Storage != nil || req.InstanceType != nil || req.Image != nil ||
		req.PostgresConfigurationParameters != nil || req.PreloadLibraries != nil || req.Hibernate != nil
}

// applyBranch copies what the API reports into the model. Only the
// postgres_parameters keys the user manages (those in managed) are kept,
// because the API returns every parameter merged with its defaults.
func applyBranch(m *branchModel, b *xataapi.BranchMetadata, managed types.Map) {
	m.setBranchFacts(b)
	m.Storage = types.Int64Null()
	if b.Configuration.Storage != nil {
		m.Storage = types.Int64Value(*b.Configuration.Storage)
	}
	m.ScaleToZero = scaleToZeroToModel(b.ScaleToZero)
	m.PostgresParameters = managedParameters(managed, b.Configuration.PostgresConfigurationParameters)
	m.UpdatedAt = types.StringValue(b.UpdatedAt.UTC().Format(time.RFC3339))
	m.PublicAccess = types.BoolValue(b.PublicAccess)
}

// managedParameters filters the server's parameters down to the keys the
// user set. A key the server no longer reports is dropped, so the next plan
// sets it again.
func managedParameters(managed types.Map, server map[string]string) types.Map {
	if !shared.Known(managed) {
		return types.MapNull(types.StringType)
	}
	out := map[string]attr.Value{}
	for k := range managed.Elements() {
		if v, ok := server[k]; ok {
			out[k] = types.StringValue(v)
		}
	}
	return types.MapValueMust(types.StringType, out)
}

// applyCredentials sets the connection attributes from the credentials
// endpoint. database overrides the database in the returned URL. Unless
// the model stores credentials, only the parts without a secret are set.
func applyCredentials(m *branchModel, b *xataapi.BranchMetadata, c *xataapi.BranchCredentials) error {
	conn, err := connectionString(b, c, m.Database.ValueString())
	if err != nil {
		return err
	}
	host, port, database := connectionParts(conn)
	m.Host = types.StringValue(host)
	m.Port = types.Int64Value(port)
	m.Database = types.StringValue(database)
	m.Username = types.StringValue(c.Username)
	m.Password = types.StringValue(c.Password)
	m.ConnectionString = types.StringValue(conn)
	if !storesCredentials(m.StoreCredentials) {
		m.Username, m.Password, m.ConnectionString = types.StringNull(), types.StringNull(), types.StringNull()
	}
	return nil
}

// storesCredentials reports whether store_credentials asks for credentials
// in state: unless it is false.
func storesCredentials(v types.Bool) bool { return !v.Equal(types.BoolValue(false)) }

// connectionParts splits a URL built by connectionString into host, port
// (5432, libpq's default, when the URL names none) and database.
func connectionParts(conn string) (host string, port int64, database string) {
	u, _ := url.Parse(conn) // connectionString only returns parseable URLs
	port, err := strconv.ParseInt(u.Port(), 10, 64)
	if err != nil {
		port = 5432
	}
	return u.Hostname(), port, strings.TrimPrefix(u.Path, "/")
}

// connectionString builds the branch's URL from what the server returned,
// never from a naming pattern; it is the one place connection details are
// derived. The credentials always give user and password. The hosted API
// adds host, port, database and a URL without sslmode (NOTES §2.5, the
// August spec); the open-source server gives only user and password, and
// the rest is in the branch's own connectionString (with sslmode=require).
// The URL keeps every query parameter the server sent; without an sslmode
// in either, it asks for require, as Xata serves TLS only. database, if
// set, replaces the server's database.
func connectionString(b *xataapi.BranchMetadata, c *xataapi.BranchCredentials, database string) (string, error) {
	parse := func(what, raw string) (*url.URL, error) {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("the %s is not a postgresql:// URL with a host", what)
		}
		return u, nil
	}
	var fromCreds, fromBranch *url.URL
	var err error
	if c.ConnectionString != "" {
		if fromCreds, err = parse("connection string of the credentials", c.ConnectionString); err != nil {
			return "", err
		}
	}
	if b != nil && b.ConnectionString != nil && *b.ConnectionString != "" {
		if fromBranch, err = parse("branch's connectionString", *b.ConnectionString); err != nil {
			return "", err
		}
	}
	base := cmp.Or(fromCreds, fromBranch)
	host, port, dbname := c.Hostname, "", c.DBName
	if c.Port != 0 {
		port = strconv.FormatInt(c.Port, 10)
	}
	if base != nil {
		host, port = cmp.Or(host, base.Hostname()), cmp.Or(port, base.Port())
		dbname = cmp.Or(dbname, strings.TrimPrefix(base.Path, "/"))
	}
	if host == "" {
		return "", fmt.Errorf("the server named no host for the branch: its credentials carry none, and the branch has " +
			"no connectionString yet")
	}
	u := &url.URL{Scheme: "postgresql", Host: host, Path: "/" + cmp.Or(database, dbname)}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	}
	if base != nil {
		u.Scheme = base.Scheme
		u.RawQuery = base.RawQuery
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "require")
		if fromBranch != nil && fromBranch.Query().Get("sslmode") != "" {
			q.Set("sslmode", fromBranch.Query().Get("sslmode"))
		}
		u.RawQuery = q.Encode()
	}
	user := c.Username
	if user == "" && base != nil {
		user = base.User.Username()
	}
	u.User = url.UserPassword(user, c.Password)
	return u.String(), nil
}

// imageMajor splits "postgres:17.9" into offering "postgres" and major "17".
func imageMajor(image string) (offering, major string) {
	offering, version, _ := strings.Cut(image, ":")
	major, _, _ = strings.Cut(version, ".")
	return offering, major
}
