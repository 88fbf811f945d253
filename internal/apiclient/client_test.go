package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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
}

func TestRetryAfterHonoured(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(429, "local_rate_limited", "Retry-After", "1"), apitest.Reply(200, okBody))
	clk := apitest.NewClock(time.Now())
	c := newTestClient(t, h, func(c *Config) { c.Clock = clk }) // backoff would be ~1ms
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); len(s) != 1 || s[0] != time.Second {
		t.Errorf("slept %v, want [1s] (Retry-After)", s)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d", n.Load())
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
	if d := time.Since(start); d > time.Second {
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
	if d := time.Since(start); d > time.Second {
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
