package xata

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// TestAccBranchResource_parentNameTypo: a parent_name one typo away from a
// branch that exists names that branch, as "did you mean", both in the
// plan's warning and in the error of the create that follows.
func TestAccBranchResource_parentNameTypo(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	env.SeedRoot(t, "main")
	// Against an endpoint, other branches may be as close: the right one
	// must be among the names offered.
	suggestion := `Did\s+you\s+mean\s+[^?]*"` + regexp.QuoteMeta(env.Name("main")) + `"`
	rec := &acctest.WarningRecorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
}`, env.Name("sb-x"), env.Name("mian")),
			ExpectError: regexp.MustCompile(`(?s)Xata Parent Branch: Branch Not Found.*` + suggestion),
		}},
	})
	warnings := rec.Take("PlanResourceChange")
	if len(warnings) == 0 {
		t.Fatal("the plan gave no warning about the missing parent")
	}
	for _, w := range warnings {
		if !strings.HasPrefix(w, "Xata Parent Branch Not Found Yet\n") || !regexp.MustCompile(suggestion).MatchString(w) {
			t.Errorf("want the plan's warning to suggest %q, got:\n%s", env.Name("main"), w)
		}
	}
}
