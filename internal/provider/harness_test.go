package provider

// The shared test harness: provider factories wired to an in-process Xata
// emulator, a PostgreSQL started once per test binary for the tests that
// need real databases, and the Terraform CLI settings terraform-plugin-testing
// needs on a machine without internet.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/localpg"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

func TestMain(m *testing.M) {
	cleanup, err := prepareTerraformCLI()
	cliErr = err
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

// testEnv is one emulator and the provider wiring for it.
type testEnv struct {
	emu *xataemu.Emulator
}

type envOption func(*xataemu.Options)

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
func newTestEnv(t *testing.T, withPostgres bool, opts ...envOption) *testEnv {
	t.Helper()
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
	return &testEnv{emu: emu}
}

// providerBlock configures the provider for this emulator in HCL, so tests
// can run in parallel without sharing environment variables.
func (e *testEnv) providerBlock() string {
	return fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = %q
  project_id      = %q
}
`, e.emu.URL(), e.emu.APIKey(), e.emu.OrganizationID(), e.emu.ProjectID())
}

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
// returns its id.
func (e *testEnv) seedRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := e.client(t).CreateBranch(context.Background(), e.emu.OrganizationID(), e.emu.ProjectID(), xata.CreateBranchRequest{
		Name: name, Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: "us-east-1", InstanceType: "xata.micro", Image: "postgres:17.9"},
	})
	if err != nil {
		t.Fatalf("seeding branch %q: %v", name, err)
	}
	return b.ID
}

// client is a Xata API client on the emulator, for arranging and
// inspecting state behind Terraform's back.
func (e *testEnv) client(t *testing.T) *xata.Client {
	t.Helper()
	c, err := xata.NewClient(xata.Config{BaseURL: e.emu.URL(), APIKey: e.emu.APIKey(), UserAgent: "provider-tests"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkNoBranches is a CheckDestroy: nothing may be left in the emulator.
func (e *testEnv) checkNoBranches(keep ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		keepSet := map[string]bool{}
		for _, k := range keep {
			keepSet[k] = true
		}
		for _, b := range e.emu.Branches(e.emu.ProjectID()) {
			if !keepSet[b.Name] {
				return fmt.Errorf("branch %s (%s) still exists after destroy", b.Name, b.ID)
			}
		}
		return nil
	}
}

// signadotEnv is a Signadot emulator and the provider wiring for it.
type signadotEnv struct {
	emu *signadotemu.Emulator
}

func newSignadotEnv(t *testing.T) *signadotEnv {
	t.Helper()
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
