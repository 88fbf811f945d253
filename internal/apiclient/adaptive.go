package apiclient

import (
	"context"
	"sync"
	"time"
)

// Clock is the time source of a Client and a Limiter; tests inject a fake
// one.
type Clock interface {
	Now() time.Time
	// Sleep returns after d, or earlier with ctx's cause when ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock, for packages that take a Clock too.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// LimiterConfig configures NewLimiter. Zero values select the defaults
// noted.
type LimiterConfig struct {
	// Increase is how many requests per second the allowed rate gains for
	// every second without a refusal; default 1.
	Increase float64
	// Decrease multiplies the allowed rate on a refusal; default 0.7 (the
	// pause already relieves the server, so a milder cut suffices), and
	// so is any value outside (0, 1).
	Decrease float64
	// MinRate is the floor of the allowed rate in requests per second;
	// default 1.
	MinRate float64
	Clock   Clock // default the system clock
}

// Limiter paces the requests of every caller that shares it (one per API
// and provider instance) by what the server says. Requests go unthrottled
// until the server refuses one (429 or 503). A refusal pauses every caller
// for the server's Retry-After, else a jittered backoff, and cuts the
// allowed rate by Decrease; from the end of the pause the rate grows by
// Increase per second (AIMD). Waiting never fails but for the context: a
// request the server would refuse costs a pause, not an error. It is safe
// for concurrent use.
type Limiter struct {
	cfg LimiterConfig

	mu      sync.Mutex
	granted uint64 // requests let through; each one's number is its ticket
	// Requests let through in the current and the previous one-second
	// window, to estimate the rate the server refused.
	window    time.Time
	cur, prev int
	limited   bool // a refusal has been seen: requests are paced
	// The allowed rate is base at pauseUntil, plus Increase per second
	// since.
	base       float64
	pauseUntil time.Time
	next       time.Time // earliest next request while limited
	cutAt      uint64    // granted when the rate was last cut
	epoch      uint64    // changes with the pause or the rate, voiding the slots booked
}

// NewLimiter returns a Limiter that does not throttle yet.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Increase <= 0 {
		cfg.Increase = 1
	}
	if cfg.Decrease <= 0 || cfg.Decrease >= 1 {
		cfg.Decrease = 0.7
	}
	if cfg.MinRate <= 0 {
		cfg.MinRate = 1
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	return &Limiter{cfg: cfg}
}

// wait blocks until the caller may send a request, or ctx ends. The ticket
// identifies the request to refused.
func (l *Limiter) wait(ctx context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		now := l.cfg.Clock.Now()
		at, epoch := l.reserve(now), l.epoch
		if at.After(now) {
			l.mu.Unlock()
			err := l.cfg.Clock.Sleep(ctx, at.Sub(now))
			l.mu.Lock()
			if err != nil {
				return 0, err
			}
			if l.epoch != epoch {
				continue // a refusal meanwhile: queue again, behind its pause
			}
			now = l.cfg.Clock.Now()
		}
		l.granted++
		l.count(now)
		return l.granted, nil
	}
}

// reserve returns when the next request may start and books that slot.
func (l *Limiter) reserve(now time.Time) time.Time {
	at := latest(now, l.pauseUntil)
	if l.limited {
		at = latest(at, l.next)
		l.next = at.Add(time.Duration(float64(time.Second) / l.rate(at)))
	}
	return at
}

// rate is the allowed rate at t, in requests per second.
func (l *Limiter) rate(t time.Time) float64 {
	return l.base + l.cfg.Increase*max(0, t.Sub(l.pauseUntil).Seconds())
}

// refused records that the server refused the request of ticket and asks
// every caller to pause for d. It returns the allowed rate after the
// pause and the pause's end, for the log.
func (l *Limiter) refused(ticket uint64, d time.Duration) (float64, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Clock.Now()
	// A request sent before the last cut says nothing about the rate
	// since; concurrent callers' refusals arrive together and must cut
	// only once.
	until := now.Add(d)
	switch {
	case !l.limited || ticket > l.cutAt:
		r := l.demand(now)
		if l.limited {
			r = min(r, l.rate(now))
		}
		l.base = max(l.cfg.MinRate, r*l.cfg.Decrease)
		l.limited = true
		l.cutAt = l.granted
		l.pauseUntil = latest(l.pauseUntil, until)
	case until.After(l.pauseUntil):
		// Extend the pause, keeping the rate reached so far.
		l.base = l.rate(latest(now, l.pauseUntil))
		l.pauseUntil = until
	default:
		return l.base, l.pauseUntil
	}
	// Slots booked at the old pace are void; pacing restarts after the
	// pause.
	l.next = l.pauseUntil
	l.epoch++
	return l.base, l.pauseUntil
}

// count adds a request to the current window.
func (l *Limiter) count(now time.Time) {
	l.roll(now)
	l.cur++
}

// demand estimates the rate of the last second: the current window's
// requests plus the previous window's, weighted by how much of it the
// last second still covers.
func (l *Limiter) demand(now time.Time) float64 {
	l.roll(now)
	covered := 1 - now.Sub(l.window).Seconds()
	return float64(l.cur) + float64(l.prev)*covered
}

func (l *Limiter) roll(now time.Time) {
	switch elapsed := now.Sub(l.window); {
	case elapsed >= 2*time.Second:
		l.window, l.cur, l.prev = now, 0, 0
	case elapsed >= time.Second:
		l.window, l.cur, l.prev = l.window.Add(time.Second), 0, l.cur
	}
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
