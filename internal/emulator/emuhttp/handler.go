// Package emuhttp is the HTTP layer the API emulators (xataemu,
// signadotemu) share: request IDs, fault injection in front of the API,
// request logging, JSON and 405 answers, and serving on a port. What an API
// says (its routes, its error bodies, the text of its faults) stays in its
// emulator.
package emuhttp

import (
	"encoding/json"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Handler serves an emulated API behind the shared machinery: every
// response carries X-Request-Id, injected faults answer before the API sees
// the request, and each request can be logged. Set the fields before the
// first request; the fault methods are safe for concurrent use.
type Handler struct {
	// Name prefixes log lines, e.g. "xataemu".
	Name string
	// Serve handles a request that gets no fault, or FaultDropAfterCommit.
	Serve func(w http.ResponseWriter, r *http.Request, reqID string)
	// RequestID returns the ID of a request.
	RequestID func(r *http.Request) string
	// RateLimitBody is the plain-text body of an injected 429, as the API's
	// gateway words it.
	RateLimitBody string
	// FaultError writes the API's JSON error body for an injected 500 or
	// 503.
	FaultError func(w http.ResponseWriter, reqID string, status int)
	// Logf, when set, receives one line per request.
	Logf func(format string, args ...any)
	// Route, when set, names the API route of a "METHOD /path" (ids as
	// parameters), to group the counts RequestsPath serves.
	Route func(request string) string
	// AdminAuth, when set, accepts a request to the emulator's own paths
	// (AdminPrefix) from a client that is not on a loopback address,
	// typically by the API key it carries. Loopback clients need nothing.
	AdminAuth func(r *http.Request) bool

	faults faultState
}

// ServeHTTP applies the latency and fault of the request, then serves it.
// The emulator's own paths (AdminPrefix) are answered at once, uncounted.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := h.RequestID(r)
	w.Header().Set("X-Request-Id", reqID)
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		status := h.serveAdmin(w, r)
		h.log(r, reqID, status, 0, start)
		return
	}

	kind, latency, retryAfter := h.pickFault(r.Method, r.URL.Path)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}

	switch kind {
	case 0:
		rec := &statusRecorder{ResponseWriter: w}
		h.Serve(rec, r, reqID)
		h.log(r, reqID, rec.status, kind, start)
	case FaultDropAfterCommit:
		d := &discardWriter{header: http.Header{}}
		h.Serve(d, r, reqID)
		h.log(r, reqID, d.status, kind, start)
		dropConnection(w)
	default:
		rec := &statusRecorder{ResponseWriter: w}
		h.writeFault(rec, kind, reqID, retryAfter)
		h.log(r, reqID, rec.status, kind, start)
	}
}

func (h *Handler) log(r *http.Request, reqID string, status int, kind FaultKind, start time.Time) {
	if h.Logf == nil {
		return
	}
	fault := ""
	if kind != 0 {
		fault = " fault=" + kind.String()
	}
	h.Logf("%s: %s %s -> %d (%s, %s)%s", h.Name, r.Method, r.URL.RequestURI(), status, reqID,
		time.Since(start).Round(time.Microsecond), fault)
}

// writeFault answers with a fault that carries a response.
func (h *Handler) writeFault(w http.ResponseWriter, kind FaultKind, reqID string, retryAfter time.Duration) {
	secs := strconv.Itoa(int(math.Ceil(retryAfter.Seconds())))
	switch kind {
	case FaultRateLimited, FaultRateLimitedRetryAfter:
		// A gateway answers before the API, in plain text.
		if kind == FaultRateLimitedRetryAfter {
			w.Header().Set("Retry-After", secs)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(h.RateLimitBody))
	case FaultServerError:
		h.FaultError(w, reqID, http.StatusInternalServerError)
	case FaultUnavailable:
		w.Header().Set("Retry-After", secs)
		h.FaultError(w, reqID, http.StatusServiceUnavailable)
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
		_ = tc.SetLinger(0) // reset rather than a clean FIN
	}
	conn.Close()
}

// statusRecorder remembers the status for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
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

// WriteJSON answers with v as JSON and a trailing newline, indented when
// the caller asked for readable output.
func WriteJSON(w http.ResponseWriter, status int, v any, indent bool) {
	var b []byte
	var err error
	if indent {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		panic(err) // only the emulators' own wire types are encoded
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ServeMethod runs the handler for method. Without one it sets Allow and
// reports false, so the caller answers 405 in its API's words.
func ServeMethod(w http.ResponseWriter, method string, handlers map[string]func()) bool {
	if h, ok := handlers[method]; ok {
		h()
		return true
	}
	w.Header().Set("Allow", strings.Join(slices.Sorted(maps.Keys(handlers)), ", "))
	return false
}
