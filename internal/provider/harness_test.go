package provider

// The shared test harness: provider factories wired to an in-process Xata
// emulator (or, in a contract run, to an external endpoint: see
// harness_contract_test.go), a PostgreSQL started once per test binary for
// the tests that need real databases, and the Terraform CLI settings
// terraform-plugin-testing needs on a machine without internet.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/localpg"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

func TestMain(m *testing.M) {
	if err := setUpContract(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cleanup, err := prepareTerraformCLI()
	cliErr = err
	// OpenTofu reads a bare source, such as the examples' sandboxdb/xata, as
	// registry.opentofu.org/...: the provider under test must be served by
	// that name, which .ci/tools.sh sets only when OpenTofu is its CLI.
	if err == nil && os.Getenv("TF_ACC_PROVIDER_HOST") == "" && currentCLI().openTofu {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	code := m.Run()
	cleanup()
	stopSharedPostgres()
	os.Exit(code)
}

// cliErr says why no Terraform CLI is available; the tests that need one
// skip with it, the others (model, schema, settings) still run.
var cliErr error

// requireCLI skips t when there is no Terraform CLI to drive.
func requireCLI(t *testing.T) {
	t.Helper()
	if cliErr != nil {
		t.Skip(cliErr.Error())
	}
}

// prepareTerraformCLI makes terraform-plugin-testing use a local binary and
// a CLI config that exists: a missing TF_CLI_CONFIG_FILE makes some CLIs
// print a warning that breaks the version check, and nothing may be
// downloaded.
// It returns a cleanup that removes what it wrote.
func prepareTerraformCLI() (cleanup func(), err error) {
	cleanup = func() {}
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f == "" || !fileExists(f) {
		dir, err := os.MkdirTemp("", "xata-tfcli-")
		if err != nil {
			return cleanup, err
		}
		cleanup = func() { _ = os.RemoveAll(dir) }
		cfg := filepath.Join(dir, "terraformrc")
		if err := os.WriteFile(cfg, []byte("# written by the provider tests\n"), 0o600); err != nil {
			return cleanup, err
		}
		os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	}
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if !fileExists(p) {
			return cleanup, fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s does not exist", p)
		}
		return cleanup, nil
	}
	// Unit tests of plan-time validation run the CLI too, TF_ACC or not.
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			os.Setenv("TF_ACC_TERRAFORM_PATH", p)
			return cleanup, nil
		}
	}
	return cleanup, fmt.Errorf("no terraform or tofu binary was found, and tests never download one; run `make test`, " +
		"which installs one, or set TF_ACC_TERRAFORM_PATH")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var (
	sharedPG     *localpg.Server
	sharedPGErr  error
	sharedPGOnce sync.Once
)

// sharedPostgres starts one PostgreSQL for the whole test binary; each
// emulator gets its own databases in it and drops them on Close.
func sharedPostgres(t *testing.T) *localpg.Server {
	t.Helper()
	sharedPGOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedPG, sharedPGErr = localpg.Start(ctx, localpg.Options{})
	})
	if sharedPGErr != nil {
		t.Fatalf("PostgreSQL is needed for this test and could not be started (run `make test`, which installs it): %v", sharedPGErr)
	}
	return sharedPG
}

func stopSharedPostgres() {
	if sharedPG != nil {
		_ = sharedPG.Stop()
	}
}

// testEnv is the Xata API one test runs against, and the provider wiring
// for it: an in-process emulator, or (in a contract run) the external
// endpoint the XATA_CONTRACT_* variables name.
type testEnv struct {
	// emu is the in-process emulator, nil against an external endpoint;
	// tests that use it call requireEmulator first.
	emu *xataemu.Emulator
	api *xata.Client

	baseURL, apiKey, organizationID, projectID string
	// region, instanceType and image are what seeded and configured root
	// branches ask for: values the server offers.
	region, instanceType, image string
	// prefix starts the name of every branch the test creates: empty on
	// the emulator, which the test has to itself; a run- and test-unique
	// "tfc-…-" against an endpoint others may share.
	prefix string
}

