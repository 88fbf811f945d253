package signadotemu

import (
	"fmt"
	"net/http"
	"strings"
)

// explainSandbox is GET …/sandboxes/{name}/status/explain. The real API
// asks an LLM (mode "explain") or returns the messages it would send it
// (mode "context"), and answers 403 unless the org enabled the feature.
// The emulator has the feature on and writes the explanation itself from
// the sandbox's phase and step runs, so clients get the same shape.
func (e *Emulator) explainSandbox(c *call, name string) {
	mode := c.r.URL.Query().Get("mode")
	if mode == "" {
		mode = "explain"
	}
	if mode != "explain" && mode != "context" {
		c.fail(http.StatusBadRequest, "invalid mode %q: want explain or context", mode)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	sb := e.sandboxes[name]
	if sb == nil {
		c.fail(http.StatusNotFound, sandboxNotFound)
		return
	}
	out := explainResponse{Mode: mode, Status: e.render(sb).Status}
	if mode == "explain" {
		out.Explanation = e.explanation(sb)
	} else {
		out.Context = &llmContext{Messages: []llmMessage{
			{Role: "system", Content: explainSystemPrompt},
			{Role: "user", Content: e.explainContext(sb)},
		}}
	}
	c.ok(out)
}

const explainSystemPrompt = "You explain the status of a Signadot sandbox to its owner: why it is in its current state " +
	"and what, if anything, they can do. Answer in a few sentences, using only the context given."

// explanation says why the sandbox is in its phase and what to do. The
// status message already holds a failed step's log tail. Callers hold e.mu.
func (e *Emulator) explanation(sb *sandbox) string {
	switch sb.phase {
	case phaseProvisioning:
		return fmt.Sprintf("Sandbox %s is not ready yet: the create steps of its resources (%s) are still running. "+
			"Read the status again in a moment.", sb.name, resourceList(sb))
	case phaseFailed:
		return fmt.Sprintf("Sandbox %s failed while creating its resources: %s\n"+
			"Fix the plugin step or the sandbox's resource params, then delete the sandbox and create it again: "+
			"the resources of an existing sandbox cannot be updated.", sb.name, sb.message)
	case phaseTerminating:
		return fmt.Sprintf("Sandbox %s is being deleted: the delete steps of its resources (%s) are running.", sb.name, resourceList(sb))
	case phaseDeleteFailed:
		return fmt.Sprintf("Deleting sandbox %s failed: %s\n"+
			"Fix the cause and delete the sandbox again to retry its delete steps, or delete it with force=true "+
			"to skip the steps that fail.", sb.name, sb.message)
	}
	if len(sb.resources) == 0 {
		return fmt.Sprintf("Sandbox %s is ready; it has no resources to provision.", sb.name)
	}
	return fmt.Sprintf("Sandbox %s is ready: the create steps of every resource (%s) succeeded and their outputs are "+
		"available to the sandbox's forks. Nothing needs doing.", sb.name, resourceList(sb))
}

// explainContext is what the user message would tell an LLM: the status
// and which steps ran. It leaves out step outputs and logs (beyond the
// status message), which may hold credentials. Callers hold e.mu.
func (e *Emulator) explainContext(sb *sandbox) string {
	var b strings.Builder
	st := e.render(sb).Status
	fmt.Fprintf(&b, "Sandbox: %s (cluster %s)\nReady: %t\nReason: %s\nMessage: %s\nResources:\n",
		sb.name, sb.cluster, st.Ready, st.Reason, st.Message)
	if len(sb.resources) == 0 {
		b.WriteString("- none\n")
	}
	for _, r := range sb.resources {
		fmt.Fprintf(&b, "- %s: plugin %s\n", r.Name, r.pv.fullName())
	}
	b.WriteString("Step runs:\n")
	n := 0
	for _, run := range e.runs[sb.name] {
		if run.sandboxID == sb.id {
			fmt.Fprintf(&b, "- resource %s, %s step %s: exit code %d\n", run.Resource, run.Phase, run.Step, run.ExitCode)
			n++
		}
	}
	if n == 0 {
		b.WriteString("- none\n")
	}
	return b.String()
}

// resourceList names the resources and their plugin versions.
func resourceList(sb *sandbox) string {
	names := make([]string, len(sb.resources))
	for i, r := range sb.resources {
		names[i] = r.Name + " from " + r.pv.fullName()
	}
	return strings.Join(names, ", ")
}
