// Package bench measures the provider against Terraform's own floor: each
// figure is a ratio of the provider's time to that of a configuration that
// does the same waiting with nothing but a built-in or a minimal provider
// (hashicorp/time's time_sleep, terraform_data), measured side by side in
// one run on the same machine. It prints figures and never fails on them:
// timing belongs in a benchmark, not in a test.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// Options configure a run.
type Options struct {
	RepoDir       string   // the checkout to build the provider from
	TerraformPath string   // terraform or tofu
	Repeats       int      // runs per measurement; the median is reported
	CacheDir      string   // where hashicorp/time is built once
	Only          []string // row groups to measure (readiness, gateway, plan, validate, quota, economy, fleet); all when empty
	Out           io.Writer
}

// releaseLDFlags strip the symbol table and DWARF, as both providers'
// release builds (.goreleaser.yml here and in hashicorp/time) do: the
// figures are for the binaries users run.
const releaseLDFlags = "-s -w"

const (
	providerVersion = "0.0.1"
	timeVersion     = "0.13.1"
	gatewayRate     = 20 // requests per second the gateway rows allow
)

// Run builds what it needs, measures every row and prints the table.
func Run(ctx context.Context, opts Options) error {
	if opts.Repeats <= 0 {
		opts.Repeats = 3
	}
	work, err := os.MkdirTemp("", "xata-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{Options: opts, work: work}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	defer b.emu.Close()

	fmt.Fprintf(opts.Out, "make bench: %d cores, %s, median of %d runs per figure (%d for the sub-second plan and validate figures)\n\n",
		runtime.NumCPU(), firstLine(b.cliVersion(ctx)), opts.Repeats, max(opts.Repeats, cheapRuns))
	rows := []struct {
		group   string
		measure func(context.Context) (row, error)
	}{
		{"readiness", b.readiness(500 * time.Millisecond)},
		{"readiness", b.readiness(2 * time.Second)},
		{"readiness", b.readiness(10 * time.Second)},
		{"gateway", b.gateway(50, true)},
		{"gateway", b.gateway(90, true)},
		{"gateway", b.gateway(90, false)},
		{"plan", b.planMany(100)},
		{"validate", b.startup},
		{"quota", b.quotaSpent},
		{"economy", b.economy(2 * time.Second)},
		{"economy", b.economy(30 * time.Second)},
		{"economy", b.economy(120 * time.Second)},
		{"fleet", b.fleetUnderQuota(20, 30*time.Second)},
	}
	fmt.Fprintf(opts.Out, "%-78s %-28s %s\n", "measurement", "figure", "goal")
	for _, r := range rows {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, r.group) {
			continue
		}
		r, err := r.measure(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.Out, "%-78s %-28s %s\n", r.name, r.figure, r.goal)
		for _, d := range r.details {
			fmt.Fprintf(opts.Out, "    %s\n", d)
		}
	}
	return nil
}

type row struct {
	name, figure, goal string
	details            []string
}

type bench struct {
	Options
	work      string
	cliConfig string
	emu       *xataemu.Emulator
	gate      *gate
	env       []string
}

// prepare builds the provider and hashicorp/time into a filesystem mirror
// the CLI installs from (nothing is downloaded) and starts the emulator in
// memory, whose gateway limit the gateway rows switch on.
func (b *bench) prepare(ctx context.Context) error {
	mirror := filepath.Join(b.work, "providers")
	if err := b.installProvider(ctx, mirror); err != nil {
		return err
	}
	if err := b.installTime(ctx, mirror); err != nil {
		return err
	}
	b.cliConfig = filepath.Join(b.work, "terraformrc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	if err := os.WriteFile(b.cliConfig, []byte(cfg), 0o600); err != nil {
		return err
	}
	emu, err := xataemu.New(xataemu.Options{ProvisionDelay: -1, UpdateDelay: -1})
	if err != nil {
		return err
	}
	b.emu = emu
	url, err := emu.Start()
	if err != nil {
		return err
	}
	if err := createMain(ctx, emu, url); err != nil {
		return err
	}
	b.gate = &gate{emu: emu}
	b.env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+b.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"XATA_API_BASE_URL="+url,
		"XATA_API_KEY="+emu.APIKey(),
		"XATA_ORGANIZATION_ID="+emu.OrganizationID(),
		"XATA_PROJECT_ID="+emu.ProjectID(),
	)
	return nil
}

// createMain makes the root branch the measured branches are children of.
func createMain(ctx context.Context, emu *xataemu.Emulator, url string) error {
	c, err := xata.NewClient(xata.Config{BaseURL: url, APIKey: emu.APIKey(), UserAgent: "bench"})
	if err != nil {
		return err
	}
	_, err = c.CreateBranch(ctx, emu.OrganizationID(), emu.ProjectID(), xata.CreateBranchRequest{
		Name: "main", Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: "us-east-1", InstanceType: "xata.micro", Image: "postgres:17.9"},
	})
	return err
}

