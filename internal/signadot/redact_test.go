package signadot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *captureLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestDebugLogsAreRedacted(t *testing.T) {
	const overlay = "spec:\n  containers:\n  - name: main\n    env:\n    - name: XATA_API_KEY\n      value: xau_literal\n    - name: REGION\n      value: eu\n"
	log := &captureLogger{}
	sandboxResp := `{"name":"sb","spec":{"cluster":"c"},"status":{"ready":true},"x-emulator-resource-outputs":` +
		`{"db":{"provision.connection-string":"postgres://u:pw1@h/db","provision.branch-name":"sb-x"}}}`
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, sandboxResp)
			return
		}
		w.WriteHeader(500)
		fmt.Fprint(w, errBody(500, "echo: "+testKey))
	}), func(c *Config) { c.Logger, c.MaxAttempts = log, 2 })
	ctx := context.Background()

	p := ResourcePlugin{Name: "p", Spec: ResourcePluginSpec{
		Runner: Runner{Image: "debian", PodTemplateOverlay: overlay},
		Create: []Step{{Name: "s", Script: "export XATA_API_KEY=xau_inscript\necho " + testKey}},
	}}
	_ = c.ApplyResourcePlugin(ctx, p)
	_, _ = c.PutSandbox(ctx, Sandbox{Name: "sb", Spec: SandboxSpec{Cluster: "c",
		Resources: []SandboxResource{{Name: "db", Plugin: "p", Params: map[string]string{"admin-password": "pw2", "parent": "main"}}},
		Forks:     []Fork{{Customizations: &Customizations{Env: []EnvVar{{Name: "DB_TOKEN", Value: "tok3"}, {Name: "MODE", Value: "fast"}}}}},
	}})
	if _, err := c.GetSandbox(ctx, "sb"); err != nil {
		t.Fatal(err)
	}
	logs := log.all()
	for _, secret := range []string{testKey, "xau_literal", "xau_inscript", "pw1", "pw2", "tok3"} {
		if strings.Contains(logs, secret) {
			t.Errorf("debug logs contain %q:\n%s", secret, logs)
		}
	}
	// What is not secret stays readable.
	for _, plain := range []string{"REGION", "value: eu", "sb-x", "main", "fast", "signadot-api-key:<redacted>", `"provision.connection-string":"<redacted>"`} {
		if !strings.Contains(logs, plain) {
			t.Errorf("debug logs lack %q:\n%s", plain, logs)
		}
	}
}

func TestRedactValue(t *testing.T) {
	in := map[string]any{
		"secretKeyRef": map[string]any{"name": "xata-credentials", "key": "XATA_API_KEY"},
		"apiToken":     "t1",
		"nested":       []any{map[string]any{"name": "PASSWORD", "value": "p1"}, map[string]any{"name": "x", "value": "v"}},
		"password":     nil,
		"secrets":      []any{"a"},
	}
	got := fmt.Sprint(redactValue(in))
	for _, want := range []string{"apiToken:<redacted>", "name:xata-credentials", "key:XATA_API_KEY", "value:<redacted>", "value:v", "password:<nil>", "secrets:[a]"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q", got, want)
		}
	}
	if strings.Contains(got, "p1") || strings.Contains(got, "t1") {
		t.Errorf("secret left in %s", got)
	}
	if s := redactString("a\nDB_PASSWORD=hunter2 && x\n"); s != "a\nDB_PASSWORD=<redacted> && x\n" {
		t.Errorf("redactString = %q", s)
	}
}
