package xata

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
)

// branchServer answers GET …/branches/{id} and …/credentials from a map;
// an id it lacks answers 404, an id listed in refuse answers 400.
type branchServer struct {
	mu     sync.Mutex
	names  map[string]string
	refuse map[string]bool
	gets   []string
}

func (s *branchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	creds := strings.HasSuffix(r.URL.Path, "/credentials")
	id := path.Base(strings.TrimSuffix(r.URL.Path, "/credentials"))
	if !creds {
		s.gets = append(s.gets, id)
	}
	switch name, ok := s.names[id]; {
	case s.refuse[id]:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"refused"}`))
	case !ok:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"branch [` + id + `] not found"}`))
	case creds:
		_, _ = w.Write([]byte(`{"username":"xata","password":"pw-` + id + `"}`))
	default:
		_, _ = fmt.Fprintf(w, `{"id":%q,"name":%q,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
		  "status":{"statusType":"STATUS_TYPE_HEALTHY"},"configuration":{"region":"us-east-1"}}`, id, name)
	}
}

func TestLookupBranches(t *testing.T) {
	ctx := context.Background()
	srv := &branchServer{names: map[string]string{}}
	var ids []string
	for i := range 10 {
		id := fmt.Sprintf("b%02d", i)
		srv.names[id] = "name-" + id
		ids = append(ids, id)
	}
	ids = slices.Insert(ids, 3, "gone") // deleted between list and GET
	c := newTestClient(t, srv, nil)

	got, err := c.LookupBranches(ctx, "o", "p", ids, true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range got {
		names = append(names, b.Branch.Name)
		if b.Credentials == nil || b.Credentials.Password != "pw-"+b.Branch.ID {
			t.Errorf("%s: credentials %+v, %v", b.Branch.ID, b.Credentials, b.CredentialsErr)
		}
	}
	want := []string{}
	for _, id := range ids {
		if id != "gone" {
			want = append(want, "name-"+id)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("got %v, want %v (the ids' order, without the deleted one)", names, want)
	}

	none, err := c.LookupBranches(ctx, "o", "p", nil, false)
	if err != nil || len(none) != 0 {
		t.Errorf("no ids: got %v, %v", none, err)
	}
}

func TestLookupBranchesFailure(t *testing.T) {
	srv := &branchServer{names: map[string]string{"a": "a", "b": "b"}, refuse: map[string]bool{"b": true}}
	c := newTestClient(t, srv, nil)
	_, err := c.LookupBranches(context.Background(), "o", "p", []string{"a", "b"}, false)
	if StatusOf(err) != http.StatusBadRequest {
		t.Fatalf("got %v, want the 400 of branch b", err)
	}
}
