package provider

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLeavesOutTestInfrastructure: the provider binary imports none
// of the emulators, the test harness, the local PostgreSQL, the demo or
// the bench. acctest is an ordinary package (every provider package's
// tests import it) that imports the emulators, so one import of it from a
// non-test file would ship them.
func TestBinaryLeavesOutTestInfrastructure(t *testing.T) {
	cmd := exec.CommandContext(context.Background(), "go", "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/sandboxdb/terraform-provider-xata/"
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"internal/emulator/", "internal/provider/acctest", "internal/localpg", "internal/demo", "internal/bench"} {
			if strings.HasPrefix(dep, module+banned) {
				t.Errorf("the provider binary imports %s", dep)
			}
		}
	}
}
