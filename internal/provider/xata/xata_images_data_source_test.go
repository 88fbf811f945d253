package xata

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccImagesDataSource lists the images of the region root branches
// are created in, among them the one they use, and refuses a region the
// organization lacks in the API's words.
func TestAccImagesDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(`data "xata_images" "offered" { region = %q }`, env.Region),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemNestedAttrs("data.xata_images.offered", "images.*", map[string]string{"name": env.Image}),
					resource.TestMatchResourceAttr("data.xata_images.offered", "images.0.major_version", regexp.MustCompile(`^[0-9]+$`)),
				),
			},
			{
				Config:      env.ProviderBlock() + `data "xata_images" "offered" { region = "xx-nowhere-1" }`,
				ExpectError: regexp.MustCompile(`(?s)Xata Images: Request Refused.*xata_regions`),
			},
		},
	})
}

func TestCompareImagesOrdersVersionsNumerically(t *testing.T) {
	got := []string{"postgres:17.10", "postgres:9.6", "postgres:17.9", "other:1.0", "postgres:17"}
	slices.SortFunc(got, compareImages)
	want := []string{"other:1.0", "postgres:9.6", "postgres:17", "postgres:17.9", "postgres:17.10"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
