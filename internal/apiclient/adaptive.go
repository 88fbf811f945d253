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

	// The API key's quota as last seen, less the requests let through
	// since: an upper bound of what is left, as every other client of the
	// key spends from it too.
	budget    Budget
	hasBudget bool
	// The server's last report as it came, and how many requests this
	// limiter had let through then: the next report's fall of Remaining
	// over the requests let through since estimates the sharers.
	reported        Budget
	grantedAtReport uint64
	sharers         float64
	// spentUntil is when a refusal said the quota comes back.
	spentUntil time.Time
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
// identifies the request to refused. While the quota is spent it waits for
// its return, unless that is further than maxWait: then it fails at once
// with a *quotaSpent.
func (l *Limiter) wait(ctx context.Context, maxWait time.Duration) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		now := l.cfg.Clock.Now()
		if until := l.quotaBack(now); until.After(now) {
			if until.Sub(now) > maxWait {
				return 0, &quotaSpent{until: until, budget: l.budget}
			}
			l.mu.Unlock()
			err := l.cfg.Clock.Sleep(ctx, until.Sub(now))
			l.mu.Lock()
			if err != nil {
				return 0, err
			}
			continue
		}
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
		if l.hasBudget && now.Before(l.budget.Reset) {
			l.budget.Remaining = max(0, l.budget.Remaining-1)
		}
		return l.granted, nil
	}
}

// quotaSpent is wait's refusal: the quota is spent until until.
type quotaSpent struct {
	until  time.Time
	budget Budget
}

func (q *quotaSpent) Error() string { return "quota spent until " + q.until.Format(time.RFC3339) }

// quotaBack is when the quota takes requests again (now or earlier when
// it does already).
func (l *Limiter) quotaBack(now time.Time) time.Time {
	until := l.spentUntil
	if l.hasBudget && l.budget.Remaining == 0 && l.budget.Reset.After(now) {
		until = latest(until, l.budget.Reset)
	}
	return until
}

// observe records the quota a response reported. Within one window the
// lower count wins: both are upper bounds of what is left, and the
// response may predate requests let through since.
func (l *Limiter) observe(b Budget) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.estimateSharers(b)
	switch {
	case !l.hasBudget, b.Reset.After(l.budget.Reset):
		l.budget, l.hasBudget = b, true
	case b.Reset.Equal(l.budget.Reset):
		l.budget.Remaining = min(l.budget.Remaining, b.Remaining)
		l.budget.Limit = b.Limit
	}
	l.budget.Sharers = max(1, l.sharers)
}

// estimateSharers updates the estimate of how many clients spend the
// quota at this one's pace from two reports of the same window: if
// Remaining fell by 30 while this client sent 10 requests, about three
// do. Answers that arrive out of order, or a window's first, teach
// nothing. The estimate moves halfway to each new sample.
func (l *Limiter) estimateSharers(b Budget) {
	defer func() { l.reported, l.grantedAtReport = b, l.granted }()
	if l.sharers == 0 {
		l.sharers = 1
	}
	ours := l.granted - l.grantedAtReport
	fell := l.reported.Remaining - b.Remaining
	if !b.Reset.Equal(l.reported.Reset) || ours == 0 || fell < int(ours) {
		return
	}
	l.sharers = (l.sharers + float64(fell)/float64(ours)) / 2
}

// spend records that the server refused requests until until because the
// quota is spent: every caller waits for it, or fails at once if it cannot
// wait that long. The allowed rate is kept: the quota, not the pace, was
// the problem.
func (l *Limiter) spend(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.spentUntil = latest(l.spentUntil, until)
}

// Budget is the quota as this limiter knows it: the server's last report
// less the requests let through since. False when no answer reported one,
// or its window has ended.
func (l *Limiter) Budget() (Budget, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.hasBudget || !l.cfg.Clock.Now().Before(l.budget.Reset) {
		return Budget{}, false
	}
	return l.budget, true
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
