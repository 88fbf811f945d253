package xata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
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

// script answers the i-th request with steps[i], repeating the last step,
// and counts requests.
func script(steps ...http.HandlerFunc) (http.Handler, *atomic.Int32) {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}), &n
}

func reply(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// drop closes the connection without answering: the response is lost.
func drop(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
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
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.maxAttempts != 8 || c.maxRetryAfter != 30*time.Second || c.minBackoff != 300*time.Millisecond ||
					c.maxBackoff != 5*time.Second || c.http.Timeout != 60*time.Second {
					t.Errorf("defaults not applied: %+v", c)
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
	h, n := script(reply(200, `{}`))
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
	te := &transportError{Err: errors.New("EOF")}
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
			h, n := script(reply(code, "nope"), reply(200, projectsBody))
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
			h, n := script(reply(code, `{"message":"no"}`), reply(200, projectsBody))
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
	h, n := script(drop, reply(200, projectsBody))
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
	ok204 := reply(http.StatusNoContent, "")
	ok200 := reply(200, `{"id":"b","name":"n"}`)
	tests := []struct {
		name      string
		op        func(*Client) error
		first     http.HandlerFunc
		ok        http.HandlerFunc
		wantCalls int32
		wantCode  int // 0: success
	}{
		{"POST 429 retried", rotate, reply(429, "slow down"), ok204, 2, 0},
		{"POST 503 retried", rotate, reply(503, `{"message":"unavailable"}`), ok204, 2, 0},
		{"POST 500 not retried", rotate, reply(500, `{"message":"boom"}`), ok204, 1, 500},
		{"POST 502 not retried", rotate, reply(502, "bad gateway"), ok204, 1, 502},
		{"POST dropped not retried", rotate, drop, ok204, 1, -1},
		{"PATCH 409 concurrent retried", update, reply(409, `{"message":"branch [b] was modified concurrently, please retry"}`), ok200, 2, 0},
		{"PATCH 409 duplicate not retried", update, reply(409, `{"message":"branch [n] already exists"}`), ok200, 1, 409},
		{"PATCH 504 not retried", update, reply(504, "timeout"), ok200, 1, 504},
		{"PATCH 429 retried", update, reply(429, ""), ok200, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n := script(tt.first, tt.ok)
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

func TestRetryAfterHonoured(t *testing.T) {
	h, n := script(reply(429, "local_rate_limited", "Retry-After", "1"), reply(200, projectsBody))
	c := newTestClient(t, h, nil) // backoff would be ~1ms
	start := time.Now()
	if _, err := c.ListProjects(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || d > 3*time.Second {
		t.Errorf("took %v, want ~1s (Retry-After)", d)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestRetryAfterCapped(t *testing.T) {
	for name, value := range map[string]string{
		"seconds":   "30",
		"http-date": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			h, _ := script(reply(503, "", "Retry-After", value), reply(200, projectsBody))
			c := newTestClient(t, h, func(c *Config) { c.MaxRetryAfter = 200 * time.Millisecond })
			// Without the cap the client would wait (or refuse to) past this.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			if _, err := c.ListProjects(ctx, "o"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
				t.Errorf("took %v, want ~200ms (capped Retry-After)", d)
			}
		})
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	h, n := script(reply(429, ""), reply(429, ""), reply(200, projectsBody))
	c := newTestClient(t, h, func(c *Config) {
		c.MinBackoff = 100 * time.Millisecond
		c.MaxBackoff = 10 * time.Second
	})
	start := time.Now()
	if _, err := c.ListProjects(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	// Waits are 50–100ms then 100–200ms.
	if d := time.Since(start); d < 150*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("took %v, want 150–300ms of backoff", d)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestBackoffRange(t *testing.T) {
	c, err := NewClient(Config{BaseURL: "https://h", MinBackoff: 300 * time.Millisecond, MaxBackoff: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		n    int
		base time.Duration
	}{
		{0, 300 * time.Millisecond},
		{1, 600 * time.Millisecond},
		{3, 2400 * time.Millisecond},
		{4, 4800 * time.Millisecond},
		{5, 5 * time.Second},
		{1000, 5 * time.Second}, // no overflow
	} {
		lo, hi := tt.base, time.Duration(0)
		for range 500 {
			d := c.backoff(tt.n)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < tt.base/2 || hi > tt.base {
			t.Errorf("backoff(%d) spans [%v, %v], want within [%v, %v]", tt.n, lo, hi, tt.base/2, tt.base)
		}
		if hi-lo < tt.base/10 {
			t.Errorf("backoff(%d) has no jitter: [%v, %v]", tt.n, lo, hi)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"soon", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"0", 0, true},
		{"2", 2 * time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"99999999999999999", (1 << 31) * time.Second, true},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	h, n := script(reply(503, `{"message":"unavailable"}`, "Retry-After", "30"))
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ListProjects(ctx, "o")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v after cancel", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want it to wrap the last 503", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func TestDeadlineTooCloseForRetryAfter(t *testing.T) {
	h, n := script(reply(503, `{"message":"unavailable"}`, "Retry-After", "30"))
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.ListProjects(ctx, "o")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v; should give up at once", d)
	}
	var apiErr *APIError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want DeadlineExceeded wrapping the 503", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func TestCancelDuringRequest(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h, _ := script(reply(503, `{"message":"unavailable"}`, "Retry-After", "0"),
		func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListProjects(ctx, "o")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// The earlier attempt's 503 must stay visible next to the deadline.
	var apiErr *APIError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want DeadlineExceeded wrapping the earlier 503", err)
	}
}

func TestMaxAttempts(t *testing.T) {
	for _, tt := range []struct {
		max, want int32
	}{{1, 1}, {3, 3}, {0, 8}} {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			h, n := script(reply(500, `{"message":"Internal Error"}`))
			c := newTestClient(t, h, func(c *Config) { c.MaxAttempts = int(tt.max) })
			_, err := c.ListProjects(context.Background(), "o")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
				t.Fatalf("err = %v", err)
			}
			if n.Load() != tt.want {
				t.Errorf("requests = %d, want %d", n.Load(), tt.want)
			}
			if tt.want > 1 && !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts", tt.want)) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestLimiterGatesEveryAttempt(t *testing.T) {
	h, n := script(reply(429, ""), reply(429, ""), reply(200, projectsBody))
	lim := rate.NewLimiter(rate.Every(150*time.Millisecond), 1)
	c := newTestClient(t, h, func(c *Config) { c.Limiter = lim })
	start := time.Now()
	if _, err := c.ListProjects(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	// Three attempts with one token up front: at least two refills.
	if d := time.Since(start); d < 290*time.Millisecond {
		t.Errorf("took %v; retries bypassed the limiter", d)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestLimiterBoundedByContext(t *testing.T) {
	h, n := script(reply(200, projectsBody))
	lim := rate.NewLimiter(rate.Every(time.Hour), 1)
	lim.Allow() // drain the only token
	c := newTestClient(t, h, func(c *Config) { c.Limiter = lim })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.ListProjects(ctx, "o")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "rate limiter") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("limiter wait ignored the context")
	}
	if n.Load() != 0 {
		t.Errorf("requests = %d", n.Load())
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
	h, _ := script(reply(503, "busy postgresql://xata:"+pw+"@h"), reply(200, body, "X-Request-Id", "req_abc"))
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
			if e.fields["status"] == 200 && (e.fields["request_id"] != "req_abc" ||
				!strings.Contains(e.fields["body"].(string), `"password":"<redacted>"`)) {
				t.Errorf("response fields: %v", e.fields)
			}
		}
	}
	if requests != 2 || responses != 2 {
		t.Errorf("logged %d requests and %d responses, want 2 each", requests, responses)
	}
}

func TestDecodeErrors(t *testing.T) {
	h, _ := script(reply(200, `<html>not json</html>`, "X-Request-Id", "req_x"))
	c := newTestClient(t, h, nil)
	_, err := c.GetProject(context.Background(), "o", "p")
	if err == nil || !strings.Contains(err.Error(), "decoding 200 response") || !strings.Contains(err.Error(), "req_x") {
		t.Errorf("err = %v", err)
	}
}
