package apiclient

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNewLimiterDefaults(t *testing.T) {
	for _, cfg := range []LimiterConfig{
		{},
		{Increase: -1, Decrease: 1.5, MinRate: -2},
		{Decrease: 1}, // outside (0, 1): a "cut" that keeps the rate would never slow down
	} {
		l := NewLimiter(cfg)
		if l.cfg.Increase != 1 || l.cfg.Decrease != 0.7 || l.cfg.MinRate != 1 || l.cfg.Clock == nil {
			t.Errorf("NewLimiter(%+v) config = %+v", cfg, l.cfg)
		}
	}
	if l := NewLimiter(LimiterConfig{Increase: 3, Decrease: 0.99, MinRate: 0.5}); l.cfg.Increase != 3 ||
		l.cfg.Decrease != 0.99 || l.cfg.MinRate != 0.5 {
		t.Errorf("valid values not kept: %+v", l.cfg)
	}
}

// TestSystemClockSleep runs in a synctest bubble, whose fake time the
// system clock follows.
func TestSystemClockSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ended, cancel := context.WithCancel(context.Background())
		cancel()
		for _, tt := range []struct {
			name    string
			ctx     context.Context
			d       time.Duration
			want    error
			elapsed time.Duration
		}{
			{"full wait", context.Background(), time.Hour, nil, time.Hour},
			{"ended context", ended, time.Hour, context.Canceled, 0},
			// No wait at all, so nothing for ctx to cut short: nil even
			// when ctx has ended (never a coin toss against a timer).
			{"zero", ended, 0, nil, 0},
			{"negative", ended, -time.Second, nil, 0},
		} {
			// A race would show only now and then: repeat.
			for range 64 {
				start := time.Now()
				if err := (systemClock{}).Sleep(tt.ctx, tt.d); !errors.Is(err, tt.want) {
					t.Fatalf("%s: Sleep(%v) = %v, want %v", tt.name, tt.d, err, tt.want)
				}
				if got := time.Since(start); got != tt.elapsed {
					t.Fatalf("%s: Sleep(%v) took %v, want %v", tt.name, tt.d, got, tt.elapsed)
				}
			}
		}

		// A context that ends during the wait ends it then.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		if err := (systemClock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Minute {
			t.Errorf("Sleep(1h) with a 1m deadline = %v after %v", err, time.Since(start))
		}
	})
}

func TestLimiterUnthrottledUntilRefused(t *testing.T) {
	clk := apitest.NewClock(t0)
	l := NewLimiter(LimiterConfig{Clock: clk})
	for i := range 1000 {
		if ticket, err := l.wait(context.Background(), time.Hour); err != nil || ticket != uint64(i+1) {
			t.Fatalf("wait %d = %d, %v", i, ticket, err)
		}
	}
	if s := clk.Sleeps(); len(s) != 0 {
		t.Errorf("throttled before any refusal: slept %v", s)
	}
}

// waitN lets n requests through l and returns the times they were let
// through at.
func waitN(t *testing.T, l *Limiter, clk *apitest.Clock, n int) []time.Time {
	t.Helper()
	var at []time.Time
	for range n {
		if _, err := l.wait(context.Background(), time.Hour); err != nil {
			t.Fatal(err)
		}
		at = append(at, clk.Now())
	}
	return at
}

func near(a, b time.Duration) bool { return math.Abs(float64(a-b)) <= float64(time.Microsecond) }

