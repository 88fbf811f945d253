package signadotemu

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// pluginWith builds a plugin body from create and delete steps.
func pluginWith(name, overlay string, create, del []any) map[string]any {
	return map[string]any{"name": name, "spec": map[string]any{
		"runner": map[string]any{"image": "debian:bookworm-slim", "podTemplateOverlay": overlay},
		"create": create, "delete": del,
	}}
}

func outputAt(name, path string) map[string]any {
	return map[string]any{"name": name, "valueFromPath": path}
}

func TestRunnerStepsInputsAndOutputs(t *testing.T) {
	needRoot(t)
	dir := hostDir(t)
	t.Setenv("SIGNADOTEMU_LEAK", "from-the-emulator")
	a := newEmu(t, Options{StepEnv: []string{"PATH=" + os.Getenv("PATH"), "IMAGE_VAR=from-the-image"}})
	// "consume" is declared first but needs "provision"'s output.
	a.apply(pluginWith("db", "", []any{
		map[string]any{
			"name": "consume",
			"inputs": []any{
				map[string]any{"name": "branch", "valueFromStep": map[string]any{"name": "provision", "output": "branch-name"},
					"as": map[string]any{"env": "BRANCH", "path": dir + "/inputs/branch"}},
				map[string]any{"name": "region", "valueFromSandbox": true},
			},
			"outputs": []any{outputAt("url", dir+"/outputs/url"), outputAt("env", dir+"/outputs/env"), outputAt("rel", "rel/out")},
			"script": strings.ReplaceAll(`set -e
[ "$BRANCH" = "$(cat DIR/inputs/branch)" ]
printf 'postgres://%s/%s' "$REGION" "$BRANCH" > DIR/outputs/url
env > DIR/outputs/env
mkdir -p rel && printf relative > rel/out`, "DIR", dir),
		},
		map[string]any{
			"name":    "provision",
			"inputs":  []any{map[string]any{"name": "parent-branch", "valueFromSandbox": true}},
			"outputs": []any{outputAt("branch-name", dir+"/outputs/branch-name")},
			"script":  `printf 'sb-%s-%s' "$SIGNADOT_SANDBOX_NAME" "$PARENT_BRANCH" > ` + dir + "/outputs/branch-name",
		},
	}, nil))
	created := a.putSandbox("sb1", sandboxResource{Name: "usersDb", Plugin: "db",
		Params: map[string]string{"parent-branch": "main", "region": "eu"}})
	if created.Status.Ready || created.Status.Reason != "ResourcesProvisioning" || created.RoutingKey == "" {
		t.Errorf("PUT answered %+v", created)
	}
	sb := a.waitSandbox("sb1", settled)
	if !sb.Status.Ready || sb.Status.Reason != "Ready" {
		t.Fatalf("status = %+v; runs %+v", sb.Status, a.e.StepRuns("sb1"))
	}
	out := sb.Outputs["usersDb"]
	if out["provision.branch-name"] != "sb-sb1-main" || out["consume.url"] != "postgres://eu/sb-sb1-main" || out["consume.rel"] != "relative" {
		t.Errorf("outputs = %v", out)
	}
	env := out["consume.env"]
	for _, want := range []string{"SIGNADOT_SANDBOX_NAME=sb1\n", "SIGNADOT_RESOURCE_NAME=usersDb\n",
		"SIGNADOT_SANDBOX_ROUTING_KEY=" + sb.RoutingKey + "\n", "SIGNADOT_SANDBOX_ID=", "IMAGE_VAR=from-the-image\n", "REGION=eu\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("step env lacks %q:\n%s", want, env)
		}
	}
	if strings.Contains(env, "SIGNADOTEMU_LEAK") || !strings.Contains(env, "\nHOME=/tmp\n") {
		t.Errorf("step env is not private:\n%s", env)
	}
	runs := a.e.StepRuns("sb1")
	if len(runs) != 2 || runs[0].Step != "provision" || runs[1].Step != "consume" || runs[0].Phase != "create" ||
		runs[0].ExitCode != 0 || runs[0].Outputs["branch-name"] != "sb-sb1-main" || runs[1].Finished.Before(runs[1].Started) {
		t.Errorf("runs = %+v", runs)
	}
	// The GET shows the same; the field is absent from other sandboxes.
	r := a.do("GET", "/sandboxes/sb1", nil)
	if !strings.Contains(string(r.body), `"x-emulator-resource-outputs":{"usersDb":{`) {
		t.Errorf("GET = %s", r.body)
	}
	a.putSandbox("plain")
	if r := a.do("GET", "/sandboxes/plain", nil); strings.Contains(string(r.body), "x-emulator") ||
		!strings.Contains(string(r.body), `"status":{"ready":true,"reason":"Ready"`) {
		t.Errorf("sandbox without resources = %s", r.body)
	}
	// The mount points stay on the host, empty.
	for _, d := range []string{dir + "/inputs", dir + "/outputs"} {
		if entries, err := os.ReadDir(d); err != nil || len(entries) != 0 {
			t.Errorf("host %s: %v, %v", d, entries, err)
		}
	}
}

