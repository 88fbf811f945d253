package signadotemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The local step runner stands in for the runner pod Signadot starts for
// each step: a fresh bash process with only the image's environment
// (Options.StepEnv), the overlay's env, the inputs and the SIGNADOT_*
// variables.
//
// Steps write outputs to absolute paths such as /outputs/connection-string.
// So that concurrent sandboxes don't see each other's files, a step with
// absolute paths runs in its own mount namespace where a fresh per-step
// directory is bind-mounted over the directory of each such path. That
// needs root and Linux (unshare(1), mount(8)).

const (
	maxStepLog = 64 << 10 // kept of a step's output
	// maxStatusLog is how much of the log tail goes into a sandbox status
	// message.
	maxStatusLog = 2 << 10
	// stepWaitDelay bounds the wait for a step's output after it exits,
	// when a background process it started still holds stdout.
	stepWaitDelay = 2 * time.Second
)

// systemDirs would break the step if hidden behind an empty directory.
var systemDirs = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
	"/proc", "/run", "/sbin", "/sys", "/usr", "/var"}

// mountWrapper runs inside the new mount namespace: it bind-mounts each
// (source, target) pair given after the mount(8) path, then execs the
// command after "--".
const mountWrapper = `set -e
mount=$1; shift
while [ "$1" != -- ]; do "$mount" --bind "$1" "$2"; shift 2; done
shift
exec "$@"`

// runStep runs one step and records it. values holds the outputs of the
// resource's earlier steps ("step.output"). It returns the step's outputs,
// or a failure message for the sandbox status.
func (e *Emulator) runStep(ctx context.Context, sb *sandbox, r *sbResource, phase string, st pluginStep,
	values map[string]string) (map[string]string, string) {
	e.mu.Lock()
	sb.steps++
	n := sb.steps
	e.mu.Unlock()
	x := &stepExec{
		e: e, sb: sb, r: r, st: st,
		dir: filepath.Join(sb.dir, fmt.Sprintf("%03d-%s-%s-%s", n, phase, safeName(r.Name), safeName(st.Name))),
	}
	run := StepRun{Resource: r.Name, Step: st.Name, Phase: phase, ExitCode: -1, Started: time.Now(), sandboxID: sb.id}
	outputs, err := x.run(ctx, values, &run)
	run.Finished = time.Now()
	run.Log = x.notes.String() + x.out.String()
	failure := ""
	if err != nil {
		failure = fmt.Sprintf("resource %q: %s step %q failed: %v", r.Name, phase, st.Name, err)
		if tail := logTail(run.Log, maxStatusLog); tail != "" {
			failure += "\n--- log tail ---\n" + tail
		}
	} else {
		run.Outputs = outputs
	}
	e.mu.Lock()
	e.runs[sb.name] = append(e.runs[sb.name], run)
	e.mu.Unlock()
	e.logDebug("signadotemu: sandbox %s: %s step %s/%s: exit code %d, %v", sb.name, phase, r.Name, st.Name,
		run.ExitCode, run.Finished.Sub(run.Started).Round(time.Millisecond))
	return outputs, failure
}

// stepExec is one step being run.
type stepExec struct {
	e     *Emulator
	sb    *sandbox
	r     *sbResource
	st    pluginStep
	dir   string
	notes strings.Builder // the emulator's own lines, shown before the output
	out   tailBuffer
	// mounts maps each private directory (a mount target) to the host
	// directory mounted over it.
	mounts map[string]string
}

func (x *stepExec) note(format string, args ...any) {
	fmt.Fprintf(&x.notes, "signadotemu: "+format+"\n", args...)
}

func (x *stepExec) run(ctx context.Context, values map[string]string, run *StepRun) (map[string]string, error) {
	work, home := filepath.Join(x.dir, "work"), filepath.Join(x.dir, "home")
	for _, d := range []string{work, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	env, files, err := x.environment(values, home)
	if err != nil {
		return nil, err
	}
	if err := x.planMounts(); err != nil {
		return nil, err
	}
	for path, val := range files {
		p := x.hostPath(path, work)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(val), 0o600); err != nil {
			return nil, err
		}
	}
	script := filepath.Join(x.dir, "script.sh")
	if err := os.WriteFile(script, []byte(x.st.Script), 0o700); err != nil {
		return nil, err
	}
	cmd, err := x.command(ctx, script)
	if err != nil {
		return nil, err
	}
	cmd.Dir, cmd.Env = work, env
	cmd.Stdout, cmd.Stderr = &x.out, &x.out // one writer, so exec writes from one goroutine
	// Its own process group, so that killing the step (on DELETE or Close)
	// and ending it afterwards, as pod termination would, reaches every
	// process the script started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = stepWaitDelay
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // leftovers; ESRCH when none
	}
	if cmd.ProcessState != nil {
		run.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("killed: %w", context.Cause(ctx))
	case err != nil:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && run.ExitCode >= 0 {
			return nil, fmt.Errorf("exit code %d", run.ExitCode)
		}
		return nil, err
	}
	outputs := map[string]string{}
	for _, o := range x.st.Outputs {
		b, err := os.ReadFile(x.hostPath(o.ValueFromPath, work))
		if err != nil {
			return nil, fmt.Errorf("output %q: the script did not write %s", o.Name, o.ValueFromPath)
		}
		outputs[o.Name] = string(b)
	}
	return outputs, nil
}

