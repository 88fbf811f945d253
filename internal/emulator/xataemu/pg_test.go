package xataemu

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// newPGEmu starts an emulator backed by the TestMain cluster, with branches
// healthy at once.
func newPGEmu(t *testing.T) *testAPI {
	t.Helper()
	e, err := New(Options{
		PostgresAdminURL: pgServer.AdminURL(),
		PostgresBinDir:   pgServer.BinDir(),
		ProvisionDelay:   -1,
		Logf:             t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	return startAPI(t, e)
}

func pgCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, ctx context.Context, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, ctx context.Context, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, ctx context.Context, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// withDB swaps the database of a connection string.
func withDB(t *testing.T, dsn, db string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(dsn, "/"+cfg.Database)
	return dsn[:i] + "/" + db + dsn[i+len(cfg.Database)+1:]
}

func TestPGChildCopiesParent(t *testing.T) {
	a := newPGEmu(t)
	ctx := pgCtx(t)
	mainID := a.create(mainBody("main"))
	mc := a.credentials(mainID)
	if !strings.HasPrefix(mc.Username, "xata_") || mc.DBName != mc.Username || mc.Hostname != "127.0.0.1" ||
		mc.Port != pgServer.Port() || !strings.HasSuffix(mc.ConnectionString, "?sslmode=disable") {
		t.Errorf("credentials = %+v", mc)
	}
	info := a.e.Branches(a.proj)[0]
	if info.Database != mc.DBName || info.Role != mc.Username {
		t.Errorf("BranchInfo = %+v", info)
	}
	if cs := a.get(mainID).ConnectionString; cs == nil || *cs != mc.ConnectionString {
		t.Errorf("metadata connectionString = %v, want the credentials one", cs)
	}

	parent := connect(t, ctx, mc.ConnectionString)
	if n := count(t, ctx, parent, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"); n != 0 {
		t.Errorf("a root branch should start empty, has %d tables", n)
	}
	mustExec(t, ctx, parent, "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL)")
	mustExec(t, ctx, parent, "INSERT INTO items (name) VALUES ('a'), ('b')")

	childID := a.create(childBody("dev", mainID))
	cc := a.credentials(childID)
	if cc.Username == mc.Username || cc.DBName == mc.DBName {
		t.Fatalf("child shares role or database with parent: %+v", cc)
	}
	child := connect(t, ctx, cc.ConnectionString)
	if n := count(t, ctx, child, "SELECT count(*) FROM items"); n != 2 {
		t.Errorf("child sees %d parent rows, want 2", n)
	}
	// The child role owns the copied objects, so it can write them, and
	// the sequence carries on from the parent's value.
	mustExec(t, ctx, child, "INSERT INTO items (name) VALUES ('child-only')")
	if n := count(t, ctx, child, "SELECT max(id) FROM items"); n != 3 {
		t.Errorf("next id in child = %d, want 3", n)
	}
	mustExec(t, ctx, child, "ALTER TABLE items ADD COLUMN extra int")
	if n := count(t, ctx, parent, "SELECT count(*) FROM items WHERE name = 'child-only'"); n != 0 {
		t.Error("a row written in the child shows up in the parent")
	}
	// Later parent writes do not reach the child either.
	mustExec(t, ctx, parent, "INSERT INTO items (name) VALUES ('late')")
	if n := count(t, ctx, child, "SELECT count(*) FROM items WHERE name = 'late'"); n != 0 {
		t.Error("a parent row written after creation shows up in the child")
	}

	// One branch's role cannot open another branch's database.
	for _, tc := range []struct{ creds, db string }{{cc.ConnectionString, mc.DBName}, {mc.ConnectionString, cc.DBName}} {
		c, err := pgx.Connect(ctx, withDB(t, tc.creds, tc.db))
		if err == nil {
			c.Close(ctx)
			t.Errorf("connected to %s with another branch's credentials", tc.db)
		} else if !strings.Contains(err.Error(), "permission denied for database") {
			t.Errorf("cross-branch connect failed with %v, want permission denied for database", err)
		}
	}
}

func TestPGChildWhileParentInUse(t *testing.T) {
	a := newPGEmu(t)
	ctx := pgCtx(t)
	mainID := a.create(mainBody("main"))
	mc := a.credentials(mainID)
	service := connect(t, ctx, mc.ConnectionString)
	mustExec(t, ctx, service, "CREATE TABLE t (v int)")
	mustExec(t, ctx, service, "INSERT INTO t VALUES (1)")
	// A service keeps a session (even an open transaction) on the parent.
	mustExec(t, ctx, service, "BEGIN")
	mustExec(t, ctx, service, "INSERT INTO t VALUES (2)")

	childID := a.create(childBody("preview", mainID))
	child := connect(t, ctx, a.credentials(childID).ConnectionString)
	if n := count(t, ctx, child, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("child sees %d rows, want only the committed one", n)
	}
	// The parent's session survived the copy.
	mustExec(t, ctx, service, "INSERT INTO t VALUES (3)")
	mustExec(t, ctx, service, "COMMIT")
	if n := count(t, ctx, service, "SELECT count(*) FROM t"); n != 3 {
		t.Errorf("parent has %d rows after commit, want 3", n)
	}
}

func TestPGDeleteDropsDatabase(t *testing.T) {
	a := newPGEmu(t)
	ctx := pgCtx(t)
	id := a.create(mainBody("main"))
	creds := a.credentials(id)
	open := connect(t, ctx, creds.ConnectionString)
	a.expect(a.do("DELETE", "/branches/"+id, nil), http.StatusNoContent, "")

	if c, err := pgx.Connect(ctx, creds.ConnectionString); err == nil {
		c.Close(ctx)
		t.Error("connected to a deleted branch")
	}
	if err := open.Ping(ctx); err == nil {
		t.Error("a session on a deleted branch survived the drop")
	}
	admin := connect(t, ctx, pgServer.AdminURL())
	if n := count(t, ctx, admin, "SELECT count(*) FROM pg_database WHERE datname = $1", creds.DBName); n != 0 {
		t.Error("database still exists after delete")
	}
	if n := count(t, ctx, admin, "SELECT count(*) FROM pg_roles WHERE rolname = $1", creds.Username); n != 0 {
		t.Error("role still exists after delete")
	}
}

func TestPGRotateInvalidatesOldPassword(t *testing.T) {
	a := newPGEmu(t)
	ctx := pgCtx(t)
	id := a.create(mainBody("main"))
	old := a.credentials(id)
	session := connect(t, ctx, old.ConnectionString)
	a.expect(a.do("POST", "/branches/"+id+"/credentials/rotate", map[string]string{"username": "xata"}), http.StatusNoContent, "")
	fresh := a.credentials(id)
	if fresh.Password == old.Password || fresh.Username != old.Username {
		t.Fatalf("rotate: before %+v after %+v", old, fresh)
	}
	c, err := pgx.Connect(ctx, old.ConnectionString)
	if err == nil {
		c.Close(ctx)
		t.Fatal("old password still works after rotate")
	}
	if !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("old password rejected with %v", err)
	}
	connect(t, ctx, fresh.ConnectionString)
	// Existing connections survive a rotation.
	if err := session.Ping(ctx); err != nil {
		t.Errorf("open session broke on rotate: %v", err)
	}
}

func TestPGFailedCopyRollsBack(t *testing.T) {
	a := newPGEmu(t)
	ctx := pgCtx(t)
	mainID := a.create(mainBody("main"))
	mc := a.credentials(mainID)
	// A function in an untrusted language can only be restored by a
	// superuser, so the copy into the child role fails.
	admin := connect(t, ctx, withDB(t, pgServer.AdminURL(), mc.DBName))
	mustExec(t, ctx, admin, "CREATE FUNCTION myabs(int) RETURNS int LANGUAGE internal AS 'int4abs'")
	countDBs := func() int {
		return count(t, ctx, admin, "SELECT count(*) FROM pg_database WHERE datname LIKE 'xata\\_%'")
	}
	before := countDBs()

	a.expect(a.do("POST", "/branches", childBody("dev", mainID)), http.StatusInternalServerError, "")
	if got := countDBs(); got != before {
		t.Errorf("databases %d → %d: failed create left its database behind", before, got)
	}
	if len(a.e.Branches(a.proj)) != 1 || a.e.CreatedCount(a.proj) != 1 {
		t.Errorf("failed create is visible: %+v", a.e.Branches(a.proj))
	}
	mustExec(t, ctx, admin, "DROP FUNCTION myabs(int)")
	a.create(childBody("dev", mainID)) // the name was never taken
}

func TestPGCloseDropsEverything(t *testing.T) {
	e, err := New(Options{PostgresAdminURL: pgServer.AdminURL(), PostgresBinDir: pgServer.BinDir(), ProvisionDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	a := startAPI(t, e)
	ctx := pgCtx(t)
	id := a.create(mainBody("main"))
	a.create(childBody("dev", id))
	var names []string
	for _, b := range e.Branches(a.proj) {
		names = append(names, b.Database)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	admin := connect(t, ctx, pgServer.AdminURL())
	if n := count(t, ctx, admin, "SELECT count(*) FROM pg_database WHERE datname = ANY($1)", names); n != 0 {
		t.Errorf("%d branch databases survive Close", n)
	}
	if n := count(t, ctx, admin, "SELECT count(*) FROM pg_roles WHERE rolname = ANY($1)", names); n != 0 {
		t.Errorf("%d branch roles survive Close", n)
	}
	if _, err := a.try("GET", "/_hello", nil, ""); err == nil {
		t.Error("still serving after Close")
	}
}

func TestPGBadAdminURL(t *testing.T) {
	if _, err := New(Options{PostgresAdminURL: "postgres://nobody:x@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"}); err == nil {
		t.Error("New accepted an unreachable PostgresAdminURL")
	}
}
