package localpg

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartConnectStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	srv, err := Start(ctx, Options{})
	if err != nil {
		t.Fatalf("Start: %v (install PostgreSQL with apt-get install postgresql, or set PG_BIN_DIR)", err)
	}
	dir := srv.Dir()
	if srv.Port() == 0 {
		t.Fatal("Port() = 0")
	}

	conn, err := pgx.Connect(ctx, srv.AdminURL())
	if err != nil {
		_ = srv.Stop()
		t.Fatalf("connect %s: %v", srv.AdminURL(), err)
	}
	var super bool
	var enc string
	err = conn.QueryRow(ctx, "SELECT usesuper, pg_encoding_to_char(encoding) FROM pg_user, pg_database WHERE usename = current_user AND datname = current_database()").Scan(&super, &enc)
	conn.Close(ctx)
	if err != nil {
		_ = srv.Stop()
		t.Fatal(err)
	}
	if !super || enc != "UTF8" {
		t.Errorf("superuser=%v encoding=%s, want true UTF8", super, enc)
	}

	// TCP logins need the password (scram), not trust.
	bad := "postgres://postgres:wrong@127.0.0.1:" + strconv.Itoa(srv.Port()) + "/postgres?sslmode=disable"
	if c, err := pgx.Connect(ctx, bad); err == nil {
		c.Close(ctx)
		t.Error("connecting with a wrong password succeeded")
	}

	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still exists after Stop (stat err %v)", dir, err)
	}
	if c, err := pgx.Connect(ctx, srv.AdminURL()); err == nil {
		c.Close(ctx)
		t.Error("server still accepts connections after Stop")
	}
}

func TestGivenDirIsKept(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Not t.TempDir: its parent directory is 0700, which the postgres OS
	// user could not traverse.
	parent, err := os.MkdirTemp("", "localpg-test-") //nolint:usetesting // see above: the postgres user must traverse its parent
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(parent) })
	// The postgres OS user (when running as root) must be able to enter it.
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := Start(ctx, Options{Dir: parent})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(parent + "/postgres.log"); err != nil {
		t.Errorf("log in a caller-given Dir should survive Stop: %v", err)
	}
}

func TestFindBinDirEnv(t *testing.T) {
	t.Setenv("PG_BIN_DIR", t.TempDir())
	if _, err := FindBinDir(); err == nil {
		t.Error("PG_BIN_DIR without initdb should be an error")
	}
}

func TestVersionOrder(t *testing.T) {
	if !versionLess(parseVersion("9.6"), parseVersion("15")) || versionLess(parseVersion("16"), parseVersion("15")) {
		t.Error("version ordering wrong")
	}
}
