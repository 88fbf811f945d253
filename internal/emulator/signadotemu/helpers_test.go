package signadotemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// testAPI is a minimal HTTP client for the emulator, written against the
// wire format rather than the client package.
type testAPI struct {
	t    *testing.T
	e    *Emulator
	base string // …/api/v2/orgs/{org}
	key  string
	hc   *http.Client
}

func newEmu(t *testing.T, opts Options) *testAPI {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	base, err := e.Start()
	if err != nil {
		t.Fatal(err)
	}
	if e.URL() != base || strings.Contains(base, "/api/v2") {
		t.Fatalf("URL() = %q, Start returned %q", e.URL(), base)
	}
	a := &testAPI{t: t, e: e, base: base + "/api/v2/orgs/" + e.Org(), key: e.APIKey(),
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}}
	t.Cleanup(func() {
		a.hc.CloseIdleConnections() // lets the server shut down at once
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return a
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

func (r response) errorResponse() errorResponse {
	var e errorResponse
	_ = json.Unmarshal(r.body, &e)
	return e
}

// do sends a request to a path below the org; body may be nil, a string
// (sent raw) or a value to encode as JSON.
func (a *testAPI) do(method, path string, body any) response {
	a.t.Helper()
	resp, err := a.raw(method, a.base+path, body, a.key)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (a *testAPI) raw(method, url string, body any, key string) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return response{}, err
	}
	if key != "" {
		req.Header.Set("signadot-api-key", key)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// expect checks the status and, when msg is not empty, that the error
// message contains it. Every error must be a complete ErrorResponse.
func (a *testAPI) expect(r response, status int, msg string) {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if status < 400 {
		return
	}
	e := r.errorResponse()
	if e.Code != status || e.RequestID == "" || e.RequestID != r.header.Get("X-Request-Id") ||
		r.header.Get("Content-Type") != "application/json" {
		a.t.Fatalf("not an ErrorResponse: %s %v", r.body, r.header)
	}
	if !strings.Contains(e.Error, msg) {
		a.t.Fatalf("error = %q, want it to contain %q", e.Error, msg)
	}
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// plugin is a minimal valid plugin body.
func plugin(name string) map[string]any {
	return map[string]any{"name": name, "spec": map[string]any{
		"runner": map[string]any{"image": "debian:bookworm-slim"},
		"create": []any{map[string]any{"name": "provision", "script": "true"}},
	}}
}

// apply publishes a plugin and fails the test unless it is accepted.
func (a *testAPI) apply(body map[string]any) {
	a.t.Helper()
	bare, _, _ := strings.Cut(body["name"].(string), "@")
	r := a.do("PUT", "/resource-plugins/"+bare, body)
	a.expect(r, http.StatusOK, "")
	if string(r.body) != "{}\n" {
		a.t.Fatalf("PUT body = %q, want {}", r.body)
	}
}

func (a *testAPI) getPlugin(path string) resourcePlugin {
	a.t.Helper()
	r := a.do("GET", "/resource-plugins/"+path, nil)
	a.expect(r, http.StatusOK, "")
	return decodeAs[resourcePlugin](a.t, r)
}

func names(ps []resourcePlugin) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, " ")
}

// sandboxBody is a sandbox with one resource per (name, plugin, params).
func sandboxBody(name string, resources ...sandboxResource) map[string]any {
	return map[string]any{"name": name, "spec": map[string]any{
		"cluster": "test-cluster", "resources": resources, "forks": []any{},
	}}
}

func (a *testAPI) putSandbox(name string, resources ...sandboxResource) sandboxOut {
	a.t.Helper()
	r := a.do("PUT", "/sandboxes/"+name, sandboxBody(name, resources...))
	a.expect(r, http.StatusOK, "")
	return decodeAs[sandboxOut](a.t, r)
}

// waitSandbox polls until done accepts the sandbox (or it is gone, when
// done is nil) and returns the last read.
func (a *testAPI) waitSandbox(name string, done func(sandboxOut) bool) sandboxOut {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := a.do("GET", "/sandboxes/"+name, nil)
		switch {
		case r.status == http.StatusNotFound && done == nil:
			a.expect(r, http.StatusNotFound, "can't get sandbox: not found")
			return sandboxOut{}
		case r.status == http.StatusOK && done != nil:
			if sb := decodeAs[sandboxOut](a.t, r); done(sb) {
				return sb
			}
		case r.status != http.StatusOK:
			a.t.Fatalf("GET sandbox %s: %s", name, r)
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("sandbox %s: timed out; last %s", name, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func settled(sb sandboxOut) bool {
	return sb.Status.Reason != "ResourcesProvisioning" && sb.Status.Reason != "Terminating"
}

// needRoot skips tests that run steps where they cannot work.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the step runner needs root to give each step its own user and namespaces")
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
