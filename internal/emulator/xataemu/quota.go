package xataemu

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Per-API-key request quotas.
//
// From Xata's API documentation ("Rate Limiting"): 100 requests per minute
// and 1000 per hour per API key, and X-RateLimit-Limit (the window's
// maximum), X-RateLimit-Remaining (left in the window) and X-RateLimit-Reset
// (when the window resets, Unix seconds) on the responses.
//
// The emulator's choices, where the docs are silent:
//   - Windows are fixed and per key, not aligned to the clock: one starts
//     at the key's first counted request after the previous window of its
//     kind ended.
//   - A request is counted against both windows, or, when either is spent,
//     refused with 429 and counted against neither.
//   - The headers describe the stricter window: the one with fewer
//     requests remaining, on a tie the one that resets later. Reset is
//     rounded up to the second.
//   - The 429 carries the API's JSON error body naming the spent limit,
//     and Retry-After: the seconds until every spent window has reset,
//     rounded up, at least 1.
//   - Only requests that authenticate with a known key are counted and get
//     the headers; those an injected fault refuses never reach the API.

// Quota limits the requests each API key may make. The zero value turns
// quotas off, and then no X-RateLimit headers are sent.
type Quota struct {
	// PerMinute and PerHour are how many requests a key may make in a
	// window of that kind; 0 leaves that window unlimited.
	PerMinute, PerHour int
	// Minute and Hour are the windows' lengths, 1m and 1h when zero;
	// benchmarks scale them down.
	Minute, Hour time.Duration
}

// QuotaWindow names a quota window for SpendQuota.
type QuotaWindow string

// The quota windows.
const (
	QuotaMinute QuotaWindow = "minute"
	QuotaHour   QuotaWindow = "hour"
)

// QuotaCount counts one key's requests under the quota.
type QuotaCount struct {
	Counted int // let through and counted against the windows
	Refused int // answered 429
}

// SetQuota replaces the quota and resets every key's windows and counts.
func (e *Emulator) SetQuota(q Quota) { e.quotas.set(q) }

// SpendQuota starts a window of the given kind for key now, with nothing
// left: the key's requests are refused until the window's length has
// passed. It fails for an unknown key or a window the quota leaves
// unlimited.
func (e *Emulator) SpendQuota(key string, w QuotaWindow) error {
	e.mu.Lock()
	_, known := e.keys[key]
	e.mu.Unlock()
	if !known {
		return errors.New("xataemu: unknown API key")
	}
	return e.quotas.spend(key, w, e.now())
}

// QuotaStats returns each key's counted and refused requests since the
// quota was last set. Keys without requests are absent.
func (e *Emulator) QuotaStats() map[string]QuotaCount { return e.quotas.stats() }

// admit counts c's request against its key's quota and sets the
// X-RateLimit headers. It reports false after answering 429.
func (e *Emulator) admit(c *call) bool {
	v, on := e.quotas.admit(c.key, e.now())
	if !on {
		return true
	}
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(v.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(v.reset), 10))
	if len(v.spent) == 0 {
		return true
	}
	h.Set("Retry-After", strconv.FormatInt(max(1, ceilSeconds(v.retryAfter)), 10))
	c.fail(http.StatusTooManyRequests, "rate limit exceeded: %s", strings.Join(v.spent, " and "))
	return false
}

// ceilUnix is t in Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func ceilSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// quotaWindow is one kind of window as configured; limit 0 is unlimited.
type quotaWindow struct {
	name   QuotaWindow
	limit  int
	length time.Duration
}

// windowUse is a key's current window of one kind.
type windowUse struct {
	start time.Time // zero: never started
	used  int
}

// at is the window a request at now falls in: once a window has ended,
// the next one would start now.
func (u windowUse) at(now time.Time, length time.Duration) windowUse {
	if u.start.IsZero() || !now.Before(u.start.Add(length)) {
		return windowUse{start: now}
	}
	return u
}

type keyUse struct {
	windows [2]windowUse // indexed like quotas.windows
	count   QuotaCount
}

// quotas is the emulator's quota book, apart from Emulator.mu so that
// counting never waits on branch work.
type quotas struct {
	mu      sync.Mutex
	windows [2]quotaWindow // minute, hour
	keys    map[string]*keyUse
}

func (q *quotas) set(cfg Quota) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.windows = [2]quotaWindow{
		{QuotaMinute, max(cfg.PerMinute, 0), lengthOr(cfg.Minute, time.Minute)},
		{QuotaHour, max(cfg.PerHour, 0), lengthOr(cfg.Hour, time.Hour)},
	}
	q.keys = map[string]*keyUse{}
}

func lengthOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (q *quotas) on() bool { return q.windows[0].limit > 0 || q.windows[1].limit > 0 }

func (q *quotas) use(key string) *keyUse {
	u := q.keys[key]
	if u == nil {
		u = &keyUse{}
		q.keys[key] = u
	}
	return u
}

// verdict is the quota's answer to one request.
type verdict struct {
	// limit, remaining and reset describe the stricter window.
	limit, remaining int
	reset            time.Time
	// spent words the spent limits when the request is refused.
	spent      []string
	retryAfter time.Duration
}

// admit counts a request of key at now, or refuses it. on is false when
// quotas are off.
func (q *quotas) admit(key string, now time.Time) (v verdict, on bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.on() {
		return verdict{}, false
	}
	u := q.use(key)
	var cur [2]windowUse
	for i, w := range q.windows {
		if w.limit == 0 {
			continue
		}
		cur[i] = u.windows[i].at(now, w.length)
		if cur[i].used >= w.limit {
			v.spent = append(v.spent, fmt.Sprintf("%d requests per %s per API key", w.limit, w.name))
			v.retryAfter = max(v.retryAfter, cur[i].start.Add(w.length).Sub(now))
		}
	}
	if len(v.spent) > 0 {
		u.count.Refused++
	} else {
		u.count.Counted++
		for i, w := range q.windows {
			if w.limit > 0 {
				cur[i].used++
				u.windows[i] = cur[i]
			}
		}
	}

	type header struct {
		limit, remaining int
		reset            time.Time
	}
	var hs []header
	for i, w := range q.windows {
		if w.limit > 0 {
			hs = append(hs, header{w.limit, max(w.limit-cur[i].used, 0), cur[i].start.Add(w.length)})
		}
	}
	h := slices.MinFunc(hs, func(a, b header) int {
		if a.remaining != b.remaining {
			return a.remaining - b.remaining
		}
		return b.reset.Compare(a.reset) // the later reset first
	})
	v.limit, v.remaining, v.reset = h.limit, h.remaining, h.reset
	return v, true
}

func (q *quotas) spend(key string, name QuotaWindow, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.IndexFunc(q.windows[:], func(w quotaWindow) bool { return w.name == name })
	if i < 0 {
		return fmt.Errorf("xataemu: unknown quota window %q", name)
	}
	if q.windows[i].limit == 0 {
		return fmt.Errorf("xataemu: the quota leaves the %s window unlimited", name)
	}
	q.use(key).windows[i] = windowUse{start: now, used: q.windows[i].limit}
	return nil
}

func (q *quotas) stats() map[string]QuotaCount {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]QuotaCount, len(q.keys))
	for k, u := range q.keys {
		if u.count != (QuotaCount{}) {
			out[k] = u.count
		}
	}
	return out
}
