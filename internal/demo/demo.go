// Package demo runs the tutorial (and the shorter quickstart) end to end on
// one machine: a local PostgreSQL, the Xata and Signadot emulators, the
// provider built from this checkout, and the real Terraform CLI. It checks
// every expectation and fails on the first miss, so `make demo` doubles as
// a smoke test, and the e2e tests drive the same code.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/localpg"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// Options locate the tools and sources the demo uses.
type Options struct {
	RepoDir       string // checkout with main.go, examples/ (default: found from the working dir)
	TerraformPath string // terraform or tofu binary (default: TF_ACC_TERRAFORM_PATH, then PATH)
	PGBinDir      string // PostgreSQL binaries (default: localpg.FindBinDir)
	// ProvisionDelay is how long the emulated Xata takes to make a branch
	// healthy (default 2s, so the waiting shows).
	ProvisionDelay time.Duration
	// Quota is the emulated Xata's per-key request quota; zero is none.
	Quota xataemu.Quota
	Out   io.Writer
}

// RunQuickstart branches main with examples/quickstart, shows the copy and
// the isolation with psql, and destroys the branch.
func RunQuickstart(ctx context.Context, opts Options) (err error) {
	d, err := newRunner(opts)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := d.cleanup(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return d.quickstart(ctx)
}

type runner struct {
	Options
	work   string
	steps  int
	step   int
	pg     *localpg.Server
	emu    *xataemu.Emulator
	client *xata.Client // with the organization's all-access key, as its admin
	// project is where the branches are: the emulator's default project,
	// or the one the tutorial's baseline creates.
	project   string
	sd        *signadotemu.Emulator
	sdClient  *signadot.Client
	cliConfig string // Terraform CLI config with dev_overrides for this provider
	tfEnv     []string
	services  map[string]func() error // running users services, by name
	cleanups  []func() error
}

func newRunner(opts Options) (*runner, error) {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.ProvisionDelay == 0 {
		opts.ProvisionDelay = 2 * time.Second
	}
	if opts.RepoDir == "" {
		dir, err := findRepoDir()
		if err != nil {
			return nil, err
		}
		opts.RepoDir = dir
	}
	if opts.TerraformPath == "" {
		opts.TerraformPath = os.Getenv("TF_ACC_TERRAFORM_PATH")
	}
	if opts.TerraformPath == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				opts.TerraformPath = p
				break
			}
		}
	}
	if opts.TerraformPath == "" {
		return nil, errors.New("no terraform or tofu binary found: run `make demo`, which installs one")
	}
	if opts.PGBinDir == "" {
		dir, err := localpg.FindBinDir()
		if err != nil {
			return nil, err
		}
		opts.PGBinDir = dir
	}
	work, err := os.MkdirTemp("", "xata-demo-")
	if err != nil {
		return nil, err
	}
	r := &runner{Options: opts, work: work, services: map[string]func() error{}}
	r.cleanups = append(r.cleanups, func() error { return os.RemoveAll(work) })
	return r, nil
}

func findRepoDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "terraform-registry-manifest.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the demo from inside the provider's checkout")
		}
		dir = parent
	}
}

// cleanup undoes setup in reverse order: emulator (drops its databases),
// PostgreSQL, then the temp dir.
func (r *runner) cleanup() error {
	var errs []error
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, r.cleanups[i]())
	}
	return errors.Join(errs...)
}

func (r *runner) begin(title string) {
	r.step++
	fmt.Fprintf(r.Out, "\n==> [%d/%d] %s\n", r.step, r.steps, title)
}

func (r *runner) say(format string, args ...any) {
	fmt.Fprintf(r.Out, "    "+format+"\n", args...)
}

