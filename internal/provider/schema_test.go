package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// describable is what every schema attribute and block has in common.
type describable interface {
	GetMarkdownDescription() string
}

// TestSchemasDocumentEverything fails on any provider, resource or data
// source schema element without a MarkdownDescription: the docs are
// generated from them.
func TestSchemasDocumentEverything(t *testing.T) {
	ctx := context.Background()
	p := New("test")()

	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	if ps.Schema.MarkdownDescription == "" {
		t.Error("provider schema has no MarkdownDescription")
	}
	for name, a := range ps.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("provider attribute %s has no MarkdownDescription", name)
		}
	}

	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		if s.Schema.MarkdownDescription == "" {
			t.Errorf("%s has no MarkdownDescription", meta.TypeName)
		}
		checkResourceAttributes(t, meta.TypeName, s.Schema.Attributes)
		for name, b := range s.Schema.Blocks {
			checkDescribed(t, meta.TypeName+"."+name, b)
			if nb, ok := b.(rsschema.SingleNestedBlock); ok {
				checkResourceAttributes(t, meta.TypeName+"."+name, nb.Attributes)
			}
		}
	}

	for _, newEphemeral := range p.(provider.ProviderWithEphemeralResources).EphemeralResources(ctx) {
		e := newEphemeral()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &s)
		if s.Schema.MarkdownDescription == "" {
			t.Errorf("ephemeral resource %s has no MarkdownDescription", meta.TypeName)
		}
		for name, a := range s.Schema.Attributes {
			checkDescribed(t, meta.TypeName+"."+name, a)
		}
	}

	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "xata"}, &meta)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		if s.Schema.MarkdownDescription == "" {
			t.Errorf("data source %s has no MarkdownDescription", meta.TypeName)
		}
		checkDataSourceAttributes(t, meta.TypeName, s.Schema.Attributes)
	}
}

func checkResourceAttributes(t *testing.T, prefix string, attrs map[string]rsschema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		checkDescribed(t, prefix+"."+name, a)
		if n, ok := a.(rsschema.NestedAttribute); ok {
			for child, ca := range n.GetNestedObject().GetAttributes() {
				checkDescribed(t, prefix+"."+name+"."+child, ca)
			}
		}
	}
}

func checkDataSourceAttributes(t *testing.T, prefix string, attrs map[string]dsschema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		checkDescribed(t, prefix+"."+name, a)
		if n, ok := a.(dsschema.NestedAttribute); ok {
			for child, ca := range n.GetNestedObject().GetAttributes() {
				checkDescribed(t, prefix+"."+name+"."+child, ca)
			}
		}
	}
}

func checkDescribed(t *testing.T, where string, element any) {
	t.Helper()
	d, ok := element.(describable)
	if !ok {
		t.Errorf("%s: cannot read its description (%T)", where, element)
		return
	}
	if d.GetMarkdownDescription() == "" {
		t.Errorf("%s has no MarkdownDescription", where)
	}
}
