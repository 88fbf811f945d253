package demo

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// FleetOptions configure RunFleet.
type FleetOptions struct {
	Options
	// Sandboxes is how many sandboxes' steps run at once (default 5).
	Sandboxes int
	// RunnerDir holds the Terraform the steps apply (default
	// examples/tutorial/runner); the bench swaps in a time_sleep stand-in
	// with the same variables and outputs to measure the floor.
	RunnerDir string
	// AddProviders, when set, puts more providers into the filesystem
	// mirror the steps install from (the bench adds hashicorp/time).
	AddProviders func(ctx context.Context, mirror string) error
	// SpendBefore is how many requests of the API key are spent before
	// the steps start, so that they start under quota pressure.
	SpendBefore int
}

// FleetResult is what a fleet run saw.
type FleetResult struct {
	Sandboxes              int
	CreateTime, DeleteTime time.Duration // from the first step started to the last ended
	Failures               []StepFailure
	// BranchesLeft and WorkspacesLeft must be empty after the delete
	// steps: main excepted, every branch and every state goes.
	BranchesLeft, WorkspacesLeft []string
	// Created counts the branches the steps ever created; one per sandbox
	// means no duplicate.
	Created int
	// Requests counts the fleet's API requests by route, refusals
	// included; Refused counts the quota's 429s among them.
	Requests map[string]int
	Refused  int
	// AtRest is a look at every sandbox's state between the create and
	// the delete steps, for the passwords the emulator issued.
	AtRest AtRest
}

// StepFailure is a step that exited non-zero, with its output.
type StepFailure struct {
	Sandbox, Script, Output string
	Err                     error
}

// PerSandbox is the fleet's requests per sandbox lifecycle.
func (f *FleetResult) PerSandbox() float64 {
	total := 0
	for _, n := range f.Requests {
		total += n
	}
	return float64(total) / float64(f.Sandboxes)
}

// PerLifecycle renders the requests per sandbox lifecycle (create and
// delete step), by route, most frequent first.
func (f *FleetResult) PerLifecycle() string {
	routes := slices.Collect(maps.Keys(f.Requests))
	slices.SortFunc(routes, func(a, b string) int { return cmp.Or(f.Requests[b]-f.Requests[a], strings.Compare(a, b)) })
	parts := make([]string, len(routes))
	for i, r := range routes {
		parts[i] = fmt.Sprintf("%s %.1f", r, float64(f.Requests[r])/float64(f.Sandboxes))
	}
	return fmt.Sprintf("%.1f (%s)", f.PerSandbox(), strings.Join(parts, ", "))
}