func (r *runner) quickstart(ctx context.Context) error {
	r.steps = 9
	start := time.Now()

	r.begin("Start PostgreSQL (the storage behind the emulated branches)")
	if err := r.startPostgres(ctx); err != nil {
		return err
	}

	r.begin("Start the Xata emulator")
	if err := r.startEmulator(false); err != nil {
		return err
	}

	r.begin("Create branch main and seed it with the users table and five users")
	mainURL, err := r.createMain(ctx)
	if err != nil {
		return err
	}
	for _, f := range []string{"schema.sql", "seed.sql"} {
		if _, err := r.psql(ctx, mainURL, "-f", filepath.Join(r.RepoDir, "examples", "tutorial", "db", f)); err != nil {
			return err
		}
	}
	if err := r.expectUsers(ctx, "main", mainURL, 5); err != nil {
		return err
	}

	r.begin("Build the provider into a local mirror Terraform installs it from")
	if err := r.prepareTerraform(ctx); err != nil {
		return err
	}

	r.begin("terraform apply examples/quickstart: branch main into quickstart")
	dir := filepath.Join(r.work, "quickstart")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(r.RepoDir, "examples", "quickstart"))); err != nil {
		return err
	}
	if _, err := r.terraform(ctx, dir, "init", "-input=false", "-no-color"); err != nil {
		return err
	}
	if _, err := r.terraform(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	branchURL, err := r.terraform(ctx, dir, "output", "-raw", "connection_string")
	if err != nil {
		return err
	}
	r.say("connection_string = %s", redactURL(branchURL))

	r.begin("The branch starts with main's data")
	if err := r.expectUsers(ctx, "quickstart", branchURL, 5); err != nil {
		return err
	}

	r.begin("Write to the branch; main does not see it")
	if _, err := r.psql(ctx, branchURL, "-c", "INSERT INTO users (name, email) VALUES ('Branch User', 'branch@example.com')"); err != nil {
		return err
	}
	if err := r.expectUsers(ctx, "quickstart", branchURL, 6); err != nil {
		return err
	}
	if err := r.expectUsers(ctx, "main", mainURL, 5); err != nil {
		return err
	}

	r.begin("terraform destroy")
	if _, err := r.terraform(ctx, dir, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}

	r.begin("Only main is left")
	branches, err := r.client.ListBranches(ctx, r.emu.OrganizationID(), r.project)
	if err != nil {
		return err
	}
	var names []string
	for _, b := range branches {
		names = append(names, b.Name)
	}
	r.say("branches: %s", strings.Join(names, ", "))
	if len(names) != 1 || names[0] != "main" {
		return fmt.Errorf("expected only main after destroy, found %v", names)
	}

	fmt.Fprintf(r.Out, "\nDemo passed in %s: the branch had main's five users, its sixth stayed in the branch, and destroy removed it.\n",
		time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (r *runner) startPostgres(ctx context.Context) error {
	pg, err := localpg.Start(ctx, localpg.Options{BinDir: r.PGBinDir})
	if err != nil {
		return err
	}
	r.pg = pg
	r.cleanups = append(r.cleanups, pg.Stop)
	r.say("PostgreSQL %s on 127.0.0.1:%d", filepath.Base(filepath.Dir(pg.BinDir())), pg.Port())
	return nil
}

// startEmulator starts the Xata emulator; emptyOrganization starts its
// organization with no project, as the tutorial's baseline expects.
func (r *runner) startEmulator(emptyOrganization bool) error {
	emu, err := xataemu.New(xataemu.Options{
		PostgresAdminURL:  r.pg.AdminURL(),
		PostgresBinDir:    r.pg.BinDir(),
		ProvisionDelay:    r.ProvisionDelay,
		Quota:             r.Quota,
		EmptyOrganization: emptyOrganization,
	})
	if err != nil {
		return err
	}
	if _, err := emu.Start(); err != nil {
		return err
	}
	r.emu = emu
	r.cleanups = append(r.cleanups, emu.Close)
	client, err := xata.NewClient(xata.Config{BaseURL: emu.URL(), APIKey: emu.APIKey(), UserAgent: "xata-demo"})
	if err != nil {
		return err
	}
	r.client = client
	r.project = emu.ProjectID()
	if emptyOrganization {
		r.say("Xata API at %s (organization %s, no project yet)", emu.URL(), emu.OrganizationID())
		return nil
	}
	r.say("Xata API at %s (organization %s, project %s)", emu.URL(), emu.OrganizationID(), emu.ProjectID())
	return nil
}

func (r *runner) createMain(ctx context.Context) (string, error) {
	org, project := r.emu.OrganizationID(), r.project
	b, err := r.client.CreateBranch(ctx, org, project, xata.CreateBranchRequest{
		Name: "main", Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: "us-east-1", InstanceType: "xata.micro", Image: "postgres:17.9"},
	})
	if err != nil {
		return "", err
	}
	if _, err := r.client.WaitForBranch(ctx, org, project, b.ID, xata.TargetHealthy, xata.WaitOptions{}); err != nil {
		return "", err
	}
	creds, err := r.client.GetBranchCredentials(ctx, org, project, b.ID)
	if err != nil {
		return "", err
	}
	r.say("main is %s", b.ID)
	return creds.ConnectionString, nil
}

// providerVersion is the version the demo publishes its build under.
const providerVersion = "0.1.0"

// prepareTerraform builds the provider into a local filesystem mirror, the
// way the runner image installs it, and writes a CLI config that uses only
// that mirror: terraform init works, and nothing is downloaded.
func (r *runner) prepareTerraform(ctx context.Context) error {
	mirror := filepath.Join(r.work, "providers")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	var first string
	// OpenTofu resolves sandboxdb/xata on its own registry host.
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		dir := filepath.Join(mirror, host, "sandboxdb", "xata", providerVersion, platform)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		bin := filepath.Join(dir, "terraform-provider-xata_v"+providerVersion)
		if first != "" {
			if err := os.Link(first, bin); err != nil {
				return err
			}
			continue
		}
		build := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X main.version="+providerVersion, "-o", bin, ".")
		build.Dir = r.RepoDir
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building the provider: %w\n%s", err, out)
		}
		first = bin
	}
	rc := filepath.Join(r.work, "terraformrc")
	r.cliConfig = rc
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		return err
	}
	r.tfEnv = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		"XATA_API_BASE_URL="+r.emu.URL(),
		"XATA_API_KEY="+r.emu.APIKey(),
		"XATA_ORGANIZATION_ID="+r.emu.OrganizationID(),
	)
	if r.project != "" {
		r.tfEnv = append(r.tfEnv, "XATA_PROJECT_ID="+r.project)
	}
	r.say("provider %s built into a local mirror; %s", providerVersion, firstLine(r.version(ctx)))
	return nil
}

