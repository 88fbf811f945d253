package xata

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_databaseChangeClass: a change of database plans
// connection_string as unknown when credentials are stored (the URL is
// rebuilt for the new database) and null when they are not, in place;
// after the apply the stored URL's path is the new database. A plan that
// kept the old URL would hand applications the old database.
func TestAccBranchResource_databaseChangeClass(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	addr := "xata_branch.main"
	config := func(extra string) string {
		return env.ProviderBlock() + env.RootHCL("main", "main", extra)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	step := func(extra string, planned knownvalue.Check, database string) resource.TestStep {
		connection := plancheck.ExpectUnknownValue(addr, tfjsonpath.New("connection_string"))
		if planned != nil {
			connection = plancheck.ExpectKnownValue(addr, tfjsonpath.New("connection_string"), planned)
		}
		s := resource.TestStep{
			Config: config(extra),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate), connection},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(addr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("database"), knownvalue.StringExact(database)),
			},
		}
		if planned == nil {
			s.Check = urlPath(addr, database)
		}
		return s
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{Config: config(""), ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))}},
			step("  database = \"app\"\n", nil, "app"),
			step("  database = \"reports\"\n  store_credentials = false\n", knownvalue.Null(), "reports"),
			step("  database = \"audit\"\n  store_credentials = false\n", knownvalue.Null(), "audit"),
			step("  database = \"postgres\"\n", nil, "postgres"),
		},
	})
}

// urlPath is a check that the connection_string at addr names database.
func urlPath(addr, database string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		raw := s.RootModule().Resources[addr].Primary.Attributes["connection_string"]
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("connection_string is not a URL: %w", err)
		}
		if u.Path != "/"+database {
			return fmt.Errorf("connection_string names database %q, want %q", u.Path, "/"+database)
		}
		return nil
	}
}
