package signadotemu

import (
	"fmt"
	"slices"

	"sigs.k8s.io/yaml"
)

// podTemplate is the part of a runner's podTemplateOverlay the emulator
// understands. Kubernetes would accept many more fields; they are allowed
// and ignored.
type podTemplate struct {
	Metadata struct {
		Namespace string `json:"namespace,omitempty"`
	} `json:"metadata"`
	Spec struct {
		RestartPolicy string      `json:"restartPolicy,omitempty"`
		Containers    []container `json:"containers,omitempty"`
	} `json:"spec"`
}

type container struct {
	Name  string   `json:"name"`
	Image string   `json:"image,omitempty"`
	Env   []envVar `json:"env,omitempty"`
}

type envVar struct {
	Name      string        `json:"name"`
	Value     string        `json:"value,omitempty"`
	ValueFrom *envVarSource `json:"valueFrom,omitempty"`
}

// envVarSource keeps the kinds the emulator cannot resolve as raw values
// so that a step using them fails with a clear message.
type envVarSource struct {
	SecretKeyRef     *keyRef `json:"secretKeyRef,omitempty"`
	ConfigMapKeyRef  any     `json:"configMapKeyRef,omitempty"`
	FieldRef         any     `json:"fieldRef,omitempty"`
	ResourceFieldRef any     `json:"resourceFieldRef,omitempty"`
}

type keyRef struct {
	Name     string `json:"name"`
	Key      string `json:"key"`
	Optional bool   `json:"optional,omitempty"`
}

// mainContainer is the container whose settings the operator applies to
// the step: the official plugins name it "main".
const mainContainer = "main"

// parseOverlay checks an overlay the way apply-time validation does and
// returns it (nil for none). Errors name the field.
func parseOverlay(src string, runner *pluginRunner) (*podTemplate, error) {
	if src == "" {
		return nil, nil
	}
	const field = "spec.runner.podTemplateOverlay"
	var generic any
	if err := yaml.Unmarshal([]byte(src), &generic); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", field, err)
	}
	top, ok := generic.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a pod template: want a mapping with metadata and spec, got %T", field, generic)
	}
	for _, k := range sortedKeys(top) {
		if k != "metadata" && k != "spec" {
			return nil, fmt.Errorf("%s: not a pod template fragment: unexpected top-level key %q (only metadata and spec are allowed)", field, k)
		}
	}
	var pt podTemplate
	if err := yaml.Unmarshal([]byte(src), &pt); err != nil {
		return nil, fmt.Errorf("%s: not a pod template: %w", field, err)
	}
	if p := pt.Spec.RestartPolicy; p != "" && p != "Never" {
		return nil, fmt.Errorf("%s: spec.restartPolicy must be Never (each step runs once), not %q", field, p)
	}
	if ns := pt.Metadata.Namespace; ns != "" && runner.Namespace != "" && ns != runner.Namespace {
		return nil, fmt.Errorf("%s: metadata.namespace %q conflicts with spec.runner.namespace %q", field, ns, runner.Namespace)
	}
	var names []string
	for i, ctr := range pt.Spec.Containers {
		if ctr.Name == "" {
			return nil, fmt.Errorf("%s: spec.containers[%d].name is required", field, i)
		}
		if slices.Contains(names, ctr.Name) {
			return nil, fmt.Errorf("%s: spec.containers[%d].name %q is used twice", field, i, ctr.Name)
		}
		names = append(names, ctr.Name)
		if ctr.Name == mainContainer && ctr.Image != "" && ctr.Image != runner.Image {
			return nil, fmt.Errorf("%s: spec.containers[%d].image %q conflicts with spec.runner.image %q", field, i, ctr.Image, runner.Image)
		}
		for j, ev := range ctr.Env {
			if ev.Name == "" {
				return nil, fmt.Errorf("%s: spec.containers[%d].env[%d].name is required", field, i, j)
			}
			if ref := ev.secretRef(); ref != nil && (ref.Name == "" || ref.Key == "") {
				return nil, fmt.Errorf("%s: spec.containers[%d].env[%d] (%s): secretKeyRef needs name and key", field, i, j, ev.Name)
			}
		}
	}
	return &pt, nil
}

func (ev envVar) secretRef() *keyRef {
	if ev.ValueFrom == nil {
		return nil
	}
	return ev.ValueFrom.SecretKeyRef
}

// stepContainer picks the container whose env a step gets: those named
// "main", else a single container of any name (the Xata tutorial names it
// "runner"), with a warning for the step log.
func (pt *podTemplate) stepContainer() (*container, string) {
	if pt == nil || len(pt.Spec.Containers) == 0 {
		return nil, ""
	}
	for i := range pt.Spec.Containers {
		if pt.Spec.Containers[i].Name == mainContainer {
			return &pt.Spec.Containers[i], ""
		}
	}
	if len(pt.Spec.Containers) == 1 {
		c := &pt.Spec.Containers[0]
		return c, fmt.Sprintf("warning: the podTemplateOverlay container is named %q, not %q; the emulator applies it to the step anyway, "+
			"but Signadot patches only the container named %q and would add %q as a second container", c.Name, mainContainer, mainContainer, c.Name)
	}
	return nil, fmt.Sprintf("warning: the podTemplateOverlay has %d containers and none is named %q; none of them is applied to the step",
		len(pt.Spec.Containers), mainContainer)
}
