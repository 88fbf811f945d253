package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/demo"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
)

// The documented per-key quota (Xata's API docs, "Rate Limiting").
var documentedQuota = xataemu.Quota{PerMinute: 100, PerHour: 1000}

// sleepRunner is the runner's stand-in for the floor: the same variables
// and outputs, a time_sleep instead of a branch, on the same pg backend,
// and the same provisioner writing the step's output file (with a value
// that needs no ephemeral resource).
const sleepRunner = `terraform {
  backend "pg" {}
  required_providers {
    time = { source = "hashicorp/time", version = "%s" }
  }
}
variable "sandbox" { type = string }
variable "parent_branch" { type = string }
variable "outputs_dir" {
  type    = string
  default = "/outputs"
}
variable "run_id" {
  type    = string
  default = ""
}
resource "time_sleep" "sandbox" { create_duration = "%s" }
resource "terraform_data" "connection_string_output" {
  triggers_replace = var.run_id
  provisioner "local-exec" {
    command     = "printf '%%s' postgresql://stand-in > \"$OUTPUT_FILE\""
    environment = { OUTPUT_FILE = "${var.outputs_dir}/connection-string" }
  }
}
output "branch_name" { value = "sb-${var.sandbox}" }
`

// fleet runs demo.RunFleet: the tutorial's runner scripts, n sandboxes'
// create steps at once and then their delete steps, on one pg state
// database and one API key. runnerDir "" is the real runner.
func (b *bench) fleet(ctx context.Context, n int, delay time.Duration, quota xataemu.Quota, runnerDir string, spend int) (*demo.FleetResult, time.Duration, error) {
	res, err := demo.RunFleet(ctx, demo.FleetOptions{
		Options: demo.Options{RepoDir: b.RepoDir, TerraformPath: b.TerraformPath, ProvisionDelay: delay,
			Quota: quota, Out: io.Discard},
		Sandboxes: n, RunnerDir: runnerDir, SpendBefore: spend,
		AddProviders: b.installTime,
	})
	if err != nil {
		return nil, 0, err
	}
	var errs []error
	for _, f := range res.Failures {
		errs = append(errs, fmt.Errorf("%s for %s: %w\n%s", f.Script, f.Sandbox, f.Err, f.Output))
	}
	if len(res.BranchesLeft) > 0 || len(res.WorkspacesLeft) > 0 {
		errs = append(errs, fmt.Errorf("left behind: branches %v, workspaces %v", res.BranchesLeft, res.WorkspacesLeft))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, 0, fmt.Errorf("the fleet of %d failed: %w", n, err)
	}
	return res, res.CreateTime + res.DeleteTime, nil
}

// fleetUnderQuota: n runner lifecycles at once (create step, then delete
// step) with one key of the documented quota, branches ready after delay.
// The floor is the larger of the same fleet of time_sleep stand-ins and
// the time the quota needs for the fewest requests the fleet can make
// (n lifecycles whose branch is ready at the first look).
func (b *bench) fleetUnderQuota(n int, delay time.Duration) func(context.Context) (row, error) {
	return func(ctx context.Context) (row, error) {
		name := fmt.Sprintf("fleet under quota: %d runner lifecycles at once, pg state, 100/min 1,000/h, ready after %s / floor", n, delay)
		sleepDir := filepath.Join(b.work, "sleep-runner")
		if err := os.MkdirAll(sleepDir, 0o755); err != nil {
			return row{}, err
		}
		if err := os.WriteFile(filepath.Join(sleepDir, "main.tf"), []byte(fmt.Sprintf(sleepRunner, timeVersion, delay)), 0o644); err != nil {
			return row{}, err
		}
		least, _, err := b.fleet(ctx, 1, -1, xataemu.Quota{}, "", 0)
		if err != nil {
			return row{}, err
		}
		minimum := least.PerSandbox()
		quotaFloor := time.Duration(float64(n) * minimum / float64(documentedQuota.PerMinute) * float64(time.Minute))
		var last *demo.FleetResult
		refused := 0
		ours := func(ctx context.Context) (time.Duration, error) {
			res, d, err := b.fleet(ctx, n, delay, documentedQuota, "", 0)
			if err == nil {
				last, refused = res, refused+res.Refused
			}
			return d, err
		}
		floor := func(ctx context.Context) (time.Duration, error) {
			_, d, err := b.fleet(ctx, n, delay, xataemu.Quota{}, sleepDir, 0)
			return max(d, quotaFloor), err
		}
		p, err := b.paired(ctx, b.Repeats, ours, floor)
		if err != nil {
			return row{}, err
		}
		return row{name: name, figure: p.String() + fmt.Sprintf(", %.1f req/lifecycle, 0 errors, 0 left", last.PerSandbox()),
			goal: "<= 1.30, <= 11 req, 0 errors, 0 left",
			details: []string{
				fmt.Sprintf("floor: the larger of %d time_sleep %s lifecycles through the same scripts, and %.1f requests × %d at 100/min = %s",
					n, delay, minimum, n, quotaFloor.Round(time.Second)),
				fmt.Sprintf("last run, requests per lifecycle: %s", last.PerLifecycle()),
				fmt.Sprintf("%d requests answered 429 by the quota over %d runs", refused, b.Repeats),
			}}, nil
	}
}

