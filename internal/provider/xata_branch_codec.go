package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// objectCodec converts between a model struct T and the Terraform object
// value of its schema, as the framework's Get and Set of a whole struct
// do, but reflects on T once instead of on every call: the framework
// checks each struct tag with a regular expression it compiles anew, so
// reading and writing the model were most of a refresh's own CPU time
// (a plan of 100 unchanged branches reads and writes it hundreds of
// times). T's fields are attr.Values tagged `tfsdk:"<attribute>"`, one
// per attribute of the object, as the framework requires.
//
// The framework's Set also turns empty list and set blocks into nulls; a
// schema with such blocks cannot use this codec (newObjectCodec refuses
// it).
type objectCodec[T any] struct {
	typ    tftypes.Object
	fields []codecField
}

type codecField struct {
	name   string
	index  int
	typ    attr.Type
	tfType tftypes.Type
	goType reflect.Type
}

// newObjectCodec matches T's fields to the attributes of typ, an object
// type, and fails unless each field has an attribute of its type and
// each attribute a field.
func newObjectCodec[T any](ctx context.Context, typ attr.Type) (*objectCodec[T], error) {
	obj, ok := typ.(attr.TypeWithAttributeTypes)
	if !ok {
		return nil, fmt.Errorf("%s is not an object type", typ)
	}
	tfObj, ok := typ.TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("%s is not a Terraform object type", typ)
	}
	attrTypes := obj.AttributeTypes()
	model := reflect.TypeFor[T]()
	c := &objectCodec[T]{typ: tfObj}
	seen := map[string]bool{}
	for i := range model.NumField() {
		f := model.Field(i)
		name := f.Tag.Get("tfsdk")
		at, ok := attrTypes[name]
		switch {
		case !f.IsExported() || name == "" || name == "-":
			return nil, fmt.Errorf("%s.%s: every field must be exported and name an attribute", model, f.Name)
		case !ok:
			return nil, fmt.Errorf("%s.%s: no attribute %q", model, f.Name, name)
		case seen[name]:
			return nil, fmt.Errorf("%s.%s: attribute %q has two fields", model, f.Name, name)
		case reflect.TypeOf(at.ValueType(ctx)) != f.Type:
			return nil, fmt.Errorf("%s.%s: attribute %q holds %T, not %s", model, f.Name, name, at.ValueType(ctx), f.Type)
		}
		switch tfObj.AttributeTypes[name].(type) {
		case tftypes.List, tftypes.Set:
			return nil, fmt.Errorf("%s.%s: list and set attributes are not supported", model, f.Name)
		}
		seen[name] = true
		c.fields = append(c.fields, codecField{name: name, index: i, typ: at, tfType: at.TerraformType(ctx), goType: f.Type})
	}
	for name := range attrTypes {
		if !seen[name] {
			return nil, fmt.Errorf("%s: no field for attribute %q", model, name)
		}
	}
	return c, nil
}

// get reads raw, a known object value of the codec's type, into m.
func (c *objectCodec[T]) get(ctx context.Context, raw tftypes.Value, m *T) diag.Diagnostics {
	var diags diag.Diagnostics
	var vals map[string]tftypes.Value
	if !raw.IsKnown() || raw.IsNull() || raw.As(&vals) != nil {
		diags.AddError("Value Conversion Error",
			fmt.Sprintf("An unexpected error was encountered reading %T; this is always an error in the provider: "+
				"the value is not a known object: %s", *m, raw))
		return diags
	}
	out := reflect.ValueOf(m).Elem()
	for _, f := range c.fields {
		v, err := f.typ.ValueFromTerraform(ctx, vals[f.name])
		if err != nil {
			diags.AddError("Value Conversion Error",
				fmt.Sprintf("An unexpected error was encountered reading attribute %s; this is always an error in the provider: %v", f.name, err))
			return diags
		}
		rv := reflect.ValueOf(v)
		if rv.Type() != f.goType {
			diags.AddError("Value Conversion Error",
				fmt.Sprintf("An unexpected error was encountered reading attribute %s; this is always an error in the provider: "+
					"its type made a %s, not a %s", f.name, rv.Type(), f.goType))
			return diags
		}
		diags.Append(validateValue(ctx, f, v, vals[f.name])...)
		if diags.HasError() {
			return diags
		}
		out.Field(f.index).Set(rv)
	}
	return diags
}

