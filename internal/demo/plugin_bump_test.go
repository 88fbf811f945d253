package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestPluginBump runs the tutorial's baseline, creates the tutorial's
// sandbox (it resolves xata-branch to 1.0.0), then changes the plugin's
// provision step and applies the baseline again with plugin_version=1.1.0,
// as the tutorial README says. The apply must succeed, leaving 1.0.0 to the
// sandbox with a warning; the sandbox keeps its branch and outputs, and a
// new sandbox runs the changed step. Then the sandboxes go, the kept
// version is deleted as the warning says, and the baseline is destroyed.
func TestPluginBump(t *testing.T) {
	skipUnlessE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r, fatal := newE2ERunner(t)
	fatal("starting PostgreSQL", r.startPostgres(ctx))
	fatal("starting the Xata emulator", r.startEmulator(true))
	stateURL, err := r.createStateDatabase(ctx)
	fatal("creating the state database", err)
	fatal("building the provider", r.prepareTerraform(ctx))
	fatal("starting the Signadot emulator", r.startSignadot())

	baseline := filepath.Join(r.work, "baseline")
	_, err = r.applyBaseline(ctx, baseline, stateURL)
	fatal("terraform apply of the baseline", err)
	if got := r.sd.Plugins(); !reflect.DeepEqual(got, []string{"xata-branch@1.0.0"}) {
		t.Fatalf("the baseline published %v, want xata-branch@1.0.0", got)
	}

	sb, err := r.createSandbox(ctx) // the tutorial's, naming the plugin without a version
	fatal("creating sandbox "+sandboxName, err)
	before := sb.EmulatorResourceOutputs[resourceName]
	if before["provision.branch-name"] != "sb-"+sandboxName || before["provision.connection-string"] == "" {
		t.Fatalf("sandbox %s has outputs %v", sandboxName, before)
	}

	// Change a step, as a user editing the plugin would, and bump.
	mainTF := filepath.Join(baseline, "main.tf")
	src, err := os.ReadFile(mainTF)
	fatal("reading the baseline", err)
	const provision = `exec "$${RUNNER_DIR:-/opt/xata-runner}/provision.sh"`
	if !bytes.Contains(src, []byte(provision)) {
		t.Fatalf("the baseline's provision step no longer runs %s; update this test", provision)
	}
	changed := bytes.Replace(src, []byte(provision), []byte("echo \"xata-branch 1.1.0 provisioning\"\n      "+provision), 1)
	fatal("changing the provision step", os.WriteFile(mainTF, changed, 0o644))
	applied, err := r.terraform(ctx, baseline, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "plugin_version=1.1.0")
	fatal("terraform apply of the bump while sandbox "+sandboxName+" uses 1.0.0", err)
	applied = strings.Join(strings.Fields(applied), " ") // Terraform wraps diagnostics
	for _, want := range []string{
		"Warning: Signadot Resource Plugin Version Left To Its Sandboxes",
		"xata-branch@1.0.0", sandboxName, "signadot resourceplugin delete xata-branch@1.0.0",
	} {
		if !strings.Contains(applied, want) {
			t.Errorf("the apply's output does not say %q:\n%s", want, applied)
		}
	}
	if got := r.sd.Plugins(); !reflect.DeepEqual(got, []string{"xata-branch@1.0.0", "xata-branch@1.1.0"}) {
		t.Errorf("after the bump Signadot holds %v, want 1.0.0 (kept for the sandbox) and 1.1.0", got)
	}
	shown, err := r.terraform(ctx, baseline, "show", "-json")
	fatal("terraform show -json", err)
	var show struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address    string         `json:"address"`
					DeposedKey string         `json:"deposed_key"`
					Values     map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	fatal("reading terraform show -json", json.Unmarshal([]byte(shown), &show))
	var plugins []string
	for _, res := range show.Values.RootModule.Resources {
		if strings.HasPrefix(res.Address, "signadot_resource_plugin.") {
			plugins = append(plugins, fmt.Sprintf("%v%s", res.Values["id"], res.DeposedKey))
		}
	}
	if !reflect.DeepEqual(plugins, []string{"xata-branch@1.1.0"}) {
		t.Errorf("the state holds plugin objects %v, want xata-branch@1.1.0 alone (none deposed)", plugins)
	}

	// The running sandbox is untouched: still ready, same outputs, its
	// branch still there.
	sb, err = r.sdClient.GetSandbox(ctx, sandboxName)
	fatal("reading sandbox "+sandboxName, err)
	if !sb.Status.Ready || !reflect.DeepEqual(sb.EmulatorResourceOutputs[resourceName], before) {
		t.Errorf("sandbox %s after the bump: ready %v, outputs %v, want %v", sandboxName, sb.Status.Ready, sb.EmulatorResourceOutputs[resourceName], before)
	}
	branches, err := r.branchNames(ctx)
	fatal("listing branches", err)
	if !contains(branches, "sb-"+sandboxName) {
		t.Errorf("branch sb-%s is gone after the bump: %v", sandboxName, branches)
	}

	// A new sandbox gets 1.1.0 and runs the changed step.
	const second = "xata-test-2"
	_, err = r.sdClient.PutSandbox(ctx, signadot.Sandbox{Name: second, Spec: signadot.SandboxSpec{
		Cluster:   "local",
		Resources: []signadot.SandboxResource{{Name: resourceName, Plugin: "xata-branch", Params: map[string]string{"parent-branch": "main"}}},
	}})
	fatal("creating sandbox "+second, err)
	_, err = r.sdClient.WaitSandboxReady(ctx, second, 200*time.Millisecond)
	fatal("waiting for sandbox "+second, err)
	if runs := r.sd.StepRuns(second); len(runs) == 0 || !strings.Contains(runs[0].Log, "xata-branch 1.1.0 provisioning") {
		t.Errorf("sandbox %s did not run the changed provision step: %+v", second, runs)
	}

	// Clean up as the README says: sandboxes, then the kept version, then
	// the baseline, which leaves no plugin.
	for _, name := range []string{sandboxName, second} {
		fatal("deleting sandbox "+name, r.sdClient.DeleteSandbox(ctx, name))
		fatal("waiting for sandbox "+name+" to go", r.sdClient.WaitSandboxGone(ctx, name, 200*time.Millisecond))
	}
	fatal("deleting the kept xata-branch@1.0.0", r.sdClient.DeleteResourcePlugin(ctx, "xata-branch", "1.0.0"))
	_, err = r.terraform(ctx, baseline, "destroy", "-auto-approve", "-input=false", "-no-color", "-var", "plugin_version=1.1.0")
	fatal("terraform destroy of the baseline", err)
	if left := r.sd.Plugins(); len(left) != 0 {
		t.Errorf("plugins left after the cleanup: %v", left)
	}
	// The baseline made the project and main, so its destroy took them.
	if projects, keys, err := r.organizationLeft(ctx); err != nil || projects != 0 || keys != 1 {
		t.Errorf("after the cleanup the organization has %d projects and %d API keys (%v), want none but its own key", projects, keys, err)
	}
}

