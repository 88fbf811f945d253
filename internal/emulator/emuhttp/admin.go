package emuhttp

import (
	"net"
	"net/http"
	"strings"
)

// AdminPrefix starts the emulator's own paths, which are not the API's:
// no emulated API has a path starting with "/_emulator/". Requests to them
// are neither counted nor faulted nor limited.
const AdminPrefix = "/_emulator/"

// RequestsPath serves the request counts: GET answers them as JSON
// (RequestCounts), DELETE answers them and starts counting afresh.
const RequestsPath = AdminPrefix + "requests"

// RequestCounts is the body of RequestsPath: what Stats counted since
// the start or the last reset.
type RequestCounts struct {
	// Requests counts every API request, faulted ones included.
	Requests int `json:"requests"`
	// Faulted counts the requests answered with an injected fault, by
	// kind in Faults.
	Faulted int            `json:"faulted"`
	Faults  map[string]int `json:"faults"`
	// ByRoute groups ByRequest by the API's routes, ids as parameters
	// ("GET /x/{id}"); null when the emulator has no Route.
	ByRoute map[string]int `json:"byRoute"`
	// ByRequest counts requests by "METHOD /path" (no query).
	ByRequest map[string]int `json:"byRequest"`
}

// serveAdmin answers a request under AdminPrefix. A client on a loopback
// address needs no credentials; any other needs what AdminAuth accepts
// (the API's key), so an emulator listening on a public address does not
// show its traffic to anyone who asks.
func (h *Handler) serveAdmin(w http.ResponseWriter, r *http.Request) int {
	fail := func(status int, msg string) int {
		WriteJSON(w, status, map[string]string{"error": msg}, false)
		return status
	}
	if !isLoopback(r.RemoteAddr) && (h.AdminAuth == nil || !h.AdminAuth(r)) {
		return fail(http.StatusForbidden, "the emulator's "+AdminPrefix+" paths answer loopback clients, "+
			"and others that send the emulator's API key as the API expects it")
	}
	if strings.TrimRight(r.URL.Path, "/") != RequestsPath {
		return fail(http.StatusNotFound, "no such path "+r.URL.Path+"; the emulator serves "+RequestsPath)
	}
	var counts RequestCounts
	if !ServeMethod(w, r.Method, map[string]func(){
		http.MethodGet:    func() { counts = h.counts(h.Stats()) },
		http.MethodDelete: func() { counts = h.counts(h.ResetStats()) },
	}) {
		return fail(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
	}
	_, pretty := r.URL.Query()["pretty"]
	WriteJSON(w, http.StatusOK, counts, pretty)
	return http.StatusOK
}

// counts turns Stats into the admin answer.
func (h *Handler) counts(s Stats) RequestCounts {
	c := RequestCounts{Requests: s.Requests, Faulted: s.Faulted, Faults: map[string]int{}, ByRequest: s.ByRequest}
	for k, n := range s.ByKind {
		c.Faults[k.String()] += n
	}
	if c.ByRequest == nil {
		c.ByRequest = map[string]int{}
	}
	if h.Route != nil {
		c.ByRoute = map[string]int{}
		for req, n := range s.ByRequest {
			c.ByRoute[h.Route(req)] += n
		}
	}
	return c
}

// ResetStats returns the request and fault counters and sets them to
// zero. Fault configuration and queued faults are kept.
func (h *Handler) ResetStats() Stats {
	fs := &h.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	s := fs.stats
	if s.ByKind == nil {
		s.ByKind = map[FaultKind]int{}
	}
	if s.ByRequest == nil {
		s.ByRequest = map[string]int{}
	}
	fs.stats = Stats{}
	return s
}

// isLoopback reports whether a RemoteAddr is a loopback address.
func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
