package apiclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

// quotaHeaders are the X-RateLimit-* headers of a quota with remaining
// requests left until reset.
func quotaHeaders(limit, remaining int, reset time.Time) []string {
	return []string{
		"X-RateLimit-Limit", strconv.Itoa(limit),
		"X-RateLimit-Remaining", strconv.Itoa(remaining),
		"X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10),
	}
}

func TestParseBudget(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := now.Add(42 * time.Second)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		header http.Header
		want   Budget
		ok     bool
	}{
		{"all three", h(quotaHeaders(100, 7, reset)...), Budget{Limit: 100, Remaining: 7, Reset: reset}, true},
		{"reset in seconds from now", h("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "7", "X-RateLimit-Reset", "42"),
			Budget{Limit: 100, Remaining: 7, Reset: reset}, true},
		{"remaining above the limit", h(quotaHeaders(10, 70, reset)...), Budget{Limit: 10, Remaining: 10, Reset: reset}, true},
		{"none", h(), Budget{}, false},
		{"no reset", h("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "7"), Budget{}, false},
		{"no limit", h("X-RateLimit-Remaining", "7", "X-RateLimit-Reset", "42"), Budget{}, false},
		{"zero limit", h(quotaHeaders(0, 0, reset)...), Budget{}, false},
		{"negative", h(quotaHeaders(100, -1, reset)...), Budget{}, false},
		{"not a number", h("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "many", "X-RateLimit-Reset", "42"), Budget{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseBudget(tt.header, now)
			if ok != tt.ok || got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) {
				t.Errorf("parseBudget = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// quotaClient is a test client with a limiter, both on clk.
func quotaClient(t *testing.T, h http.Handler, clk *apitest.Clock) *Client {
	t.Helper()
	return newTestClient(t, h, func(c *Config) {
		c.Clock = clk
		c.Limiter = NewLimiter(LimiterConfig{Clock: clk})
	})
}

// The quota spent for the next hour: the call fails after one request,
// without sleeping, and so does the next one, without sending anything;
// whether the server says so with quota headers or with Retry-After only.
func TestQuotaSpentLongerThanTheCallMayWaitFailsAtOnce(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	reset := start.Add(time.Hour)
	for name, refusal := range map[string][]string{
		"quota headers":    append([]string{"Retry-After", "3600"}, quotaHeaders(1000, 0, reset)...),
		"Retry-After only": {"Retry-After", "3600"},
	} {
		t.Run(name, func(t *testing.T) {
			clk := apitest.NewClock(start)
			h, n := apitest.Script(apitest.Reply(429, `{"message":"rate limit exceeded"}`, refusal...), apitest.Reply(200, okBody))
			c := quotaClient(t, h, clk)

			err := get(context.Background(), c)
			var qe *QuotaError
			if !errors.As(err, &qe) {
				t.Fatalf("got %v, want a *QuotaError", err)
			}
			if n.Load() != 1 || len(clk.Sleeps()) != 0 {
				t.Errorf("%d requests and sleeps %v; want one request and no wait", n.Load(), clk.Sleeps())
			}
			for _, want := range []string{"quota is spent until " + reset.UTC().Format(time.RFC3339), "in 1h0m0s",
				"may wait (1m30s)", "429: {\"message\":\"rate limit exceeded\"}"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if name == "quota headers" && !strings.Contains(err.Error(), "allows 1000 requests per window and 0 remain") {
				t.Errorf("error %q does not report the quota", err)
			}

			err = get(context.Background(), c)
			if !errors.As(err, &qe) || !strings.Contains(err.Error(), "nothing was sent") {
				t.Fatalf("second call: got %v, want a *QuotaError that sent nothing", err)
			}
			if n.Load() != 1 {
				t.Errorf("the second call sent a request into a spent quota")
			}
		})
	}
}

// A spent minute window is waited out, once, and the call goes through.
func TestQuotaSpentForLessThanTheWaitIsWaitedOut(t *testing.T) {
	clk := apitest.NewClock(time.Now().Truncate(time.Second))
	refusal := append([]string{"Retry-After", "50"}, quotaHeaders(100, 0, clk.Now().Add(50*time.Second))...)
	h, n := apitest.Script(apitest.Reply(429, "", refusal...), apitest.Reply(200, okBody))
	c := quotaClient(t, h, clk)
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); n.Load() != 2 || len(s) != 1 || s[0] != 50*time.Second {
		t.Errorf("%d requests, slept %v; want 2 and [50s] (MaxRetryAfter does not cap a quota's wait)", n.Load(), s)
	}
}

// A deadline closer than the reset is what the call may wait.
func TestQuotaWaitEndsAtTheDeadline(t *testing.T) {
	clk := apitest.NewClock(time.Now().Truncate(time.Second))
	refusal := append([]string{"Retry-After", "50"}, quotaHeaders(100, 0, clk.Now().Add(50*time.Second))...)
	h, n := apitest.Script(apitest.Reply(429, "", refusal...), apitest.Reply(200, okBody))
	c := quotaClient(t, h, clk)
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(10*time.Second))
	defer cancel()
	err := get(ctx, c)
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.MaxWait > 10*time.Second {
		t.Fatalf("got %v, want a *QuotaError bounded by the 10s deadline", err)
	}
	if n.Load() != 1 || len(clk.Sleeps()) != 0 {
		t.Errorf("%d requests, slept %v; want one request and no wait", n.Load(), clk.Sleeps())
	}
}

// A 2xx answer that leaves nothing in the window holds the next call until
// the reset instead of sending it into a refusal.
func TestLastRequestOfTheWindowHoldsTheNext(t *testing.T) {
	clk := apitest.NewClock(time.Now().Truncate(time.Second))
	reset := clk.Now().Add(20 * time.Second)
	h, n := apitest.Script(apitest.Reply(200, okBody, quotaHeaders(100, 0, reset)...), apitest.Reply(200, okBody))
	c := quotaClient(t, h, clk)
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); n.Load() != 2 || len(s) != 1 || s[0] != 20*time.Second {
		t.Errorf("%d requests, slept %v; want the second held 20s, until the reset", n.Load(), s)
	}
}

// The budget follows the server's report, less what this client sent
// since, and ends with its window.
func TestLimiterBudget(t *testing.T) {
	clk := apitest.NewClock(time.Now().Truncate(time.Second))
	l := NewLimiter(LimiterConfig{Clock: clk})
	if _, ok := l.Budget(); ok {
		t.Fatal("a budget before any report")
	}
	reset := clk.Now().Add(time.Minute)
	l.observe(Budget{Limit: 100, Remaining: 3, Reset: reset})
	for want := 2; want >= 0; want-- {
		if _, err := l.wait(context.Background(), time.Hour); err != nil {
			t.Fatal(err)
		}
		if b, _ := l.Budget(); b.Remaining != want {
			t.Fatalf("remaining %d after a request, want %d", b.Remaining, want)
		}
	}
	// Within a window the lower count wins: an older answer arriving late
	// does not give back what was spent.
	l.observe(Budget{Limit: 100, Remaining: 2, Reset: reset})
	if b, _ := l.Budget(); b.Remaining != 0 {
		t.Errorf("a late answer raised the budget to %d", b.Remaining)
	}
	// Spent, with the reset beyond what the caller may wait: refused at
	// once; within it: held until the reset.
	var spent *quotaSpent
	if _, err := l.wait(context.Background(), time.Second); !errors.As(err, &spent) || !spent.until.Equal(reset) {
		t.Fatalf("wait = %v, want quota spent until %v", err, reset)
	}
	if _, err := l.wait(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); len(s) != 1 || s[0] != time.Minute {
		t.Errorf("slept %v, want [1m]: until the reset", s)
	}
	if _, ok := l.Budget(); ok {
		t.Errorf("a budget after its window ended")
	}
	// A new window replaces the old.
	l.observe(Budget{Limit: 100, Remaining: 99, Reset: clk.Now().Add(time.Minute)})
	if b, ok := l.Budget(); !ok || b.Remaining != 99 {
		t.Errorf("budget %+v, %v after a new window; want 99 remaining", b, ok)
	}
}

// A 429 without quota headers or Retry-After is the gateway's pace, not
// the quota: retried with backoff as before.
func TestGatewayRefusalIsNotAQuota(t *testing.T) {
	clk := apitest.NewClock(time.Now().Truncate(time.Second))
	h, n := apitest.Script(apitest.Reply(429, "local_rate_limited"), apitest.Reply(200, okBody))
	c := quotaClient(t, h, clk)
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

// The fall of Remaining between two answers, over the requests this client
// sent between them, estimates how many clients share the quota.
func TestLimiterEstimatesSharers(t *testing.T) {
	clk := apitest.NewClock(time.Now())
	reset := clk.Now().Add(time.Minute)
	l := NewLimiter(LimiterConfig{Clock: clk})
	send := func(n int) {
		for range n {
			if _, err := l.wait(context.Background(), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	sharers := func() float64 { b, _ := l.Budget(); return b.Sharers }

	send(1)
	l.observe(Budget{Limit: 100, Remaining: 90, Reset: reset})
	if s := sharers(); s != 1 {
		t.Fatalf("sharers %v from one answer, want 1", s)
	}
	// Alone: the quota falls by exactly what this client sends.
	send(2)
	l.observe(Budget{Limit: 100, Remaining: 88, Reset: reset})
	if s := sharers(); s != 1 {
		t.Errorf("sharers %v when alone, want 1", s)
	}
	// 2 requests of ours while it fell by 10: about five clients; the
	// estimate moves halfway, to 3.
	send(2)
	l.observe(Budget{Limit: 100, Remaining: 78, Reset: reset})
	if s := sharers(); s != 3 {
		t.Errorf("sharers %v after a fall of 10 over 2 of ours, want 3 (halfway from 1 to 5)", s)
	}
	// An answer from before the last one (out of order) teaches nothing,
	// nor does a new window's first.
	send(1)
	l.observe(Budget{Limit: 100, Remaining: 80, Reset: reset})
	l.observe(Budget{Limit: 100, Remaining: 99, Reset: reset.Add(time.Minute)})
	if s := sharers(); s != 3 {
		t.Errorf("sharers %v after answers that teach nothing, want 3", s)
	}
}
