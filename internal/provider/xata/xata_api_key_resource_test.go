package xata

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var apiKeyIDRegexp = regexp.MustCompile(`^[0-9a-v]{26}$`)

// TestAccAPIKeyResource_lifecycle: a key limited to one project, its token
// working within its scopes; a change of scopes replaces it (new id, new
// token); import by id and by name with a clean plan after (all but the
// token); deleted and expired outside Terraform, it leaves state; destroy
// deletes it.
func TestAccAPIKeyResource_lifecycle(t *testing.T) {
	acctest.RequireEmulator(t, "creates, expires and deletes API keys")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	k := "xata_api_key.runner"
	config := func(scopes string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "xata_api_key" "runner" {
  name     = "runner"
  scopes   = [%s]
  projects = [%q]
  expiry   = "2099-01-31T00:00:00Z"
}
`, scopes, env.ProjectID())
	}
	first, second := config(`"branch:write", "credentials:read"`), config(`"branch:write", "credentials:read", "credentials:write"`)
	keyID := statecheck.CompareValue(compare.ValuesDiffer())
	token := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoAPIKeys,
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(k, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(k, tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
					plancheck.ExpectKnownValue(k, tfjsonpath.New("branches"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("*")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					keyID.AddStateValue(k, tfjsonpath.New("id")),
					token.AddStateValue(k, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(k, tfjsonpath.New("id"), knownvalue.StringRegexp(apiKeyIDRegexp)),
					statecheck.ExpectKnownValue(k, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^xao_[0-9A-Za-z]+$`))),
					statecheck.ExpectKnownValue(k, tfjsonpath.New("preview"), knownvalue.StringRegexp(regexp.MustCompile(`^xao_\*+[0-9A-Za-z]{3}$`))),
					statecheck.ExpectKnownValue(k, tfjsonpath.New("projects"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(env.ProjectID())})),
				},
				Check: env.TokenWorks(t, k),
			},
			{
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(k, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					keyID.AddStateValue(k, tfjsonpath.New("id")),
					token.AddStateValue(k, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(k, tfjsonpath.New("scopes"), knownvalue.SetSizeExact(3)),
				},
				// The provider's own and the replacement.
				Check: resource.ComposeTestCheckFunc(env.TokenWorks(t, k), env.KeyCount(2)),
			},
			{Config: second, ResourceName: k, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token"}},
			{Config: second, ResourceName: k, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token"}, ImportStateId: "runner"},
			{
				Config: second, ResourceName: k, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return env.OrganizationID() + "/" + s.RootModule().Resources[k].Primary.ID, nil
				},
			},
			{
				// Expired outside Terraform: refresh drops it, the plan makes a new one.
				PreConfig: func() {
					if err := env.Emu.ExpireAPIKey(env.KeyNamed(t, "runner").ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:             second,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// The API still lists the expired key under its name; the
				// create deletes it (it can never work again) to take the name.
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(k, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(env.TokenWorks(t, k), env.KeyCount(2)),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := env.API.DeleteAPIKeys(context.Background(), env.OrganizationID(), env.KeyNamed(t, "runner").ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(k, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// TestAccAPIKeyResource_importBlock: an import block brings in an existing
// key with nothing to change but the token, which stays null.
func TestAccAPIKeyResource_importBlock(t *testing.T) {
	acctest.RequireEmulator(t, "creates API keys")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	made, err := env.API.CreateAPIKey(context.Background(), env.OrganizationID(), xataapi.CreateAPIKeyRequest{
		Name: "ci", Scopes: []string{"branch:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	config := env.ProviderBlock() + fmt.Sprintf(`
import {
  to = xata_api_key.ci
  id = %q
}
resource "xata_api_key" "ci" {
  name   = "ci"
  scopes = ["branch:read"]
}
`, made.ID)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoAPIKeys,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("xata_api_key.ci", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xata_api_key.ci", tfjsonpath.New("id"), knownvalue.StringExact(made.ID)),
				statecheck.ExpectKnownValue("xata_api_key.ci", tfjsonpath.New("token"), knownvalue.Null()),
				statecheck.ExpectKnownValue("xata_api_key.ci", tfjsonpath.New("preview"), knownvalue.StringExact(made.Preview)),
			},
		}},
	})
}

// TestAccAPIKeyResource_badInput: what the plan can refuse it refuses,
// naming the attribute; what only the API knows (a name taken, more than
// the provider's key holds) fails the apply in the API's words and creates
// nothing.
func TestAccAPIKeyResource_badInput(t *testing.T) {
	acctest.RequireEmulator(t, "creates API keys")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	if _, err := env.API.CreateAPIKey(context.Background(), env.OrganizationID(), xataapi.CreateAPIKeyRequest{Name: "taken"}); err != nil {
		t.Fatal(err)
	}
	limited := env.Emu.CreateRestrictedAPIKey(env.OrganizationID(), xataemu.APIKeySpec{
		Name: "limited", Scopes: []string{"keys:write", "branch:read"},
	})
	limitedProvider := strings.Replace(env.ProviderBlock(), env.APIKey(), limited, 1)
	// The hosted API refuses a grant beyond the creator's with a 400 that
	// names it; the open-source server answers 500, and the provider, having
	// found no key made, says what to check.
	beyondCreator := `(?s)Xata API Key Creation Failed.*with xata_api_key\.k.*scopes.*cannot grant more.*insufficient access to\s+scope: branch:write`
	if shape, _ := xataemu.ParseCredentialsShape(os.Getenv("XATA_TEST_CREDENTIALS_SHAPE")); shape == xataemu.CredentialsOpenSource {
		beyondCreator = `(?s)Xata API Key Creation Failed.*nothing\s+was\s+created.*holds\s+every\s+scope`
	}
	cases := []struct{ name, provider, body, want string }{
		{"unknown scope", "", `name = "x"
  scopes = ["branch:delete"]`, `(?s)scopes.*value must be one of.*branch:read`},
		{"no scope", "", `name = "x"
  scopes = []`, `(?s)scopes set must contain at least 1 elements`},
		{"wildcard beside others", "", `name = "x"
  scopes = ["*", "branch:read"]`, `(?s)Xata API Key Wildcard Not Alone.*scopes`},
		{"wildcard beside a project", "", `name = "x"
  scopes   = ["branch:read"]
  projects = ["*", "prj_x"]`, `(?s)Xata API Key Wildcard Not Alone.*projects`},
		{"expiry not a time", "", `name = "x"
  scopes = ["branch:read"]
  expiry = "tomorrow"`, `(?s)Invalid RFC3339 String Value`},
		{"expiry in the past", "", `name = "x"
  scopes = ["branch:read"]
  expiry = "2020-01-01T00:00:00Z"`, `(?s)Xata API Key Expiry In The Past.*2020-01-01T00:00:00Z`},
		{"empty name", "", `name = ""
  scopes = ["branch:read"]`, `(?s)name string length must be at least 1`},
		{"name taken", "", `name = "taken"
  scopes = ["branch:read"]`, `(?s)Xata API Key Creation Failed.*already exists`},
		{"more than the provider's key holds", limitedProvider, `name = "x"
  scopes = ["branch:write"]`, beyondCreator},
		{"a project the organization does not have", "", `name = "x"
  scopes   = ["branch:read"]
  projects = ["prj_nosuchproject"]`, `(?s)Xata API Key Creation Failed.*projects.*prj_nosuchproject`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			provider := cmp.Or(tc.provider, env.ProviderBlock())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				Steps: []resource.TestStep{{
					Config:      provider + "resource \"xata_api_key\" \"k\" {\n  " + tc.body + "\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	keys, err := env.API.ListAPIKeys(context.Background(), env.OrganizationID())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 { // the provider's, "taken" and "limited"
		t.Errorf("bad input left %d keys, want 3", len(keys))
	}
}

// TestAccAPIKeyResource_unansweredCreate: a create whose answer is lost
// after the key was made records the key as tainted (its token was never
// seen), and the next apply replaces it; a create that failed before the
// key was made records nothing. No key is left unrecorded either way.
func TestAccAPIKeyResource_unansweredCreate(t *testing.T) {
	acctest.RequireEmulator(t, "injects faults")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	k := "xata_api_key.runner"
	config := env.ProviderBlock() + `
resource "xata_api_key" "runner" {
  name   = "runner"
  scopes = ["branch:read"]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoAPIKeys,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.Emu.FailNext(1, xataemu.FaultServerError, "POST") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Xata API Key Creation Failed.*no\s+key\s+of\s+that\s+name\s+is\s+listed,\s+so\s+nothing\s+was\s+created`),
				Check:       env.KeyCount(1),
			},
			{
				PreConfig:   func() { env.Emu.FailNext(1, xataemu.FaultDropAfterCommit, "POST") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Xata API Key Created Without Its Token.*tainted`),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(k, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(env.TokenWorks(t, k), env.KeyCount(2)),
			},
		},
	})
}

// TestAccAPIKeyResource_identity: a key's identity is recorded on create,
// and an import block with it imports the key with nothing to change.
func TestAccAPIKeyResource_identity(t *testing.T) {
	acctest.RequireEmulator(t, "creates and deletes API keys")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	config := env.ProviderBlock() + `resource "xata_api_key" "k" {
  name   = "identity"
  scopes = ["project:read"]
}`
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoAPIKeys,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity("xata_api_key.k", map[string]knownvalue.Check{
					"organization_id": knownvalue.StringExact(env.OrganizationID()),
					"id":              knownvalue.StringRegexp(apiKeyIDRegexp),
				}),
				statecheck.ExpectIdentityValueMatchesState("xata_api_key.k", tfjsonpath.New("id")),
			}},
			{
				Config:                  config,
				ResourceName:            "xata_api_key.k",
				ImportState:             true,
				ImportStateKind:         resource.ImportBlockWithResourceIdentity,
				ImportStateVerifyIgnore: []string{"token"},
			},
		},
	})
}

// TestAccAPIKeyResource_noTokenInLogs creates a key with trace logging:
// the create's answer is logged, redacted, and neither the new token nor
// the provider's own key appears in the log.
func TestAccAPIKeyResource_noTokenInLogs(t *testing.T) {
	acctest.RequireEmulator(t, "creates API keys")
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)
	env := acctest.NewEnv(t, false)
	// The key comes from the environment: terraform-plugin-testing logs the
	// test's HCL itself, which is not the provider's doing.
	t.Setenv(shared.EnvAPIKey, env.APIKey())
	var token string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoAPIKeys,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  organization_id = %q
}
resource "xata_api_key" "k" {
  name   = "logged"
  scopes = ["branch:read"]
}
`, env.URL(), env.OrganizationID()),
			Check: captureAttr("xata_api_key.k", "token", &token),
		}},
	})
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	if !regexp.MustCompile(`body=.*token.{1,12}redacted`).MatchString(log) {
		t.Fatalf("no create answer with a redacted token in the log; the check would prove nothing (%d bytes)", len(raw))
	}
	for what, secret := range map[string]string{"new token": token, "provider's API key": env.APIKey()} {
		if secret == "" || strings.Contains(log, secret) {
			t.Errorf("the %s appears in the debug log (or was not captured)", what)
		}
	}
}
