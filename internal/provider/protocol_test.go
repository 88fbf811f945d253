package provider

// Tests at the plugin protocol: they call the provider server as
// Terraform would, without a CLI, so the list resource, the actions and
// resource identities are covered whichever CLI (or none) is installed.

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/xata"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// protoProvider is a configured provider server and its schemas.
type protoProvider struct {
	t        *testing.T
	server   tfprotov6.ProviderServer
	lists    tfprotov6.ListResourceServer
	actions  tfprotov6.ActionServer
	schema   *tfprotov6.GetProviderSchemaResponse
	identity *tfprotov6.GetResourceIdentitySchemasResponse
}

// newProtoProvider serves the provider, fetches its schemas and
// configures it for env's emulator, as Terraform does before any other
// call.
func newProtoProvider(t *testing.T, env *acctest.Env) *protoProvider {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(&shared.Provider{
		Version:  "test",
		Wait:     xataapi.WaitOptions{MinInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond, FaultGrace: time.Second},
		Services: []shared.Types{xata.Types(), signadot.Types()},
	})()
	if err != nil {
		t.Fatal(err)
	}
	p := &protoProvider{t: t, server: server}
	var ok bool
	if p.lists, ok = server.(tfprotov6.ListResourceServer); !ok {
		t.Fatal("the server does not serve list resources")
	}
	if p.actions, ok = server.(tfprotov6.ActionServer); !ok {
		t.Fatal("the server does not serve actions")
	}
	if p.schema, err = server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	if p.identity, err = server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{}); err != nil {
		t.Fatal(err)
	}
	p.noErrors("schemas", append(p.schema.Diagnostics, p.identity.Diagnostics...))
	if env != nil {
		resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
			Config: p.value(p.schema.Provider.ValueType(), map[string]tftypes.Value{
				"base_url":        str(env.URL()),
				"api_key":         str(env.APIKey()),
				"organization_id": str(env.OrganizationID()),
				"project_id":      str(env.ProjectID()),
			}),
		})
		if err != nil {
			t.Fatal(err)
		}
		p.noErrors("configure", resp.Diagnostics)
	}
	return p
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// value is an object of type typ with attrs set and every other
// attribute null, as a configuration that leaves them out.
func (p *protoProvider) value(typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		p.t.Fatalf("%s is not an object type", typ)
	}
	all := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	maps.Copy(all, attrs)
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, all))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// attrs decodes an object value into its attributes.
func (p *protoProvider) attrs(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
	p.t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	out := map[string]tftypes.Value{}
	if err := v.As(&out); err != nil {
		p.t.Fatal(err)
	}
	return out
}