// value is m as an object value of the codec's type.
func (c *objectCodec[T]) value(ctx context.Context, m T) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := reflect.ValueOf(m)
	vals := make(map[string]tftypes.Value, len(c.fields))
	for _, f := range c.fields {
		v, _ := in.Field(f.index).Interface().(attr.Value) // newObjectCodec checked the field types
		if v == nil || !v.Type(ctx).TerraformType(ctx).Equal(f.tfType) {
			diags.AddError("Value Conversion Error",
				fmt.Sprintf("An unexpected error was encountered writing attribute %s; this is always an error in the "+
					"provider: its value does not have the attribute's type %s", f.name, f.tfType))
			return tftypes.Value{}, diags
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Value Conversion Error",
				fmt.Sprintf("An unexpected error was encountered writing attribute %s; this is always an error in the provider: %v", f.name, err))
			return tftypes.Value{}, diags
		}
		diags.Append(validateValue(ctx, f, v, tv)...)
		if diags.HasError() {
			return tftypes.Value{}, diags
		}
		vals[f.name] = tv
	}
	return tftypes.NewValue(c.typ, vals), diags
}

// validateValue runs a custom type's own validation of v (tv as a
// Terraform value), as the framework's conversions do.
func validateValue(ctx context.Context, f codecField, v attr.Value, tv tftypes.Value) diag.Diagnostics {
	if va, ok := v.(xattr.ValidateableAttribute); ok {
		var resp xattr.ValidateAttributeResponse
		va.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: path.Root(f.name)}, &resp)
		return resp.Diagnostics
	}
	if vt, ok := f.typ.(xattr.TypeWithValidate); ok { //nolint:staticcheck // deprecated, but the framework still runs it
		return vt.Validate(ctx, tv, path.Root(f.name))
	}
	return nil
}

// branchCodec reads and writes branchModel; built once from the schema.
var branchCodec = sync.OnceValues(func() (*objectCodec[branchModel], error) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&branchResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	return newObjectCodec[branchModel](ctx, resp.Schema.Type())
})

// branchIdentityCodec writes branchIdentityModel; built once from the
// identity schema.
var branchIdentityCodec = sync.OnceValues(func() (*objectCodec[branchIdentityModel], error) {
	ctx := context.Background()
	var resp resource.IdentitySchemaResponse
	(&branchResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
	return newObjectCodec[branchIdentityModel](ctx, resp.IdentitySchema.Type())
})

// getBranch reads a state, plan or configuration value of xata_branch
// into m, as req.State.Get(ctx, m) does.
func getBranch(ctx context.Context, raw tftypes.Value, m *branchModel) diag.Diagnostics {
	c, err := branchCodec()
	if err != nil {
		return diag.Diagnostics{diag.NewErrorDiagnostic("Value Conversion Error", err.Error())}
	}
	return c.get(ctx, raw, m)
}

// setBranch writes m to raw, the value of a state or plan of
// xata_branch, as resp.State.Set(ctx, m) does.
func setBranch(ctx context.Context, raw *tftypes.Value, m branchModel) diag.Diagnostics {
	return setObject(ctx, branchCodec, raw, m)
}

// setObject writes m to raw with the codec; raw is left alone when m
// cannot be written.
func setObject[T any](ctx context.Context, codec func() (*objectCodec[T], error), raw *tftypes.Value, m T) diag.Diagnostics {
	c, err := codec()
	if err != nil {
		return diag.Diagnostics{diag.NewErrorDiagnostic("Value Conversion Error", err.Error())}
	}
	v, diags := c.value(ctx, m)
	if !diags.HasError() {
		*raw = v
	}
	return diags
}
