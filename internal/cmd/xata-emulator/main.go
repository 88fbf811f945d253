// Command xata-emulator serves the Xata platform API emulator for local
// demos and manual testing of the provider.
//
//	go run ./internal/cmd/xata-emulator -postgres auto
//
// It prints the base URL and export lines for the provider's environment,
// then serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/localpg"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the API on")
	postgres := flag.String("postgres", "", `"" keeps branches in memory; "auto" starts a throwaway PostgreSQL; anything else is a superuser DSN of a running cluster`)
	pgBinDir := flag.String("pg-bin-dir", "", "directory with pg_dump and pg_restore for -postgres DSN (default: PATH)")
	provisionDelay := flag.Duration("provision-delay", 2*time.Second, "time from branch creation to HEALTHY (0 or negative: immediately)")
	perMinute := flag.Int("quota-per-minute", 0, "requests each API key may make per minute, answered 429 beyond (0: unlimited; Xata documents 100)")
	perHour := flag.Int("quota-per-hour", 0, "requests each API key may make per hour, answered 429 beyond (0: unlimited; Xata documents 1000)")
	timeScale := flag.Float64("quota-time-scale", 1, `length of the quota windows relative to real time: 0.1 makes a "minute" last 6s and an "hour" 6m`)
	credentialsShape := flag.String("credentials-shape", string(xataemu.CredentialsHosted),
		`answers of the credentials endpoints: "hosted" (the live API: username, password, hostname, port, dbname, connectionString; username optional) or "open-source" (the open-source server: username and password only, ?username=xata required; host, port and database only in the branch's connectionString)`)
	empty := flag.Bool("empty-organization", false, `start the organization with no project (by default it has one, "default")`)
	verbose := flag.Bool("v", false, "log every request")
	flag.Parse()
	if *timeScale <= 0 {
		log.Fatal("-quota-time-scale must be positive")
	}
	shape, err := xataemu.ParseCredentialsShape(*credentialsShape)
	if err != nil {
		log.Fatalf("-credentials-shape: %v", err)
	}
	quota := xataemu.Quota{
		PerMinute: *perMinute,
		PerHour:   *perHour,
		Minute:    scaled(time.Minute, *timeScale),
		Hour:      scaled(time.Hour, *timeScale),
	}
	opts := xataemu.Options{
		PostgresAdminURL:  *postgres,
		PostgresBinDir:    *pgBinDir,
		ProvisionDelay:    provisionDelayOption(*provisionDelay),
		Quota:             quota,
		CredentialsShape:  shape,
		EmptyOrganization: *empty,
	}
	if *verbose {
		opts.Logf = log.Printf
	}
	if err := run(*listen, opts); err != nil {
		log.Fatal(err)
	}
}

func run(listen string, opts xataemu.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if opts.PostgresAdminURL == "auto" {
		srv, err := localpg.Start(ctx, localpg.Options{})
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.Stop(); err != nil {
				log.Print(err)
			}
		}()
		opts.PostgresAdminURL = srv.AdminURL()
		opts.PostgresBinDir = srv.BinDir()
		log.Printf("started PostgreSQL on 127.0.0.1:%d", srv.Port())
	}

	emu, err := xataemu.New(opts)
	if err != nil {
		return err
	}
	err = emuhttp.Run(ctx, listen, emu, func(base string) {
		mode := "in-memory"
		if opts.PostgresAdminURL != "" {
			mode = "PostgreSQL-backed"
		}
		fmt.Printf("Xata API emulator (%s, %s credentials) listening on %s\n", mode, opts.CredentialsShape, base)
		if quota := opts.Quota; quota.PerMinute > 0 || quota.PerHour > 0 {
			fmt.Printf("Quota per API key: %s per %v (\"minute\"), %s per %v (\"hour\")\n",
				requests(quota.PerMinute), quota.Minute, requests(quota.PerHour), quota.Hour)
		}
		fmt.Printf("export XATA_API_BASE_URL=%s\n", base)
		fmt.Printf("export XATA_API_KEY=%s\n", emu.APIKey())
		fmt.Printf("export XATA_ORGANIZATION_ID=%s\n", emu.OrganizationID())
		if emu.ProjectID() != "" {
			fmt.Printf("export XATA_PROJECT_ID=%s\n", emu.ProjectID())
		}
		fmt.Printf("Request counts: GET %s%s (JSON; no key needed over loopback)\n", base, emuhttp.RequestsPath)
	})
	// Close drops every database and role the emulator created; the
	// deferred Stop then removes an auto-started cluster.
	return errors.Join(err, emu.Close())
}

// provisionDelayOption is the xataemu.Options.ProvisionDelay of the
// -provision-delay flag: the flag's 0 means immediately, which Options
// spells negative (its 0 is a default of 300ms).
func provisionDelayOption(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// scaled is d times scale, rounded to the nanosecond so that 0.1 of an
// hour is exactly 6m.
func scaled(d time.Duration, scale float64) time.Duration {
	return time.Duration(math.Round(float64(d) * scale))
}

// requests words a quota limit for the startup line.
func requests(limit int) string {
	if limit <= 0 {
		return "unlimited requests"
	}
	return fmt.Sprintf("%d requests", limit)
}
