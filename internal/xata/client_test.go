package xata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

const testKey = "xau_testkey0123456789"

// newTestClient serves h and returns a client with fast backoff so retry
// tests run quickly; mod adjusts the config.
func newTestClient(t *testing.T, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{
		BaseURL:    srv.URL,
		APIKey:     testKey,
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

const projectsBody = `{"projects":[{"id":"prj_1","name":"one","createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05Z"}]}`

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"empty", Config{}, "invalid base URL"},
		{"no scheme", Config{BaseURL: "api.xata.tech"}, "invalid base URL"},
		{"ftp", Config{BaseURL: "ftp://api.xata.tech"}, "invalid base URL"},
		{"no host", Config{BaseURL: "https://"}, "invalid base URL"},
		{"query", Config{BaseURL: "https://h/?a=b"}, "query"},
		{"unparsable", Config{BaseURL: "http://[::1"}, "invalid base URL"},
		{"backoff order", Config{BaseURL: "https://h", MinBackoff: time.Second, MaxBackoff: time.Millisecond}, "MaxBackoff"},
		{"https", Config{BaseURL: "https://api.xata.tech"}, ""},
		{"http with port", Config{BaseURL: "http://localhost:5001/"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestHeadersAndBaseURLPrefix(t *testing.T) {
	var got *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		fmt.Fprint(w, projectsBody)
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	// A trailing slash on a base URL with a path must not double the slash.
	c, err := NewClient(Config{BaseURL: srv.URL + "/proxy/", APIKey: testKey, UserAgent: "terraform-provider-xata/1.2.3 (+https://x)"})
	if err != nil {
		t.Fatal(err)
	}
	projects, err := c.ListProjects(context.Background(), "org1")
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 1 || projects[0].ID != "prj_1" || projects[0].CreatedAt.Year() != 2026 {
		t.Errorf("projects = %+v", projects)
	}
	want := map[string]string{
		"Authorization": "Bearer " + testKey,
		"User-Agent":    "terraform-provider-xata/1.2.3 (+https://x)",
		"X-Xata-Agent":  "client=terraform-provider-xata; version=1.2.3",
		"Accept":        "application/json",
		"Content-Type":  "",
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.URL.Path != "/proxy/organizations/org1/projects" {
		t.Errorf("path = %q", got.URL.Path)
	}
}

func TestXataAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"terraform-provider-xata":               "client=terraform-provider-xata",
		"terraform-provider-xata/":              "client=terraform-provider-xata",
		"terraform-provider-xata/0.1.0":         "client=terraform-provider-xata; version=0.1.0",
		"terraform-provider-xata/dev Go/1.26.0": "client=terraform-provider-xata; version=dev",
	} {
		if got := xataAgent(ua); got != want {
			t.Errorf("xataAgent(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestNoAuthorizationWithoutKey(t *testing.T) {
	var auth []string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Values("Authorization")
		fmt.Fprint(w, `{"regions":[]}`)
	}), func(c *Config) { c.APIKey = "" })
	if _, err := c.ListRegions(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	if len(auth) != 0 {
		t.Errorf("Authorization sent without a key: %q", auth)
	}
}

func TestPathEscaping(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/rotate"):
			w.WriteHeader(http.StatusNoContent)
		default:
			fmt.Fprint(w, `{}`)
		}
	}), nil)
	ctx := context.Background()
	org, prj, br := "org 1", "prj/x", "a/b?c#d%"
	if _, err := c.GetBranch(ctx, org, prj, br); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBranchCredentials(ctx, org, prj, br); err != nil {
		t.Fatal(err)
	}
	if err := c.RotateBranchCredentials(ctx, org, prj, br); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBranch(ctx, org, prj, br); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProject(ctx, org, prj); err != nil {
		t.Fatal(err)
	}
	const b = "/organizations/org%201/projects/prj%2Fx"
	want := []string{
		"GET " + b + "/branches/a%2Fb%3Fc%23d%25?",
		"GET " + b + "/branches/a%2Fb%3Fc%23d%25/credentials?username=xata",
		"POST " + b + "/branches/a%2Fb%3Fc%23d%25/credentials/rotate?",
		"DELETE " + b + "/branches/a%2Fb%3Fc%23d%25?",
		"GET " + b + "?",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

func TestEmptyIDsRejectedWithoutRequest(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(200, `{}`))
	c := newTestClient(t, h, nil)
	ctx := context.Background()
	errs := map[string]error{}
	_, errs["org"] = c.ListProjects(ctx, "")
	_, errs["project"] = c.ListBranches(ctx, "o", "")
	_, errs["branch"] = c.GetBranch(ctx, "o", "p", "")
	errs["delete"] = c.DeleteBranch(ctx, "o", "p", "")
	_, errs["create"] = c.CreateBranch(ctx, "", "p", CreateBranchRequest{Name: "x"})
	for name, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "ID is required") {
			t.Errorf("%s: error = %v", name, err)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent", n.Load())
	}
}

