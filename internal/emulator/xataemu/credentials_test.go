package xataemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// jsonKeys lists the top-level fields of a JSON object, sorted.
func jsonKeys(t *testing.T, r response) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func TestParseCredentialsShape(t *testing.T) {
	for in, want := range map[string]CredentialsShape{
		"": CredentialsHosted, "hosted": CredentialsHosted, "open-source": CredentialsOpenSource,
	} {
		if got, err := ParseCredentialsShape(in); err != nil || got != want {
			t.Errorf("ParseCredentialsShape(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"Hosted", "oss", "open_source"} {
		if _, err := ParseCredentialsShape(bad); err == nil {
			t.Errorf("ParseCredentialsShape(%q) accepted", bad)
		}
	}
	if _, err := New(Options{CredentialsShape: "oss"}); err == nil {
		t.Error("New accepted an unknown credentials shape")
	}
}

// TestCredentialsShapes: what each shape's credentials endpoint answers,
// and that the branch metadata carries the connection string once the
// branch is provisioned, in both shapes.
func TestCredentialsShapes(t *testing.T) {
	for _, tc := range []struct {
		shape CredentialsShape
		keys  string
	}{
		{"", "connectionString,dbname,hostname,password,port,username"},
		{CredentialsHosted, "connectionString,dbname,hostname,password,port,username"},
		{CredentialsOpenSource, "password,username"},
	} {
		t.Run(string(tc.shape), func(t *testing.T) {
			a, clk := newMemEmu(t, Options{ProvisionDelay: 300 * time.Millisecond, CredentialsShape: tc.shape})
			r := a.do("POST", "/branches", mainBody("main"))
			a.expect(r, http.StatusCreated, "")
			if !strings.Contains(string(r.body), `"connectionString":null`) {
				t.Errorf("create response should carry a null connectionString: %s", r.body)
			}
			id := decodeAs[branchShortMetadata](t, r).ID
			if cs := a.get(id).ConnectionString; cs != nil {
				t.Errorf("connectionString before provisioning = %q", *cs)
			}

			clk.Advance(300 * time.Millisecond)
			cr := a.do("GET", "/branches/"+id+"/credentials?username=xata", nil)
			a.expect(cr, http.StatusOK, "")
			if got := jsonKeys(t, cr); got != tc.keys {
				t.Errorf("credentials fields = %s, want %s; body %s", got, tc.keys, cr.body)
			}
			creds := decodeAs[branchCredentials](t, cr)
			if creds.Username != "xata" || len(creds.Password) != 64 {
				t.Errorf("credentials = %s", cr.body)
			}

			want := "postgresql://xata:" + creds.Password + "@" + id + ".in-memory.xata-emulator.invalid:5432/xata?sslmode=require"
			if cs := a.get(id).ConnectionString; cs == nil || *cs != want {
				t.Errorf("GET connectionString = %v, want %s", cs, want)
			}
			pr := a.do("PATCH", "/branches/"+id, map[string]any{"description": "renamed"})
			a.expect(pr, http.StatusOK, "")
			if cs := decodeAs[branchShortMetadata](t, pr).ConnectionString; cs == nil || *cs != want {
				t.Errorf("PATCH connectionString = %v, want %s", cs, want)
			}
		})
	}
}

// TestOpenSourceCredentialsNeedUsername: the open-source server ([SRC])
// answers 400 unless the username is exactly xata, on both endpoints, and
// checks it before looking the branch up.
func TestOpenSourceCredentialsNeedUsername(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1, CredentialsShape: CredentialsOpenSource})
	id := a.create(mainBody("main"))
	retrieved := "Branch [" + id + "]: invalid parameter [username]: only the xata user credentials can be retrieved"
	rotated := "Branch [" + id + "]: invalid parameter [username]: only the xata user credentials can be rotated"

	for _, q := range []string{"", "?username=", "?username=postgres"} {
		a.expect(a.do("GET", "/branches/"+id+"/credentials"+q, nil), http.StatusBadRequest, retrieved)
	}
	a.expect(a.do("GET", "/branches/"+id+"/credentials?username=xata", nil), http.StatusOK, "")
	missing := "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	a.expect(a.do("GET", "/branches/"+missing+"/credentials", nil), http.StatusBadRequest,
		"Branch ["+missing+"]: invalid parameter [username]: only the xata user credentials can be retrieved")

	before := a.credentials(id).Password
	rotate := "/branches/" + id + "/credentials/rotate"
	a.expect(a.do("POST", rotate, map[string]string{}), http.StatusBadRequest, rotated)
	a.expect(a.do("POST", rotate, map[string]string{"username": "admin"}), http.StatusBadRequest, rotated)
	if a.credentials(id).Password != before {
		t.Fatal("a rejected rotate changed the password")
	}
	a.expect(a.do("POST", rotate, map[string]string{"username": "xata"}), http.StatusNoContent, "")
	if a.credentials(id).Password == before {
		t.Error("rotate with username xata did not change the password")
	}
}

