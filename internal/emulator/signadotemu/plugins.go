package signadotemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// pluginVersion is one published (name, version); specs are immutable.
type pluginVersion struct {
	name      string // bare
	version   semver
	spec      pluginSpec
	overlay   *podTemplate // parsed spec.runner.podTemplateOverlay
	createdAt string
	// pins are the sandbox resources using this version (guarded by
	// Emulator.mu).
	pins []resourceInfo
}

// displayName is how responses name a version: bare at 0.0.0, for
// pre-versioning clients.
func (pv *pluginVersion) displayName() string {
	if pv.version.isZero() {
		return pv.name
	}
	return pv.fullName()
}

func (pv *pluginVersion) fullName() string { return pv.name + "@" + pv.version.String() }

// wire renders the version; status.resources is never null.
func (pv *pluginVersion) wire() resourcePlugin {
	spec := pv.spec
	res := slices.Clone(pv.pins)
	if res == nil {
		res = []resourceInfo{}
	}
	return resourcePlugin{
		Name:      pv.displayName(),
		Spec:      &spec,
		Status:    &pluginStatus{Resources: res},
		CreatedAt: pv.createdAt,
		UpdatedAt: pv.createdAt, // versions never change
	}
}

// pluginNameRE is the documented rule: a letter first, letters, digits
// and '-', an alphanumeric last.
var pluginNameRE = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)

const (
	maxPluginName  = 253
	maxDescription = 255
)

func checkPluginName(name string) error {
	if len(name) > maxPluginName || !pluginNameRE.MatchString(name) {
		return fmt.Errorf("invalid resource plugin name %q: it must start with a letter, contain only letters, digits and '-', "+
			"end with a letter or digit, and be at most %d characters", name, maxPluginName)
	}
	return nil
}

// applyPlugin is PUT …/resource-plugins/{name}: publish a new version.
func (e *Emulator) applyPlugin(c *call, pathName string) {
	raw, ok := c.body()
	if !ok {
		return
	}
	e.mu.Lock()
	e.lastApply[pathName] = raw
	e.mu.Unlock()

	var in resourcePlugin
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		c.fail(http.StatusBadRequest, "invalid request body: %v", err)
		return
	}
	bare, typedVersion, hasVersion := strings.Cut(in.Name, "@")
	if bare != pathName {
		c.fail(http.StatusBadRequest, "name %q in the body does not match %q in the path", bare, pathName)
		return
	}
	if err := checkPluginName(bare); err != nil {
		c.fail(http.StatusBadRequest, "%v", err)
		return
	}
	version := semver{}
	if hasVersion {
		v, err := parseSemver(typedVersion)
		if err != nil {
			// "latest" is only for the version query of GET and DELETE.
			c.fail(http.StatusBadRequest, "invalid version in name %q: %v", in.Name, err)
			return
		}
		version = v
	}
	if in.Spec == nil {
		c.fail(http.StatusBadRequest, "spec is required")
		return
	}
	overlay, err := validateSpec(in.Spec)
	if err != nil {
		c.fail(http.StatusBadRequest, "%v", err)
		return
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	versions := e.plugins[bare]
	if slices.ContainsFunc(versions, func(pv *pluginVersion) bool { return pv.version.String() == version.String() }) {
		// The message repeats the version as the client typed it.
		c.fail(http.StatusConflict, "resource plugin %q already exists; versions are immutable, publish a new one", in.Name)
		return
	}
	versions = append(versions, &pluginVersion{
		name: bare, version: version, spec: *in.Spec, overlay: overlay, createdAt: e.timestamp(),
	})
	slices.SortFunc(versions, func(a, b *pluginVersion) int { return b.version.compare(a.version) })
	e.plugins[bare] = versions
	c.empty()
}

