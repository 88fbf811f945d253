package xata

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_planRefusalClass: what the API would refuse at
// create is refused at plan, naming the attribute, and nothing is
// created: a root branch without image or instance_type, and a child
// whose image is not its parent's. A refusal that moved to apply would
// leave a half-made branch behind or fail after other resources changed.
func TestAccBranchResource_planRefusalClass(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	env.SeedRoot(t, "main")
	otherImage := "postgres:17.7"
	if env.Image == otherImage {
		otherImage = "postgres:17.9"
	}
	cases := []struct {
		name, resource, want string
	}{
		{"root without image", fmt.Sprintf(`
resource "xata_branch" "b" {
  name          = %q
  region        = %q
  instance_type = %q
}`, env.Name("b"), env.Region, env.InstanceType), `(?s)Xata Root Branch Missing image.*needs\s+image`},
		{"root without instance type", fmt.Sprintf(`
resource "xata_branch" "b" {
  name   = %q
  region = %q
  image  = %q
}`, env.Name("b"), env.Region, env.Image), `(?s)Xata Root Branch Missing instance_type.*needs\s+instance_type`},
		{"child with another image than its parent's", fmt.Sprintf(`
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
  image       = %q
}`, env.Name("b"), env.Name("main"), otherImage),
			`(?s)Xata Child Branch Cannot Set Image.*parent's\s+is\s+"` + regexp.QuoteMeta(env.Image) + `".*asks\s+for\s+"` + regexp.QuoteMeta(otherImage) + `"`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.ProviderBlock() + c.resource,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps:                    steps,
	})
	if left := env.BranchNames(t); !slices.Equal(left, []string{"main"}) {
		t.Fatalf("a refused plan created branches: want only main, got %v", left)
	}
}