// strAttr is a string attribute's value, "<null>" when it is null.
func strAttr(t *testing.T, attrs map[string]tftypes.Value, name string) string {
	t.Helper()
	if attrs[name].IsNull() {
		return "<null>"
	}
	var s string
	if err := attrs[name].As(&s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func (p *protoProvider) noErrors(what string, diags []*tfprotov6.Diagnostic) {
	p.t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			p.t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// wantError fails unless diags hold an error with this summary.
func wantError(t *testing.T, diags []*tfprotov6.Diagnostic, summary string) *tfprotov6.Diagnostic {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError && d.Summary == summary {
			return d
		}
	}
	t.Fatalf("want an error %q, got %v", summary, diags)
	return nil
}

// TestProtocolSchemas: the list resource, the actions, the data source and
// both identity schemas are served, with what import requires marked.
func TestProtocolSchemas(t *testing.T) {
	p := newProtoProvider(t, nil)
	if _, ok := p.schema.DataSourceSchemas["xata_branches"]; !ok {
		t.Error("no xata_branches data source")
	}
	list := p.schema.ListResourceSchemas["xata_branch"]
	if list == nil {
		t.Fatal("no xata_branch list resource")
	}
	var filters []string
	for _, a := range list.Block.Attributes {
		filters = append(filters, a.Name)
		if !a.Optional || a.Description == "" {
			t.Errorf("list attribute %s: optional %v, description %q", a.Name, a.Optional, a.Description)
		}
	}
	slices.Sort(filters)
	if want := []string{"created_before", "name_regex", "organization_id", "parent_id", "parent_name", "project_id", "status"}; !slices.Equal(filters, want) {
		t.Errorf("list filters %v, want %v", filters, want)
	}
	for _, name := range []string{"xata_branch_hibernate", "xata_branch_wake", "xata_branch_rotate_credentials"} {
		a := p.schema.ActionSchemas[name]
		if a == nil {
			t.Errorf("no action %s", name)
			continue
		}
		for _, attr := range a.Schema.Block.Attributes {
			if attr.Name == "branch_id" && !attr.Required {
				t.Errorf("%s: branch_id is not required", name)
			}
		}
	}
	for typ, want := range map[string]map[string]string{
		"xata_branch":              {"organization_id": "optional", "project_id": "optional", "id": "required"},
		"signadot_resource_plugin": {"org": "optional", "name": "required", "version": "optional"},
	} {
		got := map[string]string{}
		for _, a := range p.identity.IdentitySchemas[typ].IdentityAttributes {
			switch {
			case a.RequiredForImport:
				got[a.Name] = "required"
			case a.OptionalForImport:
				got[a.Name] = "optional"
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s identity: %v, want %v", typ, got, want)
		}
	}
}

// listResults runs ListResource and collects the stream.
func (p *protoProvider) listResults(config map[string]tftypes.Value, include bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	stream, err := p.lists.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        "xata_branch",
		Config:          p.value(p.schema.ListResourceSchemas["xata_branch"].ValueType(), config),
		IncludeResource: include,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return slices.Collect(stream.Results)
}

// TestProtocolListResource: identities and display names without the
// objects, objects without credentials when asked for, a limit, a parent
// that does not resolve, and an invalid regex at validation.
func TestProtocolListResource(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	p := newProtoProvider(t, env)
	identityType := p.identity.IdentitySchemas["xata_branch"].ValueType()
	resourceType := p.schema.ResourceSchemas["xata_branch"].ValueType()

	results := p.listResults(map[string]tftypes.Value{"name_regex": str(env.NameRegex("sb-"))}, false, 0)
	var names []string
	for _, r := range results {
		p.noErrors("list", r.Diagnostics)
		if r.Resource != nil {
			t.Errorf("%s: an object was sent unasked", r.DisplayName)
		}
		id := p.attrs(identityType, r.Identity.IdentityData)
		if strAttr(t, id, "id") != seeded.IDs[env.Unname(r.DisplayName)] || strAttr(t, id, "organization_id") != env.OrganizationID() ||
			strAttr(t, id, "project_id") != env.ProjectID() {
			t.Errorf("%s: identity %v", r.DisplayName, id)
		}
		names = append(names, env.Unname(r.DisplayName))
	}
	if want := []string{"sb-1", "sb-2"}; !slices.Equal(names, want) {
		t.Errorf("listed %v, want %v", names, want)
	}

	// Against an endpoint, filters of the whole project are kept to this
	// test's branches.
	scoped := func(config map[string]tftypes.Value) map[string]tftypes.Value {
		if env.Prefix != "" {
			config["name_regex"] = str(env.NameRegex(""))
		}
		return config
	}
	results = p.listResults(scoped(map[string]tftypes.Value{"status": str(xataapi.StatusHibernated)}), true, 0)
	if len(results) != 1 {
		t.Fatalf("hibernated: %d results, want sb-2 alone", len(results))
	}
	p.noErrors("list", results[0].Diagnostics)
	obj := p.attrs(resourceType, results[0].Resource)
	for name, want := range map[string]string{
		"name": env.Name("sb-2"), "status": xataapi.StatusHibernated, "parent_id": seeded.IDs["main"], "region": env.Region,
		"organization_id": env.OrganizationID(), "password": "<null>", "connection_string": "<null>",
		"host": "<null>", "database": "<null>", "parent_name": "<null>",
	} {
		if got := strAttr(t, obj, name); got != want {
			t.Errorf("listed object's %s is %s, want %s", name, got, want)
		}
	}

	results = p.listResults(scoped(map[string]tftypes.Value{}), false, 2)
	if len(results) != 2 || results[0].DisplayName != env.Name("main") || results[1].DisplayName != env.Name("other") {
		t.Errorf("limit 2: %v", results)
	}

	results = p.listResults(map[string]tftypes.Value{"parent_name": str(env.Name("gone"))}, false, 0)
	if len(results) != 1 {
		t.Fatalf("unresolved parent: %d results, want one with the error", len(results))
	}
	wantError(t, results[0].Diagnostics, "Xata Branch List: Parent Branch Not Found")

	resp, err := p.lists.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: "xata_branch",
		Config:   p.value(p.schema.ListResourceSchemas["xata_branch"].ValueType(), map[string]tftypes.Value{"name_regex": str("sb-(")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := wantError(t, resp.Diagnostics, "Invalid Xata Branch Name Regex")
	if d.Attribute == nil || !strings.Contains(d.Attribute.String(), "name_regex") {
		t.Errorf("the error names %v, not name_regex", d.Attribute)
	}
}

// invoke runs an action on BranchID and returns its progress messages and
// final diagnostics.
func (p *protoProvider) invoke(actionType, branchID string) ([]string, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	stream, err := p.actions.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
		ActionType: actionType,
		Config:     p.value(p.schema.ActionSchemas[actionType].Schema.ValueType(), map[string]tftypes.Value{"branch_id": str(branchID)}),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var progress []string
	var diags []*tfprotov6.Diagnostic
	for e := range stream.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			diags = ev.Diagnostics
		}
	}
	return progress, diags
}

// TestProtocolInvokeAction: each action reaches its state, reporting
// progress; one already reached is a no-op that says so; rotation changes
// the password; a missing branch and a bad timeout are errors.
func TestProtocolInvokeAction(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env) // sb-2 hibernated
	p := newProtoProvider(t, env)
	ctx := context.Background()
	org, project := env.OrganizationID(), env.ProjectID()
	expect := func(actionType, branch string, want ...string) {
		t.Helper()
		progress, diags := p.invoke(actionType, seeded.IDs[branch])
		p.noErrors(actionType, diags)
		for _, w := range want {
			if !slices.ContainsFunc(progress, func(m string) bool { return strings.Contains(m, w) }) {
				t.Errorf("%s on %s: no progress message with %q in %q", actionType, branch, w, progress)
			}
		}
		if len(progress) == 0 || !strings.Contains(progress[0], `"`+env.Name(branch)+`" (`+seeded.IDs[branch]+`)`) {
			t.Errorf("%s on %s: progress does not name the branch: %q", actionType, branch, progress)
		}
	}
	status := func(branch, want string) {
		t.Helper()
		if err := env.BranchStatus(branch, want)(nil); err != nil {
			t.Error(err)
		}
	}

	expect("xata_branch_wake", "sb-2", "Waking branch", "instances ready", "is awake.")
	status("sb-2", xataapi.StatusHealthy)
	if progress, _ := p.invoke("xata_branch_wake", seeded.IDs["sb-2"]); len(progress) != 1 || !strings.HasSuffix(progress[0], "is awake already; nothing to do.") {
		t.Errorf("waking an awake branch: %q, want one note", progress)
	}

	expect("xata_branch_hibernate", "sb-1", "Hibernating branch", "STATUS_TYPE_HIBERNATED", "is hibernated.")
	status("sb-1", xataapi.StatusHibernated)
	if progress, _ := p.invoke("xata_branch_hibernate", seeded.IDs["sb-1"]); len(progress) != 1 || !strings.HasSuffix(progress[0], "is hibernated already; nothing to do.") {
		t.Errorf("hibernating a hibernated branch: %q, want one note", progress)
	}

	before, err := env.Client(t).GetBranchCredentials(ctx, org, project, seeded.IDs["pr-7"])
	if err != nil {
		t.Fatal(err)
	}
	expect("xata_branch_rotate_credentials", "pr-7", "Rotating the password", "New credentials")
	after, err := env.Client(t).GetBranchCredentials(ctx, org, project, seeded.IDs["pr-7"])
	if err != nil {
		t.Fatal(err)
	}
	if after.Password == before.Password {
		t.Error("the password did not change")
	}

	for _, a := range []struct{ action, site string }{
		{"xata_branch_hibernate", "Xata Branch Hibernate Action"},
		{"xata_branch_wake", "Xata Branch Wake Action"},
		{"xata_branch_rotate_credentials", "Xata Branch Rotate Credentials Action"},
	} {
		progress, diags := p.invoke(a.action, "k3v9q0m2p8d4r6t1b5n7c0f2a9")
		d := wantError(t, diags, a.site+": Branch Not Found")
		if !strings.Contains(d.Detail, "No branch k3v9q0m2p8d4r6t1b5n7c0f2a9 exists in project "+project) || len(progress) != 0 {
			t.Errorf("%s on a missing branch: %q, progress %q", a.action, d.Detail, progress)
		}
	}

	resp, err := p.actions.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{
		ActionType: "xata_branch_wake",
		Config: p.value(p.schema.ActionSchemas["xata_branch_wake"].Schema.ValueType(), map[string]tftypes.Value{
			"branch_id": str(seeded.IDs["sb-1"]), "timeout": str("0s"),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, resp.Diagnostics, "Invalid Xata Branch Action Timeout")
}

// TestProtocolReadResourceIdentity: a state written before identities
// existed gets one on refresh, also when the branch is gone; an identity
// already recorded stays; import by an identity with only the id fills
// organization and project from the provider, and refuses a name.
func TestProtocolReadResourceIdentity(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	p := newProtoProvider(t, env)
	ctx := context.Background()
	org, project, id := env.OrganizationID(), env.ProjectID(), seeded.IDs["pr-7"]
	stateType := p.schema.ResourceSchemas["xata_branch"].ValueType()
	identityType := p.identity.IdentitySchemas["xata_branch"].ValueType()
	wantIdentity := map[string]string{"organization_id": org, "project_id": project, "id": id}
	checkIdentity := func(what string, got *tfprotov6.ResourceIdentityData) {
		t.Helper()
		if got == nil {
			t.Fatalf("%s: no identity", what)
		}
		attrs := p.attrs(identityType, got.IdentityData)
		for name, want := range wantIdentity {
			if v := strAttr(t, attrs, name); v != want {
				t.Errorf("%s: identity %s is %s, want %s", what, name, v, want)
			}
		}
	}
	state := p.value(stateType, map[string]tftypes.Value{"id": str(id), "organization_id": str(org), "project_id": str(project)})

	read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "xata_branch", CurrentState: state})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("read without identity", read.Diagnostics)
	checkIdentity("read without identity", read.NewIdentity)
	if name := strAttr(t, p.attrs(stateType, read.NewState), "name"); name != env.Name("pr-7") {
		t.Errorf("read state name %s", name)
	}

	again, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "xata_branch", CurrentState: read.NewState, CurrentIdentity: read.NewIdentity,
	})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("read with identity", again.Diagnostics)
	checkIdentity("read with identity", again.NewIdentity)

	imported, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "xata_branch",
		Identity: &tfprotov6.ResourceIdentityData{IdentityData: p.value(identityType, map[string]tftypes.Value{"id": str(id)})},
	})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("import by identity", imported.Diagnostics)
	checkIdentity("import by identity", imported.ImportedResources[0].Identity)
	if got := strAttr(t, p.attrs(stateType, imported.ImportedResources[0].State), "project_id"); got != project {
		t.Errorf("imported project_id %s", got)
	}

	byName, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "xata_branch",
		Identity: &tfprotov6.ResourceIdentityData{IdentityData: p.value(identityType, map[string]tftypes.Value{"id": str(env.Name("pr-7"))})},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, byName.Diagnostics, "Invalid Xata Branch Import Identity")

	env.DeleteBranch(t, id)
	gone, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "xata_branch", CurrentState: state})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("read of a deleted branch", gone.Diagnostics)
	if v, err := gone.NewState.Unmarshal(stateType); err != nil || !v.IsNull() {
		t.Errorf("a deleted branch should leave the state: %v, %v", v, err)
	}
}

