package xataemu

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Limits of the auth service (services/auth/store/store.go).
const (
	maxAPIKeysPerOrg    = 50 // MaxAPIKeysPerTarget
	maxKeyRestrictions  = 50 // MaxScopesPerAPIKey, MaxProjectsPerAPIKey, MaxBranchesPerAPIKey
	maxBulkDeleteAPIKey = 50 // MaxBulkDeleteAPIKeys
	previewChars        = 3  // key.DefaultObfuscateCharsCount
)

// apiKey is an organization key (xao_…) as the auth service stores it.
type apiKey struct {
	id, name, orgID, token     string
	scopes, projects, branches []string
	expiry                     *time.Time
	createdAt                  time.Time
	lastUsed                   *time.Time
	createdByKey               string
}

// APIKeySpec restricts a key made with CreateRestrictedAPIKey. An empty
// list means all ("*"), as on the platform.
type APIKeySpec struct {
	Name                       string
	Scopes, Projects, Branches []string
	Expiry                     *time.Time
}

// preview keeps the key's prefix and its last characters (key.Obfuscate).
func (k *apiKey) preview() string {
	prefix, _, _ := strings.Cut(k.token, "_")
	n := len(k.token) - len(prefix) - 1 - previewChars
	return prefix + "_" + strings.Repeat("*", max(n, 0)) + k.token[len(k.token)-previewChars:]
}

func (k *apiKey) expired(now time.Time) bool { return k.expiry != nil && k.expiry.Before(now) }

func (k *apiKey) wire() apiKeyWire {
	w := apiKeyWire{
		ID: k.id, Name: k.name, Preview: k.preview(), CreatedAt: k.createdAt,
		Expiry: k.expiry, LastUsed: k.lastUsed,
		Scopes: k.scopes, Projects: k.projects, Branches: k.branches,
	}
	if k.createdByKey != "" {
		w.CreatedByKey = &k.createdByKey
	}
	return w
}

