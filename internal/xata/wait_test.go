package xata

import (
	"context"
	"encoding/json"
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BranchReached(&BranchMetadata{Status: tc.status}, tc.target, tc.seenHealthy); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// statusSequence serves GET branch with one status per call, repeating
// the last one.
type statusSequence struct {
	mu       sync.Mutex
	statuses []BranchStatus
	calls    int
	times    []time.Time
}

func (s *statusSequence) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := s.statuses[min(s.calls, len(s.statuses)-1)]
	s.calls++
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(BranchMetadata{ID: "b", Name: "b", Status: st})
}

func TestWaitForBranch(t *testing.T) {
	fast := WaitOptions{MinInterval: 10 * time.Millisecond, MaxInterval: 40 * time.Millisecond, FaultGrace: 150 * time.Millisecond}

	t.Run("placeholder, transient, then healthy", func(t *testing.T) {
		seq := &statusSequence{statuses: []BranchStatus{
			{StatusType: StatusHibernated, Status: "Cluster in healthy state"},
			{StatusType: StatusTransient, Status: "Setting up primary", InstanceCount: 1},
			{StatusType: StatusHealthy, InstanceCount: 1, InstanceReadyCount: 1},
		}}
		c := newTestClient(t, seq, nil)
		b, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, fast)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status.StatusType != StatusHealthy || seq.calls != 3 {
			t.Fatalf("got %s after %d polls, want healthy after 3", b.Status.StatusType, seq.calls)
		}
	})

	t.Run("polls back off up to the maximum", func(t *testing.T) {
		seq := &statusSequence{statuses: []BranchStatus{
			{StatusType: StatusTransient}, {StatusType: StatusTransient}, {StatusType: StatusTransient},
			{StatusType: StatusTransient}, {StatusType: StatusHealthy, InstanceReadyCount: 1},
		}}
		c := newTestClient(t, seq, nil)
		if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, fast); err != nil {
			t.Fatal(err)
		}
		// Gaps: 10, 20, 40, 40 ms (doubling, capped).
		first := seq.times[1].Sub(seq.times[0])
		last := seq.times[4].Sub(seq.times[3])
		if first >= 30*time.Millisecond || last < 35*time.Millisecond {
			t.Errorf("first gap %s should be near 10ms, last near 40ms (%s)", first, last)
		}
	})

	t.Run("a persisting fault fails with the server's status text", func(t *testing.T) {
		seq := &statusSequence{statuses: []BranchStatus{{StatusType: StatusFault, Status: "Waiting for user action"}}}
		c := newTestClient(t, seq, nil)
		_, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, fast)
		if err == nil || !strings.Contains(err.Error(), "Waiting for user action") {
			t.Fatalf("want a fault error naming the status, got %v", err)
		}
	})

	t.Run("a short fault is tolerated", func(t *testing.T) {
		seq := &statusSequence{statuses: []BranchStatus{
			{StatusType: StatusFault, Status: "Failing over"},
			{StatusType: StatusHealthy, InstanceReadyCount: 1},
		}}
		c := newTestClient(t, seq, nil)
		if _, err := c.WaitForBranch(context.Background(), "o", "p", "b", TargetHealthy, fast); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the context bounds the wait and the error says where it stood", func(t *testing.T) {
		seq := &statusSequence{statuses: []BranchStatus{{StatusType: StatusTransient, Status: "Setting up primary", InstanceCount: 1}}}
		c := newTestClient(t, seq, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.WaitForBranch(ctx, "o", "p", "b", TargetHealthy, fast)
		if err == nil || !strings.Contains(err.Error(), "Setting up primary") || !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("want a timeout naming the last status, got %v", err)
		}
		if time.Since(start) > time.Second {
			t.Fatalf("the wait overran its context by %s", time.Since(start))
		}
	})
}
