package signadot

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// resourcePluginModel is the Terraform state of signadot_resource_plugin.
type resourcePluginModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Version     types.String `tfsdk:"version"`
	Description types.String `tfsdk:"description"`
	Runner      *runnerModel `tfsdk:"runner"`
	Create      types.List   `tfsdk:"create"`
	Delete      types.List   `tfsdk:"delete"`
	CreatedAt   types.String `tfsdk:"created_at"`
	OutputKeys  types.List   `tfsdk:"output_keys"`
	// KeepInUseOnDestroy is Terraform's alone: it is never sent to the API.
	KeepInUseOnDestroy types.Bool `tfsdk:"keep_in_use_on_destroy"`
}

type runnerModel struct {
	Image              types.String    `tfsdk:"image"`
	Namespace          types.String    `tfsdk:"namespace"`
	PodTemplateOverlay yamlStringValue `tfsdk:"pod_template_overlay"`
}

type stepModel struct {
	Name    types.String  `tfsdk:"name"`
	Script  types.String  `tfsdk:"script"`
	Inputs  []inputModel  `tfsdk:"inputs"`
	Outputs []outputModel `tfsdk:"outputs"`
}

type inputModel struct {
	Name             types.String        `tfsdk:"name"`
	ValueFromSandbox types.Bool          `tfsdk:"value_from_sandbox"`
	ValueFromStep    *valueFromStepModel `tfsdk:"value_from_step"`
	AsEnv            types.String        `tfsdk:"as_env"`
	AsPath           types.String        `tfsdk:"as_path"`
}

type valueFromStepModel struct {
	Step   types.String `tfsdk:"step"`
	Output types.String `tfsdk:"output"`
}

type outputModel struct {
	Name          types.String `tfsdk:"name"`
	ValueFromPath types.String `tfsdk:"value_from_path"`
	Description   types.String `tfsdk:"description"`
}

// Object types of the step lists, for building list values.
var (
	valueFromStepAttrTypes = map[string]attr.Type{"step": types.StringType, "output": types.StringType}
	inputAttrTypes         = map[string]attr.Type{
		"name": types.StringType, "value_from_sandbox": types.BoolType,
		"value_from_step": types.ObjectType{AttrTypes: valueFromStepAttrTypes},
		"as_env":          types.StringType, "as_path": types.StringType,
	}
	outputAttrTypes = map[string]attr.Type{"name": types.StringType, "value_from_path": types.StringType, "description": types.StringType}
	stepAttrTypes   = map[string]attr.Type{
		"name": types.StringType, "script": types.StringType,
		"inputs":  types.ListType{ElemType: types.ObjectType{AttrTypes: inputAttrTypes}},
		"outputs": types.ListType{ElemType: types.ObjectType{AttrTypes: outputAttrTypes}},
	}
	stepListType = types.ListType{ElemType: types.ObjectType{AttrTypes: stepAttrTypes}}
)

// steps decodes a create/delete list; ok is false while it is unknown.
func steps(ctx context.Context, l types.List) ([]stepModel, bool, diag.Diagnostics) {
	if l.IsUnknown() {
		return nil, false, nil
	}
	if l.IsNull() {
		return nil, true, nil
	}
	var out []stepModel
	diags := l.ElementsAs(ctx, &out, false)
	return out, !diags.HasError(), diags
}

func stepList(ctx context.Context, s []stepModel) (types.List, diag.Diagnostics) {
	if s == nil {
		return types.ListNull(stepListType.ElemType), nil
	}
	return types.ListValueFrom(ctx, stepListType.ElemType, s)
}

// pluginID is the API's name for a version: bare for 0.0.0, else name@version.
func pluginID(name, version string) string {
	if version == "" || version == "0.0.0" {
		return name
	}
	return name + "@" + version
}

