package xata

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccBranchResource_importGeneratedConfig: `import {}` with
// `terraform plan -generate-config-out` writes configuration for a root
// and a child branch that plans with no changes (a child's generated
// region and image repeat what it inherits and must be accepted).
func TestAccBranchResource_importGeneratedConfig(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	config := env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
resource "xata_branch" "child" {
  name          = %q
  parent_name   = xata_branch.main.name
  description   = "Generated config"
  replicas      = 1
  scale_to_zero = { enabled = true, inactivity_period_minutes = 45 }
}
`, env.Name("child"))
	imported := func(address string) resource.TestStep {
		return resource.TestStep{
			Config:          config,
			ResourceName:    address,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			GenerateConfig:  true,
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{Config: config},
			imported("xata_branch.child"),
			imported("xata_branch.main"),
		},
	})
}

// TestAccBranchResource_importWithParentName: a configuration that names
// the parent by parent_name plans clean right after an import, by id or
// by name, with an import block or the command: the import records the
// parent's name.
func TestAccBranchResource_importWithParentName(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	child := "xata_branch.child"
	config := env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
resource "xata_branch" "child" {
  name        = %q
  parent_name = xata_branch.main.name
}
`, env.Name("child"))
	cleanAfterImport := resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{Config: env.ProviderBlock() + env.MainHCL()},
			{
				// A child made outside Terraform, imported by name.
				PreConfig: func() {
					b, err := env.API.CreateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), xataapi.CreateBranchRequest{
						Name: env.Name("child"), Mode: xataapi.ModeInherit, ParentID: env.BranchID(t, env.Name("main")),
					})
					if err != nil {
						t.Fatalf("creating the child outside Terraform: %v", err)
					}
					env.Settle(t, b.ID, xataapi.TargetHealthy)
				},
				Config:             config,
				ResourceName:       child,
				ImportState:        true,
				ImportStateId:      env.Name("child"),
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					// The persisted import's state holds main too, in no set order.
					for _, s := range states {
						if s.Attributes["name"] != env.Name("child") {
							continue
						}
						if got := s.Attributes["parent_name"]; got != env.Name("main") {
							return fmt.Errorf("the import recorded parent_name %q, want %q", got, env.Name("main"))
						}
						return nil
					}
					return fmt.Errorf("the import's state holds no branch %q", env.Name("child"))
				},
			},
			cleanAfterImport,
			{
				// An import block's plan (by id) must be the import alone, no update.
				Config:          config,
				ResourceName:    child,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

// TestAccBranchResource_parentIDAndName: parent_id and parent_name
// together are accepted when they name the same branch (generated import
// configuration writes both) and refused at plan time when they do not.
func TestAccBranchResource_parentIDAndName(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	env.SeedRoot(t, "other")
	config := func(parentName string) string {
		return env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
resource "xata_branch" "child" {
  name        = %q
  parent_id   = xata_branch.main.id
  parent_name = %q
}
`, env.Name("child"), env.Name(parentName))
	}
	listsSoFar := func() int {
		if env.Emu == nil {
			return 0
		}
		return env.Emu.Stats().ByRequest["GET /organizations/"+env.OrganizationID()+"/projects/"+env.ProjectID()+"/branches"]
	}
	var lists int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("other"),
		Steps: []resource.TestStep{
			{Config: env.ProviderBlock() + env.MainHCL()},
			{
				Config:      config("other"),
				ExpectError: regexp.MustCompile(`(?s)Xata Parent Attributes Disagree.*parent_name "` + regexp.QuoteMeta(env.Name("other")) + `" is branch`),
			},
			{
				PreConfig: func() { lists = listsSoFar() },
				Config:    config("main"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("xata_branch.child", tfjsonpath.New("parent_id"), "xata_branch.main", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("xata_branch.child", tfjsonpath.New("parent_name"), knownvalue.StringExact(env.Name("main"))),
				},
				// Each of Terraform's two plans lists once to check the pair;
				// the create then takes parent_id without listing again.
				Check: func(*terraform.State) error {
					if n := listsSoFar() - lists; env.Emu != nil && n != 2 {
						return fmt.Errorf("planning and creating the child listed the branches %d times, want 2", n)
					}
					return nil
				},
			},
			{
				Config:           config("main"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
