package demo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// skipUnlessE2E keeps `go test -short` fast; make test runs everything.
func skipUnlessE2E(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs Terraform, PostgreSQL and both emulators; run without -short (make test)")
	}
}

// TestTutorial runs the whole tutorial and asserts every checkpoint.
func TestTutorial(t *testing.T) {
	skipUnlessE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	res, err := RunTutorial(ctx, Options{Out: &out, ProvisionDelay: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("tutorial failed: %v\n%s", err, out.String())
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"baseline users", res.BaselineUsers, 5},
		{"plugin output keys", res.PluginOutputKeys, []string{"provision.branch-name", "provision.connection-string"}},
		{"sandbox branch", res.SandboxBranch, "sb-xata-test"},
		{"branches with the sandbox", res.BranchesWithSandbox, []string{"main", "sb-xata-test"}},
		{"fork users", res.ForkUsers, 5},
		{"fork /info branch", res.ForkInfoBranch, "sb-xata-test"},
		{"fork users after POST", res.ForkUsersAfterPost, 6},
		{"baseline users after POST", res.BaselineUsersAfterPost, 5},
		{"main users by psql", res.MainUsersByPsql, 5},
		{"branches after delete", res.BranchesAfterDelete, []string{"main"}},
		{"plugins after destroy", len(res.PluginsAfterDestroy), 0},
		{"step logs (create and delete)", len(res.StepLogs), 2},
		{"the runner key's scopes", slices.Sorted(slices.Values(res.RunnerKeyScopes)), runnerScopes},
		{"projects after destroy", res.ProjectsAfterDestroy, 0},
		{"API keys after destroy (the organization's own)", res.KeysAfterDestroy, 1},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	// What a leaked runner pod's key cannot do, while it ran the sandbox.
	if len(res.RunnerKeyDenied) < 5 {
		t.Errorf("only %d attempts with the runner's key were made: %v", len(res.RunnerKeyDenied), res.RunnerKeyDenied)
	}
	for what, status := range res.RunnerKeyDenied {
		if status != 403 {
			t.Errorf("the runner's key may %s: HTTP %d, want 403", what, status)
		}
	}
	assertNoSecrets(t, "step logs", strings.Join(res.StepLogs, "\n"), res.Secrets)
	assertNoSecrets(t, "demo output", out.String(), res.Secrets)
	// At rest: the sandbox's and the baseline's states hold no password.
	// The looks must have read something: main's and the sandbox's
	// passwords, the sandbox's workspace, the baseline's
	// state and its backup.
	if a := res.AtRest; len(a.Found) > 0 || a.Passwords < 2 || a.States < 1 || a.Files < 2 {
		t.Errorf("at rest: %s: %v", a, a.Found)
	}
	t.Logf("at rest: %s", res.AtRest)
}

func assertNoSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	if len(secrets) < 3 {
		t.Fatalf("only %d secrets collected; the check would prove little", len(secrets))
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatalf("an empty secret was collected")
		}
		if strings.Contains(text, s) {
			t.Errorf("a secret appears in the %s", where)
		}
	}
}

// runnerEnv is a Xata emulator with main, a state database and the
// provider mirror: what the plugin's steps need, without Signadot, so the
// runner scripts can be run directly, twice, killed, and so on.
type runnerEnv struct {
	*fleet
	mainID string
}

