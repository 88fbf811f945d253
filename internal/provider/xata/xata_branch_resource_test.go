package xata

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/jackc/pgx/v5"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

var branchIDRegexp = regexp.MustCompile(`^[a-v][0-9a-v]{25}$`)

// TestAccBranchResource_lifecycle walks a child branch through create,
// in-place update, replacement on a new parent, import and destroy, on
// real Postgres databases, and checks the isolation a user relies on.
func TestAccBranchResource_lifecycle(t *testing.T) {
	env := acctest.NewEnv(t, true)
	t.Parallel()
	main := env.MainHCL()

	feature := "xata_branch.feature"
	sameParent := statecheck.CompareValuePairs(feature, tfjsonpath.New("parent_id"), "xata_branch.main", tfjsonpath.New("id"), compare.ValuesSame())
	keptInPlace := statecheck.CompareValue(compare.ValuesSame())
	replaced := statecheck.CompareValue(compare.ValuesDiffer())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + main,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("id"), knownvalue.StringRegexp(branchIDRegexp)),
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHealthy)),
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("parent_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("connection_string"), knownvalue.StringRegexp(regexp.MustCompile(`^postgresql://`))),
				},
				Check: resource.TestCheckResourceAttrWith("xata_branch.main", "connection_string", seedUsers),
			},
			{
				Config: env.ProviderBlock() + main + fmt.Sprintf(`
resource "xata_branch" "feature" {
  name        = %q
  parent_name = xata_branch.main.name
  description = "Feature work"
}
`, env.Name("feature")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(feature, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("xata_branch.main", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameParent,
					keptInPlace.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHealthy)),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("replicas"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("region"), knownvalue.StringExact(env.Region)),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("image"), knownvalue.StringExact(env.Image)),
				},
				Check: checkIsolation("xata_branch.main", feature),
			},
			{
				// Rename, describe, scale: all in place.
				Config: env.ProviderBlock() + main + fmt.Sprintf(`
resource "xata_branch" "feature" {
  name          = %q
  parent_name   = xata_branch.main.name
  description   = "Renamed in place"
  replicas      = 1
  scale_to_zero = { enabled = true, inactivity_period_minutes = 60 }
}
`, env.Name("feature-2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(feature, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keptInPlace.AddStateValue(feature, tfjsonpath.New("id")),
					replaced.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("feature-2"))),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("replicas"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(feature, tfjsonpath.New("scale_to_zero"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled":                   knownvalue.Bool(true),
						"inactivity_period_minutes": knownvalue.Int64Exact(60),
					})),
				},
			},
			{
				// Import by id, by name, and with an explicit org/project.
				ResourceName:            feature,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"parent_name", "timeouts"},
			},
			{
				ResourceName:            feature,
				ImportState:             true,
				ImportStateId:           env.Name("feature-2"),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"parent_name", "timeouts"},
			},
			{
				ResourceName: feature,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs := s.RootModule().Resources[feature]
					return env.OrganizationID() + "/" + env.ProjectID() + "/" + rs.Primary.ID, nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"parent_name", "timeouts"},
			},
			{
				// A new parent cannot be applied in place: the branch is replaced.
				Config: env.ProviderBlock() + main + fmt.Sprintf(`
resource "xata_branch" "other" {
  name        = %q
  parent_name = xata_branch.main.name
}

resource "xata_branch" "feature" {
  name          = %q
  parent_name   = xata_branch.other.name
  description   = "Renamed in place"
  replicas      = 1
  scale_to_zero = { enabled = true, inactivity_period_minutes = 60 }
}
`, env.Name("other"), env.Name("feature-2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(feature, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(feature, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(feature, tfjsonpath.New("parent_id"), "xata_branch.other", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
		},
	})
}