// pluginFromModel builds the body `signadot resourceplugin apply -f` would
// send for the same plugin written as YAML.
func pluginFromModel(ctx context.Context, m resourcePluginModel) (signadotapi.ResourcePlugin, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := signadotapi.ResourcePlugin{
		Name: pluginID(m.Name.ValueString(), m.Version.ValueString()),
		Spec: signadotapi.ResourcePluginSpec{Description: m.Description.ValueString()},
	}
	if m.Runner != nil {
		p.Spec.Runner = signadotapi.Runner{
			Image:              m.Runner.Image.ValueString(),
			Namespace:          m.Runner.Namespace.ValueString(),
			PodTemplateOverlay: m.Runner.PodTemplateOverlay.ValueString(),
		}
	}
	create, _, d := steps(ctx, m.Create)
	diags.Append(d...)
	del, _, d := steps(ctx, m.Delete)
	diags.Append(d...)
	p.Spec.Create = apiSteps(create)
	p.Spec.Delete = apiSteps(del)
	return p, diags
}

func apiSteps(in []stepModel) []signadotapi.Step {
	if in == nil {
		return nil
	}
	out := make([]signadotapi.Step, 0, len(in))
	for _, s := range in {
		step := signadotapi.Step{Name: s.Name.ValueString(), Script: s.Script.ValueString()}
		if s.Inputs != nil {
			step.Inputs = make([]signadotapi.StepInput, 0, len(s.Inputs))
		}
		for _, in := range s.Inputs {
			input := signadotapi.StepInput{Name: in.Name.ValueString(), ValueFromSandbox: in.ValueFromSandbox.ValueBool()}
			if in.ValueFromStep != nil {
				input.ValueFromStep = &signadotapi.ValueFromStep{Name: in.ValueFromStep.Step.ValueString(), Output: in.ValueFromStep.Output.ValueString()}
			}
			if in.AsEnv.ValueString() != "" || in.AsPath.ValueString() != "" {
				input.As = &signadotapi.StepInputTo{Env: in.AsEnv.ValueString(), Path: in.AsPath.ValueString()}
			}
			step.Inputs = append(step.Inputs, input)
		}
		if s.Outputs != nil {
			step.Outputs = make([]signadotapi.StepOutput, 0, len(s.Outputs))
		}
		for _, o := range s.Outputs {
			step.Outputs = append(step.Outputs, signadotapi.StepOutput{
				Name: o.Name.ValueString(), ValueFromPath: o.ValueFromPath.ValueString(), Description: o.Description.ValueString(),
			})
		}
		out = append(out, step)
	}
	return out
}

// modelSteps maps API steps back. The API does not distinguish an absent
// list from an empty one, so prior (state or plan) decides which to show.
func modelSteps(in []signadotapi.Step, prior []stepModel) []stepModel {
	if len(in) == 0 {
		if prior != nil {
			return []stepModel{}
		}
		return nil
	}
	out := make([]stepModel, 0, len(in))
	for i, s := range in {
		var priorStep *stepModel
		if i < len(prior) {
			priorStep = &prior[i]
		}
		step := stepModel{Name: types.StringValue(s.Name), Script: optionalString(s.Script)}
		if len(s.Inputs) > 0 || (priorStep != nil && priorStep.Inputs != nil) {
			step.Inputs = []inputModel{}
		}
		for _, in := range s.Inputs {
			input := inputModel{
				Name:             types.StringValue(in.Name),
				ValueFromSandbox: types.BoolNull(),
				AsEnv:            types.StringNull(),
				AsPath:           types.StringNull(),
			}
			if in.ValueFromSandbox {
				input.ValueFromSandbox = types.BoolValue(true)
			}
			if in.ValueFromStep != nil {
				input.ValueFromStep = &valueFromStepModel{Step: types.StringValue(in.ValueFromStep.Name), Output: types.StringValue(in.ValueFromStep.Output)}
			}
			if in.As != nil {
				input.AsEnv = optionalString(in.As.Env)
				input.AsPath = optionalString(in.As.Path)
			}
			step.Inputs = append(step.Inputs, input)
		}
		if len(s.Outputs) > 0 || (priorStep != nil && priorStep.Outputs != nil) {
			step.Outputs = []outputModel{}
		}
		for _, o := range s.Outputs {
			step.Outputs = append(step.Outputs, outputModel{
				Name: types.StringValue(o.Name), ValueFromPath: types.StringValue(o.ValueFromPath), Description: optionalString(o.Description),
			})
		}
		out = append(out, step)
	}
	return out
}

