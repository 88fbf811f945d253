package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// exampleFixture is what an example in examples/ needs to exist before
// it is applied, as a user's project would have it.
type exampleFixture struct {
	mainBranch   bool // a root branch named "main" (the usual parent)
	project      bool // a project named "sandboxes"
	plugin       bool // the xata-branch resource plugin
	variables    config.Variables
	realPostgres bool // the example connects to the branch
	// terraform skips the example on Terraform older than it needs, when
	// that is newer than the 1.5 the docs claim.
	terraform tfversion.TerraformVersionCheck
}

// examples lists every example the docs render; TestAccExamples fails if
// a new one is added without an entry, so none goes untested.
var examples = map[string]exampleFixture{
	"provider/provider.tf":                                              {},
	"resources/xata_branch/resource.tf":                                 {variables: config.Variables{"pr_number": config.IntegerVariable(42)}},
	"resources/signadot_resource_plugin/resource.tf":                    {},
	"resources/xata_project/resource.tf":                                {},
	"resources/xata_api_key/resource.tf":                                {},
	"data-sources/xata_branch/data-source.tf":                           {mainBranch: true},
	"data-sources/xata_branches/data-source.tf":                         {mainBranch: true},
	"data-sources/xata_branches/cleanup/main.tf":                        {mainBranch: true, terraform: tfversion.SkipBelow(tfversion.Version1_7_0)}, // import blocks with for_each
	"data-sources/xata_project/data-source.tf":                          {project: true},
	"data-sources/xata_regions/data-source.tf":                          {},
	"data-sources/xata_images/data-source.tf":                           {},
	"data-sources/xata_instance_types/data-source.tf":                   {},
	"data-sources/xata_limits/data-source.tf":                           {},
	"data-sources/signadot_resource_plugin/data-source.tf":              {plugin: true},
	"ephemeral-resources/xata_branch_credentials/ephemeral-resource.tf": {mainBranch: true, realPostgres: true, terraform: tfversion.SkipBelow(tfversion.Version1_10_0)}, // ephemeral blocks
}

// TestAccExamples applies every example file of the docs, unchanged, from
// an empty state, then destroys it, against the emulators. The provider
// is configured through the environment, as the examples assume; it runs
// under whichever CLI TF_ACC_TERRAFORM_PATH names (CI runs it under
// Terraform and OpenTofu).
func TestAccExamples(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "applies the docs' examples as written, whose branch names cannot carry the run's prefix")
	root := filepath.Join("..", "..", "examples")
	var found []string
	for _, dir := range []string{"provider", "resources", "data-sources", "ephemeral-resources"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") && !strings.HasPrefix(d.Name(), "import") {
				rel, _ := filepath.Rel(root, p)
				found = append(found, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	for _, rel := range found {
		if _, ok := examples[rel]; !ok {
			t.Errorf("examples/%s has no entry in the examples table of this test, so it is not applied", rel)
		}
	}
	// The examples name the provider as the registry does.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "sandboxdb")
	for _, rel := range found {
		fixture, ok := examples[rel]
		if !ok {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Fatal(err)
			}
			applyExample(t, string(src), fixture)
		})
	}
}

// exampleEnv starts both emulators and configures the provider through
// the environment, as the examples assume.
func exampleEnv(t *testing.T, realPostgres bool) (*acctest.Env, *acctest.SignadotEnv) {
	xenv := acctest.NewEnv(t, realPostgres, acctest.WithProvisionDelay(-1)) // a fixture branch exists long before
	senv := acctest.NewSignadotEnv(t)
	t.Setenv(shared.EnvAPIKey, xenv.APIKey())
	t.Setenv(shared.EnvBaseURL, xenv.URL())
	t.Setenv(shared.EnvOrganizationID, xenv.OrganizationID())
	t.Setenv(shared.EnvProjectID, xenv.ProjectID())
	t.Setenv(shared.EnvConfigDir, t.TempDir())
	t.Setenv(shared.EnvSignadotAPIKey, senv.Emu.APIKey())
	t.Setenv(shared.EnvSignadotOrg, senv.Emu.Org())
	t.Setenv(shared.EnvSignadotAPIURL, senv.Emu.URL())
	return xenv, senv
}

