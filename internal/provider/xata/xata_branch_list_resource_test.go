package xata

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// skipOpenTofu is a version check for features only Terraform has:
// `terraform query` and actions (OpenTofu 1.12 has neither).
type skipOpenTofu struct{ feature string }

func (s skipOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if acctest.CurrentCLI().OpenTofu {
		resp.Skip = "OpenTofu does not support " + s.feature + "; set TF_ACC_TERRAFORM_PATH to Terraform 1.14 or later to run this test"
	}
}

// terraform114 are the checks of tests that need Terraform 1.14+ for
// feature (query, actions): they skip under older CLIs and OpenTofu.
func terraform114(feature string) []tfversion.TerraformVersionCheck {
	return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0), skipOpenTofu{feature}}
}

// requireTerraform114 skips a test that drives the CLI itself unless it
// is Terraform 1.14 or later.
func requireTerraform114(t *testing.T, feature string) {
	t.Helper()
	acctest.RequireCLI(t)
	if c := acctest.CurrentCLI(); c.OpenTofu || c.Major < 1 || (c.Major == 1 && c.Minor < 14) {
		t.Skipf("%s needs Terraform 1.14 or later, and %s is not; set TF_ACC_TERRAFORM_PATH to run this test",
			feature, os.Getenv("TF_ACC_TERRAFORM_PATH"))
	}
}

// providerBinary builds the provider into a directory of t's, for the
// tests that run the CLI as a user would: with a dev_overrides CLI
// config. The packages are compiled already, so this is mostly a link.
func providerBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(dir, "terraform-provider-xata"), ".")
	cmd.Dir = filepath.Join("..", "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// cliWorkdir is a configuration directory run with the real CLI and the
// provider built by providerBinary, as sandboxdb/xata.
type cliWorkdir struct {
	t   *testing.T
	dir string
	env []string
}

func newCLIWorkdir(t *testing.T) *cliWorkdir {
	t.Helper()
	bin := providerBinary(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "sandboxdb/xata" = %q
  }
  direct {}
}
`, bin), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &cliWorkdir{t: t, dir: dir, env: env}
}

func (w *cliWorkdir) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI with args and returns its output, which it logs as a
// transcript; a failure fails the test.
func (w *cliWorkdir) run(args ...string) string {
	w.t.Helper()
	out := w.quiet(args...)
	w.t.Logf("$ terraform %s\n%s", strings.Join(args, " "), out)
	return out
}

// fail runs the CLI with args, which must fail, and returns its output.
func (w *cliWorkdir) fail(args ...string) string {
	w.t.Helper()
	out, err := w.exec(args...)
	w.t.Logf("$ terraform %s\n%s", strings.Join(args, " "), out)
	if err == nil {
		w.t.Fatalf("terraform %s succeeded; it should have failed", strings.Join(args, " "))
	}
	return out
}

// quiet is run without the log, for output that holds secrets (JSON
// plans show sensitive values).
func (w *cliWorkdir) quiet(args ...string) string {
	w.t.Helper()
	out, err := w.exec(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (w *cliWorkdir) exec(args ...string) (string, error) {
	withFlags := append([]string{args[0], "-no-color"}, args[1:]...)
	cmd := exec.CommandContext(context.Background(), os.Getenv("TF_ACC_TERRAFORM_PATH"), withFlags...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAccBranchListResource_query lists with each kind of filter, checks
// identities, display names and full objects (without credentials), a
// limit, and plan-time refusal of a bad filter.
func TestAccBranchListResource_query(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	org, project := env.OrganizationID(), env.ProjectID()
	firstTwoScope := ""
	if s := env.Scope(); s != "" {
		firstTwoScope = "  config {\n    " + s + "  }\n"
	}
	identity := func(name string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"organization_id": knownvalue.StringExact(org),
			"project_id":      knownvalue.StringExact(project),
			"id":              knownvalue.StringExact(seeded.IDs[name]),
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114("terraform query"),
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{Config: env.ProviderBlock() + `data "xata_branches" "all" {}`},
			{
				// The provider block is the configuration's, from the first
				// step. Against an endpoint the limit applies to this
				// test's branches (env.scope).
				Query: true,
				Config: fmt.Sprintf(`
list "xata_branch" "sandboxes" {
  provider = xata
  config {
    name_regex = %q
  }
}

list "xata_branch" "hibernated" {
  provider         = xata
  include_resource = true
  config {
    parent_id = %q
    status    = "STATUS_TYPE_HIBERNATED"
  }
}

list "xata_branch" "first_two" {
  provider = xata
  limit    = 2
%s}
`, env.NameRegex("sb-"), seeded.IDs["main"], firstTwoScope),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("xata_branch.sandboxes", 2),
					querycheck.ExpectIdentity("xata_branch.sandboxes", identity("sb-1")),
					querycheck.ExpectIdentity("xata_branch.sandboxes", identity("sb-2")),
					querycheck.ExpectResourceDisplayName("xata_branch.sandboxes", queryfilter.ByResourceIdentity(identity("sb-1")), knownvalue.StringExact(env.Name("sb-1"))),
					querycheck.ExpectLength("xata_branch.hibernated", 1),
					querycheck.ExpectResourceKnownValues("xata_branch.hibernated", queryfilter.ByResourceIdentity(identity("sb-2")), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(env.Name("sb-2"))},
						{Path: tfjsonpath.New("parent_id"), KnownValue: knownvalue.StringExact(seeded.IDs["main"])},
						{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact(xataapi.StatusHibernated)},
						{Path: tfjsonpath.New("region"), KnownValue: knownvalue.StringExact(env.Region)},
						{Path: tfjsonpath.New("image"), KnownValue: knownvalue.StringExact(env.Image)},
						{Path: tfjsonpath.New("organization_id"), KnownValue: knownvalue.StringExact(org)},
						{Path: tfjsonpath.New("parent_name"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("password"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("connection_string"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("database"), KnownValue: knownvalue.Null()},
					}),
					querycheck.ExpectLength("xata_branch.first_two", 2),
					querycheck.ExpectIdentity("xata_branch.first_two", identity("main")),
					querycheck.ExpectIdentity("xata_branch.first_two", identity("other")),
				},
			},
			{
				Query: true,
				Config: `
list "xata_branch" "bad" {
  provider = xata
  config {
    name_regex = "sb-("
  }
}
`,
				ExpectError: regexp.MustCompile(`Invalid Xata Branch Name Regex`),
			},
		},
	})
}

// TestAccBranchListResource_cleanupRecipe runs the documented cleanup of
// orphaned branches with the real CLI and the built provider:
// `terraform query -generate-config-out` writes import blocks and resource
// blocks that plan as imports with no changes; applying imports them;
// deleting the generated file and applying again destroys exactly them.
func TestAccBranchListResource_cleanupRecipe(t *testing.T) {
	requireTerraform114(t, "terraform query")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	w := newCLIWorkdir(t)
	w.write("main.tf", env.MainTF())
	w.write("orphans.tfquery.hcl", fmt.Sprintf(`list "xata_branch" "orphans" {
  provider = xata
  config {
    name_regex = %q
  }
}
`, env.NameRegex("sb-")))
	w.run("init", "-input=false")
	w.run("query", "-generate-config-out=orphans.tf")
	generated, err := os.ReadFile(filepath.Join(w.dir, "orphans.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("orphans.tf:\n%s", generated)
	for _, name := range []string{"sb-1", "sb-2"} {
		if !strings.Contains(string(generated), seeded.IDs[name]) || !strings.Contains(string(generated), fmt.Sprintf("%q", env.Name(name))) {
			t.Errorf("generated configuration lacks %s (%s):\n%s", name, seeded.IDs[name], generated)
		}
	}
	if !strings.Contains(string(generated), "identity") || strings.Contains(string(generated), "password") {
		t.Errorf("generated configuration should import by identity and hold no credentials:\n%s", generated)
	}

	w.run("plan", "-input=false", "-out=import.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string `json:"actions"`
				Importing any      `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(w.quiet("show", "-json", "import.tfplan")), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.ResourceChanges) != 2 {
		t.Errorf("plan has %d resource changes, want the 2 imports", len(plan.ResourceChanges))
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Importing == nil || !slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			t.Errorf("%s: actions %v, importing %v; want a no-op import", rc.Address, rc.Change.Actions, rc.Change.Importing)
		}
	}
	w.run("apply", "-input=false", "import.tfplan")

	if err := os.Remove(filepath.Join(w.dir, "orphans.tf")); err != nil {
		t.Fatal(err)
	}
	out := w.run("apply", "-input=false", "-auto-approve")
	if !strings.Contains(out, "2 destroyed") {
		t.Errorf("the cleanup apply should destroy the 2 imported branches:\n%s", out)
	}
	if left, want := env.BranchNames(t), []string{"main", "other", "pr-7"}; !slices.Equal(left, want) {
		t.Errorf("after the cleanup the project has %v, want %v", left, want)
	}
}

