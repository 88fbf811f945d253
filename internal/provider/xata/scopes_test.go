package xata

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestScopesOneWay: every Xata type's page states its scopes in the one
// sentence typeScopes gives, and in no other words; the authentication
// guide's table has one row per type, made from the same record.
func TestScopesOneWay(t *testing.T) {
	schemas := acctest.TypeSchemas(t)
	for key, schema := range schemas {
		desc := schema.GetMarkdownDescription()
		if strings.Contains(key, "signadot_") {
			continue // a Signadot key has no scopes
		}
		if _, ok := typeScopes[key]; !ok {
			t.Errorf("%s has no entry in typeScopes", key)
			continue
		}
		if !strings.HasSuffix(desc, scopesSentence(key)) {
			t.Errorf("the description of %s does not end with %q", key, scopesSentence(key))
		}
		if rest := strings.TrimSuffix(desc, scopesSentence(key)); strings.Contains(rest, "scope:") ||
			strings.Contains(rest, "Needs the `") {
			t.Errorf("the description of %s words scopes another way too: %q", key, rest)
		}
	}
	for key := range typeScopes {
		if _, ok := schemas[key]; !ok {
			t.Errorf("typeScopes has %s, which the provider does not serve", key)
		}
	}

	guide, err := os.ReadFile(filepath.Join("..", "..", "..", "templates", "guides", "authentication.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(guide), "| type | needs | optional, and what for |\n|---|---|---|\n")
	if !ok {
		t.Fatal("the authentication guide has no scopes table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var want []string
	for _, key := range slices.Sorted(maps.Keys(typeScopes)) {
		want = append(want, scopesTableRow(key))
	}
	got := strings.Split(table, "\n")
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("the authentication guide's scopes table differs from typeScopes; its rows should be:\n%s", strings.Join(want, "\n"))
	}
}