func TestRunnerOverlaySecrets(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{Secrets: map[string]map[string]string{"creds": {"API_KEY": "s3cr3t"}}})
	const overlay = `spec:
  containers:
  - name: main
    env:
    - name: LITERAL
      value: plain
    - name: API_KEY
      valueFrom:
        secretKeyRef: {name: creds, key: API_KEY}
    - name: OPTIONAL
      valueFrom:
        secretKeyRef: {name: absent, key: x, optional: true}
`
	a.apply(pluginWith("ok", overlay, []any{map[string]any{"name": "s",
		"outputs": []any{outputAt("v", "v")}, "script": `printf '%s %s %s' "$LITERAL" "$API_KEY" "${OPTIONAL-unset}" > v`}}, nil))
	a.putSandbox("good", sandboxResource{Name: "r", Plugin: "ok"})
	sb := a.waitSandbox("good", settled)
	if got := sb.Outputs["r"]["s.v"]; got != "plain s3cr3t unset" {
		t.Fatalf("secret did not reach the script: %q (%+v)", got, sb.Status)
	}

	missing := strings.Replace(overlay, "name: creds", "name: nope", 1)
	a.apply(pluginWith("missing", missing, []any{map[string]any{"name": "s", "script": "echo never"}}, nil))
	a.putSandbox("bad", sandboxResource{Name: "r", Plugin: "missing"})
	sb = a.waitSandbox("bad", settled)
	if sb.Status.Ready || sb.Status.Reason != "ResourceFailed" ||
		!strings.Contains(sb.Status.Message, `resource "r": create step "s" failed: env API_KEY: secret "nope" not found`) {
		t.Errorf("status = %+v", sb.Status)
	}
	runs := a.e.StepRuns("bad")
	if len(runs) != 1 || runs[0].ExitCode != -1 || strings.Contains(runs[0].Log, "never") {
		t.Errorf("runs = %+v", runs)
	}

	// The tutorial's container is named "runner": applied, with a warning.
	runner := strings.Replace(overlay, "name: main", "name: runner", 1)
	a.apply(pluginWith("runner", runner, []any{map[string]any{"name": "s",
		"outputs": []any{outputAt("v", "v")}, "script": `printf %s "$API_KEY" > v`}}, nil))
	a.putSandbox("warn", sandboxResource{Name: "r", Plugin: "runner"})
	sb = a.waitSandbox("warn", settled)
	runs = a.e.StepRuns("warn")
	if sb.Outputs["r"]["s.v"] != "s3cr3t" || len(runs) != 1 || !strings.Contains(runs[0].Log, `container is named "runner", not "main"`) {
		t.Errorf("outputs %v, runs %+v", sb.Outputs, runs)
	}
}

func TestRunnerPrivatePathsAreIsolated(t *testing.T) {
	needRoot(t)
	// The path real plugins use. The runner leaves an empty mount point;
	// remove it unless it was there before.
	const dir = "/outputs"
	if !fileExists(dir) {
		t.Cleanup(func() { os.Remove(dir) })
	}
	a := newEmu(t, Options{})
	// Each step writes its sandbox name, waits for the others to do the
	// same, and checks its file still holds its own name.
	a.apply(pluginWith("writer", "", []any{map[string]any{"name": "w",
		"outputs": []any{outputAt("x", dir+"/x")},
		"script": fmt.Sprintf(`set -e
printf %%s "$SIGNADOT_SANDBOX_NAME" > %[1]s/x
sleep 0.5
[ "$(cat %[1]s/x)" = "$SIGNADOT_SANDBOX_NAME" ]`, dir)}}, nil))
	const n = 4
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.putSandbox(fmt.Sprintf("sb%d", i), sandboxResource{Name: "r", Plugin: "writer"})
		}()
	}
	wg.Wait()
	for i := range n {
		name := fmt.Sprintf("sb%d", i)
		sb := a.waitSandbox(name, settled)
		if got := sb.Outputs["r"]["w.x"]; got != name {
			t.Errorf("%s got %q (%+v)", name, got, sb.Status)
		}
	}
	// The only trace on the host is the empty mount point.
	if fileExists(dir + "/x") {
		t.Errorf("host %s/x exists", dir)
	}
}

