package xata

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccProjectDataSource finds a project by name and by id with every
// attribute the resource has, and names the close names of a typo.
func TestAccProjectDataSource(t *testing.T) {
	acctest.RequireEmulator(t, "creates projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	project := env.ProviderBlock() + `
resource "xata_project" "p" {
  name          = "lookup-me"
  scale_to_zero = { base_branches = { enabled = true }, child_branches = { enabled = false } }
  ip_filtering  = { enabled = true, cidrs = [{ cidr = "192.168.0.0/16", description = "office" }] }
}
`
	same := func(data string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, a := range []string{"id", "name", "organization_id", "scale_to_zero", "ip_filtering", "created_at", "updated_at"} {
			checks = append(checks, statecheck.CompareValuePairs(data, tfjsonpath.New(a), "xata_project.p", tfjsonpath.New(a), compare.ValuesSame()))
		}
		return checks
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoProjects,
		Steps: []resource.TestStep{
			{
				Config: project + `
data "xata_project" "by_name" { name = xata_project.p.name }
data "xata_project" "by_id" { id = xata_project.p.id }
`,
				ConfigStateChecks: append(same("data.xata_project.by_name"), same("data.xata_project.by_id")...),
			},
			{
				Config:      project + `data "xata_project" "typo" { name = "lookup-mee" }`,
				ExpectError: regexp.MustCompile(`(?s)Xata Project Not Found.*"lookup-mee".*Did you mean\s+"lookup-me"`),
			},
		},
	})
}