// environment builds the step's environment and the input files (path →
// content). Later sources win: the image's environment, the overlay's
// env, the inputs, then the SIGNADOT_* variables.
func (x *stepExec) environment(values map[string]string, home string) ([]string, map[string]string, error) {
	env := map[string]string{}
	for _, kv := range x.e.stepEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if _, ok := env["HOME"]; !ok {
		env["HOME"] = home // a private home, as in a fresh pod
	}
	ctr, warning := x.r.pv.overlay.stepContainer()
	if warning != "" {
		x.note("%s", warning)
	}
	if ctr != nil {
		for _, ev := range ctr.Env {
			val, set, err := x.e.resolveEnv(ev)
			if err != nil {
				return nil, nil, err
			}
			if set {
				env[ev.Name] = val
			}
		}
	}
	files := map[string]string{}
	for _, in := range x.st.Inputs {
		var val string
		var ok bool
		if in.ValueFromSandbox {
			if val, ok = x.r.Params[in.Name]; !ok {
				x.note("input %q: the sandbox resource has no param %q; using an empty value", in.Name, in.Name)
			}
		} else {
			key := in.ValueFromStep.Name + "." + in.ValueFromStep.Output
			if val, ok = values[key]; !ok {
				x.note("input %q: output %s is not available (its step did not succeed); using an empty value", in.Name, key)
			}
		}
		envName, path := defaultEnvName(in.Name), ""
		if in.As != nil && (in.As.Env != "" || in.As.Path != "") {
			envName, path = in.As.Env, in.As.Path
		}
		if envName != "" {
			env[envName] = val
		}
		if path != "" {
			files[path] = val
		}
	}
	env["SIGNADOT_SANDBOX_NAME"] = x.sb.name
	env["SIGNADOT_SANDBOX_ID"] = x.sb.id
	env["SIGNADOT_SANDBOX_ROUTING_KEY"] = x.sb.routingKey
	env["SIGNADOT_RESOURCE_NAME"] = x.r.Name
	list := make([]string, 0, len(env))
	for _, k := range sortedKeys(env) {
		list = append(list, k+"="+env[k])
	}
	return list, files, nil
}

// defaultEnvName is the env var an input without "as" becomes:
// parent-branch → PARENT_BRANCH.
func defaultEnvName(input string) string {
	return strings.ReplaceAll(strings.ToUpper(input), "-", "_")
}

// resolveEnv evaluates an overlay env entry the way the kubelet would;
// set is false for an optional secret that is missing. A missing secret
// fails the step, as the pod would fail to start.
func (e *Emulator) resolveEnv(ev envVar) (val string, set bool, err error) {
	src := ev.ValueFrom
	switch {
	case src == nil:
		return ev.Value, true, nil
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		secret, ok := e.secrets[ref.Name]
		if !ok {
			if ref.Optional {
				return "", false, nil
			}
			return "", false, fmt.Errorf("env %s: secret %q not found (the pod would not start; give it in Options.Secrets or -secrets)", ev.Name, ref.Name)
		}
		v, ok := secret[ref.Key]
		if !ok {
			if ref.Optional {
				return "", false, nil
			}
			return "", false, fmt.Errorf("env %s: couldn't find key %s in secret %q (the pod would not start)", ev.Name, ref.Key, ref.Name)
		}
		return v, true, nil
	case src.ConfigMapKeyRef != nil:
		return "", false, fmt.Errorf("env %s: valueFrom.configMapKeyRef is not supported by the emulator", ev.Name)
	case src.FieldRef != nil, src.ResourceFieldRef != nil:
		return "", false, fmt.Errorf("env %s: valueFrom.fieldRef and resourceFieldRef are not supported by the emulator", ev.Name)
	}
	return "", false, fmt.Errorf("env %s: valueFrom names no source", ev.Name)
}