func TestRunnerRefusesUnsafePrivateDirs(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	for _, tt := range []struct{ path, msg string }{
		{"/etc/x", "cannot make /etc private"},
		{"/x", "cannot make / private"},
		{"../etc/x", `path "../etc/x" leaves the step's working directory /tmp`},
	} {
		name := "p" + fmt.Sprint(len(a.e.Plugins()))
		a.apply(pluginWith(name, "", []any{map[string]any{"name": "s",
			"outputs": []any{outputAt("x", tt.path)}, "script": "true"}}, nil))
		a.putSandbox(name, sandboxResource{Name: "r", Plugin: name})
		if sb := a.waitSandbox(name, settled); sb.Status.Reason != "ResourceFailed" || !strings.Contains(sb.Status.Message, tt.msg) {
			t.Errorf("%s: status %+v, want %q", tt.path, sb.Status, tt.msg)
		}
	}
}

func TestRunnerFailingStep(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(pluginWith("flaky", "", []any{
		map[string]any{"name": "boom", "outputs": []any{outputAt("o", "o")},
			"script": "echo doing the work\necho something broke >&2\nexit 3"},
		map[string]any{"name": "after", "inputs": []any{map[string]any{"name": "o", "valueFromStep": map[string]any{"name": "boom", "output": "o"}}},
			"script": "true"},
	}, nil))
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "flaky"})
	sb := a.waitSandbox("sb", settled)
	msg := sb.Status.Message
	if sb.Status.Ready || sb.Status.Reason != "ResourceFailed" || sb.Outputs != nil ||
		!strings.Contains(msg, `resource "db": create step "boom" failed: exit code 3`) ||
		!strings.Contains(msg, "doing the work\nsomething broke") {
		t.Errorf("status = %+v", sb.Status)
	}
	runs := a.e.StepRuns("sb")
	if len(runs) != 1 || runs[0].ExitCode != 3 || runs[0].Log != "doing the work\nsomething broke\n" || runs[0].Outputs != nil {
		t.Errorf("runs = %+v", runs)
	}

	a.apply(pluginWith("lazy", "", []any{map[string]any{"name": "s", "outputs": []any{outputAt("o", "never-written")}, "script": "true"}}, nil))
	a.putSandbox("sb2", sandboxResource{Name: "db", Plugin: "lazy"})
	if sb := a.waitSandbox("sb2", settled); !strings.Contains(sb.Status.Message, `output "o": the script did not write never-written`) {
		t.Errorf("status = %+v", sb.Status)
	}
}

func TestSandboxDeleteRunsDeleteSteps(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(pluginWith("db", "", []any{
		map[string]any{"name": "provision", "outputs": []any{outputAt("branch", "branch")}, "script": `printf "sb-$SIGNADOT_SANDBOX_NAME" > branch`},
	}, []any{
		map[string]any{"name": "cleanup", "inputs": []any{
			map[string]any{"name": "branch", "valueFromStep": map[string]any{"name": "provision", "output": "branch"}},
		}, "script": `echo "deleted $BRANCH"`},
	}))
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "db"})
	a.waitSandbox("sb", settled)
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusOK, "")
	a.waitSandbox("sb", nil)
	runs := a.e.StepRuns("sb")
	if len(runs) != 2 || runs[1].Phase != "delete" || runs[1].Step != "cleanup" || runs[1].Log != "deleted sb-sb\n" {
		t.Errorf("runs = %+v", runs)
	}
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusNotFound, "can't get sandbox: not found")
}

