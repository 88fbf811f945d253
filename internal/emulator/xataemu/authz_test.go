package xataemu

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// routeScopes is the scope every served route needs, from the platform's
// scopes.gen.go. {b} is a live branch of the default project.
var routeScopes = []struct{ method, path, scope string }{
	{"GET", "/organizations", "org:read"},
	{"GET", "/organizations/{o}", "org:read"},
	{"GET", "/organizations/{o}/regions", "project:read"},
	{"GET", "/organizations/{o}/images?region=us-east-1", "org:read"},
	{"GET", "/organizations/{o}/instanceTypes?region=us-east-1", "org:read"},
	{"GET", "/organizations/{o}/api-keys", "keys:read"},
	{"POST", "/organizations/{o}/api-keys", "keys:write"},
	{"DELETE", "/organizations/{o}/api-keys", "keys:write"},
	{"GET", "/organizations/{o}/projects", "project:read"},
	{"POST", "/organizations/{o}/projects", "project:write"},
	{"GET", "/organizations/{o}/projects/limits", "project:read"},
	{"GET", "/organizations/{o}/projects/{p}", "project:read"},
	{"PATCH", "/organizations/{o}/projects/{p}", "project:write"},
	{"DELETE", "/organizations/{o}/projects/{p}", "project:write"},
	{"GET", "/branches", "branch:read"},
	{"POST", "/branches", "branch:write"},
	{"GET", "/branches/{b}", "branch:read"},
	{"PATCH", "/branches/{b}", "branch:write"},
	{"DELETE", "/branches/{b}", "branch:write"},
	{"GET", "/branches/{b}/credentials?username=xata", "credentials:read"},
	{"POST", "/branches/{b}/credentials/rotate", "credentials:write"},
}

// TestEveryRouteNeedsItsScope: a key holding every scope but the one a
// route needs (and its :write) is denied with 403 "access denied"; the
// scope alone, its :write, and "*" pass the policy (whatever the handler
// then answers, it is not 403).
func TestEveryRouteNeedsItsScope(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	bid := api.create(mainBody("main"))
	for _, rt := range routeScopes {
		path := strings.NewReplacer("{o}", api.org, "{p}", api.proj, "{b}", bid).Replace(rt.path)
		name := rt.method + " " + rt.path
		writeOf := strings.Replace(rt.scope, ":read", ":write", 1)
		var others []string
		for _, s := range Scopes {
			if s != rt.scope && s != writeOf {
				others = append(others, s)
			}
		}
		deny := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Scopes: others})
		r, err := api.try(rt.method, path, nil, deny)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != http.StatusForbidden || r.message() != "access denied" {
			t.Errorf("%s without %s: %s, want 403 access denied", name, rt.scope, r)
		}
		for _, held := range [][]string{{rt.scope}, {writeOf}, {"*"}} {
			k := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Scopes: held})
			r, err := api.try(rt.method, path, nil, k)
			if err != nil {
				t.Fatal(err)
			}
			if r.status == http.StatusForbidden || r.status == http.StatusUnauthorized {
				t.Errorf("%s with %v: %s, want the policy to let it through", name, held, r)
			}
		}
	}
}

// TestReadScopeDoesNotGrantWrite: the :read half never satisfies a write.
func TestReadScopeDoesNotGrantWrite(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	bid := api.create(mainBody("main"))
	k := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Scopes: []string{"branch:read", "project:read", "keys:read", "credentials:read"}})
	for _, rt := range routeScopes {
		if !strings.HasSuffix(rt.scope, ":write") || rt.scope == "org:write" {
			continue
		}
		path := strings.NewReplacer("{o}", api.org, "{p}", api.proj, "{b}", bid).Replace(rt.path)
		r, _ := api.try(rt.method, path, nil, k)
		if r.status != http.StatusForbidden {
			t.Errorf("%s %s with read scopes only: %s, want 403", rt.method, rt.path, r)
		}
	}
}

