// Command signadot-emulator serves the Signadot API emulator for local
// demos and manual testing: resource plugins are stored, and sandboxes run
// their plugins' steps as local bash processes, each as an unprivileged
// user of its own in private namespaces (so the emulator must run as
// root).
//
//	go run ./internal/cmd/signadot-emulator -secrets secrets.yaml \
//	  -image-path /opt/runner -step-env RUNNER_DIR=/opt/runner
//
// It prints the base URL and export lines for the CLI's and the provider's
// environment, then serves until interrupted. GET /_emulator/requests
// answers the requests it served, by method and path.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"sigs.k8s.io/yaml"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/signadotemu"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the API on")
	org := flag.String("org", "", `organization name (default "emulated-org")`)
	secretsFile := flag.String("secrets", "", "YAML file of the secrets plugin overlays read: secret name → key → value (read again on SIGHUP)")
	workDir := flag.String("workdir", "", "directory for the steps' files (default: a temporary directory, removed on exit)")
	var imagePaths, stepEnv []string
	flag.Func("image-path", "a file or directory the runner image holds, shown read-only to steps even under their private "+
		"/tmp, /var/tmp, /dev/shm, /root and /home (repeatable)", imagePathFlag(&imagePaths))
	flag.Func("step-env", "KEY=VALUE in every step's environment, as the runner image's ENV sets it (repeatable; "+
		"PATH defaults to "+signadotemu.DefaultStepPath+" and HOME to /tmp)", stepEnvFlag(&stepEnv))
	verbose := flag.Bool("v", false, "log every request and step")
	flag.Parse()
	if err := run(*listen, *org, *secretsFile, *workDir, imagePaths, stepEnv, *verbose); err != nil {
		log.Fatal(err)
	}
}

// imagePathFlag collects -image-path values as absolute paths of files
// that exist: a typo fails at start, not in every step.
func imagePathFlag(list *[]string) func(string) error {
	return func(p string) error {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return err
		}
		*list = append(*list, abs)
		return nil
	}
}

// stepEnvFlag collects -step-env values, each KEY=VALUE.
func stepEnvFlag(list *[]string) func(string) error {
	return func(kv string) error {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q", kv)
		}
		*list = append(*list, kv)
		return nil
	}
}

func run(listen, org, secretsFile, workDir string, imagePaths, stepEnv []string, verbose bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := signadotemu.Options{Org: org, WorkDir: workDir, ImagePaths: imagePaths, StepEnv: stepEnv}
	if secretsFile != "" {
		secrets, err := readSecrets(secretsFile)
		if err != nil {
			return err
		}
		opts.Secrets = secrets
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
	if secretsFile != "" {
		// SIGHUP reads the file again, as `kubectl apply` changes a secret
		// for the pods that start after it.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for range hup {
				secrets, err := readSecrets(secretsFile)
				if err != nil {
					log.Printf("SIGHUP: secrets not reloaded: %v", err)
					continue
				}
				for name, keys := range secrets {
					emu.SetSecret(name, keys)
				}
				log.Printf("SIGHUP: %d secrets reloaded from %s", len(secrets), secretsFile)
			}
		}()
	}
	err = emuhttp.Run(ctx, listen, emu, func(base string) {
		fmt.Printf("Signadot API emulator listening on %s (API under %s/api/v2)\n", base, base)
		fmt.Printf("export SIGNADOT_API_URL=%s SIGNADOT_API_KEY=%s SIGNADOT_ORG=%s\n", base, emu.APIKey(), emu.Org())
		fmt.Printf("Request counts: GET %s%s (JSON; no key needed over loopback)\n", base, emuhttp.RequestsPath)
	})
	// Close lets running steps finish (bounded), then removes the
	// temporary work directory.
	return errors.Join(err, emu.Close())
}

// readSecrets reads a -secrets file: secret name → key → value.
func readSecrets(file string) (map[string]map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var secrets map[string]map[string]string
	if err := yaml.UnmarshalStrict(data, &secrets); err != nil {
		return nil, fmt.Errorf("%s: want secret name → key → value: %w", file, err)
	}
	return secrets, nil
}
