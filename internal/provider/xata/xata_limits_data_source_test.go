package xata

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccLimitsDataSource reads the organization's project limits, each
// attribute from its own field of the API's answer, and names an
// organization the key cannot see as what to check.
func TestAccLimitsDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	want, err := env.API.GetProjectLimits(context.Background(), env.OrganizationID())
	if err != nil {
		t.Fatal(err)
	}
	if env.Emu != nil && (want.MaxBranches == want.MaxInstances || want.MinInstances == want.MaxInstances) {
		t.Fatalf("the emulator's limits %+v cannot tell the fields apart", want)
	}
	l := "data.xata_limits.org"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + `data "xata_limits" "org" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(l, tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
					statecheck.ExpectKnownValue(l, tfjsonpath.New("max_branches_per_project"), knownvalue.Int64Exact(want.MaxBranches)),
					statecheck.ExpectKnownValue(l, tfjsonpath.New("max_instances_per_branch"), knownvalue.Int64Exact(want.MaxInstances)),
					statecheck.ExpectKnownValue(l, tfjsonpath.New("min_instances_per_branch"), knownvalue.Int64Exact(want.MinInstances)),
					statecheck.ExpectKnownValue(l, tfjsonpath.New("max_description_length"), knownvalue.Int64Exact(want.MaxDescriptionLength)),
				},
			},
			{
				Config:      env.ProviderBlock() + `data "xata_limits" "org" { organization_id = "no-such-org" }`,
				ExpectError: regexp.MustCompile(`(?s)Xata Limits: Access Denied.*no-such-org.*project:read`),
			},
		},
	})
}
