package xata

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
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

// TestAccBranchesDataSource filters one project's branches by every
// filter alone and together, and checks what an element carries (no
// credentials). Deleting the parent afterwards leaves its children
// findable by parent_id, while parent_name no longer resolves.
func TestAccBranchesDataSource(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	cutoff := seeded.CreatedAt["sb-2"].Format(time.RFC3339Nano)
	org, project := env.OrganizationID(), env.ProjectID()
	// Against an endpoint, each filter of the whole project is kept to
	// this test's branches (env.scope).
	hcl := env.ProviderBlock() + fmt.Sprintf(`
data "xata_branches" "all" {
  %[1]s}

data "xata_branches" "sandboxes" {
  name_regex = %[2]q
}

data "xata_branches" "children" {
  parent_name = %[3]q
}

data "xata_branches" "hibernated" {
  %[1]s  status = "STATUS_TYPE_HIBERNATED"
}

data "xata_branches" "before_sb_2" {
  %[1]s  created_before = %[4]q
}

data "xata_branches" "older_than_a_year" {
  %[1]s  created_before = "8760h"
}

data "xata_branches" "any_age" {
  %[1]s  created_before = "0s"
}

data "xata_branches" "healthy_sandboxes" {
  name_regex = "sb-"
  parent_id  = %[5]q
  status     = "STATUS_TYPE_HEALTHY"
}
`, env.Scope(), env.NameRegex("sb-"), env.Name("main"), cutoff, seeded.IDs["main"])
	// The emulator's connection details; an endpoint's are its own.
	connection := map[string]knownvalue.Check{
		"host":     knownvalue.StringRegexp(regexp.MustCompile(`^` + seeded.IDs["sb-1"] + `\.`)),
		"port":     knownvalue.Int64Exact(5432),
		"username": knownvalue.StringExact("xata"),
		"database": knownvalue.StringExact("xata"),
	}
	if env.Emu == nil {
		for k := range connection {
			connection[k] = knownvalue.NotNull()
		}
	}

	sb1 := tfjsonpath.New("branches").AtSliceIndex(0)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{
				Config: hcl,
				ConfigStateChecks: []statecheck.StateCheck{
					env.Names("data.xata_branches.all", "main", "other", "pr-7", "sb-1", "sb-2"),
					env.Names("data.xata_branches.sandboxes", "sb-1", "sb-2"),
					env.Names("data.xata_branches.children", "pr-7", "sb-1", "sb-2"),
					env.Names("data.xata_branches.hibernated", "sb-2"),
					env.Names("data.xata_branches.before_sb_2", "main", "pr-7", "sb-1"),
					env.Names("data.xata_branches.older_than_a_year"),
					env.Names("data.xata_branches.any_age", "main", "other", "pr-7", "sb-1", "sb-2"),
					env.Names("data.xata_branches.healthy_sandboxes", "sb-1"),
					statecheck.ExpectKnownValue("data.xata_branches.all", tfjsonpath.New("organization_id"), knownvalue.StringExact(org)),
					statecheck.ExpectKnownValue("data.xata_branches.all", tfjsonpath.New("project_id"), knownvalue.StringExact(project)),
					// Every attribute, and only these: no password, no connection string.
					statecheck.ExpectKnownValue("data.xata_branches.healthy_sandboxes", sb1, knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":              knownvalue.StringExact(seeded.IDs["sb-1"]),
						"name":            knownvalue.StringExact(env.Name("sb-1")),
						"organization_id": knownvalue.StringExact(org),
						"project_id":      knownvalue.StringExact(project),
						"parent_id":       knownvalue.StringExact(seeded.IDs["main"]),
						"description":     knownvalue.Null(),
						"region":          knownvalue.StringExact(env.Region),
						"instance_type":   knownvalue.StringExact(env.InstanceType),
						"image":           knownvalue.StringExact(env.Image),
						"replicas":        knownvalue.Int64Exact(0),
						"status":          knownvalue.StringExact(xataapi.StatusHealthy),
						"created_at":      knownvalue.StringExact(seeded.CreatedAt["sb-1"].UTC().Format(time.RFC3339)),
						"host":            connection["host"],
						"port":            connection["port"],
						"username":        connection["username"],
						"database":        connection["database"],
					})),
				},
			},
			{
				// The parent goes; its children stay, pointing at its id.
				PreConfig: func() { env.DeleteBranch(t, seeded.IDs["main"]) },
				Config: env.ProviderBlock() + fmt.Sprintf(`
data "xata_branches" "orphans" {
  parent_id = %q
}
`, seeded.IDs["main"]),
				ConfigStateChecks: []statecheck.StateCheck{
					env.Names("data.xata_branches.orphans", "pr-7", "sb-1", "sb-2"),
				},
			},
			{
				Config: env.ProviderBlock() + fmt.Sprintf(`
data "xata_branches" "children" {
  parent_name = %q
}
`, env.Name("main")),
				ExpectError: regexp.MustCompile(`(?s)Xata Branches Data Source: Parent Branch Not Found.*no live branch named\s+"` + regexp.QuoteMeta(env.Name("main")) + `".*parent_id`),
			},
		},
	})
}