func TestRetryable(t *testing.T) {
	te := &apiclient.TransportError{Err: errors.New("EOF")}
	api := func(code int, msg string) error { return &APIError{StatusCode: code, Message: msg} }
	tests := []struct {
		method string
		err    error
		want   bool
	}{
		{"GET", te, true},
		{"DELETE", te, true},
		{"PUT", te, true},
		{"POST", te, false},
		{"PATCH", te, false},
		{"GET", api(408, ""), true},
		{"GET", api(429, ""), true},
		{"GET", api(500, ""), true},
		{"GET", api(502, ""), true},
		{"GET", api(503, ""), true},
		{"GET", api(504, ""), true},
		{"DELETE", api(500, ""), true},
		{"GET", api(400, ""), false},
		{"GET", api(401, ""), false},
		{"GET", api(403, ""), false},
		{"GET", api(404, ""), false},
		{"GET", api(409, "modified concurrently"), false},
		{"GET", api(501, ""), false},
		{"POST", api(429, ""), true},
		{"POST", api(503, ""), true},
		{"POST", api(408, ""), false},
		{"POST", api(500, ""), false},
		{"POST", api(502, ""), false},
		{"POST", api(504, ""), false},
		{"POST", api(409, "modified concurrently"), false},
		{"PATCH", api(429, ""), true},
		{"PATCH", api(503, ""), true},
		{"PATCH", api(500, ""), false},
		{"PATCH", api(409, "branch [b] was modified concurrently, please retry"), true},
		{"PATCH", api(409, "branch [main] already exists"), false},
		{"GET", fmt.Errorf("wrapped: %w", api(503, "")), true},
		{"GET", errors.New("rate: Wait(n=1) would exceed context deadline"), false},
	}
	for _, tt := range tests {
		if got := retryable(tt.method, tt.err); got != tt.want {
			t.Errorf("retryable(%s, %v) = %v, want %v", tt.method, tt.err, got, tt.want)
		}
	}
}

func TestGetRetriesTransientStatuses(t *testing.T) {
	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			h, n := apitest.Script(apitest.Reply(code, "nope"), apitest.Reply(200, projectsBody))
			c := newTestClient(t, h, nil)
			if _, err := c.ListProjects(context.Background(), "o"); err != nil {
				t.Fatal(err)
			}
			if n.Load() != 2 {
				t.Errorf("requests = %d, want 2", n.Load())
			}
		})
	}
	for _, code := range []int{400, 401, 403, 404, 409, 412} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			h, n := apitest.Script(apitest.Reply(code, `{"message":"no"}`), apitest.Reply(200, projectsBody))
			c := newTestClient(t, h, nil)
			_, err := c.ListProjects(context.Background(), "o")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != code {
				t.Fatalf("err = %v, want APIError %d", err, code)
			}
			if n.Load() != 1 {
				t.Errorf("requests = %d, want 1", n.Load())
			}
		})
	}
}