func newRunnerEnv(t *testing.T, opts ...func(*Options)) *runnerEnv {
	t.Helper()
	ctx := context.Background()
	o := Options{Out: &bytes.Buffer{}, ProvisionDelay: 100 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	r, err := newRunner(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.cleanup(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	f, err := r.startFleet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	main, err := r.client.FindBranchByName(ctx, r.emu.OrganizationID(), r.emu.ProjectID(), "main")
	if err != nil {
		t.Fatal(err)
	}
	return &runnerEnv{fleet: f, mainID: main.ID}
}

// step runs one of the runner scripts as the plugin would; extra adds to
// its environment.
func (e *runnerEnv) step(t *testing.T, script, sandbox, parent string, extra ...string) (output string, outputs string, err error) {
	t.Helper()
	outputs = t.TempDir()
	out, err := e.stepCmd(t.Context(), script, sandbox, parent, outputs, extra...).CombinedOutput()
	return string(out), outputs, err
}

func (e *runnerEnv) mustStep(t *testing.T, script, sandbox string) (string, string) {
	t.Helper()
	out, outputs, err := e.step(t, script, sandbox, "main")
	if err != nil {
		t.Fatalf("%s for %s failed: %v\n%s", script, sandbox, err, out)
	}
	return out, outputs
}

// branches returns the ids of live branches with that name.
func (e *runnerEnv) branches(t *testing.T, name string) []string {
	t.Helper()
	var ids []string
	for _, b := range e.r.emu.Branches(e.r.emu.ProjectID()) {
		if b.Name == name {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

// terraform runs the CLI on a copy of the runner config in a sandbox's
// state workspace, to arrange states a killed step would leave.
func (e *runnerEnv) terraform(t *testing.T, sandbox string, args ...string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(e.r.RepoDir, "examples", "tutorial", "runner"))); err != nil {
		t.Fatal(err)
	}
	for _, cmdArgs := range [][]string{{"init", "-input=false"}, {"workspace", "select", "-or-create", "sb-" + sandbox}, args} {
		cmd := exec.CommandContext(t.Context(), e.r.TerraformPath, cmdArgs...)
		cmd.Dir = dir
		cmd.Env = e.stepCmd(t.Context(), "", sandbox, "main", t.TempDir()).Env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", cmdArgs, err, out)
		}
	}
}

// TestRunnerIdempotency covers what a plugin runner meets in production:
// steps run twice, killed mid-way, or after someone deleted the branch.
func TestRunnerIdempotency(t *testing.T) {
	skipUnlessE2E(t)
	e := newRunnerEnv(t)
	ctx := context.Background()
	org, project := e.r.emu.OrganizationID(), e.r.emu.ProjectID()

	t.Run("create twice converges to one branch", func(t *testing.T) {
		_, first := e.mustStep(t, "provision.sh", "twice")
		ids := e.branches(t, "sb-twice")
		_, second := e.mustStep(t, "provision.sh", "twice")
		if again := e.branches(t, "sb-twice"); len(ids) != 1 || !reflect.DeepEqual(ids, again) {
			t.Fatalf("branches sb-twice: %v after the first run, %v after the second", ids, again)
		}
		a, _ := os.ReadFile(filepath.Join(first, "connection-string"))
		b, _ := os.ReadFile(filepath.Join(second, "connection-string"))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("the two runs wrote different or empty connection strings")
		}
	})

	t.Run("create killed before saving state is adopted on the next run", func(t *testing.T) {
		// What a kill between the API call and the state write leaves: a
		// branch of the sandbox's name that no state records.
		left, err := e.r.client.CreateBranch(ctx, org, project, xata.CreateBranchRequest{Name: "sb-killed", Mode: xata.ModeInherit, ParentID: e.mainID})
		if err != nil {
			t.Fatal(err)
		}
		e.mustStep(t, "provision.sh", "killed")
		if ids := e.branches(t, "sb-killed"); !reflect.DeepEqual(ids, []string{left.ID}) {
			t.Fatalf("want the one existing branch %s adopted, have %v", left.ID, ids)
		}
		e.mustStep(t, "cleanup.sh", "killed")
		if ids := e.branches(t, "sb-killed"); len(ids) != 0 {
			t.Fatalf("the adopted branch was not deleted: %v", ids)
		}
	})

	t.Run("delete twice succeeds", func(t *testing.T) {
		e.mustStep(t, "cleanup.sh", "twice")
		if ids := e.branches(t, "sb-twice"); len(ids) != 0 {
			t.Fatalf("branch sb-twice still exists: %v", ids)
		}
		out, _ := e.mustStep(t, "cleanup.sh", "twice")
		if !strings.Contains(out, "nothing to delete") {
			t.Errorf("the second delete should find nothing to do, said:\n%s", out)
		}
	})

	t.Run("delete after the branch was deleted by hand succeeds", func(t *testing.T) {
		e.mustStep(t, "provision.sh", "byhand")
		ids := e.branches(t, "sb-byhand")
		if len(ids) != 1 {
			t.Fatalf("want one branch, have %v", ids)
		}
		if err := e.r.client.DeleteBranch(ctx, org, project, ids[0]); err != nil {
			t.Fatal(err)
		}
		e.mustStep(t, "cleanup.sh", "byhand")
	})

	t.Run("delete finds a branch its state lost", func(t *testing.T) {
		e.mustStep(t, "provision.sh", "unrecorded")
		e.terraform(t, "unrecorded", "state", "rm", "xata_branch.sandbox")
		out, _ := e.mustStep(t, "cleanup.sh", "unrecorded")
		if !strings.Contains(out, "destroy unrecorded branch sb-unrecorded") {
			t.Errorf("cleanup did not report adopting the branch:\n%s", out)
		}
		if ids := e.branches(t, "sb-unrecorded"); len(ids) != 0 {
			t.Fatalf("the unrecorded branch was not deleted: %v", ids)
		}
	})

	t.Run("delete after a create that never made the branch succeeds", func(t *testing.T) {
		// A create step killed after it made the workspace, before apply.
		e.terraform(t, "early", "state", "list")
		if ws := e.workspaces(t); !slices.Contains(ws, "sb-early") {
			t.Fatalf("workspace sb-early was not made: %v", ws)
		}
		out, _ := e.mustStep(t, "cleanup.sh", "early")
		if !strings.Contains(out, "nothing to delete") {
			t.Errorf("cleanup should find nothing to delete, said:\n%s", out)
		}
		if ws := e.workspaces(t); slices.Contains(ws, "sb-early") {
			t.Errorf("the empty workspace sb-early was left: %v", ws)
		}
	})

	t.Run("a missing parent fails the step naming it", func(t *testing.T) {
		out, _, err := e.step(t, "provision.sh", "orphan", "no-such-parent")
		if err == nil {
			t.Fatalf("provision succeeded without a parent:\n%s", out)
		}
		if !strings.Contains(out, `"no-such-parent"`) {
			t.Errorf("the error does not name the parent:\n%s", out)
		}
		if ids := e.branches(t, "sb-orphan"); len(ids) != 0 {
			t.Errorf("a branch was created anyway: %v", ids)
		}
	})

	t.Run("no secret in a step's output", func(t *testing.T) {
		out, outputs := e.mustStep(t, "provision.sh", "quiet")
		conn, err := os.ReadFile(filepath.Join(outputs, "connection-string"))
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, "provision output", out, []string{passwordOf(string(conn)), e.r.emu.APIKey(), e.key, passwordOf(e.stateURL)})
		e.mustStep(t, "cleanup.sh", "quiet")
	})

	if n := e.r.emu.CreatedCount(project); n != 6 {
		t.Errorf("expected 6 branches ever created (main, twice, killed, byhand, unrecorded, quiet), got %d", n)
	}
}
