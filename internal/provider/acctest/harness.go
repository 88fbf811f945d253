// Package acctest is the provider's test harness, imported by the tests of
// every provider package: provider factories wired to an in-process Xata
// emulator (or, in a contract run, to an external endpoint: see
// contract.go), a PostgreSQL started once per test binary for the tests
// that need real databases, and the Terraform CLI settings
// terraform-plugin-testing needs on a machine without internet. It imports
// no service package: each test package hands Main the types it tests.
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// Main runs a test package's tests (call it from TestMain) with a provider
// serving services' types.
func Main(m *testing.M, services ...shared.Types) {
	served = services
	if err := setUpContract(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cleanup, err := prepareTerraformCLI()
	cliErr = err
	// OpenTofu reads a bare source, such as the examples' sandboxdb/xata, as
	// registry.opentofu.org/...: the provider under test must be served by
	// that name, which .ci/tools.sh sets only when OpenTofu is its CLI.
	if err == nil && os.Getenv("TF_ACC_PROVIDER_HOST") == "" && CurrentCLI().OpenTofu {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	code := m.Run()
	cleanup()
	stopSharedPostgres()
	os.Exit(code)
}

// served are the types of the provider the tests drive, set by Main.
var served []shared.Types

// cliErr says why no Terraform CLI is available; the tests that need one
// skip with it, the others (model, schema, settings) still run.
var cliErr error

// RequireCLI skips t when there is no Terraform CLI to drive.
func RequireCLI(t *testing.T) {
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

// SharedPostgres starts one PostgreSQL for the whole test binary; each
// emulator gets its own databases in it and drops them on Close.
func SharedPostgres(t *testing.T) *localpg.Server {
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

// Env is the Xata API one test runs against, and the provider wiring
// for it: an in-process emulator, or (in a contract run) the external
// endpoint the XATA_CONTRACT_* variables name.
type Env struct {
	// Emu is the in-process emulator, nil against an external endpoint;
	// tests that use it call RequireEmulator first.
	Emu *xataemu.Emulator
	API *xata.Client

	baseURL, apiKey, organizationID, projectID string
	// Region, InstanceType and image are what seeded and configured root
	// branches ask for: values the server offers.
	Region, InstanceType, Image string
	// Prefix starts the name of every branch the test creates: empty on
	// the emulator, which the test has to itself; a run- and test-unique
	// "tfc-…-" against an endpoint others may share.
	Prefix string
}

func (e *Env) URL() string            { return e.baseURL }
func (e *Env) APIKey() string         { return e.apiKey }
func (e *Env) OrganizationID() string { return e.organizationID }
func (e *Env) ProjectID() string      { return e.projectID }

// UseAPIKey makes the provider block and NewClient use key, as a test of
// another key's reach needs.
func (e *Env) UseAPIKey(key string) { e.apiKey = key }

// UseBaseURL makes the provider block and NewClient go through u, such as
// a proxy in front of the emulator.
func (e *Env) UseBaseURL(u string) { e.baseURL = u }

// Name is the branch name a test calls n: n itself on the emulator, n
// with the test's prefix against an endpoint. Every name a test creates
// goes through it, in HCL and in API calls alike.
func (e *Env) Name(n string) string { return e.Prefix + n }

// Unname is the name a test calls the branch named n by.
func (e *Env) Unname(n string) string { return strings.TrimPrefix(n, e.Prefix) }

// NameRegex is an RE2 regex for the names a test calls by names starting
// with start.
func (e *Env) NameRegex(start string) string { return "^" + regexp.QuoteMeta(e.Name(start)) }

// Scope is an HCL name_regex line that keeps a filter of the project's
// branches to this test's, or "" on the emulator, whose project holds
// nothing else.
func (e *Env) Scope() string {
	if e.Prefix == "" {
		return ""
	}
	return fmt.Sprintf("name_regex = %q\n", e.NameRegex(""))
}

type EnvOption func(*xataemu.Options)

// WithProvisionDelay sets how long the emulator takes to provision a
// branch; against an endpoint the server takes what it takes.
func WithProvisionDelay(d time.Duration) EnvOption {
	return func(o *xataemu.Options) { o.ProvisionDelay = d }
}

// WithQuota turns on the emulator's per-key request quota.
func WithQuota(q xataemu.Quota) EnvOption {
	return func(o *xataemu.Options) { o.Quota = q }
}

// WithCredentialsShape makes the emulator answer credentials as the
// hosted API or as the open-source server does.
func WithCredentialsShape(shape xataemu.CredentialsShape) EnvOption {
	return func(o *xataemu.Options) { o.CredentialsShape = shape }
}

// NewEnv starts an emulator for one test; withPostgres backs its
// branches with real databases. XATA_TEST_CREDENTIALS_SHAPE (hosted, the
// default, or open-source) picks the credentials answers of every
// emulator the suite starts; CI runs the suite under both.
//
// In a contract run it starts nothing: the test runs against the
// endpoint, its branches are named with a prefix of its own, and every
// branch with that prefix is deleted when the test ends, passed or
// failed. The options (emulator settings) do not apply there; tests whose
// checks rely on them call RequireEmulator first.
func NewEnv(t *testing.T, withPostgres bool, opts ...EnvOption) *Env {
	t.Helper()
	if Contract != nil {
		return newContractEnv(t)
	}
	shape, err := xataemu.ParseCredentialsShape(os.Getenv("XATA_TEST_CREDENTIALS_SHAPE"))
	if err != nil {
		t.Fatalf("XATA_TEST_CREDENTIALS_SHAPE: %v", err)
	}
	o := xataemu.Options{ProvisionDelay: 150 * time.Millisecond, UpdateDelay: 100 * time.Millisecond, CredentialsShape: shape}
	if withPostgres {
		pg := SharedPostgres(t)
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
	e := &Env{
		Emu: emu, baseURL: emu.URL(), apiKey: emu.APIKey(), organizationID: emu.OrganizationID(), projectID: emu.ProjectID(),
		Region: defaultContractRegion, InstanceType: defaultContractInstanceType, Image: defaultContractImage,
	}
	e.API = e.NewClient(t)
	return e
}

// ProviderBlock configures the provider for this test's API in HCL, so
// tests can run in parallel without sharing environment variables.
func (e *Env) ProviderBlock() string {
	return fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = %q
  project_id      = %q
}
`, e.URL(), e.APIKey(), e.OrganizationID(), e.ProjectID())
}

// RootHCL is a xata_branch resource at address creating root branch name
// (a test's name for it) with the region, instance type and image the
// server offers; extra lines go inside the block.
func (e *Env) RootHCL(address, name, extra string) string {
	return fmt.Sprintf(`
resource "xata_branch" %q {
  name          = %q
  region        = %q
  instance_type = %q
  image         = %q
%s}
`, address, e.Name(name), e.Region, e.InstanceType, e.Image, extra)
}

// MainHCL is xata_branch.main creating root branch "main".
func (e *Env) MainHCL() string { return e.RootHCL("main", "main", "") }

// Factories serves the provider in-process, with the waiter's polling
// shortened to the emulator's timescale.
func (e *Env) Factories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	return Factories(t)
}

// Factories serves the provider in-process; a test that asks for them
// drives a Terraform CLI, so it skips when there is none.
func Factories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	t.Helper()
	RequireCLI(t)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xata": providerserver.NewProtocol6WithError(&shared.Provider{
			Version:  "test",
			Services: served,
			Wait: xata.WaitOptions{
				MinInterval: 20 * time.Millisecond,
				MaxInterval: 200 * time.Millisecond,
				FaultGrace:  time.Second,
			},
		}),
	}
}

// SeedRoot creates a root branch behind Terraform's back, as one that
// exists before the configuration (main) or that another state left, and
// returns its id. Against an endpoint it waits until the branch is
// healthy, as a branch that existed before would be.
func (e *Env) SeedRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := e.API.CreateBranch(context.Background(), e.OrganizationID(), e.ProjectID(), xata.CreateBranchRequest{
		Name: e.Name(name), Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: e.Region, InstanceType: e.InstanceType, Image: e.Image},
	})
	if err != nil {
		t.Fatalf("seeding branch %q: %v", e.Name(name), err)
	}
	e.Settle(t, b.ID, xata.TargetHealthy)
	return b.ID
}

// Settle waits, against an endpoint, until a branch arranged behind
// Terraform's back reaches target; the emulators of the tests that arrange
// branches make them ready at once.
func (e *Env) Settle(t *testing.T, id string, target xata.WaitTarget) {
	t.Helper()
	if e.Emu != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), contractWait)
	defer cancel()
	if _, err := e.API.WaitForBranch(ctx, e.OrganizationID(), e.ProjectID(), id, target, xata.WaitOptions{}); err != nil {
		t.Fatalf("waiting for branch %s to be %s: %v", id, target, err)
	}
}

// DeleteBranch deletes a branch behind Terraform's back. An endpoint may
// delete asynchronously: there it waits until the branch is gone.
func (e *Env) DeleteBranch(t *testing.T, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), contractWait)
	defer cancel()
	if err := e.API.DeleteBranch(ctx, e.OrganizationID(), e.ProjectID(), id); err != nil {
		t.Fatalf("deleting branch %s out of band: %v", id, err)
	}
	for e.Emu == nil {
		_, err := e.API.GetBranch(ctx, e.OrganizationID(), e.ProjectID(), id)
		if xata.IsNotFound(err) {
			return
		}
		if err := sleepCtx(ctx, 2*time.Second); err != nil {
			t.Fatalf("branch %s is still there after its deletion", id)
		}
	}
}

// Client is a Xata API client on the test's API, for arranging and
// inspecting state behind Terraform's back.
func (e *Env) Client(*testing.T) *xata.Client { return e.API }

func (e *Env) NewClient(t *testing.T) *xata.Client {
	t.Helper()
	c, err := xata.NewClient(xata.Config{BaseURL: e.URL(), APIKey: e.APIKey(), UserAgent: "provider-tests"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// branches lists the test's branches through the API: the project's, or
// against an endpoint those with the test's prefix.
func (e *Env) branches(ctx context.Context) ([]xata.BranchListMetadata, error) {
	all, err := e.API.ListBranches(ctx, e.OrganizationID(), e.ProjectID())
	if err != nil {
		return nil, err
	}
	var out []xata.BranchListMetadata
	for _, b := range all {
		if strings.HasPrefix(b.Name, e.Prefix) {
			out = append(out, b)
		}
	}
	return out, nil
}

// BranchNames are the test's names of its branches that exist now, sorted.
func (e *Env) BranchNames(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bs, err := e.branches(ctx)
	if err != nil {
		t.Fatalf("listing the branches: %v", err)
	}
	var names []string
	for _, b := range bs {
		names = append(names, e.Unname(b.Name))
	}
	slices.Sort(names)
	return names
}

// BranchStatus is a check that the branch the test calls name has status
// type want on the server now (the state's status is as of the last read).
func (e *Env) BranchStatus(name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		found, err := e.API.FindBranchByName(ctx, e.OrganizationID(), e.ProjectID(), e.Name(name))
		if err != nil {
			return fmt.Errorf("branch %s: %w", e.Name(name), err)
		}
		b, err := e.API.GetBranch(ctx, e.OrganizationID(), e.ProjectID(), found.ID)
		if err != nil {
			return err
		}
		if got := b.Status.StatusType; got != want {
			return fmt.Errorf("branch %s is %s, want %s", e.Name(name), got, want)
		}
		return nil
	}
}

// CheckNoBranches is a CheckDestroy: none of the test's branches may be
// left but those it calls keep. An endpoint may delete asynchronously, so
// there the check waits a while for the branches to go.
func (e *Env) CheckNoBranches(keep ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		keepSet := map[string]bool{}
		for _, k := range keep {
			keepSet[e.Name(k)] = true
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
			if e.Emu != nil || sleepCtx(ctx, 2*time.Second) != nil {
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

// SignadotEnv is a Signadot emulator and the provider wiring for it.
type SignadotEnv struct {
	Emu *signadotemu.Emulator
}

// NewSignadotEnv starts a Signadot emulator for one test. A contract run
// skips the test: it reaches no Xata API.
func NewSignadotEnv(t *testing.T) *SignadotEnv {
	t.Helper()
	SkipAgainstEndpoint(t, "tests the Signadot side only")
	emu, err := signadotemu.New(signadotemu.Options{})
	if err != nil {
		t.Fatalf("starting the Signadot emulator: %v", err)
	}
	if _, err := emu.Start(); err != nil {
		t.Fatalf("serving the Signadot emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &SignadotEnv{Emu: emu}
}

// ProviderBlock configures only Signadot: a configuration that manages
// plugins needs no Xata settings.
func (e *SignadotEnv) ProviderBlock() string {
	return fmt.Sprintf(`
provider "xata" {
  signadot_api_url = %q
  signadot_api_key = %q
  signadot_org     = %q
}
`, e.Emu.URL(), e.Emu.APIKey(), e.Emu.Org())
}

func (e *SignadotEnv) Client(t *testing.T) *signadot.Client {
	t.Helper()
	c, err := signadot.NewClient(signadot.Config{APIURL: e.Emu.URL(), APIKey: e.Emu.APIKey(), Org: e.Emu.Org(), UserAgent: "provider-tests"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CheckNoPlugins is a CheckDestroy: no plugin version may be left.
func (e *SignadotEnv) CheckNoPlugins(*terraform.State) error {
	if left := e.Emu.Plugins(); len(left) > 0 {
		return fmt.Errorf("plugins left after destroy: %v", left)
	}
	return nil
}

// SeedExamplePlugin publishes the plugin the examples refer to: the runner
// image they name and one create step (importedPluginHCL in HCL).
func SeedExamplePlugin(t *testing.T, senv *SignadotEnv, name string) {
	t.Helper()
	if err := senv.Client(t).ApplyResourcePlugin(context.Background(), signadot.ResourcePlugin{
		Name: name,
		Spec: signadot.ResourcePluginSpec{
			Runner: signadot.Runner{Image: "ghcr.io/example/xata-branch-runner:1.0.0"},
			Create: []signadot.Step{{Name: "provision", Script: "#!/bin/bash\ntrue\n"}},
		},
	}); err != nil {
		t.Fatal(err)
	}
}

// cliInfo is what `<TF_ACC_TERRAFORM_PATH> version` says about the CLI.
type cliInfo struct {
	OpenTofu     bool
	Major, Minor int
}

// CurrentCLI reads the CLI's name and version once. OpenTofu's version
// numbers overlap Terraform's while its features differ, so both matter.
func CurrentCLI() cliInfo {
	cliInfoOnce.Do(func() {
		out, _ := exec.CommandContext(context.Background(), os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output()
		first, _, _ := strings.Cut(string(out), "\n")
		cli.OpenTofu = strings.HasPrefix(first, "OpenTofu")
		if m := regexp.MustCompile(`v(\d+)\.(\d+)\.`).FindStringSubmatch(first); m != nil {
			cli.Major, _ = strconv.Atoi(m[1])
			cli.Minor, _ = strconv.Atoi(m[2])
		}
	})
	return cli
}

var (
	cliInfoOnce sync.Once
	cli         cliInfo
)
