package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// exampleFixture is what an example in examples/ needs to exist before
// it is applied, as a user's project would have it.
type exampleFixture struct {
	mainBranch   bool // a root branch named "main" (the usual parent)
	plugin       bool // the xata-branch resource plugin
	variables    config.Variables
	realPostgres bool // the example connects to the branch
}

// examples lists every example the docs render; TestAccExamples fails if
// a new one is added without an entry, so none goes untested.
var examples = map[string]exampleFixture{
	"provider/provider.tf":                                              {},
	"resources/xata_branch/resource.tf":                                 {variables: config.Variables{"pr_number": config.IntegerVariable(42)}},
	"resources/signadot_resource_plugin/resource.tf":                    {},
	"data-sources/xata_branch/data-source.tf":                           {mainBranch: true},
	"data-sources/xata_branches/data-source.tf":                         {mainBranch: true},
	"data-sources/xata_branches/cleanup/main.tf":                        {mainBranch: true},
	"data-sources/signadot_resource_plugin/data-source.tf":              {plugin: true},
	"ephemeral-resources/xata_branch_credentials/ephemeral-resource.tf": {mainBranch: true, realPostgres: true},
}

// TestAccExamples applies every example file of the docs, unchanged, from
// an empty state, then destroys it, against the emulators. The provider
// is configured through the environment, as the examples assume; it runs
// under whichever CLI TF_ACC_TERRAFORM_PATH names (CI runs it under
// Terraform and OpenTofu).
func TestAccExamples(t *testing.T) {
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

func applyExample(t *testing.T, src string, fixture exampleFixture) {
	ctx := context.Background()
	xenv := newTestEnv(t, fixture.realPostgres, withProvisionDelay(-1)) // a fixture branch exists long before
	senv := newSignadotEnv(t)
	t.Setenv(envAPIKey, xenv.emu.APIKey())
	t.Setenv(envBaseURL, xenv.emu.URL())
	t.Setenv(envOrganizationID, xenv.emu.OrganizationID())
	t.Setenv(envProjectID, xenv.emu.ProjectID())
	t.Setenv(envConfigDir, t.TempDir())
	t.Setenv(envSignadotAPIKey, senv.emu.APIKey())
	t.Setenv(envSignadotOrg, senv.emu.Org())
	t.Setenv(envSignadotAPIURL, senv.emu.URL())

	keep := []string{}
	if fixture.mainBranch {
		xenv.seedRoot(t, "main")
		keep = append(keep, "main")
	}
	if fixture.plugin {
		if err := senv.client(t).ApplyResourcePlugin(ctx, signadot.ResourcePlugin{
			Name: "xata-branch",
			Spec: signadot.ResourcePluginSpec{
				Runner: signadot.Runner{Image: "ghcr.io/example/xata-branch-runner:1.0.0"},
				Create: []signadot.Step{{Name: "provision", Script: "#!/bin/bash\ntrue\n"}},
			},
		}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testFactories(t),
		CheckDestroy: func(s *terraform.State) error {
			if err := xenv.checkNoBranches(keep...)(s); err != nil {
				return err
			}
			if fixture.plugin {
				return nil // the fixture's own plugin stays
			}
			return senv.checkNoPlugins(s)
		},
		Steps: []resource.TestStep{{Config: src, ConfigVariables: fixture.variables}},
	})
}