func TestSandboxFailingDeleteIsRetried(t *testing.T) {
	needRoot(t)
	// The step looks for the fix in a directory of the image, which the
	// test can change and the step can read.
	dir := imageDir(t)
	fix := filepath.Join(dir, "fixed")
	a := newEmu(t, Options{ImagePaths: []string{dir}})
	a.apply(pluginWith("db", "", []any{map[string]any{"name": "provision", "script": "true"}}, []any{
		map[string]any{"name": "cleanup", "inputs": []any{map[string]any{"name": "fix", "valueFromSandbox": true}},
			"script": `[ -f "$FIX" ] || { echo "branch is locked" >&2; exit 1; }`},
	}))
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "db", Params: map[string]string{"fix": fix}})
	a.waitSandbox("sb", settled)
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusOK, "")
	sb := a.waitSandbox("sb", settled)
	if sb.Status.Ready || sb.Status.Reason != "ResourceDeleteFailed" ||
		!strings.Contains(sb.Status.Message, `resource "db": delete step "cleanup" failed: exit code 1`) ||
		!strings.Contains(sb.Status.Message, "branch is locked") {
		t.Fatalf("status = %+v", sb.Status)
	}
	// Still there, still pinning its plugin version; no update meanwhile.
	if p := a.getPlugin("db"); len(p.Status.Resources) != 1 {
		t.Errorf("pins = %+v", p.Status.Resources)
	}
	a.expect(a.do("PUT", "/sandboxes/sb", sandboxBody("sb", sandboxResource{Name: "db", Plugin: "db", Params: map[string]string{"fix": fix}})),
		http.StatusConflict, "is being deleted")

	if err := os.WriteFile(fix, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusOK, "")
	a.waitSandbox("sb", nil)
	if p := a.getPlugin("db"); len(p.Status.Resources) != 0 {
		t.Errorf("pins after delete = %+v", p.Status.Resources)
	}
	if runs := a.e.StepRuns("sb"); len(runs) != 3 || runs[1].ExitCode != 1 || runs[2].ExitCode != 0 {
		t.Errorf("runs = %+v", runs)
	}

	// force=true deletes despite the failing step.
	os.Remove(fix)
	a.putSandbox("sb", sandboxResource{Name: "db", Plugin: "db", Params: map[string]string{"fix": fix}})
	a.waitSandbox("sb", settled)
	a.expect(a.do("DELETE", "/sandboxes/sb?force=true", nil), http.StatusOK, "")
	a.waitSandbox("sb", nil)
	if runs := a.e.StepRuns("sb"); len(runs) != 5 || runs[4].ExitCode != 1 {
		t.Errorf("runs = %+v", runs)
	}
	a.expect(a.do("DELETE", "/sandboxes/x?force=maybe", nil), http.StatusBadRequest, "invalid force")
}

func TestSandboxDeleteKillsRunningCreate(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(pluginWith("slow", "", []any{map[string]any{"name": "wait", "script": "sleep 60"}},
		[]any{map[string]any{"name": "cleanup", "script": "echo cleaned"}}))
	a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "slow"})
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	a.expect(a.do("DELETE", "/sandboxes/sb", nil), http.StatusOK, "")
	if sb := decodeAs[sandboxOut](t, a.do("GET", "/sandboxes/sb", nil)); sb.Status.Reason != "Terminating" {
		// The delete may already be done; then the GET is a 404 and the
		// decode gives an empty reason.
		if sb.Name != "" {
			t.Errorf("status right after DELETE = %+v", sb.Status)
		}
	}
	a.waitSandbox("sb", nil)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("delete took %v", d)
	}
	runs := a.e.StepRuns("sb")
	if len(runs) != 2 || !strings.Contains(fmt.Sprint(runs[0].ExitCode), "-1") || runs[1].Log != "cleaned\n" {
		t.Errorf("runs = %+v", runs)
	}
}

func TestCloseKillsRunningSteps(t *testing.T) {
	needRoot(t)
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.closeWait = 100 * time.Millisecond
	base, err := e.Start()
	if err != nil {
		t.Fatal(err)
	}
	a := &testAPI{t: t, e: e, base: base + "/api/v2/orgs/" + e.Org(), key: e.APIKey(), hc: http.DefaultClient}
	a.apply(pluginWith("slow", "", []any{map[string]any{"name": "wait", "script": "sleep 60"}}, nil))
	a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "slow"})
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v", d)
	}
	runs := e.StepRuns("sb")
	if len(runs) != 1 || runs[0].ExitCode != -1 {
		t.Errorf("runs = %+v", runs)
	}
	if fileExists(e.workDir) {
		t.Error("work dir left behind")
	}
}