// TestAccBranchesDataSource_validation refuses at plan time, naming the
// attribute, filters that could never run; no API is reached.
func TestAccBranchesDataSource_validation(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "refused at plan time, before any API call")
	for name, tc := range map[string]struct{ body, want string }{
		"regex":          {`name_regex = "sb-("`, `(?s)Invalid Xata Branch Name Regex.*name_regex is not an RE2 regular\s+expression`},
		"days":           {`created_before = "3d"`, `(?s)Invalid Xata Branch Created Before.*created_before is "3d".*no d for\s+days`},
		"negative":       {`created_before = "-1h"`, `(?s)Invalid Xata Branch Created Before.*must not be negative`},
		"date only":      {`created_before = "2026-05-01"`, `(?s)Invalid Xata Branch Created Before.*neither an RFC 3339 time`},
		"status":         {`status = "HEALTHY"`, `(?s)Invalid Attribute Value Match.*status.*STATUS_TYPE_HEALTHY`},
		"parent id":      {`parent_id = "main"`, `(?s)Invalid Attribute Value Match.*must be a Xata branch id`},
		"both parents":   {`parent_id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"` + "\n" + `parent_name = "main"`, `(?s)Invalid Attribute Combination.*parent_id.*parent_name`},
		"parent name /":  {`parent_name = "a/b"`, `(?s)Invalid Attribute Value Match.*must not contain '/'`},
		"regex anywhere": {`name_regex = "["` + "\n" + `status = "STATUS_TYPE_FAULT"`, `Invalid Xata Branch Name Regex`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(t),
				Steps: []resource.TestStep{{
					Config: `
provider "xata" {
  base_url        = "http://127.0.0.1:9"
  api_key         = "xau_test"
  organization_id = "org"
  project_id      = "prj"
}
data "xata_branches" "b" {
` + tc.body + `
}
`,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestParseCreatedBefore: a time is taken as it is, a duration counts
// back from now.
func TestParseCreatedBefore(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-05-01T00:00:00Z":        time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		"2026-05-01T02:00:00+02:00":   time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		"2026-05-01T00:00:00.123456Z": time.Date(2026, 5, 1, 0, 0, 0, 123456000, time.UTC),
		"72h":                         time.Date(2026, 5, 7, 12, 0, 0, 0, time.UTC),
		"1h30m":                       time.Date(2026, 5, 10, 10, 30, 0, 0, time.UTC),
		"0s":                          now,
	} {
		got, err := parseCreatedBefore(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3d", "-1h", "2026-05-01", "yesterday"} {
		if _, err := parseCreatedBefore(in, now); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

// TestAccBranchesDataSource_cleanupByImport runs the guide's cleanup for
// CLIs without `terraform query` (every CLI this suite runs under): the
// example imports what xata_branches finds with no changes planned, and
// once its second half is deleted, the next apply destroys exactly that.
func TestAccBranchesDataSource_cleanupByImport(t *testing.T) {
	// The example declares sandboxdb/xata, as a user's copy would; a
	// per-test environment variable rules out t.Parallel.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "sandboxdb")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	acctest.SeedBranches(t, env)
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "data-sources", "xata_branches", "cleanup", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "# --- delete from here to the end of the file, then apply again ---"
	firstHalf, _, ok := strings.Cut(string(src), marker)
	if !ok {
		t.Fatalf("the example has no line %q", marker)
	}
	vars := config.Variables{"created_before": config.StringVariable("0s")}
	if env.Prefix != "" {
		vars["name_regex"] = config.StringVariable(env.NameRegex("sb-"))
	}
	orphan := func(name string) string { return fmt.Sprintf("xata_branch.orphan[%q]", env.Name(name)) }
	resource.Test(t, resource.TestCase{
		// Import blocks with for_each: Terraform 1.7, OpenTofu 1.7.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main", "other", "pr-7"),
		Steps: []resource.TestStep{
			{
				Config:          env.ProviderBlock() + string(src),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(orphan("sb-1"), plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(orphan("sb-2"), plancheck.ResourceActionNoop),
				}},
			},
			{
				Config:          env.ProviderBlock() + firstHalf,
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(orphan("sb-1"), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(orphan("sb-2"), plancheck.ResourceActionDestroy),
				}},
				Check: func(*terraform.State) error { return env.CheckNoBranches("main", "other", "pr-7")(nil) },
				// The output, read before the destroy, still lists them;
				// the next plan empties it.
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
