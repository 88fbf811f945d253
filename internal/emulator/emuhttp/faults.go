package emuhttp

import (
	"maps"
	"math/rand"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FaultKind is a failure a Handler can inject in front of the API, the way
// a gateway or a flaky network would produce it.
type FaultKind int

const (
	// FaultRateLimited is a gateway 429 with a plain-text body and no
	// Retry-After.
	FaultRateLimited FaultKind = iota + 1
	// FaultRateLimitedRetryAfter is a 429 with Retry-After.
	FaultRateLimitedRetryAfter
	// FaultServerError is a 500 with the API's JSON error body; the
	// request is not executed.
	FaultServerError
	// FaultUnavailable is a 503 with Retry-After and the API's JSON error
	// body; the request is not executed.
	FaultUnavailable
	// FaultDropAfterCommit executes the request, then closes the
	// connection without a response: the client cannot tell whether its
	// write happened.
	FaultDropAfterCommit
)

func (k FaultKind) String() string {
	switch k {
	case FaultRateLimited:
		return "RateLimited"
	case FaultRateLimitedRetryAfter:
		return "RateLimitedRetryAfter"
	case FaultServerError:
		return "ServerError"
	case FaultUnavailable:
		return "Unavailable"
	case FaultDropAfterCommit:
		return "DropAfterCommit"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// respondingKinds are the default Faults.Kinds: those that still send a
// response.
var respondingKinds = []FaultKind{FaultRateLimited, FaultRateLimitedRetryAfter, FaultServerError, FaultUnavailable}

// Faults configures random fault injection.
type Faults struct {
	Rate float64 // probability 0..1 that a request gets a fault
	// Kinds are chosen uniformly. Empty means every kind that still sends
	// a response (all but FaultDropAfterCommit).
	Kinds      []FaultKind
	Methods    []string      // only these methods (nil = all)
	RetryAfter time.Duration // sent in Retry-After, seconds rounded up; default 1s
	Latency    time.Duration // added to every request
	Seed       int64
	// Limit is a gateway rate limit in front of the faults and the API.
	Limit RateLimit
}

// RateLimit is a gateway's token bucket: past a burst of Burst requests,
// it lets Rate requests per second through and refuses the rest with the
// gateway's 429 (counted as FaultRateLimited, or
// FaultRateLimitedRetryAfter).
type RateLimit struct {
	Rate  float64 // requests per second; 0 means no limit
	Burst int     // default 1
	// RetryAfter adds Retry-After to the 429s: the time until the bucket
	// holds a token again, in seconds rounded up.
	RetryAfter bool
}

// Stats counts requests seen and faults injected.
type Stats struct {
	Requests int
	Faulted  int
	ByKind   map[FaultKind]int
	// ByRequest counts requests by "METHOD /path" (no query), faulted
	// ones included, so a test can tell which calls an operation made.
	ByRequest map[string]int
}

// faultState is a Handler's fault configuration and counters.
type faultState struct {
	mu     sync.Mutex
	cfg    Faults
	rng    *rand.Rand
	bucket *rate.Limiter // nil without Faults.Limit
	queue  []failNext
	stats  Stats
}

type failNext struct {
	n      int
	kind   FaultKind
	method string
}

// SetFaults replaces the random fault configuration and reseeds its
// generator, so a seed replays the same faults, and starts the rate limit
// with a full bucket. Queued FailNext faults are kept.
func (h *Handler) SetFaults(f Faults) {
	fs := &h.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.cfg = f
	fs.rng = rand.New(rand.NewSource(f.Seed))
	fs.bucket = nil
	if f.Limit.Rate > 0 {
		fs.bucket = rate.NewLimiter(rate.Limit(f.Limit.Rate), max(1, f.Limit.Burst))
	}
}

// FailNext makes the next n requests with the given method ("" = any)
// fail with kind, before any random faults are considered.
func (h *Handler) FailNext(n int, kind FaultKind, method string) {
	if n <= 0 {
		return
	}
	fs := &h.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queue = append(fs.queue, failNext{n: n, kind: kind, method: method})
}

// Stats returns a copy of the request and fault counters.
func (h *Handler) Stats() Stats {
	fs := &h.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	s := fs.stats
	s.ByKind = make(map[FaultKind]int, len(fs.stats.ByKind))
	maps.Copy(s.ByKind, fs.stats.ByKind)
	s.ByRequest = make(map[string]int, len(fs.stats.ByRequest))
	maps.Copy(s.ByRequest, fs.stats.ByRequest)
	return s
}

// pickFault counts the request and decides its fault (0 = none): the rate
// limit's refusal, else a queued fault, else a random one. It also returns
// the latency and Retry-After to apply.
func (h *Handler) pickFault(method, path string) (kind FaultKind, latency, retryAfter time.Duration) {
	fs := &h.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.stats.Requests++
	if fs.stats.ByRequest == nil {
		fs.stats.ByRequest = map[string]int{}
	}
	fs.stats.ByRequest[method+" "+path]++
	latency = fs.cfg.Latency
	retryAfter = fs.cfg.RetryAfter
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	if fs.bucket != nil {
		r := fs.bucket.Reserve()
		if wait := r.Delay(); wait > 0 {
			r.Cancel() // a refused request takes no token
			kind = FaultRateLimited
			if fs.cfg.Limit.RetryAfter {
				kind, retryAfter = FaultRateLimitedRetryAfter, wait
			}
		}
	}
	if kind == 0 {
		kind = fs.dequeue(method)
	}
	// Rate > 0 means SetFaults ran, so rng is set.
	if kind == 0 && fs.cfg.Rate > 0 && (fs.cfg.Methods == nil || slices.Contains(fs.cfg.Methods, method)) &&
		fs.rng.Float64() < fs.cfg.Rate {
		kinds := fs.cfg.Kinds
		if len(kinds) == 0 {
			kinds = respondingKinds
		}
		kind = kinds[fs.rng.Intn(len(kinds))]
	}
	if kind != 0 {
		fs.stats.Faulted++
		if fs.stats.ByKind == nil {
			fs.stats.ByKind = map[FaultKind]int{}
		}
		fs.stats.ByKind[kind]++
	}
	return kind, latency, retryAfter
}

// dequeue takes the first queued fault for method (0 if none).
func (fs *faultState) dequeue(method string) FaultKind {
	for i := range fs.queue {
		q := &fs.queue[i]
		if q.method != "" && q.method != method {
			continue
		}
		kind := q.kind
		if q.n--; q.n == 0 {
			fs.queue = slices.Delete(fs.queue, i, i+1)
		}
		return kind
	}
	return 0
}
