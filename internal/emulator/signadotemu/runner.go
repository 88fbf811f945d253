package signadotemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// The local step runner stands in for the runner pod Signadot starts for
// each step: a fresh bash process with only the image's environment
// (Options.StepEnv), the overlay's env, the inputs and the SIGNADOT_*
// variables.
//
// A pod sees nothing of the host or of other pods, and steps' outputs and
// environments hold credentials. So each step runs
//   - as a user id of its own, without groups, capabilities or setuid, so
//     that it can read neither root's files (/etc/shadow) nor other
//     steps';
//   - in its own PID namespace with its own /proc, so that other steps'
//     processes and their environments are out of sight, and whatever the
//     script started ends with it;
//   - in its own mount (and IPC) namespace, where /tmp, /var/tmp,
//     /dev/shm, /root and /home are empty directories of its own (holding
//     only the image paths, read-only), and so is the directory of every
//     absolute output and input path, such as /outputs.
//
// Behind each private directory is a per-run host directory under the
// work directory, mode 0700 and owned by the step's user; the emulator
// reads the outputs from there after the step. Setting this up needs root
// and Linux (mount(8), setpriv(1)).

const (
	// DefaultStepPath is a step's PATH when Options.StepEnv sets none.
	DefaultStepPath = "/usr/local/bin:/usr/bin:/bin"
	// stepHome is the step's working directory, and its HOME unless
	// Options.StepEnv sets one. Relative output and input paths are in it.
	stepHome   = "/tmp"
	maxStepLog = 64 << 10 // kept of a step's output
	// maxStatusLog is how much of the log tail goes into a sandbox status
	// message.
	maxStatusLog = 2 << 10
	// maxOutput bounds an output value: it travels in API responses and
	// environment variables.
	maxOutput = 1 << 20
	// stepWaitDelay bounds the wait for a step's output after it exits.
	stepWaitDelay = 2 * time.Second
)

// Step users come from a block of ids far above those of accounts and of
// the subordinate ranges container tools allocate, so that no host file
// belongs to one. Each step takes the next id; the block is walked from a
// random start so that two emulators at once (two test binaries) do not
// give concurrent steps the same id.
const (
	firstStepUID = 1_900_000_000
	stepUIDCount = 1 << 20
)

var stepUIDs atomic.Uint32

func init() { stepUIDs.Store(rand.Uint32N(stepUIDCount)) }

func nextStepUID() int { return firstStepUID + int(stepUIDs.Add(1)%stepUIDCount) }

// privateDirs are the host directories every step gets an empty one of
// its own for, if they exist: scratch space others could read, and homes.
var privateDirs = []string{"/tmp", "/var/tmp", "/dev/shm", "/root", "/home"}

// systemDirs would break the step if hidden behind an empty directory.
var systemDirs = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
	"/proc", "/run", "/sbin", "/sys", "/usr", "/var"}

// stepWrapper runs as root in the step's new namespaces, where it is PID
// 1, with an environment of only PATH. Its arguments: mount(8),
// setpriv(1), bash, the step's uid, stepReader, then (rw|ro, source,
// target) triples up to "--". It makes the mounts in order, then becomes
// the step's user for good and runs stepReader.
const stepWrapper = `set -eu
trap 'echo "signadotemu: setting up the private namespaces of the step failed" >&2' ERR
mount=$1 setpriv=$2 bash=$3 uid=$4 reader=$5
shift 5
"$mount" --make-rprivate /
"$mount" -t proc -o nosuid,nodev,noexec proc /proc
while [ "$1" != -- ]; do
  "$mount" --rbind "$2" "$3"
  if [ "$1" = ro ]; then "$mount" -o remount,bind,ro "$3"; fi
  shift 3
done
cd ` + stepHome + `
exec "$setpriv" --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
  -- "$bash" -c "$reader" "$bash"`

// stepReader runs as the step's user. It exports the step's environment,
// read NUL-separated from fd 4, and execs bash on the script, open on fd
// 3. The environment takes this way so that no value shows in the host's
// process list and none reaches the root wrapper, where variables such as
// LD_PRELOAD would act as root.
const stepReader = `while IFS= read -r -d '' kv; do
  export -- "$kv" 2>/dev/null || echo "signadotemu: env ${kv%%=*} is not a shell variable name; the step does not get it" >&2
done <&4
exec 4<&-
exec "$0" /dev/fd/3`

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
		e: e, sb: sb, r: r, st: st, uid: nextStepUID(),
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
	e.logDebug("signadotemu: sandbox %s: %s step %s/%s as uid %d: exit code %d, %v", sb.name, phase, r.Name, st.Name,
		x.uid, run.ExitCode, run.Finished.Sub(run.Started).Round(time.Millisecond))
	return outputs, failure
}

