// Command signadot-emulator serves the Signadot API emulator for local
// demos and manual testing: resource plugins are stored, and sandboxes run
// their plugins' steps as local bash processes, each as an unprivileged
// user of its own in private namespaces (so the emulator must run as
// root).
//
//	go run ./internal/cmd/signadot-emulator -secrets secrets.yaml -image-path /opt/runner
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
	var imagePaths []string
	flag.Func("image-path", "a file or directory the runner image holds, shown read-only to steps even under their private "+
		"/tmp, /var/tmp, /dev/shm, /root and /home (repeatable)", func(p string) error {
		imagePaths = append(imagePaths, p)
		return nil
	})
	verbose := flag.Bool("v", false, "log every request and step")
	flag.Parse()
	if err := run(*listen, *org, *secretsFile, *workDir, imagePaths, *verbose); err != nil {
		log.Fatal(err)
	}
}

func run(listen, org, secretsFile, workDir string, imagePaths []string, verbose bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := signadotemu.Options{Org: org, WorkDir: workDir, ImagePaths: imagePaths}
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
		log.Print("warning: not running as root; every sandbox step will fail (each runs as a user of its own in private namespaces)")
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
