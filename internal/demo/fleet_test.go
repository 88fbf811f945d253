package demo

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
)

// workspaces lists the runner's state workspaces in the state database.
func (e *runnerEnv) workspaces(t *testing.T) []string {
	t.Helper()
	ws, err := e.fleet.workspaces(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// fleetSize is how many sandboxes TestRunnerFleet runs at once:
// RUNNER_FLEET_SIZE, else 5 (make bench and the check use 20).
func fleetSize(t *testing.T) int {
	t.Helper()
	v := os.Getenv("RUNNER_FLEET_SIZE")
	if v == "" {
		return 5
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 90 {
		t.Fatalf("RUNNER_FLEET_SIZE=%q: want 1 to 90 (a project holds at most 100 branches)", v)
	}
	return n
}

// TestRunnerFleet runs many sandboxes' create steps at once, then their
// delete steps at once, as when several pull requests open and close
// together: every step uses the one state database and the one API key,
// whose quota is too small for the fleet's requests in one window.
func TestRunnerFleet(t *testing.T) {
	skipUnlessE2E(t)
	n := fleetSize(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	var out strings.Builder
	res, err := RunFleet(ctx, FleetOptions{Sandboxes: n, Options: Options{
		Out: &out, ProvisionDelay: time.Second,
		// Windows of 6 s and 6 min keep the test short. A lifecycle makes
		// about 8 requests, the fleet's first seconds most of them: 2 a
		// sandbox per window puts it under pressure and meets refusals.
		Quota: xataemu.Quota{PerMinute: 2 * n, PerHour: 1000, Minute: 6 * time.Second, Hour: 6 * time.Minute},
	}})
	if err != nil {
		t.Fatalf("fleet setup failed: %v\n%s", err, out.String())
	}
	for _, f := range res.Failures {
		t.Errorf("%s for %s failed: %v\n%s", f.Script, f.Sandbox, f.Err, f.Output)
	}
	if len(res.Failures) > 0 {
		t.Fatalf("%d of %d steps failed", len(res.Failures), 2*n)
	}
	if len(res.BranchesLeft) > 0 || len(res.WorkspacesLeft) > 0 {
		t.Errorf("left after every delete step succeeded: branches %v, workspaces %v", res.BranchesLeft, res.WorkspacesLeft)
	}
	if res.Created != n {
		t.Errorf("%d branches were created for %d sandboxes", res.Created, n)
	}
	// Every sandbox's state was read, and none holds a password.
	if a := res.AtRest; len(a.Found) > 0 || a.States < n || a.Passwords < n+1 {
		t.Errorf("at rest, between the creates and the deletes: %s: %v", a, a.Found)
	}
	t.Logf("%d sandboxes: creates %s, deletes %s; requests per lifecycle %s; %d refused by the quota",
		n, res.CreateTime.Round(time.Second), res.DeleteTime.Round(time.Second), res.PerLifecycle(), res.Refused)
}

// TestRunnerStateDatabaseLost cuts the state database off while a create
// step applies: the branch is made but its state cannot be written.
func TestRunnerStateDatabaseLost(t *testing.T) {
	skipUnlessE2E(t)
	e := newRunnerEnv(t)
	admin, err := pgx.Connect(t.Context(), e.r.pg.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	cutOff := func() {
		exec("ALTER ROLE tfstate NOLOGIN")
		exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tfstate'")
	}
	restore := func() { exec("ALTER ROLE tfstate LOGIN") }
	// The branch takes long enough to become healthy that the cut comes
	// between its creation and the state write.
	e.r.emu.SetProvisionDelay(2 * time.Second)

	// provisionCut starts the create step, cuts the database off once the
	// branch exists, and calls onRefused when the step says the state
	// write was refused.
	provisionCut := func(t *testing.T, sandbox string, onRefused func(), extra ...string) (string, string, error) {
		outputs := t.TempDir()
		cmd := e.stepCmd(t.Context(), "provision.sh", sandbox, "main", outputs, extra...)
		pr, pw := io.Pipe()
		cmd.Stdout, cmd.Stderr = pw, pw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		scanned := make(chan struct{})
		go func() {
			defer close(scanned)
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				log.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "the state database refused the state") {
					onRefused()
				}
			}
		}()
		for len(e.branches(t, "sb-"+sandbox)) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		cutOff()
		err := cmd.Wait()
		pw.Close()
		<-scanned
		return log.String(), outputs, err
	}

	t.Run("the step saves the state once the database is back", func(t *testing.T) {
		out, outputs, err := provisionCut(t, "back", restore)
		restore()
		if err != nil {
			t.Fatalf("provision failed: %v\n%s", err, out)
		}
		if !strings.Contains(out, "state saved; applying again") {
			t.Errorf("the step did not report saving the state:\n%s", out)
		}
		if conn, _ := os.ReadFile(filepath.Join(outputs, "connection-string")); len(conn) == 0 {
			t.Errorf("no connection string written")
		}
		ids := e.branches(t, "sb-back")
		if len(ids) != 1 {
			t.Fatalf("want one branch sb-back, have %v", ids)
		}
		// The state records the branch: a second run leaves it alone (and
		// writes its output file again).
		out, outputs = e.mustStep(t, "provision.sh", "back")
		if strings.Contains(out, "xata_branch.sandbox: Creating") || strings.Contains(out, "xata_branch.sandbox: Modifying") {
			t.Errorf("a second run after the saved state should leave the branch alone:\n%s", out)
		}
		if conn, _ := os.ReadFile(filepath.Join(outputs, "connection-string")); len(conn) == 0 {
			t.Errorf("the second run wrote no connection string")
		}
		if again := e.branches(t, "sb-back"); !slices.Equal(again, ids) {
			t.Errorf("the second run changed the branch: %v, then %v", ids, again)
		}
		e.mustStep(t, "cleanup.sh", "back")
	})

	t.Run("advice that works when the database stays away", func(t *testing.T) {
		out, _, err := provisionCut(t, "away", func() {}, "STATE_PUSH_ATTEMPTS=1")
		if err == nil {
			t.Fatalf("provision succeeded without a state database:\n%s", out)
		}
		restore()
		if !strings.Contains(out, "run this step again") {
			t.Errorf("the step does not say what to do:\n%s", out)
		}
		ids := e.branches(t, "sb-away")
		if len(ids) != 1 {
			t.Fatalf("want the one branch the cut step made, have %v", ids)
		}
		// The advice: run the step again. It adopts the branch.
		e.mustStep(t, "provision.sh", "away")
		if again := e.branches(t, "sb-away"); !slices.Equal(again, ids) {
			t.Fatalf("the rerun did not adopt branch %v: have %v", ids, again)
		}
		e.mustStep(t, "cleanup.sh", "away")
		if left := e.branches(t, "sb-away"); len(left) != 0 {
			t.Fatalf("branch left after cleanup: %v", left)
		}
	})
}
