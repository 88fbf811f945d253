package xata

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// ephemeralResources skips a test whose configuration has an ephemeral
// block on Terraform before 1.10, which cannot parse one.
var ephemeralResources = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

// TestAccBranchCredentialsEphemeralResource reads a branch's credentials
// by name without storing them; the echo provider (test-only) copies the
// ephemeral value into state so it can be compared with the branch's own.
func TestAccBranchCredentialsEphemeralResource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	factories := env.Factories(t)
	factories["echo"] = echoprovider.NewProviderServer()
	// The echo resource records the data when it is created, so each step
	// uses a resource of its own.
	withEcho := func(echoName, ephemeralHCL string) string {
		return env.ProviderBlock() + env.MainHCL() + ephemeralHCL + `
provider "echo" {
  data = ephemeral.xata_branch_credentials.main
}

resource "echo" "` + echoName + `" {}
`
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResources,
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				// The id is unknown until the branch exists, so opening waits for apply.
				Config: withEcho("by_id", `
ephemeral "xata_branch_credentials" "main" {
  branch_id = xata_branch.main.id
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("echo.by_id", tfjsonpath.New("data").AtMapKey("connection_string"),
						"xata_branch.main", tfjsonpath.New("connection_string"), compare.ValuesSame()),
				},
			},
			{
				// Referencing the resource (not the literal "main") orders
				// destroy: the credentials are read before the branch goes.
				// OpenTofu otherwise reads them after deleting it, and fails.
				Config: withEcho("by_name", `
ephemeral "xata_branch_credentials" "main" {
  branch_name = xata_branch.main.name
  database    = "postgres"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("echo.by_name", tfjsonpath.New("data").AtMapKey("branch_id"),
						"xata_branch.main", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("echo.by_name", tfjsonpath.New("data").AtMapKey("password"),
						"xata_branch.main", tfjsonpath.New("password"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("echo.by_name", tfjsonpath.New("data").AtMapKey("connection_string"),
						knownvalue.StringRegexp(regexp.MustCompile(`/postgres(\?|$)`))),
				},
			},
		},
	})
}

// TestAccBranchCredentialsEphemeralResource_notFound names the branch it
// could not find.
func TestAccBranchCredentialsEphemeralResource_notFound(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	factories := env.Factories(t)
	factories["echo"] = echoprovider.NewProviderServer()
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResources,
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + `
ephemeral "xata_branch_credentials" "main" {
  branch_name = "no-such-branch"
}

provider "echo" {
  data = ephemeral.xata_branch_credentials.main
}

resource "echo" "creds" {}
`,
			ExpectError: regexp.MustCompile(`(?s)Xata Branch Credentials: Branch Not Found.*"no-such-branch"`),
		}},
	})
}
