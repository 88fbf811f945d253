package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
)

// TutorialResult is what the tutorial observed at each checkpoint, so a
// test can assert on values rather than on printed prose.
type TutorialResult struct {
	BaselineUsers          int
	PluginOutputKeys       []string
	SandboxBranch          string
	BranchesWithSandbox    []string
	ForkUsers              int
	ForkInfoBranch         string
	ForkUsersAfterPost     int
	BaselineUsersAfterPost int
	MainUsersByPsql        int
	BranchesAfterDelete    []string
	PluginsAfterDestroy    []string
	StepLogs               []string
	Secrets                []string // values that must never appear in a log
	// AtRest is what the looks at the states and files the flow wrote
	// found, with the sandbox alive and at the end.
	AtRest AtRest
	// RunnerKeyScopes are the scopes of the key the baseline minted for
	// the runner, as the API lists them.
	RunnerKeyScopes []string
	// RunnerKeyDenied is the HTTP status of each thing the runner's key
	// must not do (see tryRunnerKey).
	RunnerKeyDenied map[string]int
	// ProjectsAfterDestroy and KeysAfterDestroy are what the organization
	// holds after the baseline is destroyed.
	ProjectsAfterDestroy, KeysAfterDestroy int
}

// sandboxName and the resource name are the tutorial's.
const (
	sandboxName  = "xata-test"
	resourceName = "usersDb"
)

