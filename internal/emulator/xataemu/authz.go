package xataemu

import (
	"net/http"
	"slices"
	"strings"
)

// Scopes is the platform's scope list (services/auth/api/spec/scopes.gen.go,
// GetAllScopes). "*" grants all of them.
var Scopes = []string{
	"branch:read", "branch:write",
	"credentials:read", "credentials:write",
	"invite:read", "invite:write",
	"keys:read", "keys:write",
	"marketplace:write", "metrics:read",
	"org:read", "org:write",
	"project:read", "project:write",
}

// target is what a request below /organizations asks for: the scope its
// route needs (scopes.gen.go's GetScopes) and the project and branch ids
// in its path, which the policy checks against the key's restrictions.
type target struct {
	scope, project, branch string
}

// routeTarget maps a request to its target. segs are the path segments
// after "organizations" (the organization id first); a route the emulator does not serve needs no scope
// and is left to the router's 404.
func routeTarget(method string, segs []string) target {
	write := method != http.MethodGet && method != http.MethodHead
	pick := func(read, w string) string {
		if write {
			return w
		}
		return read
	}
	switch {
	case len(segs) <= 1:
		return target{scope: pick("org:read", "org:write")}
	case len(segs) == 2:
		switch segs[1] {
		case "regions", "projects":
			// The platform lists regions under project:read.
			return target{scope: pick("project:read", "project:write")}
		case "instanceTypes", "images", "limits":
			return target{scope: "org:read"}
		case "api-keys":
			return target{scope: pick("keys:read", "keys:write")}
		}
	case segs[1] != "projects":
	case len(segs) == 3 && segs[2] == "limits":
		return target{scope: "project:read"}
	case len(segs) == 3:
		return target{scope: pick("project:read", "project:write"), project: segs[2]}
	case len(segs) == 4 && segs[3] == "limits":
		return target{scope: "project:read", project: segs[2]}
	case segs[3] != "branches":
	case len(segs) == 4:
		return target{scope: pick("branch:read", "branch:write"), project: segs[2]}
	case len(segs) == 5:
		return target{scope: pick("branch:read", "branch:write"), project: segs[2], branch: segs[4]}
	case len(segs) >= 6 && segs[5] == "credentials":
		return target{scope: pick("credentials:read", "credentials:write"), project: segs[2], branch: segs[4]}
	}
	return target{}
}

// grants mirrors internal/opa/policy/policy.rego: "*" grants every scope, a
// ":write" scope also satisfies its ":read", and a key's project and branch
// lists ("*" for all) are checked only when the path names a project or a
// branch. So a project-restricted key may still list the organization's
// projects, and a branch-restricted one may list and create branches.
func (k *apiKey) grants(t target) bool {
	return scopeGranted(t.scope, k.scopes) &&
		(t.project == "" || permitted(t.project, k.projects)) &&
		(t.branch == "" || permitted(t.branch, k.branches))
}

func scopeGranted(scope string, held []string) bool {
	if scope == "" || slices.Contains(held, "*") || slices.Contains(held, scope) {
		return true
	}
	read, ok := strings.CutSuffix(scope, ":read")
	return ok && slices.Contains(held, read+":write")
}

func permitted(id string, allowed []string) bool {
	return slices.Contains(allowed, "*") || slices.Contains(allowed, id)
}

// authorize answers 403 "access denied", as the platform's OPA check does,
// when the caller's key may not make this request.
func (e *Emulator) authorize(c *call, segs []string) bool {
	if len(segs) > 0 && segs[0] != c.orgID {
		// An organization key only ever sees its own organization.
		c.fail(http.StatusForbidden, "access denied")
		return false
	}
	e.mu.Lock()
	k := e.keys[c.key]
	e.mu.Unlock()
	if k == nil || !k.grants(routeTarget(c.r.Method, segs)) {
		c.fail(http.StatusForbidden, "access denied")
		return false
	}
	return true
}