func (r *runner) version(ctx context.Context) string {
	out, _ := exec.CommandContext(ctx, r.TerraformPath, "version").Output()
	return string(out)
}

// terraform runs the CLI in dir, streaming its output indented, and
// returns stdout for commands whose output is data (terraform output).
func (r *runner) terraform(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.TerraformPath, args...)
	cmd.Dir = dir
	cmd.Env = r.tfEnv
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if args[0] != "output" {
		for _, line := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
			if strings.TrimSpace(line) != "" {
				r.say("| %s", line)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// psql runs the real psql client, as the tutorial does.
func (r *runner) psql(ctx context.Context, connURL string, args ...string) (string, error) {
	all := append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", connURL}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(r.PGBinDir, "psql"), all...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %s: %w\n%s", redactURL(connURL), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func (r *runner) expectUsers(ctx context.Context, branch, connURL string, want int) error {
	out, err := r.psql(ctx, connURL, "-c", "SELECT count(*) FROM users")
	if err != nil {
		return err
	}
	got, err := strconv.Atoi(out)
	if err != nil {
		return fmt.Errorf("unexpected psql output %q", out)
	}
	r.say("psql %-10s SELECT count(*) FROM users  -> %d", branch, got)
	if got != want {
		return fmt.Errorf("branch %s has %d users, expected %d", branch, got, want)
	}
	return nil
}

// redactURL hides the password of a connection string before printing it.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return "<unprintable connection string>"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