// RunFleet runs the tutorial's runner for many sandboxes at once, as when
// several pull requests open and then close together: PostgreSQL, the
// Xata emulator (with Options.Quota, if set) and the state database are
// started, then every sandbox's create step at once, then every delete
// step at once, each through the real CLI on the one pg state database
// and with the one API key. It fails only when the setup does; what the
// steps did is in the result.
func RunFleet(ctx context.Context, opts FleetOptions) (res *FleetResult, err error) {
	if opts.Sandboxes <= 0 {
		opts.Sandboxes = 5
	}
	r, err := newRunner(opts.Options)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := r.cleanup(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if opts.RunnerDir == "" {
		opts.RunnerDir = filepath.Join(r.RepoDir, "examples", "tutorial", "runner")
	}
	f, err := r.startFleet(ctx)
	if err != nil {
		return nil, err
	}
	if opts.AddProviders != nil {
		if err := opts.AddProviders(ctx, filepath.Join(r.work, "providers")); err != nil {
			return nil, err
		}
	}
	f.runnerDir = opts.RunnerDir
	for range opts.SpendBefore {
		if _, err := f.client.ListBranches(ctx, r.emu.OrganizationID(), r.project); err != nil {
			return nil, fmt.Errorf("spending the quota before the steps: %w", err)
		}
	}
	return f.run(ctx, opts.Sandboxes)
}

// runnerScopes are the scopes of the runner's key: what the tutorial's
// baseline grants it (TestTutorial checks that they agree), here limited
// to the fleet's project too, so the fleet's steps run with no more.
var runnerScopes = []string{"branch:write", "credentials:read"}

// fleet is the running setup of RunFleet.
type fleet struct {
	r                   *runner
	stateURL, runnerDir string
	// key is the runner's API key, client a client with it.
	key    string
	client *xata.Client
}

func (r *runner) startFleet(ctx context.Context) (*fleet, error) {
	if err := r.startPostgres(ctx); err != nil {
		return nil, err
	}
	if err := r.startEmulator(false); err != nil {
		return nil, err
	}
	stateURL, err := r.createStateDatabase(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := r.createMain(ctx); err != nil {
		return nil, err
	}
	if err := r.prepareTerraform(ctx); err != nil {
		return nil, err
	}
	key := r.emu.CreateRestrictedAPIKey(r.emu.OrganizationID(), xataemu.APIKeySpec{
		Name: "fleet-runner", Scopes: runnerScopes, Projects: []string{r.project},
	})
	client, err := xata.NewClient(xata.Config{BaseURL: r.emu.URL(), APIKey: key, UserAgent: "xata-demo-runner"})
	if err != nil {
		return nil, err
	}
	return &fleet{r: r, stateURL: stateURL, runnerDir: filepath.Join(r.RepoDir, "examples", "tutorial", "runner"),
		key: key, client: client}, nil
}

func (f *fleet) run(ctx context.Context, n int) (*FleetResult, error) {
	r := f.r
	project := r.project
	res := &FleetResult{Sandboxes: n}
	sandboxes := make([]string, n)
	for i := range sandboxes {
		sandboxes[i] = fmt.Sprintf("fleet-%02d", i)
	}
	before, created := r.emu.Stats().ByRequest, r.emu.CreatedCount(project)
	refusedBefore := r.emu.QuotaStats()[f.key].Refused

	all := func(script string) time.Duration {
		start := time.Now()
		failures := make([]*StepFailure, n)
		var wg sync.WaitGroup
		var done atomic.Int32
		for i, sb := range sandboxes {
			wg.Go(func() {
				defer done.Add(1)
				out, err := f.step(ctx, script, sb, "main")
				if err != nil {
					failures[i] = &StepFailure{Sandbox: sb, Script: script, Output: out, Err: err}
				}
			})
		}
		stop := f.progress(start, n, &done)
		wg.Wait()
		stop()
		for _, fl := range failures {
			if fl != nil {
				res.Failures = append(res.Failures, *fl)
			}
		}
		return time.Since(start)
	}
	r.say("%d create steps at once (provision.sh)", n)
	res.CreateTime = all("provision.sh")
	var err error
	if res.AtRest, err = lookAtRest(ctx, f.stateURL, nil, r.emu.IssuedPasswords()); err != nil {
		return nil, err
	}
	r.say("at rest: %s", res.AtRest)
	r.say("%d delete steps at once (cleanup.sh)", n)
	res.DeleteTime = all("cleanup.sh")

	for _, b := range r.emu.Branches(project) {
		if b.Name != "main" {
			res.BranchesLeft = append(res.BranchesLeft, b.Name)
		}
	}
	if res.WorkspacesLeft, err = f.workspaces(ctx); err != nil {
		return nil, err
	}
	res.Created = r.emu.CreatedCount(project) - created
	res.Requests = map[string]int{}
	for req, count := range r.emu.Stats().ByRequest {
		if d := count - before[req]; d > 0 {
			res.Requests[xataemu.Route(req)] += d
		}
	}
	res.Refused = r.emu.QuotaStats()[f.key].Refused - refusedBefore
	r.say("creates took %s, deletes %s; %d of %d steps failed; requests per sandbox lifecycle: %s; %d refused by the quota",
		res.CreateTime.Round(100*time.Millisecond), res.DeleteTime.Round(100*time.Millisecond), len(res.Failures), 2*n,
		res.PerLifecycle(), res.Refused)
	return res, nil
}

// progress says every 10 s how many of n steps are done and what the key
// has spent, so a fleet waiting on its quota does not look hung.
func (f *fleet) progress(start time.Time, n int, done *atomic.Int32) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				f.r.say("  %d of %d done after %s; API requests so far: %d, %d of them refused by the quota",
					done.Load(), n, time.Since(start).Round(time.Second), f.r.emu.Stats().Requests,
					f.r.emu.QuotaStats()[f.key].Refused)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// step runs one of the runner scripts as the plugin's step would.
func (f *fleet) step(ctx context.Context, script, sandbox, parent string, extra ...string) (string, error) {
	outputs, err := os.MkdirTemp(f.r.work, "outputs-")
	if err != nil {
		return "", err
	}
	out, err := f.stepCmd(ctx, script, sandbox, parent, outputs, extra...).CombinedOutput()
	return string(out), err
}

// stepCmd is a runner script with the environment a plugin step gets:
// the credentials secret's keys, the runner image's settings and
// Signadot's variables; outputs is the step's /outputs.
func (f *fleet) stepCmd(ctx context.Context, script, sandbox, parent, outputs string, extra ...string) *exec.Cmd {
	r := f.r
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(r.RepoDir, "examples", "tutorial", "runner", script))
	cmd.Env = append([]string{
		"PATH=" + filepath.Dir(r.TerraformPath) + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + r.work,
		"TERRAFORM=" + r.TerraformPath,
		"TF_CLI_CONFIG_FILE=" + r.cliConfig,
		"RUNNER_DIR=" + f.runnerDir,
		"XATA_API_KEY=" + f.key,
		"XATA_API_BASE_URL=" + r.emu.URL(),
		"XATA_ORGANIZATION_ID=" + r.emu.OrganizationID(),
		"XATA_PROJECT_ID=" + r.project,
		"PG_CONN_STR=" + f.stateURL,
		"SIGNADOT_SANDBOX_NAME=" + sandbox,
		"PARENT_BRANCH=" + parent,
		"OUTPUTS_DIR=" + outputs,
	}, extra...)
	return cmd
}

// workspaces lists the runner's state workspaces in the state database.
func (f *fleet) workspaces(ctx context.Context) ([]string, error) {
	conn, err := pgx.Connect(ctx, f.stateURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT name FROM terraform_remote_state.states ORDER BY name")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
