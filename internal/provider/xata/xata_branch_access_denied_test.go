package xata

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_accessDenied: a key the API denies (403) is named
// as the thing to check, by what it lacks: a create without branch:write
// creates nothing; a create with a key limited to a list of branches makes
// a branch the key cannot read, which is recorded as tainted and replaced
// by the next apply with a key that can.
func TestAccBranchResource_accessDenied(t *testing.T) {
	acctest.RequireEmulator(t, "mints restricted keys")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	mainID := env.SeedRoot(t, "main")
	readOnly := env.Emu.CreateRestrictedAPIKey(env.OrganizationID(), xataemu.APIKeySpec{Scopes: []string{"branch:read"}})
	onlyMain := env.Emu.CreateRestrictedAPIKey(env.OrganizationID(), xataemu.APIKeySpec{Branches: []string{mainID}})
	with := func(key string) string { return strings.Replace(env.ProviderBlock(), env.APIKey(), key, 1) }
	child := `
resource "xata_branch" "pr" {
  name        = "pr"
  parent_name = "main"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps: []resource.TestStep{
			{
				Config:      with(readOnly) + child,
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Creation Failed.*HTTP 403.*nothing was created.*branch:write`),
			},
			{
				Config:      with(onlyMain) + child,
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Created But Not Readable.*branches are\s+all.*tainted`),
			},
			{
				Config: env.ProviderBlock() + child,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xata_branch.pr", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