// validateSpec applies the apply-time checks; errors name the field.
func validateSpec(s *pluginSpec) (*podTemplate, error) {
	if len(s.Description) > maxDescription {
		return nil, fmt.Errorf("spec.description is %d bytes long; at most %d are allowed", len(s.Description), maxDescription)
	}
	if s.Runner == nil || s.Runner.Image == "" {
		return nil, errors.New("spec.runner.image is required")
	}
	overlay, err := parseOverlay(s.Runner.PodTemplateOverlay, s.Runner)
	if err != nil {
		return nil, err
	}
	// Step names are unique across create and delete, and delete steps
	// may consume create steps' outputs.
	where := map[string]string{} // step name → field path
	steps := map[string]*pluginStep{}
	for _, ph := range []struct {
		field string
		steps []pluginStep
	}{{"spec.create", s.Create}, {"spec.delete", s.Delete}} {
		for i := range ph.steps {
			st := &ph.steps[i]
			field := fmt.Sprintf("%s[%d]", ph.field, i)
			if st.Name == "" {
				return nil, fmt.Errorf("%s.name is required", field)
			}
			if prev, dup := where[st.Name]; dup {
				return nil, fmt.Errorf("%s.name %q is also used by %s; step names must be unique across create and delete", field, st.Name, prev)
			}
			where[st.Name], steps[st.Name] = field, st
			if err := checkOutputs(field, st); err != nil {
				return nil, err
			}
		}
	}
	for _, ph := range []struct {
		field   string
		steps   []pluginStep
		allowed func(name string) bool // steps this phase may consume
	}{
		{"spec.create", s.Create, func(n string) bool { return strings.HasPrefix(where[n], "spec.create[") }},
		{"spec.delete", s.Delete, func(n string) bool { return where[n] != "" }},
	} {
		for i := range ph.steps {
			if err := checkInputs(fmt.Sprintf("%s[%d]", ph.field, i), &ph.steps[i], steps, ph.allowed); err != nil {
				return nil, err
			}
		}
		if cycle := findCycle(ph.steps); cycle != nil {
			return nil, fmt.Errorf("%s: the valueFromStep inputs form a cycle: %s", ph.field, strings.Join(cycle, " -> "))
		}
	}
	return overlay, nil
}

func checkOutputs(field string, st *pluginStep) error {
	seen := map[string]bool{}
	for j, o := range st.Outputs {
		f := fmt.Sprintf("%s.outputs[%d]", field, j)
		switch {
		case o.Name == "":
			return fmt.Errorf("%s.name is required", f)
		case seen[o.Name]:
			return fmt.Errorf("%s.name %q is used twice in step %q", f, o.Name, st.Name)
		case o.ValueFromPath == "":
			return fmt.Errorf("%s.valueFromPath is required", f)
		}
		seen[o.Name] = true
	}
	return nil
}

func checkInputs(field string, st *pluginStep, steps map[string]*pluginStep, allowed func(string) bool) error {
	seen := map[string]bool{}
	for j, in := range st.Inputs {
		f := fmt.Sprintf("%s.inputs[%d]", field, j)
		switch {
		case in.Name == "":
			return fmt.Errorf("%s.name is required", f)
		case seen[in.Name]:
			return fmt.Errorf("%s.name %q is used twice in step %q", f, in.Name, st.Name)
		case in.ValueFromSandbox == (in.ValueFromStep != nil):
			return fmt.Errorf("%s (%q): exactly one of valueFromSandbox and valueFromStep must be set", f, in.Name)
		}
		seen[in.Name] = true
		ref := in.ValueFromStep
		if ref == nil {
			continue
		}
		src := steps[ref.Name]
		switch {
		case ref.Name == "" || ref.Output == "":
			return fmt.Errorf("%s.valueFromStep needs name and output", f)
		case src == nil:
			return fmt.Errorf("%s.valueFromStep: step %q does not exist", f, ref.Name)
		case !allowed(ref.Name):
			return fmt.Errorf("%s.valueFromStep: step %q is a delete step; create steps can only consume create steps", f, ref.Name)
		case !slices.ContainsFunc(src.Outputs, func(o stepOutput) bool { return o.Name == ref.Output }):
			return fmt.Errorf("%s.valueFromStep: step %q has no output %q", f, ref.Name, ref.Output)
		}
	}
	return nil
}

