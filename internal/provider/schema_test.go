package provider

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// typeSchemas is the schema of every type the provider serves, keyed by
// its address: "xata_branch" for a resource, "data.…", "ephemeral.…",
// "list.…", "action.…".
func typeSchemas(t *testing.T) map[string]describable {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	out := map[string]describable{}
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
	for _, f := range p.(provider.ProviderWithEphemeralResources).EphemeralResources(ctx) {
		e := f()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &s)
		out["ephemeral."+meta.TypeName] = s.Schema
	}
	for _, f := range p.(provider.ProviderWithListResources).ListResources(ctx) {
		l := f()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		out["list."+meta.TypeName] = s.Schema
	}
	for _, f := range p.(provider.ProviderWithActions).Actions(ctx) {
		a := f()
		var meta action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &s)
		out["action."+meta.TypeName] = s.Schema
	}
	return out
}

// describable is what every schema attribute and block has in common.
type describable interface {
	GetMarkdownDescription() string
}

// TestSchemasDocumentEverything fails on any provider, resource, data
// source, ephemeral resource, list resource or action schema element, at
// any depth, without a MarkdownDescription, and on any resource identity
// attribute without a Description (identities have only plain text): the
// docs are generated from them.
func TestSchemasDocumentEverything(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var missing []string

	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	missing = append(missing, undocumented("provider", ps.Schema)...)
	for key, s := range typeSchemas(t) {
		missing = append(missing, undocumented(key, s)...)
	}
	for _, m := range missing {
		t.Errorf("%s has no MarkdownDescription", m)
	}
	for _, newResource := range p.Resources(ctx) {
		r, ok := newResource().(resource.ResourceWithIdentity)
		if !ok {
			continue
		}
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s resource.IdentitySchemaResponse
		r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &s)
		for name, a := range s.IdentitySchema.Attributes {
			if a.GetDescription() == "" {
				t.Errorf("%s identity attribute %s has no Description", meta.TypeName, name)
			}
		}
	}
}

// TestUndocumentedFindsDeepElements proves the walk reaches every level,
// so the test above cannot pass by not looking.
func TestUndocumentedFindsDeepElements(t *testing.T) {
	s := rsschema.Schema{
		MarkdownDescription: "d",
		Attributes: map[string]rsschema.Attribute{
			"outer": rsschema.ListNestedAttribute{
				MarkdownDescription: "d",
				NestedObject: rsschema.NestedAttributeObject{Attributes: map[string]rsschema.Attribute{
					"inner": rsschema.SingleNestedAttribute{
						MarkdownDescription: "d",
						Attributes: map[string]rsschema.Attribute{
							"leaf": rsschema.StringAttribute{Optional: true},
						},
					},
				}},
			},
		},
		Blocks: map[string]rsschema.Block{
			"blk": rsschema.ListNestedBlock{
				MarkdownDescription: "d",
				NestedObject: rsschema.NestedBlockObject{
					Attributes: map[string]rsschema.Attribute{"a": rsschema.StringAttribute{Optional: true}},
					Blocks: map[string]rsschema.Block{"deeper": rsschema.SingleNestedBlock{
						Attributes: map[string]rsschema.Attribute{"b": rsschema.StringAttribute{MarkdownDescription: "d", Optional: true}},
					}},
				},
			},
		},
	}
	got := undocumented("r", s)
	slices.Sort(got)
	want := []string{"r.blk.a", "r.blk.deeper", "r.outer.inner.leaf"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// undocumented lists the elements of a schema (any of the framework's
// schema types) without a MarkdownDescription, at every depth. It walks
// by method name because the nested object types are internal to the
// framework.
func undocumented(where string, schema any) []string {
	var out []string
	if d, ok := schema.(describable); ok && d.GetMarkdownDescription() == "" {
		out = append(out, where)
	}
	v := reflect.ValueOf(schema)
	if m := v.MethodByName("GetNestedObject"); m.IsValid() {
		v = m.Call(nil)[0]
	}
	for _, method := range []string{"GetAttributes", "GetBlocks"} {
		m := v.MethodByName(method)
		if !m.IsValid() {
			continue
		}
		children := m.Call(nil)[0]
		for _, k := range children.MapKeys() {
			out = append(out, undocumented(where+"."+k.String(), children.MapIndex(k).Interface())...)
		}
	}
	return out
}