// seedUsers creates the tutorial's users table with five rows in a branch.
func seedUsers(connString string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return fmt.Errorf("connecting with the branch's connection_string: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
INSERT INTO users (name, email) VALUES
  ('Alice Johnson', 'alice@example.com'), ('Bob Smith', 'bob@example.com'),
  ('Carol Williams', 'carol@example.com'), ('David Brown', 'david@example.com'),
  ('Eve Davis', 'eve@example.com');`)
	return err
}

func countUsers(ctx context.Context, connString string) (int, error) {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// checkIsolation asserts what a sandbox relies on: the child starts with
// the parent's rows, its writes stay in the child, and its credentials
// cannot open the parent's database.
func checkIsolation(parentAddr, childAddr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		parentURL := s.RootModule().Resources[parentAddr].Primary.Attributes["connection_string"]
		childURL := s.RootModule().Resources[childAddr].Primary.Attributes["connection_string"]

		if n, err := countUsers(ctx, childURL); err != nil || n != 5 {
			return fmt.Errorf("child should start with the parent's 5 users, got %d (%w)", n, err)
		}
		conn, err := pgx.Connect(ctx, childURL)
		if err != nil {
			return err
		}
		_, err = conn.Exec(ctx, `INSERT INTO users (name, email) VALUES ('Sandbox User', 'sandbox@example.com')`)
		conn.Close(ctx)
		if err != nil {
			return fmt.Errorf("writing to the child: %w", err)
		}
		if n, err := countUsers(ctx, childURL); err != nil || n != 6 {
			return fmt.Errorf("child should have 6 users after the insert, got %d (%w)", n, err)
		}
		if n, err := countUsers(ctx, parentURL); err != nil || n != 5 {
			return fmt.Errorf("parent should still have 5 users, got %d (%w)", n, err)
		}

		// The child's credentials aimed at the parent's database must fail.
		// On the emulator both are databases of one cluster, and the
		// child's role lacks CONNECT on the parent's; a server with a
		// cluster per branch may refuse the password instead.
		cross, _ := url.Parse(parentURL)
		cu, _ := url.Parse(childURL)
		cross.User = cu.User
		refused := `permission denied`
		if acctest.Contract != nil {
			refused += `|password authentication failed`
		}
		if c, err := pgx.Connect(ctx, cross.String()); err == nil {
			c.Close(ctx)
			return errors.New("the child's role could open the parent's database")
		} else if !regexp.MustCompile(refused).MatchString(err.Error()) {
			return fmt.Errorf("expected %s opening the parent's database, got: %w", refused, err)
		}
		return nil
	}
}

// TestAccBranchResource_drift: a branch deleted behind Terraform's back is
// removed from state on refresh and planned for creation again.
func TestAccBranchResource_drift(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	ids := statecheck.CompareValue(compare.ValuesDiffer())
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config:            env.ProviderBlock() + env.MainHCL(),
				ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue("xata_branch.main", tfjsonpath.New("id"))},
				Check:             captureAttr("xata_branch.main", "id", &id),
			},
			{
				PreConfig: func() { env.DeleteBranch(t, id) },
				Config:    env.ProviderBlock() + env.MainHCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("xata_branch.main", plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue("xata_branch.main", tfjsonpath.New("id"))},
			},
		},
	})
}

// TestAccBranchResource_hibernatedIsNotDrift: scale-to-zero hibernation is
// a normal state; a refresh records it and plans nothing, and never wakes
// the branch. The emulator hibernates the branch as scale-to-zero does;
// against an endpoint, where that takes an hour of inactivity, the API's
// hibernate does.
func TestAccBranchResource_hibernatedIsNotDrift(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + env.MainHCL(),
				Check:  captureAttr("xata_branch.main", "id", &id),
			},
			{
				PreConfig: func() {
					if env.Emu != nil {
						if err := env.Emu.SetBranchStatus(id, xataapi.StatusHibernated, "Cluster in healthy state"); err != nil {
							t.Fatal(err)
						}
						return
					}
					hibernate := true
					if _, err := env.Client(t).UpdateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), id,
						xataapi.UpdateBranchRequest{Hibernate: &hibernate}); err != nil {
						t.Fatal(err)
					}
					env.Settle(t, id, xataapi.TargetHibernated)
				},
				Config: env.ProviderBlock() + env.MainHCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHibernated)),
				},
				Check: func(s *terraform.State) error {
					if err := env.BranchStatus("main", xataapi.StatusHibernated)(s); err != nil {
						return fmt.Errorf("the refresh woke the branch: %w", err)
					}
					return nil
				},
			},
		},
	})
}

// TestAccBranchResource_createTimeout: a branch that outlives the create
// timeout is kept in state (tainted) and replaced by the next apply, never
// orphaned.
func TestAccBranchResource_createTimeout(t *testing.T) {
	acctest.RequireEmulator(t, "a provisioning delay of an hour, the count of branches created")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(time.Hour))
	t.Parallel()
	config := env.ProviderBlock() + `
resource "xata_branch" "main" {
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
  timeouts {
    create = "1s"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			if n := env.Emu.CreatedCount(env.ProjectID()); n != 2 {
				return fmt.Errorf("expected exactly 2 branches created (the timed-out one and its replacement), got %d", n)
			}
			return env.CheckNoBranches()(s)
		},
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`Xata Branch Did Not Become Healthy`),
			},
			{
				PreConfig: func() {
					if n := len(env.Emu.Branches(env.ProjectID())); n != 1 {
						t.Fatalf("after the timeout the emulator should hold the one tainted branch, has %d", n)
					}
					env.Emu.SetProvisionDelay(-1)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("xata_branch.main", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHealthy)),
				},
				Check: func(*terraform.State) error {
					if n := len(env.Emu.Branches(env.ProjectID())); n != 1 {
						return fmt.Errorf("the tainted branch should have been replaced, emulator holds %d", n)
					}
					return nil
				},
			},
		},
	})
}

