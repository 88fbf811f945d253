// Package signadotemu emulates the parts of the Signadot API v2 used with
// resource plugins (plugins and sandboxes), for tests and demos. It also
// runs the plugins: a sandbox's resources are provisioned by running their
// create steps as local bash processes, and deleted by running their delete
// steps, so a plugin script can be exercised end to end without a cluster.
//
// Behaviour follows the public OpenAPI spec, the go-sdk and the CLI; where
// they are silent the choices are documented where they are made. The
// emulator has its own wire types and must not import the client package,
// so a client bug is not mirrored here.
//
// The step runner runs each step as an unprivileged user of its own in
// private mount, PID and IPC namespaces, which needs Linux and root (see
// runner.go).
package signadotemu

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

// Options configures New.
type Options struct {
	Org    string // default "emulated-org"
	APIKey string // default: random
	// Secrets stands in for Kubernetes secrets: secret name → key → value,
	// read by the overlay's secretKeyRef env entries.
	Secrets map[string]map[string]string
	// StepEnv is the environment the runner image provides, KEY=VALUE
	// (PATH, TF_CLI_CONFIG_FILE, …). PATH is /usr/local/bin:/usr/bin:/bin
	// and HOME is /tmp unless set here. A step sees nothing else of the
	// emulator's environment.
	StepEnv []string
	// ImagePaths are host files and directories the runner image holds,
	// such as a provider mirror or the terraform binary. A step sees the
	// host's filesystem, except that /tmp, /var/tmp, /dev/shm, /root and
	// /home are its own empty directories; each image path is shown there
	// read-only, at the same path. The step's user must be able to read
	// them (world-readable files and directories).
	ImagePaths []string
	// WorkDir holds per-sandbox step directories; default a temp dir that
	// Close removes.
	WorkDir string
	// Logf, when set, receives one line per request and per step.
	Logf func(format string, args ...any)
}

// defaultCloseWait bounds how long Close lets running steps finish before
// it kills them.
const defaultCloseWait = 10 * time.Second

// Emulator is an http.Handler serving the emulated API. It is safe for
// concurrent use.
type Emulator struct {
	org, apiKey string
	secretsMu   sync.RWMutex
	secrets     map[string]map[string]string
	stepEnv     []string
	imagePaths  []string
	workDir     string
	ownWorkDir  bool
	logf        func(format string, args ...any)
	closeWait   time.Duration

	// ctx is the parent of every step; Close cancels it.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// workflows counts running create/delete workflows.
	workflows sync.WaitGroup

	mu        sync.Mutex
	plugins   map[string][]*pluginVersion // bare name → versions, highest first
	lastApply map[string][]byte           // bare name → body of the last PUT
	sandboxes map[string]*sandbox
	runs      map[string][]StepRun // sandbox name → runs, kept after deletion
	closed    bool

	front    *emuhttp.Handler
	listener emuhttp.Listener
}

// New builds an emulator with one organization and one API key.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		org:       opts.Org,
		apiKey:    opts.APIKey,
		secrets:   map[string]map[string]string{},
		stepEnv:   slices.Clone(opts.StepEnv),
		logf:      opts.Logf,
		closeWait: defaultCloseWait,
		plugins:   map[string][]*pluginVersion{},
		lastApply: map[string][]byte{},
		sandboxes: map[string]*sandbox{},
		runs:      map[string][]StepRun{},
	}
	if e.org == "" {
		e.org = "emulated-org"
	}
	if e.apiKey == "" {
		e.apiKey = "sdemu_" + randomString(alnum, 32)
	}
	for name, keys := range opts.Secrets { // copied: steps read them concurrently
		e.secrets[name] = maps.Clone(keys)
	}
	for _, kv := range e.stepEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("signadotemu: step env %q is not KEY=VALUE", kv)
		}
	}
	for _, p := range opts.ImagePaths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("signadotemu: image path %q is not absolute", p)
		}
		e.imagePaths = append(e.imagePaths, filepath.Clean(p))
	}
	dir := opts.WorkDir
	if dir == "" {
		d, err := os.MkdirTemp("", "signadotemu-")
		if err != nil {
			return nil, fmt.Errorf("signadotemu: %w", err)
		}
		dir, e.ownWorkDir = d, true
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("signadotemu: %w", err)
	}
	// Absolute and clean: the runner compares it with mount targets.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("signadotemu: %w", err)
	}
	e.workDir = abs
	e.front = &emuhttp.Handler{
		Name: "signadotemu", Serve: e.handle,
		RequestID:     func(*http.Request) string { return newRequestID() },
		RateLimitBody: rateLimitBody, FaultError: writeFaultError, Logf: opts.Logf,
		Route: Route, AdminAuth: func(r *http.Request) bool {
			return subtle.ConstantTimeCompare([]byte(r.Header.Get("signadot-api-key")), []byte(e.apiKey)) == 1
		},
	}
	e.ctx, e.cancel = context.WithCancelCause(context.Background())
	return e, nil
}

