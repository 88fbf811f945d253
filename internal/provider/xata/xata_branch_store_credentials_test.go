package xata

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

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccBranchResource_storeCredentials: with store_credentials = false a
// branch's password is nowhere in plan or state, the branch is never
// replaced for switching it either way, and import, drift and refresh
// work as they do with credentials stored.
func TestAccBranchResource_storeCredentials(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	feature := "xata_branch.feature"
	config := func(extra string) string {
		return env.ProviderBlock() + env.MainHCL() + fmt.Sprintf(`
resource "xata_branch" "feature" {
  name      = %q
  parent_id = xata_branch.main.id
%s}

data "xata_branch" "feature" {
  id = xata_branch.feature.id
%s}
`, env.Name("feature"), extra, extra)
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
		if env.Emu == nil {
			return 0
		}
		n := 0
		for req, c := range env.Emu.Stats().ByRequest {
			if strings.HasPrefix(req, "GET ") && strings.HasSuffix(req, "/credentials") {
				n += c
			}
		}
		return n
	}
	var readsBefore int

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
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
				Check:             env.CheckPasswordsAbsent(feature),
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
				Check:             env.CheckPasswordsAbsent(feature),
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
					id := env.BranchID(t, env.Name("feature"))
					renamed := env.Name("renamed")
					if _, err := env.API.UpdateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), id,
						xataapi.UpdateBranchRequest{Name: &renamed}); err != nil {
						t.Fatalf("renaming behind Terraform's back: %v", err)
					}
				},
				Config: off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(feature, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(offChecks,
					sameID.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("feature")))),
				Check: func(s *terraform.State) error {
					// The data source reads them (for the host) on every refresh.
					if n := credentialReads() - readsBefore; env.Emu != nil && n > 3 {
						return fmt.Errorf("the drift step read credentials %d times; only the data source's reads (at most 3) were expected", n)
					}
					return env.CheckPasswordsAbsent(feature)(s)
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
	env := acctest.NewEnv(t, true)
	t.Parallel()
	out := filepath.Join(t.TempDir(), "database_url")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		// Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		CheckDestroy:           env.CheckNoBranches(),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + env.RootHCL("main", "main", "  store_credentials = false\n") + fmt.Sprintf(`
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
				env.CheckPasswordsAbsent("xata_branch.main"),
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