// TestAccBranchResource_faults: with a fifth of all requests failing (429
// with and without Retry-After, 500, 503, responses dropped after the
// write), 20 branches apply and destroy with exactly 20 created, none left.
func TestAccBranchResource_faults(t *testing.T) {
	acctest.RequireEmulator(t, "fault injection, the count of branches created")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	env.Emu.SetFaults(xataemu.Faults{
		Rate: 0.2,
		Kinds: []xataemu.FaultKind{
			xataemu.FaultRateLimited, xataemu.FaultRateLimitedRetryAfter,
			xataemu.FaultServerError, xataemu.FaultUnavailable, xataemu.FaultDropAfterCommit,
		},
		RetryAfter: time.Second,
		Seed:       42,
	})
	config := env.ProviderBlock() + `
resource "xata_branch" "many" {
  count         = 20
  name          = "chaos-${count.index}"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			if n := env.Emu.CreatedCount(env.ProjectID()); n != 20 {
				return fmt.Errorf("expected exactly 20 branches created, got %d", n)
			}
			return env.CheckNoBranches()(s)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.many[19]", tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHealthy)),
				},
				Check: func(*terraform.State) error {
					if n := len(env.Emu.Branches(env.ProjectID())); n != 20 {
						return fmt.Errorf("expected 20 live branches, got %d", n)
					}
					st := env.Emu.Stats()
					for _, kind := range []xataemu.FaultKind{xataemu.FaultRateLimited, xataemu.FaultServerError, xataemu.FaultDropAfterCommit} {
						if st.ByKind[kind] == 0 {
							return fmt.Errorf("fault kind %d was never injected (stats %+v); the test proves less than it claims", kind, st)
						}
					}
					return nil
				},
			},
		},
	})
}

// TestAccBranchResource_storageCannotShrink: the plan refuses a decrease.
func TestAccBranchResource_storageCannotShrink(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	withStorage := func(gib int) string {
		return env.ProviderBlock() + env.RootHCL("main", "main", fmt.Sprintf("  storage       = %d\n", gib))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: withStorage(20),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("storage"), knownvalue.Int64Exact(20)),
				},
			},
			{
				Config:      withStorage(15),
				ExpectError: regexp.MustCompile(`Xata Branch Storage Cannot Shrink`),
			},
		},
	})
}

// TestAccBranchResource_validation: bad input is refused at plan time with
// the attribute named, before any API call.
func TestAccBranchResource_validation(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "refused at plan time, before any API call")
	t.Setenv(shared.EnvAPIKey, "")
	t.Setenv(shared.EnvOrganizationID, "")
	t.Setenv(shared.EnvProjectID, "")
	t.Setenv(shared.EnvConfigDir, t.TempDir())
	provider := `
provider "xata" {
  base_url        = "http://127.0.0.1:9"
  api_key         = "xau_test"
  organization_id = "abc123"
  project_id      = "prj_test"
}
`
	cases := []struct {
		name, config string
		want         string
	}{
		{"root without region", provider + `resource "xata_branch" "b" {
  name          = "b"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}`, `(?s)Xata Root Branch Missing region.*needs region`},
		{"name with a slash", provider + `resource "xata_branch" "b" {
  name        = "pr/1"
  parent_name = "main"
}`, `(?s)name.*must not contain '/' or control characters`},
		{"name with NUL", provider + `resource "xata_branch" "b" {
  name        = "pr\u0000x"
  parent_name = "main"
}`, `(?s)name.*must not contain '/' or control characters`},
		{"name with a newline", provider + `resource "xata_branch" "b" {
  name        = "pr\nx"
  parent_name = "main"
}`, `(?s)name.*must not contain '/' or control characters`},
		{"name too long", provider + `resource "xata_branch" "b" {
  name        = "` + strings.Repeat("n", 256) + `"
  parent_name = "main"
}`, `(?s)name.*length must be between 1 and 255`},
		{"parent name with a slash", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "a/b"
}`, `(?s)parent_name.*must not contain '/'`},
		{"zero timeout", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
  timeouts {
    create = "0s"
  }
}`, `(?s)Xata Branch Timeout Not Positive.*timeouts.create is "0s"`},
		{"negative timeout", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
  timeouts {
    read = "-5m"
  }
}`, `(?s)Xata Branch Timeout Not Positive.*timeouts.read is "-5m"`},
		{"description pattern", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
  description = "under_score"
}`, `(?s)description.*may contain only letters, digits, spaces`},
		{"description length", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
  description = "` + "abcdefghij0123456789abcdefghij0123456789abcdefghijk" + `"
}`, `(?s)description.*length must be at most 50`},
		{"parent id format", provider + `resource "xata_branch" "b" {
  name      = "b"
  parent_id = "main"
}`, `(?s)parent_id.*to name the parent, use parent_name`},
		{"replicas range", provider + `resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
  replicas    = 5
}`, `(?s)replicas.*between 0 and 4`},
		{"insecure base url", `
provider "xata" {
  base_url = "http://api.example.com"
  api_key  = "xau_test"
}
resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
}`, `(?s)Invalid Xata Base URL.*plain http`},
		{"credentials in base url", `
provider "xata" {
  base_url = "https://admin:s3cret@api.example.com"
  api_key  = "xau_test"
}
resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
}`, `(?s)Invalid Xata Base URL.*admin:xxxxx@api.example.com.*contains user information`},
		{"credentials in signadot api url", `
provider "xata" {
  signadot_api_url = "https://admin:s3cret@api.signadot.example"
  api_key          = "xau_test"
}
resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
}`, `(?s)Invalid Signadot API URL.*contains user information`},
		{"missing organization", `
provider "xata" {
  base_url = "http://127.0.0.1:9"
  api_key  = "xau_test"
}
resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
}`, `(?s)Missing Xata Organization ID.*XATA_ORGANIZATION_ID.*project.json`},
		{"missing api key", `
provider "xata" {
  base_url        = "http://127.0.0.1:9"
  organization_id = "abc123"
  project_id      = "prj_test"
}
resource "xata_branch" "b" {
  name        = "b"
  parent_name = "main"
}`, `(?s)Missing Xata API Key.*api_key in the provider.*XATA_API_KEY`},
		{"scale to zero without enabled", provider + `resource "xata_branch" "b" {
  name          = "b"
  parent_name   = "main"
  scale_to_zero = { inactivity_period_minutes = 15 }
}`, `(?s)Xata Scale To Zero Missing Enabled`},
		{"a postgres parameter name with a space", provider + `resource "xata_branch" "b" {
  name                = "b"
  parent_name         = "main"
  postgres_parameters = { "bogus param" = "1" }
}`, `(?s)postgres_parameters\["bogus param"\]\s+must\s+be\s+a\s+Postgres\s+parameter`},
		{"an empty postgres parameter value", provider + `resource "xata_branch" "b" {
  name                = "b"
  parent_name         = "main"
  postgres_parameters = { max_connections = "" }
}`, `(?s)postgres_parameters\["max_connections"\].*at\s+least\s+1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(t),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccBranchResource_parentNotFound: a parent_name that names no branch
// fails the create with the name in the message, and creates nothing.
func TestAccBranchResource_parentNotFound(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
}`, env.Name("sb-x"), env.Name("no-such-branch")),
			ExpectError: regexp.MustCompile(`(?s)Xata Parent Branch: Branch Not Found.*"` + regexp.QuoteMeta(env.Name("no-such-branch")) + `"`),
		}},
	})
	// Against an endpoint, CheckDestroy has found none of the test's
	// branches; the emulator also counts those created and deleted since.
	if env.Emu != nil {
		if n := env.Emu.CreatedCount(env.ProjectID()); n != 0 {
			t.Fatalf("a failed parent lookup created %d branches", n)
		}
	}
}

