package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStore is an in-memory store. It reports duplicates with the same
// errDuplicateEmail sentinel that pgStore maps SQLSTATE 23505 to.
type fakeStore struct {
	mu      sync.Mutex
	users   []user
	nextID  int64
	dbName  string
	pingErr error
	listErr error
	creates int
}

func (f *fakeStore) List(context.Context) ([]user, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return append([]user(nil), f.users...), nil
}

func (f *fakeStore) Create(_ context.Context, name, email string) (user, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	for _, u := range f.users {
		if u.Email == email {
			return user{}, errDuplicateEmail
		}
	}
	f.nextID++
	u := user{ID: f.nextID, Name: name, Email: email, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.users = append(f.users, u)
	return u, nil
}

func (f *fakeStore) Count(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.users), nil
}

func (f *fakeStore) Ping(context.Context) error { return f.pingErr }

func (f *fakeStore) Database(context.Context) (string, error) { return f.dbName, nil }

func seeded(names ...string) *fakeStore {
	f := &fakeStore{dbName: "main"}
	for _, n := range names {
		if _, err := f.Create(context.Background(), n, strings.ToLower(n)+"@example.com"); err != nil {
			panic(err)
		}
	}
	f.creates = 0
	return f
}

// do sends one request through the full handler chain (mux + logging) and
// returns the recorder plus everything that was logged.
func do(t *testing.T, st store, method, path, body string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := newServer(st, "feature-x", logger, newRedactor("postgres://app:s3cret-pw@db.example:5432/main", "s3cret-pw")).routes()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, logs.String()
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
	return v
}

func TestListUsers(t *testing.T) {
	rec, logs := do(t, seeded("Ada", "Grace"), http.MethodGet, "/users", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		Users []map[string]any `json:"users"`
		Count int              `json:"count"`
	}](t, rec)
	if got.Count != 2 || len(got.Users) != 2 {
		t.Fatalf("count = %d, users = %d, want 2 and 2", got.Count, len(got.Users))
	}
	first := got.Users[0]
	if first["id"] != float64(1) || first["name"] != "Ada" || first["email"] != "ada@example.com" || first["created_at"] != "2025-01-02T03:04:05Z" {
		t.Errorf("first user = %v", first)
	}
	if _, ok := first["updated_at"]; ok {
		t.Errorf("updated_at should not be exposed: %v", first)
	}
	if got.Users[1]["name"] != "Grace" {
		t.Errorf("second user = %v, want Grace", got.Users[1])
	}
	if !strings.Contains(logs, "method=GET") || !strings.Contains(logs, "path=/users") || !strings.Contains(logs, "status=200") || !strings.Contains(logs, "duration=") {
		t.Errorf("request log line missing fields: %q", logs)
	}
}

func TestListUsersEmptyIsArray(t *testing.T) {
	rec, _ := do(t, seeded(), http.MethodGet, "/users", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if body := strings.TrimSpace(rec.Body.String()); body != `{"users":[],"count":0}` {
		t.Errorf("body = %s, want empty array and count 0", body)
	}
}

func TestListUsersStoreErrorIsGeneric500(t *testing.T) {
	st := seeded()
	st.listErr = errors.New("connect postgres://app:s3cret-pw@db.example:5432/main failed")
	rec, logs := do(t, st, http.MethodGet, "/users", "")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "s3cret") || strings.Contains(rec.Body.String(), "db.example") {
		t.Errorf("response leaks database details: %s", rec.Body)
	}
	if strings.Contains(logs, "s3cret") || !strings.Contains(logs, "[redacted]") {
		t.Errorf("log not redacted: %q", logs)
	}
}