// stepExec is one step being run.
type stepExec struct {
	e     *Emulator
	sb    *sandbox
	r     *sbResource
	st    pluginStep
	uid   int             // the step's user and group
	dir   string          // the step's host directory, root's alone
	notes strings.Builder // the emulator's own lines, shown before the output
	out   tailBuffer
	// mounts maps each private directory of the step (a mount target) to
	// the host directory mounted over it.
	mounts map[string]string
}

func (x *stepExec) note(format string, args ...any) {
	fmt.Fprintf(&x.notes, "signadotemu: "+format+"\n", args...)
}

func (x *stepExec) run(ctx context.Context, values map[string]string, run *StepRun) (map[string]string, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("the local step runner needs root: it runs each step as a user of its own, " +
			"in private mount and PID namespaces")
	}
	if err := os.MkdirAll(x.dir, 0o700); err != nil {
		return nil, err
	}
	env, files, err := x.environment(values)
	if err != nil {
		return nil, err
	}
	if err := x.planMounts(); err != nil {
		return nil, err
	}
	images, err := x.imageMounts()
	if err != nil {
		return nil, err
	}
	for path, val := range files {
		if err := x.writeInput(path, val); err != nil {
			return nil, err
		}
	}
	script, err := x.scriptFile()
	if err != nil {
		return nil, err
	}
	defer script.Close()
	envFile, err := x.envFile(env)
	if err != nil {
		return nil, err
	}
	defer envFile.Close()
	cmd, err := x.command(ctx, append(images, x.dirMounts()...), script, envFile)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = &x.out, &x.out // one writer, so exec writes from one goroutine
	cmd.WaitDelay = stepWaitDelay
	err = cmd.Run()
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
		v, err := x.readOutput(o.ValueFromPath)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		outputs[o.Name] = v
	}
	return outputs, nil
}

// environment builds the step's environment and the input files (path →
// content). Later sources win: the image's environment, the overlay's
// env, the inputs, then the SIGNADOT_* variables.
func (x *stepExec) environment(values map[string]string) ([]string, map[string]string, error) {
	env := map[string]string{"HOME": stepHome, "PATH": DefaultStepPath}
	for _, kv := range x.e.stepEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
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
		e.secretsMu.RLock()
		secret, ok := e.secrets[ref.Name]
		e.secretsMu.RUnlock()
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

// planMounts decides the step's private directories: those of
// privateDirs the host has, and the directory of every absolute output and
// input path outside them, merged when one is inside another. Each gets a
// fresh host directory owned by the step's user.
func (x *stepExec) planMounts() error {
	x.mounts = map[string]string{}
	for _, d := range privateDirs {
		if info, err := os.Stat(d); err == nil && info.IsDir() {
			if err := x.addMount(d); err != nil {
				return err
			}
		}
	}
	var paths []string
	for _, o := range x.st.Outputs {
		paths = append(paths, o.ValueFromPath)
	}
	for _, in := range x.st.Inputs {
		if in.As != nil && in.As.Path != "" {
			paths = append(paths, in.As.Path)
		}
	}
	var dirs []string
	for _, p := range paths {
		switch {
		case filepath.IsAbs(p):
			dirs = append(dirs, filepath.Dir(filepath.Clean(p)))
		case x.mountFor(inStep(p)) == "":
			return fmt.Errorf("path %q leaves the step's working directory %s; use a path inside it or an absolute one", p, stepHome)
		}
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(a) - len(b) })
	for _, d := range dirs {
		if x.mountFor(d) != "" {
			continue
		}
		if err := checkPrivateDir(d); err != nil {
			return err
		}
		// The mount point must exist on the host. Creating it there is the
		// only trace a step leaves outside its namespace: an empty
		// directory, since the step's files go to the mounted one.
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating mount point %s: %w", d, err)
		}
		if err := x.addMount(d); err != nil {
			return err
		}
	}
	return nil
}

func (x *stepExec) addMount(target string) error {
	dir := filepath.Join(x.dir, "private", fmt.Sprint(len(x.mounts)))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	x.mounts[target] = dir
	return os.Chown(dir, x.uid, x.uid)
}