// TestProjectAndBranchRestrictions: a project restriction applies to paths
// naming a project, a branch restriction to paths naming a branch, as the
// platform's policy checks them.
func TestProjectAndBranchRestrictions(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	other := api.e.CreateProject(api.org, "other")
	bid := api.create(mainBody("main"))

	onlyOther := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Projects: []string{other}})
	for _, path := range []string{
		"/organizations/" + api.org + "/projects/" + api.proj,
		"/branches", "/branches/" + bid, "/branches/" + bid + "/credentials?username=xata",
	} {
		r, _ := api.try("GET", path, nil, onlyOther)
		api.expect(r, http.StatusForbidden, "access denied")
		r, _ = api.try("DELETE", path, nil, onlyOther)
		api.expect(r, http.StatusForbidden, "access denied")
	}
	r, _ := api.try("GET", "/organizations/"+api.org+"/projects/"+other, nil, onlyOther)
	api.expect(r, http.StatusOK, "")
	// The list names no project, so the policy lets it through whole.
	r, _ = api.try("GET", "/organizations/"+api.org+"/projects", nil, onlyOther)
	api.expect(r, http.StatusOK, "")
	if got := len(decodeAs[struct{ Projects []projectWire }](t, r).Projects); got != 2 {
		t.Errorf("a project-restricted key lists %d projects, want all 2", got)
	}
	if len(api.e.Branches(api.proj)) != 1 {
		t.Fatal("a denied DELETE removed the branch")
	}

	onlyMain := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Branches: []string{bid}})
	r, _ = api.try("GET", "/branches/"+bid, nil, onlyMain)
	api.expect(r, http.StatusOK, "")
	r, _ = api.try("POST", "/branches", childBody("child", bid), onlyMain)
	api.expect(r, http.StatusCreated, "")
	child := decodeAs[branchShortMetadata](t, r).ID
	r, _ = api.try("GET", "/branches/"+child, nil, onlyMain)
	api.expect(r, http.StatusForbidden, "access denied")
}

// TestOtherOrganizationDenied: a key never reaches another organization,
// whatever its scopes.
func TestOtherOrganizationDenied(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	org2 := api.e.CreateOrganization("second")
	for _, path := range []string{"/organizations/" + org2, "/organizations/" + org2 + "/projects", "/organizations/" + org2 + "/api-keys"} {
		r := api.do("GET", path, nil)
		api.expect(r, http.StatusForbidden, "access denied")
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	api, clk := newMemEmu(t, Options{ProvisionDelay: -1})
	keys := "/organizations/" + api.org + "/api-keys"
	expiry := clk.Now().Add(48 * time.Hour)
	r := api.do("POST", keys, map[string]any{
		"name": "runner", "scopes": []string{"branch:write", "branch:write", "credentials:read"},
		"projects": []string{api.proj}, "expiry": expiry,
	})
	api.expect(r, http.StatusCreated, "")
	if !strings.Contains(string(r.body), `"created_at"`) || !strings.Contains(string(r.body), `"created_by_key"`) {
		t.Errorf("create answer is not snake_case: %s", r.body)
	}
	full := decodeAs[struct{ Key fullAPIKeyWire }](t, r).Key
	if !strings.HasPrefix(full.Token, "xao_") || len(full.Token) > 40 {
		t.Errorf("token %q is not an organization key", full.Token)
	}
	if want := []string{"branch:write", "credentials:read"}; !slices.Equal(full.Scopes, want) {
		t.Errorf("scopes = %v, want %v (duplicates dropped)", full.Scopes, want)
	}
	if !slices.Equal(full.Branches, []string{"*"}) || !full.Expiry.Equal(expiry) {
		t.Errorf("branches %v expiry %v: want [*] and %v", full.Branches, full.Expiry, expiry)
	}
	if full.Preview != "xao_"+strings.Repeat("*", len(full.Token)-7)+full.Token[len(full.Token)-3:] {
		t.Errorf("preview %q does not keep only the prefix and the last 3 characters of the token", full.Preview)
	}

	// The token is shown at creation only.
	r = api.do("GET", keys, nil)
	api.expect(r, http.StatusOK, "")
	if strings.Contains(string(r.body), full.Token) || strings.Contains(string(r.body), `"token"`) {
		t.Errorf("the list shows the token: %s", r.body)
	}
	if n := len(decodeAs[struct{ Keys []apiKeyWire }](t, r).Keys); n != 2 {
		t.Errorf("list has %d keys, want 2", n)
	}

	// The new key works within its restrictions, and last_used moves.
	r, _ = api.try("GET", "/branches", nil, full.Token)
	api.expect(r, http.StatusOK, "")
	r, _ = api.try("GET", keys, nil, full.Token)
	api.expect(r, http.StatusForbidden, "access denied")

	r = api.do("POST", keys, map[string]any{"name": "runner"})
	api.expect(r, http.StatusConflict, "API key with name 'runner' already exists")

	// Bulk delete ignores ids it does not know.
	r = api.do("DELETE", keys, map[string]any{"ids": []string{full.ID, "nosuchkey"}})
	api.expect(r, http.StatusNoContent, "")
	r, _ = api.try("GET", "/branches", nil, full.Token)
	api.expect(r, http.StatusUnauthorized, "invalid token")
}

// TestAPIKeyBadInput: each refusal of the auth service, with its text.
func TestAPIKeyBadInput(t *testing.T) {
	api, clk := newMemEmu(t, Options{ProvisionDelay: -1})
	keys := "/organizations/" + api.org + "/api-keys"
	other := api.e.CreateOrganization("other")
	otherProject := api.e.CreateProject(other, "theirs")
	for _, tc := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"scopes": []string{"branch:read"}}, "name is required"},
		{map[string]any{"name": "k", "scopes": []string{"branch:delete"}}, "invalid scope: branch:delete"},
		{map[string]any{"name": "k", "projects": []string{otherProject}}, "invalid resource restrictions: project [" + otherProject + "] not found"},
		{map[string]any{"name": "k", "branches": []string{"nosuchbranch"}}, "invalid resource restrictions: branch [nosuchbranch] not found"},
		{map[string]any{"name": "k", "expiry": clk.Now().Add(-time.Minute)}, ""},
	} {
		r := api.do("POST", keys, tc.body)
		api.expect(r, http.StatusBadRequest, tc.msg)
	}

	// A key cannot grant more than it holds.
	limited := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Scopes: []string{"keys:write", "branch:read"}, Projects: []string{api.proj}})
	for _, tc := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"name": "a", "scopes": []string{"branch:write"}}, "insufficient access to scope: branch:write"},
		{map[string]any{"name": "b", "scopes": []string{"branch:read"}, "projects": []string{"*"}}, "insufficient access to project: *"},
		{map[string]any{"name": "c", "scopes": []string{"*"}, "projects": []string{api.proj}}, "insufficient access to scope: *"},
	} {
		r, _ := api.try("POST", keys, tc.body, limited)
		api.expect(r, http.StatusBadRequest, tc.msg)
	}
	r, _ := api.try("POST", keys, map[string]any{"name": "d", "scopes": []string{"branch:read"}, "projects": []string{api.proj}}, limited)
	api.expect(r, http.StatusCreated, "")
}

