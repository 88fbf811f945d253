package xata

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchDataSource looks a branch up by name and by id, and refuses
// a name that matches nothing.
func TestAccBranchDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
data "xata_branch" "by_name" {
  name       = %q
  depends_on = [xata_branch.main]
}
`, env.Name("main")) + `
data "xata_branch" "by_id" {
  id = xata_branch.main.id
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.xata_branch.by_name", tfjsonpath.New("id"), "xata_branch.main", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.xata_branch.by_id", tfjsonpath.New("name"), "xata_branch.main", tfjsonpath.New("name"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.xata_branch.by_id", tfjsonpath.New("connection_string"), "xata_branch.main", tfjsonpath.New("connection_string"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.xata_branch.by_name", tfjsonpath.New("status"), knownvalue.StringExact("STATUS_TYPE_HEALTHY")),
					statecheck.ExpectKnownValue("data.xata_branch.by_name", tfjsonpath.New("parent_id"), knownvalue.Null()),
				},
			},
			{
				Config: env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
data "xata_branch" "missing" {
  name = %q
}
`, env.Name("Main")),
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Data Source: Branch Not Found.*"` + regexp.QuoteMeta(env.Name("Main")) + `"`),
			},
		},
	})
}

// TestAccBranchDataSource_needsOneOfIDAndName is refused at validation.
func TestAccBranchDataSource_needsOneOfIDAndName(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "refused at validation, before any API call")
	for name, body := range map[string]string{
		"both":    `id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"` + "\n" + `name = "main"`,
		"neither": ``,
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(t),
				Steps: []resource.TestStep{{
					Config: `
provider "xata" {
  base_url = "http://127.0.0.1:9"
  api_key  = "xau_test"
}
data "xata_branch" "b" {
` + body + `
}
`,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)(Invalid Attribute Combination|Missing Attribute Configuration).*Exactly one of these attributes must be configured: \[id,name\]`),
				}},
			})
		})
	}
}

// TestAccBranchLookups_sayWhyTheyWereRefused: every lookup by name (data
// source, ephemeral resource, parent of a new branch, import) reports why
// the API refused it, never "not found": an unknown key (401) names
// XATA_API_KEY; an organization the key cannot see (403) names the ids to
// check first, not the key.
func TestAccBranchLookups_sayWhyTheyWereRefused(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	main, child := env.Name("main"), env.Name("child")
	provider := func(key, org string) string {
		return fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = %q
  project_id      = %q
}
`, env.URL(), key, org, env.ProjectID())
	}
	for why, tc := range map[string]struct {
		provider, importID string
		want               *regexp.Regexp
	}{
		"unknown key": {provider("xau_not_a_key_this_emulator_knows", env.OrganizationID()), main,
			regexp.MustCompile(`(?s)API Key Refused.*XATA_API_KEY`)},
		"organization the key cannot see": {provider(env.APIKey(), "nosuch"), "nosuch/" + env.ProjectID() + "/" + main,
			phrases("Access Denied", "organization nosuch", "Check the ids first")},
	} {
		for what, body := range map[string]string{
			"data source": fmt.Sprintf(`data "xata_branch" "b" {
  name = %q
}`, main),
			"ephemeral resource": fmt.Sprintf(`ephemeral "xata_branch_credentials" "b" {
  branch_name = %q
}`, main),
			"parent of a new branch": fmt.Sprintf(`resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
}`, child, main),
			"a new root branch": env.RootHCL("b", "root", ""),
		} {
			t.Run(why+"/"+what, func(t *testing.T) {
				if why != "unknown key" && what == "a new root branch" {
					t.Skip("a root branch's plan tolerates a 403 from the catalogue (the key may lack org:read); its create reports it")
				}
				var checks []tfversion.TerraformVersionCheck
				if what == "ephemeral resource" {
					checks = ephemeralResources
				}
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   checks,
					ProtoV6ProviderFactories: env.Factories(t),
					Steps:                    []resource.TestStep{{Config: tc.provider + body, ExpectError: tc.want}},
				})
			})
		}
		t.Run(why+"/import", func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				Steps: []resource.TestStep{{
					Config: tc.provider + fmt.Sprintf(`resource "xata_branch" "b" {
  name        = %q
  parent_name = "x"
}`, main),
					ResourceName:  "xata_branch.b",
					ImportState:   true,
					ImportStateId: tc.importID,
					ExpectError:   tc.want,
				}},
			})
		})
	}
}
