package xata

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBranchReached(t *testing.T) {
	placeholder := BranchStatus{Status: "Cluster in healthy state", StatusType: StatusHibernated}
	healthy := BranchStatus{StatusType: StatusHealthy, InstanceCount: 1, InstanceReadyCount: 1}
	tests := []struct {
		name        string
		status      BranchStatus
		target      WaitTarget
		seenHealthy bool
		want        bool
	}{
		{"healthy with a ready instance", healthy, TargetHealthy, false, true},
		{"healthy but no instance ready yet", BranchStatus{StatusType: StatusHealthy, InstanceCount: 1}, TargetHealthy, false, false},
		{"placeholder right after create is still provisioning", placeholder, TargetHealthy, false, false},
		{"hibernated after being healthy (scale to zero)", placeholder, TargetHealthy, true, true},
		{"transient", BranchStatus{StatusType: StatusTransient}, TargetHealthy, true, false},
		{"fault is not reached", BranchStatus{StatusType: StatusFault}, TargetHealthy, true, false},
		{"asked hibernation reached", BranchStatus{StatusType: StatusHibernated, InstanceCount: 1}, TargetHibernated, false, true},
		{"asked hibernation not yet", healthy, TargetHibernated, true, false},
		{"settled: healthy", healthy, TargetSettled, false, true},
		{"settled: hibernated existing branch", BranchStatus{StatusType: StatusHibernated, InstanceCount: 1}, TargetSettled, false, true},
		{"settled: not while transient", BranchStatus{StatusType: StatusTransient, InstanceCount: 1, InstanceReadyCount: 1}, TargetSettled, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BranchReached(&BranchMetadata{Status: tc.status}, tc.target, tc.seenHealthy); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// fakeClock is a Clock whose time moves only when the waiter sleeps. It
// records every sleep, and cancels the context given to expire once its
// time passes deadline, as a context deadline would.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleeps   []time.Duration
	deadline time.Time
	expire   context.CancelCauseFunc
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	expired := c.expire != nil && !c.now.Before(c.deadline)
	c.mu.Unlock()
	if expired {
		c.expire(context.DeadlineExceeded)
	}
	return ctx.Err()
}

func (c *fakeClock) elapsed(start time.Time) time.Duration { return c.Now().Sub(start) }

// timedStatus serves GET branch with the status in force at the fake
// clock's time: each entry holds from its offset on.
type timedStatus struct {
	clock *fakeClock
	start time.Time
	steps []struct {
		from   time.Duration
		status BranchStatus
	}
	mu    sync.Mutex
	polls []time.Duration
}

func (s *timedStatus) at(from time.Duration, st BranchStatus) *timedStatus {
	s.steps = append(s.steps, struct {
		from   time.Duration
		status BranchStatus
	}{from, st})
	return s
}

func (s *timedStatus) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	t := s.clock.elapsed(s.start)
	s.mu.Lock()
	s.polls = append(s.polls, t)
	s.mu.Unlock()
	st := s.steps[0].status
	for _, step := range s.steps {
		if t >= step.from {
			st = step.status
		}
	}
	_ = json.NewEncoder(w).Encode(BranchMetadata{ID: "b", Name: "b", Status: st})
}

var (
	transient = BranchStatus{StatusType: StatusTransient, Status: "Setting up primary", InstanceCount: 1}
	ready     = BranchStatus{StatusType: StatusHealthy, InstanceCount: 1, InstanceReadyCount: 1}
)

func TestPollInterval(t *testing.T) {
	o := WaitOptions{}
	for _, tc := range []struct{ waited, want time.Duration }{
		{0, 250 * time.Millisecond},
		{time.Second, 250 * time.Millisecond},
		{2 * time.Second, 250 * time.Millisecond},
		{4 * time.Second, 500 * time.Millisecond},
		{10 * time.Second, 1250 * time.Millisecond},
		{40 * time.Second, 5 * time.Second},
		{10 * time.Minute, 5 * time.Second},
	} {
		if got := o.PollInterval(tc.waited); got != tc.want {
			t.Errorf("PollInterval(%s) = %s, want %s", tc.waited, got, tc.want)
		}
	}
}

// TestWaitForBranchNoticesReadinessPromptly is the property the waiter
// exists for: whenever the server turns ready, the waiter sees it within
// max(MinInterval, 12.5 % of the time waited), never later.
func TestWaitForBranchNoticesReadinessPromptly(t *testing.T) {
	for _, readyAt := range []time.Duration{
		0, 100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second, 2500 * time.Millisecond,
		10 * time.Second, 37 * time.Second, 3 * time.Minute, 19 * time.Minute,
	} {
		clock := newFakeClock()
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, transient).at(readyAt, ready)
		c := newTestClient(t, srv, nil)
		if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, WaitOptions{Clock: clock}); err != nil {
			t.Fatal(err)
		}
		seen := clock.elapsed(srv.start)
		bound := max(250*time.Millisecond, readyAt/8)
		if seen < readyAt || seen-readyAt > bound {
			t.Errorf("ready at %s, seen at %s: overshoot %s exceeds %s", readyAt, seen, seen-readyAt, bound)
		}
		for _, d := range clock.sleeps {
			if d < 250*time.Millisecond || d > 5*time.Second {
				t.Errorf("ready at %s: a poll gap of %s is outside [250ms, 5s]", readyAt, d)
			}
		}
	}
}

