// Command bench prints the provider's performance figures against
// Terraform's own floor (see internal/bench). `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/bench"
)

func main() {
	repeats := flag.Int("n", 3, "runs per figure (the median is printed)")
	only := flag.String("only", "", "comma-separated row groups to measure: readiness, gateway, plan, validate, quota, economy, fleet (default all)")
	flag.Parse()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		if p, err := exec.LookPath("terraform"); err == nil {
			tf = p
		}
	}
	if tf == "" {
		fmt.Fprintln(os.Stderr, "bench: no Terraform CLI; run it through `make bench`, which finds or builds one")
		os.Exit(1)
	}
	repo, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	opts := bench.Options{
		RepoDir:       repo,
		TerraformPath: tf,
		Repeats:       *repeats,
		CacheDir:      filepath.Join(cache, "terraform-provider-xata", "bench"),
		Out:           os.Stdout,
	}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	if err := bench.Run(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", strings.TrimSpace(err.Error()))
		os.Exit(1)
	}
}