func TestSandboxPutRules(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(plugin("db"))
	for _, tt := range []struct {
		name string
		body any
		msg  string
	}{
		{"name mismatch", sandboxBody("other"), `name "other" in the body does not match "sb"`},
		{"no spec", map[string]any{"name": "sb"}, "spec is required"},
		{"no cluster", map[string]any{"name": "sb", "spec": map[string]any{}}, "spec.cluster is required"},
		{"unknown plugin", sandboxBody("sb", sandboxResource{Name: "r", Plugin: "nope"}), `spec.resources[0].plugin: no resource plugin "nope" is published`},
		{"unknown version", sandboxBody("sb", sandboxResource{Name: "r", Plugin: "db@9"}), `no resource plugin "db@9" is published`},
		{"resource without name", sandboxBody("sb", sandboxResource{Plugin: "db"}), "spec.resources[0].name is required"},
		{"resource twice", sandboxBody("sb", sandboxResource{Name: "r", Plugin: "db"}, sandboxResource{Name: "r", Plugin: "db"}),
			`spec.resources[1].name "r" is used twice`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a.expect(a.do("PUT", "/sandboxes/sb", tt.body), http.StatusBadRequest, tt.msg)
		})
	}
	a.expect(a.do("GET", "/sandboxes/sb", nil), http.StatusNotFound, "can't get sandbox: not found")

	first := a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "db", Params: map[string]string{"a": "1"}})
	a.waitSandbox("sb", settled)
	// Other fields may change; resources may not.
	body := sandboxBody("sb", sandboxResource{Name: "r", Plugin: "db", Params: map[string]string{"a": "1"}})
	body["spec"].(map[string]any)["labels"] = map[string]string{"team": "x"}
	r := a.do("PUT", "/sandboxes/sb", body)
	a.expect(r, http.StatusOK, "")
	updated := decodeAs[sandboxOut](t, r)
	if updated.RoutingKey != first.RoutingKey || !strings.Contains(string(updated.Spec), `"labels":{"team":"x"}`) || !updated.Status.Ready {
		t.Errorf("update = %+v", updated)
	}
	a.expect(a.do("PUT", "/sandboxes/sb", sandboxBody("sb", sandboxResource{Name: "r", Plugin: "db", Params: map[string]string{"a": "2"}})),
		http.StatusBadRequest, "resources of an existing sandbox cannot be updated")
	if runs := a.e.StepRuns("sb"); len(runs) != 1 {
		t.Errorf("the update re-ran steps: %+v", runs)
	}
	r = a.do("GET", "/sandboxes", nil)
	a.expect(r, http.StatusOK, "")
	if list := decodeAs[[]sandboxOut](t, r); len(list) != 1 || list[0].Name != "sb" {
		t.Errorf("list = %s", r.body)
	}
}