func (e *testEnv) URL() string            { return e.baseURL }
func (e *testEnv) APIKey() string         { return e.apiKey }
func (e *testEnv) OrganizationID() string { return e.organizationID }
func (e *testEnv) ProjectID() string      { return e.projectID }

// name is the branch name a test calls n: n itself on the emulator, n
// with the test's prefix against an endpoint. Every name a test creates
// goes through it, in HCL and in API calls alike.
func (e *testEnv) name(n string) string { return e.prefix + n }

// unname is the name a test calls the branch named n by.
func (e *testEnv) unname(n string) string { return strings.TrimPrefix(n, e.prefix) }

// nameRegex is an RE2 regex for the names a test calls by names starting
// with start.
func (e *testEnv) nameRegex(start string) string { return "^" + regexp.QuoteMeta(e.name(start)) }

// scope is an HCL name_regex line that keeps a filter of the project's
// branches to this test's, or "" on the emulator, whose project holds
// nothing else.
func (e *testEnv) scope() string {
	if e.prefix == "" {
		return ""
	}
	return fmt.Sprintf("name_regex = %q\n", e.nameRegex(""))
}

type envOption func(*xataemu.Options)

// withProvisionDelay sets how long the emulator takes to provision a
// branch; against an endpoint the server takes what it takes.
func withProvisionDelay(d time.Duration) envOption {
	return func(o *xataemu.Options) { o.ProvisionDelay = d }
}

// withQuota turns on the emulator's per-key request quota.
func withQuota(q xataemu.Quota) envOption {
	return func(o *xataemu.Options) { o.Quota = q }
}

// withCredentialsShape makes the emulator answer credentials as the
// hosted API or as the open-source server does.
func withCredentialsShape(shape xataemu.CredentialsShape) envOption {
	return func(o *xataemu.Options) { o.CredentialsShape = shape }
}