// keepFalse keeps an explicit value_from_sandbox = false from the prior
// model: the API omits false, which would otherwise read back as null.
func keepFalse(read, prior []stepModel) {
	for i := range read {
		if i >= len(prior) {
			return
		}
		for j := range read[i].Inputs {
			if j < len(prior[i].Inputs) && read[i].Inputs[j].ValueFromSandbox.IsNull() &&
				prior[i].Inputs[j].ValueFromSandbox.Equal(types.BoolValue(false)) {
				read[i].Inputs[j].ValueFromSandbox = types.BoolValue(false)
			}
		}
	}
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// outputKeys lists "<step>.<output>" for every create step output: the
// strings a sandbox's valueFrom.resource.outputKey refers to.
func outputKeys(create []stepModel) []string {
	keys := []string{}
	for _, s := range create {
		for _, o := range s.Outputs {
			keys = append(keys, s.Name.ValueString()+"."+o.Name.ValueString())
		}
	}
	return keys
}

// specProblem is one rule the Signadot API would refuse at apply time.
type specProblem struct {
	path    path.Path
	summary string
	detail  string
	warning bool
}

// validatePluginSpec checks, before anything is sent, every rule the API
// enforces on a plugin spec. Unknown values are skipped; apply checks them.
func validatePluginSpec(runner *runnerModel, create, del []stepModel) []specProblem {
	var problems []specProblem
	type stepRef struct {
		phase   string
		index   int
		outputs map[string]bool
	}
	all := map[string]stepRef{}
	phases := []struct {
		name  string
		steps []stepModel
	}{{"create", create}, {"delete", del}}

	for _, ph := range phases {
		for i, s := range ph.steps {
			p := path.Root(ph.name).AtListIndex(i)
			if !shared.Known(s.Name) {
				continue
			}
			name := s.Name.ValueString()
			if prev, dup := all[name]; dup {
				problems = append(problems, specProblem{path: p.AtName("name"), summary: "Duplicate Signadot Plugin Step Name",
					detail: fmt.Sprintf("Step name %q is already used by %s[%d]. Step names must be unique across create and delete; rename one.", name, prev.phase, prev.index)})
				continue
			}
			ref := stepRef{phase: ph.name, index: i, outputs: map[string]bool{}}
			for j, o := range s.Outputs {
				if !shared.Known(o.Name) {
					continue
				}
				if ref.outputs[o.Name.ValueString()] {
					problems = append(problems, specProblem{path: p.AtName("outputs").AtListIndex(j).AtName("name"), summary: "Duplicate Signadot Plugin Output Name",
						detail: fmt.Sprintf("Step %q declares output %q twice; output names must be unique within a step.", name, o.Name.ValueString())})
				}
				ref.outputs[o.Name.ValueString()] = true
			}
			all[name] = ref
		}
	}

	edges := map[string][]string{}
	for _, ph := range phases {
		for i, s := range ph.steps {
			p := path.Root(ph.name).AtListIndex(i)
			seenInputs := map[string]bool{}
			for j, in := range s.Inputs {
				ip := p.AtName("inputs").AtListIndex(j)
				if shared.Known(in.Name) {
					if seenInputs[in.Name.ValueString()] {
						problems = append(problems, specProblem{path: ip.AtName("name"), summary: "Duplicate Signadot Plugin Input Name",
							detail: fmt.Sprintf("Input %q appears twice in step %q; input names must be unique within a step.", in.Name.ValueString(), s.Name.ValueString())})
					}
					seenInputs[in.Name.ValueString()] = true
				}
				if in.ValueFromSandbox.IsUnknown() {
					continue
				}
				fromSandbox := in.ValueFromSandbox.ValueBool()
				fromStep := in.ValueFromStep != nil
				if fromSandbox == fromStep {
					sets := "sets both value_from_sandbox = true and value_from_step"
					if !fromSandbox {
						sets = "sets neither value_from_sandbox = true nor value_from_step"
					}
					problems = append(problems, specProblem{path: ip, summary: "Invalid Signadot Plugin Input Source",
						detail: fmt.Sprintf("Input %s of %s (%s) %s. Each input takes its value from exactly one place: "+
							"set value_from_sandbox = true (the sandbox's params) or value_from_step = { step, output } "+
							"(an earlier step's output), not both and not neither.", quoted(in.Name), stepLabel(ph.name, i, s.Name), ip, sets)})
					continue
				}
				if !fromStep || !shared.Known(in.ValueFromStep.Step) || !shared.Known(in.ValueFromStep.Output) {
					continue
				}
				target, output := in.ValueFromStep.Step.ValueString(), in.ValueFromStep.Output.ValueString()
				ref, ok := all[target]
				switch {
				case !ok:
					problems = append(problems, specProblem{path: ip.AtName("value_from_step").AtName("step"), summary: "Unknown Signadot Plugin Step",
						detail: fmt.Sprintf("value_from_step names step %q, which this plugin does not define. Use the name of a create step.", target)})
				case ph.name == "create" && ref.phase == "delete":
					problems = append(problems, specProblem{path: ip.AtName("value_from_step").AtName("step"), summary: "Create Step Reads A Delete Step",
						detail: fmt.Sprintf("Create step %q reads step %q, which only runs on delete. A create step can only use create steps' outputs.", s.Name.ValueString(), target)})
				case !ref.outputs[output]:
					problems = append(problems, specProblem{path: ip.AtName("value_from_step").AtName("output"), summary: "Unknown Signadot Plugin Step Output",
						detail: fmt.Sprintf("Step %q has no output %q. Its outputs are: %s.", target, output, strings.Join(sortedKeys(ref.outputs), ", "))})
				default:
					edges[s.Name.ValueString()] = append(edges[s.Name.ValueString()], target)
				}
			}
		}
	}
	if cycle := findCycle(edges); cycle != nil {
		ref := all[cycle[0]]
		problems = append(problems, specProblem{path: path.Root(ref.phase).AtListIndex(ref.index), summary: "Signadot Plugin Steps Form A Cycle",
			detail: fmt.Sprintf("The steps read each other's outputs in a cycle (%s), so none can run first. Break the cycle.", strings.Join(cycle, " → "))})
	}

	if runner != nil && shared.Known(runner.PodTemplateOverlay) {
		problems = append(problems, validateOverlay(runner)...)
	}
	return problems
}

// stepLabel names a step as a diagnostic shows it: its phase and its name,
// `create step "provision"`, or its place in the list while the name is
// not known yet, `create step create[0]`.
func stepLabel(phase string, index int, name types.String) string {
	if shared.Known(name) {
		return fmt.Sprintf("%s step %q", phase, name.ValueString())
	}
	return fmt.Sprintf("%s step %s", phase, path.Root(phase).AtListIndex(index))
}

// quoted is a name for a diagnostic: the value in quotes, or "(unknown)".
func quoted(name types.String) string {
	if shared.Known(name) {
		return fmt.Sprintf("%q", name.ValueString())
	}
	return "(unknown)"
}

// stepOf names the step that the attribute at p (create[0].script, say)
// belongs to, reading the step's name from the configuration; "" when p is
// not inside a step.
func stepOf(ctx context.Context, cfg tfsdk.Config, p path.Path) string {
	steps := p.Steps()
	if len(steps) < 2 {
		return ""
	}
	phase, ok := steps[0].(path.PathStepAttributeName)
	index, isIndex := steps[1].(path.PathStepElementKeyInt)
	if !ok || !isIndex || (phase != "create" && phase != "delete") {
		return ""
	}
	name := types.StringUnknown()
	if cfg.Schema != nil && !cfg.Raw.IsNull() {
		var n types.String
		if !cfg.GetAttribute(ctx, path.Root(string(phase)).AtListIndex(int(index)).AtName("name"), &n).HasError() {
			name = n
		}
	}
	return stepLabel(string(phase), int(index), name)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// findCycle returns the steps of one dependency cycle, first step repeated
// at the end, or nil.
func findCycle(edges map[string][]string) []string {
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = onStack
		stack = append(stack, n)
		for _, m := range edges[n] {
			switch state[m] {
			case onStack:
				for i, s := range stack {
					if s == m {
						return append(append([]string{}, stack[i:]...), m)
					}
				}
			case unvisited:
				if c := visit(m); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	names := make([]string, 0, len(edges))
	for n := range edges {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if state[n] == unvisited {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// validateOverlay checks that the overlay is YAML and a pod template
// fragment that does not contradict the runner's image or namespace, as the
// API does, and warns when its container is not "main", the runner
// container the official plugins patch.
func validateOverlay(runner *runnerModel) []specProblem {
	p := path.Root("runner").AtName("pod_template_overlay")
	var doc any
	if err := yaml.Unmarshal([]byte(runner.PodTemplateOverlay.ValueString()), &doc); err != nil {
		return []specProblem{{path: p, summary: "Invalid Signadot Pod Template Overlay",
			detail: "pod_template_overlay is not valid YAML: " + err.Error()}}
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return []specProblem{{path: p, summary: "Invalid Signadot Pod Template Overlay",
			detail: "pod_template_overlay must be a pod template: a mapping with metadata and/or spec."}}
	}
	var problems []specProblem
	for k := range top {
		if k != "metadata" && k != "spec" {
			problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
				detail: fmt.Sprintf("pod_template_overlay has a top-level key %q; a pod template has only metadata and spec.", k)})
		}
	}
	meta, _ := top["metadata"].(map[string]any)
	if ns, _ := meta["namespace"].(string); ns != "" && shared.Known(runner.Namespace) && ns != runner.Namespace.ValueString() {
		problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
			detail: fmt.Sprintf("metadata.namespace is %q but runner.namespace is %q; set the namespace in one place.", ns, runner.Namespace.ValueString())})
	}
	spec, _ := top["spec"].(map[string]any)
	if spec == nil {
		return problems
	}
	if rp, set := spec["restartPolicy"]; set && rp != "Never" {
		problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
			detail: fmt.Sprintf("spec.restartPolicy is %v; a runner pod must use Never (or leave it unset).", rp)})
	}
	containers, isList := spec["containers"].([]any)
	if _, set := spec["containers"]; set && !isList {
		problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
			detail: "spec.containers must be a list of containers."})
	}
	seen := map[string]bool{}
	for i, c := range containers {
		cm, _ := c.(map[string]any)
		name, _ := cm["name"].(string)
		image, _ := cm["image"].(string)
		switch {
		case name != "" && seen[name]:
			problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
				detail: fmt.Sprintf("spec.containers[%d] repeats the container name %q; each container is named once.", i, name)})
		case name == "main" && image != "" && shared.Known(runner.Image) && image != runner.Image.ValueString():
			problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
				detail: fmt.Sprintf("spec.containers[%d] sets image %q but runner.image is %q; set the image in runner.image only.", i, image, runner.Image.ValueString())})
		case name == "":
			problems = append(problems, specProblem{path: p, summary: "Invalid Signadot Pod Template Overlay",
				detail: fmt.Sprintf("spec.containers[%d] has no name; the overlay is merged into the runner pod by container name.", i)})
		case name != "main" && !seen[name]:
			problems = append(problems, specProblem{path: p, warning: true, summary: "Signadot Overlay Container Is Not main",
				detail: fmt.Sprintf("spec.containers[%d] is named %q. Signadot runs step scripts in the container named main, and "+
					"the overlay is merged by name, so this entry may add a second container instead of setting the "+
					"step's environment. Name it main unless you mean that.", i, name)})
		}
		seen[name] = true
	}
	return problems
}

