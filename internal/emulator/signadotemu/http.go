package signadotemu

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

// maxRequestBytes bounds a request body; plugin specs carry whole scripts
// but stay far below this.
const maxRequestBytes = 8 << 20

const apiPrefix = "/api/v2/"

// ServeHTTP serves the emulated API under /api/v2. Every response carries
// X-Request-Id, and every error an ErrorResponse body.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.front.ServeHTTP(w, r) }

// call is one request being handled.
type call struct {
	w  http.ResponseWriter
	r  *http.Request
	id string
}

func writeError(w http.ResponseWriter, reqID string, status int, msg string) {
	emuhttp.WriteJSON(w, status, errorResponse{Code: status, Error: msg, RequestID: reqID}, false)
}

// ok answers 200 with v as JSON.
func (c *call) ok(v any) { emuhttp.WriteJSON(c.w, http.StatusOK, v, false) }

func (c *call) fail(status int, format string, args ...any) {
	writeError(c.w, c.id, status, fmt.Sprintf(format, args...))
}

// empty is EmptyResponse, the 200 body of PUT and DELETE of a plugin.
func (c *call) empty() { c.ok(struct{}{}) }

// body reads the request body, failing the request if it is too large.
func (c *call) body() ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.fail(http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			c.fail(http.StatusBadRequest, "failed to read request body: %v", err)
		}
		return nil, false
	}
	return b, true
}

// methods dispatches on the HTTP method; anything else is a 405.
func (c *call) methods(handlers map[string]func()) {
	if !emuhttp.ServeMethod(c.w, c.r.Method, handlers) {
		c.fail(http.StatusMethodNotAllowed, "method %s not allowed", c.r.Method)
	}
}

func (e *Emulator) handle(w http.ResponseWriter, r *http.Request, reqID string) {
	c := &call{w: w, r: r, id: reqID}
	// The go-sdk always prefixes /api/v2; anything else is not the API.
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		c.fail(http.StatusNotFound, "no such API path %s (the API is under /api/v2)", r.URL.Path)
		return
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		c.fail(http.StatusServiceUnavailable, "emulator is shutting down")
		return
	}
	key := r.Header.Get("signadot-api-key")
	switch {
	case key == "":
		c.fail(http.StatusUnauthorized, "missing signadot-api-key header")
		return
	case key != e.apiKey:
		c.fail(http.StatusUnauthorized, "invalid API key")
		return
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(segs) < 3 || segs[0] != "orgs" {
		c.fail(http.StatusNotFound, "no such API path %s", r.URL.Path)
		return
	}
	// The key belongs to one org. Another org is a 403, not a 404: a
	// client reads 404 as "the resource is gone" and Terraform would drop
	// it from state when only the org setting is wrong.
	if segs[1] != e.org {
		c.fail(http.StatusForbidden, "API key is not valid for org %q", segs[1])
		return
	}
	segs = segs[2:]
	switch segs[0] {
	case "resource-plugins":
		e.routePlugins(c, segs[1:])
	case "sandboxes":
		e.routeSandboxes(c, segs[1:])
	default:
		c.fail(http.StatusNotFound, "no such API path %s", r.URL.Path)
	}
}

func (e *Emulator) routePlugins(c *call, segs []string) {
	switch {
	case len(segs) == 0:
		c.methods(map[string]func(){http.MethodGet: func() { e.listPlugins(c) }})
	case len(segs) == 1:
		name := segs[0]
		c.methods(map[string]func(){
			http.MethodGet:    func() { e.getPlugin(c, name) },
			http.MethodPut:    func() { e.applyPlugin(c, name) },
			http.MethodDelete: func() { e.deletePlugin(c, name) },
		})
	case len(segs) == 2 && segs[1] == "versions":
		c.methods(map[string]func(){http.MethodGet: func() { e.pluginVersions(c, segs[0]) }})
	default:
		c.fail(http.StatusNotFound, "no such API path %s", c.r.URL.Path)
	}
}

func (e *Emulator) routeSandboxes(c *call, segs []string) {
	switch {
	case len(segs) == 0:
		c.methods(map[string]func(){http.MethodGet: func() { e.listSandboxes(c) }})
	case len(segs) == 1:
		name := segs[0]
		c.methods(map[string]func(){
			http.MethodGet:    func() { e.getSandbox(c, name) },
			http.MethodPut:    func() { e.putSandbox(c, name) },
			http.MethodDelete: func() { e.deleteSandbox(c, name) },
		})
	case len(segs) == 3 && segs[1] == "status" && segs[2] == "explain":
		c.methods(map[string]func(){http.MethodGet: func() { e.explainSandbox(c, segs[0]) }})
	default:
		c.fail(http.StatusNotFound, "no such API path %s", c.r.URL.Path)
	}
}
