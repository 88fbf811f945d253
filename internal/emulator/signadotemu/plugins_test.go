package signadotemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthAndRouting(t *testing.T) {
	a := newEmu(t, Options{Org: "acme", APIKey: "k1"})
	u := a.e.URL() + "/api/v2/orgs/acme/resource-plugins"
	for _, tt := range []struct {
		name, url, key string
		status         int
		msg            string
	}{
		{"no key", u, "", 401, "missing signadot-api-key header"},
		{"wrong key", u, "k2", 401, "invalid API key"},
		{"other org", a.e.URL() + "/api/v2/orgs/other/resource-plugins", "k1", 403, `not valid for org "other"`},
		{"no /api/v2", a.e.URL() + "/orgs/acme/resource-plugins", "k1", 404, "the API is under /api/v2"},
		{"unknown path", a.e.URL() + "/api/v2/orgs/acme/clusters", "k1", 404, "no such API path"},
		{"ok", u, "k1", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := a.raw("GET", tt.url, nil, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			a.expect(r, tt.status, tt.msg)
		})
	}
	r := a.do("POST", "/resource-plugins/x", nil)
	a.expect(r, http.StatusMethodNotAllowed, "not allowed")
	if r.header.Get("Allow") != "DELETE, GET, PUT" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
}

// Fault injection is emuhttp's and tested there; what is Signadot's own
// is the wording of the faults that answer, each error an ErrorResponse.
func TestFaultBodies(t *testing.T) {
	a := newEmu(t, Options{})
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultRateLimited}})
	if r := a.do("GET", "/resource-plugins", nil); r.status != http.StatusTooManyRequests || string(r.body) != "Too Many Requests" {
		t.Errorf("RateLimited: %s", r)
	}
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultServerError}})
	a.expect(a.do("GET", "/resource-plugins", nil), http.StatusInternalServerError, "internal error")
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultUnavailable}})
	a.expect(a.do("GET", "/resource-plugins", nil), http.StatusServiceUnavailable, "service unavailable, try again later")
}

