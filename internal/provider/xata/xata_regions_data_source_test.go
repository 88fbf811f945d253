package xata

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccRegionsDataSource lists the organization's regions, among them
// the one root branches are created in, and names an organization the
// key cannot see as what to check.
func TestAccRegionsDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + `data "xata_regions" "all" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.xata_regions.all", tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
				},
				Check: resource.TestCheckTypeSetElemNestedAttrs("data.xata_regions.all", "regions.*", map[string]string{"id": env.Region}),
			},
			{
				Config:      env.ProviderBlock() + `data "xata_regions" "all" { organization_id = "no-such-org" }`,
				ExpectError: regexp.MustCompile(`(?s)Xata Regions: Access Denied.*no-such-org.*project:read`),
			},
		},
	})
}