// RunTutorial runs the tutorial end to end: baseline (a users service on
// main, the xata-branch plugin installed by Terraform), a sandbox whose
// plugin step runs Terraform to create sb-xata-test, a fork of the service
// on that branch, isolation checks, then teardown.
func RunTutorial(ctx context.Context, opts Options) (res *TutorialResult, err error) {
	d, err := newRunner(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := d.cleanup(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	res = &TutorialResult{}
	return res, d.tutorial(ctx, res)
}

func (r *runner) tutorial(ctx context.Context, res *TutorialResult) error {
	r.steps = 9
	start := time.Now()

	r.begin("Start PostgreSQL, the Xata emulator (an organization with no project yet) and a Terraform state database")
	if err := r.startPostgres(ctx); err != nil {
		return err
	}
	if err := r.startEmulator(true); err != nil {
		return err
	}
	stateURL, err := r.createStateDatabase(ctx)
	if err != nil {
		return err
	}
	r.say("Terraform state for the runner: database tfstate (pg backend, one workspace per sandbox)")
	if err := r.prepareTerraform(ctx); err != nil {
		return err
	}

	r.begin("Start the Signadot emulator (it runs plugin steps as local processes)")
	if err := r.startSignadot(); err != nil {
		return err
	}
	res.Secrets = append(res.Secrets, r.emu.APIKey(), r.sd.APIKey(), passwordOf(stateURL))

	r.begin("terraform apply examples/tutorial/baseline: the project, main (seeded with psql), the runner's key, the xata-branch plugin")
	baseline := filepath.Join(r.work, "baseline")
	db := filepath.Join(r.RepoDir, "examples", "tutorial", "db")
	seed := fmt.Sprintf(`seed_files=[%q, %q]`, filepath.Join(db, "schema.sql"), filepath.Join(db, "seed.sql"))
	runnerKey, err := r.applyBaseline(ctx, baseline, stateURL, "-var", seed, "-var", "psql="+filepath.Join(r.PGBinDir, "psql"))
	if err != nil {
		return err
	}
	res.Secrets = append(res.Secrets, runnerKey)
	res.RunnerKeyScopes = r.runnerKeyScopes(ctx, runnerKey)
	keys, err := r.terraform(ctx, baseline, "output", "-json", "plugin_output_keys")
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(keys), &res.PluginOutputKeys); err != nil {
		return fmt.Errorf("plugin_output_keys: %w", err)
	}
	r.say("plugin output keys: %s", strings.Join(res.PluginOutputKeys, ", "))
	// main's URL is the baseline service's own setting, as a deployment's
	// would be (read here with the organization's key); the tutorial's
	// Terraform never stores it.
	mainURL, err := r.mainURL(ctx)
	if err != nil {
		return err
	}
	res.Secrets = append(res.Secrets, passwordOf(mainURL))

	r.begin("Start the baseline users service on main")
	serviceBin, err := r.buildUsersService(ctx)
	if err != nil {
		return err
	}
	baselineSvc, err := r.startService(ctx, serviceBin, "baseline", mainURL, "main")
	if err != nil {
		return err
	}
	if res.BaselineUsers, err = r.countUsersHTTP(ctx, "baseline", baselineSvc); err != nil {
		return err
	}
	if err := expect("baseline /users", res.BaselineUsers, 5); err != nil {
		return err
	}

	r.begin("Create sandbox " + sandboxName + ": the plugin's create step runs terraform apply")
	sb, err := r.createSandbox(ctx)
	r.showSteps(sandboxName, "create", res)
	if err != nil {
		return err
	}
	outputs := sb.EmulatorResourceOutputs[resourceName]
	res.SandboxBranch = outputs["provision.branch-name"]
	forkURL := outputs["provision.connection-string"]
	res.Secrets = append(res.Secrets, passwordOf(forkURL))
	if res.BranchesWithSandbox, err = r.branchNames(ctx); err != nil {
		return err
	}
	r.say("resource %s: provision.branch-name = %s, provision.connection-string = %s", resourceName, res.SandboxBranch, redactURL(forkURL))
	r.say("branches: %s", strings.Join(res.BranchesWithSandbox, ", "))
	if !contains(res.BranchesWithSandbox, "sb-"+sandboxName) {
		return fmt.Errorf("branch sb-%s does not exist after the sandbox was created", sandboxName)
	}
	if err := r.lookAtRest(ctx, stateURL, baseline, res); err != nil {
		return err
	}
	if res.RunnerKeyDenied, err = r.tryRunnerKey(ctx, runnerKey); err != nil {
		return err
	}

	r.begin("Start the sandbox's fork of the users service with DATABASE_URL and XATA_BRANCH from the resource")
	forkSvc, err := r.startService(ctx, serviceBin, "fork", forkURL, res.SandboxBranch)
	if err != nil {
		return err
	}
	if res.ForkUsers, err = r.countUsersHTTP(ctx, "fork", forkSvc); err != nil {
		return err
	}
	if err := expect("fork /users", res.ForkUsers, 5); err != nil {
		return err
	}
	var info struct {
		Branch string `json:"branch"`
	}
	if err := getJSON(ctx, forkSvc+"/info", &info); err != nil {
		return err
	}
	res.ForkInfoBranch = info.Branch
	r.say("fork /info: branch %s", info.Branch)
	if info.Branch != "sb-"+sandboxName {
		return fmt.Errorf("fork /info reports branch %q, expected sb-%s", info.Branch, sandboxName)
	}

	r.begin("POST a Sandbox User to the fork: the fork sees six, the baseline still five")
	if err := postUser(ctx, forkSvc, "Sandbox User", "sandbox.user@example.com"); err != nil {
		return err
	}
	r.say("POST /users (fork) -> 201")
	if res.ForkUsersAfterPost, err = r.countUsersHTTP(ctx, "fork", forkSvc); err != nil {
		return err
	}
	if res.BaselineUsersAfterPost, err = r.countUsersHTTP(ctx, "baseline", baselineSvc); err != nil {
		return err
	}
	if res.MainUsersByPsql, err = r.countUsersPsql(ctx, "main", mainURL); err != nil {
		return err
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{{"fork /users", res.ForkUsersAfterPost, 6}, {"baseline /users", res.BaselineUsersAfterPost, 5}, {"psql main", res.MainUsersByPsql, 5}} {
		if err := expect(c.what, c.got, c.want); err != nil {
			return err
		}
	}

	r.begin("Delete the sandbox: the plugin's delete step runs terraform destroy")
	if err := r.stopService("fork"); err != nil {
		return err
	}
	err = r.deleteSandbox(ctx)
	r.showSteps(sandboxName, "delete", res)
	if err != nil {
		return err
	}
	if res.BranchesAfterDelete, err = r.branchNames(ctx); err != nil {
		return err
	}
	r.say("branches: %s", strings.Join(res.BranchesAfterDelete, ", "))
	if len(res.BranchesAfterDelete) != 1 || res.BranchesAfterDelete[0] != "main" {
		return fmt.Errorf("expected only main after the sandbox was deleted, found %v", res.BranchesAfterDelete)
	}

	r.begin("terraform destroy the baseline and stop everything")
	if err := r.stopService("baseline"); err != nil {
		return err
	}
	if _, err := r.terraform(ctx, baseline, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	res.PluginsAfterDestroy = r.sd.Plugins()
	if len(res.PluginsAfterDestroy) != 0 {
		return fmt.Errorf("plugins left after destroying the baseline: %v", res.PluginsAfterDestroy)
	}
	if res.ProjectsAfterDestroy, res.KeysAfterDestroy, err = r.organizationLeft(ctx); err != nil {
		return err
	}
	r.say("plugin xata-branch, the runner's key, main and the project deleted; projects left: %d, API keys left: %d (the organization's own)",
		res.ProjectsAfterDestroy, res.KeysAfterDestroy)
	if err := r.lookAtRest(ctx, stateURL, baseline, res); err != nil {
		return err
	}
	res.Secrets = append(res.Secrets, r.emu.IssuedPasswords()...)

	if len(res.AtRest.Found) > 0 {
		return fmt.Errorf("branch passwords at rest: %s", strings.Join(res.AtRest.Found, "; "))
	}

	fmt.Fprintf(r.Out, "\nTutorial passed in %s: from an empty organization, the sandbox got its own branch with main's "+
		"five users through a runner key limited to its project, its sixth user stayed in the sandbox, and deleting the "+
		"sandbox deleted the branch.\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// createStateDatabase makes the database the runner's pg backend keeps
// Terraform state in, with its own role.
func (r *runner) createStateDatabase(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, r.pg.AdminURL())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	password := randomHex(16)
	for _, stmt := range []string{
		"CREATE ROLE tfstate LOGIN PASSWORD '" + password + "'",
		"CREATE DATABASE tfstate OWNER tfstate",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return "", fmt.Errorf("creating the state database: %w", err)
		}
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword("tfstate", password),
		Host: fmt.Sprintf("127.0.0.1:%d", r.pg.Port()), Path: "/tfstate", RawQuery: "sslmode=disable"}
	return u.String(), nil
}

// startSignadot starts the Signadot emulator. Its step environment is what
// the runner image provides (terraform, the provider, the runner dir); the
// runner's secret comes after the baseline (applyBaseline).
func (r *runner) startSignadot() error {
	tfDir := filepath.Dir(r.TerraformPath)
	sd, err := signadotemu.New(signadotemu.Options{
		ImagePaths: []string{filepath.Join(r.work, "providers"), r.cliConfig, r.TerraformPath, filepath.Join(r.RepoDir, "examples", "tutorial", "runner")},
		StepEnv: []string{
			"PATH=" + tfDir + ":/usr/local/bin:/usr/bin:/bin",
			"TERRAFORM=" + r.TerraformPath,
			"TF_CLI_CONFIG_FILE=" + r.cliConfig,
			"RUNNER_DIR=" + filepath.Join(r.RepoDir, "examples", "tutorial", "runner"),
		},
		WorkDir: filepath.Join(r.work, "signadot"),
	})
	if err != nil {
		return err
	}
	if _, err := sd.Start(); err != nil {
		return err
	}
	r.sd = sd
	r.cleanups = append(r.cleanups, sd.Close)
	client, err := signadot.NewClient(signadot.Config{APIURL: sd.URL(), APIKey: sd.APIKey(), Org: sd.Org(), UserAgent: "xata-demo"})
	if err != nil {
		return err
	}
	r.sdClient = client
	r.tfEnv = append(r.tfEnv,
		"SIGNADOT_API_URL="+sd.URL(),
		"SIGNADOT_API_KEY="+sd.APIKey(),
		"SIGNADOT_ORG="+sd.Org(),
	)
	r.say("Signadot API at %s (org %s)", sd.URL(), sd.Org())
	return nil
}

// createSandbox applies the tutorial's sandbox (users-sandbox.yaml) and
// waits until its resources are provisioned.
func (r *runner) createSandbox(ctx context.Context) (*signadot.Sandbox, error) {
	ref := func(key string) *signadot.EnvValueFrom {
		return &signadot.EnvValueFrom{Resource: &signadot.EnvValueFromResource{Name: resourceName, OutputKey: key}}
	}
	_, err := r.sdClient.PutSandbox(ctx, signadot.Sandbox{Name: sandboxName, Spec: signadot.SandboxSpec{
		Cluster:     "local",
		Description: "users-service with its own Xata branch",
		Resources:   []signadot.SandboxResource{{Name: resourceName, Plugin: "xata-branch", Params: map[string]string{"parent-branch": "main"}}},
		Forks: []signadot.Fork{{
			ForkOf: signadot.ForkOf{Kind: "Deployment", Namespace: "demo", Name: "users-service"},
			Customizations: &signadot.Customizations{Env: []signadot.EnvVar{
				{Name: "DATABASE_URL", ValueFrom: ref("provision.connection-string")},
				{Name: "XATA_BRANCH", ValueFrom: ref("provision.branch-name")},
			}},
		}},
	}})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return r.sdClient.WaitSandboxReady(ctx, sandboxName, 200*time.Millisecond)
}

func (r *runner) deleteSandbox(ctx context.Context) error {
	if err := r.sdClient.DeleteSandbox(ctx, sandboxName); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return r.sdClient.WaitSandboxGone(ctx, sandboxName, 200*time.Millisecond)
}

// showSteps prints the logs of the plugin steps of one phase, as the
// Signadot UI shows a resource's step logs.
func (r *runner) showSteps(sandbox, phase string, res *TutorialResult) {
	for _, run := range r.sd.StepRuns(sandbox) {
		if run.Phase != phase {
			continue
		}
		res.StepLogs = append(res.StepLogs, run.Log)
		r.say("step %s/%s (exit %d):", run.Resource, run.Step, run.ExitCode)
		for _, line := range strings.Split(strings.TrimRight(run.Log, "\n"), "\n") {
			if strings.TrimSpace(line) != "" {
				r.say("| %s", line)
			}
		}
	}
}

func (r *runner) branchNames(ctx context.Context) ([]string, error) {
	branches, err := r.client.ListBranches(ctx, r.emu.OrganizationID(), r.project)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(branches))
	for _, b := range branches {
		names = append(names, b.Name)
	}
	sort.Strings(names)
	return names, nil
}

func (r *runner) buildUsersService(ctx context.Context) (string, error) {
	bin := filepath.Join(r.work, "bin", "users-service")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/tutorial/users-service")
	build.Dir = r.RepoDir
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the users service: %w\n%s", err, out)
	}
	return bin, nil
}

// startService runs the users service on a free loopback port and returns
// its base URL; it is stopped by stopService or cleanup.
func (r *runner) startService(ctx context.Context, bin, name, databaseURL, branch string) (string, error) {
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"DATABASE_URL=" + databaseURL, "XATA_BRANCH=" + branch, "LISTEN_ADDR=127.0.0.1:0", "PATH=/usr/bin:/bin"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	stop := func() error {
		if cmd.Process == nil || cmd.ProcessState != nil {
			return nil
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		return nil
	}
	r.services[name] = stop
	r.cleanups = append(r.cleanups, stop)

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if !ok {
			return "", fmt.Errorf("users service %s did not start: %q\n%s", name, line, stderr.String())
		}
		r.say("users service (%s) on %s, XATA_BRANCH=%s", name, addr, branch)
		return addr, nil
	case <-time.After(30 * time.Second):
		return "", fmt.Errorf("users service %s did not start within 30s\n%s", name, stderr.String())
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (r *runner) stopService(name string) error {
	stop, ok := r.services[name]
	if !ok {
		return nil
	}
	delete(r.services, name)
	return stop()
}

func (r *runner) countUsersHTTP(ctx context.Context, name, base string) (int, error) {
	var body struct {
		Count int `json:"count"`
	}
	if err := getJSON(ctx, base+"/users", &body); err != nil {
		return 0, err
	}
	r.say("GET /users (%s) -> %d users", name, body.Count)
	return body.Count, nil
}

func (r *runner) countUsersPsql(ctx context.Context, branch, connURL string) (int, error) {
	out, err := r.psql(ctx, connURL, "-c", "SELECT count(*) FROM users")
	if err != nil {
		return 0, err
	}
	var n int
	if _, err := fmt.Sscan(out, &n); err != nil {
		return 0, fmt.Errorf("unexpected psql output %q", out)
	}
	r.say("psql %s: SELECT count(*) FROM users -> %d", branch, n)
	return n, nil
}

func getJSON(ctx context.Context, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func postUser(ctx context.Context, base, name, email string) error {
	body, _ := json.Marshal(map[string]string{"name": name, "email": email})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/users", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("POST /users: %s: %s", resp.Status, b)
	}
	return nil
}

func expect(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: got %d users, expected %d", what, got, want)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func passwordOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// lookAtRest looks for every password the emulator has issued in the
// runner's states and in the baseline's directory, and says what it read.
func (r *runner) lookAtRest(ctx context.Context, stateURL, baseline string, res *TutorialResult) error {
	found, err := lookAtRest(ctx, stateURL, []string{baseline}, r.emu.IssuedPasswords())
	if err != nil {
		return err
	}
	r.say("at rest: %s", found)
	res.AtRest.add(found)
	return nil
}
