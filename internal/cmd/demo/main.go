// Command demo runs the tutorial end to end on the emulators (make demo),
// or with -quickstart the shorter quickstart.
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
)

func main() {
	quickstart := flag.Bool("quickstart", false, "run examples/quickstart instead of the tutorial")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var err error
	if *quickstart {
		err = demo.RunQuickstart(ctx, demo.Options{Out: os.Stdout})
	} else {
		_, err = demo.RunTutorial(ctx, demo.Options{Out: os.Stdout})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "\ndemo FAILED:", err)
		os.Exit(1)
	}
}