// exampleWorkdir is a CLI workdir holding the files of one example
// directory of the docs, which declare the provider themselves; the
// provider is configured through the environment as the examples assume,
// on a project whose only branch is a root "main".
func exampleWorkdir(t *testing.T, env *acctest.Env, dir string) *cliWorkdir {
	t.Helper()
	env.SeedRoot(t, "main")
	files, err := os.ReadDir(filepath.Join("..", "..", "..", "examples", dir))
	if err != nil {
		t.Fatal(err)
	}
	w := newCLIWorkdir(t)
	w.env = append(w.env, shared.EnvAPIKey+"="+env.APIKey(), shared.EnvBaseURL+"="+env.URL(),
		shared.EnvOrganizationID+"="+env.OrganizationID(), shared.EnvProjectID+"="+env.ProjectID(), shared.EnvConfigDir+"="+t.TempDir())
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w.write(f.Name(), string(src))
	}
	w.run("init", "-input=false")
	return w
}

// TestAccBranchListResource_example runs the docs' list example with
// `terraform query`: the stale sandboxes (none here: every branch is new)
// and the hibernated branches, with their attributes.
func TestAccBranchListResource_example(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "runs the docs' example as written, whose branch names cannot carry the run's prefix")
	requireTerraform114(t, "terraform query")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	w := exampleWorkdir(t, env, "list-resources/xata_branch")
	c := env.Client(t)
	created, err := c.CreateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), xataapi.CreateBranchRequest{
		Name: "sb-asleep", Mode: xataapi.ModeInherit, ParentID: env.Emu.Branches(env.ProjectID())[0].ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	hibernate := true
	if _, err := c.UpdateBranch(context.Background(), env.OrganizationID(), env.ProjectID(), created.ID, xataapi.UpdateBranchRequest{Hibernate: &hibernate}); err != nil {
		t.Fatal(err)
	}
	out := w.run("query")
	if !regexp.MustCompile(`list\.xata_branch\.hibernated\s+id=` + created.ID + `,.*sb-asleep`).MatchString(out) {
		t.Errorf("the query should list sb-asleep as hibernated")
	}
	if strings.Contains(out, "list.xata_branch.stale_sandboxes ") {
		t.Errorf("no branch is three days old, yet stale_sandboxes listed one")
	}
}
