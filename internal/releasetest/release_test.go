package releasetest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"
)

// testVersion is the version a release built by the tests carries.
const testVersion = "1.2.3"

// distDirEnv names a directory holding a release `make release-snapshot`
// built (normally dist/); the tests then use its files instead of building.
const distDirEnv = "RELEASE_DIST_DIR"

// goreleaserConfig is the part of .goreleaser.yml the tests follow.
type goreleaserConfig struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Builds      []struct {
		Env     []string `json:"env"`
		Flags   []string `json:"flags"`
		Ldflags []string `json:"ldflags"`
		Goos    []string `json:"goos"`
		Goarch  []string `json:"goarch"`
		Ignore  []struct {
			Goos   string `json:"goos"`
			Goarch string `json:"goarch"`
		} `json:"ignore"`
		Binary string `json:"binary"`
	} `json:"builds"`
	Archives []struct {
		Formats      []string `json:"formats"`
		NameTemplate string   `json:"name_template"`
		Files        []string `json:"files"`
	} `json:"archives"`
	Checksum struct {
		NameTemplate string `json:"name_template"`
		Algorithm    string `json:"algorithm"`
		ExtraFiles   []struct {
			Glob         string `json:"glob"`
			NameTemplate string `json:"name_template"`
		} `json:"extra_files"`
	} `json:"checksum"`
	Signs []struct {
		Artifacts string   `json:"artifacts"`
		Args      []string `json:"args"`
	} `json:"signs"`
}

// repoRoot is the directory of the provider's go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module github.com/sandboxdb/terraform-provider-xata\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the provider's go.mod above the working directory")
		}
		dir = parent
	}
}

func loadGoreleaser(t testing.TB) *goreleaserConfig {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf(".goreleaser.yml: %v", err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf(".goreleaser.yml: the tests expect one build and one archive, found %d and %d", len(cfg.Builds), len(cfg.Archives))
	}
	return &cfg
}

// render expands one of goreleaser's name templates. Only the fields the
// names use are known; any other is an error, so the tests notice a
// template they would build differently from goreleaser.
func (c *goreleaserConfig) render(t testing.TB, text, version, goos, goarch string) string {
	t.Helper()
	tmpl, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf(".goreleaser.yml: template %q: %v", text, err)
	}
	var b strings.Builder
	err = tmpl.Execute(&b, map[string]string{
		"ProjectName": c.ProjectName, "Version": version, "Os": goos, "Arch": goarch,
	})
	if err != nil {
		t.Fatalf(".goreleaser.yml: template %q: %v", text, err)
	}
	return b.String()
}

func (c *goreleaserConfig) archiveName(t testing.TB, version, goos, goarch string) string {
	return c.render(t, c.Archives[0].NameTemplate, version, goos, goarch) + ".zip"
}

func (c *goreleaserConfig) binaryName(t testing.TB, version, goos string) string {
	name := c.render(t, c.Builds[0].Binary, version, goos, "")
	if goos == "windows" {
		name += ".exe"
	}
	return name
}

func (c *goreleaserConfig) sumsName(t testing.TB, version string) string {
	return c.render(t, c.Checksum.NameTemplate, version, "", "")
}

// manifest is the registry manifest's source file and its released name.
func (c *goreleaserConfig) manifest(t testing.TB, version string) (src, name string) {
	t.Helper()
	if len(c.Checksum.ExtraFiles) != 1 {
		t.Fatalf(".goreleaser.yml: checksum.extra_files should hold the registry manifest, found %d files", len(c.Checksum.ExtraFiles))
	}
	f := c.Checksum.ExtraFiles[0]
	return f.Glob, c.render(t, f.NameTemplate, version, "", "")
}

// release is a set of release files in one directory.
type release struct {
	cfg     *goreleaserConfig
	version string
	dir     string
	fromDir bool // taken from RELEASE_DIST_DIR, not built

	mu    sync.Mutex
	built map[string]bool // os_arch built so far
}

var (
	sharedOnce    sync.Once
	sharedRelease *release
	sharedErr     error
	sharedTempDir string
)

// TestMain removes the release the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedTempDir != "" {
		os.RemoveAll(sharedTempDir)
	}
	os.Exit(code)
}

