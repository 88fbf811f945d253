package xataemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBackend backs each branch with a database on a real cluster. A branch
// gets its own LOGIN role owning its own database, and PUBLIC loses CONNECT
// on it, so one branch's credentials cannot open another branch.
type pgBackend struct {
	admin   *pgx.ConnConfig
	binDir  string
	host    string
	port    int
	sslmode string // for the pg_dump/pg_restore connections

	mu      sync.Mutex
	created map[string]bool // role/database names not dropped yet
}

func newPGBackend(adminURL, binDir string) (*pgBackend, error) {
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return nil, fmt.Errorf("xataemu: parse PostgresAdminURL: %w", err)
	}
	p := &pgBackend{
		admin: cfg, binDir: binDir,
		host: cfg.Host, port: int(cfg.Port), sslmode: "disable",
		created: map[string]bool{},
	}
	if cfg.TLSConfig != nil {
		p.sslmode = "require"
		if len(cfg.Fallbacks) > 0 {
			p.sslmode = "prefer"
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("xataemu: connect to PostgresAdminURL: %w", err)
	}
	defer conn.Close(ctx)
	var version int
	var super bool
	err = conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&version, &super)
	if err != nil {
		return nil, fmt.Errorf("xataemu: inspect server: %w", err)
	}
	// DROP DATABASE … WITH (FORCE) needs PostgreSQL 13.
	if version < 130000 {
		return nil, fmt.Errorf("xataemu: PostgreSQL 13 or newer required, server is %d", version)
	}
	if !super {
		return nil, fmt.Errorf("xataemu: PostgresAdminURL must connect as a superuser (user %q is not)", cfg.User)
	}
	return p, nil
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// exec runs statements on a fresh admin connection; pgx connections are
// not safe for concurrent use and a local connect is cheap.
func (p *pgBackend) exec(ctx context.Context, stmts ...string) error {
	conn, err := pgx.ConnectConfig(ctx, p.admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			// Quote the statement in the error, minus any password.
			return fmt.Errorf("%s: %w", strings.SplitN(s, " PASSWORD", 2)[0], err)
		}
	}
	return nil
}

// createBranchDB creates role and database name, owned by the role. With a
// parentDB it copies the parent's schema and data into it; on any failure
// it drops what it created.
func (p *pgBackend) createBranchDB(ctx context.Context, name, password, parentDB string) error {
	p.mu.Lock()
	p.created[name] = true
	p.mu.Unlock()
	err := p.exec(ctx,
		"CREATE ROLE "+ident(name)+" LOGIN PASSWORD "+literal(password),
		"CREATE DATABASE "+ident(name)+" OWNER "+ident(name),
		"REVOKE CONNECT, TEMPORARY ON DATABASE "+ident(name)+" FROM PUBLIC",
	)
	if err == nil && parentDB != "" {
		err = p.copy(ctx, parentDB, name, password)
	}
	if err != nil {
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if derr := p.drop(dctx, name); derr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", derr))
		}
		return err
	}
	return nil
}

// copy pipes pg_dump of the parent (as superuser) into pg_restore connected
// as the child's role, so the child owns every copied object. Unlike
// CREATE DATABASE … TEMPLATE this works while clients are connected to the
// parent, and never disconnects them.
func (p *pgBackend) copy(ctx context.Context, fromDB, toDB, password string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var dumpErr, restoreErr bytes.Buffer
	dump := exec.CommandContext(ctx, p.tool("pg_dump"), "--no-owner", "--no-privileges", "-Fc",
		"-d", p.conninfo(p.admin.User, fromDB))
	dump.Env = pgEnv(p.admin.Password)
	dump.Stdout, dump.Stderr = w, &dumpErr
	restore := exec.CommandContext(ctx, p.tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
		"-d", p.conninfo(toDB, toDB))
	restore.Env = pgEnv(password)
	restore.Stdin, restore.Stderr = r, &restoreErr

	if err := dump.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("pg_dump: %w", err)
	}
	if err := restore.Start(); err != nil {
		r.Close()
		w.Close()
		_ = dump.Wait()
		return fmt.Errorf("pg_restore: %w", err)
	}
	// Only the children hold the pipe now, so either side exiting early
	// unblocks the other.
	r.Close()
	w.Close()
	rerr := restore.Wait()
	derr := dump.Wait()
	if derr != nil {
		return fmt.Errorf("pg_dump %s: %w: %s", fromDB, derr, strings.TrimSpace(dumpErr.String()))
	}
	if rerr != nil {
		return fmt.Errorf("pg_restore into %s: %w: %s", toDB, rerr, strings.TrimSpace(restoreErr.String()))
	}
	return nil
}

func (p *pgBackend) tool(name string) string {
	if p.binDir == "" {
		return name
	}
	return filepath.Join(p.binDir, name)
}

// conninfo is a libpq keyword/value string; the password goes in the
// environment instead, out of the process list.
func (p *pgBackend) conninfo(user, db string) string {
	kv := func(k, v string) string {
		return k + "='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	return strings.Join([]string{
		kv("host", p.host), kv("port", fmt.Sprint(p.port)), kv("user", user),
		kv("dbname", db), kv("sslmode", p.sslmode),
	}, " ")
}

// pgEnv is the current environment without libpq variables that could
// redirect the tools, plus the password.
func pgEnv(password string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "PGPASSWORD="+password)
}

// drop removes a branch's database (disconnecting its sessions) and role.
func (p *pgBackend) drop(ctx context.Context, name string) error {
	err := p.exec(ctx,
		"DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)",
		"DROP ROLE IF EXISTS "+ident(name),
	)
	if err == nil {
		p.mu.Lock()
		delete(p.created, name)
		p.mu.Unlock()
	}
	return err
}

func (p *pgBackend) setPassword(ctx context.Context, role, password string) error {
	return p.exec(ctx, "ALTER ROLE "+ident(role)+" PASSWORD "+literal(password))
}

// dropAll drops every database and role still around.
func (p *pgBackend) dropAll(ctx context.Context) error {
	p.mu.Lock()
	names := make([]string, 0, len(p.created))
	for n := range p.created {
		names = append(names, n)
	}
	p.mu.Unlock()
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if err := p.drop(ctx, n); err != nil {
			errs = append(errs, fmt.Errorf("xataemu: drop %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}
