package signadot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

const testKey = "sd_testkey0123456789"

// newTestClient serves h and returns a client with fast backoff so retry
// tests run quickly; mod adjusts the config.
func newTestClient(t *testing.T, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{
		APIURL:     srv.URL,
		APIKey:     testKey,
		Org:        "my-org",
		UserAgent:  "terraform-provider-xata/1.2.3",
		MinBackoff: time.Millisecond,
		MaxBackoff: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recorder answers the i-th request with steps[i], repeating the last
// step, and records "METHOD path?query" of every request.
type recorder struct {
	mu    sync.Mutex
	reqs  []string
	steps []http.HandlerFunc
}

func record(steps ...http.HandlerFunc) *recorder { return &recorder{steps: steps} }

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	i := len(r.reqs)
	line := req.Method + " " + req.URL.EscapedPath()
	if req.URL.RawQuery != "" {
		line += "?" + req.URL.RawQuery
	}
	r.reqs = append(r.reqs, line)
	step := r.steps[min(i, len(r.steps)-1)]
	r.mu.Unlock()
	step(w, req)
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

func errBody(code int, msg string) string {
	return fmt.Sprintf(`{"code":%d,"error":%q,"requestId":"req-%d"}`, code, msg, code)
}

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"no org", Config{}, "Org is required"},
		{"no scheme", Config{APIURL: "api.signadot.com", Org: "o"}, "invalid API URL"},
		{"ftp", Config{APIURL: "ftp://api.signadot.com", Org: "o"}, "invalid API URL"},
		{"no host", Config{APIURL: "https://", Org: "o"}, "invalid API URL"},
		{"unparsable", Config{APIURL: "http://[::1", Org: "o"}, "invalid API URL"},
		{"backoff order", Config{Org: "o", MinBackoff: time.Second, MaxBackoff: time.Millisecond}, "MaxBackoff"},
		{"default URL", Config{Org: "o"}, ""},
		{"http with port and path", Config{APIURL: "http://localhost:8080/some/path", Org: "o"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.userAgent != defaultUserAgent {
					t.Errorf("defaults not applied: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	c, _ := NewClient(Config{Org: "o"})
	if c.origin != "https://api.signadot.com" {
		t.Errorf("default origin = %q", c.origin)
	}
}

func TestHeadersAndAPIPath(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		body, _ = io.ReadAll(r.Body)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	// As in the go-sdk, a path (and query) in the API URL is ignored and
	// /api/v2 is always appended.
	c, err := NewClient(Config{APIURL: srv.URL + "/ignored/path?x=1", APIKey: testKey, Org: "my org", UserAgent: "ua/1.0"})
	if err != nil {
		t.Fatal(err)
	}
	p := ResourcePlugin{Name: "xata-branch@1.0", Spec: ResourcePluginSpec{Runner: Runner{Image: "debian"}}}
	if err := c.ApplyResourcePlugin(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"signadot-api-key": testKey,
		"User-Agent":       "ua/1.0",
		"Accept":           "application/json",
		"Content-Type":     "application/json",
		"Authorization":    "",
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.Method != http.MethodPut || got.URL.EscapedPath() != "/api/v2/orgs/my%20org/resource-plugins/xata-branch" || got.URL.RawQuery != "" {
		t.Errorf("request = %s %s?%s", got.Method, got.URL.EscapedPath(), got.URL.RawQuery)
	}
	// Only name and spec are sent. Empty lists are left out: the go-sdk
	// sends null, which the spec's array type does not allow.
	const wantBody = `{"name":"xata-branch@1.0","spec":{"runner":{"image":"debian"}}}`
	if string(body) != wantBody {
		t.Errorf("body = %s\nwant   %s", body, wantBody)
	}
}

func TestNoAPIKeyHeaderWithoutKey(t *testing.T) {
	var keys []string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = r.Header.Values(apiKeyHeader)
		fmt.Fprint(w, `[]`)
	}), func(c *Config) { c.APIKey = "" })
	if _, err := c.ListResourcePlugins(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("%s sent without a key: %q", apiKeyHeader, keys)
	}
}

func TestRequestPathsAndQueries(t *testing.T) {
	rec := record(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			fmt.Fprint(w, `{}`)
		case strings.HasSuffix(r.URL.Path, "/versions"), strings.HasSuffix(r.URL.Path, "/resource-plugins"):
			fmt.Fprint(w, `[{"name":"p@2.0.0"}]`)
		default:
			fmt.Fprint(w, `{"name":"p@2.0.0","status":{"resources":[]}}`)
		}
	})
	c := newTestClient(t, rec, nil)
	ctx := context.Background()
	steps := []func() error{
		func() error { _, err := c.GetResourcePlugin(ctx, "p", ""); return err },
		func() error { _, err := c.GetResourcePlugin(ctx, "p", "v1.0"); return err },
		func() error { _, err := c.GetResourcePlugin(ctx, "p@1.1", ""); return err },
		func() error { _, err := c.ListResourcePlugins(ctx, false); return err },
		func() error { _, err := c.ListResourcePlugins(ctx, true); return err },
		func() error { _, err := c.ResourcePluginVersions(ctx, "p"); return err },
		func() error { return c.DeleteResourcePlugin(ctx, "p", "v1.0") },
		// No version: the latest is resolved first, then named.
		func() error { return c.DeleteResourcePlugin(ctx, "p", "") },
		func() error { _, err := c.GetSandbox(ctx, "sb/1"); return err },
		func() error { return c.DeleteSandbox(ctx, "sb") },
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{
		"GET /api/v2/orgs/my-org/resource-plugins/p",
		"GET /api/v2/orgs/my-org/resource-plugins/p?version=v1.0",
		"GET /api/v2/orgs/my-org/resource-plugins/p?version=1.1",
		"GET /api/v2/orgs/my-org/resource-plugins",
		"GET /api/v2/orgs/my-org/resource-plugins?version=all",
		"GET /api/v2/orgs/my-org/resource-plugins/p/versions",
		"DELETE /api/v2/orgs/my-org/resource-plugins/p?version=1.0.0",
		"GET /api/v2/orgs/my-org/resource-plugins/p",
		"DELETE /api/v2/orgs/my-org/resource-plugins/p?version=2.0.0",
		"GET /api/v2/orgs/my-org/sandboxes/sb%2F1",
		"DELETE /api/v2/orgs/my-org/sandboxes/sb",
	}
	if got := rec.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := c.GetSandbox(ctx, ""); err == nil {
		t.Error("empty sandbox name accepted")
	}
	if err := c.ApplyResourcePlugin(ctx, ResourcePlugin{Name: "@1.0"}); err == nil {
		t.Error("empty plugin name accepted")
	}
}

func TestErrorParsing(t *testing.T) {
	tests := []struct {
		name      string
		h         http.HandlerFunc
		status    int
		msg       string
		requestID string
	}{
		{"error response", apitest.Reply(409, errBody(409, "resource plugin \"p@v1\" already exists")), 409,
			`resource plugin "p@v1" already exists`, "req-409"},
		{"code differs from status", apitest.Reply(400, `{"code":500,"error":"bad"}`, "X-Request-Id", "hdr-1"), 400, "bad", "hdr-1"},
		{"body id wins over header", apitest.Reply(400, `{"error":"bad","requestId":"body-1"}`, "X-Request-Id", "hdr-1"), 400, "bad", "body-1"},
		{"message field", apitest.Reply(404, `{"message":"no route"}`), 404, "no route", ""},
		{"plain text", apitest.Reply(429, "Too Many Requests\n"), 429, "Too Many Requests", ""},
		{"empty body", apitest.Reply(401, ""), 401, "Unauthorized", ""},
		{"wrong types", apitest.Reply(400, `{"error":42,"requestId":7}`), 400, `{"error":42,"requestId":7}`, ""},
		{"password redacted", apitest.Reply(400, errBody(400, "cannot reach postgres://u:hunter2@db/x")), 400,
			"cannot reach postgres://u:<redacted>@db/x", "req-400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.h, func(c *Config) { c.MaxAttempts = 1 })
			_, err := c.GetSandbox(context.Background(), "s")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Message != tt.msg || apiErr.RequestID != tt.requestID ||
				apiErr.Method != http.MethodGet || apiErr.Path != "/orgs/my-org/sandboxes/s" {
				t.Errorf("got %+v", apiErr)
			}
			if tt.requestID != "" && !strings.Contains(err.Error(), tt.requestID) {
				t.Errorf("Error() = %q lacks the request id", err)
			}
		})
	}
}

