package signadot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	signadotapi "github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// tutorialPluginHCL is the tutorial's xata-branch plugin written as code:
// the same runner, overlay (secrets into env), a create step "provision"
// with input parent-branch from the sandbox and two outputs, and a delete
// step "cleanup". Scripts are stand-ins; %s is the overlay text and %s the
// provision script's body line.
const tutorialPluginHCL = `
resource "signadot_resource_plugin" "xata_branch" {
  provider    = xata
  name        = "xata-branch"
  description = "Creates and deletes Xata database branches for sandbox isolation"

  runner = {
    image                = "debian:bookworm-slim"
    namespace            = "signadot"
    pod_template_overlay = <<-YAML
%s
    YAML
  }

  create = [{
    name = "provision"
    inputs = [{
      name               = "parent-branch"
      value_from_sandbox = true
      as_env             = "PARENT_BRANCH"
    }]
    script = <<-SH
      #!/bin/bash
      set -e
      %s
      mkdir -p /outputs
      echo -n "sb-$SIGNADOT_SANDBOX_NAME" > /outputs/branch-name
      echo -n "postgresql://example/$PARENT_BRANCH" > /outputs/connection-string
    SH
    outputs = [
      { name = "branch-name", value_from_path = "/outputs/branch-name" },
      { name = "connection-string", value_from_path = "/outputs/connection-string" },
    ]
  }]

  delete = [{
    name   = "cleanup"
    script = <<-SH
      #!/bin/bash
      echo "deleting sb-$SIGNADOT_SANDBOX_NAME"
    SH
  }]
}
`

// tutorialOverlay is the tutorial's overlay: four env entries from the
// xata-credentials secret, on a container the tutorial names "runner" (the
// provider warns about that name, and publishes it as written).
const tutorialOverlay = `      spec:
        containers:
          - name: runner
            env:
              - name: XATA_API_KEY
                valueFrom:
                  secretKeyRef:
                    name: xata-credentials
                    key: XATA_API_KEY
              - name: XATA_ORG_ID
                valueFrom:
                  secretKeyRef:
                    name: xata-credentials
                    key: XATA_ORG_ID
              - name: XATA_PROJECT_ID
                valueFrom:
                  secretKeyRef:
                    name: xata-credentials
                    key: XATA_PROJECT_ID
              - name: XATA_DATABASE_NAME
                valueFrom:
                  secretKeyRef:
                    name: xata-credentials
                    key: XATA_DATABASE_NAME`

// The same overlay, reformatted: flow style, other indentation.
const tutorialOverlayReformatted = `      spec:
          containers:
          -   name: runner
              env:
              - {name: XATA_API_KEY, valueFrom: {secretKeyRef: {key: XATA_API_KEY, name: xata-credentials}}}
              - {name: XATA_ORG_ID, valueFrom: {secretKeyRef: {key: XATA_ORG_ID, name: xata-credentials}}}
              - {name: XATA_PROJECT_ID, valueFrom: {secretKeyRef: {key: XATA_PROJECT_ID, name: xata-credentials}}}
              - {name: XATA_DATABASE_NAME, valueFrom: {secretKeyRef: {key: XATA_DATABASE_NAME, name: xata-credentials}}}`

// tutorialApplyBody is what `signadot resourceplugin apply -f` sends for
// the same plugin written as YAML, except for empty lists: the go-sdk
// model sends them as null, which the spec's array type does not allow,
// so the provider leaves them out.
const tutorialApplyBody = `{
  "name": "xata-branch",
  "spec": {
    "description": "Creates and deletes Xata database branches for sandbox isolation",
    "runner": {
      "image": "debian:bookworm-slim",
      "namespace": "signadot",
      "podTemplateOverlay": "spec:\n  containers:\n    - name: runner\n      env:\n        - name: XATA_API_KEY\n          valueFrom:\n            secretKeyRef:\n              name: xata-credentials\n              key: XATA_API_KEY\n        - name: XATA_ORG_ID\n          valueFrom:\n            secretKeyRef:\n              name: xata-credentials\n              key: XATA_ORG_ID\n        - name: XATA_PROJECT_ID\n          valueFrom:\n            secretKeyRef:\n              name: xata-credentials\n              key: XATA_PROJECT_ID\n        - name: XATA_DATABASE_NAME\n          valueFrom:\n            secretKeyRef:\n              name: xata-credentials\n              key: XATA_DATABASE_NAME\n"
    },
    "create": [{
      "name": "provision",
      "inputs": [{"name": "parent-branch", "valueFromSandbox": true, "as": {"env": "PARENT_BRANCH"}}],
      "outputs": [
        {"name": "branch-name", "valueFromPath": "/outputs/branch-name"},
        {"name": "connection-string", "valueFromPath": "/outputs/connection-string"}
      ],
      "script": "#!/bin/bash\nset -e\necho provisioning\nmkdir -p /outputs\necho -n \"sb-$SIGNADOT_SANDBOX_NAME\" > /outputs/branch-name\necho -n \"postgresql://example/$PARENT_BRANCH\" > /outputs/connection-string\n"
    }],
    "delete": [{
      "name": "cleanup",
      "script": "#!/bin/bash\necho \"deleting sb-$SIGNADOT_SANDBOX_NAME\"\n"
    }]
  }
}`

