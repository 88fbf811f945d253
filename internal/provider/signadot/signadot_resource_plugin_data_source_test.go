package signadot

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// TestAccResourcePluginDataSource reads the latest version and a pinned
// one, lists the sandbox using it, and names a missing plugin.
func TestAccResourcePluginDataSource(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	ctx := context.Background()
	client := env.Client(t)
	plugin := env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.0.0")
	lookups := `
data "signadot_resource_plugin" "latest" {
  provider   = xata
  name       = "echo"
  depends_on = [signadot_resource_plugin.p]
}

data "signadot_resource_plugin" "pinned" {
  provider   = xata
  name       = "echo"
  version    = "1.0.0"
  depends_on = [signadot_resource_plugin.p]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: plugin,
				Check: func(*terraform.State) error {
					if _, err := client.PutSandbox(ctx, signadotapi.Sandbox{Name: "pr-9", Spec: signadotapi.SandboxSpec{
						Cluster:   "local",
						Resources: []signadotapi.SandboxResource{{Name: "thing", Plugin: "echo"}},
					}}); err != nil {
						return err
					}
					_, err := client.WaitSandboxReady(ctx, "pr-9", 50*time.Millisecond)
					return err
				},
			},
			{
				Config: plugin + lookups,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.signadot_resource_plugin.latest", tfjsonpath.New("id"), "signadot_resource_plugin.p", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.signadot_resource_plugin.latest", tfjsonpath.New("version"), knownvalue.StringExact("1.0.0")),
					statecheck.ExpectKnownValue("data.signadot_resource_plugin.pinned", tfjsonpath.New("output_keys"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("make.name")})),
					statecheck.ExpectKnownValue("data.signadot_resource_plugin.pinned", tfjsonpath.New("sandboxes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"sandbox": knownvalue.StringExact("pr-9"), "resource": knownvalue.StringExact("thing"), "cluster": knownvalue.StringExact("local"),
						}),
					})),
				},
			},
			{
				Config: plugin + `
data "signadot_resource_plugin" "missing" {
  provider = xata
  name     = "nope"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin Not Found.*signadot resourceplugin\s+versions nope`),
			},
			{
				PreConfig: func() {
					if err := client.DeleteSandbox(ctx, "pr-9"); err != nil {
						t.Fatal(err)
					}
					if err := client.WaitSandboxGone(ctx, "pr-9", 50*time.Millisecond); err != nil {
						t.Fatal(err)
					}
				},
				Config: plugin,
			},
		},
	})
}
