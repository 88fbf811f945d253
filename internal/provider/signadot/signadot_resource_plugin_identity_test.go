package signadot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccResourcePlugin_identity: a plugin's identity is the provider's
// organization, its name and its version (0.0.0 when published bare); an
// import block with an identity (and provider = xata, as for every
// signadot_* type) imports it with no changes. An identity from another
// organization is refused, and so is a refresh after signadot_org changed
// under a recorded plugin: it would read, and destroy, another plugin.
func TestAccResourcePlugin_identity(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	config := env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.0.0")
	identity := func(version string) statecheck.StateCheck {
		return statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"org": knownvalue.StringExact(env.Emu.Org()), "name": knownvalue.StringExact("echo"), "version": knownvalue.StringExact(version),
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
	otherOrg := strings.Replace(env.ProviderBlock(), env.Emu.Org(), "elsewhere", 1)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{identity("1.0.0")}},
			imported(`{ name = "echo", version = "1.0.0" }`),
			imported(fmt.Sprintf(`{ name = "echo", version = "1.0.0", org = %q }`, env.Emu.Org())),
			{
				Config:       importing(`{ name = "echo", version = "1.0.0", org = "elsewhere" }`),
				ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, ImportStateConfigExact: true,
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin Import From Another Organization.*"elsewhere"`),
			},
			{
				Config:      otherOrg + fmt.Sprintf(versionedPlugin, "1.0.0"),
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin In Another Organization.*echo@1.0.0.*"` + env.Emu.Org() + `".*"elsewhere"`),
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
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	config := env.ProviderBlock() + strings.Replace(fmt.Sprintf(versionedPlugin, "x"), `version  = "x"`, ``, 1)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
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
