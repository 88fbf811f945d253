package xata

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var projectIDRegexp = regexp.MustCompile(`^prj_[0-9a-v]+$`)

// TestAccProjectResource_lifecycle: a project with the API's defaults,
// renamed and reconfigured in place, imported by id and by name with a
// clean plan after, renamed behind Terraform's back and renamed back, and
// destroyed.
func TestAccProjectResource_lifecycle(t *testing.T) {
	acctest.RequireEmulator(t, "creates and deletes projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	p := "xata_project.p"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	configured := env.ProviderBlock() + `
resource "xata_project" "p" {
  name = "renamed"
  scale_to_zero = {
    base_branches  = { enabled = false }
    child_branches = { enabled = true, inactivity_period_minutes = 10 }
  }
  ip_filtering = {
    enabled = true
    cidrs   = [{ cidr = "10.0.0.0/8", description = "vpn" }, { cidr = "2001:db8::/32" }]
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoProjects,
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + `resource "xata_project" "p" { name = "sandboxes" }`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(p, tfjsonpath.New("organization_id"), knownvalue.StringExact(env.OrganizationID())),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(p, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("id"), knownvalue.StringRegexp(projectIDRegexp)),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("scale_to_zero").AtMapKey("child_branches"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled": knownvalue.Bool(false), "inactivity_period_minutes": knownvalue.Int64Exact(30),
					})),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("ip_filtering").AtMapKey("enabled"), knownvalue.Bool(false)),
				},
			},
			{
				Config: configured,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(p, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(p, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("scale_to_zero").AtMapKey("base_branches"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled": knownvalue.Bool(false), "inactivity_period_minutes": knownvalue.Int64Exact(30),
					})),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("scale_to_zero").AtMapKey("child_branches").AtMapKey("inactivity_period_minutes"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("ip_filtering").AtMapKey("cidrs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"cidr": knownvalue.StringExact("10.0.0.0/8"), "description": knownvalue.StringExact("vpn")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"cidr": knownvalue.StringExact("2001:db8::/32"), "description": knownvalue.Null()}),
					})),
				},
			},
			{Config: configured, ResourceName: p, ImportState: true, ImportStateVerify: true},
			{Config: configured, ResourceName: p, ImportState: true, ImportStateVerify: true, ImportStateId: "renamed"},
			{
				Config: configured, ResourceName: p, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return env.OrganizationID() + "/" + s.RootModule().Resources[p].Primary.ID, nil
				},
			},
			{
				// Renamed outside Terraform: the plan renames it back, in place.
				PreConfig: func() {
					id := env.ProjectNamed(t, "renamed")
					other := "elsewhere"
					if _, err := env.API.UpdateProject(context.Background(), env.OrganizationID(), id, xataapi.ProjectRequest{Name: &other}); err != nil {
						t.Fatal(err)
					}
				},
				Config: configured,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(p, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(p, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(p, tfjsonpath.New("name"), knownvalue.StringExact("renamed")),
				},
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := env.API.DeleteProject(context.Background(), env.OrganizationID(), env.ProjectNamed(t, "renamed")); err != nil {
						t.Fatal(err)
					}
				},
				Config:             configured,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccProjectResource_withBranches: a project and a branch in it in one
// apply from nothing; destroying a project that still has a branch
// Terraform does not manage is refused, naming the branch, and works once
// it is gone.
func TestAccProjectResource_withBranches(t *testing.T) {
	acctest.RequireEmulator(t, "creates and deletes projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	project := env.ProviderBlock() + `resource "xata_project" "p" { name = "with-branches" }` + "\n"
	var stray string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoProjects,
		Steps: []resource.TestStep{
			{
				Config: project + fmt.Sprintf(`
resource "xata_branch" "main" {
  project_id    = xata_project.p.id
  name          = "main"
  region        = %q
  instance_type = %q
  image         = %q
}
`, env.Region, env.InstanceType, env.Image),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("xata_branch.main", tfjsonpath.New("project_id"), "xata_project.p", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// A branch made outside Terraform stays when the managed one goes.
				PreConfig: func() {
					b, err := env.API.CreateBranch(context.Background(), env.OrganizationID(), env.ProjectNamed(t, "with-branches"), xataapi.CreateBranchRequest{
						Name: "stray", Mode: xataapi.ModeCustom,
						Configuration: &xataapi.ClusterConfiguration{Region: env.Region, InstanceType: env.InstanceType, Image: env.Image},
					})
					if err != nil {
						t.Fatal(err)
					}
					stray = b.ID
				},
				Config:      env.ProviderBlock(),
				ExpectError: regexp.MustCompile(`(?s)Xata Project Not Empty.*stray \([0-9a-v]{26}\)`),
			},
			{
				PreConfig: func() {
					if err := env.API.DeleteBranch(context.Background(), env.OrganizationID(), env.ProjectNamed(t, "with-branches"), stray); err != nil {
						t.Fatal(err)
					}
				},
				Config: env.ProviderBlock(),
			},
		},
	})
}

// TestAccProjectResource_badInput: what the plan can refuse, it refuses,
// naming the attribute; a duplicate name is refused at apply in the API's
// words, with the import id.
func TestAccProjectResource_badInput(t *testing.T) {
	acctest.RequireEmulator(t, "creates projects")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	if _, err := env.API.CreateProject(context.Background(), env.OrganizationID(), xataapi.ProjectRequest{Name: new("taken")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, body, want string }{
		{"not a cidr", `name = "x"
  ip_filtering = { enabled = true, cidrs = [{ cidr = "10.0.0.300/8" }] }`, `(?s)Invalid Xata Project CIDR.*10\.0\.0\.300/8`},
		{"empty cidr description", `name = "x"
  ip_filtering = { enabled = true, cidrs = [{ cidr = "10.0.0.0/8", description = "" }] }`, `(?s)ip_filtering\.cidrs\[0\]\.description string length\s+must be between 1\s+and 100`},
		{"one half of scale_to_zero", `name = "x"
  scale_to_zero = { base_branches = { enabled = true } }`, `(?s)Xata Project Scale To Zero Incomplete.*child_branches`},
		{"scale_to_zero without enabled", `name = "x"
  scale_to_zero = { base_branches = { enabled = true }, child_branches = { inactivity_period_minutes = 5 } }`, `Xata Project Scale To Zero Missing Enabled`},
		{"ip_filtering without enabled", `name = "x"
  ip_filtering = { cidrs = [{ cidr = "10.0.0.0/8" }] }`, `Xata Project IP Filtering Missing Enabled`},
		{"name taken", `name = "taken"`, `(?s)Xata Project Creation Failed.*already exists.*terraform import xata_project\.<name>\s+` + regexp.QuoteMeta(env.OrganizationID()) + `/taken`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				Steps: []resource.TestStep{{
					Config:      env.ProviderBlock() + "resource \"xata_project\" \"p\" {\n  " + tc.body + "\n}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccProjectResource_unansweredCreate: a create whose answer is lost
// after the project was made records the project (it is found by its
// name, which the organization holds once), with a warning, and the next
// plan is empty; a create that failed before the project was made records
// nothing and says so. No project is left unrecorded either way.
func TestAccProjectResource_unansweredCreate(t *testing.T) {
	acctest.RequireEmulator(t, "injects faults")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	p := "xata_project.p"
	config := env.ProviderBlock() + `
resource "xata_project" "p" {
  name = "sandboxes"
  scale_to_zero = {
    base_branches  = { enabled = false, inactivity_period_minutes = 30 }
    child_branches = { enabled = true, inactivity_period_minutes = 15 }
  }
}
`
	named := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			projects, err := env.API.ListProjects(context.Background(), env.OrganizationID())
			if err != nil {
				return err
			}
			n := 0
			for _, pr := range projects {
				if pr.Name == "sandboxes" {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%d projects named sandboxes, want %d", n, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             resource.ComposeTestCheckFunc(env.CheckNoProjects, named(0)),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.Emu.FailNext(1, xataemu.FaultServerError, "POST") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Xata Project Creation Failed.*no\s+project\s+of\s+that\s+name\s+is\s+listed,\s+so\s+nothing\s+was\s+created`),
				Check:       named(0),
			},
			{
				PreConfig: func() { env.Emu.FailNext(1, xataemu.FaultDropAfterCommit, "POST") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(named(1), func(s *terraform.State) error {
					if got, want := s.RootModule().Resources[p].Primary.ID, env.ProjectNamed(t, "sandboxes"); got != want {
						return fmt.Errorf("state records project %s, the server made %s", got, want)
					}
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(p, tfjsonpath.New("scale_to_zero").AtMapKey("child_branches").AtMapKey("inactivity_period_minutes"), knownvalue.Int64Exact(15)),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