// cleanPermissions is the auth service's cleanPermissionArray: "*" alone
// when present, duplicates dropped.
func cleanPermissions(in []string) []string {
	if slices.Contains(in, "*") {
		return []string{"*"}
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// storedPermissions adds the store's default: nothing asked for is "*".
func storedPermissions(in []string) []string {
	if in = cleanPermissions(in); len(in) == 0 {
		return []string{"*"}
	}
	return in
}

// addKey stores a new key; e.mu must be held.
func (e *Emulator) addKey(orgID string, spec APIKeySpec, createdByKey string) *apiKey {
	token := newOrgAPIKey()
	for e.keys[token] != nil {
		token = newOrgAPIKey()
	}
	k := &apiKey{
		id: newKeyID(), name: spec.Name, orgID: orgID, token: token,
		scopes: storedPermissions(spec.Scopes), projects: storedPermissions(spec.Projects),
		branches: storedPermissions(spec.Branches), expiry: spec.Expiry,
		createdAt: e.timestamp(), createdByKey: createdByKey,
	}
	e.keys[token] = k
	return k
}

// CreateRestrictedAPIKey mints an organization key with the given
// restrictions and returns its token ("" if the organization does not
// exist).
func (e *Emulator) CreateRestrictedAPIKey(orgID string, spec APIKeySpec) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.orgs[orgID] == nil {
		return ""
	}
	if spec.Name == "" {
		spec.Name = "key-" + randomString(base32hex, 8)
	}
	return e.addKey(orgID, spec, "").token
}

// ExpireAPIKey moves the expiry of the key with this id into the past, as
// if it had expired: the platform refuses the token and still lists it.
func (e *Emulator) ExpireAPIKey(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range e.keys {
		if k.id == id {
			past := e.timestamp().Add(-time.Second)
			k.expiry = &past
			return nil
		}
	}
	return fmt.Errorf("xataemu: API key %s not found", id)
}

func (e *Emulator) listAPIKeys(c *call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []apiKeyWire{}
	for _, k := range e.keys {
		if k.orgID == c.orgID {
			out = append(out, k.wire())
		}
	}
	// The store's SELECT has no ORDER BY; any order is the platform's.
	slices.SortFunc(out, func(a, b apiKeyWire) int { return strings.Compare(a.ID, b.ID) })
	c.json(http.StatusOK, map[string][]apiKeyWire{"keys": out})
}

// createAPIKey follows the auth service's createAPIKey and the store's
// CreateAPIKey, in their order of checks. The platform's texts are kept.
// "invalid scope" and "insufficient access" are plain errors there, which
// the open-source server's error handler answers 500 (internal/api
// errors.go); in the hosted shape they are 400, as NOTES §4.4 has it. As
// there, only the lists a request names are compared with its creator's:
// a list left out is stored as "*" whatever the creator holds.
func (e *Emulator) createAPIKey(c *call) {
	var in createAPIKeyInput
	if !c.decode(&in) {
		return
	}
	if in.Name == "" {
		c.fail(http.StatusBadRequest, "name is required")
		return
	}
	for _, s := range in.Scopes {
		if s != "*" && !slices.Contains(Scopes, s) {
			e.failPlain(c, "invalid scope: %s", s)
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	creator := e.keys[c.key]
	if msg := e.invalidRestrictions(c.orgID, in.Projects, in.Branches); msg != "" {
		c.fail(http.StatusBadRequest, "invalid resource restrictions: %s", msg)
		return
	}
	for _, check := range []struct {
		kind            string
		requested, held []string
	}{{"scope", in.Scopes, creator.scopes}, {"project", in.Projects, creator.projects}, {"branch", in.Branches, creator.branches}} {
		if slices.Contains(check.held, "*") {
			continue
		}
		for _, r := range cleanPermissions(check.requested) {
			if !slices.Contains(check.held, r) {
				e.failPlain(c, "insufficient access to %s: %s", check.kind, r)
				return
			}
		}
	}
	if in.Expiry != nil && in.Expiry.Before(e.now()) {
		c.fail(http.StatusBadRequest, "API key expiration date is in the past: %s", in.Expiry.Format(time.RFC3339))
		return
	}
	for _, l := range [][]string{in.Scopes, in.Projects, in.Branches} {
		if len(l) > maxKeyRestrictions {
			c.fail(http.StatusBadRequest, "API key scopes limit of %d reached", maxKeyRestrictions)
			return
		}
	}
	count := 0
	for _, k := range e.keys {
		if k.orgID == c.orgID {
			count++
			if k.name == in.Name {
				c.fail(http.StatusConflict, "API key with name '%s' already exists", in.Name)
				return
			}
		}
	}
	if count >= maxAPIKeysPerOrg {
		c.fail(http.StatusBadRequest, "API key limit of %d reached", maxAPIKeysPerOrg)
		return
	}
	var expiry *time.Time
	if in.Expiry != nil {
		t := in.Expiry.UTC().Truncate(time.Microsecond)
		expiry = &t
	}
	k := e.addKey(c.orgID, APIKeySpec{Name: in.Name, Scopes: in.Scopes, Projects: in.Projects,
		Branches: in.Branches, Expiry: expiry}, creator.id)
	full := fullAPIKeyWire{apiKeyWire: k.wire(), Token: k.token}
	c.json(http.StatusCreated, map[string]fullAPIKeyWire{"key": full})
}

// failPlain answers what the auth service returns as a plain error: 400
// with its text in the hosted shape, 500 "Internal Error" in the
// open-source one.
func (e *Emulator) failPlain(c *call, format string, args ...any) {
	if e.credentialsShape == CredentialsOpenSource {
		writeFaultError(c.w, c.id, http.StatusInternalServerError)
		return
	}
	c.fail(http.StatusBadRequest, format, args...)
}

// invalidRestrictions is the projects service's ValidateHierarchy: every
// project must be one of the organization's, every branch one of those
// projects' (or of the organization's when no project is named).
func (e *Emulator) invalidRestrictions(orgID string, projects, branches []string) string {
	for _, pid := range projects {
		if pid == "*" {
			continue
		}
		if p := e.projects[pid]; p == nil || p.orgID != orgID {
			return fmt.Sprintf("project [%s] not found", pid)
		}
	}
	for _, bid := range branches {
		if bid == "*" {
			continue
		}
		b := e.branches[bid]
		if b == nil || e.projects[b.projectID].orgID != orgID ||
			(len(projects) > 0 && !permitted(b.projectID, projects)) {
			return fmt.Sprintf("branch [%s] not found", bid)
		}
	}
	return ""
}

// deleteAPIKeys is the bulk delete: ids of other organizations or unknown
// ids are ignored, as the store's DELETE … WHERE does.
func (e *Emulator) deleteAPIKeys(c *call) {
	var in struct {
		IDs []string `json:"ids"`
	}
	if !c.decode(&in) {
		return
	}
	if len(in.IDs) > maxBulkDeleteAPIKey {
		c.fail(http.StatusBadRequest, "Cannot delete %d API keys at once. Maximum allowed is %d", len(in.IDs), maxBulkDeleteAPIKey)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for token, k := range e.keys {
		if k.orgID == c.orgID && slices.Contains(in.IDs, k.id) {
			delete(e.keys, token)
		}
	}
	c.noContent()
}
