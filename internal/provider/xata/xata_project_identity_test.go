package xata

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccProjectResource_identity: a project's identity (organization and
// id) is recorded on create, survives a rename, and an import block with
// it imports the project with nothing to change.
func TestAccProjectResource_identity(t *testing.T) {
	acctest.RequireEmulator(t, "creates and deletes projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	named := func(name string) string {
		return env.ProviderBlock() + `resource "xata_project" "p" { name = "` + name + `" }`
	}
	identity := []statecheck.StateCheck{
		statecheck.ExpectIdentity("xata_project.p", map[string]knownvalue.Check{
			"organization_id": knownvalue.StringExact(env.OrganizationID()),
			"id":              knownvalue.StringRegexp(projectIDRegexp),
		}),
		statecheck.ExpectIdentityValueMatchesState("xata_project.p", tfjsonpath.New("id")),
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoProjects,
		Steps: []resource.TestStep{
			{Config: named("first"), ConfigStateChecks: identity},
			{
				Config: named("second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xata_project.p", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: identity,
			},
			{
				Config:          named("second"),
				ResourceName:    "xata_project.p",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}