func applyExample(t *testing.T, src string, fixture exampleFixture) {
	xenv, senv := exampleEnv(t, fixture.realPostgres)

	keep := []string{}
	if fixture.mainBranch {
		xenv.SeedRoot(t, "main")
		keep = append(keep, "main")
	}
	if fixture.plugin {
		acctest.SeedExamplePlugin(t, senv, "xata-branch")
	}
	var project string
	if fixture.project {
		p, err := xenv.API.CreateProject(context.Background(), xenv.OrganizationID(), xataapi.ProjectRequest{Name: new("sandboxes")})
		if err != nil {
			t.Fatal(err)
		}
		project = p.ID
	}
	rec := &acctest.WarningRecorder{}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   versionChecks(fixture.terraform),
		ProtoV6ProviderFactories: rec.Factories(t),
		CheckDestroy: func(s *terraform.State) error {
			if err := xenv.CheckNoBranches(keep...)(s); err != nil {
				return err
			}
			if err := xenv.CheckNoProjects(s); err != nil {
				return err
			}
			if err := xenv.CheckNoAPIKeys(s); err != nil {
				return err
			}
			if project != "" {
				left, err := xenv.API.ListBranches(context.Background(), xenv.OrganizationID(), project)
				if err != nil {
					return fmt.Errorf("listing the fixture's project: %w", err)
				}
				if len(left) > 0 {
					return fmt.Errorf("branches left in the fixture's project: %v", left)
				}
			}
			if fixture.plugin {
				return nil // the fixture's own plugin stays
			}
			return senv.CheckNoPlugins(s)
		},
		Steps: []resource.TestStep{{Config: src, ConfigVariables: fixture.variables}},
	})
	noWarnings(t, rec)
}

// versionChecks is a test case's checks of one check, or none when nil.
func versionChecks(check tfversion.TerraformVersionCheck) []tfversion.TerraformVersionCheck {
	if check == nil {
		return nil
	}
	return []tfversion.TerraformVersionCheck{check}
}

// noWarnings fails t if the provider warned while an example of the docs,
// a correct configuration, was planned, applied or destroyed: an example
// that warns teaches its readers to ignore warnings.
func noWarnings(t *testing.T, rec *acctest.WarningRecorder) {
	t.Helper()
	if warnings := rec.Take(); len(warnings) > 0 {
		t.Errorf("the example, a correct configuration, got warnings:\n\n%s", strings.Join(warnings, "\n\n"))
	}
}

// importExample is what an import example of the docs needs: the object
// it imports, made first, and the resource block a user writes (or
// generates) beside the import block.
type importExample struct {
	address  string
	resource string
	// placeholder, when set, is the example's made-up id, replaced by the
	// seeded object's id (an identity names an id, which the emulator picks).
	placeholder string
	plugin      bool // seeds the xata-branch@1.0.0 plugin
	project     bool // seeds a project "sandboxes"
	apiKey      bool // seeds the key importedAPIKeyHCL describes; none of these: a root branch "main"
	// terraform skips the example on Terraform older than it needs: 1.12
	// for an identity, 1.7 for an import block with a provider other than
	// the resource type's default (older ones look for hashicorp/signadot).
	terraform tfversion.TerraformVersionCheck
}

// rootBranchHCL is the resource block beside the branch import examples:
// the root "main" they import, as the emulator offers it (the examples run
// in-process only).
const rootBranchHCL = `
resource "xata_branch" "main" {
  name          = "main"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}
`

const importedAPIKeyHCL = `
resource "xata_api_key" "runner" {
  name   = "sandbox-runner-1"
  scopes = ["branch:write", "credentials:read"]
}
`

const importedPluginHCL = `
resource "signadot_resource_plugin" "xata_branch" {
  provider = xata
  name     = "xata-branch"
  version  = "1.0.0"
  runner   = { image = "ghcr.io/example/xata-branch-runner:1.0.0" }
  create   = [{ name = "provision", script = "#!/bin/bash\ntrue\n" }]
}
`