// TestAccBranchResource_childCreateListsOncePerPlan: the API has no lookup
// by name, so resolving parent_name lists the project's branches. The plan
// does it, and Terraform's plan right before the apply does it again in
// the same process; the create then uses that answer instead of listing a
// third time (a runner fleet shares one gateway's rate limit).
func TestAccBranchResource_childCreateListsOncePerPlan(t *testing.T) {
	acctest.RequireEmulator(t, "request counts")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	parentID := env.SeedRoot(t, "main")
	list := "GET /organizations/" + env.OrganizationID() + "/projects/" + env.ProjectID() + "/branches"
	var before int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps: []resource.TestStep{{
			PreConfig: func() { before = env.Emu.Stats().ByRequest[list] },
			Config: env.ProviderBlock() + `
resource "xata_branch" "pr" {
  name        = "pr-1"
  parent_name = "main"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xata_branch.pr", tfjsonpath.New("parent_id"), knownvalue.StringExact(parentID)),
			},
			Check: func(*terraform.State) error {
				// terraform plan -out (1), then terraform apply of that plan,
				// which plans once more before creating (1).
				if n := env.Emu.Stats().ByRequest[list] - before; n != 2 {
					return fmt.Errorf("planning and creating a child listed the branches %d times, want 2 (one per plan)", n)
				}
				return nil
			},
		}},
	})
}

// TestAccBranchResource_realXata runs against the hosted API when real
// credentials are given; it creates a child of an existing branch.
func TestAccBranchResource_realXata(t *testing.T) {
	key, org, project, parent := os.Getenv("XATA_REAL_API_KEY"), os.Getenv("XATA_REAL_ORGANIZATION_ID"),
		os.Getenv("XATA_REAL_PROJECT_ID"), os.Getenv("XATA_REAL_PARENT_BRANCH")
	if key == "" || org == "" || project == "" || parent == "" {
		t.Skip("set XATA_REAL_API_KEY, XATA_REAL_ORGANIZATION_ID, XATA_REAL_PROJECT_ID and XATA_REAL_PARENT_BRANCH to run against the hosted Xata API")
	}
	name := fmt.Sprintf("tf-acc-%d", time.Now().Unix())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "xata" {
  api_key         = %q
  organization_id = %q
  project_id      = %q
}
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
}`, key, org, project, name, parent),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xata_branch.b", tfjsonpath.New("status"), knownvalue.StringExact(xataapi.StatusHealthy)),
				statecheck.ExpectKnownValue("xata_branch.b", tfjsonpath.New("connection_string"), knownvalue.NotNull()),
			},
		}},
	})
}

