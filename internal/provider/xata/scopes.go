package xata

import (
	"fmt"
	"strings"
)

// scopeNeed is what the provider's API key needs for one type: the scopes
// it cannot work without, and those it uses when granted (for a plan-time
// check or a clearer error) and does without when refused.
type scopeNeed struct {
	needs    []string
	optional []string
	why      string // what the optional scopes are for
}

// typeScopes is the one source of the scopes each type needs: the
// sentence on every type's page (scopesSentence) and the table of the
// authentication guide, which TestScopesOneWay keeps equal to it. Keys
// are the types' addresses: "xata_branch" for the resource,
// "data.xata_branch", "ephemeral.…", "list.…", "action.…".
var typeScopes = map[string]scopeNeed{
	"xata_branch": {
		needs:    []string{"branch:write", "credentials:read"},
		optional: []string{"project:read", "org:read"},
		why:      "a root branch's `region` (`project:read`), `instance_type` and `image` (`org:read`) are checked at plan with them; `credentials:read` is not used after create with `store_credentials = false`",
	},
	"data.xata_branch":                      {needs: []string{"branch:read", "credentials:read"}},
	"data.xata_branches":                    {needs: []string{"branch:read", "credentials:read"}},
	"ephemeral.xata_branch_credentials":     {needs: []string{"branch:read", "credentials:read"}},
	"list.xata_branch":                      {needs: []string{"branch:read"}},
	"action.xata_branch_hibernate":          {needs: []string{"branch:write"}},
	"action.xata_branch_wake":               {needs: []string{"branch:write"}},
	"action.xata_branch_rotate_credentials": {needs: []string{"branch:read", "credentials:write"}},
	"xata_project": {
		needs:    []string{"project:write"},
		optional: []string{"branch:read"},
		why:      "names the branches that keep a project from being deleted",
	},
	"data.xata_project":        {needs: []string{"project:read"}},
	"list.xata_project":        {needs: []string{"project:read"}},
	"xata_api_key":             {needs: []string{"keys:write"}},
	"data.xata_regions":        {needs: []string{"project:read"}},
	"data.xata_images":         {needs: []string{"org:read"}},
	"data.xata_instance_types": {needs: []string{"org:read"}},
	"data.xata_limits":         {needs: []string{"project:read"}},
}

func codeList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "`" + s + "`"
	}
	return strings.Join(quoted, ", ")
}

// scopesSentence is the sentence every Xata type's description ends with.
func scopesSentence(key string) string {
	n, ok := typeScopes[key]
	if !ok {
		panic("no scopes recorded for " + key) // caught by every test that builds the schemas
	}
	s := "API key scopes: " + codeList(n.needs)
	if len(n.optional) > 0 {
		s += "; optional " + codeList(n.optional)
	}
	return s + " ([all types](../guides/authentication.md#scopes))."
}

// scopesTableRow is the row of the authentication guide's table for key.
func scopesTableRow(key string) string {
	kind, name := "resource", key
	for _, k := range []struct{ prefix, kind string }{
		{"data.", "data source"}, {"ephemeral.", "ephemeral resource"}, {"list.", "list resource"}, {"action.", "action"},
	} {
		if rest, ok := strings.CutPrefix(key, k.prefix); ok {
			kind, name = k.kind, rest
		}
	}
	n := typeScopes[key]
	optional := "—"
	if len(n.optional) > 0 {
		optional = fmt.Sprintf("%s: %s", codeList(n.optional), n.why)
	}
	return fmt.Sprintf("| %s `%s` | %s | %s |", kind, name, codeList(n.needs), optional)
}
