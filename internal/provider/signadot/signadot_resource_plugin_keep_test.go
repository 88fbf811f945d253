package signadot

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// keptPlugin is a versioned plugin with create_before_destroy; the %s are
// the version, a line of its create step (the change a bump carries), and
// keep_in_use_on_destroy (true, false or null).
const keptPlugin = `
resource "signadot_resource_plugin" "p" {
  provider = xata
  name     = "echo"
  version  = %q
  runner   = { image = "debian:bookworm-slim" }
  create = [{
    name    = "make"
    script  = "#!/bin/bash\n%s\nmkdir -p /outputs && echo -n $SIGNADOT_SANDBOX_NAME > /outputs/name\n"
    outputs = [{ name = "name", value_from_path = "/outputs/name" }]
  }]
  keep_in_use_on_destroy = %s
  lifecycle {
    create_before_destroy = true
  }
}
`

const keptWarning = "Signadot Resource Plugin Version Left To Its Sandboxes"

// useSandbox creates a sandbox with one resource of plugin (as a sandbox
// names it: bare, or name@version) and waits until it is ready.
func useSandbox(ctx context.Context, client *signadotapi.Client, sandbox, plugin string) error {
	_, err := client.PutSandbox(ctx, signadotapi.Sandbox{Name: sandbox, Spec: signadotapi.SandboxSpec{
		Cluster:   "local",
		Resources: []signadotapi.SandboxResource{{Name: "thing", Plugin: plugin}},
	}})
	if err != nil {
		return err
	}
	_, err = client.WaitSandboxReady(ctx, sandbox, 50*time.Millisecond)
	return err
}

func dropSandbox(t *testing.T, client *signadotapi.Client, sandbox string) {
	t.Helper()
	ctx := context.Background()
	if err := client.DeleteSandbox(ctx, sandbox); err != nil {
		t.Fatal(err)
	}
	if err := client.WaitSandboxGone(ctx, sandbox, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

// onlyCurrent fails if the resource has deposed objects in state: a
// replaced version whose delete failed is kept there as deposed.
func onlyCurrent(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		if len(rs.Deposed) > 0 {
			return fmt.Errorf("%s has %d deposed object(s) in state, want none", addr, len(rs.Deposed))
		}
		return nil
	}
}

func wantPlugins(t *testing.T, emu *signadotemu.Emulator, when string, want ...string) {
	t.Helper()
	if got := emu.Plugins(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s the emulator holds %v, want %v", when, got, want)
	}
}

// TestAccResourcePlugin_bumpKeepsVersionInUse is the tutorial's bump: a
// sandbox resolved echo (to 1.0.0); changing a step and bumping to 1.1.0
// with keep_in_use_on_destroy publishes 1.1.0, leaves 1.0.0 to the sandbox
// with a warning naming it, and the apply succeeds with only 1.1.0 in
// state. Once the sandbox is gone, the kept version can be deleted.
func TestAccResourcePlugin_bumpKeepsVersionInUse(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	client := env.Client(t)
	ctx := context.Background()
	rec := &acctest.WarningRecorder{}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.0.0", "echo one", "true"),
				// Without a version, as the tutorial's sandbox names it: it
				// resolves to the highest version, now 1.0.0, and pins it.
				Check: func(*terraform.State) error { return useSandbox(ctx, client, "pr-7", "echo") },
			},
			{
				PreConfig: func() { rec.Take() },
				Config:    env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.1.0", "echo two", "true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("echo@1.1.0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.StringExact("1.1.0")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(onlyCurrent(addr), func(*terraform.State) error {
					wantPlugins(t, env.Emu, "after the bump", "echo@1.0.0", "echo@1.1.0")
					warnings := rec.Take("ApplyResourceChange")
					if len(warnings) != 1 {
						t.Fatalf("want one warning from the apply, got %d: %q", len(warnings), warnings)
					}
					w := warnings[0]
					for _, want := range []string{keptWarning, "echo@1.0.0", "pr-7", "signadot resourceplugin delete echo@1.0.0", "terraform import signadot_resource_plugin.<name> echo@1.0.0"} {
						if !strings.Contains(w, want) {
							t.Errorf("the warning does not say %q:\n%s", want, w)
						}
					}
					if strings.Contains(w, "highest published version") {
						t.Errorf("1.1.0 is published, yet the warning says the kept version is the highest:\n%s", w)
					}
					// The sandbox keeps its version and its outputs.
					sb, err := client.GetSandbox(ctx, "pr-7")
					if err != nil {
						return err
					}
					if !sb.Status.Ready || sb.EmulatorResourceOutputs["thing"]["make.name"] != "pr-7" {
						t.Errorf("sandbox pr-7 after the bump: ready %v, outputs %v", sb.Status.Ready, sb.EmulatorResourceOutputs)
					}
					p, err := client.GetResourcePlugin(ctx, "echo", "1.0.0")
					if err != nil {
						return err
					}
					if len(p.Status.Resources) != 1 || p.Status.Resources[0].Sandbox != "pr-7" {
						t.Errorf("echo@1.0.0 is used by %v, want pr-7", p.Status.Resources)
					}
					return nil
				}),
			},
			{
				// The kept version is out of state: nothing to plan. With the
				// sandbox gone, it can be deleted as the warning says.
				PreConfig: func() {
					dropSandbox(t, client, "pr-7")
					if err := client.DeleteResourcePlugin(ctx, "echo", "1.0.0"); err != nil {
						t.Fatalf("deleting the kept version after its sandbox is gone: %v", err)
					}
				},
				Config: env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.1.0", "echo two", "true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					wantPlugins(t, env.Emu, "after deleting the kept version", "echo@1.1.0")
					return nil
				},
			},
		},
	})
}

