package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestBranchCodecMatchesTheFramework: getBranch and setBranch read and
// write exactly what the framework's State.Get and State.Set do, for full,
// empty and partly unknown values.
func TestBranchCodecMatchesTheFramework(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&branchResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	timeoutTypes := map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType}

	full := baseModel()
	full.ID = types.StringValue("bid")
	full.OrganizationID = types.StringValue("org")
	full.ProjectID = types.StringValue("prj")
	full.Region = types.StringValue("us-east-1")
	full.Replicas = types.Int64Value(2)
	full.Storage = types.Int64Value(20)
	full.ScaleToZero = scaleToZeroToModel(xata.ScaleToZero{Enabled: true, InactivityPeriodMinutes: 15})
	full.PostgresParameters = strMap(map[string]string{"max_connections": "50"})
	full.Hibernate = types.BoolValue(false)
	full.AdoptExisting = types.BoolNull()
	full.Status = types.StringValue("STATUS_TYPE_HEALTHY")
	full.CreatedAt = types.StringValue("2026-01-02T03:04:05Z")
	full.UpdatedAt = types.StringValue("2026-01-02T03:04:05Z")
	full.PublicAccess = types.BoolValue(true)
	full.Host = types.StringValue("h")
	full.Port = types.Int64Value(5432)
	full.Username = types.StringValue("u")
	full.Password = types.StringValue("p")
	full.ConnectionString = types.StringValue("postgresql://u:p@h:5432/xata")
	full.Timeouts = timeouts.Value{Object: types.ObjectValueMust(timeoutTypes, map[string]attr.Value{
		"create": types.StringValue("30m"), "read": types.StringNull(), "update": types.StringNull(), "delete": types.StringNull(),
	})}

	unknown := full
	unknown.ID = types.StringUnknown()
	unknown.ScaleToZero = types.ObjectUnknown(scaleToZeroAttrTypes)
	unknown.PostgresParameters = types.MapUnknown(types.StringType)
	unknown.Timeouts = timeouts.Value{Object: types.ObjectNull(timeoutTypes)}

	empty := nullUnknowns(ctx, branchModel{
		ID: types.StringUnknown(), Name: types.StringUnknown(), OrganizationID: types.StringUnknown(),
		ProjectID: types.StringUnknown(), ParentID: types.StringUnknown(), ParentName: types.StringUnknown(),
		Description: types.StringUnknown(), Region: types.StringUnknown(), InstanceType: types.StringUnknown(),
		Image: types.StringUnknown(), Replicas: types.Int64Unknown(), Storage: types.Int64Unknown(),
		ScaleToZero: types.ObjectUnknown(scaleToZeroAttrTypes), PostgresParameters: types.MapUnknown(types.StringType),
		Hibernate: types.BoolUnknown(), AdoptExisting: types.BoolUnknown(), Database: types.StringUnknown(),
		Status: types.StringUnknown(), CreatedAt: types.StringUnknown(), UpdatedAt: types.StringUnknown(),
		PublicAccess: types.BoolUnknown(), Host: types.StringUnknown(), Port: types.Int64Unknown(),
		Username: types.StringUnknown(), Password: types.StringUnknown(), ConnectionString: types.StringUnknown(),
		Timeouts: timeouts.Value{Object: types.ObjectUnknown(timeoutTypes)},
	})

	for name, m := range map[string]branchModel{"full": full, "unknowns": unknown, "all null": empty} {
		t.Run(name, func(t *testing.T) {
			want := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
			if diags := want.Set(ctx, m); diags.HasError() {
				t.Fatalf("framework Set: %v", diags)
			}
			var got tftypes.Value
			if diags := setBranch(ctx, &got, m); diags.HasError() {
				t.Fatalf("setBranch: %v", diags)
			}
			if !got.Equal(want.Raw) {
				t.Fatalf("setBranch wrote\n%s\nthe framework\n%s", got, want.Raw)
			}

			var fromFramework, fromCodec branchModel
			if diags := want.Get(ctx, &fromFramework); diags.HasError() {
				t.Fatalf("framework Get: %v", diags)
			}
			if diags := getBranch(ctx, got, &fromCodec); diags.HasError() {
				t.Fatalf("getBranch: %v", diags)
			}
			if !reflect.DeepEqual(fromCodec, fromFramework) {
				t.Errorf("getBranch read\n%+v\nthe framework\n%+v", fromCodec, fromFramework)
			}
		})
	}
}

// TestBranchIdentityCodecMatchesTheFramework: setBranchIdentity writes
// what the framework's ResourceIdentity.Set does.
func TestBranchIdentityCodecMatchesTheFramework(t *testing.T) {
	ctx := context.Background()
	var ir resource.IdentitySchemaResponse
	(&branchResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	want := tfsdk.ResourceIdentity{Schema: ir.IdentitySchema, Raw: tftypes.NewValue(ir.IdentitySchema.Type().TerraformType(ctx), nil)}
	if diags := want.Set(ctx, branchIdentityModel{
		OrganizationID: types.StringValue("org"), ProjectID: types.StringValue("prj"), ID: types.StringValue("bid"),
	}); diags.HasError() {
		t.Fatal(diags)
	}
	got := tfsdk.ResourceIdentity{Schema: ir.IdentitySchema}
	if diags := setBranchIdentity(ctx, &got, "org", "prj", "bid"); diags.HasError() {
		t.Fatal(diags)
	}
	if !got.Raw.Equal(want.Raw) {
		t.Errorf("setBranchIdentity wrote %s, the framework %s", got.Raw, want.Raw)
	}
}

func TestObjectCodecRefusesAModelThatDoesNotFit(t *testing.T) {
	ctx := context.Background()
	typ := types.ObjectType{AttrTypes: map[string]attr.Type{"a": types.StringType, "b": types.Int64Type}}
	type missing struct {
		A types.String `tfsdk:"a"`
	}
	type extra struct {
		A types.String `tfsdk:"a"`
		B types.Int64  `tfsdk:"b"`
		C types.Bool   `tfsdk:"c"`
	}
	type wrongType struct {
		A types.String `tfsdk:"a"`
		B types.String `tfsdk:"b"`
	}
	type untagged struct {
		A types.String `tfsdk:"a"`
		B types.Int64
	}
	type fits struct {
		A types.String `tfsdk:"a"`
		B types.Int64  `tfsdk:"b"`
	}
	for name, err := range map[string]error{
		"missing": second(newObjectCodec[missing](ctx, typ)), "extra": second(newObjectCodec[extra](ctx, typ)),
		"wrong type": second(newObjectCodec[wrongType](ctx, typ)), "untagged": second(newObjectCodec[untagged](ctx, typ)),
		"list": second(newObjectCodec[struct {
			L types.List `tfsdk:"l"`
		}](ctx, types.ObjectType{AttrTypes: map[string]attr.Type{"l": types.ListType{ElemType: types.StringType}}})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := newObjectCodec[fits](ctx, typ); err != nil {
		t.Errorf("fits: %v", err)
	}
	if _, err := branchCodec(); err != nil {
		t.Errorf("branchModel: %v", err)
	}
	if _, err := branchIdentityCodec(); err != nil {
		t.Errorf("branchIdentityModel: %v", err)
	}

	c, _ := newObjectCodec[fits](ctx, typ)
	var m fits
	if diags := c.get(ctx, tftypes.NewValue(typ.TerraformType(ctx), nil), &m); !diags.HasError() ||
		!strings.Contains(diags.Errors()[0].Detail(), "not a known object") {
		t.Errorf("reading a null object: %v", diags)
	}
}

func second[T any](_ T, err error) error { return err }
