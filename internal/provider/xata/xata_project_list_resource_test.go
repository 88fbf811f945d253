package xata

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccProjectListResource_query: terraform query lists the projects a
// name_regex keeps, by identity, with the project as xata_project reads it
// when asked, and refuses a regex that does not compile.
func TestAccProjectListResource_query(t *testing.T) {
	acctest.RequireEmulator(t, "creates projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	ids := map[string]string{}
	for _, name := range []string{"team-a", "team-b", "other"} {
		p, err := env.API.CreateProject(context.Background(), env.OrganizationID(), xataapi.ProjectRequest{Name: new(name)})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = p.ID
	}
	identity := func(name string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"organization_id": knownvalue.StringExact(env.OrganizationID()),
			"id":              knownvalue.StringExact(ids[name]),
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114("terraform query"),
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{Config: env.ProviderBlock() + `data "xata_regions" "any" {}`},
			{
				Query: true,
				Config: `
list "xata_project" "teams" {
  provider         = xata
  include_resource = true
  config {
    name_regex = "^team-"
  }
}

list "xata_project" "first" {
  provider = xata
  limit    = 1
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("xata_project.teams", 2),
					querycheck.ExpectIdentity("xata_project.teams", identity("team-a")),
					querycheck.ExpectIdentity("xata_project.teams", identity("team-b")),
					querycheck.ExpectResourceDisplayName("xata_project.teams", queryfilter.ByResourceIdentity(identity("team-b")), knownvalue.StringExact("team-b")),
					querycheck.ExpectResourceKnownValues("xata_project.teams", queryfilter.ByResourceIdentity(identity("team-a")), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("team-a")},
						{Path: tfjsonpath.New("organization_id"), KnownValue: knownvalue.StringExact(env.OrganizationID())},
						{Path: tfjsonpath.New("scale_to_zero").AtMapKey("base_branches").AtMapKey("inactivity_period_minutes"), KnownValue: knownvalue.Int64Exact(30)},
					}),
					querycheck.ExpectLength("xata_project.first", 1),
				},
			},
			{
				Query: true,
				Config: `
list "xata_project" "bad" {
  provider = xata
  config {
    name_regex = "team-("
  }
}
`,
				ExpectError: regexp.MustCompile(`Invalid Xata Project Name Regex`),
			},
		},
	})
}

// TestAccProjectListResource_example runs the docs' example as written.
func TestAccProjectListResource_example(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "runs the docs' example as written against projects it makes")
	requireTerraform114(t, "terraform query")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	w := exampleWorkdir(t, env, "list-resources/xata_project")
	team, err := env.API.CreateProject(context.Background(), env.OrganizationID(), xataapi.ProjectRequest{Name: new("team-web")})
	if err != nil {
		t.Fatal(err)
	}
	out := w.run("query")
	if !regexp.MustCompile(`list\.xata_project\.teams\s+id=` + team.ID + `,.*team-web`).MatchString(out) {
		t.Errorf("the query should list team-web:\n%s", out)
	}
	if strings.Contains(out, env.ProjectID()) {
		t.Errorf("the query listed the emulator's default project, whose name does not start with team-:\n%s", out)
	}
}
