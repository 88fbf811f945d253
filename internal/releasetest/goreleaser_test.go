package releasetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGoreleaserConfig checks .goreleaser.yml against what the provider
// registry protocol and `terraform init` require of release files. It is
// fast and needs no CLI: the install tests then prove the same names work.
func TestGoreleaserConfig(t *testing.T) {
	cfg := loadGoreleaser(t)
	if cfg.Version != 2 {
		t.Errorf("version: %d, want 2 (goreleaser v2 is pinned in tools/go.mod)", cfg.Version)
	}
	if cfg.ProjectName != "terraform-provider-xata" {
		t.Errorf("project_name: %q, want terraform-provider-xata (the registry derives the type from it)", cfg.ProjectName)
	}

	// The names the registry and the CLI expect, for version 1.2.3.
	names := map[string]string{
		"archive":  cfg.archiveName(t, "1.2.3", "linux", "amd64"),
		"binary":   cfg.binaryName(t, "1.2.3", "linux"),
		"sums":     cfg.sumsName(t, "1.2.3"),
		"manifest": func() string { _, n := cfg.manifest(t, "1.2.3"); return n }(),
	}
	want := map[string]string{
		"archive":  "terraform-provider-xata_1.2.3_linux_amd64.zip",
		"binary":   "terraform-provider-xata_v1.2.3",
		"sums":     "terraform-provider-xata_1.2.3_SHA256SUMS",
		"manifest": "terraform-provider-xata_1.2.3_manifest.json",
	}
	for k := range want {
		if names[k] != want[k] {
			t.Errorf("%s name: %q, want %q", k, names[k], want[k])
		}
	}

	b := cfg.Builds[0]
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("builds[0].env %q lacks CGO_ENABLED=0: release binaries must be static", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("builds[0].flags %q lacks -trimpath", b.Flags)
	}
	if !strings.Contains(strings.Join(b.Ldflags, " "), "-X main.version={{.Version}}") {
		t.Errorf("builds[0].ldflags %q do not set main.version from the tag", b.Ldflags)
	}
	for _, p := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "freebsd_amd64"} {
		goos, goarch, _ := strings.Cut(p, "_")
		if !slices.Contains(b.Goos, goos) || !slices.Contains(b.Goarch, goarch) {
			t.Errorf("builds[0] does not build %s", p)
		}
	}
	if a := cfg.Archives[0]; !slices.Equal(a.Formats, []string{"zip"}) {
		t.Errorf("archives[0].formats %q, want [zip]: the registry serves zip archives only", a.Formats)
	}
	if cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum.algorithm %q, want sha256", cfg.Checksum.Algorithm)
	}
	if src, _ := cfg.manifest(t, "1.2.3"); src != "terraform-registry-manifest.json" {
		t.Errorf("checksum.extra_files[0].glob %q, want terraform-registry-manifest.json", src)
	}
	if len(cfg.Signs) != 1 || cfg.Signs[0].Artifacts != "checksum" {
		t.Errorf("signs: want one signing the checksum file, got %+v", cfg.Signs)
	} else if args := strings.Join(cfg.Signs[0].Args, " "); !strings.Contains(args, "--detach-sign") ||
		!strings.Contains(args, "--batch") || !strings.Contains(args, "{{ .Env.GPG_FINGERPRINT }}") {
		t.Errorf("signs[0].args %q: want a --batch --detach-sign with the key from GPG_FINGERPRINT", args)
	}

	// The manifest says which plugin protocol the binary speaks; main.go
	// serves protocol 6.
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "terraform-registry-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("terraform-registry-manifest.json: %v", err)
	}
	if manifest.Version != 1 || !slices.Equal(manifest.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("terraform-registry-manifest.json: %+v, want version 1 with protocol_versions [6.0]", manifest)
	}
}