func tutorialPlugin(overlay, line string) string {
	return strings.Replace(strings.Replace(tutorialPluginHCL, "%s", overlay, 1), "%s", line, 1)
}

// TestAccResourcePlugin_tutorial publishes the tutorial's plugin as code,
// checks the body that reached Signadot is what the CLI would send, that
// reformatting the overlay is no change, that a script change replaces the
// plugin, and that it imports.
func TestAccResourcePlugin_tutorial(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.xata_branch"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + tutorialPlugin(tutorialOverlay, "echo provisioning"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						// Known at plan time, so sandboxes can reference them in the same plan.
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("output_keys"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("provision.branch-name"), knownvalue.StringExact("provision.connection-string"),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("xata-branch")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: func(*terraform.State) error {
					return sameJSON(t, env.Emu.LastApplyBody("xata-branch"), tutorialApplyBody)
				},
			},
			{
				Config: env.ProviderBlock() + tutorialPlugin(tutorialOverlayReformatted, "echo provisioning"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "xata-branch",
				ImportStateVerify: true,
			},
			{
				Config: env.ProviderBlock() + tutorialPlugin(tutorialOverlay, "echo provisioning, version two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

func sameJSON(t *testing.T, got []byte, want string) error {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("the emulator received no JSON body (%q): %v", got, err)
		return nil
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body sent to Signadot differs from what the CLI sends\n got: %s\nwant: %s", got, want)
	}
	return nil
}

const versionedPlugin = `
resource "signadot_resource_plugin" "p" {
  provider = xata
  name     = "echo"
  version  = %q
  runner   = { image = "debian:bookworm-slim" }
  create = [{
    name    = "make"
    script  = "#!/bin/bash\nmkdir -p /outputs && echo -n $SIGNADOT_SANDBOX_NAME > /outputs/name\n"
    outputs = [{ name = "name", value_from_path = "/outputs/name" }]
  }]
  lifecycle {
    create_before_destroy = true
  }
}
`

// TestAccResourcePlugin_versionBump: with create_before_destroy a version
// bump publishes the new version before deleting the old one, and a
// versioned plugin imports as name@version.
func TestAccResourcePlugin_versionBump(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.0.0"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("echo@1.0.0")),
				},
			},
			{
				Config: env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.1.0"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("echo@1.1.0")),
				},
				Check: func(*terraform.State) error {
					if got := env.Emu.Plugins(); !reflect.DeepEqual(got, []string{"echo@1.1.0"}) {
						t.Errorf("after the bump the emulator holds %v, want only echo@1.1.0", got)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "echo@1.1.0",
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccResourcePlugin_versionExists: creating a version Signadot already
// publishes fails naming it, with the import command and block written for
// the resource type (the provider is never told the address; Terraform
// prints it above the message), and leaves the published version alone.
func TestAccResourcePlugin_versionExists(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	acctest.SeedExamplePlugin(t, env, "echo@1.0.0")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy: func(*terraform.State) error {
			if got := env.Emu.Plugins(); !reflect.DeepEqual(got, []string{"echo@1.0.0"}) {
				return fmt.Errorf("the emulator holds %v, want the published echo@1.0.0 untouched", got)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.0.0"),
			ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin Version Exists.*with signadot_resource_plugin\.p,` +
				`.*echo@1\.0\.0 is already published.*terraform\s+import\s+signadot_resource_plugin\.<name>\s+echo@1\.0\.0,` +
				`.*address\s+in\s+the\s+"with\s+…"\s+line\s+above.*to\s+=\s+signadot_resource_plugin\.<name>\s+id\s+=\s+"echo@1\.0\.0"`),
		}},
	})
}

// TestAccResourcePlugin_deleteInUse: while a sandbox uses the plugin,
// destroy fails naming the sandbox and the plugin stays in state; once the
// sandbox is gone, destroy succeeds.
func TestAccResourcePlugin_deleteInUse(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.p"
	plugin := env.ProviderBlock() + fmt.Sprintf(versionedPlugin, "1.0.0")
	client := env.Client(t)
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{
				Config: plugin,
				Check: func(*terraform.State) error {
					_, err := client.PutSandbox(ctx, signadotapi.Sandbox{Name: "pr-7", Spec: signadotapi.SandboxSpec{
						Cluster:   "local",
						Resources: []signadotapi.SandboxResource{{Name: "thing", Plugin: "echo@1.0.0"}},
					}})
					if err != nil {
						return err
					}
					_, err = client.WaitSandboxReady(ctx, "pr-7", 50*time.Millisecond)
					return err
				},
			},
			{
				Config:      env.ProviderBlock(),
				ExpectError: regexp.MustCompile(`(?s)Signadot Resource Plugin In Use.*pr-7`),
			},
			{
				PreConfig: func() {
					if err := client.DeleteSandbox(ctx, "pr-7"); err != nil {
						t.Fatal(err)
					}
					if err := client.WaitSandboxGone(ctx, "pr-7", 50*time.Millisecond); err != nil {
						t.Fatal(err)
					}
				},
				Config: env.ProviderBlock(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// Still in state after the refused delete, so destroy is planned again.
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroy)},
				},
			},
		},
	})
}

// TestAccResourcePlugin_validation: each rule the API enforces fails the
// plan with the attribute named, before anything is sent.
func TestAccResourcePlugin_validation(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "refused at plan time, before any API call")
	provider := `
provider "xata" {
  signadot_api_url = "http://127.0.0.1:9"
  signadot_api_key = "test"
  signadot_org     = "test"
}
`
	plugin := func(body string) string {
		if !strings.Contains(body, "runner") {
			body += "\n  runner = { image = \"debian:bookworm-slim\" }"
		}
		return provider + `
resource "signadot_resource_plugin" "p" {
  provider = xata
` + body + `
}`
	}
	step := func(name, inputs, outputs string) string {
		return `{ name = "` + name + `", script = "true", inputs = [` + inputs + `], outputs = [` + outputs + `] }`
	}
	cases := []struct{ name, config, want string }{
		{"name rule", plugin(`name = "9lives"`), `(?s)name.*must start with a letter`},
		{"version not canonical", plugin(`name = "p"
  version = "v1.0"`), `(?s)version.*full semantic version such as 1.0.0`},
		{"description over 255 bytes", plugin(`name = "p"
  description = "` + strings.Repeat("é", 128) + `"`), `(?s)description.*length must be at most 255`},
		{"input with both sources", plugin(`name = "p"
  create = [` + step("a", `{ name = "x", value_from_sandbox = true, value_from_step = { step = "b", output = "o" } }`, ``) + `]`),
			`Invalid Signadot Plugin Input Source`},
		{"input with no source", plugin(`name = "p"
  create = [` + step("a", `{ name = "x" }`, ``) + `]`), `(?s)Invalid Signadot Plugin Input Source.*exactly one place`},
		{"step names unique across create and delete", plugin(`name = "p"
  create = [` + step("a", ``, ``) + `]
  delete = [` + step("a", ``, ``) + `]`), `(?s)Duplicate Signadot Plugin Step Name.*"a" is already used by create\[0\]`},
		{"unknown step", plugin(`name = "p"
  create = [` + step("a", `{ name = "x", value_from_step = { step = "nope", output = "o" } }`, ``) + `]`),
			`(?s)Unknown Signadot Plugin Step.*"nope"`},
		{"unknown output", plugin(`name = "p"
  create = [` + step("a", ``, `{ name = "o", value_from_path = "/o" }`) + `, ` + step("b", `{ name = "x", value_from_step = { step = "a", output = "p" } }`, ``) + `]`),
			`(?s)Unknown Signadot Plugin Step Output.*has no output "p".*outputs are: o`},
		{"create reads delete", plugin(`name = "p"
  create = [` + step("a", `{ name = "x", value_from_step = { step = "d", output = "o" } }`, ``) + `]
  delete = [` + step("d", ``, `{ name = "o", value_from_path = "/o" }`) + `]`), `Create Step Reads A Delete Step`},
		{"cycle", plugin(`name = "p"
  create = [` + step("a", `{ name = "x", value_from_step = { step = "b", output = "o" } }`, `{ name = "o", value_from_path = "/a" }`) + `, ` +
			step("b", `{ name = "y", value_from_step = { step = "a", output = "o" } }`, `{ name = "o", value_from_path = "/b" }`) + `]`),
			`(?s)Signadot Plugin Steps Form A Cycle.*a → b → a`},
		{"empty script", plugin(`name = "p"
  create = [{ name = "a", script = "" }]`), `(?s)Empty Signadot Plugin Step Script.*empty or only whitespace.*#!/bin/bash`},
		{"whitespace script", plugin(`name = "p"
  delete = [{ name = "d", script = "  \n" }]`), `Empty Signadot Plugin Step Script`},
		{"step name with a dot", plugin(`name = "p"
  create = [` + step("make.db", ``, ``) + `]`),
			`(?s)Invalid Signadot Plugin Step Name.*"make.db" is not allowed.*Step names are 1 to 63 letters.*Rename the step`},
		{"step name starting with a digit", plugin(`name = "p"
  delete = [` + step("1cleanup", ``, ``) + `]`), `(?s)Invalid Signadot Plugin Step Name.*"1cleanup"`},
		{"input name with an underscore", plugin(`name = "p"
  create = [` + step("a", `{ name = "parent_branch", value_from_sandbox = true }`, ``) + `]`),
			`(?s)Invalid Signadot Plugin Input Name.*"parent_branch" is not allowed.*such as parent-branch.*Rename the input`},
		{"output name too long", plugin(`name = "p"
  create = [` + step("a", ``, `{ name = "`+strings.Repeat("o", 64)+`", value_from_path = "/o" }`) + `]`),
			`(?s)Invalid Signadot Plugin Output Name.*Output names are 1 to 63.*Rename\s+the output`},
		{"output name ending with a dash", plugin(`name = "p"
  create = [` + step("a", ``, `{ name = "url-", value_from_path = "/o" }`) + `]`), `(?s)Invalid Signadot Plugin Output Name.*"url-"`},
		{"overlay not yaml", plugin(`name = "p"
  runner = { image = "x", pod_template_overlay = "spec: [unclosed" }`), `(?s)pod_template_overlay.*not valid YAML`},
		{"overlay not a pod template", plugin(`name = "p"
  runner = { image = "x", pod_template_overlay = "kind: Pod\nspec: {}" }`), `(?s)top-level key "kind"`},
		{"overlay restart policy", plugin(`name = "p"
  runner = { image = "x", pod_template_overlay = "spec:\n  restartPolicy: Always" }`), `(?s)restartPolicy is Always`},
		{"missing signadot settings", `
provider "xata" {
  signadot_api_url = "http://127.0.0.1:9"
}
resource "signadot_resource_plugin" "p" {
  provider = xata
  name     = "p"
  runner   = { image = "x" }
}`, `(?s)Missing Signadot API Key.*SIGNADOT_API_KEY.*config.yaml`},
	}
	t.Setenv(shared.EnvSignadotAPIKey, "")
	t.Setenv(shared.EnvSignadotOrg, "")
	t.Setenv("HOME", t.TempDir())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(t),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccResourcePlugin_realSignadot publishes and deletes a throwaway
// plugin on the hosted Signadot API when real credentials are given.
func TestAccResourcePlugin_realSignadot(t *testing.T) {
	key, org := os.Getenv("SIGNADOT_REAL_API_KEY"), os.Getenv("SIGNADOT_REAL_ORG")
	if key == "" || org == "" {
		t.Skip("set SIGNADOT_REAL_API_KEY and SIGNADOT_REAL_ORG to run against the hosted Signadot API")
	}
	name := fmt.Sprintf("tf-acc-%d", time.Now().Unix())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "xata" {
  signadot_api_key = %q
  signadot_org     = %q
}
resource "signadot_resource_plugin" "p" {
  provider = xata
  name     = %q
  version  = "0.0.1"
  runner   = { image = "debian:bookworm-slim" }
  create = [{
    name    = "make"
    script  = "#!/bin/bash\nmkdir -p /outputs && echo -n ok > /outputs/value\n"
    outputs = [{ name = "value", value_from_path = "/outputs/value" }]
  }]
}`, key, org, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("signadot_resource_plugin.p", tfjsonpath.New("id"), knownvalue.StringExact(name+"@0.0.1")),
				statecheck.ExpectKnownValue("signadot_resource_plugin.p", tfjsonpath.New("created_at"), knownvalue.NotNull()),
			},
		}},
	})
}
