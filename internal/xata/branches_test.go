package xata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

// fakeProject is one project's branch collection. POSTs are answered by a
// per-attempt script so tests can lose responses before or after commit.
type fakeProject struct {
	mu       sync.Mutex
	branches []BranchListMetadata
	calls    []string
	posts    []func(f *fakeProject, req CreateBranchRequest, w http.ResponseWriter, r *http.Request)
	nPosts   int
	// afterList runs after a list was answered (e.g. a slow create
	// committing after the client's lookup).
	afterList func(f *fakeProject)
}

func (f *fakeProject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method)
	switch r.Method {
	case http.MethodGet:
		b, _ := json.Marshal(BranchList{Branches: f.branches})
		after := f.afterList
		f.mu.Unlock()
		_, _ = w.Write(b)
		if after != nil {
			after(f)
		}
	case http.MethodPost:
		var req CreateBranchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			panic(err)
		}
		step := f.posts[min(f.nPosts, len(f.posts)-1)]
		f.nPosts++
		f.mu.Unlock()
		step(f, req, w, r)
	default:
		f.mu.Unlock()
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// commit stores the branch unless the name is taken.
func (f *fakeProject) commit(req CreateBranchRequest) (BranchListMetadata, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.branches {
		if b.Name == req.Name {
			return b, false
		}
	}
	b := BranchListMetadata{ID: fmt.Sprintf("b%025d", len(f.branches)), Name: req.Name, Region: "us-east-1",
		CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if req.ParentID != "" {
		b.ParentID = new(req.ParentID)
	}
	f.branches = append(f.branches, b)
	return b, true
}

func (f *fakeProject) snapshot() (calls string, branches int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, ","), len(f.branches)
}

type postStep = func(f *fakeProject, req CreateBranchRequest, w http.ResponseWriter, r *http.Request)

// create commits and answers 201, or 409 on a duplicate name.
func create(f *fakeProject, req CreateBranchRequest, w http.ResponseWriter, _ *http.Request) {
	b, ok := f.commit(req)
	if !ok {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, `{"message":"branch [%s] already exists"}`, req.Name)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(BranchShortMetadata{ID: b.ID, Name: b.Name, ParentID: b.ParentID, Region: b.Region,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt})
}

func commitThen(h http.HandlerFunc) postStep {
	return func(f *fakeProject, req CreateBranchRequest, w http.ResponseWriter, r *http.Request) {
		f.commit(req)
		h(w, r)
	}
}

func only(h http.HandlerFunc) postStep {
	return func(_ *fakeProject, _ CreateBranchRequest, w http.ResponseWriter, r *http.Request) { h(w, r) }
}