// planMounts decides the private directories: the directory of every
// absolute output and input path, merged when one is inside another.
func (x *stepExec) planMounts() error {
	var dirs []string
	for _, o := range x.st.Outputs {
		if filepath.IsAbs(o.ValueFromPath) {
			dirs = append(dirs, filepath.Dir(filepath.Clean(o.ValueFromPath)))
		}
	}
	for _, in := range x.st.Inputs {
		if in.As != nil && filepath.IsAbs(in.As.Path) {
			dirs = append(dirs, filepath.Dir(filepath.Clean(in.As.Path)))
		}
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(a) - len(b) })
	x.mounts = map[string]string{}
	for _, d := range dirs {
		if x.mountFor(d) != "" {
			continue
		}
		if err := x.e.checkPrivateDir(d); err != nil {
			return err
		}
		x.mounts[d] = filepath.Join(x.dir, "private", fmt.Sprint(len(x.mounts)))
		if err := os.MkdirAll(x.mounts[d], 0o755); err != nil {
			return err
		}
	}
	return nil
}

// checkPrivateDir refuses directories that cannot be hidden behind an
// empty one without breaking the step.
func (e *Emulator) checkPrivateDir(d string) error {
	switch {
	case d == "/":
		return errors.New("the local step runner cannot make / private; write outputs and input files to a directory such as /outputs")
	case slices.Contains(systemDirs, d):
		return fmt.Errorf("the local step runner cannot make %s private: hiding it would break the step; use a directory such as /outputs", d)
	case within(e.workDir, d):
		return fmt.Errorf("the local step runner cannot make %s private: it holds the emulator's work directory %s "+
			"(set Options.WorkDir elsewhere, or use a directory such as /outputs)", d, e.workDir)
	}
	return nil
}

// mountFor is the private directory containing path p ("" if none).
func (x *stepExec) mountFor(p string) string {
	for target := range x.mounts {
		if within(p, target) {
			return target
		}
	}
	return ""
}

// hostPath is where the step's path p lives on the host: inside the
// private directory for absolute paths, inside the working directory for
// relative ones.
func (x *stepExec) hostPath(p, work string) string {
	if !filepath.IsAbs(p) {
		return filepath.Join(work, p)
	}
	p = filepath.Clean(p)
	target := x.mountFor(p)
	rel, _ := filepath.Rel(target, p)
	return filepath.Join(x.mounts[target], rel)
}

// command builds the process of a step: plain bash, or bash inside a new
// mount namespace with the private directories mounted.
func (x *stepExec) command(ctx context.Context, script string) (*exec.Cmd, error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, fmt.Errorf("the local step runner needs bash: %w", err)
	}
	if len(x.mounts) == 0 {
		return exec.CommandContext(ctx, bash, script), nil
	}
	targets := sortedKeys(x.mounts)
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("the local step runner needs root for private paths (%s): it bind-mounts a per-step directory over each "+
			"inside the step's own mount namespace", strings.Join(targets, ", "))
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return nil, fmt.Errorf("the local step runner needs unshare(1) for private paths: %w", err)
	}
	mount, err := exec.LookPath("mount")
	if err != nil {
		return nil, fmt.Errorf("the local step runner needs mount(8) for private paths: %w", err)
	}
	args := []string{"--mount", "--propagation", "private", bash, "-c", mountWrapper, "signadotemu-mount", mount}
	for _, t := range targets {
		// The mount point must exist on the host. Creating it there is the
		// only trace a step leaves outside its namespace: an empty
		// directory, since the step's files go to the mounted one.
		if err := os.MkdirAll(t, 0o755); err != nil {
			return nil, fmt.Errorf("creating mount point %s: %w", t, err)
		}
		args = append(args, x.mounts[t], t)
	}
	args = append(args, "--", bash, script)
	return exec.CommandContext(ctx, unshare, args...), nil
}

// within reports whether p is dir or inside it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName makes a resource or step name usable in a directory name.
func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// tailBuffer keeps the last maxStepLog bytes written to it.
type tailBuffer struct {
	buf     []byte
	dropped bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*maxStepLog { // trim in batches, not on every write
		t.buf = slices.Clone(t.buf[len(t.buf)-maxStepLog:])
		t.dropped = true
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	b := t.buf
	if len(b) > maxStepLog {
		b = b[len(b)-maxStepLog:]
	} else if !t.dropped {
		return string(b)
	}
	return "…(earlier output dropped)\n" + string(b)
}

// logTail is the end of a log, at most n bytes, starting at a line.
func logTail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "…" + s
}
