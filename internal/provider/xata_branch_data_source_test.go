package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccBranchDataSource looks a branch up by name and by id, and refuses
// a name that matches nothing.
func TestAccBranchDataSource(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(t),
		CheckDestroy:             env.checkNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: env.providerBlock() + env.mainHCL() + fmt.Sprintf(`
data "xata_branch" "by_name" {
  name       = %q
  depends_on = [xata_branch.main]
}
`, env.name("main")) + `
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
				Config: env.providerBlock() + env.mainHCL() + fmt.Sprintf(`
data "xata_branch" "missing" {
  name = %q
}
`, env.name("Main")),
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Data Source: Branch Not Found.*"` + regexp.QuoteMeta(env.name("Main")) + `"`),
			},
		},
	})
}

// TestAccBranchDataSource_needsOneOfIDAndName is refused at validation.
func TestAccBranchDataSource_needsOneOfIDAndName(t *testing.T) {
	skipAgainstEndpoint(t, "refused at validation, before any API call")
	for name, body := range map[string]string{
		"both":    `id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"` + "\n" + `name = "main"`,
		"neither": ``,
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testFactories(t),
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

// TestAccBranchLookups_refusedKeyIsNotNotFound: every lookup by name (data
// source, ephemeral resource, parent of a new branch, import) reports a
// refused API key as such, naming XATA_API_KEY, never as "not found".
func TestAccBranchLookups_refusedKeyIsNotNotFound(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	badProvider := fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = "xau_not_a_key_this_emulator_knows"
  organization_id = %q
  project_id      = %q
}
`, env.URL(), env.OrganizationID(), env.ProjectID())
	refused := regexp.MustCompile(`(?s)API Key Refused.*XATA_API_KEY`)
	main, child := env.name("main"), env.name("child")
	for name, body := range map[string]string{
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
		"a new root branch": env.rootHCL("b", "root", ""),
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(t),
				Steps:                    []resource.TestStep{{Config: badProvider + body, ExpectError: refused}},
			})
		})
	}
	t.Run("import", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.factories(t),
			Steps: []resource.TestStep{{
				Config: badProvider + fmt.Sprintf(`resource "xata_branch" "b" {
  name        = %q
  parent_name = "x"
}`, main),
				ResourceName:  "xata_branch.b",
				ImportState:   true,
				ImportStateId: main,
				ExpectError:   refused,
			}},
		})
	})
}

// TestAccBranchLookups_unknownOrganizationIsAccessDenied: the API answers
// 403 for an organization the key cannot see; every lookup names the ids
// to check first, not the key.
func TestAccBranchLookups_unknownOrganizationIsAccessDenied(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	elsewhere := fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = "nosuch"
  project_id      = %q
}
`, env.URL(), env.APIKey(), env.ProjectID())
	denied := phrases("Access Denied", "organization nosuch", "Check the ids first")
	main, child := env.name("main"), env.name("child")
	for name, body := range map[string]string{
		"data source": fmt.Sprintf(`data "xata_branch" "b" {
  name = %q
}`, main),
		"parent of a new branch": fmt.Sprintf(`resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
}`, child, main),
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(t),
				Steps:                    []resource.TestStep{{Config: elsewhere + body, ExpectError: denied}},
			})
		})
	}
	t.Run("import of an id naming another organization", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.factories(t),
			Steps: []resource.TestStep{{
				Config: env.providerBlock() + fmt.Sprintf(`resource "xata_branch" "b" {
  name        = %q
  parent_name = "x"
}`, main),
				ResourceName:  "xata_branch.b",
				ImportState:   true,
				ImportStateId: "nosuch/" + env.ProjectID() + "/" + main,
				ExpectError:   denied,
			}},
		})
	})
}