func TestDefaults(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := e.workDir
	// The default PATH and HOME are the runner's (TestRunnerStepEnvOptions).
	if e.Org() != "emulated-org" || len(e.APIKey()) < 20 || len(e.stepEnv) != 0 {
		t.Errorf("defaults: org %q key %q env %q", e.Org(), e.APIKey(), e.stepEnv)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
	if fileExists(dir) {
		t.Errorf("Close left the work dir %s", dir)
	}
	own := t.TempDir()
	e, _ = New(Options{WorkDir: own})
	e.Close()
	if !fileExists(own) {
		t.Error("Close removed a WorkDir it did not create")
	}
	if _, err := New(Options{ImagePaths: []string{"opt/tool"}}); err == nil || err.Error() != `signadotemu: image path "opt/tool" is not absolute` {
		t.Errorf("relative image path: %v", err)
	}
}

func TestVersioning(t *testing.T) {
	a := newEmu(t, Options{})
	before := time.Now().UTC().Add(-time.Second)
	a.apply(plugin("db"))             // 0.0.0
	a.apply(plugin("db@v1.0"))        // 1.0.0
	a.apply(plugin("db@1.10.0"))      // above 1.9 numerically
	a.apply(plugin("db@1.9.0"))       // published later, still not the latest
	a.apply(plugin("db@1.10.0-rc.1")) // a pre-release is below its release
	a.apply(plugin("cache@2"))

	// Re-publishing is a 409 naming the version as typed.
	for _, typed := range []string{"db@1.0.0", "db@v1", "db"} {
		r := a.do("PUT", "/resource-plugins/db", plugin(typed))
		a.expect(r, http.StatusConflict, `resource plugin "`+typed+`" already exists`)
	}

	latest := a.getPlugin("db")
	if latest.Name != "db@1.10.0" {
		t.Errorf("latest = %s", latest.Name)
	}
	if p := a.getPlugin("db?version=latest"); p.Name != "db@1.10.0" {
		t.Errorf("version=latest = %s", p.Name)
	}
	if p := a.getPlugin("db?version=v1.0"); p.Name != "db@1.0.0" {
		t.Errorf("version=v1.0 = %s", p.Name)
	}
	// The default version is shown with the bare name.
	if p := a.getPlugin("db?version=0.0.0"); p.Name != "db" {
		t.Errorf("0.0.0 is named %q", p.Name)
	}
	created, err := time.Parse(time.RFC3339, latest.CreatedAt)
	if err != nil || created.Before(before) || latest.UpdatedAt != latest.CreatedAt {
		t.Errorf("createdAt %q updatedAt %q: %v", latest.CreatedAt, latest.UpdatedAt, err)
	}
	if latest.Status == nil || latest.Status.Resources == nil {
		t.Error("status.resources missing")
	}
	if !strings.Contains(string(a.do("GET", "/resource-plugins/db", nil).body), `"status":{"resources":[]}`) {
		t.Error(`GET lacks "status":{"resources":[]}`)
	}

	r := a.do("GET", "/resource-plugins/db/versions", nil)
	a.expect(r, http.StatusOK, "")
	if got := names(decodeAs[[]resourcePlugin](t, r)); got != "db@1.10.0 db@1.10.0-rc.1 db@1.9.0 db@1.0.0 db" {
		t.Errorf("versions = %s", got)
	}
	r = a.do("GET", "/resource-plugins/never/versions", nil)
	a.expect(r, http.StatusOK, "")
	if string(r.body) != "[]\n" {
		t.Errorf("versions of a never-published plugin = %s", r.body)
	}

	r = a.do("GET", "/resource-plugins", nil)
	a.expect(r, http.StatusOK, "")
	if got := names(decodeAs[[]resourcePlugin](t, r)); got != "cache@2.0.0 db@1.10.0" {
		t.Errorf("list = %s", got)
	}
	r = a.do("GET", "/resource-plugins?version=all", nil)
	a.expect(r, http.StatusOK, "")
	list := decodeAs[[]resourcePlugin](t, r)
	if got := names(list); got != "cache@2.0.0 db@1.10.0 db@1.10.0-rc.1 db@1.9.0 db@1.0.0 db" {
		t.Errorf("list all = %s", got)
	}
	for _, p := range list {
		if p.Status == nil || p.Status.Resources == nil {
			t.Errorf("%s: status.resources missing in the list", p.Name)
		}
	}
	if got := strings.Join(a.e.Plugins(), " "); got != "cache@2.0.0 db@0.0.0 db@1.0.0 db@1.9.0 db@1.10.0-rc.1 db@1.10.0" {
		t.Errorf("Plugins() = %s", got)
	}

	for _, tt := range []struct{ path, msg string }{
		{"/resource-plugins/nope", "resource plugin not found"},
		{"/resource-plugins/db?version=3.0.0", "resource plugin not found"},
	} {
		a.expect(a.do("GET", tt.path, nil), http.StatusNotFound, tt.msg)
	}
	a.expect(a.do("GET", "/resource-plugins/db?version=bogus", nil), http.StatusBadRequest, "not a semantic version")
	a.expect(a.do("GET", "/resource-plugins?version=some", nil), http.StatusBadRequest, "want latest or all")
	a.expect(a.do("GET", "/resource-plugins/db@1.0.0", nil), http.StatusBadRequest, "must be bare")

	// DELETE without a version deletes the latest; then the next is latest.
	a.expect(a.do("DELETE", "/resource-plugins/db", nil), http.StatusOK, "")
	if p := a.getPlugin("db"); p.Name != "db@1.10.0-rc.1" {
		t.Errorf("latest after deleting 1.10.0 = %s", p.Name)
	}
	a.expect(a.do("DELETE", "/resource-plugins/db?version=v1.0", nil), http.StatusOK, "")
	a.expect(a.do("DELETE", "/resource-plugins/db?version=1.0.0", nil), http.StatusNotFound, "resource plugin not found")
	a.expect(a.do("DELETE", "/resource-plugins/nope", nil), http.StatusNotFound, "resource plugin not found")
	// A deleted version can be published again.
	a.apply(plugin("db@1.0"))
}

func TestApplyValidation(t *testing.T) {
	step := func(name string, extra map[string]any) map[string]any {
		s := map[string]any{"name": name, "script": "true"}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	out := func(names ...string) []any {
		var o []any
		for _, n := range names {
			o = append(o, map[string]any{"name": n, "valueFromPath": "/outputs/" + n})
		}
		return o
	}
	fromStep := func(input, stepName, output string) []any {
		return []any{map[string]any{"name": input, "valueFromStep": map[string]any{"name": stepName, "output": output}}}
	}
	spec := func(mod func(s map[string]any)) map[string]any {
		s := map[string]any{
			"runner": map[string]any{"image": "img", "namespace": "signadot"},
			"create": []any{step("a", nil)},
		}
		mod(s)
		return s
	}
	withOverlay := func(overlay string) map[string]any {
		return spec(func(s map[string]any) { s["runner"].(map[string]any)["podTemplateOverlay"] = overlay })
	}
	tests := []struct {
		name, pathName string
		body           any
		msg            string
	}{
		{"not JSON", "p", `{"name":`, "invalid request body"},
		{"unknown field", "p", `{"name":"p","spec":{"runner":{"image":"i"},"creates":[]}}`, `unknown field "creates"`},
		{"name mismatch", "p", map[string]any{"name": "q@1.0", "spec": spec(func(map[string]any) {})}, `name "q" in the body does not match "p" in the path`},
		{"name starts with a digit", "1p", map[string]any{"name": "1p", "spec": spec(func(map[string]any) {})}, `invalid resource plugin name "1p"`},
		{"name ends with a dash", "p-", map[string]any{"name": "p-", "spec": spec(func(map[string]any) {})}, "end with a letter or digit"},
		{"name with underscore", "p_q", map[string]any{"name": "p_q", "spec": spec(func(map[string]any) {})}, "only letters, digits and '-'"},
		{"name too long", strings.Repeat("p", 254), map[string]any{"name": strings.Repeat("p", 254), "spec": spec(func(map[string]any) {})}, "at most 253"},
		{"version latest", "p", map[string]any{"name": "p@latest", "spec": spec(func(map[string]any) {})}, `invalid version in name "p@latest"`},
		{"version malformed", "p", map[string]any{"name": "p@1.2.3.4", "spec": spec(func(map[string]any) {})}, "not a semantic version"},
		{"no spec", "p", map[string]any{"name": "p"}, "spec is required"},
		{"no runner", "p", map[string]any{"name": "p", "spec": map[string]any{"create": nil}}, "spec.runner.image is required"},
		{"no image", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) { s["runner"] = map[string]any{"namespace": "x"} })},
			"spec.runner.image is required"},
		{"description too long", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) { s["description"] = strings.Repeat("é", 128) })},
			"spec.description is 256 bytes long; at most 255"},
		{"step without name", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) { s["delete"] = []any{step("", nil)} })},
			"spec.delete[0].name is required"},
		{"step name reused by delete", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) { s["delete"] = []any{step("a", nil)} })},
			`spec.delete[0].name "a" is also used by spec.create[0]`},
		{"input with both sources", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"outputs": out("o")}), step("b", map[string]any{"inputs": []any{map[string]any{
				"name": "x", "valueFromSandbox": true, "valueFromStep": map[string]any{"name": "a", "output": "o"}}}})}
		})}, `spec.create[1].inputs[0] ("x"): exactly one of valueFromSandbox and valueFromStep must be set`},
		{"input with no source", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"inputs": []any{map[string]any{"name": "x"}}})}
		})}, "exactly one of valueFromSandbox and valueFromStep"},
		{"input without name", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"inputs": []any{map[string]any{"valueFromSandbox": true}}})}
		})}, "spec.create[0].inputs[0].name is required"},
		{"unknown step", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"inputs": fromStep("x", "nope", "o")})}
		})}, `spec.create[0].inputs[0].valueFromStep: step "nope" does not exist`},
		{"unknown output", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"outputs": out("o")}), step("b", map[string]any{"inputs": fromStep("x", "a", "nope")})}
		})}, `spec.create[1].inputs[0].valueFromStep: step "a" has no output "nope"`},
		{"create consumes delete", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"inputs": fromStep("x", "d", "o")})}
			s["delete"] = []any{step("d", map[string]any{"outputs": out("o")})}
		})}, `step "d" is a delete step`},
		{"cycle", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{
				step("a", map[string]any{"outputs": out("o"), "inputs": fromStep("x", "c", "o")}),
				step("b", map[string]any{"outputs": out("o"), "inputs": fromStep("x", "a", "o")}),
				step("c", map[string]any{"outputs": out("o"), "inputs": fromStep("x", "b", "o")}),
			}
		})}, "spec.create: the valueFromStep inputs form a cycle: a -> c -> b -> a"},
		{"self reference", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["delete"] = []any{step("d", map[string]any{"outputs": out("o"), "inputs": fromStep("x", "d", "o")})}
		})}, "spec.delete: the valueFromStep inputs form a cycle: d -> d"},
		{"output without path", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"outputs": []any{map[string]any{"name": "o"}}})}
		})}, "spec.create[0].outputs[0].valueFromPath is required"},
		{"output twice", "p", map[string]any{"name": "p", "spec": spec(func(s map[string]any) {
			s["create"] = []any{step("a", map[string]any{"outputs": out("o", "o")})}
		})}, `spec.create[0].outputs[1].name "o" is used twice`},
		{"overlay not YAML", "p", map[string]any{"name": "p", "spec": withOverlay("spec: [")}, "spec.runner.podTemplateOverlay: invalid YAML"},
		{"overlay not a mapping", "p", map[string]any{"name": "p", "spec": withOverlay("- a\n- b\n")}, "spec.runner.podTemplateOverlay: not a pod template"},
		{"overlay is a whole pod", "p", map[string]any{"name": "p", "spec": withOverlay("apiVersion: v1\nkind: Pod\nspec: {}\n")},
			`unexpected top-level key "apiVersion"`},
		{"overlay wrong type", "p", map[string]any{"name": "p", "spec": withOverlay("spec:\n  containers: main\n")},
			"spec.runner.podTemplateOverlay: not a pod template"},
		{"overlay restartPolicy", "p", map[string]any{"name": "p", "spec": withOverlay("spec:\n  restartPolicy: Always\n")},
			`spec.restartPolicy must be Never (each step runs once), not "Always"`},
		{"overlay image conflict", "p", map[string]any{"name": "p", "spec": withOverlay("spec:\n  containers:\n  - name: main\n    image: other\n")},
			`spec.containers[0].image "other" conflicts with spec.runner.image "img"`},
		{"overlay namespace conflict", "p", map[string]any{"name": "p", "spec": withOverlay("metadata:\n  namespace: other\n")},
			`metadata.namespace "other" conflicts with spec.runner.namespace "signadot"`},
		{"overlay container without name", "p", map[string]any{"name": "p", "spec": withOverlay("spec:\n  containers:\n  - image: img\n")},
			"spec.containers[0].name is required"},
		{"overlay secretKeyRef without key", "p", map[string]any{"name": "p",
			"spec": withOverlay("spec:\n  containers:\n  - name: main\n    env:\n    - name: X\n      valueFrom:\n        secretKeyRef:\n          name: s\n")},
			"secretKeyRef needs name and key"},
	}
	a := newEmu(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("PUT", "/resource-plugins/"+tt.pathName, tt.body)
			a.expect(r, http.StatusBadRequest, tt.msg)
		})
	}
	if len(a.e.Plugins()) != 0 {
		t.Errorf("rejected plugins were stored: %v", a.e.Plugins())
	}
	// The last body is kept even when rejected.
	if got := string(a.e.LastApplyBody("p")); !strings.Contains(got, "podTemplateOverlay") {
		t.Errorf("LastApplyBody(p) = %s", got)
	}
}