// ruleValidator applies stock validators and reports a failure of any of
// them as one error of its own: the stock diagnostics ("Invalid Attribute
// Value Match") name neither the Signadot rule nor the fix.
type ruleValidator struct {
	checks  []validator.String
	summary string
	detail  func(ctx context.Context, req validator.StringRequest) string
}

func (r ruleValidator) Description(ctx context.Context) string {
	parts := make([]string, len(r.checks))
	for i, c := range r.checks {
		parts[i] = c.Description(ctx)
	}
	return strings.Join(parts, "; ")
}

func (r ruleValidator) MarkdownDescription(ctx context.Context) string {
	parts := make([]string, len(r.checks))
	for i, c := range r.checks {
		parts[i] = c.MarkdownDescription(ctx)
	}
	return strings.Join(parts, "; ")
}

func (r ruleValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	for _, c := range r.checks {
		var out validator.StringResponse
		c.ValidateString(ctx, req, &out)
		if out.Diagnostics.HasError() {
			resp.Diagnostics.AddAttributeError(req.Path, r.summary, r.detail(ctx, req))
			return
		}
	}
}

// maxStepPartName bounds step, input and output names as a DNS label is
// bounded.
const maxStepPartName = 63

// stepPartNameRule is the rule for step, input and output names. Neither
// the API spec nor the docs state one; this is the documented plugin-name
// rule (which every documented and official example name follows, such as
// gen-password, stepInput, connection-string) with a DNS label's length.
// It keeps "<step>.<output>" output keys unambiguous and makes every input
// name a valid environment variable once upper-cased with '-' as '_'.
func stepPartNameRule(summary, kind, example, fix string) ruleValidator {
	return ruleValidator{
		checks: []validator.String{
			stringvalidator.LengthBetween(1, maxStepPartName),
			stringvalidator.RegexMatches(pluginNamePattern, "must start with a letter, contain only letters, digits and '-', and end with a letter or digit"),
		},
		summary: summary,
		detail: func(_ context.Context, req validator.StringRequest) string {
			v := req.ConfigValue.ValueString()
			return fmt.Sprintf("%s name %q is not allowed. %s names are 1 to %d letters, digits and '-', starting "+
				"with a letter and ending with a letter or digit, such as %s. %s", kind, v, kind, maxStepPartName, example, fix)
		},
	}
}

var (
	stepNameRule = stepPartNameRule("Invalid Signadot Plugin Step Name", "Step", "provision",
		"Rename the step, and the value_from_step entries that name it.")
	inputNameRule = stepPartNameRule("Invalid Signadot Plugin Input Name", "Input", "parent-branch",
		"Rename the input; with value_from_sandbox, sandboxes pass it under the new name in their resource params.")
	outputNameRule = stepPartNameRule("Invalid Signadot Plugin Output Name", "Output", "connection-string",
		"Rename the output, and the value_from_step entries and sandbox outputKey values (<step>.<output>) that name it.")

	// scriptRule refuses a script with nothing to run: the runner would
	// start a pod that does nothing, and the step's outputs would be missing.
	scriptRule = ruleValidator{
		checks:  []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty")},
		summary: "Empty Signadot Plugin Step Script",
		detail: func(ctx context.Context, req validator.StringRequest) string {
			step := "the step"
			if s := stepOf(ctx, req.Config, req.Path); s != "" {
				step = s
			}
			return fmt.Sprintf("The script of %s (%s) is empty or only whitespace, so the step would run nothing. "+
				"Write the commands the step runs, starting with a #! line such as #!/bin/bash.", step, req.Path)
		},
	}
)
