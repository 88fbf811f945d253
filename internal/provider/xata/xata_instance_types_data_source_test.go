package xata

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccInstanceTypesDataSource lists the instance types of the region
// root branches are created in, among them the one they use; a region is
// required, and one the organization lacks is refused in the API's words.
func TestAccInstanceTypesDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(`data "xata_instance_types" "offered" { region = %q }`, env.Region),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemNestedAttrs("data.xata_instance_types.offered", "instance_types.*", map[string]string{"name": env.InstanceType}),
					resource.TestMatchResourceAttr("data.xata_instance_types.offered", "instance_types.0.vcpu_millicores", regexp.MustCompile(`^[1-9][0-9]*$`)),
				),
			},
			{
				Config:      env.ProviderBlock() + `data "xata_instance_types" "offered" {}`,
				ExpectError: regexp.MustCompile(`(?s)Missing required argument.*"region" is required`),
			},
			{
				Config:      env.ProviderBlock() + `data "xata_instance_types" "offered" { region = "xx-nowhere-1" }`,
				ExpectError: regexp.MustCompile(`(?s)Xata Instance Types: Request Refused.*xx-nowhere-1`),
			},
		},
	})
}
