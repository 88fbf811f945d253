package xata

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccBranchResource_importOtherScopeClass: an import id
// <org>/<project>/<name> that names another project, or another
// organization, than the provider's defaults imports the branch there:
// the state's organization_id and project_id are the id's, and the next
// plan of a configuration naming them is empty. An import that fell back
// to the defaults would find nothing, or plan a replacement.
func TestAccBranchResource_importOtherScopeClass(t *testing.T) {
	acctest.RequireEmulator(t, "a second project and organization")
	cases := []struct {
		name string
		// scope makes the project the branch lives in and returns its
		// organization, project and a key that reaches it.
		scope func(env *acctest.Env) (org, project, key string)
	}{
		{"another project", func(env *acctest.Env) (string, string, string) {
			return env.OrganizationID(), env.Emu.CreateProject(env.OrganizationID(), "second"), env.APIKey()
		}},
		{"another organization", func(env *acctest.Env) (string, string, string) {
			org := env.Emu.CreateOrganization("second")
			return org, env.Emu.CreateProject(org, "second"), env.Emu.CreateAPIKey(org)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
			t.Parallel()
			org, project, key := tc.scope(env)
			// The key reaches the branch's organization; the provider's
			// defaults stay the emulator's first organization and project.
			env.UseAPIKey(key)
			api := env.NewClient(t)
			if _, err := api.CreateBranch(context.Background(), org, project, xataapi.CreateBranchRequest{
				Name: "elsewhere", Mode: xataapi.ModeCustom,
				Configuration: &xataapi.ClusterConfiguration{Region: env.Region, InstanceType: env.InstanceType, Image: env.Image},
			}); err != nil {
				t.Fatalf("creating the branch to import: %v", err)
			}
			config := env.ProviderBlock() + env.RootHCL("b", "elsewhere",
				fmt.Sprintf("  organization_id = %q\n  project_id      = %q\n", org, project))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				CheckDestroy: func(*terraform.State) error {
					if left, _ := api.ListBranches(context.Background(), org, project); len(left) > 0 {
						return fmt.Errorf("destroy left %d branches in %s/%s", len(left), org, project)
					}
					return nil
				},
				Steps: []resource.TestStep{
					{
						Config:             config,
						ResourceName:       "xata_branch.b",
						ImportState:        true,
						ImportStateId:      org + "/" + project + "/elsewhere",
						ImportStatePersist: true,
						ImportStateCheck: func(states []*terraform.InstanceState) error {
							a := states[0].Attributes
							if a["organization_id"] != org || a["project_id"] != project || a["name"] != "elsewhere" {
								return fmt.Errorf("imported %s/%s/%s, want %s/%s/elsewhere", a["organization_id"], a["project_id"], a["name"], org, project)
							}
							return nil
						},
					},
					{
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}
