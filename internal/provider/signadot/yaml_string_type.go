package signadot

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"sigs.k8s.io/yaml"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

// yamlStringType is a string holding a YAML document, compared by meaning:
// re-indenting, reordering keys or switching between block and flow style is
// no diff.
type yamlStringType struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = yamlStringType{}
	_ basetypes.StringValuableWithSemanticEquals = yamlStringValue{}
)

func (t yamlStringType) Equal(o attr.Type) bool {
	_, ok := o.(yamlStringType)
	return ok
}

func (t yamlStringType) String() string { return "yamlStringType" }

func (t yamlStringType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return yamlStringValue{StringValue: in}, nil
}

func (t yamlStringType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return yamlStringValue{StringValue: s}, nil
}

func (t yamlStringType) ValueType(context.Context) attr.Value { return yamlStringValue{} }

type yamlStringValue struct {
	basetypes.StringValue
}

func (v yamlStringValue) Type(context.Context) attr.Type { return yamlStringType{} }

func (v yamlStringValue) Equal(o attr.Value) bool {
	other, ok := o.(yamlStringValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both strings parse to the same YAML
// value. Unparseable YAML is equal only to the identical string.
func (v yamlStringValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(yamlStringValue)
	if !ok {
		diags.AddError("Semantic Equality Check Error",
			fmt.Sprintf("Expected a YAML string, got %T. This is a bug in the provider; please report it.", newValuable))
		return false, diags
	}
	return yamlEqual(v.ValueString(), newValue.ValueString()), diags
}

func yamlEqual(a, b string) bool {
	if a == b {
		return true
	}
	var av, bv any
	if yaml.Unmarshal([]byte(a), &av) != nil || yaml.Unmarshal([]byte(b), &bv) != nil {
		return false
	}
	return reflect.DeepEqual(av, bv)
}

func yamlStringNull() yamlStringValue { return yamlStringValue{StringValue: basetypes.NewStringNull()} }

func yamlStringOf(s string) yamlStringValue {
	return yamlStringValue{StringValue: basetypes.NewStringValue(s)}
}

// keepEquivalentYAML plans the prior value when the configured YAML means
// the same, so reformatting an overlay is no change. Terraform accepts a
// planned value equal to the prior one as the provider declaring the two
// equivalent.
type keepEquivalentYAML struct{}

func (keepEquivalentYAML) Description(context.Context) string {
	return "a YAML value that only differs in formatting keeps its prior value"
}

func (m keepEquivalentYAML) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepEquivalentYAML) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !shared.Known(req.StateValue) || !shared.Known(req.PlanValue) {
		return
	}
	if yamlEqual(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