// hostDir is a fresh directory name at the root of the host's filesystem,
// where plugins' absolute paths usually are (like /outputs), removed after
// the test with the mount points the runner leaves in it.
func hostDir(t *testing.T) string {
	dir := fmt.Sprintf("/signadotemu-test-%d", time.Now().UnixNano())
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// imageDir is a fresh directory every step can read, as ImagePaths
// require.
func imageDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunnerStepsCannotReadEachOther: while one step runs with a secret in
// its environment, its /tmp and its output, a second step looks for the
// secret every way a process on the host could (the first one's
// /proc/<pid>/environ, the host files behind its /tmp and /outputs, its
// own /tmp and /outputs, any /proc entry it sees), and for /etc/shadow,
// and finds nothing. Each runs as an unprivileged user of its own.
func TestRunnerStepsCannotReadEachOther(t *testing.T) {
	needRoot(t)
	const secret = "tok-s3cr3t"
	gate := imageDir(t) // the holder waits until the test writes gate/go
	// The control is a file the prober may read: it must find the secret
	// there, or its search proves nothing.
	control := filepath.Join(gate, "control")
	writeFile(t, control, secret)
	a := newEmu(t, Options{ImagePaths: []string{gate}, Secrets: map[string]map[string]string{"creds": {"TOKEN": secret}}})
	const overlay = "spec:\n  containers:\n  - name: main\n    env:\n    - name: TOKEN\n      valueFrom:\n        secretKeyRef: {name: creds, key: TOKEN}\n"
	a.apply(pluginWith("holder", overlay, []any{map[string]any{"name": "hold",
		"outputs": []any{outputAt("secret", "/outputs/secret"), outputAt("uid", "/outputs/uid")},
		"script": `printf %s "$TOKEN" > /outputs/secret
printf %s "$TOKEN" > /tmp/scratch
printf %s "$(id -u)" > /outputs/uid
until [ -e ` + gate + `/go ]; do sleep 0.05; done`}}, nil))
	a.putSandbox("holder", sandboxResource{Name: "r", Plugin: "holder"})

	// As root, the test finds the holder's process and the host files
	// behind its private directories.
	var pid, outFile, tmpFile string
	for deadline := time.Now().Add(30 * time.Second); pid == "" || outFile == "" || tmpFile == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the holder step did not show up: pid %q, files %q %q; runs %+v", pid, outFile, tmpFile, a.e.StepRuns("holder"))
		}
		pid = processWithEnv(t, "SIGNADOT_SANDBOX_NAME=holder")
		outFile, tmpFile = fileHolding(t, a.e.workDir, "secret", secret), fileHolding(t, a.e.workDir, "scratch", secret)
	}

	fromSandbox := func(name string) map[string]any { return map[string]any{"name": name, "valueFromSandbox": true} }
	a.apply(pluginWith("prober", "", []any{map[string]any{"name": "probe",
		"inputs":  []any{fromSandbox("pid"), fromSandbox("out-file"), fromSandbox("tmp-file"), fromSandbox("control")},
		"outputs": []any{outputAt("found", "/outputs/found"), outputAt("uid", "/outputs/uid")},
		"script": `found=
try() { if grep -qa ` + secret + ` "$2" 2>/dev/null; then found="$found $1"; fi; }
try control "$CONTROL"
try environ "/proc/$PID/environ"
try host-output "$OUT_FILE"
try host-tmp "$TMP_FILE"
try tmp /tmp/scratch
try outputs /outputs/secret
for f in /proc/[0-9]*/environ; do try proc-scan "$f"; done
if cat /etc/shadow >/dev/null 2>&1; then found="$found shadow"; fi
printf %s "$found" > /outputs/found
printf %s "$(id -u)" > /outputs/uid`}}, nil))
	a.putSandbox("prober", sandboxResource{Name: "r", Plugin: "prober",
		Params: map[string]string{"pid": pid, "out-file": outFile, "tmp-file": tmpFile, "control": control}})
	probe := a.waitSandbox("prober", settled)
	if got := probe.Outputs["r"]["probe.found"]; got != " control" {
		t.Errorf("the prober found the secret via %q, want only via the control; status %+v", got, probe.Status)
	}

	if err := os.WriteFile(filepath.Join(gate, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hold := a.waitSandbox("holder", settled)
	out := hold.Outputs["r"]
	if out["hold.secret"] != secret {
		t.Errorf("the holder's output was not collected: %v (status %+v)", out, hold.Status)
	}
	holderUID, proberUID := out["hold.uid"], probe.Outputs["r"]["probe.uid"]
	if holderUID == "" || holderUID == "0" || proberUID == "0" || holderUID == proberUID {
		t.Errorf("step users: holder %q, prober %q; want two distinct non-root ids", holderUID, proberUID)
	}
}

// processWithEnv is the pid of a host process whose environment holds kv
// ("" if none).
func processWithEnv(t *testing.T, kv string) string {
	t.Helper()
	environs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, f := range environs {
		if b, err := os.ReadFile(f); err == nil && strings.Contains("\x00"+string(b), "\x00"+kv+"\x00") {
			return filepath.Base(filepath.Dir(f))
		}
	}
	return ""
}

// fileHolding is the path of a file named name under dir whose content is
// content ("" if none yet).
func fileHolding(t *testing.T, dir, name, content string) string {
	t.Helper()
	found := ""
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == name {
			if b, _ := os.ReadFile(p); string(b) == content {
				found = p
			}
		}
		return nil
	})
	return found
}