// TestBaselineAdoptsProject: with adopt_project_id the baseline imports
// an existing project and adopts its main instead of creating them, and
// mints the runner's key for that project.
func TestBaselineAdoptsProject(t *testing.T) {
	skipUnlessE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, fatal := newE2ERunner(t)
	fatal("starting PostgreSQL", r.startPostgres(ctx))
	fatal("starting the Xata emulator", r.startEmulator(false))
	existing := r.project
	stateURL, err := r.createStateDatabase(ctx)
	fatal("creating the state database", err)
	_, err = r.createMain(ctx)
	fatal("creating main", err)
	main, err := r.client.FindBranchByName(ctx, r.emu.OrganizationID(), existing, "main")
	fatal("finding main", err)
	fatal("building the provider", r.prepareTerraform(ctx))
	fatal("starting the Signadot emulator", r.startSignadot())

	baseline := filepath.Join(r.work, "baseline")
	token, err := r.applyBaseline(ctx, baseline, stateURL, "-var", "adopt_project_id="+existing, "-var", "project_name=default")
	fatal("terraform apply of the baseline", err)
	if r.project != existing {
		t.Errorf("the baseline's project is %s, want the adopted %s", r.project, existing)
	}
	parent, err := r.terraform(ctx, baseline, "output", "-raw", "parent_branch_id")
	fatal("reading parent_branch_id", err)
	if parent != main.ID {
		t.Errorf("the baseline's main is %s, want the adopted %s", parent, main.ID)
	}
	if projects, _, err := r.organizationLeft(ctx); err != nil || projects != 1 {
		t.Errorf("the organization has %d projects (%v), want the adopted one only", projects, err)
	}
	runner, err := xata.NewClient(xata.Config{BaseURL: r.emu.URL(), APIKey: token, UserAgent: "test", MaxAttempts: 1})
	fatal("a client with the runner's key", err)
	_, err = runner.GetBranch(ctx, r.emu.OrganizationID(), existing, main.ID)
	fatal("reading the adopted main with the runner's key", err)

	// Kept, as the variable's description says: out of state, then destroy.
	_, err = r.terraform(ctx, baseline, "state", "rm", "xata_project.sandboxes", "xata_branch.parent")
	fatal("terraform state rm", err)
	_, err = r.terraform(ctx, baseline, "destroy", "-auto-approve", "-input=false", "-no-color", "-var", "adopt_project_id="+existing, "-var", "project_name=default")
	fatal("terraform destroy of the baseline", err)
	if _, err := r.client.GetBranch(ctx, r.emu.OrganizationID(), existing, main.ID); err != nil {
		t.Errorf("the adopted main is gone after the destroy: %v", err)
	}
}

// newE2ERunner is a runner for a test that drives the tutorial's pieces
// one by one, and a check that fails the test with the runner's output.
func newE2ERunner(t *testing.T) (*runner, func(what string, err error)) {
	t.Helper()
	var out bytes.Buffer
	r, err := newRunner(Options{Out: &out, ProvisionDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.cleanup(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return r, func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out.String())
		}
	}
}