// economy: the requests of one sandbox lifecycle whose branch is ready
// after delay, with the key's budget untouched and with it below half.
func (b *bench) economy(delay time.Duration) func(context.Context) (row, error) {
	return func(ctx context.Context) (row, error) {
		name := fmt.Sprintf("requests of one runner lifecycle, ready after %s: budget untouched / below half", delay)
		calm, _, err := b.fleet(ctx, 1, delay, documentedQuota, "", 0)
		if err != nil {
			return row{}, err
		}
		pressed, _, err := b.fleet(ctx, 1, delay, documentedQuota, "", 60)
		if err != nil {
			return row{}, err
		}
		return row{name: name, figure: fmt.Sprintf("%.0f / %.0f", calm.PerSandbox(), pressed.PerSandbox()),
			goal:    "(for reading)",
			details: []string{"untouched: " + calm.PerLifecycle(), "below half: " + pressed.PerLifecycle()}}, nil
	}
}

// quotaSpent: the key's quota spent for the next hour. A plan and an
// apply of 1 and of 10 branches must fail at once, create nothing, and
// say so.
func (b *bench) quotaSpent(ctx context.Context) (row, error) {
	name := "quota spent for the next hour: plan and apply of 1 and 10 branches"
	b.emu.SetQuota(documentedQuota)
	defer b.emu.SetQuota(xataemu.Quota{})
	if err := b.emu.SpendQuota(b.emu.APIKey(), xataemu.QuotaHour); err != nil {
		return row{}, err
	}
	created := b.emu.CreatedCount(b.emu.ProjectID())
	var slowest time.Duration
	var figures []string
	for _, n := range []int{1, 10} {
		w, err := b.newWorkspace(ctx, fmt.Sprintf("spent-%d", n), branchConfig(n))
		if err != nil {
			return row{}, err
		}
		for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}} {
			cmd := args[0]
			d, err := w.run(ctx, append(args, "-input=false", "-no-color")...)
			if err == nil {
				return row{}, fmt.Errorf("%s of %d branches succeeded with the quota spent", cmd, n)
			}
			if !containsAll(err.Error(), "API Quota Exhausted", "run again after the reset") {
				return row{}, fmt.Errorf("%s of %d branches failed without saying the quota is spent: %w", cmd, n, err)
			}
			slowest = max(slowest, d)
			figures = append(figures, fmt.Sprintf("%s %d: %.1fs", cmd, n, d.Seconds()))
		}
	}
	made := b.emu.CreatedCount(b.emu.ProjectID()) - created
	return row{name: name, figure: fmt.Sprintf("slowest %.1fs, %d created", slowest.Seconds(), made),
		goal: "< 10s each, 0 created", details: figures}, nil
}

// containsAll reports whether text holds every phrase, however the CLI
// wrapped its lines.
func containsAll(text string, phrases ...string) bool {
	flat := strings.Join(strings.Fields(text), " ")
	for _, p := range phrases {
		if !strings.Contains(flat, p) {
			return false
		}
	}
	return true
}