func platform() string { return runtime.GOOS + "_" + runtime.GOARCH }

// mirrorDirs are the provider's directories in the mirror for both CLIs'
// default registry hosts.
func mirrorDirs(mirror, namespace, name, version string) []string {
	var dirs []string
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		dirs = append(dirs, filepath.Join(mirror, host, namespace, name, version, platform()))
	}
	return dirs
}

func (b *bench) installProvider(ctx context.Context, mirror string) error {
	bin := filepath.Join(b.work, "terraform-provider-xata")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", releaseLDFlags+" -X main.version="+providerVersion, "-o", bin, ".")
	build.Dir = b.RepoDir
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return link(bin, mirrorDirs(mirror, "sandboxdb", "xata", providerVersion), "terraform-provider-xata_v"+providerVersion)
}

// installTime builds hashicorp/time from the Go module proxy, as the
// reference provider of the same framework, once per cache dir.
func (b *bench) installTime(ctx context.Context, mirror string) error {
	bin := filepath.Join(b.CacheDir, "terraform-provider-time_v"+timeVersion+"_stripped")
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(b.Out, "bench: building hashicorp/time v%s from the Go module proxy (once; cached in %s)\n", timeVersion, b.CacheDir)
		out, err := exec.CommandContext(ctx, "go", "mod", "download", "-json", "github.com/hashicorp/terraform-provider-time@v"+timeVersion).Output()
		if err != nil {
			return fmt.Errorf("downloading hashicorp/time: %w", err)
		}
		var mod struct{ Dir string }
		if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
			return fmt.Errorf("downloading hashicorp/time: no module directory in %s", out)
		}
		src := filepath.Join(b.work, "time-src")
		if out, err := exec.CommandContext(ctx, "cp", "-r", mod.Dir, src).CombinedOutput(); err != nil {
			return fmt.Errorf("copying hashicorp/time: %w\n%s", err, out)
		}
		_ = exec.CommandContext(ctx, "chmod", "-R", "u+w", src).Run()
		if err := os.MkdirAll(b.CacheDir, 0o755); err != nil {
			return err
		}
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", releaseLDFlags, "-o", bin, ".")
		build.Dir = src
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building hashicorp/time: %w\n%s", err, out)
		}
	}
	return link(bin, mirrorDirs(mirror, "hashicorp", "time", timeVersion), "terraform-provider-time_v"+timeVersion)
}

func link(bin string, dirs []string, name string) error {
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.Symlink(bin, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) cliVersion(ctx context.Context) string {
	cmd := exec.CommandContext(ctx, b.TerraformPath, "version")
	cmd.Env = b.env
	out, _ := cmd.Output()
	return string(out)
}

// workspace is a configuration directory, initialised once.
type workspace struct {
	b   *bench
	dir string
	env []string // extra environment, e.g. another project
}

func (b *bench) newWorkspace(ctx context.Context, name, config string, env ...string) (*workspace, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	w := &workspace{b: b, dir: dir, env: env}
	if _, err := w.run(ctx, "init", "-input=false", "-no-color"); err != nil {
		return nil, err
	}
	return w, nil
}

// run runs the CLI and returns how long it took.
func (w *workspace) run(ctx context.Context, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, w.b.TerraformPath, args...)
	cmd.Dir = w.dir
	cmd.Env = append(slices.Clone(w.b.env), w.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("%s %s in %s: %w\n%s", filepath.Base(w.b.TerraformPath), strings.Join(args, " "), w.dir, err, out.String())
	}
	return elapsed, nil
}

func (w *workspace) apply(ctx context.Context, extra ...string) (time.Duration, error) {
	return w.run(ctx, append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, extra...)...)
}

func (w *workspace) destroy(ctx context.Context) error {
	_, err := w.run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
	return err
}

// cheapRuns is the minimum run count for sub-second figures, whose
// medians scheduling noise would otherwise decide.
const cheapRuns = 9

// pair is a figure measured side by side: each repeat runs both sides
// back to back, in alternating order, so that a slow spell of the machine
// falls on both rather than on whichever ran then.
type pair struct {
	ours, floor time.Duration // medians of each side
	ratio       float64       // median of the repeats' ratios
}

func (p pair) String() string {
	return fmt.Sprintf("%.2f (%.2fs vs %.2fs)", p.ratio, p.ours.Seconds(), p.floor.Seconds())
}

type measurement func(context.Context) (time.Duration, error)

