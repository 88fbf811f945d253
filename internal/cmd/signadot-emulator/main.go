// Command signadot-emulator serves the Signadot API emulator for local
// demos and manual testing: resource plugins are stored, and sandboxes run
// their plugins' steps as local bash processes (as root, for private
// output paths).
//
//	go run ./internal/cmd/signadot-emulator -secrets secrets.yaml
//
// It prints the base URL and export lines for the CLI's and the provider's
// environment, then serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"sigs.k8s.io/yaml"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the API on")
	org := flag.String("org", "", `organization name (default "emulated-org")`)
	secretsFile := flag.String("secrets", "", "YAML file of the secrets plugin overlays read: secret name → key → value")
	workDir := flag.String("workdir", "", "directory for the steps' files (default: a temporary directory, removed on exit)")
	verbose := flag.Bool("v", false, "log every request and step")
	flag.Parse()
	if err := run(*listen, *org, *secretsFile, *workDir, *verbose); err != nil {
		log.Fatal(err)
	}
}

func run(listen, org, secretsFile, workDir string, verbose bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := signadotemu.Options{Org: org, WorkDir: workDir}
	if secretsFile != "" {
		data, err := os.ReadFile(secretsFile)
		if err != nil {
			return err
		}
		if err := yaml.UnmarshalStrict(data, &opts.Secrets); err != nil {
			return fmt.Errorf("%s: want secret name → key → value: %w", secretsFile, err)
		}
	}
	if verbose {
		opts.Logf = log.Printf
	}
	if os.Geteuid() != 0 {
		log.Print("warning: not running as root; steps that write to absolute paths will fail (they need a private mount namespace)")
	}

	emu, err := signadotemu.New(opts)
	if err != nil {
		return err
	}
	err = emuhttp.Run(ctx, listen, emu, func(base string) {
		fmt.Printf("Signadot API emulator listening on %s (API under %s/api/v2)\n", base, base)
		fmt.Printf("export SIGNADOT_API_URL=%s SIGNADOT_API_KEY=%s SIGNADOT_ORG=%s\n", base, emu.APIKey(), emu.Org())
	})
	// Close lets running steps finish (bounded), then removes the
	// temporary work directory.
	return errors.Join(err, emu.Close())
}