// TestExpiredKey: an expired key is refused as invalid and still listed.
func TestExpiredKey(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	keys := "/organizations/" + api.org + "/api-keys"
	r := api.do("POST", keys, map[string]any{"name": "short"})
	full := decodeAs[struct{ Key fullAPIKeyWire }](t, r).Key
	if err := api.e.ExpireAPIKey(full.ID); err != nil {
		t.Fatal(err)
	}
	r, _ = api.try("GET", "/branches", nil, full.Token)
	api.expect(r, http.StatusUnauthorized, "invalid token")
	r = api.do("GET", keys, nil)
	if !strings.Contains(string(r.body), full.ID) {
		t.Errorf("the expired key is gone from the list: %s", r.body)
	}
}

// TestAPIKeyPlainErrorsOpenSource: what the auth service returns as plain
// errors (an unknown scope, a grant beyond the creator's) is a 500 on the
// open-source server, with nothing created.
func TestAPIKeyPlainErrorsOpenSource(t *testing.T) {
	api, _ := newMemEmu(t, Options{ProvisionDelay: -1, CredentialsShape: CredentialsOpenSource})
	keys := "/organizations/" + api.org + "/api-keys"
	limited := api.e.CreateRestrictedAPIKey(api.org, APIKeySpec{Scopes: []string{"keys:write"}})
	for _, tc := range []struct {
		key  string
		body map[string]any
	}{
		{api.key, map[string]any{"name": "a", "scopes": []string{"branch:delete"}}},
		{limited, map[string]any{"name": "b", "scopes": []string{"branch:write"}}},
	} {
		r, _ := api.try("POST", keys, tc.body, tc.key)
		if r.status != http.StatusInternalServerError || !strings.HasPrefix(r.message(), "Internal Error (Request ID: ") {
			t.Errorf("POST %v: %s, want the open-source server's 500", tc.body, r)
		}
	}
	r := api.do("GET", keys, nil)
	if n := len(decodeAs[struct{ Keys []apiKeyWire }](t, r).Keys); n != 2 {
		t.Errorf("%d keys after the refused creates, want 2", n)
	}
}