func TestLimiterAIMDSchedule(t *testing.T) {
	clk := apitest.NewClock(t0)
	l := NewLimiter(LimiterConfig{Increase: 2, Decrease: 0.5, MinRate: 1, Clock: clk})
	sec := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

	// Ten requests in the first second, then the tenth is refused with
	// Retry-After: 2.
	for range 10 {
		waitN(t, l, clk, 1)
		clk.Advance(100 * time.Millisecond)
	}
	rate, until := l.refused(10, 2*time.Second)
	if rate != 5 || !until.Equal(sec(3)) {
		t.Fatalf("after the first refusal: rate %v until %v; want half of 10/s, until t0+3s", rate, until.Sub(t0))
	}

	// Every caller waits out the pause, then requests are paced at 5/s
	// plus 2/s for every second since.
	clk.Sleeps()
	granted := waitN(t, l, clk, 12)
	sleeps := clk.Sleeps()
	want := []time.Duration{2 * time.Second}
	at := 3.0
	for range 11 {
		gap := 1 / (5 + 2*(at-3))
		want = append(want, time.Duration(gap*float64(time.Second)))
		at += gap
	}
	if len(sleeps) != len(want) || !near(sleeps[1], 200*time.Millisecond) || !near(sleeps[2], 185185185) {
		t.Fatalf("sleeps = %v, want %v", sleeps, want)
	}
	for i := range want {
		if !near(sleeps[i], want[i]) {
			t.Errorf("sleep %d = %v, want %v", i, sleeps[i], want[i])
		}
	}

	// Paced requests until t0+5s; then one is refused without Retry-After
	// (the client's backoff: 300ms). The rate is cut to half of what
	// went through in the last second, which is less than the 9/s
	// allowed by then.
	for l.next.Before(sec(5)) {
		granted = append(granted, waitN(t, l, clk, 1)...)
	}
	last := l.granted
	clk.Advance(sec(5).Sub(granted[len(granted)-1])) // exactly t0+5s, a window's end
	lastSecond := 0
	for _, g := range granted {
		if !g.Before(sec(4)) && g.Before(sec(5)) {
			lastSecond++
		}
	}
	if lastSecond < 7 || lastSecond > 9 {
		t.Fatalf("%d requests between t0+4s and t0+5s; want 7 to 9 at 7/s → 9/s", lastSecond)
	}
	rate, until = l.refused(last, 300*time.Millisecond)
	if rate != float64(lastSecond)/2 || !until.Equal(sec(5.3)) {
		t.Fatalf("after the second refusal: rate %v until %v; want %v until t0+5.3s", rate, until.Sub(t0), float64(lastSecond)/2)
	}

	// Refusals of requests sent before that cut do not cut again, but a
	// longer Retry-After still pauses everyone.
	if rate, until := l.refused(last-1, 100*time.Millisecond); rate != float64(lastSecond)/2 || !until.Equal(sec(5.3)) {
		t.Errorf("late refusal: rate %v until %v; want no change", rate, until.Sub(t0))
	}
	if rate, until := l.refused(last, 10*time.Second); rate != float64(lastSecond)/2 || !until.Equal(sec(15)) {
		t.Errorf("late refusal with a long Retry-After: rate %v until %v; want the same rate until t0+15s", rate, until.Sub(t0))
	}
	clk.Sleeps()
	waitN(t, l, clk, 2)
	if s := clk.Sleeps(); len(s) != 2 || !near(s[0], 10*time.Second) || !near(s[1], time.Duration(float64(time.Second)*2/float64(lastSecond))) {
		t.Errorf("after the late refusals slept %v; want the pause, then 1/rate", s)
	}

	// A refusal right after an idle spell cuts to the floor: the server
	// refused the only request of the last second.
	clk.Advance(time.Minute)
	ticket, _ := l.wait(context.Background(), time.Hour)
	if rate, _ := l.refused(ticket, time.Second); rate != 1 {
		t.Errorf("after idling: rate %v, want MinRate", rate)
	}
}

