package xataemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/localpg"
)

// pgServer backs the Postgres-mode tests; TestMain starts it once.
var pgServer *localpg.Server

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	srv, err := localpg.Start(ctx, localpg.Options{})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "xataemu tests need a local PostgreSQL (initdb, pg_ctl, pg_dump, pg_restore).\n"+
			"Install it (apt-get install postgresql) or set PG_BIN_DIR.\n%v\n", err)
		os.Exit(1)
	}
	pgServer = srv
	code := m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// fakeClock drives the status machine deterministically.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// testAPI is a minimal HTTP client for the emulator, written against the
// wire format rather than any client package.
type testAPI struct {
	t    *testing.T
	e    *Emulator
	base string
	key  string
	org  string
	proj string
	hc   *http.Client
}

// newMemEmu starts an in-memory emulator on a fake clock.
func newMemEmu(t *testing.T, opts Options) (*testAPI, *fakeClock) {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	e.now = clk.Now
	return startAPI(t, e), clk
}

func startAPI(t *testing.T, e *Emulator) *testAPI {
	t.Helper()
	base, err := e.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if e.URL() != base {
		t.Fatalf("URL() = %q, Start returned %q", e.URL(), base)
	}
	return &testAPI{t: t, e: e, base: base, key: e.APIKey(), org: e.OrganizationID(), proj: e.ProjectID(),
		hc: &http.Client{Timeout: 30 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) message() string {
	var m struct{ Message string }
	_ = json.Unmarshal(r.body, &m)
	return m.Message
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// do sends a request; body may be nil, a string (sent raw) or a value to
// encode as JSON. Paths starting with "/branches" are relative to the
// default project.
func (a *testAPI) do(method, path string, body any) response {
	a.t.Helper()
	resp, err := a.try(method, path, body, a.key)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (a *testAPI) try(method, path string, body any, key string) (response, error) {
	if strings.HasPrefix(path, "/branches") {
		path = "/organizations/" + a.org + "/projects/" + a.proj + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, a.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// expect checks the status and, when msg is not empty, the exact message.
func (a *testAPI) expect(r response, status int, msg string) {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if msg != "" && r.message() != msg {
		a.t.Fatalf("message = %q, want %q", r.message(), msg)
	}
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func mainBody(name string) map[string]any {
	return map[string]any{
		"name": name, "mode": "custom",
		"configuration": map[string]any{
			"region": "us-east-1", "instanceType": "xata.micro", "image": "postgres:17.9", "replicas": 0,
		},
	}
}

func childBody(name, parent string) map[string]any {
	return map[string]any{"name": name, "mode": "inherit", "parentID": parent}
}

// create makes a branch and returns its ID, failing the test otherwise.
func (a *testAPI) create(body map[string]any) string {
	a.t.Helper()
	r := a.do("POST", "/branches", body)
	a.expect(r, http.StatusCreated, "")
	return decodeAs[branchShortMetadata](a.t, r).ID
}

func (a *testAPI) get(id string) branchMetadata {
	a.t.Helper()
	r := a.do("GET", "/branches/"+id, nil)
	a.expect(r, http.StatusOK, "")
	return decodeAs[branchMetadata](a.t, r)
}

func (a *testAPI) credentials(id string) branchCredentials {
	a.t.Helper()
	r := a.do("GET", "/branches/"+id+"/credentials?username=xata", nil)
	a.expect(r, http.StatusOK, "")
	return decodeAs[branchCredentials](a.t, r)
}