// checkPrivateDir refuses directories that cannot be hidden behind an
// empty one without breaking the step.
func checkPrivateDir(d string) error {
	switch {
	case d == "/":
		return errors.New("the local step runner cannot make / private; write outputs and input files to a directory such as /outputs")
	case slices.Contains(systemDirs, d):
		return fmt.Errorf("the local step runner cannot make %s private: hiding it would break the step; use a directory such as /outputs", d)
	}
	return nil
}

// imageMounts returns the mounts that show the image paths inside the
// step's private directories, read-only, after creating their mount
// points there. Parents come before children, so nested paths work.
func (x *stepExec) imageMounts() ([][3]string, error) {
	var mounts [][3]string
	for _, p := range slices.Sorted(slices.Values(x.e.imagePaths)) {
		switch target := x.mountFor(p); target {
		case "":
			continue // the step sees it where it is
		case p:
			return nil, fmt.Errorf("image path %s is one of the step's private directories; list the paths inside it that the image holds", p)
		}
		src, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, fmt.Errorf("image path: %w", err)
		}
		info, err := os.Stat(src)
		if err != nil {
			return nil, fmt.Errorf("image path: %w", err)
		}
		dst := x.hostPath(p)
		// Parents are root's, like the image's own directories: the step
		// can pass through them but not change them.
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if info.IsDir() {
			err = os.Mkdir(dst, 0o755)
		} else {
			err = os.WriteFile(dst, nil, 0o444)
		}
		if err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		mounts = append(mounts, [3]string{"ro", src, dst})
	}
	return mounts, nil
}

// dirMounts returns the mounts of the private directories. The one whose
// target holds the step's host directory goes last: once it is mounted,
// the host directories behind the others are out of reach.
func (x *stepExec) dirMounts() [][3]string {
	var first, last [][3]string
	for _, target := range sortedKeys(x.mounts) {
		m := [3]string{"rw", x.mounts[target], target}
		if within(x.dir, target) {
			last = append(last, m)
		} else {
			first = append(first, m)
		}
	}
	return append(first, last...)
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

// inStep is the absolute path the step sees for p: relative paths are in
// its working directory.
func inStep(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(stepHome, p)
}

// hostDir splits where the step's path p lives on the host: the directory
// behind the private directory holding it, and p's path inside that.
// planMounts made sure there is one.
func (x *stepExec) hostDir(p string) (base, rel string) {
	p = inStep(p)
	target := x.mountFor(p)
	rel, _ = filepath.Rel(target, p)
	return x.mounts[target], rel
}

// hostPath is where the step's path p lives on the host.
func (x *stepExec) hostPath(p string) string {
	base, rel := x.hostDir(p)
	return filepath.Join(base, rel)
}

// writeInput writes an input file where the step finds it, owned by the
// step's user, with any directories it needs.
func (x *stepExec) writeInput(path, val string) error {
	base, rel := x.hostDir(path)
	dir := base
	for _, part := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
		if part == "." {
			continue
		}
		dir = filepath.Join(dir, part)
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := os.Chown(dir, x.uid, x.uid); err != nil {
			return err
		}
	}
	p := filepath.Join(base, rel)
	if err := os.WriteFile(p, []byte(val), 0o600); err != nil {
		return err
	}
	return os.Chown(p, x.uid, x.uid)
}

// readOutput reads the value the step wrote at path p. The step owns that
// file and the emulator reads it as root, so a symlink out of the step's
// directory (to /etc/shadow, say) is refused, and so are a FIFO, which
// would block, and a value too large to pass on.
func (x *stepExec) readOutput(path string) (string, error) {
	base, rel := x.hostDir(path)
	root, err := os.OpenRoot(base)
	if err != nil {
		return "", err
	}
	defer root.Close()
	f, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("the script did not write %s", path)
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxOutput+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("reading %s: %w", path, err)
	case len(b) > maxOutput:
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxOutput)
	}
	return string(b), nil
}

// scriptFile opens the script for the step to read through its file
// descriptor: the file is in a directory only root can enter.
func (x *stepExec) scriptFile() (*os.File, error) {
	p := filepath.Join(x.dir, "script.sh")
	if err := os.WriteFile(p, []byte(x.st.Script), 0o444); err != nil {
		return nil, err
	}
	return os.Open(p)
}

// envFile holds the step's environment, NUL-separated, for stepReader.
// Its name is removed at once: values such as API keys stay on disk only
// as long as the step holds the file open.
func (x *stepExec) envFile(env []string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(x.dir, "env"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	var b strings.Builder
	for _, kv := range env {
		b.WriteString(kv)
		b.WriteByte(0)
	}
	if _, err := io.WriteString(f, b.String()); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
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