func TestCreateBranch(t *testing.T) {
	const parent = "p0000000000000000000000000"
	inherit := CreateBranchRequest{Name: "pr-1", Mode: ModeInherit, ParentID: parent}
	tests := []struct {
		name        string
		existing    []BranchListMetadata
		posts       []postStep
		maxAttempts int
		wantCalls   string // method sequence seen by the server
		wantCount   int    // branches stored at the end
		wantErr     func(error) bool
	}{
		{
			name:      "created",
			posts:     []postStep{create},
			wantCalls: "POST",
			wantCount: 1,
		},
		{
			name:      "response lost after commit: adopted, not re-posted",
			posts:     []postStep{commitThen(apitest.Drop), create},
			wantCalls: "POST,GET",
			wantCount: 1,
		},
		{
			name:      "dropped before commit: lookup finds nothing, POST again",
			posts:     []postStep{only(apitest.Drop), create},
			wantCalls: "POST,GET,POST",
			wantCount: 1,
		},
		{
			name:      "500 after commit: list consulted, adopted",
			posts:     []postStep{commitThen(apitest.Reply(500, `{"message":"Internal Error"}`)), create},
			wantCalls: "POST,GET",
			wantCount: 1,
		},
		{
			name:      "502 before commit: list consulted, then POST",
			posts:     []postStep{only(apitest.Reply(502, "upstream connect error")), create},
			wantCalls: "POST,GET,POST",
			wantCount: 1,
		},
		{
			name:      "504 after commit: adopted",
			posts:     []postStep{commitThen(apitest.Reply(504, "upstream request timeout")), create},
			wantCalls: "POST,GET",
			wantCount: 1,
		},
		{
			name: "commit lands after the lookup: retry's 409 is ours, adopted",
			posts: []postStep{func(f *fakeProject, req CreateBranchRequest, w http.ResponseWriter, r *http.Request) {
				f.mu.Lock()
				f.afterList = func(f *fakeProject) {
					f.mu.Lock()
					f.afterList = nil
					f.mu.Unlock()
					f.commit(req)
				}
				f.mu.Unlock()
				apitest.Drop(w, r)
			}, create},
			wantCalls: "POST,GET,POST,GET",
			wantCount: 1,
		},
		{
			name:      "409 on the first attempt is a conflict",
			existing:  []BranchListMetadata{{ID: "x", Name: "pr-1", ParentID: new(parent)}},
			posts:     []postStep{create},
			wantCalls: "POST",
			wantCount: 1,
			wantErr:   IsConflict,
		},
		{
			name:      "409 after 429 is a conflict: 429 did nothing",
			existing:  []BranchListMetadata{{ID: "x", Name: "pr-1", ParentID: new(parent)}},
			posts:     []postStep{only(apitest.Reply(429, "local_rate_limited")), create},
			wantCalls: "POST,POST",
			wantCount: 1,
			wantErr:   IsConflict,
		},
		{
			name:      "name held by a branch of another parent is not adopted",
			existing:  []BranchListMetadata{{ID: "x", Name: "pr-1", ParentID: new("other")}},
			posts:     []postStep{only(apitest.Drop), create},
			wantCalls: "POST,GET,POST,GET",
			wantCount: 1,
			wantErr:   IsConflict,
		},
		{
			name:      "429 and 503 retried without lookup",
			posts:     []postStep{only(apitest.Reply(429, "")), only(apitest.Reply(503, `{"message":"unavailable"}`)), create},
			wantCalls: "POST,POST,POST",
			wantCount: 1,
		},
		{
			name:      "400 returned as is",
			posts:     []postStep{only(apitest.Reply(400, `{"message":"invalid parameter [name]"}`))},
			wantCalls: "POST",
			wantCount: 0,
			wantErr:   func(err error) bool { var e *APIError; return errors.As(err, &e) && e.StatusCode == 400 },
		},
		{
			name:        "always lost: bounded by MaxAttempts",
			posts:       []postStep{only(apitest.Drop)},
			maxAttempts: 3,
			wantCalls:   "POST,GET,POST,GET,POST,GET",
			wantCount:   0,
			wantErr: func(err error) bool {
				var te *apiclient.TransportError
				return errors.As(err, &te) && strings.Contains(err.Error(), "gave up after 3 attempts") &&
					strings.Contains(err.Error(), `branch "pr-1" may have been created`) && errors.Is(err, ErrCreateOutcomeUnknown)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeProject{branches: tt.existing, posts: tt.posts}
			logger := &captureLogger{}
			c := newTestClient(t, f, func(c *Config) {
				c.MaxAttempts = tt.maxAttempts
				c.Logger = logger
			})
			got, err := c.CreateBranch(context.Background(), "o", "p", inherit)
			calls, count := f.snapshot()
			if calls != tt.wantCalls {
				t.Errorf("server saw %s, want %s", calls, tt.wantCalls)
			}
			if count != tt.wantCount {
				t.Errorf("%d branches stored, want %d", count, tt.wantCount)
			}
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Errorf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			want := f.branches[len(f.branches)-1]
			f.mu.Unlock()
			if got.ID != want.ID || got.Name != "pr-1" || got.ParentID == nil || *got.ParentID != parent || got.Region != "us-east-1" {
				t.Errorf("got %+v, want branch %+v", got, want)
			}
			adopted := false
			for _, e := range logger.entries {
				adopted = adopted || strings.Contains(e.msg, "adopted")
			}
			if wantAdopt := strings.HasSuffix(tt.wantCalls, "GET"); adopted != wantAdopt {
				t.Errorf("adoption logged = %v, want %v", adopted, wantAdopt)
			}
		})
	}
}

func TestCreateBranchCustomMatch(t *testing.T) {
	req := CreateBranchRequest{Name: "main", Mode: ModeCustom, Configuration: &ClusterConfiguration{Region: "eu-central-1"}}
	tests := []struct {
		name   string
		branch BranchListMetadata
		want   bool
	}{
		{"same name and region", BranchListMetadata{Name: "main", Region: "eu-central-1"}, true},
		{"other region", BranchListMetadata{Name: "main", Region: "us-east-1"}, false},
		{"has a parent", BranchListMetadata{Name: "main", Region: "eu-central-1", ParentID: new("x")}, false},
		{"case differs", BranchListMetadata{Name: "Main", Region: "eu-central-1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := apitest.Script(apitest.Reply(200, mustJSON(t, BranchList{Branches: []BranchListMetadata{tt.branch}})))
			c := newTestClient(t, h, nil)
			got, err := c.findCreated(context.Background(), "o", "p", req)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tt.want {
				t.Errorf("adopt = %v, want %v", got != nil, tt.want)
			}
		})
	}
}

func TestCreateBranchLookupFailure(t *testing.T) {
	h, _ := apitest.Script(apitest.Drop, apitest.Reply(403, `{"message":"access denied"}`))
	c := newTestClient(t, h, nil)
	_, err := c.CreateBranch(context.Background(), "o", "p", CreateBranchRequest{Name: "n", Mode: ModeCustom})
	var te *apiclient.TransportError
	if !errors.As(err, &te) || statusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), `whether branch "n" was created`) {
		t.Errorf("err = %v", err)
	}
}