// TestHostedCredentialsLenient: the hosted shape ([SPEC-B]) defaults the
// username to xata, and so does its rotate (the emulator's own leniency);
// other users are still refused.
func TestHostedCredentialsLenient(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	id := a.create(mainBody("main"))

	r := a.do("GET", "/branches/"+id+"/credentials", nil)
	a.expect(r, http.StatusOK, "")
	if c := decodeAs[branchCredentials](t, r); c.Username != "xata" || c.Hostname == "" || c.Port == 0 || c.ConnectionString == "" {
		t.Errorf("credentials without username = %s", r.body)
	}
	a.expect(a.do("GET", "/branches/"+id+"/credentials?username=postgres", nil), http.StatusBadRequest,
		"Branch ["+id+"]: invalid parameter [username]: only the xata user credentials can be retrieved")

	before := a.credentials(id).Password
	rotate := "/branches/" + id + "/credentials/rotate"
	a.expect(a.do("POST", rotate, map[string]string{}), http.StatusNoContent, "")
	if a.credentials(id).Password == before {
		t.Error("rotate without username did not change the password")
	}
	a.expect(a.do("POST", rotate, map[string]string{"username": "admin"}), http.StatusBadRequest,
		"Branch ["+id+"]: invalid parameter [username]: only the xata user credentials can be rotated")
}

// TestPGOpenSourceMetadataConnects: in the open-source shape the metadata's
// connection string is the only place naming host, port and database, so
// in PostgreSQL mode it must open the branch as handed out, and follow a
// rotation.
func TestPGOpenSourceMetadataConnects(t *testing.T) {
	e, err := New(Options{
		PostgresAdminURL: pgServer.AdminURL(), PostgresBinDir: pgServer.BinDir(),
		ProvisionDelay: -1, CredentialsShape: CredentialsOpenSource, Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := startAPI(t, e)
	ctx := pgCtx(t)
	id := a.create(mainBody("main"))

	cr := a.do("GET", "/branches/"+id+"/credentials?username=xata", nil)
	a.expect(cr, http.StatusOK, "")
	if got := jsonKeys(t, cr); got != "password,username" {
		t.Fatalf("credentials fields = %s", got)
	}
	creds := decodeAs[branchCredentialsOpenSource](t, cr)

	cs := a.get(id).ConnectionString
	if cs == nil {
		t.Fatal("metadata connectionString is null once provisioned")
	}
	u, err := url.Parse(*cs)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.User.Username() != creds.Username || pw != creds.Password || u.Hostname() != "127.0.0.1" ||
		u.Port() != strconv.Itoa(pgServer.Port()) || u.Query().Get("sslmode") != "disable" {
		t.Errorf("metadata connectionString = %s, credentials %+v", *cs, creds)
	}
	conn := connect(t, ctx, *cs)
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || u.Path != "/"+db {
		t.Errorf("connected to %q (%v), string names %s", db, err, u.Path)
	}

	a.expect(a.do("POST", "/branches/"+id+"/credentials/rotate", map[string]string{"username": "xata"}), http.StatusNoContent, "")
	fresh := a.get(id).ConnectionString
	if fresh == nil || *fresh == *cs {
		t.Fatalf("metadata connectionString after rotate = %v", fresh)
	}
	connect(t, ctx, *fresh)
}
