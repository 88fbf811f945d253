package xata

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_providerProjectMovedClass: a branch that takes its
// project from the provider is replaced when the provider's project_id
// changes, with the resource's configuration untouched: the API cannot
// move a branch, and an in-place plan would leave it in the old project
// while state claimed the new one. (The organization is decided the same
// way; the emulator's keys reach one organization each, so only the
// project is moved here.)
func TestAccBranchResource_providerProjectMovedClass(t *testing.T) {
	acctest.RequireEmulator(t, "a second project")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	second := env.Emu.CreateProject(env.OrganizationID(), "second")
	moved := strings.Replace(env.ProviderBlock(), fmt.Sprintf("%q", env.ProjectID()), fmt.Sprintf("%q", second), 1)
	ids := statecheck.CompareValue(compare.ValuesDiffer())
	addr := "xata_branch.main"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			for _, project := range []string{env.ProjectID(), second} {
				if left, _ := env.API.ListBranches(context.Background(), env.OrganizationID(), project); len(left) > 0 {
					return fmt.Errorf("destroy left %d branches in project %s", len(left), project)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:            env.ProviderBlock() + env.MainHCL(),
				ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				Config: moved + env.MainHCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					ids.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("project_id"), knownvalue.StringExact(second)),
				},
			},
		},
	})
}