// newTestEnv starts an emulator for one test; withPostgres backs its
// branches with real databases. XATA_TEST_CREDENTIALS_SHAPE (hosted, the
// default, or open-source) picks the credentials answers of every
// emulator the suite starts; CI runs the suite under both.
//
// In a contract run it starts nothing: the test runs against the
// endpoint, its branches are named with a prefix of its own, and every
// branch with that prefix is deleted when the test ends, passed or
// failed. The options (emulator settings) do not apply there; tests whose
// checks rely on them call requireEmulator first.
func newTestEnv(t *testing.T, withPostgres bool, opts ...envOption) *testEnv {
	t.Helper()
	if contract != nil {
		return newContractEnv(t)
	}
	shape, err := xataemu.ParseCredentialsShape(os.Getenv("XATA_TEST_CREDENTIALS_SHAPE"))
	if err != nil {
		t.Fatalf("XATA_TEST_CREDENTIALS_SHAPE: %v", err)
	}
	o := xataemu.Options{ProvisionDelay: 150 * time.Millisecond, UpdateDelay: 100 * time.Millisecond, CredentialsShape: shape}
	if withPostgres {
		pg := sharedPostgres(t)
		o.PostgresAdminURL = pg.AdminURL()
		o.PostgresBinDir = pg.BinDir()
	}
	for _, opt := range opts {
		opt(&o)
	}
	emu, err := xataemu.New(o)
	if err != nil {
		t.Fatalf("starting the Xata emulator: %v", err)
	}
	if _, err := emu.Start(); err != nil {
		t.Fatalf("serving the Xata emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	e := &testEnv{
		emu: emu, baseURL: emu.URL(), apiKey: emu.APIKey(), organizationID: emu.OrganizationID(), projectID: emu.ProjectID(),
		region: defaultContractRegion, instanceType: defaultContractInstanceType, image: defaultContractImage,
	}
	e.api = e.newClient(t)
	return e
}

// providerBlock configures the provider for this test's API in HCL, so
// tests can run in parallel without sharing environment variables.
func (e *testEnv) providerBlock() string {
	return fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = %q
  project_id      = %q
}
`, e.URL(), e.APIKey(), e.OrganizationID(), e.ProjectID())
}

// rootHCL is a xata_branch resource at address creating root branch name
// (a test's name for it) with the region, instance type and image the
// server offers; extra lines go inside the block.
func (e *testEnv) rootHCL(address, name, extra string) string {
	return fmt.Sprintf(`
resource "xata_branch" %q {
  name          = %q
  region        = %q
  instance_type = %q
  image         = %q
%s}
`, address, e.name(name), e.region, e.instanceType, e.image, extra)
}

// mainHCL is xata_branch.main creating root branch "main".
func (e *testEnv) mainHCL() string { return e.rootHCL("main", "main", "") }

// factories serves the provider in-process, with the waiter's polling
// shortened to the emulator's timescale.
func (e *testEnv) factories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	return testFactories(t)
}

// testFactories serves the provider in-process; a test that asks for them
// drives a Terraform CLI, so it skips when there is none.
func testFactories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	t.Helper()
	requireCLI(t)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xata": providerserver.NewProtocol6WithError(&xataProvider{
			version: "test",
			wait: xata.WaitOptions{
				MinInterval: 20 * time.Millisecond,
				MaxInterval: 200 * time.Millisecond,
				FaultGrace:  time.Second,
			},
		}),
	}
}

// seedRoot creates a root branch behind Terraform's back, as one that
// exists before the configuration (main) or that another state left, and
// returns its id. Against an endpoint it waits until the branch is
// healthy, as a branch that existed before would be.
func (e *testEnv) seedRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := e.api.CreateBranch(context.Background(), e.OrganizationID(), e.ProjectID(), xata.CreateBranchRequest{
		Name: e.name(name), Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: e.region, InstanceType: e.instanceType, Image: e.image},
	})
	if err != nil {
		t.Fatalf("seeding branch %q: %v", e.name(name), err)
	}
	e.settle(t, b.ID, xata.TargetHealthy)
	return b.ID
}

// settle waits, against an endpoint, until a branch arranged behind
// Terraform's back reaches target; the emulators of the tests that arrange
// branches make them ready at once.
func (e *testEnv) settle(t *testing.T, id string, target xata.WaitTarget) {
	t.Helper()
	if e.emu != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), contractWait)
	defer cancel()
	if _, err := e.api.WaitForBranch(ctx, e.OrganizationID(), e.ProjectID(), id, target, xata.WaitOptions{}); err != nil {
		t.Fatalf("waiting for branch %s to be %s: %v", id, target, err)
	}
}

// deleteBranch deletes a branch behind Terraform's back. An endpoint may
// delete asynchronously: there it waits until the branch is gone.
func (e *testEnv) deleteBranch(t *testing.T, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), contractWait)
	defer cancel()
	if err := e.api.DeleteBranch(ctx, e.OrganizationID(), e.ProjectID(), id); err != nil {
		t.Fatalf("deleting branch %s out of band: %v", id, err)
	}
	for e.emu == nil {
		_, err := e.api.GetBranch(ctx, e.OrganizationID(), e.ProjectID(), id)
		if xata.IsNotFound(err) {
			return
		}
		if err := sleepCtx(ctx, 2*time.Second); err != nil {
			t.Fatalf("branch %s is still there after its deletion", id)
		}
	}
}

// client is a Xata API client on the test's API, for arranging and
// inspecting state behind Terraform's back.
func (e *testEnv) client(*testing.T) *xata.Client { return e.api }

func (e *testEnv) newClient(t *testing.T) *xata.Client {
	t.Helper()
	c, err := xata.NewClient(xata.Config{BaseURL: e.URL(), APIKey: e.APIKey(), UserAgent: "provider-tests"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// branches lists the test's branches through the API: the project's, or
// against an endpoint those with the test's prefix.
func (e *testEnv) branches(ctx context.Context) ([]xata.BranchListMetadata, error) {
	all, err := e.api.ListBranches(ctx, e.OrganizationID(), e.ProjectID())
	if err != nil {
		return nil, err
	}
	var out []xata.BranchListMetadata
	for _, b := range all {
		if strings.HasPrefix(b.Name, e.prefix) {
			out = append(out, b)
		}
	}
	return out, nil
}

// branchNames are the test's names of its branches that exist now, sorted.
func (e *testEnv) branchNames(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bs, err := e.branches(ctx)
	if err != nil {
		t.Fatalf("listing the branches: %v", err)
	}
	var names []string
	for _, b := range bs {
		names = append(names, e.unname(b.Name))
	}
	slices.Sort(names)
	return names
}

// branchStatus is a check that the branch the test calls name has status
// type want on the server now (the state's status is as of the last read).
func (e *testEnv) branchStatus(name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		found, err := e.api.FindBranchByName(ctx, e.OrganizationID(), e.ProjectID(), e.name(name))
		if err != nil {
			return fmt.Errorf("branch %s: %w", e.name(name), err)
		}
		b, err := e.api.GetBranch(ctx, e.OrganizationID(), e.ProjectID(), found.ID)
		if err != nil {
			return err
		}
		if got := b.Status.StatusType; got != want {
			return fmt.Errorf("branch %s is %s, want %s", e.name(name), got, want)
		}
		return nil
	}
}

// checkNoBranches is a CheckDestroy: none of the test's branches may be
// left but those it calls keep. An endpoint may delete asynchronously, so
// there the check waits a while for the branches to go.
func (e *testEnv) checkNoBranches(keep ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		keepSet := map[string]bool{}
		for _, k := range keep {
			keepSet[e.name(k)] = true
		}
		ctx, cancel := context.WithTimeout(context.Background(), contractWait)
		defer cancel()
		for {
			bs, err := e.branches(ctx)
			if err != nil {
				return fmt.Errorf("listing the branches left after destroy: %w", err)
			}
			var left []string
			for _, b := range bs {
				if !keepSet[b.Name] {
					left = append(left, fmt.Sprintf("%s (%s)", b.Name, b.ID))
				}
			}
			if len(left) == 0 {
				return nil
			}
			if e.emu != nil || sleepCtx(ctx, 2*time.Second) != nil {
				return fmt.Errorf("branches still exist after destroy: %s", strings.Join(left, ", "))
			}
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// signadotEnv is a Signadot emulator and the provider wiring for it.
type signadotEnv struct {
	emu *signadotemu.Emulator
}

// newSignadotEnv starts a Signadot emulator for one test. A contract run
// skips the test: it reaches no Xata API.
func newSignadotEnv(t *testing.T) *signadotEnv {
	t.Helper()
	skipAgainstEndpoint(t, "tests the Signadot side only")
	emu, err := signadotemu.New(signadotemu.Options{})
	if err != nil {
		t.Fatalf("starting the Signadot emulator: %v", err)
	}
	if _, err := emu.Start(); err != nil {
		t.Fatalf("serving the Signadot emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &signadotEnv{emu: emu}
}

// providerBlock configures only Signadot: a configuration that manages
// plugins needs no Xata settings.
func (e *signadotEnv) providerBlock() string {
	return fmt.Sprintf(`
provider "xata" {
  signadot_api_url = %q
  signadot_api_key = %q
  signadot_org     = %q
}
`, e.emu.URL(), e.emu.APIKey(), e.emu.Org())
}

func (e *signadotEnv) client(t *testing.T) *signadot.Client {
	t.Helper()
	c, err := signadot.NewClient(signadot.Config{APIURL: e.emu.URL(), APIKey: e.emu.APIKey(), Org: e.emu.Org(), UserAgent: "provider-tests"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkNoPlugins is a CheckDestroy: no plugin version may be left.
func (e *signadotEnv) checkNoPlugins(*terraform.State) error {
	if left := e.emu.Plugins(); len(left) > 0 {
		return fmt.Errorf("plugins left after destroy: %v", left)
	}
	return nil
}
