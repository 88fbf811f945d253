package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// branchIdentity checks the identity of a branch in the emulator's
// organization and project.
func (e *testEnv) branchIdentity(address string, id knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectIdentity(address, map[string]knownvalue.Check{
		"organization_id": knownvalue.StringExact(e.OrganizationID()),
		"project_id":      knownvalue.StringExact(e.ProjectID()),
		"id":              id,
	})
}

// TestAccBranchResource_identity: a branch's identity is recorded on
// create, is the same after an in-place update (a rename), and an import
// block with that identity imports root and child with no changes to plan.
// Identities need Terraform 1.12+ (OpenTofu 1.12+ imports by identity too).
func TestAccBranchResource_identity(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	child := func(name, description string) string {
		return env.providerBlock() + env.mainHCL() + fmt.Sprintf(`
resource "xata_branch" "pr" {
  name        = %q
  parent_id   = xata_branch.main.id # as imported state has it
  description = %q
}
`, env.name(name), description)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	identityChecks := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			env.branchIdentity("xata_branch.pr", knownvalue.StringRegexp(branchIDRegexp)),
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
		ProtoV6ProviderFactories: env.factories(t),
		CheckDestroy:             env.checkNoBranches(),
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
	env := newTestEnv(t, false, withProvisionDelay(-1))
	t.Parallel()
	createdID := env.seedRoot(t, "seeded")
	seeded := env.name("seeded")
	importing := func(id string) string {
		return env.providerBlock() + fmt.Sprintf(`
import {
  to       = xata_branch.seeded
  identity = { id = %q }
}
`, id) + env.rootHCL("seeded", "seeded", "")
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.factories(t),
		CheckDestroy:             env.checkNoBranches(),
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
					env.branchIdentity("xata_branch.seeded", knownvalue.StringExact(createdID)),
					statecheck.ExpectKnownValue("xata_branch.seeded", tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
				},
			},
		},
	})
}

// TestAccResourcePlugin_identity: a plugin's identity is the provider's
// organization, its name and its version (0.0.0 when published bare); an
// import block with an identity (and provider = xata, as for every
// signadot_* type) imports it with no changes. An identity from another
// organization is refused, and so is a refresh after signadot_org changed
// under a recorded plugin: it would read, and destroy, another plugin.
func TestAccResourcePlugin_identity(t *testing.T) {
	env := newSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	config := env.providerBlock() + fmt.Sprintf(versionedPlugin, "1.0.0")
	identity := func(version string) statecheck.StateCheck {
		return statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"org": knownvalue.StringExact(env.emu.Org()), "name": knownvalue.StringExact("echo"), "version": knownvalue.StringExact(version),
		})
	}
	importing := func(identity string) string {
		return config + `
import {
  provider = xata
  to       = signadot_resource_plugin.p
  identity = ` + identity + `
}
`
	}
	imported := func(identity string) resource.TestStep {
		return resource.TestStep{
			Config:                 importing(identity),
			ResourceName:           addr,
			ImportState:            true,
			ImportStateKind:        resource.ImportBlockWithResourceIdentity,
			ImportStateConfigExact: true,
		}
	}
	otherOrg := strings.Replace(env.providerBlock(), env.emu.Org(), "elsewhere", 1)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testFactories(t),
		CheckDestroy:             env.checkNoPlugins,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{identity("1.0.0")}},
			imported(`{ name = "echo", version = "1.0.0" }`),
			imported(fmt.Sprintf(`{ name = "echo", version = "1.0.0", org = %q }`, env.emu.Org())),
			{
				Config:       importing(`{ name = "echo", version = "1.0.0", org = "elsewhere" }`),
				ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, ImportStateConfigExact: true,
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin Import From Another Organization.*"elsewhere"`),
			},
			{
				Config:      otherOrg + fmt.Sprintf(versionedPlugin, "1.0.0"),
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin In Another Organization.*echo@1.0.0.*"` + env.emu.Org() + `".*"elsewhere"`),
			},
			// Back in its organization it still refreshes and destroys.
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{identity("1.0.0")}},
		},
	})
}

// TestAccResourcePlugin_identityBare: a plugin published without a
// version has version 0.0.0 in its identity, and an identity without a
// version imports it.
func TestAccResourcePlugin_identityBare(t *testing.T) {
	env := newSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	config := env.providerBlock() + strings.Replace(fmt.Sprintf(versionedPlugin, "x"), `version  = "x"`, ``, 1)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testFactories(t),
		CheckDestroy:             env.checkNoPlugins,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentityValue(addr, tfjsonpath.New("version"), knownvalue.StringExact("0.0.0")),
			}},
			{
				Config: config + `
import {
  provider = xata
  to       = signadot_resource_plugin.p
  identity = { name = "echo" }
}
`,
				ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, ImportStateConfigExact: true,
			},
		},
	})
}
