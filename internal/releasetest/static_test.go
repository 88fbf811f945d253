package releasetest

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"os"
	"testing"
)

// TestReleaseBinariesAreStatic checks the Linux binaries the runner image
// installs (examples/tutorial/Dockerfile): no program interpreter and no
// shared libraries, so they run on Alpine, distroless or scratch, and the
// build info records CGO_ENABLED=0, -trimpath and the release version.
func TestReleaseBinariesAreStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds release binaries; skipped with -short")
	}
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, goarch := range []string{"amd64", "arm64"} {
		t.Run("linux_"+goarch, func(t *testing.T) {
			rel := testRelease(t, "linux_"+goarch)
			bin := rel.extractBinary(t, "linux", goarch)

			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != machines[goarch] {
				t.Errorf("ELF machine %v, want %v", f.Machine, machines[goarch])
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Errorf("has a PT_INTERP program header: dynamically linked, needs a C library at run time")
				}
				if p.Type == elf.PT_DYNAMIC {
					t.Errorf("has a PT_DYNAMIC program header: dynamically linked")
				}
			}
			if libs, err := f.ImportedLibraries(); err != nil {
				t.Fatal(err)
			} else if len(libs) > 0 {
				t.Errorf("needs shared libraries %q", libs)
			}

			info, err := buildinfo.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			settings := map[string]string{}
			for _, s := range info.Settings {
				settings[s.Key] = s.Value
			}
			if settings["CGO_ENABLED"] != "0" {
				t.Errorf("build info CGO_ENABLED=%q, want 0", settings["CGO_ENABLED"])
			}
			if settings["-trimpath"] != "true" {
				t.Errorf("build info -trimpath=%q, want true", settings["-trimpath"])
			}
			if settings["GOOS"] != "linux" || settings["GOARCH"] != goarch {
				t.Errorf("build info GOOS/GOARCH %s/%s, want linux/%s", settings["GOOS"], settings["GOARCH"], goarch)
			}
			// With -trimpath the build info leaves out -ldflags, so look for
			// the version -X main.version put in the binary's data (the
			// registry test sees the provider report it).
			if raw, err := os.ReadFile(bin); err != nil {
				t.Fatal(err)
			} else if !bytes.Contains(raw, []byte(rel.version)) {
				t.Errorf("the binary does not contain its version %q: -X main.version did not apply", rel.version)
			}
			if info.Path != "github.com/sandboxdb/terraform-provider-xata" {
				t.Errorf("build info path %q, want the provider's main package", info.Path)
			}
		})
	}
}