// testRelease is the release every test of this run shares, with at least
// the given platforms (os_arch) in it.
func testRelease(t *testing.T, platforms ...string) *release {
	t.Helper()
	sharedOnce.Do(func() {
		cfg := loadGoreleaser(t)
		if dist := os.Getenv(distDirEnv); dist != "" {
			if !filepath.IsAbs(dist) {
				dist = filepath.Join(repoRoot(t), dist)
			}
			sharedRelease, sharedErr = openDist(t, cfg, dist)
			return
		}
		// Shared by every test of this run, so not t.TempDir; TestMain removes it.
		sharedTempDir, sharedErr = os.MkdirTemp("", "xata-release-") //nolint:usetesting
		sharedRelease = &release{cfg: cfg, version: testVersion, dir: sharedTempDir, built: map[string]bool{}}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	r := sharedRelease
	if r == nil {
		t.Fatal("an earlier test failed to set up the release")
	}
	for _, p := range platforms {
		if err := r.ensure(t, p); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// openDist finds the one release in dir.
func openDist(t *testing.T, cfg *goreleaserConfig, dir string) (*release, error) {
	prefix, suffix := cfg.ProjectName+"_", "_SHA256SUMS"
	sums, _ := filepath.Glob(filepath.Join(dir, prefix+"*"+suffix))
	if len(sums) != 1 {
		return nil, fmt.Errorf("%s=%s: want exactly one %s*%s there, found %d (run make release-snapshot)", distDirEnv, dir, prefix, suffix, len(sums))
	}
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(sums[0]), prefix), suffix)
	if got := cfg.sumsName(t, version); got != filepath.Base(sums[0]) {
		return nil, fmt.Errorf("%s: .goreleaser.yml would name it %s", sums[0], got)
	}
	t.Logf("using release %s from %s", version, dir)
	return &release{cfg: cfg, version: version, dir: dir, fromDir: true}, nil
}

// ensure builds the platform's archive unless it is there, and rewrites
// SHA256SUMS over every archive and the manifest, as goreleaser does.
func (r *release) ensure(t *testing.T, platform string) error {
	goos, goarch, ok := strings.Cut(platform, "_")
	if !ok {
		return fmt.Errorf("platform %q is not os_arch", platform)
	}
	archive := filepath.Join(r.dir, r.cfg.archiveName(t, r.version, goos, goarch))
	if r.fromDir {
		if _, err := os.Stat(archive); err != nil {
			return fmt.Errorf("the release in %s has no %s archive: %w", r.dir, platform, err)
		}
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.built[platform] {
		return nil
	}
	if err := r.build(t, goos, goarch, archive); err != nil {
		return fmt.Errorf("building the %s release: %w", platform, err)
	}
	r.built[platform] = true
	return r.writeSums(t)
}

// build compiles the provider as goreleaser's build section says and zips
// it with the archive's files.
func (r *release) build(t *testing.T, goos, goarch, archive string) error {
	root := repoRoot(t)
	b := r.cfg.Builds[0]
	if !slices.Contains(b.Goos, goos) || !slices.Contains(b.Goarch, goarch) {
		return fmt.Errorf(".goreleaser.yml does not build %s_%s", goos, goarch)
	}
	binName := r.cfg.binaryName(t, r.version, goos)
	bin := filepath.Join(r.dir, "build", goos+"_"+goarch, binName)

	var ldflags []string
	for _, l := range b.Ldflags {
		ldflags = append(ldflags, r.cfg.render(t, l, r.version, goos, goarch))
	}
	args := append([]string{"build"}, b.Flags...)
	args = append(args, "-ldflags="+strings.Join(ldflags, " "), "-o", bin, ".")
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	cmd.Env = append(cmd.Env, b.Env...)
	t.Logf("go %s (%s_%s, %s)", strings.Join(args, " "), goos, goarch, strings.Join(b.Env, " "))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}

	files := map[string]string{binName: bin}
	for _, f := range r.cfg.Archives[0].Files {
		files[f] = filepath.Join(root, f)
	}
	return writeZip(archive, files)
}

// writeZip writes files (name in the zip → path) into a new zip, the
// binary executable, as goreleaser does.
func writeZip(path string, files map[string]string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		src, err := os.Open(files[name])
		if err != nil {
			return errors.Join(err, out.Close())
		}
		info, err := src.Stat()
		if err != nil {
			return errors.Join(err, src.Close(), out.Close())
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return errors.Join(err, src.Close(), out.Close())
		}
		hdr.Name, hdr.Method = name, zip.Deflate
		w, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(w, src)
		}
		src.Close()
		if err != nil {
			return errors.Join(err, out.Close())
		}
	}
	return errors.Join(zw.Close(), out.Close())
}

// writeSums copies the manifest in and writes SHA256SUMS ("<hex>  <name>",
// sorted by name) over it and every archive.
func (r *release) writeSums(t *testing.T) error {
	src, name := r.cfg.manifest(t, r.version)
	manifest, err := os.ReadFile(filepath.Join(repoRoot(t), src))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.dir, name), manifest, 0o644); err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(r.dir, r.cfg.ProjectName+"_"+r.version+"_*.zip"))
	if err != nil {
		return err
	}
	names = append(names, filepath.Join(r.dir, name))
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	var sums strings.Builder
	for _, n := range names {
		sum, err := fileSHA256(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, filepath.Base(n))
	}
	return os.WriteFile(filepath.Join(r.dir, r.cfg.sumsName(t, r.version)), []byte(sums.String()), 0o644)
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// archivePath is where the platform's zip is; ensure must have run for it.
func (r *release) archivePath(t *testing.T, goos, goarch string) string {
	return filepath.Join(r.dir, r.cfg.archiveName(t, r.version, goos, goarch))
}

// sums is the SHA256SUMS file's name and contents.
func (r *release) sums(t *testing.T) (string, []byte) {
	t.Helper()
	name := r.cfg.sumsName(t, r.version)
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return name, b
}

// extractBinary unzips the platform's provider binary into a temp dir.
func (r *release) extractBinary(t *testing.T, goos, goarch string) string {
	t.Helper()
	want := r.cfg.binaryName(t, r.version, goos)
	zr, err := zip.OpenReader(r.archivePath(t, goos, goarch))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != want {
			continue
		}
		if f.Mode()&0o111 == 0 {
			t.Errorf("%s: %s is not executable in the zip (mode %v)", filepath.Base(r.archivePath(t, goos, goarch)), f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		path := filepath.Join(t.TempDir(), f.Name)
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Fatalf("%s holds no %s at its root", r.archivePath(t, goos, goarch), want)
	return ""
}