// TestLimiterDemand checks the rate a refusal cuts: the server refused
// what went through in the last second, the current one-second window's
// requests plus the share of the previous window's that the last second
// still covers.
func TestLimiterDemand(t *testing.T) {
	for _, tt := range []struct {
		name      string
		at, later time.Duration // the refused request, after ten at t0; its refusal, after it
		want      float64       // the rate after the cut: half the demand
	}{
		{"same window", 500 * time.Millisecond, 0, 11.0 / 2},
		{"window's end", time.Second, 0, (1 + 10) / 2.0},
		{"a quarter into the next window", 1250 * time.Millisecond, 0, (1 + 10*0.75) / 2},
		{"half into the next window", 1500 * time.Millisecond, 0, (1 + 10*0.5) / 2},
		{"three quarters into the next window", 1750 * time.Millisecond, 0, (1 + 10*0.25) / 2},
		{"two windows on", 2 * time.Second, 0, 1.0 / 2},
		{"long after", time.Minute, 0, 1.0 / 2},
		// A request exactly at a window's end opens the next window.
		{"sent at the window's end, refused later", time.Second, 500 * time.Millisecond, (1 + 10*0.5) / 2},
		{"sent two windows on, refused later", 2 * time.Second, 500 * time.Millisecond, 1.0 / 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := apitest.NewClock(t0)
			l := NewLimiter(LimiterConfig{Decrease: 0.5, MinRate: 0.01, Clock: clk})
			waitN(t, l, clk, 10)
			clk.Advance(tt.at)
			ticket, err := l.wait(context.Background(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(tt.later)
			if rate, _ := l.refused(ticket, time.Second); math.Abs(rate-tt.want) > 1e-9 {
				t.Errorf("rate after the cut = %v, want %v", rate, tt.want)
			}
		})
	}
}

// TestLimiterPausesEveryCaller runs in a synctest bubble, whose fake time
// the system clock follows.
func TestLimiterPausesEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(LimiterConfig{})
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		var (
			mu        sync.Mutex
			grants    []time.Duration
			refusedAt time.Duration
			wg        sync.WaitGroup
		)
		for range 4 {
			wg.Go(func() {
				for {
					ticket, err := l.wait(ctx, time.Hour)
					if err != nil {
						return
					}
					mu.Lock()
					grants = append(grants, time.Since(start))
					if ticket == 20 {
						refusedAt = time.Since(start)
						l.refused(ticket, 3*time.Second)
					}
					mu.Unlock()
					time.Sleep(10 * time.Millisecond)
				}
			})
		}
		time.Sleep(10 * time.Second)
		cancel()
		wg.Wait()
		if refusedAt == 0 {
			t.Fatal("no refusal happened")
		}
		after := 0
		for _, g := range grants {
			if g > refusedAt && g < refusedAt+3*time.Second {
				t.Errorf("a request went through at %v, during the pause from %v", g, refusedAt)
			}
			if g >= refusedAt+3*time.Second {
				after++
			}
		}
		if after == 0 {
			t.Error("no request went through after the pause")
		}
	})
}

// newBubbleClient is a client whose requests h serves in-process, for
// tests in a synctest bubble.
func newBubbleClient(t *testing.T, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Name:       "test API",
		BaseURL:    "http://api.test",
		HTTPClient: &http.Client{Transport: apitest.Transport{Handler: h}},
		SetHeaders: func(http.Header) {},
		Retryable:  func(method string, err error) bool { return Retryable(method, err, statusOf(err)) },
		DecodeError: func(_, _ string, status int, _ http.Header, body []byte) error {
			return &statusError{status: status, body: body}
		},
		Redact: Redactor{JSON: identity[any], Text: identity[string]},
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

func TestRefusalPausesTheWholeClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var (
			mu       sync.Mutex
			arrivals []time.Duration
		)
		script, n := apitest.Script(apitest.Reply(429, "slow down", "Retry-After", "2"), apitest.Reply(200, okBody))
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			arrivals = append(arrivals, time.Since(start))
			mu.Unlock()
			script.ServeHTTP(w, r)
		})
		c := newBubbleClient(t, h, func(c *Config) { c.Limiter = NewLimiter(LimiterConfig{}) })
		var wg sync.WaitGroup
		for _, delay := range []time.Duration{0, 500 * time.Millisecond, time.Second} {
			wg.Go(func() {
				time.Sleep(delay)
				if err := get(context.Background(), c); err != nil {
					t.Errorf("caller starting at %v: %v", delay, err)
				}
			})
		}
		wg.Wait()
		if n.Load() != 4 {
			t.Errorf("requests = %d, want 4 (one refused)", n.Load())
		}
		for _, a := range arrivals[1:] {
			if a < 2*time.Second {
				t.Errorf("a request arrived at %v, before the Retry-After of the first one ended", a)
			}
		}
	})
}

func TestLimiterWaitEndsWithContext(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(200, okBody))
	lim := NewLimiter(LimiterConfig{})
	lim.refused(0, time.Hour)
	c := newTestClient(t, h, func(c *Config) { c.Limiter = lim })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := get(ctx, c)
	want := "test API: GET /x: overall deadline reached while waiting for the rate limiter (the server asked to slow down): context deadline exceeded"
	if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if n.Load() != 0 {
		t.Errorf("requests = %d", n.Load())
	}
}