func (b *bench) paired(ctx context.Context, n int, ours, floor measurement) (pair, error) {
	var o, f []time.Duration
	var ratios []float64
	for i := range n {
		first, second := ours, floor
		if i%2 == 1 {
			first, second = floor, ours
		}
		d1, err := first(ctx)
		if err != nil {
			return pair{}, err
		}
		d2, err := second(ctx)
		if err != nil {
			return pair{}, err
		}
		if i%2 == 1 {
			d1, d2 = d2, d1
		}
		o, f = append(o, d1), append(f, d2)
		ratios = append(ratios, d1.Seconds()/d2.Seconds())
	}
	return pair{ours: median(o), floor: median(f), ratio: median(ratios)}, nil
}

func median[T time.Duration | float64](xs []T) T {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// readiness: one branch whose server is ready after delay, against a
// time_sleep of the same delay (the same plugin start and the same wait).
func (b *bench) readiness(delay time.Duration) func(context.Context) (row, error) {
	return func(ctx context.Context) (row, error) {
		name := fmt.Sprintf("one branch, ready after %s: apply / time_sleep %s apply", delay, delay)
		b.emu.SetProvisionDelay(delay)
		defer b.emu.SetProvisionDelay(0)
		branch, err := b.newWorkspace(ctx, fmt.Sprintf("ready-%d", delay.Milliseconds()), branchConfig(1))
		if err != nil {
			return row{}, err
		}
		sleep, err := b.newWorkspace(ctx, fmt.Sprintf("sleep-%d", delay.Milliseconds()), sleepConfig(1, delay))
		if err != nil {
			return row{}, err
		}
		p, err := b.paired(ctx, b.Repeats, applyThenDestroy(branch), applyThenDestroy(sleep))
		if err != nil {
			return row{}, err
		}
		return row{name: name, figure: p.String(), goal: "<= 1.10"}, nil
	}
}

func applyThenDestroy(w *workspace) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		d, err := w.apply(ctx)
		if err != nil {
			return 0, err
		}
		return d, w.destroy(ctx)
	}
}

// gateway: n branches at -parallelism=10 through a gateway that allows 20
// requests a second and answers the rest 429 (with or without
// Retry-After). The floor is the time the served requests need at that
// rate; a client that throttles itself more than the gateway, or wastes
// requests, scores above 1.
func (b *bench) gateway(n int, retryAfter bool) func(context.Context) (row, error) {
	return func(ctx context.Context) (row, error) {
		kind := "429 with Retry-After"
		if !retryAfter {
			kind = "429 without Retry-After"
		}
		name := fmt.Sprintf("%d branches, parallelism 10, gateway %d req/s (%s): time / (served ÷ %d)", n, gatewayRate, kind, gatewayRate)
		b.emu.SetProvisionDelay(2 * time.Second)
		defer b.emu.SetProvisionDelay(0)
		w, err := b.newWorkspace(ctx, fmt.Sprintf("gateway-%d-%t", n, retryAfter), branchConfig(n))
		if err != nil {
			return row{}, err
		}
		var ratios []float64
		var served, refused int64
		for range b.Repeats {
			b.gate.counts() // count this apply's requests only
			b.gate.limit(gatewayRate, gatewayRate, retryAfter)
			d, err := w.apply(ctx, "-parallelism=10")
			s, r := b.gate.counts()
			b.gate.limit(0, 0, false)
			if err != nil {
				return row{}, err
			}
			if err := w.destroy(ctx); err != nil {
				return row{}, err
			}
			floor := time.Duration(float64(s) / gatewayRate * float64(time.Second))
			ratios = append(ratios, d.Seconds()/floor.Seconds())
			served, refused = s, r
		}
		slices.Sort(ratios)
		return row{name: name, figure: fmt.Sprintf("%.2f, 0 errors", ratios[len(ratios)/2]), goal: "<= 1.10, 0 errors",
			details: []string{fmt.Sprintf("last run: %d requests served, %d answered 429", served, refused)}}, nil
	}
}