func captureAttr(addr, attr string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*into = rs.Primary.Attributes[attr]
		if *into == "" {
			return fmt.Errorf("%s.%s is empty", addr, attr)
		}
		return nil
	}
}

// TestAccBranchResource_noSecretsInLogs runs a create with trace logging
// and checks that neither the API key nor the branch password reaches the
// log, while the requests themselves do (so the check is not vacuous).
func TestAccBranchResource_noSecretsInLogs(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)
	env := acctest.NewEnv(t, false)
	// The key comes from the environment: terraform-plugin-testing logs the
	// test's HCL itself, which is not the provider's doing.
	t.Setenv(shared.EnvAPIKey, env.APIKey())
	providerBlock := fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  organization_id = %q
  project_id      = %q
}
`, env.URL(), env.OrganizationID(), env.ProjectID())
	var password string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{{
			Config: providerBlock + env.MainHCL(),
			Check:  captureAttr("xata_branch.main", "password", &password),
		}},
	})

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	if !strings.Contains(log, "xata API request") || !strings.Contains(log, "/credentials") {
		t.Fatalf("the log has no request entries; the secret check would prove nothing (%d bytes)", len(raw))
	}
	// Response bodies are written, redacted, when the log is on.
	if !regexp.MustCompile(`body=.*password.{1,12}redacted`).MatchString(log) {
		t.Errorf("no response body with a redacted password in the log")
	}
	for what, secret := range map[string]string{"API key": env.APIKey(), "branch password": password} {
		if strings.Contains(log, secret) {
			t.Errorf("the %s appears in the debug log", what)
		}
	}
}

// TestAccBranchResource_adoptExisting: a branch of the same name left by a
// runner killed before it saved state is a conflict by default, adopted
// with adopt_existing when its parent matches, and refused when it does
// not.
func TestAccBranchResource_adoptExisting(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	ctx := context.Background()
	c := env.Client(t)
	org, project := env.OrganizationID(), env.ProjectID()
	mainID, otherID := env.SeedRoot(t, "main"), env.SeedRoot(t, "other")
	left, err := c.CreateBranch(ctx, org, project, xataapi.CreateBranchRequest{Name: env.Name("sb-x"), Mode: xataapi.ModeInherit, ParentID: mainID})
	if err != nil {
		t.Fatal(err)
	}
	env.Settle(t, left.ID, xataapi.TargetHealthy)
	branch := func(parent string, adopt bool) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "sb" {
  name           = %q
  parent_name    = %q
  adopt_existing = %t
  description    = "Adopted"
}
`, env.Name("sb-x"), env.Name(parent), adopt)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			// Only the emulator counts the branches created and deleted.
			if n := env.Emu; n != nil && n.CreatedCount(project) != 3 {
				return fmt.Errorf("expected the 3 branches made by the test and no other, %d were created", n.CreatedCount(project))
			}
			return env.CheckNoBranches("main", "other")(s)
		},
		Steps: []resource.TestStep{
			{
				Config:      branch("main", false),
				ExpectError: regexp.MustCompile(`(?s)already exists.*adopt_existing`),
			},
			{
				Config:      branch("other", true),
				ExpectError: regexp.MustCompile(`(?s)not\s+adopted:\s+the\s+existing\s+branch\s.*has\s+parent\s+"` + mainID + `".*asks\s+for\s+"` + otherID + `"`),
			},
			{
				Config: branch("main", true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.sb", tfjsonpath.New("id"), knownvalue.StringExact(left.ID)),
					statecheck.ExpectKnownValue("xata_branch.sb", tfjsonpath.New("description"), knownvalue.StringExact("Adopted")),
				},
			},
		},
	})
}