func TestWaitForBranch(t *testing.T) {
	opts := func(clock *fakeClock) WaitOptions { return WaitOptions{Clock: clock, FaultGrace: 2 * time.Minute} }

	t.Run("placeholder, transient, then healthy", func(t *testing.T) {
		clock := newFakeClock()
		placeholder := BranchStatus{StatusType: StatusHibernated, Status: "Cluster in healthy state"}
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, placeholder).at(time.Second, transient).at(3*time.Second, ready)
		c := newTestClient(t, srv, nil)
		b, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, opts(clock))
		if err != nil {
			t.Fatal(err)
		}
		if b.Status.StatusType != StatusHealthy || clock.elapsed(srv.start) < 3*time.Second {
			t.Fatalf("got %s at %s, want healthy at 3s or later", b.Status.StatusType, clock.elapsed(srv.start))
		}
	})

	t.Run("a persisting fault fails with the server's status text after the grace", func(t *testing.T) {
		clock := newFakeClock()
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, BranchStatus{StatusType: StatusFault, Status: "Waiting for user action"})
		c := newTestClient(t, srv, nil)
		_, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, opts(clock))
		if err == nil || !strings.Contains(err.Error(), "Waiting for user action") {
			t.Fatalf("want a fault error naming the status, got %v", err)
		}
		if got := clock.elapsed(srv.start); got < 2*time.Minute || got > 2*time.Minute+5*time.Second {
			t.Fatalf("the fault ended the wait at %s, want just after the 2m grace", got)
		}
	})

	t.Run("a fault that clears resets the grace", func(t *testing.T) {
		clock := newFakeClock()
		fault := BranchStatus{StatusType: StatusFault, Status: "Failing over"}
		// FAULT for 90s, TRANSIENT, then FAULT for 90s again: neither
		// spell outlasts the 2m grace, so the wait goes on to healthy.
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, fault).at(90*time.Second, transient).
			at(100*time.Second, fault).at(190*time.Second, ready)
		c := newTestClient(t, srv, nil)
		if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, opts(clock)); err != nil {
			t.Fatalf("two short faults must not fail the wait: %v", err)
		}
	})

	t.Run("hibernation is awaited only when asked for", func(t *testing.T) {
		clock := newFakeClock()
		hibernated := BranchStatus{StatusType: StatusHibernated, Status: "Cluster has been hibernated", InstanceCount: 1}
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, ready).at(2*time.Second, hibernated)
		c := newTestClient(t, srv, nil)
		b, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHibernated, opts(clock))
		if err != nil || b.Status.StatusType != StatusHibernated {
			t.Fatalf("want hibernated, got %v, %v", b, err)
		}
	})

	t.Run("the context bounds the wait and the error says what was awaited and where it stood", func(t *testing.T) {
		clock := newFakeClock()
		srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, transient)
		c := newTestClient(t, srv, nil)
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		clock.deadline, clock.expire = clock.Now().Add(20*time.Minute), cancel
		_, err := c.WaitForBranch(ctx, "o", "p", "b", TargetHealthy, opts(clock))
		if err == nil || !errors.Is(err, context.DeadlineExceeded) ||
			!strings.Contains(err.Error(), "Setting up primary") || !strings.Contains(err.Error(), "to be healthy") {
			t.Fatalf("want a timeout naming the target and the last status, got %v", err)
		}
		if got := clock.elapsed(srv.start); got > 20*time.Minute+5*time.Second {
			t.Fatalf("the wait overran its deadline: %s", got)
		}
	})
}