func TestCreateBranchCancelledWhileAmbiguous(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			apitest.Drop(w, r)
			return
		}
		cancel() // the caller gives up while we look the branch up
		<-r.Context().Done()
	})
	c := newTestClient(t, h, nil)
	_, err := c.CreateBranch(ctx, "o", "p", CreateBranchRequest{Name: "n", Mode: ModeCustom})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestCreateBranchCancelledDuringPost(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h, n := apitest.Script(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateBranch(ctx, "o", "p", CreateBranchRequest{Name: "n", Mode: ModeCustom})
	// The outcome is unknown and cannot be looked up any more: say so.
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrCreateOutcomeUnknown) ||
		!strings.Contains(err.Error(), `branch "n" may have been created`) {
		t.Errorf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFindBranchByName(t *testing.T) {
	list := `{"branches":[
		{"id":"a1","name":"Main","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","parentID":null,"region":"us-east-1","publicAccess":true,"backupsEnabled":false},
		{"id":"a2","name":"main","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","parentID":"a1","region":"us-east-1","publicAccess":true,"backupsEnabled":false}]}`
	h, _ := apitest.Script(apitest.Reply(200, list))
	c := newTestClient(t, h, nil)
	ctx := context.Background()
	b, err := c.FindBranchByName(ctx, "o", "prj_1", "main")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "a2" || b.ParentID == nil || *b.ParentID != "a1" || !b.PublicAccess {
		t.Errorf("got %+v", b)
	}
	_, err = c.FindBranchByName(ctx, "o", "prj_1", "MAIN")
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	// The API answered 200: the error must not claim a 404 status.
	var nf *BranchNotFoundError
	if !errors.As(err, &nf) || StatusOf(err) != 0 || err.Error() != `no branch named "MAIN" in project prj_1` {
		t.Errorf("got %T %q (status %d), want a BranchNotFoundError and no HTTP status", err, err, StatusOf(err))
	}
	// The names the list held come with it, for suggestions.
	if nf != nil && !slices.Equal(nf.Names, []string{"Main", "main"}) {
		t.Errorf("Names = %q, want the listed names [Main main]", nf.Names)
	}
}

func TestFindBranchByNameFailureIsNotNotFound(t *testing.T) {
	for _, status := range []int{401, 403, 500} {
		h, _ := apitest.Script(apitest.Reply(status, `{"message":"nope"}`))
		c := newTestClient(t, h, func(cfg *Config) { cfg.MaxAttempts = 1 })
		_, err := c.FindBranchByName(context.Background(), "o", "p", "main")
		if err == nil || IsNotFound(err) || StatusOf(err) != status {
			t.Errorf("a %d listing the branches gave %v (not found: %v), want the %d itself", status, err, IsNotFound(err), status)
		}
	}
}

func TestResolveBranchRef(t *testing.T) {
	const idA, idB = "aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb"
	list := `{"branches":[
		{"id":"` + idA + `","name":"first","parentID":"cccccccccccccccccccccccccc","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},
		{"id":"` + idB + `","name":"` + idA + `","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},
		{"id":"cccccccccccccccccccccccccc","name":"dddddddddddddddddddddddddd","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}]}`
	tests := []struct {
		ref     string
		want    *ResolvedBranch
		wantErr func(error) bool
	}{
		// The parent's name comes from the same list.
		{"first", &ResolvedBranch{ID: idA, ParentName: "dddddddddddddddddddddddddd"}, nil},
		{idB, &ResolvedBranch{ID: idB}, nil},
		{"dddddddddddddddddddddddddd", &ResolvedBranch{ID: "cccccccccccccccccccccccccc"}, nil}, // id-shaped, but only a name
		{idA, nil, func(err error) bool { var a *AmbiguousBranchError; return errors.As(err, &a) }},
		{"missing", nil, IsNotFound},
	}
	for _, tc := range tests {
		h, _ := apitest.Script(apitest.Reply(200, list))
		c := newTestClient(t, h, nil)
		got, err := c.ResolveBranchRef(context.Background(), "o", "p", tc.ref)
		switch {
		case tc.wantErr != nil && (err == nil || !tc.wantErr(err)):
			t.Errorf("%s: got %+v, %v; want the error", tc.ref, got, err)
		case tc.wantErr == nil && (err != nil || *got != *tc.want):
			t.Errorf("%s: got %+v, %v; want %+v", tc.ref, got, err, tc.want)
		}
	}
}

func TestGetBranchDecodes(t *testing.T) {
	body := `{"id":"k3v9","name":"main","description":"Main","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z",
	 "parentID":null,"region":"us-east-1","publicAccess":true,"backupsEnabled":true,"connectionString":null,
	 "status":{"status":"Cluster in healthy state","statusType":"STATUS_TYPE_HEALTHY","instanceCount":1,"instanceReadyCount":1,
	   "instances":[{"id":"k3v9-1","status":"healthy","primary":true,"targetPrimary":true}],"lifecycle":{"state":"ready"}},
	 "scaleToZero":{"enabled":false,"inactivityPeriodMinutes":30},
	 "configuration":{"region":"us-east-1","storage":10,"instanceType":"xata.micro","image":"postgres:17.9","replicas":0,
	   "postgresConfigurationParameters":{"max_connections":"50"},"preloadLibraries":["pg_stat_statements"]},
	 "backupConfiguration":{"retentionPeriod":2,"backupTime":"0:03:45"},"unknownField":1}`
	h, _ := apitest.Script(apitest.Reply(200, body))
	c := newTestClient(t, h, nil)
	b, err := c.GetBranch(context.Background(), "o", "p", "k3v9")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "k3v9" || b.ParentID != nil || b.ConnectionString != nil || b.Status.StatusType != StatusHealthy ||
		b.Status.InstanceReadyCount != 1 || *b.Configuration.Storage != 10 ||
		b.Configuration.PostgresConfigurationParameters["max_connections"] != "50" ||
		b.BackupConfiguration.BackupTime != "0:03:45" || !b.BackupsEnabled || b.UpdatedAt.Day() != 2 {
		t.Errorf("decoded %+v", b)
	}
}

func TestDeleteBranch(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(http.StatusNoContent, ""), apitest.Reply(404, `{"message":"branch [b] not found"}`, "X-Request-Id", "req_9"))
	c := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.DeleteBranch(ctx, "o", "p", "b"); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteBranch(ctx, "o", "p", "b")
	var apiErr *APIError
	if !IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.RequestID != "req_9" || apiErr.Method != "DELETE" {
		t.Errorf("err = %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestWriteBodies(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]string{}
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		bodies[r.Method+" "+r.URL.Path] = string(b)
		mu.Unlock()
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s Content-Type = %q", r.Method, ct)
		}
		switch r.Method {
		case http.MethodPost:
			if strings.HasSuffix(r.URL.Path, "/rotate") {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}
		fmt.Fprint(w, `{"id":"b1","name":"renamed","region":"us-east-1","parentID":null,"connectionString":null,"publicAccess":true,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`)
	}), nil)
	ctx := context.Background()
	if err := c.RotateBranchCredentials(ctx, "o", "p", "b1"); err != nil {
		t.Fatal(err)
	}
	upd, err := c.UpdateBranch(ctx, "o", "p", "b1", UpdateBranchRequest{Name: new("renamed"), Replicas: new(int64(2))})
	if err != nil || upd.Name != "renamed" {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	cr, err := c.CreateBranch(ctx, "o", "p", CreateBranchRequest{Name: "renamed", Mode: ModeCustom,
		Configuration: &ClusterConfiguration{Region: "us-east-1", InstanceType: "xata.micro", Image: "postgres:17.9"}})
	if err != nil || cr.ID != "b1" || !cr.PublicAccess {
		t.Fatalf("create: %+v, %v", cr, err)
	}
	want := map[string]string{
		"POST /organizations/o/projects/p/branches/b1/credentials/rotate": `{"username":"xata"}`,
		"PATCH /organizations/o/projects/p/branches/b1":                   `{"name":"renamed","replicas":2}`,
		"POST /organizations/o/projects/p/branches": `{"name":"renamed","mode":"custom","configuration":` +
			`{"region":"us-east-1","instanceType":"xata.micro","image":"postgres:17.9","replicas":0}}`,
	}
	for k, v := range want {
		if bodies[k] != v {
			t.Errorf("%s body = %s, want %s", k, bodies[k], v)
		}
	}
}

func TestListRegionsAndBranches(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/organizations/o/regions":
			fmt.Fprint(w, `{"regions":[{"id":"us-east-1","publicAccess":true,"backupsEnabled":true,"organizationId":null,"provider":"aws"}]}`)
		case "/organizations/o/projects/p/branches":
			fmt.Fprint(w, `{"branches":[]}`)
		default:
			http.NotFound(w, r)
		}
	})
	c := newTestClient(t, h, nil)
	ctx := context.Background()
	regions, err := c.ListRegions(ctx, "o")
	if err != nil || len(regions) != 1 || regions[0].ID != "us-east-1" || regions[0].OrganizationID != nil || regions[0].Provider != "aws" {
		t.Errorf("regions = %+v, %v", regions, err)
	}
	branches, err := c.ListBranches(ctx, "o", "p")
	if err != nil || len(branches) != 0 {
		t.Errorf("branches = %+v, %v", branches, err)
	}
}
