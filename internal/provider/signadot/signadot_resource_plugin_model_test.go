package signadot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

func input(name string, fromSandbox bool, step, output string) inputModel {
	in := inputModel{Name: types.StringValue(name), ValueFromSandbox: types.BoolNull(), AsEnv: types.StringNull(), AsPath: types.StringNull()}
	if fromSandbox {
		in.ValueFromSandbox = types.BoolValue(true)
	}
	if step != "" {
		in.ValueFromStep = &valueFromStepModel{Step: types.StringValue(step), Output: types.StringValue(output)}
	}
	return in
}

func stepWith(name string, inputs []inputModel, outputs ...string) stepModel {
	s := stepModel{Name: types.StringValue(name), Script: types.StringValue("true"), Inputs: inputs}
	for _, o := range outputs {
		s.Outputs = append(s.Outputs, outputModel{Name: types.StringValue(o), ValueFromPath: types.StringValue("/out/" + o), Description: types.StringNull()})
	}
	return s
}

// TestValidatePluginSpec checks each rule reports at the attribute path a
// user can find.
func TestValidatePluginSpec(t *testing.T) {
	tests := []struct {
		name        string
		create, del []stepModel
		overlay     string
		namespace   string
		wantPath    string
		wantDetail  string
		wantSummary string
		wantWarning bool
	}{
		{name: "valid two-step plugin", create: []stepModel{
			stepWith("a", []inputModel{input("parent", true, "", "")}, "id"),
			stepWith("b", []inputModel{input("id", false, "a", "id")}, "url"),
		}, del: []stepModel{stepWith("d", []inputModel{input("id", false, "a", "id")})}},
		{name: "both sources", create: []stepModel{stepWith("a", []inputModel{input("x", true, "a", "o")}, "o")},
			wantPath: "create[0].inputs[0]", wantSummary: "Invalid Signadot Plugin Input Source",
			wantDetail: `Input "x" of create step "a" (create[0].inputs[0]) sets both value_from_sandbox = true and value_from_step.`},
		{name: "neither source, in a delete step", create: []stepModel{stepWith("a", nil)},
			del:      []stepModel{stepWith("b", nil), stepWith("cleanup", []inputModel{input("id", true, "", ""), input("x", false, "", "")})},
			wantPath: "delete[1].inputs[1]", wantSummary: "Invalid Signadot Plugin Input Source",
			wantDetail: `Input "x" of delete step "cleanup" (delete[1].inputs[1]) sets neither value_from_sandbox = true nor value_from_step.`},
		{name: "both sources, step name not known yet", create: []stepModel{
			{Name: types.StringUnknown(), Script: types.StringValue("true"), Inputs: []inputModel{input("x", true, "a", "o")}}},
			wantPath: "create[0].inputs[0]", wantSummary: "Invalid Signadot Plugin Input Source",
			wantDetail: `Input "x" of create step create[0] (create[0].inputs[0]) sets both`},
		{name: "duplicate across phases", create: []stepModel{stepWith("a", nil)}, del: []stepModel{stepWith("a", nil)},
			wantPath: "delete[0].name", wantSummary: "Duplicate Signadot Plugin Step Name"},
		{name: "duplicate input", create: []stepModel{stepWith("a", []inputModel{input("x", true, "", ""), input("x", true, "", "")})},
			wantPath: "create[0].inputs[1].name", wantSummary: "Duplicate Signadot Plugin Input Name"},
		{name: "unknown output", create: []stepModel{stepWith("a", nil, "o"), stepWith("b", []inputModel{input("x", false, "a", "nope")})},
			wantPath: "create[1].inputs[0].value_from_step.output", wantSummary: "Unknown Signadot Plugin Step Output"},
		{name: "self cycle", create: []stepModel{stepWith("a", []inputModel{input("x", false, "a", "o")}, "o")},
			wantPath: "create[0]", wantSummary: "Signadot Plugin Steps Form A Cycle"},
		{name: "container not main is a warning", overlay: "spec:\n  containers:\n    - name: runner\n",
			wantPath: "runner.pod_template_overlay", wantSummary: "Signadot Overlay Container Is Not main", wantWarning: true},
		{name: "container main is fine", overlay: "spec:\n  containers:\n    - name: main\n      env: []\n"},
		{name: "container without name", overlay: "spec:\n  containers:\n    - image: x\n",
			wantPath: "runner.pod_template_overlay", wantSummary: "Invalid Signadot Pod Template Overlay"},
		{name: "main container image contradicts runner.image", overlay: "spec:\n  containers:\n    - name: main\n      image: other\n",
			wantPath: "runner.pod_template_overlay", wantSummary: "Invalid Signadot Pod Template Overlay", wantDetail: `image "other" but runner.image is "x"`},
		{name: "main container image equal to runner.image", overlay: "spec:\n  containers:\n    - name: main\n      image: x\n"},
		{name: "namespace contradicts runner.namespace", overlay: "metadata:\n  namespace: other\nspec: {}\n", namespace: "signadot",
			wantPath: "runner.pod_template_overlay", wantSummary: "Invalid Signadot Pod Template Overlay", wantDetail: `metadata.namespace is "other"`},
		{name: "container named twice", overlay: "spec:\n  containers:\n    - name: main\n    - name: main\n",
			wantPath: "runner.pod_template_overlay", wantSummary: "Invalid Signadot Pod Template Overlay", wantDetail: `repeats the container name "main"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runner := &runnerModel{Image: types.StringValue("x"), Namespace: types.StringNull(), PodTemplateOverlay: yamlStringNull()}
			if tc.namespace != "" {
				runner.Namespace = types.StringValue(tc.namespace)
			}
			if tc.overlay != "" {
				runner.PodTemplateOverlay = yamlStringOf(tc.overlay)
			}
			problems := validatePluginSpec(runner, tc.create, tc.del)
			if tc.wantSummary == "" {
				if len(problems) > 0 {
					t.Fatalf("expected no problem, got %+v", problems)
				}
				return
			}
			if len(problems) != 1 {
				t.Fatalf("expected one problem, got %+v", problems)
			}
			p := problems[0]
			if p.path.String() != tc.wantPath || p.summary != tc.wantSummary || p.warning != tc.wantWarning {
				t.Errorf("got %s %q warning=%v, want %s %q warning=%v", p.path, p.summary, p.warning, tc.wantPath, tc.wantSummary, tc.wantWarning)
			}
			if !strings.Contains(p.detail, tc.wantDetail) {
				t.Errorf("detail %q does not say %q", p.detail, tc.wantDetail)
			}
		})
	}
}

func TestFindCycle(t *testing.T) {
	if c := findCycle(map[string][]string{"b": {"a"}, "c": {"b"}}); c != nil {
		t.Errorf("a chain is not a cycle, got %v", c)
	}
	c := findCycle(map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}})
	if strings.Join(c, ">") != "a>b>c>a" {
		t.Errorf("got %v", c)
	}
}

func TestYAMLEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"spec:\n  a: 1\n  b: [x, y]\n", "spec: {b: [x, y], a: 1}", true},
		{"spec:\n  a: 1\n", "spec:\n  a: 2\n", false},
		{"a: [1, 2]", "a: [2, 1]", false},
		{"not: [valid", "not: [valid", true},
		{"not: [valid", "not:  [valid", false},
	}
	for _, tc := range tests {
		if got := yamlEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("yamlEqual(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// TestPluginRoundTrip: a plugin read back from the API maps to the model
// it was built from, including the distinctions the API drops.
func TestPluginRoundTrip(t *testing.T) {
	ctx := context.Background()
	create := []stepModel{stepWith("a", []inputModel{input("p", true, "", "")}, "o")}
	create[0].Inputs = append(create[0].Inputs, inputModel{Name: types.StringValue("q"), ValueFromSandbox: types.BoolValue(false),
		ValueFromStep: &valueFromStepModel{Step: types.StringValue("a"), Output: types.StringValue("o")}, AsEnv: types.StringValue("Q"), AsPath: types.StringNull()})
	del := []stepModel{{Name: types.StringValue("d"), Script: types.StringValue("true"), Inputs: []inputModel{}}}
	createList, _ := stepList(ctx, create)
	delList, _ := stepList(ctx, del)
	m := resourcePluginModel{
		Name: types.StringValue("p"), Version: types.StringValue("1.2.0"), Description: types.StringNull(),
		Runner: &runnerModel{Image: types.StringValue("img"), Namespace: types.StringNull(), PodTemplateOverlay: yamlStringOf("spec: {}")},
		Create: createList, Delete: delList,
	}
	body, diags := pluginFromModel(ctx, m)
	if diags.HasError() {
		t.Fatal(diags)
	}
	raw, _ := json.Marshal(body)
	var read signadotapi.ResourcePlugin
	if err := json.Unmarshal(raw, &read); err != nil {
		t.Fatal(err)
	}
	read.Name = "p@1.2.0"
	back := m
	if d := applyPlugin(ctx, &back, &read); d.HasError() {
		t.Fatal(d)
	}
	if !back.Create.Equal(m.Create) || !back.Delete.Equal(m.Delete) {
		t.Errorf("steps did not round-trip:\n got %s / %s\nwant %s / %s", back.Create, back.Delete, m.Create, m.Delete)
	}
	if back.ID.ValueString() != "p@1.2.0" || back.Version.ValueString() != "1.2.0" {
		t.Errorf("id %s version %s", back.ID, back.Version)
	}
}

// stepStringAttr is the string attribute at create[*].<names...> of the
// resource's schema, so tests exercise the validators the schema wires.
func stepStringAttr(t *testing.T, names ...string) schema.StringAttribute {
	t.Helper()
	var resp resource.SchemaResponse
	(&resourcePluginResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	attr := resp.Schema.Attributes["create"]
	for _, n := range names {
		attr = attr.(schema.ListNestedAttribute).NestedObject.Attributes[n]
	}
	return attr.(schema.StringAttribute)
}

// TestStepPartRules checks the naming and script rules one value at a
// time: which values pass, and that a refusal is one error at the
// attribute, with its own summary and a detail that states the rule.
func TestStepPartRules(t *testing.T) {
	long := "a" + strings.Repeat("b", maxStepPartName-1)
	valid := []string{"a", "provision", "parent-branch", "stepInput", "step1", "connection-string", "A9", long}
	invalid := []string{"", "1step", "-a", "a-", "a.b", "a_b", "a b", "é", "a/b", long + "c"}
	rules := []struct {
		attr        []string
		summary     string
		wantInvalid []string
		wantValid   []string
		ruleText    string
	}{
		{[]string{"name"}, "Invalid Signadot Plugin Step Name", invalid, valid, "Step names are 1 to 63 letters, digits and '-'"},
		{[]string{"inputs", "name"}, "Invalid Signadot Plugin Input Name", invalid, valid, "Input names are 1 to 63 letters, digits and '-'"},
		{[]string{"outputs", "name"}, "Invalid Signadot Plugin Output Name", invalid, valid, "Output names are 1 to 63 letters, digits and '-'"},
		{[]string{"script"}, "Empty Signadot Plugin Step Script", []string{"", " ", "\n\t\n"},
			[]string{"true", "#!/bin/bash\necho hi\n", " x "}, "empty or only whitespace"},
	}
	at := path.Root("create").AtListIndex(0).AtName("x")
	for _, r := range rules {
		attr := stepStringAttr(t, r.attr...)
		validate := func(v string) diag.Diagnostics {
			var resp validator.StringResponse
			for _, val := range attr.Validators {
				val.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(v)}, &resp)
			}
			return resp.Diagnostics
		}
		for _, v := range r.wantValid {
			if d := validate(v); d.HasError() {
				t.Errorf("%s %q refused: %v", strings.Join(r.attr, "."), v, d)
			}
		}
		for _, v := range r.wantInvalid {
			d := validate(v)
			if len(d) != 1 || !d.HasError() {
				t.Errorf("%s %q: want one error, got %v", strings.Join(r.attr, "."), v, d)
				continue
			}
			withPath, ok := d[0].(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(at) || d[0].Summary() != r.summary || !strings.Contains(d[0].Detail(), r.ruleText) {
				t.Errorf("%s %q: got %q / %q", strings.Join(r.attr, "."), v, d[0].Summary(), d[0].Detail())
			}
			if r.attr[len(r.attr)-1] == "name" && !strings.Contains(d[0].Detail(), fmt.Sprintf("%q", v)) {
				t.Errorf("the detail does not quote the refused name %q: %s", v, d[0].Detail())
			}
		}
		// Unknown and null values are not judged at validation time.
		for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
			var resp validator.StringResponse
			for _, val := range attr.Validators {
				val.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: v}, &resp)
			}
			if resp.Diagnostics.HasError() {
				t.Errorf("%s %v refused: %v", strings.Join(r.attr, "."), v, resp.Diagnostics)
			}
		}
	}
}

// pluginConfig is a configuration of the resource with the given create
// and delete steps, each a name (nil: unknown) and a script, everything
// else null: what a validator's request carries.
func pluginConfig(t *testing.T, create, del [][2]*string) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&resourcePluginResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	typ := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	object := func(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
			if v, ok := set[name]; ok {
				vals[name] = v
			}
		}
		return tftypes.NewValue(typ, vals)
	}
	steps := func(attr string, list [][2]*string) tftypes.Value {
		lt := typ.AttributeTypes[attr].(tftypes.List)
		var elems []tftypes.Value
		for _, s := range list {
			name := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			if s[0] != nil {
				name = tftypes.NewValue(tftypes.String, *s[0])
			}
			elems = append(elems, object(lt.ElementType.(tftypes.Object), map[string]tftypes.Value{
				"name": name, "script": tftypes.NewValue(tftypes.String, *s[1]),
			}))
		}
		return tftypes.NewValue(lt, elems)
	}
	return tfsdk.Config{Schema: resp.Schema, Raw: object(typ, map[string]tftypes.Value{
		"name":   tftypes.NewValue(tftypes.String, "p"),
		"create": steps("create", create),
		"delete": steps("delete", del),
	})}
}

// TestScriptRuleNamesTheStep: an empty script is refused with the step's
// phase and name, read from the configuration, and the attribute path.
func TestScriptRuleNamesTheStep(t *testing.T) {
	str := func(s string) *string { return &s }
	cfg := pluginConfig(t,
		[][2]*string{{str("provision"), str("true")}, {nil, str("")}},
		[][2]*string{{str("cleanup"), str("  \n")}})
	attr := stepStringAttr(t, "script")
	for _, tc := range []struct {
		at     path.Path
		script string
		want   string
	}{
		{path.Root("delete").AtListIndex(0).AtName("script"), "  \n", `The script of delete step "cleanup" (delete[0].script) is empty`},
		{path.Root("create").AtListIndex(1).AtName("script"), "", `The script of create step create[1] (create[1].script) is empty`},
	} {
		var resp validator.StringResponse
		for _, v := range attr.Validators {
			v.ValidateString(context.Background(), validator.StringRequest{Path: tc.at, Config: cfg, ConfigValue: types.StringValue(tc.script)}, &resp)
		}
		if len(resp.Diagnostics) != 1 {
			t.Fatalf("%s: want one error, got %v", tc.at, resp.Diagnostics)
		}
		d := resp.Diagnostics[0]
		if d.Summary() != "Empty Signadot Plugin Step Script" || !strings.Contains(d.Detail(), tc.want) || !strings.Contains(d.Detail(), "#!/bin/bash") {
			t.Errorf("%s: got %q / %q, want the detail to say %q", tc.at, d.Summary(), d.Detail(), tc.want)
		}
	}
}