// credentialsAfter answers the credentials endpoint with 404 until the
// fake clock reaches at, then with credentials.
type credentialsAfter struct {
	clock     *fakeClock
	start     time.Time
	at        time.Duration
	failOnce  int // answer this status once, before anything else
	mu        sync.Mutex
	calls     int
	failsSent int
}

func (s *credentialsAfter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.calls++
	fail := s.failOnce != 0 && s.failsSent == 0
	if fail {
		s.failsSent++
	}
	s.mu.Unlock()
	switch {
	case fail:
		w.WriteHeader(s.failOnce)
		_, _ = w.Write([]byte(`{"message":"injected"}`))
	case s.clock.elapsed(s.start) < s.at:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"credentials not found"}`))
	default:
		_ = json.NewEncoder(w).Encode(BranchCredentials{Username: "xata", Password: "pw"})
	}
}

func TestWaitForCredentials(t *testing.T) {
	t.Run("waits out the lag after health", func(t *testing.T) {
		clock := newFakeClock()
		srv := &credentialsAfter{clock: clock, start: clock.Now(), at: 7 * time.Second}
		c := newTestClient(t, srv, nil)
		creds, err := c.WaitForCredentials(context.Background(), "o", "p", "b", WaitOptions{Clock: clock})
		if err != nil || creds.Password != "pw" {
			t.Fatalf("got %v, %v", creds, err)
		}
		if seen := clock.elapsed(srv.start); seen-7*time.Second > 7*time.Second/8 {
			t.Errorf("credentials there at 7s, seen at %s", seen)
		}
	})
	t.Run("gives up after the grace, saying so", func(t *testing.T) {
		clock := newFakeClock()
		srv := &credentialsAfter{clock: clock, start: clock.Now(), at: time.Hour}
		c := newTestClient(t, srv, nil)
		_, err := c.WaitForCredentials(context.Background(), "o", "p", "b", WaitOptions{Clock: clock, CredentialsGrace: 30 * time.Second})
		if err == nil || !IsNotFound(err) || !strings.Contains(err.Error(), "still missing 30s after") {
			t.Fatalf("want a not-found error naming the grace, got %v", err)
		}
		if got := clock.elapsed(srv.start); got != 30*time.Second {
			t.Errorf("gave up at %s, want exactly at the 30s grace", got)
		}
	})
	t.Run("another error ends the wait at once", func(t *testing.T) {
		clock := newFakeClock()
		srv := &credentialsAfter{clock: clock, start: clock.Now(), failOnce: http.StatusForbidden}
		c := newTestClient(t, srv, nil)
		_, err := c.WaitForCredentials(context.Background(), "o", "p", "b", WaitOptions{Clock: clock})
		if statusOf(err) != http.StatusForbidden || srv.calls != 1 {
			t.Fatalf("want the 403 after one call, got %v after %d", err, srv.calls)
		}
	})
}

func TestWaitOptionsDefaults(t *testing.T) {
	o := WaitOptions{}.withDefaults()
	if o.MinInterval != 250*time.Millisecond || o.MaxInterval != 5*time.Second || o.FaultGrace != 2*time.Minute ||
		o.CredentialsGrace != 60*time.Second || o.Clock == nil {
		t.Errorf("defaults: %+v", o)
	}
	set := WaitOptions{MinInterval: time.Second, MaxInterval: 2 * time.Second, FaultGrace: time.Minute, CredentialsGrace: time.Second}.withDefaults()
	if set.MinInterval != time.Second || set.MaxInterval != 2*time.Second || set.FaultGrace != time.Minute || set.CredentialsGrace != time.Second {
		t.Errorf("set values were replaced: %+v", set)
	}
}

// TestWaitForBranchFaultGraceIsExact: a FAULT fails the wait at the first
// poll at or after the grace, not one poll later.
func TestWaitForBranchFaultGraceIsExact(t *testing.T) {
	clock := newFakeClock()
	srv := (&timedStatus{clock: clock, start: clock.Now()}).at(0, BranchStatus{StatusType: StatusFault, Status: "Failing"})
	c := newTestClient(t, srv, nil)
	opts := WaitOptions{Clock: clock, MinInterval: 500 * time.Millisecond, MaxInterval: 500 * time.Millisecond, FaultGrace: time.Second}
	if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, opts); err == nil {
		t.Fatal("want a fault error")
	}
	// Polls at 0.5s (fault first seen), 1.0s, 1.5s (seen for 1s: fails).
	if got := clock.elapsed(srv.start); got != 1500*time.Millisecond {
		t.Errorf("failed at %s, want 1.5s", got)
	}
}
