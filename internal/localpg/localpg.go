// Package localpg starts and stops a throwaway PostgreSQL cluster for tests
// and demos. It drives the stock initdb/pg_ctl binaries; nothing is
// installed or configured system-wide.
package localpg

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configures Start.
type Options struct {
	// BinDir holds initdb, pg_ctl, postgres, pg_dump and pg_restore.
	// Empty means FindBinDir().
	BinDir string
	// Dir is the parent of the data directory. Empty means a new temporary
	// directory, which Stop removes. A given Dir is kept after Stop (so its
	// log can be read) and must not already contain a "data" cluster.
	// When running as root it must be traversable by the postgres user.
	Dir string
}

// Server is a running cluster started by Start.
type Server struct {
	binDir   string
	baseDir  string
	dataDir  string
	logFile  string
	ownsBase bool // baseDir is a temp dir created by Start, removed by Stop
	asPG     bool // commands run as the postgres OS user (we are root)
	port     int
	password string

	stopOnce sync.Once
	stopErr  error
}

// startAttempts bounds retries when the picked port is taken between
// choosing it and postgres binding it.
const startAttempts = 3

// FindBinDir locates the PostgreSQL server binaries: $PG_BIN_DIR, else the
// newest /usr/lib/postgresql/*/bin (Debian/Ubuntu layout), else the
// directory of initdb on PATH.
func FindBinDir() (string, error) {
	if dir := os.Getenv("PG_BIN_DIR"); dir != "" {
		if !isExecutable(filepath.Join(dir, "initdb")) {
			return "", fmt.Errorf("localpg: PG_BIN_DIR=%s has no initdb", dir)
		}
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVer := "", []int(nil)
	for _, m := range matches {
		if !isExecutable(filepath.Join(m, "initdb")) {
			continue
		}
		ver := parseVersion(filepath.Base(filepath.Dir(m)))
		if best == "" || versionLess(bestVer, ver) {
			best, bestVer = m, ver
		}
	}
	if best != "" {
		return best, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("localpg: PostgreSQL server binaries (initdb, pg_ctl) not found; " +
		"install PostgreSQL (apt-get install postgresql) or set PG_BIN_DIR to the directory holding initdb")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// parseVersion turns "15" or "9.6" into comparable integers; junk sorts
// lowest.
func parseVersion(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// Start creates a fresh cluster, starts it on a free loopback port and waits
// until the superuser can connect.
func Start(ctx context.Context, opts Options) (*Server, error) {
	binDir := opts.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	for _, tool := range []string{"initdb", "pg_ctl"} {
		if !isExecutable(filepath.Join(binDir, tool)) {
			return nil, fmt.Errorf("localpg: %s not found in %s; install PostgreSQL (apt-get install postgresql) or set PG_BIN_DIR", tool, binDir)
		}
	}

	s := &Server{binDir: binDir, asPG: os.Geteuid() == 0}
	var pgUID, pgGID int
	if s.asPG {
		// PostgreSQL refuses to run as root, so hand the cluster to the
		// postgres OS user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("localpg: running as root needs a postgres OS user: %w", err)
		}
		pgUID, _ = strconv.Atoi(u.Uid)
		pgGID, _ = strconv.Atoi(u.Gid)
	}

	if opts.Dir == "" {
		dir, err := os.MkdirTemp(os.TempDir(), "localpg-")
		if err != nil {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		s.baseDir, s.ownsBase = dir, true
		// MkdirTemp makes 0700; the postgres user must be able to enter it.
		if err := os.Chmod(dir, 0o755); err != nil {
			_ = s.cleanup()
			return nil, fmt.Errorf("localpg: %w", err)
		}
	} else {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		s.baseDir = opts.Dir
	}
	s.dataDir = filepath.Join(s.baseDir, "data")
	s.logFile = filepath.Join(s.baseDir, "postgres.log")

	if err := s.prepare(pgUID, pgGID); err != nil {
		_ = s.cleanup()
		return nil, err
	}
	if err := s.initdb(ctx, pgUID, pgGID); err != nil {
		_ = s.cleanup()
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		_ = s.cleanup()
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// prepare creates the data dir and log file owned by whoever runs postgres.
func (s *Server) prepare(uid, gid int) error {
	if err := os.Mkdir(s.dataDir, 0o700); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	f, err := os.OpenFile(s.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	f.Close()
	if s.asPG {
		for _, p := range []string{s.baseDir, s.dataDir, s.logFile} {
			if p == s.baseDir && !s.ownsBase {
				continue // never chown a directory the caller gave us
			}
			if err := os.Chown(p, uid, gid); err != nil {
				return fmt.Errorf("localpg: %w", err)
			}
		}
	}
	return nil
}

func (s *Server) initdb(ctx context.Context, uid, gid int) error {
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	s.password = hex.EncodeToString(pw)

	pwFile := filepath.Join(s.baseDir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	defer os.Remove(pwFile)
	if s.asPG {
		if err := os.Chown(pwFile, uid, gid); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
	}
	out, err := s.run(ctx, "initdb", "-D", s.dataDir, "-U", "postgres",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwFile,
		"-E", "UTF8", "--locale=C",
		"--no-sync") // throwaway cluster: skip the fsync of every file
	if err != nil {
		return fmt.Errorf("localpg: initdb: %w\n%s", err, out)
	}
	return nil
}

func (s *Server) start(ctx context.Context) error {
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return fmt.Errorf("localpg: pick port: %w", err)
		}
		// Durability is pointless for a throwaway cluster; fsync=off makes
		// CREATE DATABASE and restores much faster.
		serverOpts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
			port, s.dataDir)
		out, err := s.run(ctx, "pg_ctl", "-w", "-t", "60", "-D", s.dataDir, "-l", s.logFile, "-o", serverOpts, "start")
		if err == nil {
			s.port = port
			return nil
		}
		tail := s.logTail()
		lastErr = fmt.Errorf("localpg: pg_ctl start: %w\n%s\nlog tail:\n%s", err, out, tail)
		if !strings.Contains(tail, "Address already in use") {
			break
		}
	}
	return lastErr
}

// freePort asks the kernel for an unused loopback port. Another process can
// grab it before postgres binds it; start retries in that case.
func freePort() (int, error) {
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("listener address %v is not TCP", ln.Addr())
	}
	return addr.Port, nil
}

// waitReady polls until the admin URL accepts a connection; pg_ctl -w only
// says the postmaster is up.
func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, s.AdminURL())
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("localpg: server did not accept connections: %w\nlog tail:\n%s", err, s.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runuserPath finds runuser, which lives in sbin: a PATH set for a
// non-root user (as some CI images keep for root) lacks it.
func runuserPath() string {
	if p, err := exec.LookPath("runuser"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
		if isExecutable(p) {
			return p
		}
	}
	return "runuser" // exec then reports it missing, naming it
}

// run executes a tool from binDir, as the postgres OS user when we are root,
// and returns its combined output.
func (s *Server) run(ctx context.Context, tool string, args ...string) (string, error) {
	name := filepath.Join(s.binDir, tool)
	if s.asPG {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = runuserPath()
	}
	cmd := exec.CommandContext(ctx, name, args...)
	// The postgres user cannot necessarily enter our working directory.
	cmd.Dir = s.baseDir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves postgres running; it redirects its output to the
	// log file, but don't hang if something keeps our pipe open anyway.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// logTail returns the last few KB of the server log for error messages.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logFile)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const tailBytes = 4096
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
	}
	return string(b)
}

// AdminURL is the superuser DSN over TCP.
func (s *Server) AdminURL() string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", s.password, s.port)
}

// BinDir is the directory of the server binaries in use (pg_dump and
// pg_restore from it match the server version).
func (s *Server) BinDir() string { return s.binDir }

// Port is the TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// Dir is the directory holding the data directory and postgres.log.
func (s *Server) Dir() string { return s.baseDir }

// Stop shuts the server down (fast mode: open sessions are disconnected)
// and removes the temporary directory. Calling it again returns the first
// result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := s.run(ctx, "pg_ctl", "-w", "-D", s.dataDir, "-m", "fast", "stop")
	if err != nil {
		// "pg_ctl status" exits 3 when no server is running (e.g. it was
		// killed) and 4 without a data directory; then the directory can
		// still go.
		if _, serr := s.run(ctx, "pg_ctl", "-D", s.dataDir, "status"); exitCode(serr) != 3 && exitCode(serr) != 4 {
			return fmt.Errorf("localpg: pg_ctl stop: %w\n%s\nlog tail:\n%s", err, out, s.logTail())
		}
	}
	return s.cleanup()
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// cleanup removes the directory Start created, if it created one.
func (s *Server) cleanup() error {
	if !s.ownsBase {
		return nil
	}
	if err := os.RemoveAll(s.baseDir); err != nil {
		return fmt.Errorf("localpg: remove %s: %w", s.baseDir, err)
	}
	return nil
}
