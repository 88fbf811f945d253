package xata

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

func strMap(kv map[string]string) types.Map {
	vals := map[string]attr.Value{}
	for k, v := range kv {
		vals[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, vals)
}

// baseModel is a state with every optional input null.
func baseModel() branchModel {
	return branchModel{
		branchViewModel: branchViewModel{
			Name: types.StringValue("b"), ParentID: types.StringNull(), Description: types.StringNull(),
			Region: types.StringNull(), InstanceType: types.StringNull(), Image: types.StringNull(),
			Replicas: types.Int64Null(), Database: types.StringNull(),
		},
		ParentName: types.StringNull(), Storage: types.Int64Null(),
		ScaleToZero: types.ObjectNull(scaleToZeroAttrTypes), PostgresParameters: types.MapNull(types.StringType),
		Hibernate: types.BoolNull(),
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateRequest(t *testing.T) {
	ctx := context.Background()
	root := baseModel()
	root.Name = types.StringValue("main")
	root.Region = types.StringValue("us-east-1")
	root.InstanceType = types.StringValue("xata.micro")
	root.Image = types.StringValue("postgres:17.9")
	root.Replicas = types.Int64Value(1)
	root.Storage = types.Int64Value(20)
	root.PostgresParameters = strMap(map[string]string{"max_connections": "50"})

	child := baseModel()
	child.Name = types.StringValue("sb-x")
	child.Description = types.StringValue("PR 1")
	child.InstanceType = types.StringValue("xata.small") // applied after create, not sent
	child.ScaleToZero = scaleToZeroToModel(xataapi.ScaleToZero{Enabled: true, InactivityPeriodMinutes: 15})

	tests := []struct {
		name     string
		model    branchModel
		parentID string
		want     string
	}{
		{"root branch sends its configuration", root, "",
			`{"name":"main","mode":"custom","configuration":{"region":"us-east-1","storage":20,"instanceType":"xata.micro","image":"postgres:17.9","replicas":1,"postgresConfigurationParameters":{"max_connections":"50"}}}`},
		{"child inherits, only metadata is sent", child, "k3v9q0m2p8d4r6t1b5n7c0f2a9",
			`{"name":"sb-x","mode":"inherit","description":"PR 1","parentID":"k3v9q0m2p8d4r6t1b5n7c0f2a9","scaleToZero":{"enabled":true,"inactivityPeriodMinutes":15}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := createRequest(ctx, tc.model, tc.parentID)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s := toJSON(t, got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func TestFollowUpUpdate(t *testing.T) {
	ctx := context.Background()
	storage := int64(10)
	inherited := &xataapi.BranchMetadata{Description: "Adopted", Configuration: xataapi.ClusterConfiguration{
		InstanceType: "xata.micro", Replicas: 0, Storage: &storage,
		PostgresConfigurationParameters: map[string]string{"max_connections": "50", "work_mem": "4MB"},
	}}
	tests := []struct {
		name string
		edit func(*branchModel)
		want string
	}{
		{"nothing configured", func(*branchModel) {}, `{}`},
		{"same as inherited", func(m *branchModel) {
			m.InstanceType = types.StringValue("xata.micro")
			m.Storage = types.Int64Value(10)
			m.Description = types.StringValue("Adopted")
			m.PostgresParameters = strMap(map[string]string{"work_mem": "4MB"})
		}, `{}`},
		{"an adopted branch's description is set", func(m *branchModel) {
			m.Description = types.StringValue("Mine")
		}, `{"description":"Mine"}`},
		{"differences are patched", func(m *branchModel) {
			m.InstanceType = types.StringValue("xata.small")
			m.Replicas = types.Int64Value(2)
			m.Storage = types.Int64Value(30)
			m.PostgresParameters = strMap(map[string]string{"work_mem": "8MB"})
		}, `{"replicas":2,"storage":30,"instanceType":"xata.small","postgresConfigurationParameters":{"work_mem":"8MB"}}`},
		{"a change of instance type takes parameters equal to the old defaults along", func(m *branchModel) {
			m.InstanceType = types.StringValue("xata.small")
			m.PostgresParameters = strMap(map[string]string{"max_connections": "50"})
		}, `{"instanceType":"xata.small","postgresConfigurationParameters":{"max_connections":"50"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := baseModel()
			tc.edit(&m)
			got, diags := followUpUpdate(ctx, m, inherited)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s := toJSON(t, got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func TestUpdateSteps(t *testing.T) {
	ctx := context.Background()
	state := baseModel()
	state.Name = types.StringValue("old")
	state.Description = types.StringValue("Old text")
	state.InstanceType = types.StringValue("xata.micro")
	state.Image = types.StringValue("postgres:17.7")
	state.Replicas = types.Int64Value(0)
	state.Storage = types.Int64Value(10)
	state.ScaleToZero = scaleToZeroToModel(xataapi.ScaleToZero{Enabled: false, InactivityPeriodMinutes: 30})

	tests := []struct {
		name string
		edit func(*branchModel)
		want string
	}{
		{"no change, no call", func(*branchModel) {}, `null`},
		{"rename only", func(m *branchModel) { m.Name = types.StringValue("new") }, `[{"name":"new"}]`},
		{"removing the description clears it", func(m *branchModel) { m.Description = types.StringNull() }, `[{"description":""}]`},
		{"image goes alone and first", func(m *branchModel) {
			m.Image = types.StringValue("postgres:17.9")
			m.InstanceType = types.StringValue("xata.small")
		}, `[{"image":"postgres:17.9"},{"instanceType":"xata.small"}]`},
		{"wake first", func(m *branchModel) {
			m.Hibernate = types.BoolValue(false)
			m.Replicas = types.Int64Value(1)
		}, `[{"replicas":1}]`}, // hibernate=false over null on an awake branch: nothing to wake
		{"hibernate last", func(m *branchModel) {
			m.Hibernate = types.BoolValue(true)
			m.Replicas = types.Int64Value(1)
		}, `[{"replicas":1},{"hibernate":true}]`},
		{"scale to zero", func(m *branchModel) {
			m.ScaleToZero = scaleToZeroToModel(xataapi.ScaleToZero{Enabled: true, InactivityPeriodMinutes: 60})
		}, `[{"scaleToZero":{"enabled":true,"inactivityPeriodMinutes":60}}]`},
		{"unknown computed values are not sent", func(m *branchModel) {
			m.InstanceType = types.StringUnknown()
			m.Storage = types.Int64Unknown()
		}, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := state
			tc.edit(&plan)
			got, diags := updateSteps(ctx, state, plan)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s := toJSON(t, got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}

	t.Run("a change of instance type takes the unchanged parameters along", func(t *testing.T) {
		s := state
		s.PostgresParameters = strMap(map[string]string{"max_connections": "50"})
		p := s
		p.InstanceType = types.StringValue("xata.small")
		got, _ := updateSteps(ctx, s, p)
		if j := toJSON(t, got); j != `[{"instanceType":"xata.small","postgresConfigurationParameters":{"max_connections":"50"}}]` {
			t.Errorf("got %s", j)
		}
	})

	t.Run("false wakes a branch hibernated while hibernate was unset", func(t *testing.T) {
		s := state
		s.Status = types.StringValue(xataapi.StatusHibernated)
		p := s
		p.Hibernate = types.BoolValue(false)
		got, _ := updateSteps(ctx, s, p)
		if j := toJSON(t, got); j != `[{"hibernate":false}]` {
			t.Errorf("got %s", j)
		}
	})

	t.Run("true on a branch already hibernated sends nothing", func(t *testing.T) {
		s := state
		s.Status = types.StringValue(xataapi.StatusHibernated)
		p := s
		p.Hibernate = types.BoolValue(true)
		if got, _ := updateSteps(ctx, s, p); got != nil {
			t.Errorf("got %s", toJSON(t, got))
		}
	})

	t.Run("waking a hibernated branch comes first", func(t *testing.T) {
		s := state
		s.Hibernate = types.BoolValue(true)
		s.Status = types.StringValue(xataapi.StatusHibernated)
		p := s
		p.Hibernate = types.BoolValue(false)
		p.Replicas = types.Int64Value(2)
		got, _ := updateSteps(ctx, s, p)
		if j := toJSON(t, got); j != `[{"hibernate":false},{"replicas":2}]` {
			t.Errorf("got %s", j)
		}
	})
}

func TestManagedParameters(t *testing.T) {
	server := map[string]string{"max_connections": "50", "work_mem": "4MB", "shared_buffers": "128MB"}
	tests := []struct {
		name    string
		managed types.Map
		want    types.Map
	}{
		{"unmanaged stays null", types.MapNull(types.StringType), types.MapNull(types.StringType)},
		{"only managed keys, with the server's values", strMap(map[string]string{"work_mem": "8MB"}), strMap(map[string]string{"work_mem": "4MB"})},
		{"a key the server dropped is dropped", strMap(map[string]string{"gone": "1", "max_connections": "50"}), strMap(map[string]string{"max_connections": "50"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := managedParameters(tc.managed, server); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestConnectionString(t *testing.T) {
	const id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"
	branch := func(conn string) *xataapi.BranchMetadata {
		b := &xataapi.BranchMetadata{ID: id, Region: "us-east-1"}
		if conn != "" {
			b.ConnectionString = &conn
		}
		return b
	}
	ossBranch := branch("postgresql://xata:old@" + id + ".gw.example:7654/xata?sslmode=require&application_name=sb")
	tests := []struct {
		name     string
		branch   *xataapi.BranchMetadata
		creds    xataapi.BranchCredentials
		database string
		want     string
	}{
		{"hosted shape: the URL as returned, with sslmode=require added", branch(""),
			xataapi.BranchCredentials{Username: "xata", Password: "p@ss/word", Hostname: "h.example", Port: 5432, DBName: "xata",
				ConnectionString: "postgresql://xata:p%40ss%2Fword@h.example:5432/xata"},
			"", "postgresql://xata:p%40ss%2Fword@h.example:5432/xata?sslmode=require"},
		{"database overrides the path and keeps the parameters", branch(""),
			xataapi.BranchCredentials{Username: "xata", Password: "pw", ConnectionString: "postgresql://xata:pw@h.example:5432/xata?sslmode=verify-full"},
			"app", "postgresql://xata:pw@h.example:5432/app?sslmode=verify-full"},
		{"open-source shape: host, port, database and every parameter from the branch", ossBranch,
			xataapi.BranchCredentials{Username: "xata", Password: "new"},
			"", "postgresql://xata:new@" + id + ".gw.example:7654/xata?sslmode=require&application_name=sb"},
		{"open-source shape: the branch's sslmode is kept", branch("postgresql://xata:pw@127.0.0.1:5999/xata_db?sslmode=disable"),
			xataapi.BranchCredentials{Username: "xata", Password: "pw"},
			"", "postgresql://xata:pw@127.0.0.1:5999/xata_db?sslmode=disable"},
		{"hosted URL without sslmode takes the branch's", branch("postgresql://xata:pw@h.example/xata?sslmode=verify-ca"),
			xataapi.BranchCredentials{Username: "xata", Password: "pw", ConnectionString: "postgresql://xata:pw@h.example:5432/xata"},
			"", "postgresql://xata:pw@h.example:5432/xata?sslmode=verify-ca"},
		{"host, port and dbname without any URL", branch(""),
			xataapi.BranchCredentials{Username: "u", Password: "pw", Hostname: "127.0.0.1", Port: 6543, DBName: "db1"},
			"", "postgresql://u:pw@127.0.0.1:6543/db1?sslmode=require"},
		{"the credentials' host wins over the branch's", ossBranch,
			xataapi.BranchCredentials{Username: "xata", Password: "pw", Hostname: "direct.example", Port: 5432},
			"", "postgresql://xata:pw@direct.example:5432/xata?sslmode=require&application_name=sb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := connectionString(tc.branch, &tc.creds, tc.database)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	for name, tc := range map[string]struct {
		branch *xataapi.BranchMetadata
		creds  xataapi.BranchCredentials
		want   string
	}{
		// The April spec's shape, against a branch not yet provisioned:
		// there is no host to be had, and none is made up.
		"no host anywhere":             {branch(""), xataapi.BranchCredentials{Username: "xata", Password: "pw"}, "named no host"},
		"credentials URL without host": {branch(""), xataapi.BranchCredentials{ConnectionString: "not a url"}, "credentials is not a postgresql:// URL"},
		"branch URL without host":      {branch("nope"), xataapi.BranchCredentials{Password: "pw"}, "branch's connectionString is not"},
	} {
		if _, err := connectionString(tc.branch, &tc.creds, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error saying %q", name, err, tc.want)
		}
	}
}

func TestImageMajor(t *testing.T) {
	tests := []struct{ image, offering, major string }{
		{"postgres:17.9", "postgres", "17"},
		{"postgres:18", "postgres", "18"},
		{"analytics:17.2", "analytics", "17"},
	}
	for _, tc := range tests {
		o, m := imageMajor(tc.image)
		if o != tc.offering || m != tc.major {
			t.Errorf("imageMajor(%q) = %q, %q; want %q, %q", tc.image, o, m, tc.offering, tc.major)
		}
	}
}

func TestParseBranchImportID(t *testing.T) {
	tests := []struct {
		id                string
		org, project, ref string
		wantErr           bool
	}{
		{id: "main", ref: "main"},
		{id: "abc123/prj_x/k3v9q0m2p8d4r6t1b5n7c0f2a9", org: "abc123", project: "prj_x", ref: "k3v9q0m2p8d4r6t1b5n7c0f2a9"},
		{id: "a/b", wantErr: true},
		{id: "/prj/b", wantErr: true},
		{id: "a/b/", wantErr: true},
		{id: "", wantErr: true},
	}
	for _, tc := range tests {
		org, project, ref, err := parseBranchImportID(tc.id)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, wantErr %v", tc.id, err, tc.wantErr)
			continue
		}
		if org != tc.org || project != tc.project || ref != tc.ref {
			t.Errorf("%q: got %q %q %q", tc.id, org, project, ref)
		}
	}
}

// TestCreateFailureDetail: each way a create fails gets the advice that
// fits, and the API's words.
func TestCreateFailureDetail(t *testing.T) {
	conflict := &xataapi.APIError{StatusCode: 409, Message: "branch [pr-1] already exists", RequestID: "req_1"}
	unknown := fmt.Errorf("branch %q may have been created (%w): %w", "pr-1", xataapi.ErrCreateOutcomeUnknown, context.DeadlineExceeded)
	refused := &xataapi.APIError{StatusCode: 400, Message: "invalid region", RequestID: "req_2"}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"conflict", conflict, []string{"already exists", "terraform import xata_branch.<name> o/prj_x/pr-1", `id = "o/prj_x/pr-1"`, "adopt_existing", "req_1"}},
		{"unknown outcome", unknown, []string{"may exist", "xata branch list", "adopt_existing", "import xata_branch.<name> o/prj_x/pr-1", "deadline exceeded"}},
		{"refused", refused, []string{"nothing was created", "invalid region", "req_2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := createFailureDetail("pr-1", "o", "prj_x", tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestApplyBranchNullsWhatTheAPIOmits(t *testing.T) {
	m := baseModel()
	applyBranch(&m, &xataapi.BranchMetadata{ID: "b", Name: "b"}, types.MapNull(types.StringType))
	if !m.Description.IsNull() || !m.Storage.IsNull() || !m.ParentID.IsNull() {
		t.Errorf("empty description, no storage and no parent must be null: %v %v %v", m.Description, m.Storage, m.ParentID)
	}
	storage := int64(25)
	parent := "p"
	applyBranch(&m, &xataapi.BranchMetadata{ID: "b", Name: "b", Description: "Text", ParentID: &parent,
		Configuration: xataapi.ClusterConfiguration{Storage: &storage}}, types.MapNull(types.StringType))
	if m.Description.ValueString() != "Text" || m.Storage.ValueInt64() != 25 || m.ParentID.ValueString() != "p" {
		t.Errorf("got %v %v %v", m.Description, m.Storage, m.ParentID)
	}
}

func TestApplyCredentialsRefusesABadConnectionString(t *testing.T) {
	m := baseModel()
	before := m
	err := applyCredentials(&m, &xataapi.BranchMetadata{ID: "b"}, &xataapi.BranchCredentials{Username: "xata", Password: "pw", ConnectionString: "::not a url"})
	if err == nil || strings.Contains(err.Error(), "pw") {
		t.Fatalf("want an error that does not repeat the password, got %v", err)
	}
	if !m.Password.Equal(before.Password) || !m.ConnectionString.Equal(before.ConnectionString) {
		t.Error("a refused connection string must leave the model alone")
	}
}

func TestGrowOnly(t *testing.T) {
	for _, tc := range []struct {
		state, plan int64
		wantErr     bool
	}{{10, 10, false}, {10, 20, false}, {20, 10, true}} {
		resp := &planmodifier.Int64Response{PlanValue: types.Int64Value(tc.plan)}
		growOnly{}.PlanModifyInt64(context.Background(), planmodifier.Int64Request{
			Path: path.Root("storage"), StateValue: types.Int64Value(tc.state), PlanValue: types.Int64Value(tc.plan),
		}, resp)
		if resp.Diagnostics.HasError() != tc.wantErr {
			t.Errorf("%d GiB -> %d GiB: error %v, want %v", tc.state, tc.plan, resp.Diagnostics, tc.wantErr)
		}
	}
}

// TestImageNeedsReplace: a minor upgrade is made in place; another
// offering or major version replaces the branch.
func TestImageNeedsReplace(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		replace  bool
	}{
		{"postgres:17.7", "postgres:17.9", false},
		{"postgres:17.9", "postgres:18.1", true},
		{"postgres:17.9", "analytics:17.9", true},
		{"postgres:17", "postgres:17.2", false},
	} {
		var resp stringplanmodifier.RequiresReplaceIfFuncResponse
		imageNeedsReplace(context.Background(), planmodifier.StringRequest{
			StateValue: types.StringValue(tc.from), PlanValue: types.StringValue(tc.to),
		}, &resp)
		if resp.RequiresReplace != tc.replace {
			t.Errorf("%s -> %s: replace %v, want %v", tc.from, tc.to, resp.RequiresReplace, tc.replace)
		}
	}
}

// TestNullUnknownsLeavesNoUnknown: from a state whose every attribute is
// unknown, nullUnknowns leaves none, at any depth of the model (the
// resource's own fields and the view it embeds alike).
func TestNullUnknownsLeavesNoUnknown(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&branchResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	objType, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T, not an object", sr.Schema.Type().TerraformType(ctx))
	}
	unknowns := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		unknowns[name] = tftypes.NewValue(typ, tftypes.UnknownValue)
	}
	state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(objType, unknowns)}
	var m branchModel
	if diags := state.Get(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	if diags := state.Set(ctx, nullUnknowns(ctx, m)); diags.HasError() {
		t.Fatal(diags)
	}
	var values map[string]tftypes.Value
	if err := state.Raw.As(&values); err != nil {
		t.Fatal(err)
	}
	for name, v := range values {
		if !v.IsFullyKnown() {
			t.Errorf("%s is still unknown", name)
		}
	}
}
