package acctest

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

// TypeSchemas is the schema of every type of the provider the tests drive
// (the types Main was given), keyed by its address: "xata_branch" for a
// resource, "data.…", "ephemeral.…", "list.…", "action.…".
func TypeSchemas(t *testing.T) map[string]Describable {
	t.Helper()
	ctx := context.Background()
	p := &shared.Provider{Version: "test", Services: served}
	out := map[string]Describable{}
	for _, f := range p.Resources(ctx) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		out[meta.TypeName] = s.Schema
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		out["data."+meta.TypeName] = s.Schema
	}
	for _, f := range p.EphemeralResources(ctx) {
		e := f()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &s)
		out["ephemeral."+meta.TypeName] = s.Schema
	}
	for _, f := range p.ListResources(ctx) {
		l := f()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		out["list."+meta.TypeName] = s.Schema
	}
	for _, f := range p.Actions(ctx) {
		a := f()
		var meta action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &s)
		out["action."+meta.TypeName] = s.Schema
	}
	return out
}

// Describable is what every schema attribute and block has in common.
type Describable interface {
	GetMarkdownDescription() string
}
