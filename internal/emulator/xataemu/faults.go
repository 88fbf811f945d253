package xataemu

import (
	"math"
	"math/rand"
	"net"
	"net/http"
	"strconv"
	"time"
)

// FaultKind is a failure the emulator can inject in front of the API, the
// way the gateway or a flaky network would produce it.
type FaultKind int

const (
	// FaultRateLimited is a gateway 429 with a plain-text body and no
	// Retry-After.
	FaultRateLimited FaultKind = iota + 1
	// FaultRateLimitedRetryAfter is a 429 with Retry-After.
	FaultRateLimitedRetryAfter
	// FaultServerError is a 500 with the API's JSON error body.
	FaultServerError
	// FaultUnavailable is a 503 with Retry-After and the API's message.
	FaultUnavailable
	// FaultDropAfterCommit runs the request for real, then closes the
	// connection without sending the response: the client cannot tell
	// whether its write happened.
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

// Faults configures random fault injection.
type Faults struct {
	Rate float64 // probability 0..1 that a request gets a fault
	// Kinds are chosen uniformly. Empty means every kind that still sends a
	// response (all but FaultDropAfterCommit).
	Kinds      []FaultKind
	Methods    []string      // only these methods (nil = all)
	RetryAfter time.Duration // sent in Retry-After, seconds rounded up; default 1s
	Latency    time.Duration // added to every request
	Seed       int64
}

// Stats counts requests seen and faults injected.
type Stats struct {
	Requests int
	Faulted  int
	ByKind   map[FaultKind]int
}

type failNext struct {
	n      int
	kind   FaultKind
	method string
}

// faultState is guarded by Emulator.mu.
type faultState struct {
	cfg   Faults
	rng   *rand.Rand
	queue []failNext
	stats Stats
}

// SetFaults replaces the random fault configuration and reseeds its
// generator. Queued FailNext faults are kept.
func (e *Emulator) SetFaults(f Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults.cfg = f
	e.faults.rng = rand.New(rand.NewSource(f.Seed))
}

// FailNext makes the next n requests with the given method ("" = any)
// fail with kind, before any random faults are considered.
func (e *Emulator) FailNext(n int, kind FaultKind, method string) {
	if n <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults.queue = append(e.faults.queue, failNext{n: n, kind: kind, method: method})
}

// Stats returns a copy of the request and fault counters.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.faults.stats
	s.ByKind = make(map[FaultKind]int, len(e.faults.stats.ByKind))
	for k, v := range e.faults.stats.ByKind {
		s.ByKind[k] = v
	}
	return s
}

// pickFault counts the request and decides its fault (0 = none). It also
// returns the latency and Retry-After to apply.
func (e *Emulator) pickFault(method string) (kind FaultKind, latency, retryAfter time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fs := &e.faults
	fs.stats.Requests++
	latency = fs.cfg.Latency
	retryAfter = fs.cfg.RetryAfter
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	for i := range fs.queue {
		q := &fs.queue[i]
		if q.method != "" && q.method != method {
			continue
		}
		kind = q.kind
		if q.n--; q.n == 0 {
			fs.queue = append(fs.queue[:i], fs.queue[i+1:]...)
		}
		break
	}
	if kind == 0 && fs.cfg.Rate > 0 && methodIn(method, fs.cfg.Methods) && fs.rng.Float64() < fs.cfg.Rate {
		kinds := fs.cfg.Kinds
		if len(kinds) == 0 {
			kinds = []FaultKind{FaultRateLimited, FaultRateLimitedRetryAfter, FaultServerError, FaultUnavailable}
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

func methodIn(m string, methods []string) bool {
	if methods == nil {
		return true
	}
	for _, x := range methods {
		if x == m {
			return true
		}
	}
	return false
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// writeFault answers with a fault that carries a response.
func writeFault(w http.ResponseWriter, kind FaultKind, reqID string, retryAfter time.Duration) {
	switch kind {
	case FaultRateLimited, FaultRateLimitedRetryAfter:
		// Envoy's local rate limiter answers in plain text.
		if kind == FaultRateLimitedRetryAfter {
			w.Header().Set("Retry-After", retryAfterSeconds(retryAfter))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("local_rate_limited"))
	case FaultServerError:
		writeError(w, reqID, http.StatusInternalServerError, "Internal Error (Request ID: "+reqID+")")
	case FaultUnavailable:
		w.Header().Set("Retry-After", retryAfterSeconds(retryAfter))
		writeError(w, reqID, http.StatusServiceUnavailable,
			"Service temporarily unavailable. Please try again later. (Request ID: "+reqID+")")
	}
}

// dropConnection closes the client connection without a response. Outside
// a hijackable HTTP/1 server, aborting the handler has the same effect.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // reset rather than a clean FIN
	}
	conn.Close()
}

// discardWriter stands in for the connection while the handler of a
// FaultDropAfterCommit request runs; its response is thrown away.
type discardWriter struct {
	header http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: http.Header{}} }

func (d *discardWriter) Header() http.Header { return d.header }

func (d *discardWriter) Write(b []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
