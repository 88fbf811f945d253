package xata

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_identity: a branch's identity is recorded on
// create, is the same after an in-place update (a rename), and an import
// block with that identity imports root and child with no changes to plan.
// Identities need Terraform 1.12+ (OpenTofu 1.12+ imports by identity too).
func TestAccBranchResource_identity(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	child := func(name, description string) string {
		return env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
resource "xata_branch" "pr" {
  name        = %q
  parent_id   = xata_branch.main.id # as imported state has it
  description = %q
}
`, env.Name(name), description)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	identityChecks := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			env.BranchIdentity("xata_branch.pr", knownvalue.StringRegexp(branchIDRegexp)),
			statecheck.ExpectIdentityValueMatchesState("xata_branch.pr", tfjsonpath.New("id")),
			statecheck.ExpectIdentityValueMatchesState("xata_branch.main", tfjsonpath.New("id")),
			sameID.AddStateValue("xata_branch.pr", tfjsonpath.New("id")),
		}
	}
	imported := func(address string) resource.TestStep {
		return resource.TestStep{
			Config:          child("pr-1-renamed", "Renamed"),
			ResourceName:    address,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{Config: child("pr-1", "First"), ConfigStateChecks: identityChecks()},
			{
				Config: child("pr-1-renamed", "Renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xata_branch.pr", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: identityChecks(),
			},
			imported("xata_branch.pr"),
			imported("xata_branch.main"),
		},
	})
}

// TestAccBranchResource_importByPartialIdentity: an identity with only
// the id takes organization and project from the provider and records
// them; an identity whose id is a name, or names no branch, is refused.
func TestAccBranchResource_importByPartialIdentity(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	createdID := env.SeedRoot(t, "seeded")
	seeded := env.Name("seeded")
	importing := func(id string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
import {
  to       = xata_branch.seeded
  identity = { id = %q }
}
`, id) + env.RootHCL("seeded", "seeded", "")
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config:      importing(seeded),
				ExpectError: regexp.MustCompile(`(?s)Invalid Xata Branch Import Identity.*"` + regexp.QuoteMeta(seeded) + `".*not a branch id.*id\s+=\s+"<name>"`),
			},
			{
				Config:      importing("k3v9q0m2p8d4r6t1b5n7c0f2a9"),
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Import: Branch Not Found.*"k3v9q0m2p8d4r6t1b5n7c0f2a9"`),
			},
			{
				Config: importing(createdID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xata_branch.seeded", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.BranchIdentity("xata_branch.seeded", knownvalue.StringExact(createdID)),
					statecheck.ExpectKnownValue("xata_branch.seeded", tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
				},
			},
		},
	})
}