// TestHandwrittenDocPagesMatchSchemas: the docs pipeline reads schemas
// with a CLI that predates list resources and actions, so their pages are
// written by hand; this fails when one no longer says what the schema
// says, and prints the text it expects.
func TestHandwrittenDocPagesMatchSchemas(t *testing.T) {
	p := newProtoProvider(t, nil)
	pages := map[string]*tfprotov6.SchemaBlock{
		"list-resources/branch.md.tmpl":  p.schema.ListResourceSchemas["xata_branch"].Block,
		"list-resources/project.md.tmpl": p.schema.ListResourceSchemas["xata_project"].Block,
	}
	for name, a := range p.schema.ActionSchemas {
		pages["actions/"+strings.TrimPrefix(name, "xata_")+".md.tmpl"] = a.Schema.Block
	}
	for page, block := range pages {
		src, err := os.ReadFile(filepath.Join("..", "..", "templates", "xata", page))
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		for _, want := range []string{block.Description + "\n", schemaMarkdown(t, block)} {
			if !strings.Contains(string(src), want) {
				t.Errorf("templates/xata/%s does not say what the schema says; it should contain:\n\n%s", page, want)
			}
		}
	}
}

// schemaMarkdown renders a block's attributes as tfplugindocs does.
func schemaMarkdown(t *testing.T, block *tfprotov6.SchemaBlock) string {
	t.Helper()
	sections := map[string][]string{}
	for _, a := range block.Attributes {
		if !a.Type.Is(tftypes.String) {
			t.Fatalf("%s: only string attributes are rendered here", a.Name)
		}
		section := "Optional"
		if a.Required {
			section = "Required"
		}
		sections[section] = append(sections[section], fmt.Sprintf("- `%s` (String) %s", a.Name, a.Description))
	}
	out := "## Schema\n"
	for _, section := range []string{"Required", "Optional"} {
		if lines := sections[section]; len(lines) > 0 {
			slices.Sort(lines)
			out += "\n### " + section + "\n\n" + strings.Join(lines, "\n") + "\n"
		}
	}
	return out
}

// An import that names nothing (terraform import <address> ”) is refused
// saying what to give, not with a conversion error blamed on the provider,
// for every resource type; so is an organization-scoped id with an empty
// half.
func TestProtocolImportOfNothing(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	p := newProtoProvider(t, env)
	if len(p.schema.ResourceSchemas) < 4 {
		t.Fatalf("only %d resource types to check", len(p.schema.ResourceSchemas))
	}
	importing := func(typ, id string) []*tfprotov6.Diagnostic {
		resp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typ, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}
	for typ := range p.schema.ResourceSchemas {
		diags := importing(typ, "")
		if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError ||
			!strings.HasPrefix(diags[0].Summary, "Missing ") || !strings.HasSuffix(diags[0].Summary, " Import ID") ||
			!strings.Contains(diags[0].Detail, "terraform import "+typ) {
			t.Errorf("%s: importing nothing gives %v, want one \"Missing … Import ID\" error with an example", typ, diags)
		}
	}
	for typ, summary := range map[string]string{"xata_project": "Invalid Xata Project Import ID", "xata_api_key": "Invalid Xata API Key Import ID"} {
		for _, id := range []string{"/x", "org/"} {
			wantError(t, importing(typ, id), summary)
		}
	}
}