// Start serves the emulator on a loopback port and returns its base URL,
// without /api/v2: what SIGNADOT_API_URL takes.
func (e *Emulator) Start() (string, error) { return e.listener.Start("127.0.0.1:0", e) }

// URL is the base URL returned by Start ("" before).
func (e *Emulator) URL() string { return e.listener.URL() }

// Org is the organization the API key belongs to.
func (e *Emulator) Org() string { return e.org }

// APIKey is the key requests must send in signadot-api-key.
func (e *Emulator) APIKey() string { return e.apiKey }

// Close stops serving (later requests get 503), gives running steps a
// bounded time to finish, kills the rest, and removes WorkDir if New
// created it.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()

	// Handlers never block, so a second is plenty. What is left then is
	// usually a connection a client opened but never used, which Shutdown
	// would wait five seconds for: cutting it is no error.
	e.listener.Close(time.Second)
	done := make(chan struct{})
	go func() { e.workflows.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(e.closeWait):
		e.logDebug("signadotemu: steps still running after %v; killing them", e.closeWait)
	}
	e.cancel(errors.New("the emulator is closing"))
	<-done
	if e.ownWorkDir {
		return os.RemoveAll(e.workDir)
	}
	return nil
}

// StepRun is one run of a plugin step.
type StepRun struct {
	Resource string
	Step     string
	Phase    string // "create" or "delete"
	// ExitCode is the script's exit status; -1 when it did not start or
	// was killed.
	ExitCode int
	// Log is the combined stdout and stderr (the last 64 KiB), after any
	// notes of the emulator.
	Log string
	// Outputs maps output name → value for a successful run.
	Outputs           map[string]string
	Started, Finished time.Time
	// sandboxID tells runs of a sandbox from those of an earlier one of
	// the same name.
	sandboxID string
}

// StepRuns returns every step run of the sandbox so far, in order. Runs are
// kept after the sandbox is deleted, and a sandbox re-created under the same
// name appends to them.
func (e *Emulator) StepRuns(sandbox string) []StepRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.runs[sandbox])
	for i := range out {
		out[i].Outputs = cloneMap(out[i].Outputs)
	}
	return out
}

// Plugins lists "name@version" of every stored version, sorted by name
// and then by version, lowest first.
func (e *Emulator) Plugins() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, name := range sortedKeys(e.plugins) {
		vs := e.plugins[name]
		for i := len(vs) - 1; i >= 0; i-- {
			out = append(out, name+"@"+vs[i].version.String())
		}
	}
	return out
}

// LastApplyBody is the raw JSON body of the last PUT for the bare plugin
// name, accepted or not (nil if none), so tests can check what reached
// the server.
func (e *Emulator) LastApplyBody(name string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.lastApply[name])
}

// timestamp is the current time as the API shows it.
func (e *Emulator) timestamp() string {
	return time.Now().UTC().Format(time.RFC3339)
}

func (e *Emulator) logDebug(format string, args ...any) {
	if e.logf != nil {
		e.logf(format, args...)
	}
}

// SetSecret creates or replaces a secret, as `kubectl create secret` does
// in a cluster: steps that start afterwards read it.
func (e *Emulator) SetSecret(name string, keys map[string]string) {
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	e.secrets[name] = maps.Clone(keys)
}
