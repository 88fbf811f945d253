package signadot

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccResourcePlugin_importGeneratedConfig: an import block (which
// must name provider = xata, as signadot_* types are not the default
// provider's) with -generate-config-out writes configuration for the
// tutorial's plugin and for a versioned one that plans with no changes.
func TestAccResourcePlugin_importGeneratedConfig(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	config := env.ProviderBlock() + tutorialPlugin(tutorialOverlay, "echo provisioning") + fmtVersioned("1.2.0")
	// The framework imports into <type>.generated and compares with the
	// resource of ResourceName.
	imported := func(address, id string) resource.TestStep {
		return resource.TestStep{
			Config: config + `
import {
  provider = xata
  to       = signadot_resource_plugin.generated
  id       = "` + id + `"
}
`,
			ResourceName:           address,
			ImportStateId:          id,
			ImportState:            true,
			ImportStateKind:        resource.ImportBlockWithID,
			ImportStateConfigExact: true,
			GenerateConfig:         true,
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   importBlockWithProvider,
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{Config: config},
			imported("signadot_resource_plugin.xata_branch", "xata-branch"),
			imported("signadot_resource_plugin.p", "echo@1.2.0"),
		},
	})
}

// importBlockWithProvider skips a test with an import block of a
// signadot_* type on Terraform before 1.7: the import block's provider =
// xata notwithstanding, older ones look for hashicorp/signadot and fail.
var importBlockWithProvider = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)}

func fmtVersioned(version string) string {
	return strings.Replace(versionedPlugin, "%q", `"`+version+`"`, 1)
}
