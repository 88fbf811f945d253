package xataemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

// maxRequestBytes is the platform's XATA_MAX_REQUEST_SIZE (30M).
const maxRequestBytes = 30 << 20

// ServeHTTP serves the emulated API. Every response carries X-Request-Id.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.front.ServeHTTP(w, r) }

// requestID keeps a caller's X-Request-Id, cut to 100 bytes, as the
// platform does, and mints one otherwise.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" {
		return id[:min(len(id), 100)]
	}
	return newRequestID()
}

// call is one request being handled.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	id     string
	pretty bool
	key    string // the caller's API key
	orgID  string // organization of the caller's key
}

func writeError(w http.ResponseWriter, reqID string, status int, msg string) {
	emuhttp.WriteJSON(w, status, apiError{ID: reqID, Message: msg}, false)
}

func (c *call) json(status int, v any) { emuhttp.WriteJSON(c.w, status, v, c.pretty) }

func (c *call) fail(status int, format string, args ...any) {
	emuhttp.WriteJSON(c.w, status, apiError{ID: c.id, Message: fmt.Sprintf(format, args...)}, c.pretty)
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// decode binds the JSON body into v like the platform's echo binder: an
// empty body binds nothing, unknown fields are ignored, and malformed JSON
// or a wrong type is a 400. It reports false after writing the error.
func (c *call) decode(v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.fail(http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		} else {
			c.fail(http.StatusBadRequest, "failed to read request body: %v", err)
		}
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	err = json.Unmarshal(body, v)
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &syntaxErr):
		c.fail(http.StatusBadRequest, "Syntax error: offset=%d, error=%v", syntaxErr.Offset, err)
	case errors.As(err, &typeErr):
		c.fail(http.StatusBadRequest, "Unmarshal type error: expected=%v, got=%v, field=%v, offset=%v",
			typeErr.Type, typeErr.Value, typeErr.Field, typeErr.Offset)
	default:
		c.fail(http.StatusBadRequest, "invalid request body: %v", err)
	}
	return false
}

// methods dispatches on the HTTP method; anything else is a 405.
func (c *call) methods(handlers map[string]func()) {
	if !emuhttp.ServeMethod(c.w, c.r.Method, handlers) {
		c.fail(http.StatusMethodNotAllowed, "Method Not Allowed")
	}
}

func (e *Emulator) handle(w http.ResponseWriter, r *http.Request, reqID string) {
	_, pretty := r.URL.Query()["_pretty"]
	c := &call{w: w, r: r, id: reqID, pretty: pretty}
	// The platform strips trailing slashes before routing.
	path := strings.TrimRight(r.URL.Path, "/")

	if path == "/_hello" {
		c.methods(map[string]func(){http.MethodGet: func() {
			c.json(http.StatusOK, map[string]string{"Server": "Xata", "Version": "0.0.1"})
		}})
		return
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if segs[0] != "organizations" {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}

	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		c.fail(http.StatusServiceUnavailable, "%s", unavailableMessage(reqID))
		return
	}
	if !e.authenticate(c) || !e.admit(c) || !e.authorize(c, segs[1:]) {
		return
	}
	if len(segs) == 1 {
		c.methods(map[string]func(){http.MethodGet: func() { e.listOrganizations(c) }})
		return
	}
	e.routeOrg(c, segs[2:])
}

// adminAuth lets a client that is not on a loopback address read the
// emulator's request counts (emuhttp.RequestsPath) with any API key the
// emulator issued, sent as the API takes it.
func (e *Emulator) adminAuth(r *http.Request) bool {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.keys[token]
	return ok
}

// authenticate resolves the bearer token to its organization.
func (e *Emulator) authenticate(c *call) bool {
	scheme, token, _ := strings.Cut(strings.TrimSpace(c.r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		c.fail(http.StatusUnauthorized, "no token found")
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := e.keys[token]
	now := e.timestamp()
	if k == nil || k.expired(now) {
		c.fail(http.StatusUnauthorized, "invalid token")
		return false
	}
	k.lastUsed = &now
	c.key, c.orgID = token, k.orgID
	return true
}

// routeOrg handles paths below /organizations/{org}.
func (e *Emulator) routeOrg(c *call, segs []string) {
	get := func(h func(*call)) map[string]func() {
		return map[string]func(){http.MethodGet: func() { h(c) }}
	}
	switch {
	case len(segs) == 0:
		c.methods(get(e.getOrganization))
	case len(segs) == 1 && segs[0] == "regions":
		c.methods(get(e.listRegions))
	case len(segs) == 1 && segs[0] == "instanceTypes":
		c.methods(get(e.listInstanceTypes))
	case len(segs) == 1 && segs[0] == "images":
		c.methods(get(e.listImages))
	case len(segs) == 1 && segs[0] == "api-keys":
		c.methods(map[string]func(){
			http.MethodGet:    func() { e.listAPIKeys(c) },
			http.MethodPost:   func() { e.createAPIKey(c) },
			http.MethodDelete: func() { e.deleteAPIKeys(c) },
		})
	case len(segs) == 1 && segs[0] == "projects":
		c.methods(map[string]func(){
			http.MethodGet:  func() { e.listProjects(c) },
			http.MethodPost: func() { e.createProject(c) },
		})
	case len(segs) == 2 && segs[0] == "projects" && segs[1] == "limits":
		c.methods(get(func(c *call) {
			c.json(http.StatusOK, projectLimits{MaxInstances: maxReplicas + 1, MinInstances: 1,
				MaxDescriptionLength: maxDescriptionLen, MaxBranches: maxBranchesPerProject})
		}))
	case len(segs) == 2 && segs[0] == "projects":
		pid := segs[1]
		c.methods(map[string]func(){
			http.MethodGet:    func() { e.getProject(c, pid) },
			http.MethodPatch:  func() { e.updateProject(c, pid) },
			http.MethodDelete: func() { e.deleteProject(c, pid) },
		})
	case len(segs) >= 3 && segs[0] == "projects" && segs[2] == "branches":
		e.routeBranches(c, segs[1], segs[3:])
	default:
		c.fail(http.StatusNotFound, "Not Found")
	}
}

// routeBranches handles paths below …/projects/{projectID}/branches.
func (e *Emulator) routeBranches(c *call, pid string, segs []string) {
	switch {
	case len(segs) == 0:
		c.methods(map[string]func(){
			http.MethodGet:  func() { e.listBranches(c, pid) },
			http.MethodPost: func() { e.createBranch(c, pid) },
		})
	case len(segs) == 1:
		bid := segs[0]
		c.methods(map[string]func(){
			http.MethodGet:    func() { e.getBranch(c, pid, bid) },
			http.MethodPatch:  func() { e.updateBranch(c, pid, bid) },
			http.MethodDelete: func() { e.deleteBranch(c, pid, bid) },
		})
	case len(segs) == 2 && segs[1] == "credentials":
		c.methods(map[string]func(){http.MethodGet: func() { e.getCredentials(c, pid, segs[0]) }})
	case len(segs) == 3 && segs[1] == "credentials" && segs[2] == "rotate":
		c.methods(map[string]func(){http.MethodPost: func() { e.rotateCredentials(c, pid, segs[0]) }})
	default:
		c.fail(http.StatusNotFound, "Not Found")
	}
}
