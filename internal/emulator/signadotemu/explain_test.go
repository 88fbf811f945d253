package signadotemu

import (
	"net/http"
	"strings"
	"testing"
)

func TestSandboxStatusExplain(t *testing.T) {
	a := newEmu(t, Options{})
	a.expect(a.do("GET", "/sandboxes/nope/status/explain", nil), http.StatusNotFound, "can't get sandbox: not found")
	a.putSandbox("plain")
	a.expect(a.do("POST", "/sandboxes/plain/status/explain", nil), http.StatusMethodNotAllowed, "method POST not allowed")
	a.expect(a.do("GET", "/sandboxes/plain/status/explain?mode=llm", nil), http.StatusBadRequest, `invalid mode "llm": want explain or context`)
	a.expect(a.do("GET", "/sandboxes/plain/status/other", nil), http.StatusNotFound, "no such API path")

	for _, q := range []string{"", "?mode=explain"} {
		r := a.do("GET", "/sandboxes/plain/status/explain"+q, nil)
		a.expect(r, http.StatusOK, "")
		got := decodeAs[explainResponse](t, r)
		if got.Mode != "explain" || !got.Status.Ready || got.Status.Reason != "Ready" || got.Context != nil ||
			got.Explanation != "Sandbox plain is ready; it has no resources to provision." {
			t.Errorf("explain%s = %s", q, r.body)
		}
	}
	r := a.do("GET", "/sandboxes/plain/status/explain?mode=context", nil)
	a.expect(r, http.StatusOK, "")
	got := decodeAs[explainResponse](t, r)
	if got.Mode != "context" || got.Explanation != "" || got.Context == nil || len(got.Context.Messages) != 2 ||
		got.Context.Messages[0].Role != "system" || got.Context.Messages[1].Role != "user" ||
		!strings.Contains(got.Context.Messages[1].Content, "Sandbox: plain (cluster test-cluster)\nReady: true\nReason: Ready\n") {
		t.Errorf("context = %s", r.body)
	}
}

// A failed sandbox is explained with the failing step's message and what
// to do; the context lists this sandbox's step runs but no output values.
func TestSandboxStatusExplainFailure(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(pluginWith("p", "", []any{
		map[string]any{"name": "secret", "outputs": []any{outputAt("password", "password")}, "script": "printf s3cr3t > password"},
		map[string]any{"name": "boom", "inputs": []any{map[string]any{"name": "pw", "valueFromStep": map[string]any{"name": "secret", "output": "password"}}},
			"script": "echo no luck >&2; exit 4"},
	}, nil))
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "p"})
	a.waitSandbox("sb", settled)

	r := a.do("GET", "/sandboxes/sb/status/explain", nil)
	a.expect(r, http.StatusOK, "")
	got := decodeAs[explainResponse](t, r)
	if got.Status.Ready || got.Status.Reason != "ResourceFailed" ||
		!strings.Contains(got.Explanation, `Sandbox sb failed while creating its resources: resource "db": create step "boom" failed: exit code 4`) ||
		!strings.Contains(got.Explanation, "no luck") || !strings.Contains(got.Explanation, "delete the sandbox and create it again") {
		t.Errorf("explanation = %s", r.body)
	}
	r = a.do("GET", "/sandboxes/sb/status/explain?mode=context", nil)
	a.expect(r, http.StatusOK, "")
	user := decodeAs[explainResponse](t, r).Context.Messages[1].Content
	for _, want := range []string{"Reason: ResourceFailed\n", "- db: plugin p@0.0.0\n",
		"- resource db, create step secret: exit code 0\n", "- resource db, create step boom: exit code 4\n"} {
		if !strings.Contains(user, want) {
			t.Errorf("context lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(string(r.body), "s3cr3t") {
		t.Errorf("the context shows an output value:\n%s", user)
	}

	// A sandbox re-created under the same name has only its own runs.
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusOK, "")
	a.waitSandbox("sb", nil)
	a.apply(pluginWith("q", "", []any{map[string]any{"name": "fine", "script": "true"}}, nil))
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "q"})
	a.waitSandbox("sb", settled)
	r = a.do("GET", "/sandboxes/sb/status/explain?mode=context", nil)
	user = decodeAs[explainResponse](t, r).Context.Messages[1].Content
	if !strings.HasSuffix(user, "Step runs:\n- resource db, create step fine: exit code 0\n") {
		t.Errorf("context of the new sandbox:\n%s", user)
	}
	r = a.do("GET", "/sandboxes/sb/status/explain", nil)
	if got := decodeAs[explainResponse](t, r).Explanation; !strings.Contains(got, "Sandbox sb is ready: the create steps of every resource (db from q@0.0.0) succeeded") {
		t.Errorf("explanation = %s", got)
	}
}
