package provider

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// typeDescriptions is every type's address (typeScopes' keys) and its
// schema's description.
func typeDescriptions(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	out := map[string]string{}
	for _, f := range p.Resources(ctx) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		out[meta.TypeName] = s.Schema.MarkdownDescription
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		out["data."+meta.TypeName] = s.Schema.MarkdownDescription
	}
	for _, f := range p.(provider.ProviderWithEphemeralResources).EphemeralResources(ctx) {
		e := f()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &s)
		out["ephemeral."+meta.TypeName] = s.Schema.MarkdownDescription
	}
	for _, f := range p.(provider.ProviderWithListResources).ListResources(ctx) {
		l := f()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		out["list."+meta.TypeName] = s.Schema.MarkdownDescription
	}
	for _, f := range p.(provider.ProviderWithActions).Actions(ctx) {
		a := f()
		var meta action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &s)
		out["action."+meta.TypeName] = s.Schema.MarkdownDescription
	}
	return out
}

// TestScopesOneWay: every Xata type's page states its scopes in the one
// sentence typeScopes gives, and in no other words; the authentication
// guide's table has one row per type, made from the same record.
func TestScopesOneWay(t *testing.T) {
	descriptions := typeDescriptions(t)
	for key, desc := range descriptions {
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
		if _, ok := descriptions[key]; !ok {
			t.Errorf("typeScopes has %s, which the provider does not serve", key)
		}
	}

	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "authentication.md.tmpl"))
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