func TestIsNotFound(t *testing.T) {
	api := func(status int, msg string) error {
		return fmt.Errorf("wrapped: %w", &APIError{StatusCode: status, Message: msg})
	}
	tests := []struct {
		err  error
		want bool
	}{
		{api(404, "whatever"), true},
		{api(400, "can't get sandbox: not found"), true},
		{api(502, "resource plugin Not Found"), false},
		{api(500, "can't get sandbox: not found"), false},
		{api(401, "API key not found"), false},
		{api(403, "org not found"), false},
		{api(400, "invalid spec"), false},
		{errors.New("not found"), false},
		{&apiclient.TransportError{Method: "GET", Path: "/x", Err: errors.New("host not found")}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.want {
			t.Errorf("IsNotFound(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestRetries(t *testing.T) {
	ok := apitest.Reply(200, `{"name":"s","spec":{"cluster":"c","resources":null,"forks":null},"status":{"ready":true}}`)
	tests := []struct {
		name     string
		method   string // GET, PUT (sandbox) or DELETE
		steps    []http.HandlerFunc
		attempts int
		wantErr  string
	}{
		{"429 then ok", "GET", []http.HandlerFunc{apitest.Reply(429, "slow down", "Retry-After", "0"), ok}, 2, ""},
		{"503 then ok", "GET", []http.HandlerFunc{apitest.Reply(503, errBody(503, "unavailable")), ok}, 2, ""},
		{"500 GET retried", "GET", []http.HandlerFunc{apitest.Reply(500, errBody(500, "boom")), ok}, 2, ""},
		{"408 GET retried", "GET", []http.HandlerFunc{apitest.Reply(408, ""), ok}, 2, ""},
		{"network error GET retried", "GET", []http.HandlerFunc{apitest.Drop, ok}, 2, ""},
		{"sandbox PUT is idempotent", "PUT", []http.HandlerFunc{apitest.Drop, apitest.Reply(502, ""), ok}, 3, ""},
		{"DELETE retried", "DELETE", []http.HandlerFunc{apitest.Reply(504, ""), apitest.Reply(200, "{}")}, 2, ""},
		{"400 not retried", "GET", []http.HandlerFunc{apitest.Reply(400, errBody(400, "bad")), ok}, 1, "400: bad"},
		{"501 not retried", "GET", []http.HandlerFunc{apitest.Reply(501, ""), ok}, 1, "501"},
		{"gives up", "GET", []http.HandlerFunc{apitest.Reply(503, "")}, 3, "gave up after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record(tt.steps...)
			c := newTestClient(t, rec, func(c *Config) { c.MaxAttempts = 3 })
			var err error
			switch tt.method {
			case "GET":
				_, err = c.GetSandbox(context.Background(), "s")
			case "PUT":
				_, err = c.PutSandbox(context.Background(), Sandbox{Name: "s", Spec: SandboxSpec{Cluster: "c"}})
			case "DELETE":
				err = c.DeleteSandbox(context.Background(), "s")
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if n := len(rec.requests()); n != tt.attempts {
				t.Errorf("attempts = %d, want %d", n, tt.attempts)
			}
		})
	}
}

func TestJSONShapes(t *testing.T) {
	b, err := json.Marshal(ResourcePlugin{Name: "p", Spec: ResourcePluginSpec{Create: []Step{{Name: "s"}}}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"p","spec":{"create":[{"name":"s"}]}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var sb Sandbox
	in := `{"name":"s","routingKey":"rk","spec":{"cluster":"c","resources":[{"name":"db","plugin":"p@1","params":{"a":"b"}}],
		"forks":[{"forkOf":{"kind":"Deployment","namespace":"n","name":"w"},"customizations":{"env":[{"name":"DB",
		"valueFrom":{"resource":{"name":"db","outputKey":"provision.url"}}}]}}]},
		"status":{"ready":false,"reason":"ResourceFailed","message":"m"},
		"x-emulator-resource-outputs":{"db":{"provision.url":"u"}}}`
	if err := json.Unmarshal([]byte(in), &sb); err != nil {
		t.Fatal(err)
	}
	if sb.Spec.Resources[0].Params["a"] != "b" || sb.Spec.Forks[0].Customizations.Env[0].ValueFrom.Resource.OutputKey != "provision.url" ||
		sb.Status.Reason != "ResourceFailed" || sb.EmulatorResourceOutputs["db"]["provision.url"] != "u" {
		t.Errorf("decoded %+v", sb)
	}
}

// TestRequestsNeverSendNull: the spec types every list as an array, which
// null is not, and a validating gateway refuses the body. Empty optional
// lists are left out; a required one (a sandbox's forks) is sent as [].
func TestRequestsNeverSendNull(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	c := newTestClient(t, echo, nil)
	ctx := context.Background()
	plugins := []ResourcePlugin{
		{Name: "bare"},
		{Name: "steps@1.0.0", Spec: ResourcePluginSpec{Create: []Step{{Name: "s", Script: "#!/bin/sh"}}}},
		{Name: "inputs@1.0.0", Spec: ResourcePluginSpec{
			Create: []Step{{Name: "s", Inputs: []StepInput{{Name: "i", ValueFromSandbox: true}}}},
			Delete: []Step{{Name: "d"}},
		}},
	}
	for _, p := range plugins {
		if err := c.ApplyResourcePlugin(ctx, p); err != nil {
			t.Fatalf("apply %s: %v", p.Name, err)
		}
	}
	if _, err := c.PutSandbox(ctx, Sandbox{Name: "sb", Spec: SandboxSpec{Cluster: "c"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != len(plugins)+1 {
		t.Fatalf("got %d request bodies, want %d", len(bodies), len(plugins)+1)
	}
	for _, b := range bodies {
		if strings.Contains(b, "null") {
			t.Errorf("request body sends null: %s", b)
		}
	}
	if !strings.Contains(bodies[len(bodies)-1], `"forks":[]`) {
		t.Errorf("sandbox body lacks the required forks list: %s", bodies[len(bodies)-1])
	}
}