// TestRunnerImagePaths: the step's /tmp and /root are its own, holding
// only the image paths, read-only; host files there are out of sight even
// when anyone may read them.
func TestRunnerImagePaths(t *testing.T) {
	needRoot(t)
	img, cfg := imageDir(t), imageDir(t)
	writeFile(t, filepath.Join(img, "tool.txt"), "from the image")
	rc := filepath.Join(cfg, "rc")
	writeFile(t, rc, "config")
	// Under /root, which is root's alone on the host: the CLI a demo runs
	// may be cached there.
	rootDir := fmt.Sprintf("/root/signadotemu-test-%d", time.Now().UnixNano())
	t.Cleanup(func() { os.RemoveAll(rootDir) })
	if err := os.MkdirAll(filepath.Join(rootDir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(rootDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(rootDir, "bin", "tool"), "#!/bin/sh\necho tool ran\n")
	if err := os.Chmod(filepath.Join(rootDir, "bin", "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	visible := imageDir(t) // readable by anyone, but not an image path
	writeFile(t, filepath.Join(visible, "host-file"), "host")

	a := newEmu(t, Options{ImagePaths: []string{img, rc, filepath.Join(rootDir, "bin")}})
	a.apply(pluginWith("img", "", []any{map[string]any{"name": "s",
		"outputs": []any{outputAt("tool", "tool"), outputAt("rc", "rc"), outputAt("root", "root"),
			outputAt("write", "write"), outputAt("host", "host"), outputAt("root-ls", "root-ls")},
		"script": fmt.Sprintf(`cat %[1]s/tool.txt > tool
cat %[2]s > rc
%[3]s/bin/tool > root
{ touch %[1]s/new 2>/dev/null && echo writable || echo read-only; } > write
{ cat %[4]s/host-file 2>/dev/null || echo hidden; } > host
ls /root > root-ls`, img, rc, rootDir, visible)}}, nil))
	a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "img"})
	sb := a.waitSandbox("sb", settled)
	want := map[string]string{"s.tool": "from the image", "s.rc": "config", "s.root": "tool ran\n", "s.write": "read-only\n",
		"s.host": "hidden\n", "s.root-ls": filepath.Base(rootDir) + "\n"}
	if got := sb.Outputs["r"]; !reflect.DeepEqual(got, want) {
		t.Errorf("outputs = %v, want %v (status %+v)", got, want, sb.Status)
	}
	if fileExists(filepath.Join(img, "new")) {
		t.Error("the step wrote into an image path")
	}

	// A private directory itself cannot be an image path: the step would
	// share it.
	b := newEmu(t, Options{ImagePaths: []string{"/tmp"}})
	b.apply(pluginWith("p", "", []any{map[string]any{"name": "s", "script": "true"}}, nil))
	b.putSandbox("sb", sandboxResource{Name: "r", Plugin: "p"})
	if sb := b.waitSandbox("sb", settled); !strings.Contains(sb.Status.Message, "image path /tmp is one of the step's private directories") {
		t.Errorf("status = %+v", sb.Status)
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunnerStepEnvironment: a step's environment is its inputs, the
// overlay's env, the SIGNADOT_* variables, a fixed PATH and HOME=/tmp,
// and what bash itself sets; nothing of the emulator's. Variables bash
// cannot take are left out, named in the log without their values.
func TestRunnerStepEnvironment(t *testing.T) {
	needRoot(t)
	t.Setenv("SIGNADOTEMU_LEAK", "from-the-emulator")
	a := newEmu(t, Options{})
	const overlay = "spec:\n  containers:\n  - name: main\n    env:\n    - {name: LITERAL, value: plain}\n    - {name: bad.name, value: v-hidden}\n"
	a.apply(pluginWith("env", overlay, []any{map[string]any{"name": "s",
		"inputs":  []any{map[string]any{"name": "region", "valueFromSandbox": true}},
		"outputs": []any{outputAt("env", "/outputs/env"), outputAt("cwd", "/outputs/cwd")},
		"script":  "env > /outputs/env; pwd > /outputs/cwd"}}, nil))
	a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "env", Params: map[string]string{"region": "eu"}})
	sb := a.waitSandbox("sb", settled)
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(sb.Outputs["r"]["s.env"]), "\n") {
		k, v, _ := strings.Cut(line, "=")
		vars[k] = v
	}
	want := []string{"HOME", "LITERAL", "OLDPWD", "PATH", "PWD", "REGION", "SHLVL", "SIGNADOT_RESOURCE_NAME",
		"SIGNADOT_SANDBOX_ID", "SIGNADOT_SANDBOX_NAME", "SIGNADOT_SANDBOX_ROUTING_KEY", "_"}
	if got := sortedKeys(vars); !reflect.DeepEqual(got, want) {
		t.Errorf("variables = %v, want %v (status %+v)", got, want, sb.Status)
	}
	if vars["PATH"] != "/usr/local/bin:/usr/bin:/bin" || vars["HOME"] != "/tmp" || vars["REGION"] != "eu" ||
		vars["LITERAL"] != "plain" || sb.Outputs["r"]["s.cwd"] != "/tmp\n" {
		t.Errorf("values = %v, cwd %q", vars, sb.Outputs["r"]["s.cwd"])
	}
	runs := a.e.StepRuns("sb")
	if len(runs) != 1 || !strings.Contains(runs[0].Log, "signadotemu: env bad.name is not a shell variable name") ||
		strings.Contains(runs[0].Log, "v-hidden") {
		t.Errorf("runs = %+v", runs)
	}
}

// TestRunnerStepEnvOptions: Options.StepEnv adds to the step's
// environment and may override HOME and PATH; a StepEnv without PATH keeps
// the default one, so -step-env RUNNER_DIR=… alone still finds bash's
// tools. An entry that is not KEY=VALUE is refused.
func TestRunnerStepEnvOptions(t *testing.T) {
	for _, bad := range []string{"RUNNER_DIR", "=x"} {
		if _, err := New(Options{StepEnv: []string{bad}}); err == nil || !strings.Contains(err.Error(), "not KEY=VALUE") {
			t.Errorf("StepEnv %q: err = %v, want it refused", bad, err)
		}
	}
	needRoot(t)
	for _, tc := range []struct {
		stepEnv []string
		want    map[string]string
	}{
		{[]string{"RUNNER_DIR=/opt/runner", "TERRAFORM=/usr/bin/tofu"},
			map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "RUNNER_DIR": "/opt/runner", "TERRAFORM": "/usr/bin/tofu"}},
		{[]string{"PATH=/usr/bin:/bin", "HOME=/outputs", "EMPTY="},
			map[string]string{"PATH": "/usr/bin:/bin", "HOME": "/outputs", "EMPTY": ""}},
	} {
		a := newEmu(t, Options{StepEnv: tc.stepEnv})
		a.apply(pluginWith("env", "", []any{map[string]any{"name": "s",
			"outputs": []any{outputAt("env", "/outputs/env")}, "script": "env > /outputs/env"}}, nil))
		a.putSandbox("sb", sandboxResource{Name: "r", Plugin: "env"})
		sb := a.waitSandbox("sb", settled)
		vars := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(sb.Outputs["r"]["s.env"]), "\n") {
			k, v, _ := strings.Cut(line, "=")
			vars[k] = v
		}
		for k, want := range tc.want {
			if got, ok := vars[k]; !ok || got != want {
				t.Errorf("StepEnv %v: %s = %q (set %v), want %q; status %+v", tc.stepEnv, k, got, ok, want, sb.Status)
			}
		}
	}
}