// TestAccResourcePlugin_bumpInUseFailsWithoutKeep: by default a bump while
// a sandbox uses the old version publishes the new one but fails deleting
// the old, which stays in state (deposed) until its sandbox is gone.
func TestAccResourcePlugin_bumpInUseFailsWithoutKeep(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	client := env.Client(t)
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.0.0", "echo one", "null"),
				Check:  func(*terraform.State) error { return useSandbox(ctx, client, "pr-7", "echo") },
			},
			{
				Config:      env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.1.0", "echo two", "null"),
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin In Use.*echo@1\.0\.0.*pr-7.*keep_in_use_on_destroy`),
			},
			{
				PreConfig: func() {
					wantPlugins(t, env.Emu, "after the refused delete", "echo@1.0.0", "echo@1.1.0")
					dropSandbox(t, client, "pr-7")
				},
				// The deposed 1.0.0 is deleted now.
				Config: env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.1.0", "echo two", "null"),
				Check: resource.ComposeAggregateTestCheckFunc(onlyCurrent(addr), func(*terraform.State) error {
					wantPlugins(t, env.Emu, "after the sandbox was deleted and apply ran again", "echo@1.1.0")
					return nil
				}),
			},
		},
	})
}

// TestAccResourcePlugin_keepInUseOnDestroy: setting the attribute on a
// published version is an in-place change that calls no API; a destroy
// while a sandbox uses the version then leaves it published with a warning
// (it is the highest version, so new sandboxes still get it); once the
// sandbox is gone it imports and destroys.
func TestAccResourcePlugin_keepInUseOnDestroy(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	client := env.Client(t)
	ctx := context.Background()
	rec := &acctest.WarningRecorder{}
	v1 := env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.0.0", "echo one", "null")

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   importBlockWithProvider, // the last step imports with a block
		ProtoV6ProviderFactories: rec.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: v1,
				Check:  func(*terraform.State) error { return useSandbox(ctx, client, "pr-7", "echo@1.0.0") },
			},
			{
				// Every write fails from here to the next step: the change
				// must not reach Signadot.
				PreConfig: func() {
					env.Emu.SetFaults(signadotemu.Faults{Rate: 1, Methods: []string{"PUT", "DELETE"}, Kinds: []signadotemu.FaultKind{signadotemu.FaultServerError}})
				},
				Config: env.ProviderBlock() + fmt.Sprintf(keptPlugin, "1.0.0", "echo one", "true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("keep_in_use_on_destroy"), knownvalue.Bool(true)),
				},
			},
			{
				PreConfig: func() {
					env.Emu.SetFaults(signadotemu.Faults{})
					rec.Take()
				},
				Config: env.ProviderBlock(),
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[addr]; ok {
						t.Errorf("%s is still in state after the destroy", addr)
					}
					wantPlugins(t, env.Emu, "after the destroy", "echo@1.0.0")
					warnings := rec.Take("ApplyResourceChange")
					if len(warnings) != 1 || !strings.Contains(warnings[0], keptWarning) ||
						!strings.Contains(warnings[0], "highest published version") {
						t.Errorf("want one warning %q saying new sandboxes still get the version, got %q", keptWarning, warnings)
					}
					return nil
				},
			},
			{
				// Import it back (same config, so no change) and let
				// CheckDestroy's destroy delete it.
				PreConfig: func() { dropSandbox(t, client, "pr-7") },
				Config:    v1 + "\nimport {\n  to       = " + addr + "\n  id       = \"echo@1.0.0\"\n  provider = xata\n}\n",
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
				},
			},
		},
	})
}
