package provider

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

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
	for key, s := range acctest.TypeSchemas(t) {
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
	if d, ok := schema.(acctest.Describable); ok && d.GetMarkdownDescription() == "" {
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
