package signadotemu

import "encoding/json"

// Wire types, written from the OpenAPI spec independently of the client
// package.

// errorResponse is ErrorResponse.
type errorResponse struct {
	Code      int    `json:"code"`
	Error     string `json:"error"`
	RequestID string `json:"requestId"`
}

// resourcePlugin is ResourcePlugin. Bodies of PUT are decoded strictly
// (unknown fields are a 400) so that a client sending a misspelt field is
// caught; status and the timestamps are accepted and ignored, since a
// client may send back what it read.
type resourcePlugin struct {
	Name      string        `json:"name"`
	Spec      *pluginSpec   `json:"spec"`
	Status    *pluginStatus `json:"status,omitempty"`
	CreatedAt string        `json:"createdAt,omitempty"`
	UpdatedAt string        `json:"updatedAt,omitempty"`
}

type pluginSpec struct {
	Description string        `json:"description,omitempty"`
	Runner      *pluginRunner `json:"runner,omitempty"`
	// Empty lists are left out of answers: the spec types them as
	// arrays, which null is not.
	Create []pluginStep `json:"create,omitempty"`
	Delete []pluginStep `json:"delete,omitempty"`
}

type pluginRunner struct {
	Image              string `json:"image,omitempty"`
	Namespace          string `json:"namespace,omitempty"`
	PodTemplateOverlay string `json:"podTemplateOverlay,omitempty"`
}

type pluginStep struct {
	Name    string       `json:"name,omitempty"`
	Inputs  []stepInput  `json:"inputs,omitempty"`
	Outputs []stepOutput `json:"outputs,omitempty"`
	Script  string       `json:"script,omitempty"`
}

type stepInput struct {
	Name             string         `json:"name,omitempty"`
	Type             string         `json:"type,omitempty"`
	ValueFromSandbox bool           `json:"valueFromSandbox,omitempty"`
	ValueFromStep    *valueFromStep `json:"valueFromStep,omitempty"`
	As               *inputTo       `json:"as,omitempty"`
}

type valueFromStep struct {
	Name   string `json:"name,omitempty"`
	Output string `json:"output,omitempty"`
}

type inputTo struct {
	Env  string `json:"env,omitempty"`
	Path string `json:"path,omitempty"`
}

type stepOutput struct {
	Name          string `json:"name,omitempty"`
	ValueFromPath string `json:"valueFromPath,omitempty"`
	Description   string `json:"description,omitempty"`
	Type          string `json:"type,omitempty"`
}

// pluginStatus always carries a resources array: the CLI's printers
// dereference it without a nil check.
type pluginStatus struct {
	Resources []resourceInfo `json:"resources"`
}

type resourceInfo struct {
	Name    string `json:"name"`
	Sandbox string `json:"sandbox"`
	Cluster string `json:"cluster"`
}

// sandboxIn is the body of a sandbox PUT. The spec is kept as sent and
// echoed back, so only the fields the emulator acts on are decoded.
type sandboxIn struct {
	Name string          `json:"name"`
	Spec json.RawMessage `json:"spec"`
}

type sandboxSpecIn struct {
	Cluster   string            `json:"cluster"`
	Resources []sandboxResource `json:"resources"`
}

type sandboxResource struct {
	Name   string            `json:"name"`
	Plugin string            `json:"plugin"`
	Params map[string]string `json:"params,omitempty"`
}

// sandboxOut is Sandbox as returned, plus the emulator's outputs field.
type sandboxOut struct {
	Name       string          `json:"name"`
	RoutingKey string          `json:"routingKey"`
	Spec       json.RawMessage `json:"spec"`
	Status     readiness       `json:"status"`
	Endpoints  []struct{}      `json:"endpoints"` // no workloads are forked, so none
	CreatedAt  string          `json:"createdAt"`
	UpdatedAt  string          `json:"updatedAt"`
	// Outputs exist only in the emulator: resource name → "step.output" →
	// value, once every create step succeeded. The real API hands outputs
	// only to forked workloads, which the emulator does not run.
	Outputs map[string]map[string]string `json:"x-emulator-resource-outputs,omitempty"`
}

// readiness is sandbox.Readiness (the fields the emulator sets).
type readiness struct {
	Ready   bool   `json:"ready"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// explainResponse is sandboxes.SandboxStatusExplainResponse: Explanation in
// mode "explain", Context in mode "context".
type explainResponse struct {
	Mode        string      `json:"mode"`
	Status      readiness   `json:"status"`
	Explanation string      `json:"explanation,omitempty"`
	Context     *llmContext `json:"context,omitempty"`
}

// llmContext is sandboxes.LLMContext.
type llmContext struct {
	Messages []llmMessage `json:"messages"`
}

// llmMessage is sandboxes.LLMMessage; Role is "system" or "user".
type llmMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}
