package signadot

// Wire types of the Signadot API v2, named and tagged as the OpenAPI spec
// (and the go-sdk generated from it) names them. Like the go-sdk, the step
// lists and a step's inputs and outputs have no omitempty: the API accepts
// null for them. Nested objects the go-sdk sends only when set are values
// tagged omitzero here, so callers need no pointers for them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// ResourcePlugin is a published version of a resource plugin.
type ResourcePlugin struct {
	// Name is "bare[@semver]"; a bare name is version 0.0.0, and responses
	// show plugins at 0.0.0 with the bare name.
	Name   string               `json:"name,omitempty"`
	Spec   ResourcePluginSpec   `json:"spec,omitzero"`
	Status ResourcePluginStatus `json:"status,omitzero"` // server-set
	// CreatedAt and UpdatedAt are RFC3339 strings set by the server.
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
}

// ResourcePluginSpec is resourceplugin.Spec.
type ResourcePluginSpec struct {
	Description string `json:"description,omitempty"` // at most 255 bytes
	Runner      Runner `json:"runner,omitzero"`
	// Lists are omitted when empty: the spec types them as arrays, and
	// null is not an array.
	Create []Step `json:"create,omitempty"`
	Delete []Step `json:"delete,omitempty"`
}

// Runner is resourceplugin.Runner: the pod every step runs in.
type Runner struct {
	Image     string `json:"image,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// PodTemplateOverlay is a YAML pod template, as a string, merged over
	// the default runner pod; its container "main" runs the scripts.
	PodTemplateOverlay string `json:"podTemplateOverlay,omitempty"`
}

// Step is resourceplugin.Step. Step names are unique across create and
// delete; the order of steps follows their valueFromStep links.
type Step struct {
	Name    string       `json:"name,omitempty"`
	Inputs  []StepInput  `json:"inputs,omitempty"`
	Outputs []StepOutput `json:"outputs,omitempty"`
	Script  string       `json:"script,omitempty"`
}

// StepInput is resourceplugin.StepInput. Exactly one of ValueFromSandbox
// and ValueFromStep must be set.
type StepInput struct {
	// Name is, with ValueFromSandbox, the key in the sandbox resource's
	// params.
	Name             string         `json:"name,omitempty"`
	Type             string         `json:"type,omitempty"`
	ValueFromSandbox bool           `json:"valueFromSandbox,omitempty"`
	ValueFromStep    *ValueFromStep `json:"valueFromStep,omitempty"`
	// As defaults to an env var named after the input, upper-cased with
	// '-' turned into '_'.
	As *StepInputTo `json:"as,omitempty"`
}

// ValueFromStep is resourceplugin.ValueFromStep: output Output of step Name.
type ValueFromStep struct {
	Name   string `json:"name,omitempty"`
	Output string `json:"output,omitempty"`
}

// StepInputTo is resourceplugin.StepInputTo; both may be set.
type StepInputTo struct {
	Env  string `json:"env,omitempty"`
	Path string `json:"path,omitempty"`
}

// StepOutput is resourceplugin.StepOut. A sandbox refers to it as
// "<step>.<name>".
type StepOutput struct {
	Name          string `json:"name,omitempty"`
	ValueFromPath string `json:"valueFromPath,omitempty"`
	Description   string `json:"description,omitempty"`
	Type          string `json:"type,omitempty"`
}

// ResourcePluginStatus is resourceplugin.Status.
type ResourcePluginStatus struct {
	// Resources are the sandbox resources that use this version; while
	// any exists the version cannot be deleted.
	Resources []ResourceInfo `json:"resources,omitempty"`
}

// ResourceInfo is one sandbox resource created with a plugin.
type ResourceInfo struct {
	Name    string `json:"name,omitempty"` // the resource's name in the sandbox
	Sandbox string `json:"sandbox,omitempty"`
	Cluster string `json:"cluster,omitempty"`
}

// Sandbox is a Signadot sandbox. Only the fields this project uses are
// modelled; the others are dropped when decoding.
type Sandbox struct {
	Name       string            `json:"name,omitempty"`
	RoutingKey string            `json:"routingKey,omitempty"` // server-set
	Spec       SandboxSpec       `json:"spec"`
	Status     SandboxStatus     `json:"status,omitzero"` // server-set
	Endpoints  []SandboxEndpoint `json:"endpoints,omitempty"`
	CreatedAt  string            `json:"createdAt,omitempty"`
	UpdatedAt  string            `json:"updatedAt,omitempty"`

	// EmulatorResourceOutputs is present only when talking to the local
	// emulator (internal/emulator/signadotemu): resource name → "step.output"
	// → value. The real API exposes outputs only to forked workloads.
	EmulatorResourceOutputs map[string]map[string]string `json:"x-emulator-resource-outputs,omitempty"`
}

// SandboxSpec is sandbox.Spec. Cluster and Forks are required by the API
// and, as in the go-sdk, always sent.
type SandboxSpec struct {
	Cluster           string             `json:"cluster"`
	Description       string             `json:"description,omitempty"`
	Labels            map[string]string  `json:"labels,omitempty"`
	TTL               *SandboxTTL        `json:"ttl,omitempty"`
	Resources         []SandboxResource  `json:"resources,omitempty"`
	Forks             []Fork             `json:"forks"`
	DefaultRouteGroup *DefaultRouteGroup `json:"defaultRouteGroup,omitempty"`
}

// SandboxTTL is sandbox.TTL.
type SandboxTTL struct {
	Duration   string `json:"duration,omitempty"`   // e.g. "10m", "2h", "1d", "1w"
	OffsetFrom string `json:"offsetFrom,omitempty"` // "createdAt" (default) or "updatedAt"
}

// SandboxResource is sandbox.Resource: one instance of a resource plugin.
// Resources cannot be changed once the sandbox exists.
type SandboxResource struct {
	Name string `json:"name,omitempty"`
	// Plugin is "name[@version]"; without a version (or with @latest) the
	// server pins the highest version when the sandbox is created.
	Plugin string            `json:"plugin,omitempty"`
	Params map[string]string `json:"params,omitempty"`
}

// Fork is sandbox.Fork.
type Fork struct {
	ForkOf         ForkOf          `json:"forkOf"`
	Customizations *Customizations `json:"customizations,omitempty"`
}

// ForkOf is sandbox.ForkOf; every field is required.
type ForkOf struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Customizations is sandbox.Customizations (environment only).
type Customizations struct {
	Env []EnvVar `json:"env,omitempty"`
}

// EnvVar is sandbox.EnvVar.
type EnvVar struct {
	Name      string        `json:"name"`
	Value     string        `json:"value,omitempty"`
	ValueFrom *EnvValueFrom `json:"valueFrom,omitempty"`
}

// EnvValueFrom is sandbox.EnvValueFrom (resource outputs only).
type EnvValueFrom struct {
	Resource *EnvValueFromResource `json:"resource,omitempty"`
}

// EnvValueFromResource takes a value from a sandbox resource's output;
// OutputKey is "<step>.<output>".
type EnvValueFromResource struct {
	Name      string `json:"name"`
	OutputKey string `json:"outputKey"`
}

// DefaultRouteGroup is sandbox.DefaultRouteGroup.
type DefaultRouteGroup struct {
	Endpoints []RouteGroupEndpoint `json:"endpoints,omitempty"`
}

// RouteGroupEndpoint is endpoints.Endpoint.
type RouteGroupEndpoint struct {
	Name   string `json:"name,omitempty"`
	Target string `json:"target,omitempty"`
}

// SandboxStatus is the part of sandbox.Readiness this project reads.
type SandboxStatus struct {
	Ready   bool   `json:"ready"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// SandboxEndpoint is sandbox.Endpoint.
type SandboxEndpoint struct {
	Name        string `json:"name,omitempty"`
	Host        string `json:"host,omitempty"`
	Port        int64  `json:"port,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	Target      string `json:"target,omitempty"`
	URL         string `json:"url,omitempty"`
	BaselineURL string `json:"baselineUrl,omitempty"`
	RouteType   string `json:"routeType,omitempty"`
}

// A 200 whose body is not what the operation returns (empty, null, a list
// where an object belongs, an object without a name) would otherwise
// decode into a zero value, and a caller would take it for a plugin or
// sandbox with no spec. The decoders below refuse it instead, naming the
// operation. A name is the one field every plugin and sandbox has.

// doObject runs cl and decodes its body into a T, which must be a JSON
// object with a non-empty name; what ("a resource plugin") names T in
// errors.
func doObject[T any](ctx context.Context, c *Client, cl apiclient.Call, what string, name func(*T) string) (*T, error) {
	raw, err := c.doRaw(ctx, cl, what)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if problem := decodeNamed(raw, out, name); problem != "" {
		return nil, notA(cl, what, problem)
	}
	return out, nil
}

// doList runs cl and decodes its body into a list of T, each as doObject
// requires. null is an empty list, as a Go server encodes one.
func doList[T any](ctx context.Context, c *Client, cl apiclient.Call, what, itemWhat string, name func(*T) string) ([]T, error) {
	raw, err := c.doRaw(ctx, cl, what)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if kind := jsonKind(raw); kind != "array" && kind != "null" {
		return nil, notA(cl, what, "a JSON "+kind)
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, notA(cl, what, err.Error())
	}
	out := make([]T, len(items))
	for i, item := range items {
		if problem := decodeNamed(item, &out[i], name); problem != "" {
			return nil, notA(cl, what, fmt.Sprintf("item %d is not %s: %s", i, itemWhat, problem))
		}
	}
	return out, nil
}

// doRaw runs cl and returns its body, which is valid JSON.
func (c *Client) doRaw(ctx context.Context, cl apiclient.Call, what string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.api.Do(ctx, cl, &raw)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax) && syntax.Offset == 0:
		return nil, notA(cl, what, "empty body")
	case errors.As(err, &syntax):
		return nil, notA(cl, what, "not JSON: "+syntax.Error())
	}
	return raw, err
}

// decodeNamed decodes raw into out and says what is wrong with it ("" if
// nothing).
func decodeNamed[T any](raw json.RawMessage, out *T, name func(*T) string) string {
	if kind := jsonKind(raw); kind != "object" {
		return "a JSON " + kind
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return err.Error()
	}
	if name(out) == "" {
		return "an object without a name"
	}
	return ""
}

// jsonKind is the type of a valid JSON value: object, array, string,
// number, boolean or null.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func notA(cl apiclient.Call, what, problem string) error {
	return fmt.Errorf("signadot API: %s %s: the 200 response is not %s (%s)", cl.Method, cl.Path, what, problem)
}