// TestRunnerOutputsAreReadSafely: the emulator reads outputs as root from
// files the step controls; a symlink to /etc/shadow, a FIFO or a huge
// file fails the step instead of leaking, blocking or swamping.
func TestRunnerOutputsAreReadSafely(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	for i, tt := range []struct{ script, msg string }{
		{"ln -s /etc/shadow /outputs/x", `output "x": reading /outputs/x:`},
		{"ln -s ../../../../../../../etc/shadow /outputs/x", `output "x": reading /outputs/x:`},
		{"mkfifo /outputs/x", `output "x": /outputs/x is not a regular file`},
		{"head -c 1048577 /dev/zero > /outputs/x", `output "x": /outputs/x is larger than 1048576 bytes`},
	} {
		name := fmt.Sprintf("p%d", i)
		a.apply(pluginWith(name, "", []any{map[string]any{"name": "s", "outputs": []any{outputAt("x", "/outputs/x")}, "script": tt.script}}, nil))
		a.putSandbox(name, sandboxResource{Name: "r", Plugin: name})
		sb := a.waitSandbox(name, settled)
		if sb.Status.Reason != "ResourceFailed" || !strings.Contains(sb.Status.Message, tt.msg) || strings.Contains(sb.Status.Message, "root:") {
			t.Errorf("%s: status %+v, want %q", tt.script, sb.Status, tt.msg)
		}
	}
}

// TestRunnerStepLeavesNoProcesses: what a script leaves running ends with
// it, as the processes of a finished pod do.
func TestRunnerStepLeavesNoProcesses(t *testing.T) {
	needRoot(t)
	a := newEmu(t, Options{})
	a.apply(pluginWith("bg", "", []any{map[string]any{"name": "s", "script": "setsid sleep 600 & sleep 600 & echo started"}}, nil))
	a.putSandbox("leaver", sandboxResource{Name: "r", Plugin: "bg"})
	if sb := a.waitSandbox("leaver", settled); !sb.Status.Ready {
		t.Fatalf("status = %+v", sb.Status)
	}
	if pid := processWithEnv(t, "SIGNADOT_SANDBOX_NAME=leaver"); pid != "" {
		t.Errorf("process %s of the step is still running", pid)
	}
}
