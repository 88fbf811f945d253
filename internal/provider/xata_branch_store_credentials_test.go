package provider

import (
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

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccBranchResource_storeCredentials: with store_credentials = false a
// branch's password is nowhere in plan or state, the branch is never
// replaced for switching it either way, and import, drift and refresh
// work as they do with credentials stored.
func TestAccBranchResource_storeCredentials(t *testing.T) {
	env := newTestEnv(t, false)
	t.Parallel()
	feature := "xata_branch.feature"
	config := func(extra string) string {
		return env.providerBlock() + env.mainHCL() + fmt.Sprintf(`
resource "xata_branch" "feature" {
  name      = %q
  parent_id = xata_branch.main.id
%s}

data "xata_branch" "feature" {
  id = xata_branch.feature.id
%s}
`, env.name("feature"), extra, extra)
	}
	off := config("  store_credentials = false\n")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	noCredentials := func(addr string, attrs ...string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, a := range attrs {
			checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(a), knownvalue.Null()))
		}
		return append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("host"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("database"), knownvalue.NotNull()))
	}
	offChecks := append(noCredentials(feature, "username", "password", "connection_string"),
		noCredentials("data.xata_branch.feature", "username", "connection_string")...)
	credentialReads := func() int {
		if env.emu == nil {
			return 0
		}
		n := 0
		for req, c := range env.emu.Stats().ByRequest {
			if strings.HasPrefix(req, "GET ") && strings.HasSuffix(req, "/credentials") {
				n += c
			}
		}
		return n
	}
	var readsBefore int

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(t),
		CheckDestroy:             env.checkNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(feature, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(feature, tfjsonpath.New("connection_string"), knownvalue.Null()),
						plancheck.ExpectKnownValue(feature, tfjsonpath.New("password"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: append(offChecks, sameID.AddStateValue(feature, tfjsonpath.New("id"))),
				Check:             env.checkPasswordsAbsent(feature),
			},
			{
				// Stored again, in place: the branch keeps its id.
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(feature, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(feature, tfjsonpath.New("connection_string")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("connection_string"), knownvalue.StringRegexp(regexp.MustCompile(`^postgresql://`))),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("password"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.xata_branch.feature", tfjsonpath.New("connection_string"), knownvalue.NotNull()),
				},
			},
			{
				// And switched off on an existing branch: removed from state, in place.
				Config: off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(feature, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(feature, tfjsonpath.New("connection_string"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: append(offChecks, sameID.AddStateValue(feature, tfjsonpath.New("id"))),
				Check:             env.checkPasswordsAbsent(feature),
			},
			{
				// Import cannot know the configuration: it reads the
				// credentials like any import, and the next apply drops them.
				ResourceName:            feature,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "store_credentials", "username", "password", "connection_string", "parent_name"},
			},
			{
				// Drift: renamed outside Terraform, renamed back in place.
				// Neither refresh nor update reads credentials now.
				PreConfig: func() {
					readsBefore = credentialReads()
					id := env.branchID(t, env.name("feature"))
					renamed := env.name("renamed")
					if _, err := env.api.UpdateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), id,
						xata.UpdateBranchRequest{Name: &renamed}); err != nil {
						t.Fatalf("renaming behind Terraform's back: %v", err)
					}
				},
				Config: off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(feature, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(offChecks,
					sameID.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("name"), knownvalue.StringExact(env.name("feature")))),
				Check: func(s *terraform.State) error {
					// The data source reads them (for the host) on every refresh.
					if n := credentialReads() - readsBefore; env.emu != nil && n > 3 {
						return fmt.Errorf("the drift step read credentials %d times; only the data source's reads (at most 3) were expected", n)
					}
					return env.checkPasswordsAbsent(feature)(s)
				},
			},
		},
	})
}

// TestAccBranchResource_storeCredentialsHandOver is the path the tutorial
// runner takes: the branch stores no credentials, and a provisioner hands
// the ephemeral resource's connection string to a file outside state.
// The handed-over URL connects.
func TestAccBranchResource_storeCredentialsHandOver(t *testing.T) {
	env := newTestEnv(t, true)
	t.Parallel()
	out := filepath.Join(t.TempDir(), "database_url")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(t),
		// Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:           env.checkNoBranches(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + env.rootHCL("main", "main", "  store_credentials = false\n") + fmt.Sprintf(`
ephemeral "xata_branch_credentials" "main" {
  branch_id = xata_branch.main.id
}

resource "terraform_data" "hand_over" {
  triggers_replace = xata_branch.main.id

  provisioner "local-exec" {
    command     = "printf '%%s' \"$DATABASE_URL\" > \"$OUT\""
    environment = {
      DATABASE_URL = ephemeral.xata_branch_credentials.main.connection_string
      OUT          = %q
    }
  }
}
`, out),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("connection_string"), knownvalue.Null()),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				env.checkPasswordsAbsent("xata_branch.main"),
				func(*terraform.State) error {
					url, err := os.ReadFile(out)
					if err != nil {
						return fmt.Errorf("the provisioner wrote no connection string: %w", err)
					}
					return seedUsers(string(url))
				},
			),
		}},
	})
}

// checkPasswordsAbsent fails when the password the server issued for the
// branch at addr appears in any attribute of any resource in state.
func (e *testEnv) checkPasswordsAbsent(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		creds, err := e.api.GetBranchCredentials(context.Background(), e.OrganizationID(), e.ProjectID(), rs.Primary.ID)
		if err != nil {
			return fmt.Errorf("reading the credentials of %s from the API: %w", addr, err)
		}
		if creds.Password == "" {
			return fmt.Errorf("the API issued %s no password: the check would prove nothing", addr)
		}
		for name, r := range s.RootModule().Resources {
			for k, v := range r.Primary.Attributes {
				if strings.Contains(v, creds.Password) {
					return fmt.Errorf("the password of %s is in state, at %s.%s", addr, name, k)
				}
			}
		}
		return nil
	}
}

// branchID is the id of the branch named name, looked up in the API.
func (e *testEnv) branchID(t *testing.T, name string) string {
	t.Helper()
	b, err := e.api.FindBranchByName(context.Background(), e.OrganizationID(), e.ProjectID(), name)
	if err != nil {
		t.Fatalf("looking up branch %q: %v", name, err)
	}
	return b.ID
}