func TestGetRetriesNetworkError(t *testing.T) {
	h, n := apitest.Script(apitest.Drop, apitest.Reply(200, projectsBody))
	c := newTestClient(t, h, nil)
	if _, err := c.ListProjects(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	if n.Load() < 2 {
		t.Errorf("requests = %d, want a retry", n.Load())
	}
}

func TestWriteRetryPolicy(t *testing.T) {
	ctx := context.Background()
	rotate := func(c *Client) error { return c.RotateBranchCredentials(ctx, "o", "p", "b") }
	update := func(c *Client) error {
		_, err := c.UpdateBranch(ctx, "o", "p", "b", UpdateBranchRequest{Hibernate: new(true)})
		return err
	}
	ok204 := apitest.Reply(http.StatusNoContent, "")
	ok200 := apitest.Reply(200, `{"id":"b","name":"n"}`)
	tests := []struct {
		name      string
		op        func(*Client) error
		first     http.HandlerFunc
		ok        http.HandlerFunc
		wantCalls int32
		wantCode  int // 0: success
	}{
		{"POST 429 retried", rotate, apitest.Reply(429, "slow down"), ok204, 2, 0},
		{"POST 503 retried", rotate, apitest.Reply(503, `{"message":"unavailable"}`), ok204, 2, 0},
		{"POST 500 not retried", rotate, apitest.Reply(500, `{"message":"boom"}`), ok204, 1, 500},
		{"POST 502 not retried", rotate, apitest.Reply(502, "bad gateway"), ok204, 1, 502},
		{"POST dropped not retried", rotate, apitest.Drop, ok204, 1, -1},
		{"PATCH 409 concurrent retried", update, apitest.Reply(409, `{"message":"branch [b] was modified concurrently, please retry"}`), ok200, 2, 0},
		{"PATCH 409 duplicate not retried", update, apitest.Reply(409, `{"message":"branch [n] already exists"}`), ok200, 1, 409},
		{"PATCH 504 not retried", update, apitest.Reply(504, "timeout"), ok200, 1, 504},
		{"PATCH 429 retried", update, apitest.Reply(429, ""), ok200, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n := apitest.Script(tt.first, tt.ok)
			c := newTestClient(t, h, nil)
			err := tt.op(c)
			if n.Load() != tt.wantCalls {
				t.Errorf("requests = %d, want %d", n.Load(), tt.wantCalls)
			}
			var apiErr *APIError
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantCode > 0 && (!errors.As(err, &apiErr) || apiErr.StatusCode != tt.wantCode):
				t.Errorf("err = %v, want status %d", err, tt.wantCode)
			case tt.wantCode < 0 && err == nil:
				t.Errorf("want a transport error")
			}
		})
	}
}

type logEntry struct {
	msg    string
	fields map[string]any
}

type captureLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{msg, fields})
}

func TestLoggingIsRedacted(t *testing.T) {
	const pw = "Sup3rS3cretPassw0rd"
	body := `{"username":"xata","password":"` + pw + `","hostname":"b.us-east-1.xata.tech","port":5432,"dbname":"xata",` +
		`"connectionString":"postgresql://xata:` + pw + `@b.us-east-1.xata.tech:5432/xata"}`
	h, _ := apitest.Script(apitest.Reply(503, "busy postgresql://xata:"+pw+"@h"), apitest.Reply(200, body, "X-Request-Id", "req_abc"))
	logger := &captureLogger{}
	c := newTestClient(t, h, func(c *Config) { c.Logger = logger })
	creds, err := c.GetBranchCredentials(context.Background(), "o", "p", "b")
	if err != nil {
		t.Fatal(err)
	}
	if creds.Password != pw || creds.Port != 5432 {
		t.Errorf("credentials decoded wrongly: %+v", creds)
	}
	var requests, responses int
	for _, e := range logger.entries {
		dump := fmt.Sprintf("%s %v", e.msg, e.fields)
		if strings.Contains(dump, pw) || strings.Contains(dump, testKey) {
			t.Errorf("secret in log: %s", dump)
		}
		switch e.msg {
		case "xata API request":
			requests++
			if e.fields["method"] != "GET" || e.fields["attempt"] != requests ||
				!strings.HasSuffix(e.fields["url"].(string), "/organizations/o/projects/p/branches/b/credentials?username=xata") {
				t.Errorf("request fields: %v", e.fields)
			}
			if a, ok := e.fields["authorization"]; ok && a != "Bearer <redacted>" {
				t.Errorf("authorization logged as %v", a)
			}
		case "xata API response":
			responses++
			for _, k := range []string{"method", "url", "status", "request_id", "duration_ms", "body"} {
				if _, ok := e.fields[k]; !ok {
					t.Errorf("response log lacks %q: %v", k, e.fields)
				}
			}
			// The body is rendered when written, as text (%v) or as JSON
			// (hclog's format when TF_LOG is set).
			var asJSON string
			raw, err := json.Marshal(e.fields["body"])
			if err == nil {
				err = json.Unmarshal(raw, &asJSON)
			}
			if e.fields["status"] == 200 && (e.fields["request_id"] != "req_abc" ||
				!strings.Contains(fmt.Sprint(e.fields["body"]), `"password":"<redacted>"`) ||
				err != nil || asJSON != fmt.Sprint(e.fields["body"])) {
				t.Errorf("response fields: %v (as JSON %s, %v)", e.fields, raw, err)
			}
		}
	}
	if requests != 2 || responses != 2 {
		t.Errorf("logged %d requests and %d responses, want 2 each", requests, responses)
	}
}