func TestApplyAcceptsNullsAndRealPlugins(t *testing.T) {
	a := newEmu(t, Options{})
	// What the go-sdk sends for the Xata tutorial's plugin: null lists,
	// an overlay whose container is named "runner".
	body := `{"name":"xata-branch","spec":{
	  "create":[{"inputs":[{"name":"parent-branch","valueFromSandbox":true,"as":{"env":"PARENT_BRANCH"}}],"name":"provision",
	    "outputs":[{"name":"branch-name","valueFromPath":"/outputs/branch-name"},{"name":"connection-string","valueFromPath":"/outputs/connection-string"}],
	    "script":"#!/bin/bash\n"}],
	  "delete":[{"inputs":null,"name":"cleanup","outputs":null,"script":"#!/bin/bash\n"}],
	  "description":"Creates and deletes Xata database branches",
	  "runner":{"image":"debian:bookworm-slim","namespace":"signadot",
	    "podTemplateOverlay":"spec:\n  containers:\n  - name: runner\n    env:\n    - name: XATA_API_KEY\n      valueFrom:\n        secretKeyRef:\n          name: xata-credentials\n          key: XATA_API_KEY\n"}}}`
	r := a.do("PUT", "/resource-plugins/xata-branch", body)
	a.expect(r, http.StatusOK, "")
	r = a.do("PUT", "/resource-plugins/nulls", `{"name":"nulls@1.0.0","spec":{"runner":{"image":"i"},"create":null,"delete":null}}`)
	a.expect(r, http.StatusOK, "")
	// A client may send back what it read.
	r = a.do("PUT", "/resource-plugins/echo", `{"name":"echo","spec":{"runner":{"image":"i"},"create":null,"delete":null},`+
		`"status":{"resources":[]},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`)
	a.expect(r, http.StatusOK, "")

	got := a.getPlugin("xata-branch")
	if got.Name != "xata-branch" || got.Spec.Delete[0].Inputs != nil || got.Spec.Create[0].Inputs[0].As.Env != "PARENT_BRANCH" ||
		!strings.Contains(got.Spec.Runner.PodTemplateOverlay, "secretKeyRef") {
		t.Errorf("stored spec = %+v", got.Spec)
	}
	if string(a.e.LastApplyBody("xata-branch")) != body {
		t.Error("LastApplyBody differs from what was sent")
	}
	// Accepted as sent, but never answered: the spec types the lists as
	// arrays, and null is not one.
	for _, path := range []string{"/resource-plugins/xata-branch", "/resource-plugins/nulls?version=1.0.0", "/resource-plugins/nulls/versions", "/resource-plugins/echo",
		"/resource-plugins", "/resource-plugins?allVersions=true"} {
		if r := a.do("GET", path, nil); r.status != http.StatusOK || containsNull(t, r.body) {
			t.Errorf("GET %s = %s; want 200 without null", path, r)
		}
	}
}

