package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

// statusError stands for a client's API error type.
type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("test API: %d: %s", e.status, e.body) }

func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}

func identity[T any](v T) T { return v }

// newTestClient serves h and returns a client with the common retry policy
// and fast backoff so retry tests run quickly; mod adjusts the config.
func newTestClient(t *testing.T, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{
		Name:       "test API",
		BaseURL:    srv.URL,
		SetHeaders: func(http.Header) {},
		Retryable:  func(method string, err error) bool { return Retryable(method, err, statusOf(err)) },
		DecodeError: func(_, _ string, status int, _ http.Header, body []byte) error {
			return &statusError{status: status, body: body}
		},
		Redact:     Redactor{JSON: identity[any], Text: identity[string]},
		MinBackoff: time.Millisecond,
		MaxBackoff: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get makes a GET of /x through Do.
func get(ctx context.Context, c *Client) error {
	var out map[string]any
	return c.Do(ctx, Call{Method: http.MethodGet, Path: "/x"}, &out)
}

const okBody = `{"ok":true}`

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.MaxAttempts != 8 || c.cfg.MaxRetryAfter != 30*time.Second || c.cfg.MinBackoff != 300*time.Millisecond ||
		c.cfg.MaxBackoff != 5*time.Second || c.cfg.AttemptTimeout != 30*time.Second || c.cfg.URLSetting != "the base URL" {
		t.Errorf("defaults not applied: %+v", c.cfg)
	}
	if _, err := New(Config{MinBackoff: time.Second, MaxBackoff: time.Millisecond}); err == nil ||
		!strings.Contains(err.Error(), "MaxBackoff (1ms) is less than MinBackoff (1s)") {
		t.Errorf("err = %v", err)
	}
	// A fixed backoff is allowed.
	if c, err := New(Config{MinBackoff: time.Second, MaxBackoff: time.Second}); err != nil ||
		c.cfg.MinBackoff != time.Second || c.cfg.MaxBackoff != time.Second {
		t.Errorf("MinBackoff = MaxBackoff = 1s: %v", err)
	}
}

func TestNewCall(t *testing.T) {
	c := newTestClient(t, http.NotFoundHandler(), nil)
	q := url.Values{"n": {"1"}}
	for _, tt := range []struct {
		name    string
		in      any
		body    string
		wantErr string
	}{
		{"no body", nil, "", ""},
		{"JSON body", map[string]int{"a": 1}, `{"a":1}`, ""},
		{"unencodable", make(chan int), "", "test API: POST /x: encoding request: json: unsupported type: chan int"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := c.NewCall(http.MethodPost, "/x", q, tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || cl.Method != http.MethodPost || cl.Path != "/x" || cl.Query.Get("n") != "1" ||
				string(cl.Body) != tt.body || (tt.in == nil) != (cl.Body == nil) {
				t.Errorf("NewCall = %+v, %v; want body %q", cl, err, tt.body)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(429, "local_rate_limited", "Retry-After", "1"), apitest.Reply(200, okBody))
	clk := apitest.NewClock(time.Now())
	logs := &apitest.Logs{}
	c := newTestClient(t, h, func(c *Config) { c.Clock, c.Logger = clk, logs }) // backoff would be ~1ms
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); len(s) != 1 || s[0] != time.Second {
		t.Errorf("slept %v, want [1s] (Retry-After)", s)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d", n.Load())
	}
	// The retry log names the attempt to come.
	if want := "test API retry map[attempt:2 delay_ms:1000 error:test API: 429: local_rate_limited method:GET path:/x]"; !strings.Contains(logs.String(), want) {
		t.Errorf("logs:\n%s\nwant the line %s", logs, want)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	clk := apitest.NewClock(time.Now())
	for name, value := range map[string]string{
		"seconds":   "30",
		"http-date": clk.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			h, _ := apitest.Script(apitest.Reply(503, "", "Retry-After", value), apitest.Reply(200, okBody))
			c := newTestClient(t, h, func(c *Config) { c.MaxRetryAfter, c.Clock = 200*time.Millisecond, clk })
			// Without the cap the client would refuse to wait past this.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := get(ctx, c); err != nil {
				t.Fatal(err)
			}
			if s := clk.Sleeps(); len(s) != 1 || s[0] != 200*time.Millisecond {
				t.Errorf("slept %v, want [200ms] (capped Retry-After)", s)
			}
		})
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(429, ""), apitest.Reply(429, ""), apitest.Reply(200, okBody))
	clk := apitest.NewClock(time.Now())
	c := newTestClient(t, h, func(c *Config) {
		c.MinBackoff = 100 * time.Millisecond
		c.MaxBackoff = 10 * time.Second
		c.Clock = clk
	})
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	// Waits are 50–100ms then 100–200ms.
	s := clk.Sleeps()
	if len(s) != 2 || s[0] < 50*time.Millisecond || s[0] > 100*time.Millisecond ||
		s[1] < 100*time.Millisecond || s[1] > 200*time.Millisecond {
		t.Errorf("slept %v, want 50–100ms then 100–200ms", s)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestBackoffRange(t *testing.T) {
	c, err := New(Config{MinBackoff: 300 * time.Millisecond, MaxBackoff: 5 * time.Second})
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

// TestBackoffEdges checks the ends of the range and of the doubling.
func TestBackoffEdges(t *testing.T) {
	for _, tt := range []struct {
		name     string
		min, max time.Duration
		n        int
		lo, hi   time.Duration // every backoff(n) is within, and both occur
	}{
		// The range includes its upper end: 50–100 % of 2ns is 1 or 2ns.
		{"both ends occur", 2, 2, 0, 1, 2},
		{"fixed backoff", time.Second, time.Second, 3, 500 * time.Millisecond, time.Second},
		// Doubling stops once it reaches MaxBackoff exactly: one more
		// would overflow.
		{"cap reached exactly, at the largest Duration power of two", 1, 1 << 62, 1000, 1 << 61, 1 << 62},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{MinBackoff: tt.min, MaxBackoff: tt.max})
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
			for range 500 {
				d := c.backoff(tt.n)
				lo, hi = min(lo, d), max(hi, d)
			}
			if lo < tt.lo || hi > tt.hi {
				t.Errorf("backoff(%d) spans [%v, %v], want within [%v, %v]", tt.n, lo, hi, tt.lo, tt.hi)
			}
			if tt.hi-tt.lo < 10 && (lo != tt.lo || hi != tt.hi) {
				t.Errorf("backoff(%d) spans [%v, %v], want both ends %v and %v", tt.n, lo, hi, tt.lo, tt.hi)
			}
		})
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
	h, n := apitest.Script(apitest.Reply(503, "unavailable", "Retry-After", "30"))
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := get(ctx, c)
	// What this catches is the 30 s Retry-After waited out; the bound is
	// far from both that and a loaded machine's scheduling.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v after cancel", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if statusOf(err) != 503 {
		t.Errorf("err = %v, want it to wrap the last 503", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func TestCancelDuringRequest(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h, _ := apitest.Script(apitest.Reply(503, "unavailable", "Retry-After", "0"),
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
	err := get(ctx, c)
	// What this catches is a request that outlives its context (the
	// handler blocks until the test ends).
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	// The earlier attempt's 503 must stay visible next to the deadline.
	var te *TransportError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) || statusOf(err) != 503 {
		t.Errorf("err = %v, want DeadlineExceeded wrapping the earlier 503", err)
	}
}

func TestMaxAttempts(t *testing.T) {
	for _, tt := range []struct {
		max, want int32
	}{{1, 1}, {3, 3}, {0, 8}} {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			h, n := apitest.Script(apitest.Reply(500, "Internal Error"))
			c := newTestClient(t, h, func(c *Config) { c.MaxAttempts = int(tt.max) })
			err := get(context.Background(), c)
			if statusOf(err) != 500 {
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

func TestDecodeErrors(t *testing.T) {
	h, _ := apitest.Script(apitest.Reply(200, `<html>not json</html>`, "X-Request-Id", "req_x"))
	c := newTestClient(t, h, nil)
	err := get(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "test API: GET /x: decoding 200 response") || !strings.Contains(err.Error(), "req_x") {
		t.Errorf("err = %v", err)
	}
}

func TestResponseBodyCapped(t *testing.T) {
	h, _ := apitest.Script(apitest.Reply(500, strings.Repeat("x", maxResponseBody+1000)))
	var got int
	c := newTestClient(t, h, func(c *Config) {
		c.MaxAttempts = 1
		c.DecodeError = func(_, _ string, status int, _ http.Header, body []byte) error {
			got = len(body)
			return &statusError{status: status}
		}
	})
	if err := get(context.Background(), c); statusOf(err) != 500 {
		t.Fatalf("err = %v", err)
	}
	if got != maxResponseBody {
		t.Errorf("read %d bytes, want the cap %d", got, maxResponseBody)
	}
}

// TestRequestShape checks what the server receives for a call.
func TestRequestShape(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		call                   Call
		uri, contentType, body string
	}{
		{"no query, no body", Call{Method: http.MethodGet, Path: "/x"}, "/x", "", ""},
		{"empty query", Call{Method: http.MethodGet, Path: "/x", Query: url.Values{}}, "/x", "", ""},
		{"query", Call{Method: http.MethodGet, Path: "/x", Query: url.Values{"q": {"a b"}, "n": {"1"}}}, "/x?n=1&q=a+b", "", ""},
		{"JSON body", Call{Method: http.MethodPost, Path: "/x", Body: []byte(`{"a":1}`)}, "/x", "application/json", `{"a":1}`},
		{"no body", Call{Method: http.MethodDelete, Path: "/x"}, "/x", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan [4]string, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got <- [4]string{r.RequestURI, r.Header.Get("Accept"), r.Header.Get("Content-Type"), string(b)}
				fmt.Fprint(w, "{}")
			})
			c := newTestClient(t, h, nil)
			if err := c.Do(context.Background(), tt.call, nil); err != nil {
				t.Fatal(err)
			}
			r := <-got
			uri, accept, contentType, body := r[0], r[1], r[2], r[3]
			if uri != tt.uri || accept != "application/json" || contentType != tt.contentType || body != tt.body {
				t.Errorf("server got %s with Accept %q, Content-Type %q, body %q; want %s, %q, %q, %q",
					uri, accept, contentType, body, tt.uri, "application/json", tt.contentType, tt.body)
			}
		})
	}
}

// TestStatusClasses checks the edges of the 2xx and 3xx ranges: a 2xx is
// a success, a 3xx a refused redirect whose Location the response log
// shows, anything else the API's error.
func TestStatusClasses(t *testing.T) {
	for _, tt := range []struct {
		status       int
		ok, redirect bool
	}{
		{200, true, false},
		{299, true, false},
		{300, false, true},
		{399, false, true},
		{400, false, false},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			h, _ := apitest.Script(apitest.Reply(tt.status, okBody, "Location", "/elsewhere"))
			logs := &apitest.Logs{}
			c := newTestClient(t, h, func(c *Config) { c.Logger = logs })
			var out map[string]any
			err := c.Do(context.Background(), Call{Method: http.MethodGet, Path: "/x"}, &out)
			switch {
			case tt.ok && (err != nil || out["ok"] != true):
				t.Errorf("err = %v, out = %v; want the body decoded", err, out)
			case tt.redirect && !errors.Is(err, ErrRedirect):
				t.Errorf("err = %v, want a refused redirect", err)
			case !tt.ok && !tt.redirect && statusOf(err) != tt.status:
				t.Errorf("err = %v, want the API's error", err)
			}
			if logged := strings.Contains(logs.String(), "location:/elsewhere"); logged != tt.redirect {
				t.Errorf("Location logged: %v, want %v:\n%s", logged, tt.redirect, logs)
			}
		})
	}
}

// TestThrottlePause checks the pause a refusal asks of the limiter: the
// Retry-After, else the backoff of the retry to come (attempt n is retry
// n-1).
func TestThrottlePause(t *testing.T) {
	for _, tt := range []struct {
		name       string
		attempt    int
		retryAfter string
		lo, hi     time.Duration
	}{
		{"Retry-After", 1, "2", 2 * time.Second, 2 * time.Second},
		{"first attempt", 1, "", 50 * time.Millisecond, 100 * time.Millisecond},
		{"second attempt", 2, "", 100 * time.Millisecond, 200 * time.Millisecond},
		{"fourth attempt", 4, "", 400 * time.Millisecond, 800 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := apitest.Script(apitest.Reply(429, "slow down", "Retry-After", tt.retryAfter))
			clk := apitest.NewClock(t0)
			lim := NewLimiter(LimiterConfig{Clock: clk})
			c := newTestClient(t, h, func(c *Config) {
				c.MinBackoff, c.MaxBackoff, c.Clock, c.Limiter = 100*time.Millisecond, 10*time.Second, clk, lim
			})
			_, err := c.Attempt(context.Background(), Call{Method: http.MethodGet, Path: "/x"}, tt.attempt)
			if statusOf(err) != 429 {
				t.Fatalf("err = %v", err)
			}
			if pause := lim.pauseUntil.Sub(clk.Now()); pause < tt.lo || pause > tt.hi {
				t.Errorf("paused for %v, want %v to %v", pause, tt.lo, tt.hi)
			}
		})
	}
}