// planMany: terraform plan of n existing, unchanged branches against the
// plan of n time_sleep resources, a plugin provider of the same framework
// that calls no API; and the API calls the refresh makes.
func (b *bench) planMany(n int) func(context.Context) (row, error) {
	return func(ctx context.Context) (row, error) {
		name := fmt.Sprintf("plan of %d unchanged branches / plan of %d time_sleep", n, n)
		// A project holds at most 100 branches, main included: these get
		// a project of their own.
		project := b.emu.CreateProject(b.emu.OrganizationID(), "plan")
		branches, err := b.newWorkspace(ctx, "plan-branches", rootBranchConfig(n), "XATA_PROJECT_ID="+project)
		if err != nil {
			return row{}, err
		}
		if _, err := branches.apply(ctx, "-parallelism=20"); err != nil {
			return row{}, err
		}
		sleeps, err := b.newWorkspace(ctx, "plan-sleeps", sleepConfig(n, 0))
		if err != nil {
			return row{}, err
		}
		if _, err := sleeps.apply(ctx); err != nil {
			return row{}, err
		}
		plan := func(w *workspace) measurement {
			return func(ctx context.Context) (time.Duration, error) {
				return w.run(ctx, "plan", "-input=false", "-no-color", "-detailed-exitcode")
			}
		}
		runs := max(b.Repeats, cheapRuns)
		b.gate.counts()
		p, err := b.paired(ctx, runs, plan(branches), plan(sleeps))
		if err != nil {
			return row{}, err
		}
		served, _ := b.gate.counts() // time_sleep makes no API calls
		if err := branches.destroy(ctx); err != nil {
			return row{}, err
		}
		perBranch := float64(served) / float64(runs) / float64(n)
		return row{name: name, figure: p.String() + fmt.Sprintf(", %.1f calls/branch", perBranch),
			goal: "<= 1.5, <= 2 calls per branch"}, nil
	}
}

// startup: terraform validate (provider start and schema) against the
// same for hashicorp/time, and the provider's peak memory meanwhile.
func (b *bench) startup(ctx context.Context) (row, error) {
	name := "provider start + schema (terraform validate) / the same for hashicorp/time"
	ours, err := b.newWorkspace(ctx, "validate-xata", branchConfig(1))
	if err != nil {
		return row{}, err
	}
	theirs, err := b.newWorkspace(ctx, "validate-time", sleepConfig(1, time.Second))
	if err != nil {
		return row{}, err
	}
	validate := func(w *workspace) func(context.Context) (time.Duration, error) {
		return func(ctx context.Context) (time.Duration, error) { return w.run(ctx, "validate", "-no-color") }
	}
	var peak atomic.Int64
	stop := watchPeakRSS("terraform-provider-xata", &peak)
	p, err := b.paired(ctx, max(b.Repeats, cheapRuns), validate(ours), validate(theirs))
	stop()
	if err != nil {
		return row{}, err
	}
	return row{name: name, figure: p.String() + fmt.Sprintf(", peak RSS %d MB", peak.Load()>>10),
		goal: "<= 1.05, peak RSS <= 60 MB"}, nil
}

const xataRequired = `terraform {
  required_providers {
    xata = { source = "sandboxdb/xata" }
  }
}
`

// The measured branches are children of main, as the runner makes them.
func branchConfig(n int) string {
	return xataRequired + fmt.Sprintf(`resource "xata_branch" "b" {
  count       = %d
  name        = "bench-${count.index}"
  parent_name = "main"
}
`, n)
}

func rootBranchConfig(n int) string {
	return xataRequired + fmt.Sprintf(`resource "xata_branch" "b" {
  count         = %d
  name          = "bench-${count.index}"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}
`, n)
}

func sleepConfig(n int, d time.Duration) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    time = { source = "hashicorp/time", version = "%s" }
  }
}
resource "time_sleep" "s" {
  count           = %d
  create_duration = "%s"
}
`, timeVersion, n, d)
}

// watchPeakRSS samples the peak resident memory (VmHWM, in KiB) of every
// process whose command name starts with prefix until stop is called.
func watchPeakRSS(prefix string, peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				if _, err := strconv.Atoi(e.Name()); err != nil {
					continue
				}
				comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
				if err != nil || !strings.HasPrefix(string(comm), prefix[:min(len(prefix), 15)]) {
					continue
				}
				status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
				if err != nil {
					continue
				}
				for _, line := range strings.Split(string(status), "\n") {
					if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
						if v > peak.Load() {
							peak.Store(v)
						}
					}
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// gate is the emulator's gateway token bucket (emuhttp's rate limit), and
// its counts of the requests it served and refused.
type gate struct {
	emu                 *xataemu.Emulator
	lastSeen, lastFault int
}

func (g *gate) limit(perSecond, burst int, retryAfter bool) {
	g.emu.SetFaults(xataemu.Faults{Limit: emuhttp.RateLimit{Rate: float64(perSecond), Burst: burst, RetryAfter: retryAfter}})
}

// counts returns the requests served and refused since the last call.
func (g *gate) counts() (served, refused int64) {
	st := g.emu.Stats()
	seen, faulted := st.Requests-g.lastSeen, st.Faulted-g.lastFault
	g.lastSeen, g.lastFault = st.Requests, st.Faulted
	return int64(seen - faulted), int64(faulted)
}
