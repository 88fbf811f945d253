package signadotemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// phase is where a sandbox is in its life.
type phase int

const (
	phaseProvisioning phase = iota // create steps running
	phaseReady
	phaseFailed       // a create step failed; the sandbox stays failed until deleted
	phaseTerminating  // delete steps running
	phaseDeleteFailed // a delete step failed; another DELETE retries
)

// Status reasons, named like Kubernetes condition reasons. The API does
// not document the real ones.
var phaseReasons = map[phase]string{
	phaseProvisioning: "ResourcesProvisioning",
	phaseReady:        "Ready",
	phaseFailed:       "ResourceFailed",
	phaseTerminating:  "Terminating",
	phaseDeleteFailed: "ResourceDeleteFailed",
}

// sandbox is a stored sandbox. name, id, routingKey, dir and resources
// (apart from their mutable fields) never change; the rest is guarded by
// Emulator.mu.
type sandbox struct {
	name, id, routingKey string
	dir                  string // per-step directories
	resources            []*sbResource

	cluster              string
	spec                 json.RawMessage // as sent, echoed back
	createdAt, updatedAt string
	phase                phase
	message              string
	outputs              map[string]map[string]string // set once every create step succeeded
	steps                int                          // steps started, for directory names
	// cancel stops the running workflow; done is closed when it ends.
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// sbResource is a sandbox resource with its pinned plugin version.
type sbResource struct {
	sandboxResource
	pv *pluginVersion
	// values are the outputs of this resource's steps so far, keyed
	// "step.output"; deleted is set once its delete steps succeeded.
	// Both are guarded by Emulator.mu.
	values  map[string]string
	deleted bool
}

func (e *Emulator) render(sb *sandbox) sandboxOut {
	out := sandboxOut{
		Name:       sb.name,
		RoutingKey: sb.routingKey,
		Spec:       sb.spec,
		Status:     readiness{Ready: sb.phase == phaseReady, Reason: phaseReasons[sb.phase], Message: sb.message},
		Endpoints:  []struct{}{},
		CreatedAt:  sb.createdAt,
		UpdatedAt:  sb.updatedAt,
	}
	if sb.outputs != nil {
		out.Outputs = map[string]map[string]string{}
		for k, v := range sb.outputs {
			out.Outputs[k] = maps.Clone(v)
		}
	}
	return out
}

// notFound is the text the CLI matches to detect a deleted sandbox.
const sandboxNotFound = "can't get sandbox: not found"

func (e *Emulator) getSandbox(c *call, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sb := e.sandboxes[name]
	if sb == nil {
		c.fail(http.StatusNotFound, sandboxNotFound)
		return
	}
	c.ok(e.render(sb))
}

func (e *Emulator) listSandboxes(c *call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []sandboxOut{}
	for _, name := range sortedKeys(e.sandboxes) {
		out = append(out, e.render(e.sandboxes[name]))
	}
	c.ok(out)
}

// putSandbox creates a sandbox, or updates one whose resources are
// unchanged (resources cannot be updated). A new sandbox's resources are
// provisioned in the background.
func (e *Emulator) putSandbox(c *call, name string) {
	raw, ok := c.body()
	if !ok {
		return
	}
	var in sandboxIn
	if err := json.Unmarshal(raw, &in); err != nil {
		c.fail(http.StatusBadRequest, "invalid request body: %v", err)
		return
	}
	if in.Name != "" && in.Name != name {
		c.fail(http.StatusBadRequest, "name %q in the body does not match %q in the path", in.Name, name)
		return
	}
	if len(in.Spec) == 0 || bytes.Equal(in.Spec, []byte("null")) {
		c.fail(http.StatusBadRequest, "spec is required")
		return
	}
	var spec sandboxSpecIn
	if err := json.Unmarshal(in.Spec, &spec); err != nil {
		c.fail(http.StatusBadRequest, "invalid spec: %v", err)
		return
	}
	if spec.Cluster == "" {
		c.fail(http.StatusBadRequest, "spec.cluster is required")
		return
	}
	var names []string
	for i, r := range spec.Resources {
		switch {
		case r.Name == "":
			c.fail(http.StatusBadRequest, "spec.resources[%d].name is required", i)
			return
		case slices.Contains(names, r.Name):
			c.fail(http.StatusBadRequest, "spec.resources[%d].name %q is used twice", i, r.Name)
			return
		case r.Plugin == "":
			c.fail(http.StatusBadRequest, "spec.resources[%d].plugin is required", i)
			return
		}
		names = append(names, r.Name)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.timestamp()
	if sb := e.sandboxes[name]; sb != nil {
		switch {
		case sb.phase == phaseTerminating || sb.phase == phaseDeleteFailed:
			c.fail(http.StatusConflict, "sandbox %q is being deleted", name)
		case !sameResources(sb.resources, spec.Resources):
			c.fail(http.StatusBadRequest, "spec.resources: the resources of an existing sandbox cannot be updated; delete and re-create the sandbox")
		default:
			sb.spec, sb.cluster, sb.updatedAt = in.Spec, spec.Cluster, now
			c.ok(e.render(sb))
		}
		return
	}
	if e.closed {
		c.fail(http.StatusServiceUnavailable, "emulator is shutting down")
		return
	}
	sb := &sandbox{
		name: name, id: newSandboxID(), routingKey: newRoutingKey(),
		cluster: spec.Cluster, spec: in.Spec, createdAt: now, updatedAt: now,
	}
	sb.dir = filepath.Join(e.workDir, "sandbox-"+sb.id)
	for i, r := range spec.Resources {
		// Without a version, or with @latest, the highest version is pinned
		// now, when the sandbox is created.
		bare, version, _ := strings.Cut(r.Plugin, "@")
		pv, err := e.resolveVersion(bare, version)
		if err != nil {
			c.fail(http.StatusBadRequest, "spec.resources[%d].plugin %q: %v", i, r.Plugin, err)
			return
		}
		if pv == nil {
			// Worded without "not found": clients read that as "this
			// sandbox does not exist".
			c.fail(http.StatusBadRequest, "spec.resources[%d].plugin: no resource plugin %q is published", i, r.Plugin)
			return
		}
		sb.resources = append(sb.resources, &sbResource{sandboxResource: r, pv: pv, values: map[string]string{}})
	}
	for _, r := range sb.resources {
		r.pv.pins = append(r.pv.pins, resourceInfo{Name: r.Name, Sandbox: sb.name, Cluster: sb.cluster})
	}
	e.sandboxes[name] = sb
	if len(sb.resources) == 0 {
		sb.phase = phaseReady
	} else {
		sb.phase = phaseProvisioning
		e.startWorkflow(sb, func(ctx context.Context, _ <-chan struct{}) { e.runCreate(ctx, sb) })
	}
	c.ok(e.render(sb))
}

// sameResources compares resources as sent (plugin as typed, not as
// resolved).
func sameResources(have []*sbResource, want []sandboxResource) bool {
	return slices.EqualFunc(have, want, func(h *sbResource, w sandboxResource) bool {
		return h.Name == w.Name && h.Plugin == w.Plugin && maps.Equal(h.Params, w.Params)
	})
}

// startWorkflow runs fn in the background as the sandbox's current
// workflow. fn gets the done channel of the previous workflow, which it
// must wait for before touching the resources. Callers hold e.mu.
func (e *Emulator) startWorkflow(sb *sandbox, fn func(ctx context.Context, prev <-chan struct{})) {
	prev := sb.done
	ctx, cancel := context.WithCancelCause(e.ctx)
	done := make(chan struct{})
	sb.cancel, sb.done = cancel, done
	e.workflows.Add(1)
	go func() {
		defer e.workflows.Done()
		defer close(done)
		defer cancel(nil)
		fn(ctx, prev)
	}()
}

// deleteSandbox starts the delete workflow. ?force=true is the emulator's
// reading of the undocumented force flag: failed delete steps are skipped
// and the sandbox is deleted anyway.
func (e *Emulator) deleteSandbox(c *call, name string) {
	force := false
	if v := c.r.URL.Query().Get("force"); v != "" {
		f, err := strconv.ParseBool(v)
		if err != nil {
			c.fail(http.StatusBadRequest, "invalid force %q: want true or false", v)
			return
		}
		force = f
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	sb := e.sandboxes[name]
	switch {
	case sb == nil:
		c.fail(http.StatusNotFound, sandboxNotFound)
		return
	case sb.phase == phaseTerminating:
		c.empty() // already being deleted
		return
	case e.closed:
		c.fail(http.StatusServiceUnavailable, "emulator is shutting down")
		return
	}
	if sb.cancel != nil {
		// Like deleting a runner pod: a create step still running is
		// killed, and the delete steps then clean up.
		sb.cancel(errors.New("the sandbox is being deleted"))
	}
	sb.phase, sb.message, sb.updatedAt = phaseTerminating, "", e.timestamp()
	e.startWorkflow(sb, func(ctx context.Context, prev <-chan struct{}) {
		if prev != nil {
			<-prev
		}
		e.runDelete(ctx, sb, force)
	})
	c.empty()
}

// runCreate runs every resource's create steps, in declared resource order.
func (e *Emulator) runCreate(ctx context.Context, sb *sandbox) {
	for _, r := range sb.resources {
		values := map[string]string{}
		for _, st := range orderSteps(r.pv.spec.Create) {
			outputs, failure := e.runStep(ctx, sb, r, "create", st, values)
			if failure != "" {
				e.mu.Lock()
				if sb.phase == phaseProvisioning {
					sb.phase, sb.message = phaseFailed, failure
				}
				e.mu.Unlock()
				return
			}
			for k, v := range outputs {
				values[st.Name+"."+k] = v
			}
			e.mu.Lock()
			r.values = maps.Clone(values)
			e.mu.Unlock()
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if sb.phase == phaseProvisioning {
		sb.phase, sb.message = phaseReady, "all resources are ready"
		sb.outputs = map[string]map[string]string{}
		for _, r := range sb.resources {
			sb.outputs[r.Name] = maps.Clone(r.values)
		}
	}
}

// runDelete runs the delete steps of every resource not yet deleted, in
// reverse resource order; then the sandbox goes away and releases its
// plugin versions.
func (e *Emulator) runDelete(ctx context.Context, sb *sandbox, force bool) {
	for i := len(sb.resources) - 1; i >= 0; i-- {
		r := sb.resources[i]
		e.mu.Lock()
		deleted, values := r.deleted, maps.Clone(r.values)
		e.mu.Unlock()
		if deleted {
			continue
		}
		for _, st := range orderSteps(r.pv.spec.Delete) {
			outputs, failure := e.runStep(ctx, sb, r, "delete", st, values)
			if failure != "" && (!force || ctx.Err() != nil) {
				e.mu.Lock()
				sb.phase, sb.message = phaseDeleteFailed, failure
				e.mu.Unlock()
				return
			}
			for k, v := range outputs {
				values[st.Name+"."+k] = v
			}
		}
		e.mu.Lock()
		r.deleted = true
		e.mu.Unlock()
	}
	e.mu.Lock()
	if e.sandboxes[sb.name] == sb {
		delete(e.sandboxes, sb.name)
	}
	for _, r := range sb.resources {
		r.pv.pins = slices.DeleteFunc(r.pv.pins, func(p resourceInfo) bool {
			return p.Sandbox == sb.name && p.Name == r.Name
		})
	}
	e.mu.Unlock()
	if err := os.RemoveAll(sb.dir); err != nil {
		e.logDebug("signadotemu: sandbox %s: removing its step directories: %v", sb.name, err)
	}
}

// orderSteps orders steps so that each runs after the steps whose outputs
// it consumes, otherwise in declared order. Cycles were rejected at apply
// time.
func orderSteps(steps []pluginStep) []pluginStep {
	inPhase := map[string]bool{}
	for _, st := range steps {
		inPhase[st.Name] = true
	}
	ran := map[string]bool{}
	ready := func(st pluginStep) bool {
		for _, in := range st.Inputs {
			if in.ValueFromStep != nil && inPhase[in.ValueFromStep.Name] && !ran[in.ValueFromStep.Name] {
				return false
			}
		}
		return true
	}
	out := make([]pluginStep, 0, len(steps))
	for len(out) < len(steps) {
		progress := false
		for _, st := range steps {
			if !ran[st.Name] && ready(st) {
				out, ran[st.Name], progress = append(out, st), true, true
				break // restart from the top: earliest declared step first
			}
		}
		if !progress {
			panic(fmt.Sprintf("signadotemu: step cycle survived validation among %d steps", len(steps)))
		}
	}
	return out
}
