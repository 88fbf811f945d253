// Command demo runs the tutorial end to end on the emulators (make demo),
// with -quickstart the shorter quickstart, or with -fleet N the runner for
// N sandboxes at once under one key's documented quota (make demo-fleet).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/demo"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
)

func main() {
	quickstart := flag.Bool("quickstart", false, "run examples/quickstart instead of the tutorial")
	fleet := flag.Int("fleet", 0, "run the tutorial's runner for this many sandboxes at once (1 to 90) instead of the tutorial")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var err error
	switch {
	case *fleet != 0:
		err = runFleet(ctx, *fleet)
	case *quickstart:
		err = demo.RunQuickstart(ctx, demo.Options{Out: os.Stdout})
	default:
		_, err = demo.RunTutorial(ctx, demo.Options{Out: os.Stdout})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "\ndemo FAILED:", err)
		os.Exit(1)
	}
}

// runFleet runs n sandboxes' create steps at once, then their delete
// steps, with the API key's documented quota (100 requests a minute, 1,000
// an hour) and branches ready after 5 s, and says whether all went well.
func runFleet(ctx context.Context, n int) error {
	if n < 1 || n > 90 {
		return fmt.Errorf("-fleet %d: want 1 to 90 sandboxes (a project holds at most 100 branches)", n)
	}
	start := time.Now()
	res, err := demo.RunFleet(ctx, demo.FleetOptions{Sandboxes: n, Options: demo.Options{
		Out: os.Stdout, ProvisionDelay: 5 * time.Second, Quota: xataemu.Quota{PerMinute: 100, PerHour: 1000},
	}})
	if err != nil {
		return err
	}
	for _, f := range res.Failures {
		fmt.Printf("\n%s for sandbox %s failed (%v):\n%s", f.Script, f.Sandbox, f.Err, f.Output)
	}
	switch {
	case len(res.Failures) > 0:
		return fmt.Errorf("%d of %d steps failed", len(res.Failures), 2*n)
	case len(res.BranchesLeft) > 0 || len(res.WorkspacesLeft) > 0:
		return fmt.Errorf("left behind: branches %v, workspaces %v", res.BranchesLeft, res.WorkspacesLeft)
	case res.Created != n:
		return fmt.Errorf("%d branches were created for %d sandboxes", res.Created, n)
	}
	fmt.Printf("\nFleet passed in %s: %d sandboxes got a branch each and lost it again, %.1f requests per sandbox "+
		"under one key's quota, %d of them refused.\n", time.Since(start).Round(time.Second), n, res.PerSandbox(), res.Refused)
	return nil
}