func TestPluginInUse(t *testing.T) {
	a := newEmu(t, Options{})
	a.apply(plugin("db@1.0.0"))
	a.apply(plugin("db@2.0.0"))
	a.putSandbox("sb1", sandboxResource{Name: "main-db", Plugin: "db@1.0"})
	a.putSandbox("sb2", sandboxResource{Name: "other-db", Plugin: "db"}) // resolves to 2.0.0 now
	a.apply(plugin("db@3.0.0"))                                          // does not move sb2's pin

	pins := func(version string) []resourceInfo { return a.getPlugin("db?version=" + version).Status.Resources }
	if got := pins("1.0.0"); len(got) != 1 || got[0] != (resourceInfo{Name: "main-db", Sandbox: "sb1", Cluster: "test-cluster"}) {
		t.Errorf("1.0.0 pins = %+v", got)
	}
	if got := pins("2.0.0"); len(got) != 1 || got[0].Sandbox != "sb2" {
		t.Errorf("2.0.0 pins = %+v", got)
	}
	if got := pins("3.0.0"); len(got) != 0 {
		t.Errorf("3.0.0 pins = %+v", got)
	}
	a.expect(a.do("DELETE", "/resource-plugins/db?version=1.0.0", nil), http.StatusBadRequest,
		`resource plugin "db@1.0.0" is currently in use`)
	a.expect(a.do("DELETE", "/resource-plugins/db?version=2.0.0", nil), http.StatusBadRequest, "is currently in use")
	a.expect(a.do("DELETE", "/resource-plugins/db", nil), http.StatusOK, "") // 3.0.0 is free

	a.expect(a.do("DELETE", "/sandboxes/sb1", nil), http.StatusOK, "")
	a.waitSandbox("sb1", nil)
	if got := pins("1.0.0"); len(got) != 0 {
		t.Errorf("pins after the sandbox was deleted = %+v", got)
	}
	a.expect(a.do("DELETE", "/resource-plugins/db?version=1.0.0", nil), http.StatusOK, "")
	a.expect(a.do("DELETE", "/resource-plugins/db?version=2.0.0", nil), http.StatusBadRequest, "in use")
}

// containsNull reports whether a JSON document holds a null anywhere.
func containsNull(t *testing.T, body []byte) bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case nil:
			return true
		case map[string]any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