// TestAccBranchResource_credentialsLag: on the real API a branch can be
// healthy while its credentials still answer 404, and a rotation makes
// them answer 404 for a moment. Create waits the lag out; a refresh that
// meets a 404 keeps the last known credentials instead of failing or
// blanking them.
func TestAccBranchResource_credentialsLag(t *testing.T) {
	acctest.RequireEmulator(t, "credentials that lag and fail on demand")
	env := acctest.NewEnv(t, false)
	t.Parallel()
	env.Emu.SetCredentialsLag(time.Second)
	cfg := env.ProviderBlock() + env.MainHCL()
	sameConn := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xata_branch.main", tfjsonpath.New("connection_string"), knownvalue.StringRegexp(regexp.MustCompile(`^postgresql://`))),
					sameConn.AddStateValue("xata_branch.main", tfjsonpath.New("connection_string")),
				},
			},
			{
				PreConfig: func() { env.Emu.FailCredentials(1000) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameConn.AddStateValue("xata_branch.main", tfjsonpath.New("connection_string")),
				},
			},
			{
				PreConfig: func() { env.Emu.FailCredentials(0) },
				Config:    cfg,
			},
		},
	})
}

// TestAccBranchResource_importReference: an import id shaped like a
// branch id may still be a name; it resolves to the one branch it names,
// and one that is the id of one branch and the name of another is refused.
func TestAccBranchResource_importReference(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "names branches after branch ids, which the run's name prefix would change")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	create := func(name string) string { return env.SeedRoot(t, name) }
	firstID := create("first")
	idShapedName := "a0000000000000000000000000" // shaped like an id, but only a name
	namedLikeAnID := create(idShapedName)
	create(firstID) // a branch whose name is the id of "first"

	importAs := func(ref, want string) resource.TestStep {
		step := resource.TestStep{
			Config: env.ProviderBlock() + `
resource "xata_branch" "imported" {
  name          = "placeholder"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}`,
			ResourceName:  "xata_branch.imported",
			ImportState:   true,
			ImportStateId: ref,
		}
		if want != "" {
			step.ImportStateCheck = func(s []*terraform.InstanceState) error {
				if len(s) != 1 || s[0].ID != want {
					return fmt.Errorf("import of %q gave %v, want branch %s", ref, s, want)
				}
				return nil
			}
		}
		return step
	}
	ambiguous := importAs(firstID, "")
	ambiguous.ExpectError = regexp.MustCompile(`(?s)Ambiguous Branch Reference.*is\s+the\s+id\s+of\s+branch\s+` + firstID + `\s+and\s+also\s+the\s+name`)
	missing := importAs("no-such-branch", "")
	missing.ExpectError = regexp.MustCompile(`(?s)Xata Branch Import: Branch Not Found.*"no-such-branch"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			importAs(idShapedName, namedLikeAnID),
			ambiguous,
			missing,
		},
	})
}

// TestAccBranchResource_planTimeChecks: what the API can tell at plan time
// is refused then, creating nothing: a region or instance type the
// organization lacks, and a child repeating a region other than its
// parent's. A postgres parameter the API refuses after creating a child
// takes the new branch away again, so nothing is left.
func TestAccBranchResource_planTimeChecks(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	env.SeedRoot(t, "main")
	root := func(region, instanceType string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "b" {
  name          = %q
  region        = %q
  instance_type = %q
  image         = %q
}`, env.Name("b"), region, instanceType, env.Image)
	}
	child := func(extra string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
%s}`, env.Name("b"), env.Name("main"), extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps: []resource.TestStep{
			{Config: root("mars-north-1", env.InstanceType), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Xata Region Not Offered.*"mars-north-1".*` + regexp.QuoteMeta(env.Region))},
			{Config: root(env.Region, "xata.huge"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Xata Instance Type Not Offered.*"xata.huge".*` + regexp.QuoteMeta(env.InstanceType))},
			{Config: child(fmt.Sprintf("  region      = %q\n", env.OtherRegion())), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Xata Child Branch Cannot Set Region.*parent's\s+is\s+"` + regexp.QuoteMeta(env.Region) + `"`)},
			{Config: child(`  postgres_parameters = { max_connections = "lots" }` + "\n"),
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Settings Refused.*deleted\s+again\s+and\s+nothing\s+was\s+left\s+behind`)},
		},
	})
	if left := env.BranchNames(t); !slices.Equal(left, []string{"main"}) {
		t.Fatalf("want only main left, got %v", left)
	}
}

// TestAccBranchResource_adoptRace: two resources (as two states would)
// with one name and adopt_existing race to create it. The documented
// outcome: one branch is created and both adopt it, so they share it;
// destroying both leaves nothing and fails neither.
func TestAccBranchResource_adoptRace(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	project := env.ProjectID()
	env.SeedRoot(t, "main")
	one := func(n int) string {
		return fmt.Sprintf(`
resource "xata_branch" "s%d" {
  name           = %q
  parent_name    = %q
  adopt_existing = true
}
`, n, env.Name("sb-shared"), env.Name("main"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			// Only the emulator counts the branches created and deleted.
			if e := env.Emu; e != nil && e.CreatedCount(project) != 2 {
				return fmt.Errorf("want main and one shared branch created, got %d", e.CreatedCount(project))
			}
			return env.CheckNoBranches("main")(s)
		},
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + one(1) + one(2),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("xata_branch.s1", tfjsonpath.New("id"), "xata_branch.s2", tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
}

// TestAccBranchResource_hungServerIsBounded: against a server that accepts
// requests and never answers, a refresh fails within timeouts.read, saying
// what it waited for, instead of retrying for minutes.
func TestAccBranchResource_hungServerIsBounded(t *testing.T) {
	acctest.RequireEmulator(t, "fault injection: a server that never answers")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	config := env.ProviderBlock() + `
resource "xata_branch" "main" {
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
  timeouts {
    read = "3s"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { env.Emu.SetFaults(xataemu.Faults{Latency: time.Hour}) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Xata Branch Refresh: Branch Lookup Failed.*deadline`),
			},
			{
				PreConfig: func() { env.Emu.SetFaults(xataemu.Faults{}) },
				Config:    config,
			},
		},
	})
}

// TestAccBranchResource_hibernateWithOtherChanges: hibernate = true
// together with settings applied after create (storage, replicas) creates,
// updates and settles each step at its own target instead of waiting for a
// hibernation that a storage change never brings.
func TestAccBranchResource_hibernateWithOtherChanges(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	env.SeedRoot(t, "main")
	// Bounded well below the default, so that a wait for the wrong target
	// fails; a real cluster takes minutes where the emulator takes
	// fractions of a second.
	timeout := "30s"
	if acctest.Contract != nil {
		timeout = "20m"
	}
	branch := func(hibernate bool, storage, replicas int) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "b" {
  name        = %q
  parent_name = %q
  hibernate   = %t
  storage     = %d
  replicas    = %d
  timeouts {
    create = %q
    update = %q
  }
}
`, env.Name("sleepy"), env.Name("main"), hibernate, storage, replicas, timeout, timeout)
	}
	status := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("xata_branch.b", tfjsonpath.New("status"), knownvalue.StringExact(want))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps: []resource.TestStep{
			{Config: branch(true, 20, 1), ConfigStateChecks: []statecheck.StateCheck{status(xataapi.StatusHibernated),
				statecheck.ExpectKnownValue("xata_branch.b", tfjsonpath.New("storage"), knownvalue.Int64Exact(20))}},
			{Config: branch(true, 30, 2), ConfigStateChecks: []statecheck.StateCheck{status(xataapi.StatusHibernated),
				statecheck.ExpectKnownValue("xata_branch.b", tfjsonpath.New("replicas"), knownvalue.Int64Exact(2))}},
			{Config: branch(false, 40, 0), ConfigStateChecks: []statecheck.StateCheck{status(xataapi.StatusHealthy)}},
			{Config: branch(true, 40, 1), ConfigStateChecks: []statecheck.StateCheck{status(xataapi.StatusHibernated)}},
		},
	})
}
