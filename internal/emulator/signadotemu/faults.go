package signadotemu

import (
	"math"
	"math/rand"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// FaultKind is a failure the emulator can inject in front of the API, the
// way a gateway or a flaky network would produce it.
type FaultKind int

const (
	// FaultRateLimited is a gateway 429 with a plain-text body and no
	// Retry-After.
	FaultRateLimited FaultKind = iota + 1
	// FaultRateLimitedRetryAfter is a 429 with Retry-After.
	FaultRateLimitedRetryAfter
	// FaultServerError is a 500 with an ErrorResponse body; the request
	// is not executed.
	FaultServerError
	// FaultUnavailable is a 503 with Retry-After and an ErrorResponse.
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

// Faults configures random fault injection.
type Faults struct {
	Rate float64 // probability 0..1 that a request gets a fault
	// Kinds are chosen uniformly. Empty means every kind that still sends
	// a response (all but FaultDropAfterCommit).
	Kinds      []FaultKind
	Methods    []string      // only these methods (nil = all)
	RetryAfter time.Duration // sent in Retry-After, seconds rounded up; default 1s
	Seed       int64
}

// faultState is guarded by Emulator.mu.
type faultState struct {
	cfg Faults
	rng *rand.Rand
}

// SetFaults replaces the fault configuration and reseeds its generator.
func (e *Emulator) SetFaults(f Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults.cfg = f
	e.faults.rng = rand.New(rand.NewSource(f.Seed))
}

// pickFault decides the fault of a request (0 = none) and the Retry-After
// to send with it.
func (e *Emulator) pickFault(method string) (FaultKind, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fs := &e.faults
	retryAfter := fs.cfg.RetryAfter
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	if fs.cfg.Rate <= 0 || (fs.cfg.Methods != nil && !slices.Contains(fs.cfg.Methods, method)) ||
		fs.rng.Float64() >= fs.cfg.Rate {
		return 0, retryAfter
	}
	kinds := fs.cfg.Kinds
	if len(kinds) == 0 {
		kinds = []FaultKind{FaultRateLimited, FaultRateLimitedRetryAfter, FaultServerError, FaultUnavailable}
	}
	return kinds[fs.rng.Intn(len(kinds))], retryAfter
}

// writeFault answers with a fault that carries a response.
func writeFault(w http.ResponseWriter, kind FaultKind, reqID string, retryAfter time.Duration) {
	secs := strconv.Itoa(int(math.Ceil(retryAfter.Seconds())))
	switch kind {
	case FaultRateLimited, FaultRateLimitedRetryAfter:
		// A gateway answers before the API, in plain text.
		if kind == FaultRateLimitedRetryAfter {
			w.Header().Set("Retry-After", secs)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Too Many Requests"))
	case FaultServerError:
		writeError(w, reqID, http.StatusInternalServerError, "internal error")
	case FaultUnavailable:
		w.Header().Set("Retry-After", secs)
		writeError(w, reqID, http.StatusServiceUnavailable, "service unavailable, try again later")
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

// discardWriter stands in for the connection while a FaultDropAfterCommit
// request runs; its response is thrown away.
type discardWriter struct {
	header http.Header
	status int
}

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
