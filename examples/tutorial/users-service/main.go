// Command users-service is the tutorial's users service: a small JSON HTTP
// API over a single Postgres "users" table. The demo runs one copy against
// the main database and another against a copy-on-write sandbox branch, and
// compares what each one sees.
//
// Configuration comes from the environment:
//
//	DATABASE_URL  Postgres connection string (required)
//	XATA_BRANCH   branch name reported by GET /info (default "unknown")
//	PORT          port to listen on, all interfaces (default 3000)
//	LISTEN_ADDR   full listen address, overrides PORT (e.g. 127.0.0.1:0)
//
// The only thing written to stdout is one line, "listening on http://host:port",
// which the demo parses to find the service; all logging goes to stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// shutdownTimeout bounds how long in-flight requests get to finish after a
// signal, so a stuck client cannot keep the demo from tearing down.
const shutdownTimeout = 10 * time.Second

type config struct {
	databaseURL string
	branch      string
	listenAddr  string
}

// loadConfig reads the environment through getenv so tests can supply their
// own values without touching the process environment.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		databaseURL: strings.TrimSpace(getenv("DATABASE_URL")),
		branch:      strings.TrimSpace(getenv("XATA_BRANCH")),
		listenAddr:  strings.TrimSpace(getenv("LISTEN_ADDR")),
	}
	if cfg.databaseURL == "" {
		return config{}, errors.New("DATABASE_URL is required (a Postgres connection string, e.g. postgres://user:pass@host:5432/main)")
	}
	if cfg.branch == "" {
		cfg.branch = "unknown"
	}
	if cfg.listenAddr == "" {
		port := strings.TrimSpace(getenv("PORT"))
		if port == "" {
			port = "3000"
		}
		cfg.listenAddr = ":" + port
	}
	return cfg, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "users-service:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	poolCfg, err := pgxpool.ParseConfig(cfg.databaseURL)
	if err != nil {
		// pgx's parse error quotes the (partly redacted) connection string;
		// report only that it is malformed so nothing of it reaches the logs.
		return errors.New("DATABASE_URL is not a valid Postgres connection string")
	}
	redact := newRedactor(cfg.databaseURL, poolCfg.ConnConfig.Password)

	// The pool connects lazily, so the service starts even when the database
	// is down and /health is where that shows up.
	pool, err := pgxpool.NewWithConfig(context.Background(), poolCfg)
	if err != nil {
		return fmt.Errorf("creating connection pool: %s", redact(err.Error()))
	}
	defer pool.Close()

	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", cfg.listenAddr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.listenAddr, err)
	}

	srv := &http.Server{
		Handler:           newServer(pgStore{pool: pool}, cfg.branch, logger, redact).routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	// Printed only after the listener exists, so the address is already
	// accepting connections by the time the demo reads it.
	fmt.Printf("listening on http://%s\n", displayAddr(ln.Addr()))
	logger.Info("users service started", "branch", cfg.branch, "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process instead of being swallowed
	logger.Info("shutting down")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// displayAddr turns the listener address into one a client can dial: a
// wildcard bind (":3000" gives "[::]:3000") is shown as localhost.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// newRedactor returns a function that masks the connection string and the
// password wherever they might appear in an error. pgx already avoids
// printing passwords; this is a second line of defence for anything that
// ends up in a response body or a log line.
func newRedactor(secrets ...string) func(string) string {
	var pairs []string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}