var importExamples = map[string]importExample{
	"resources/xata_branch/import-by-string-id.tf":                {address: "xata_branch.main", resource: rootBranchHCL},
	"resources/xata_branch/import-identity-block.tf":              {address: "xata_branch.main", resource: rootBranchHCL, placeholder: "k3v9q0m2p8d4r6t1b5n7c0f2a9", terraform: tfversion.SkipBelow(tfversion.Version1_12_0)},
	"resources/signadot_resource_plugin/import-by-string-id.tf":   {address: "signadot_resource_plugin.xata_branch", resource: importedPluginHCL, plugin: true, terraform: tfversion.SkipBelow(tfversion.Version1_7_0)},
	"resources/xata_project/import-by-string-id.tf":               {address: "xata_project.sandboxes", resource: "\nresource \"xata_project\" \"sandboxes\" {\n  name = \"sandboxes\"\n}\n", project: true},
	"resources/xata_api_key/import-by-string-id.tf":               {address: "xata_api_key.runner", resource: importedAPIKeyHCL, apiKey: true},
	"resources/signadot_resource_plugin/import-identity-block.tf": {address: "signadot_resource_plugin.xata_branch", resource: importedPluginHCL, plugin: true, terraform: tfversion.SkipBelow(tfversion.Version1_12_0)},
}

// TestAccImportExamples applies every import block of the docs, as
// written, beside the resource block it needs, against an object that
// exists: the plan imports it with no change, and the state holds the
// object that was there, not a new one.
func TestAccImportExamples(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "applies the docs' examples as written, whose branch names cannot carry the run's prefix")
	root := filepath.Join("..", "..", "examples")
	found, _ := filepath.Glob(filepath.Join(root, "resources", "*", "import*.tf"))
	for _, p := range found {
		rel, _ := filepath.Rel(root, p)
		if _, ok := importExamples[filepath.ToSlash(rel)]; !ok {
			t.Errorf("examples/%s has no entry in importExamples, so it is not applied", rel)
		}
	}
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "sandboxdb")
	for rel, ex := range importExamples {
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Fatal(err)
			}
			xenv, senv := exampleEnv(t, false)
			var wantID string
			switch {
			case ex.plugin:
				wantID = "xata-branch@1.0.0"
				acctest.SeedExamplePlugin(t, senv, wantID)
			case ex.project:
				p, err := xenv.API.CreateProject(context.Background(), xenv.OrganizationID(), xataapi.ProjectRequest{Name: new("sandboxes")})
				if err != nil {
					t.Fatal(err)
				}
				wantID = p.ID
			case ex.apiKey:
				k, err := xenv.API.CreateAPIKey(context.Background(), xenv.OrganizationID(), xataapi.CreateAPIKeyRequest{
					Name: "sandbox-runner-1", Scopes: []string{"branch:write", "credentials:read"},
				})
				if err != nil {
					t.Fatal(err)
				}
				wantID = k.ID
			default:
				wantID = xenv.SeedRoot(t, "main")
			}
			config := string(src)
			if ex.placeholder != "" {
				if strings.Count(config, ex.placeholder) != 1 {
					t.Fatalf("the example no longer holds its placeholder id %q once", ex.placeholder)
				}
				config = strings.Replace(config, ex.placeholder, wantID, 1)
			}
			rec := &acctest.WarningRecorder{}
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   versionChecks(ex.terraform),
				ProtoV6ProviderFactories: rec.Factories(t),
				CheckDestroy: func(s *terraform.State) error {
					if err := xenv.CheckNoBranches()(s); err != nil {
						return err
					}
					if err := xenv.CheckNoProjects(s); err != nil {
						return err
					}
					if err := xenv.CheckNoAPIKeys(s); err != nil {
						return err
					}
					return senv.CheckNoPlugins(s)
				},
				Steps: []resource.TestStep{{
					Config: config + ex.resource,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(ex.address, plancheck.ResourceActionNoop),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(ex.address, tfjsonpath.New("id"), knownvalue.StringExact(wantID)),
					},
				}},
			})
			noWarnings(t, rec)
		})
	}
}
