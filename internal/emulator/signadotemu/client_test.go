package signadotemu

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// The client package against the emulator: what the provider will do.

func newClient(t *testing.T, a *testAPI) *signadot.Client {
	t.Helper()
	c, err := signadot.NewClient(signadot.Config{
		APIURL: a.e.URL(), APIKey: a.e.APIKey(), Org: a.e.Org(),
		MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond,
		HTTPClient: a.hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientLifecycle(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{Secrets: map[string]map[string]string{"creds": {"TOKEN": "t0k"}}})
	c := newClient(t, a)
	ctx := context.Background()

	p := signadot.ResourcePlugin{Name: "branch@v1.0", Spec: signadot.ResourcePluginSpec{
		Description: "test plugin",
		Runner: signadot.Runner{Image: "debian:bookworm-slim", PodTemplateOverlay: "spec:\n  containers:\n  - name: main\n    env:\n" +
			"    - name: TOKEN\n      valueFrom:\n        secretKeyRef:\n          name: creds\n          key: TOKEN\n"},
		Create: []signadot.Step{{
			Name:    "provision",
			Inputs:  []signadot.StepInput{{Name: "parent-branch", ValueFromSandbox: true}},
			Outputs: []signadot.StepOutput{{Name: "branch-name", ValueFromPath: "out/branch"}},
			Script:  `mkdir -p out; printf '%s-%s-%s' "$PARENT_BRANCH" "$SIGNADOT_SANDBOX_NAME" "$TOKEN" > out/branch`,
		}},
		Delete: []signadot.Step{{
			Name: "cleanup",
			Inputs: []signadot.StepInput{
				{Name: "branch", ValueFromStep: &signadot.ValueFromStep{Name: "provision", Output: "branch-name"}},
			},
			Script: `printf %s "$BRANCH"`,
		}},
	}}
	// Every PUT is executed and its response lost: the client must find
	// out from the read-back that its first attempt worked.
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultDropAfterCommit}, Methods: []string{"PUT"}})
	if err := c.ApplyResourcePlugin(ctx, p); err != nil {
		t.Fatalf("apply through lost responses: %v", err)
	}
	if got := strings.Join(a.e.Plugins(), " "); got != "branch@1.0.0" {
		t.Fatalf("Plugins() = %s", got)
	}
	// What reached the server names the version as given and leaves the
	// delete step's empty outputs out (the spec allows no null lists).
	var sent map[string]any
	if err := json.Unmarshal(a.e.LastApplyBody("branch"), &sent); err != nil {
		t.Fatal(err)
	}
	if body := string(a.e.LastApplyBody("branch")); strings.Contains(body, "null") || sent["name"] != "branch@v1.0" {
		t.Errorf("sent %s", body)
	}
	a.e.SetFaults(Faults{Rate: 0.5, Seed: 1, Kinds: []FaultKind{FaultRateLimitedRetryAfter, FaultUnavailable, FaultServerError},
		RetryAfter: time.Millisecond})

	err := c.ApplyResourcePlugin(ctx, p)
	if !signadot.IsConflict(err) || !strings.Contains(err.Error(), `"branch@v1.0" already exists`) {
		t.Fatalf("republish: %v", err)
	}
	got, err := c.GetResourcePlugin(ctx, "branch", "")
	if err != nil || got.Name != "branch@1.0.0" || got.Spec.Create[0].Outputs[0].ValueFromPath != "out/branch" || got.CreatedAt == "" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if vs, err := c.ResourcePluginVersions(ctx, "branch"); err != nil || len(vs) != 1 {
		t.Fatalf("versions: %+v, %v", vs, err)
	}

	sb := signadot.Sandbox{Name: "feature-x", Spec: signadot.SandboxSpec{
		Cluster: "dev",
		Resources: []signadot.SandboxResource{{Name: "db", Plugin: "branch",
			Params: map[string]string{"parent-branch": "main"}}},
	}}
	put, err := c.PutSandbox(ctx, sb)
	if err != nil || put.RoutingKey == "" {
		t.Fatalf("put sandbox: %+v, %v", put, err)
	}
	ready, err := c.WaitSandboxReady(ctx, "feature-x", 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if v := ready.EmulatorResourceOutputs["db"]["provision.branch-name"]; v != "main-feature-x-t0k" {
		t.Errorf("outputs = %v", ready.EmulatorResourceOutputs)
	}

	err = c.DeleteResourcePlugin(ctx, "branch", "")
	var inUse *signadot.PluginInUseError
	if !errors.As(err, &inUse) || inUse.Plugin != "branch@1.0.0" || strings.Join(inUse.Sandboxes, ",") != "feature-x" {
		t.Fatalf("delete in use: %v", err)
	}

	if err := c.DeleteSandbox(ctx, "feature-x"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitSandboxGone(ctx, "feature-x", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSandbox(ctx, "feature-x"); !signadot.IsNotFound(err) {
		t.Errorf("get after delete: %v", err)
	}
	if runs := a.e.StepRuns("feature-x"); len(runs) != 2 || runs[1].Log != "main-feature-x-t0k" {
		t.Errorf("delete step saw %+v", runs)
	}
	if err := c.DeleteResourcePlugin(ctx, "branch", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetResourcePlugin(ctx, "branch", ""); !signadot.IsNotFound(err) {
		t.Errorf("get deleted plugin: %v", err)
	}
	if err := c.DeleteResourcePlugin(ctx, "branch", "1.0.0"); !signadot.IsNotFound(err) {
		t.Errorf("delete deleted plugin: %v", err)
	}
}

func TestClientSeesFailures(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	c := newClient(t, a)
	ctx := context.Background()
	bad := signadot.ResourcePlugin{Name: "p", Spec: signadot.ResourcePluginSpec{Runner: signadot.Runner{Image: "i"},
		Create: []signadot.Step{{Name: "a"}, {Name: "a"}}}}
	var apiErr *signadot.APIError
	if err := c.ApplyResourcePlugin(ctx, bad); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 ||
		!strings.Contains(apiErr.Message, "step names must be unique") || apiErr.RequestID == "" {
		t.Fatalf("invalid plugin: %v", err)
	}
	good := signadot.ResourcePlugin{Name: "p", Spec: signadot.ResourcePluginSpec{Runner: signadot.Runner{Image: "i"},
		Create: []signadot.Step{{Name: "a", Script: "echo no luck >&2; exit 4"}},
		Delete: []signadot.Step{{Name: "d", Script: "exit 5"}}}}
	if err := c.ApplyResourcePlugin(ctx, good); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSandbox(ctx, signadot.Sandbox{Name: "s", Spec: signadot.SandboxSpec{Cluster: "c",
		Resources: []signadot.SandboxResource{{Name: "r", Plugin: "p"}}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.WaitSandboxReady(ctx, "s", 10*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "ResourceFailed") || !strings.Contains(err.Error(), "no luck") {
		t.Fatalf("wait ready: %v", err)
	}
	if err := c.DeleteSandbox(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	err = c.WaitSandboxGone(ctx, "s", 10*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "ResourceDeleteFailed") || !strings.Contains(err.Error(), "exit code 5") {
		t.Fatalf("wait gone: %v", err)
	}
	if _, err := c.GetSandbox(ctx, "other"); !signadot.IsNotFound(err) {
		t.Errorf("missing sandbox: %v", err)
	}

	wrongOrg, _ := signadot.NewClient(signadot.Config{APIURL: a.e.URL(), APIKey: a.e.APIKey(), Org: "other", MaxAttempts: 1})
	if _, err := wrongOrg.GetSandbox(ctx, "s"); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || signadot.IsNotFound(err) {
		t.Errorf("wrong org: %v", err)
	}
}
