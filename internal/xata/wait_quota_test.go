package xata

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

func TestGiveWay(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := func(d time.Duration) time.Time { return now.Add(d) }
	for _, tc := range []struct {
		name   string
		budget apiclient.Budget
		ok     bool
		want   time.Duration
	}{
		{"no report", apiclient.Budget{}, false, 0},
		{"half left keeps the schedule", apiclient.Budget{Limit: 100, Remaining: 50, Reset: in(time.Minute)}, true, 0},
		{"below half: the spare above a quarter spread over the window",
			apiclient.Budget{Limit: 100, Remaining: 37, Reset: in(time.Minute)}, true, 5 * time.Second},
		{"one spare request", apiclient.Budget{Limit: 100, Remaining: 26, Reset: in(30 * time.Second)}, true, 30 * time.Second},
		{"down to the reserve: until the window ends", apiclient.Budget{Limit: 100, Remaining: 25, Reset: in(40 * time.Second)}, true, 40 * time.Second},
		{"spent minute", apiclient.Budget{Limit: 100, Remaining: 0, Reset: in(50 * time.Second)}, true, 50 * time.Second},
		{"the hour spent: at most a minute", apiclient.Budget{Limit: 1000, Remaining: 0, Reset: in(time.Hour)}, true, time.Minute},
		{"the hour low: spread, at most a minute", apiclient.Budget{Limit: 1000, Remaining: 260, Reset: in(time.Hour)}, true, time.Minute},
		{"the hour below half: spread", apiclient.Budget{Limit: 1000, Remaining: 490, Reset: in(time.Hour)}, true, 15 * time.Second},
		{"a window already over", apiclient.Budget{Limit: 100, Remaining: 0, Reset: in(-time.Second)}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := GiveWay(tc.budget, tc.ok, now); got != tc.want {
				t.Errorf("GiveWay = %s, want %s", got, tc.want)
			}
		})
	}
}

// quotaStatus serves a branch that turns ready at readyAt, from a key
// whose quota of limit requests per window starts with remaining left;
// every poll spends one.
type quotaStatus struct {
	clock            *fakeClock
	start            time.Time
	readyAt          time.Duration
	windowLen        time.Duration
	limit, remaining int

	mu     sync.Mutex
	window int   // index of the current window
	left   []int // remaining after each poll; -1 marks a new window
}

func (s *quotaStatus) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	t := s.clock.elapsed(s.start)
	s.mu.Lock()
	if i := int(t / s.windowLen); i > s.window {
		s.window, s.remaining, s.left = i, s.limit, append(s.left, -1)
	}
	s.remaining--
	s.left = append(s.left, s.remaining)
	left, windowEnd := s.remaining, s.windowLen*time.Duration(s.window+1)
	s.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(left))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.start.Add(windowEnd).Unix(), 10))
	st := transient
	if t >= s.readyAt {
		st = ready
	}
	_ = json.NewEncoder(w).Encode(BranchMetadata{ID: "b", Name: "b", Status: st})
}

// Polls under a low budget leave the reserve to other requests of the
// key: within the window they never take it below a quarter of the
// quota, and the branch is still seen ready, at the latest when the
// window turns.
func TestWaitForBranchGivesWayToTheQuota(t *testing.T) {
	clock := newFakeClock()
	srv := &quotaStatus{clock: clock, start: clock.Now(), readyAt: 20 * time.Second, windowLen: time.Minute, limit: 100, remaining: 40}
	c := newTestClient(t, srv, func(c *Config) { c.Limiter = apiclient.NewLimiter(apiclient.LimiterConfig{Clock: clock}) })
	if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, WaitOptions{Clock: clock}); err != nil {
		t.Fatal(err)
	}
	seen := clock.elapsed(srv.start)
	if seen < srv.readyAt || seen > srv.windowLen+5*time.Second {
		t.Errorf("ready at %s, seen at %s: want by the end of the window", srv.readyAt, seen)
	}
	polls := 0
	for _, left := range srv.left {
		if left == -1 {
			break // the next window
		}
		polls++
		if left < srv.limit/4-1 {
			t.Errorf("a poll left %d of %d: polls took the reserve (remaining after each poll: %v)", left, srv.limit, srv.left)
		}
	}
	// The prompt schedule would poll about 40 times in 20 s.
	if polls > 16 {
		t.Errorf("%d polls in the first window, want at most the 15 spare requests and one: %v", polls, srv.left)
	}
}

// Sharing the quota with others, a client spreads only its share of the
// spare requests over the window.
func TestGiveWayShares(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alone := apiclient.Budget{Limit: 100, Remaining: 37, Reset: now.Add(time.Minute), Sharers: 1}
	four := alone
	four.Sharers = 4
	if got := GiveWay(alone, true, now); got != 5*time.Second {
		t.Errorf("alone: %s, want 5s", got)
	}
	if got := GiveWay(four, true, now); got != 20*time.Second {
		t.Errorf("among four: %s, want 20s", got)
	}
}

// A wait that starts under pressure gives way before its first look too:
// right after a create, that look is the likeliest to be wasted.
func TestWaitForBranchFirstLookGivesWay(t *testing.T) {
	clock := newFakeClock()
	srv := &quotaStatus{clock: clock, start: clock.Now(), readyAt: 40 * time.Second, windowLen: time.Minute, limit: 100, remaining: 31}
	c := newTestClient(t, srv, func(c *Config) { c.Limiter = apiclient.NewLimiter(apiclient.LimiterConfig{Clock: clock}) })
	// The create's answer: 30 of 100 left, 5 above the reserve.
	if _, err := c.GetBranch(context.Background(), "o", "p", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, WaitOptions{Clock: clock}); err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) == 0 || clock.sleeps[0] != 12*time.Second {
		t.Errorf("first look after %v, want 12s: the 60s left spread over the 5 spare requests (sleeps %v)", clock.sleeps[:1], clock.sleeps)
	}
}
