package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// TestAccBranchResource_importGeneratedConfig: `import {}` with
// `terraform plan -generate-config-out` writes configuration for a root
// and a child branch that plans with no changes (a child's generated
// region and image repeat what it inherits and must be accepted).
func TestAccBranchResource_importGeneratedConfig(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	config := env.providerBlock() + env.mainHCL() + fmt.Sprintf(`
resource "xata_branch" "child" {
  name          = %q
  parent_name   = xata_branch.main.name
  description   = "Generated config"
  replicas      = 1
  scale_to_zero = { enabled = true, inactivity_period_minutes = 45 }
}
`, env.name("child"))
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
		ProtoV6ProviderFactories: env.factories(t),
		CheckDestroy:             env.checkNoBranches(),
		Steps: []resource.TestStep{
			{Config: config},
			imported("xata_branch.child"),
			imported("xata_branch.main"),
		},
	})
}