func TestCreateUser(t *testing.T) {
	st := seeded("Ada")
	rec, _ := do(t, st, http.MethodPost, "/users", `{"name":" Linus ","email":"linus@example.com"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", rec.Code, rec.Body)
	}
	got := decode[user](t, rec)
	if got.ID != 2 || got.Name != "Linus" || got.Email != "linus@example.com" || got.CreatedAt.IsZero() {
		t.Errorf("created user = %+v", got)
	}
	if n, _ := st.Count(context.Background()); n != 2 {
		t.Errorf("store has %d users after create, want 2", n)
	}
}

func TestCreateUserValidation(t *testing.T) {
	cases := []struct {
		name, body, wantInError string
	}{
		{"bad JSON", `{"name":`, "invalid JSON"},
		{"empty body", ``, "empty"},
		{"wrong type", `{"name":1,"email":"a@b.c"}`, "invalid JSON"},
		{"trailing data", `{"name":"a","email":"a@b.c"} {}`, "invalid JSON"},
		{"missing name", `{"email":"a@b.c"}`, "name"},
		{"blank name", `{"name":"   ","email":"a@b.c"}`, "name"},
		{"missing email", `{"name":"Ada"}`, "email"},
		{"empty email", `{"name":"Ada","email":""}`, "email"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := seeded()
			rec, _ := do(t, st, http.MethodPost, "/users", tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", rec.Code, rec.Body)
			}
			msg := decode[map[string]string](t, rec)["error"]
			if !strings.Contains(msg, tc.wantInError) {
				t.Errorf("error = %q, want it to mention %q", msg, tc.wantInError)
			}
			if st.creates != 0 {
				t.Errorf("store.Create called %d times for an invalid request", st.creates)
			}
		})
	}
}

func TestCreateUserDuplicateEmail(t *testing.T) {
	st := seeded("Ada")
	rec, _ := do(t, st, http.MethodPost, "/users", `{"name":"Other Ada","email":"ada@example.com"}`)
	if rec.Code != http.StatusConflict {
		t.Fatalf("status = %d, want 409; body %s", rec.Code, rec.Body)
	}
	if msg := decode[map[string]string](t, rec)["error"]; !strings.Contains(msg, "ada@example.com") {
		t.Errorf("error = %q, want it to name the email", msg)
	}
	if n, _ := st.Count(context.Background()); n != 1 {
		t.Errorf("store has %d users, want 1", n)
	}
}

func TestInfo(t *testing.T) {
	st := seeded("Ada", "Grace", "Edsger")
	st.dbName = "sandbox_db"
	rec, _ := do(t, st, http.MethodGet, "/info", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	got := decode[map[string]any](t, rec)
	want := map[string]any{"branch": "feature-x", "database": "sandbox_db", "users": float64(3)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (body %s)", k, got[k], v, rec.Body)
		}
	}
}

func TestHealthOK(t *testing.T) {
	rec, _ := do(t, seeded(), http.MethodGet, "/health", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if got := decode[map[string]string](t, rec); got["status"] != "ok" {
		t.Errorf("body = %v, want status ok", got)
	}
}

func TestHealthUnavailable(t *testing.T) {
	st := seeded()
	st.pingErr = errors.New("dial postgres://app:s3cret-pw@db.example:5432/main: connection refused; password s3cret-pw")
	rec, logs := do(t, st, http.MethodGet, "/health", "")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", rec.Code)
	}
	got := decode[map[string]string](t, rec)
	if got["status"] != "unavailable" || !strings.Contains(got["error"], "connection refused") {
		t.Errorf("body = %v, want status unavailable with the cause", got)
	}
	for _, secret := range []string{"s3cret-pw", "postgres://"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("response leaks %q: %s", secret, rec.Body)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("log leaks %q: %s", secret, logs)
		}
	}
}

func TestWrongMethodIs405(t *testing.T) {
	rec, logs := do(t, seeded(), http.MethodDelete, "/users", "")
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status = %d, want 405", rec.Code)
	}
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "POST") || !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q, want GET and POST", allow)
	}
	if !strings.Contains(logs, "status=405") {
		t.Errorf("405 not logged: %q", logs)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}

	if _, err := loadConfig(env(nil)); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("missing DATABASE_URL: err = %v, want one naming DATABASE_URL", err)
	}

	cfg, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/main"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.branch != "unknown" || cfg.listenAddr != ":3000" {
		t.Errorf("defaults = %+v, want branch unknown and :3000", cfg)
	}

	cfg, _ = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/main", "XATA_BRANCH": "dev", "PORT": "8080"}))
	if cfg.branch != "dev" || cfg.listenAddr != ":8080" {
		t.Errorf("PORT/XATA_BRANCH = %+v, want dev and :8080", cfg)
	}

	cfg, _ = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/main", "PORT": "8080", "LISTEN_ADDR": "127.0.0.1:0"}))
	if cfg.listenAddr != "127.0.0.1:0" {
		t.Errorf("LISTEN_ADDR should override PORT, got %q", cfg.listenAddr)
	}
}

func TestDisplayAddr(t *testing.T) {
	cases := map[string]string{
		"[::]:3000":      "localhost:3000",
		"0.0.0.0:3000":   "localhost:3000",
		"127.0.0.1:4567": "127.0.0.1:4567",
		"[::1]:80":       "[::1]:80",
	}
	for in, want := range cases {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayAddr(addr); got != want {
			t.Errorf("displayAddr(%s) = %s, want %s", in, got, want)
		}
	}
}