// findCycle returns a cycle of valueFromStep links among steps (links to
// steps of another phase cannot be part of one), or nil.
func findCycle(steps []pluginStep) []string {
	deps := map[string][]string{}
	for _, st := range steps {
		deps[st.Name] = nil
	}
	for _, st := range steps {
		for _, in := range st.Inputs {
			if in.ValueFromStep != nil {
				if _, same := deps[in.ValueFromStep.Name]; same {
					deps[st.Name] = append(deps[st.Name], in.ValueFromStep.Name)
				}
			}
		}
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		switch state[n] {
		case visiting:
			i := slices.Index(path, n)
			return append(slices.Clone(path[i:]), n)
		case done:
			return nil
		}
		state[n] = visiting
		path = append(path, n)
		for _, d := range deps[n] {
			if c := visit(d); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, st := range steps {
		if c := visit(st.Name); c != nil {
			return c
		}
	}
	return nil
}

// resolveVersion finds a version of a plugin: "" and "latest" are the
// highest. Callers hold e.mu. The error is the message of a 400 for a
// malformed version, nil with a nil result for a missing one.
func (e *Emulator) resolveVersion(name, version string) (*pluginVersion, error) {
	versions := e.plugins[name]
	if version == "" || version == "latest" {
		if len(versions) == 0 {
			return nil, nil
		}
		return versions[0], nil
	}
	v, err := parseSemver(version)
	if err != nil {
		return nil, fmt.Errorf("invalid version: %w", err)
	}
	for _, pv := range versions {
		if pv.version.String() == v.String() {
			return pv, nil
		}
	}
	return nil, nil
}

// checkPathName rejects a version in the path: the CLI sends it as a query
// parameter.
func checkPathName(c *call, name string) bool {
	if strings.Contains(name, "@") {
		c.fail(http.StatusBadRequest, "plugin name %q in the path must be bare; pass the version as ?version=", name)
		return false
	}
	return true
}

func (e *Emulator) getPlugin(c *call, name string) {
	if !checkPathName(c, name) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	pv, err := e.resolveVersion(name, c.r.URL.Query().Get("version"))
	switch {
	case err != nil:
		c.fail(http.StatusBadRequest, "%v", err)
	case pv == nil:
		c.fail(http.StatusNotFound, "resource plugin not found")
	default:
		c.ok(pv.wire())
	}
}

func (e *Emulator) listPlugins(c *call) {
	all := false
	switch v := c.r.URL.Query().Get("version"); v {
	case "", "latest":
	case "all":
		all = true
	default:
		c.fail(http.StatusBadRequest, "invalid version %q: want latest or all", v)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []resourcePlugin{}
	for _, name := range sortedKeys(e.plugins) {
		for _, pv := range e.plugins[name] { // highest first
			out = append(out, pv.wire())
			if !all {
				break
			}
		}
	}
	c.ok(out)
}

func (e *Emulator) pluginVersions(c *call, name string) {
	if !checkPathName(c, name) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []resourcePlugin{} // never published: 200 [], as the CLI expects
	for _, pv := range e.plugins[name] {
		out = append(out, pv.wire())
	}
	c.ok(out)
}

func (e *Emulator) deletePlugin(c *call, name string) {
	if !checkPathName(c, name) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	pv, err := e.resolveVersion(name, c.r.URL.Query().Get("version"))
	switch {
	case err != nil:
		c.fail(http.StatusBadRequest, "%v", err)
		return
	case pv == nil:
		c.fail(http.StatusNotFound, "resource plugin not found")
		return
	case len(pv.pins) > 0:
		c.fail(http.StatusBadRequest, "resource plugin %q is currently in use", pv.fullName())
		return
	}
	versions := slices.DeleteFunc(e.plugins[name], func(x *pluginVersion) bool { return x == pv })
	if len(versions) == 0 {
		delete(e.plugins, name)
	} else {
		e.plugins[name] = versions
	}
	c.empty()
}
