package releasetest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
)

// cli is a Terraform-compatible CLI the install tests run.
type cli struct {
	name    string // "terraform" or "tofu"
	path    string
	version string // first line of `version`
}

// testCLIs are the CLIs from TF_ACC_TERRAFORM_PATH and TF_ACC_TOFU_PATH;
// the test skips, saying why, unless TF_ACC=1 and the first is set.
func testCLIs(t *testing.T) []cli {
	t.Helper()
	if os.Getenv("TF_ACC") != "1" {
		t.Skip("installs the release with a real Terraform CLI: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (and TF_ACC_TOFU_PATH for OpenTofu too), or run make test")
	}
	var clis []cli
	for _, env := range []string{"TF_ACC_TERRAFORM_PATH", "TF_ACC_TOFU_PATH"} {
		path := os.Getenv(env)
		if path == "" {
			continue
		}
		cmd := exec.CommandContext(t.Context(), path, "version")
		cmd.Env = cliEnv("", "") // no TF_CLI_CONFIG_FILE: OpenTofu warns about a missing one on stdout
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s=%s: %s version: %v", env, path, path, err)
		}
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		name := "terraform"
		if strings.HasPrefix(first, "OpenTofu") {
			name = "tofu"
		}
		if slices.ContainsFunc(clis, func(c cli) bool { return c.name == name }) {
			continue
		}
		t.Logf("%s: %s (%s)", env, first, path)
		clis = append(clis, cli{name: name, path: path, version: first})
	}
	if len(clis) == 0 {
		t.Skip("installs the release with a real Terraform CLI: TF_ACC_TERRAFORM_PATH is not set (make test sets it)")
	}
	return clis
}

// cliEnv is the environment a CLI runs in: this process's, without
// anything that would change where providers come from, plus the given CLI
// config file and CA bundle.
func cliEnv(configFile, caFile string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "TF_CLI_CONFIG_FILE", k == "TERRAFORM_CONFIG", k == "TF_PLUGIN_CACHE_DIR",
			k == "TF_DATA_DIR", k == "TF_REATTACH_PROVIDERS", k == "SSL_CERT_FILE", k == "SSL_CERT_DIR",
			strings.HasPrefix(k, "TF_LOG"), strings.HasPrefix(k, "TF_CLI_ARGS"), strings.HasPrefix(k, "TF_TOKEN_"):
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	if configFile != "" {
		env = append(env, "TF_CLI_CONFIG_FILE="+configFile)
	}
	if caFile != "" {
		env = append(env, "SSL_CERT_FILE="+caFile)
	}
	return env
}

// signingKey is a throwaway OpenPGP key, as the release's GPG key.
type signingKey struct {
	entity *openpgp.Entity
	armor  string
	keyID  string // 16 hex digits, upper case, as the registry and the CLIs print it
}

func newSigningKey(t *testing.T, name string) *signingKey {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048}
	e, err := openpgp.NewEntity(name, "throwaway, internal/releasetest", "releasetest@invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &signingKey{entity: e, armor: buf.String(), keyID: strings.ToUpper(e.PrimaryKey.KeyIdString())}
}

// sign is a detached binary signature, what `gpg --detach-sign` writes.
func (k *signingKey) sign(t *testing.T, data []byte) []byte {
	t.Helper()
	var sig bytes.Buffer
	if err := openpgp.DetachSign(&sig, k.entity, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return sig.Bytes()
}

// registry serves one release over the provider registry protocol
// (https://developer.hashicorp.com/terraform/internals/provider-registry-protocol).
type registry struct {
	t         *testing.T
	rel       *release
	platforms []string    // os_arch the registry lists and serves
	key       *signingKey // the key the download response advertises
	signer    *signingKey // the key that signs SHA256SUMS
	tamper    bool        // serve the archives with a byte changed after SHA256SUMS was made

	srv  *httptest.Server
	host string // 127.0.0.1:port, the hostname in source addresses

	// Made in start, on the test's goroutine: the handlers must not fail
	// the test themselves.
	sumsName  string
	sums, sig []byte

	mu  sync.Mutex
	log []string
}

func (r *registry) start() {
	r.sumsName, r.sums = r.rel.sums(r.t)
	r.sig = r.signer.sign(r.t, r.sums)
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	r.t.Cleanup(r.srv.Close)
	r.host = strings.TrimPrefix(r.srv.URL, "https://")
	r.t.Cleanup(func() {
		if r.t.Failed() {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.t.Logf("registry requests:\n%s", strings.Join(r.log, "\n"))
		}
	})
}

func (r *registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.log = append(r.log, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	const prefix = "/v1/providers/sandboxdb/xata/"
	path := req.URL.Path
	switch {
	case path == "/.well-known/terraform.json":
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
	case path == prefix+"versions":
		var platforms []map[string]string
		for _, p := range r.platforms {
			goos, goarch, _ := strings.Cut(p, "_")
			platforms = append(platforms, map[string]string{"os": goos, "arch": goarch})
		}
		writeJSON(w, map[string]any{"versions": []any{map[string]any{
			"version": r.rel.version, "protocols": []string{"6.0"}, "platforms": platforms,
		}}})
	case strings.HasPrefix(path, prefix+r.rel.version+"/download/"):
		goos, goarch, _ := strings.Cut(strings.TrimPrefix(path, prefix+r.rel.version+"/download/"), "/")
		if !slices.Contains(r.platforms, goos+"_"+goarch) {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, map[string]any{"errors": []string{"Not Found"}})
			return
		}
		archive := r.rel.cfg.archiveName(r.t, r.rel.version, goos, goarch)
		sum, err := fileSHA256(filepath.Join(r.rel.dir, archive))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		base := r.srv.URL + "/files/"
		writeJSON(w, map[string]any{
			"protocols":             []string{"6.0"},
			"os":                    goos,
			"arch":                  goarch,
			"filename":              archive,
			"download_url":          base + archive,
			"shasums_url":           base + r.sumsName,
			"shasums_signature_url": base + r.sumsName + ".sig",
			"shasum":                sum,
			"signing_keys": map[string]any{"gpg_public_keys": []any{map[string]string{
				"key_id": r.key.keyID, "ascii_armor": r.key.armor,
				"trust_signature": "", "source": "sandboxdb", "source_url": "https://github.com/sandboxdb/terraform-provider-xata",
			}}},
		})
	case strings.HasPrefix(path, "/files/"):
		r.serveFile(w, strings.TrimPrefix(path, "/files/"))
	default:
		http.NotFound(w, req)
	}
}

func (r *registry) serveFile(w http.ResponseWriter, name string) {
	switch {
	case name == r.sumsName:
		_, _ = w.Write(r.sums)
	case name == r.sumsName+".sig":
		_, _ = w.Write(r.sig)
	case strings.HasSuffix(name, ".zip") && !strings.Contains(name, "/"):
		b, err := os.ReadFile(filepath.Join(r.rel.dir, name))
		if err != nil {
			http.NotFound(w, nil)
			return
		}
		if r.tamper {
			b = slices.Clone(b)
			b[len(b)/2] ^= 0xff
		}
		_, _ = w.Write(b)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// workspace is a directory with a configuration and a CLI config file.
type workspace struct {
	t      *testing.T
	cli    cli
	dir    string
	env    []string
	source string
}

// newWorkspace writes main.tf (required_providers naming the registry,
// then body) and a CLI config with no mirror and no dev_overrides, so
// init must install from the registry.
func newWorkspace(t *testing.T, c cli, reg *registry, body string) *workspace {
	t.Helper()
	dir := t.TempDir()
	source := reg.host + "/sandboxdb/xata"
	mainTF := fmt.Sprintf(`terraform {
  required_providers {
    xata = {
      source  = %q
      version = %q
    }
  }
}
%s`, source, reg.rel.version, body)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(dir, "cli.tfrc")
	err := os.WriteFile(cliConfig, []byte("# Written by internal/releasetest: providers come only from their registries.\nprovider_installation {\n  direct {}\n}\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "registry-ca.pem")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: reg.srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemCert, 0o644); err != nil {
		t.Fatal(err)
	}
	return &workspace{t: t, cli: c, dir: dir, env: cliEnv(cliConfig, ca), source: source}
}

// run runs the CLI in the workspace and returns its combined output.
func (w *workspace) run(args ...string) (string, error) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.cli.path, append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	w.t.Logf("$ %s %s\n%s", w.cli.name, strings.Join(args, " "), out)
	return string(out), err
}

func (w *workspace) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v", w.cli.name, strings.Join(args, " "), err)
	}
	return out
}

// hostPlatform is the platform the CLIs run on, the one init installs.
func hostPlatform() (goos, goarch string) { return runtime.GOOS, runtime.GOARCH }

// TestRegistryInstall serves the release as a registry and has each CLI
// install it as a user would: init downloads the archive for this
// platform, checks it against SHA256SUMS and SHA256SUMS against its
// signature by the advertised key, records the hashes in the lock file,
// and the installed binary then serves a plan against the (emulated) Xata
// API, reporting the release version in its User-Agent.
func TestRegistryInstall(t *testing.T) {
	clis := testCLIs(t)
	goos, goarch := hostPlatform()
	platform := goos + "_" + goarch
	rel := testRelease(t, platform)
	key := newSigningKey(t, "xata release")

	// A Xata API with a main branch for the data source to read, recording
	// the User-Agent of every request.
	emu, err := xataemu.New(xataemu.Options{ProvisionDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	var uaMu sync.Mutex
	userAgents := map[string]bool{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uaMu.Lock()
		userAgents[r.Header.Get("User-Agent")] = true
		uaMu.Unlock()
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(api.Close)
	createMainBranch(t, api.URL, emu)

	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			reg := &registry{t: t, rel: rel, platforms: []string{platform, "darwin_arm64"}, key: key, signer: key}
			reg.start()
			ws := newWorkspace(t, c, reg, fmt.Sprintf(`
provider "xata" {
  base_url        = %q
  api_key         = %q
  organization_id = %q
  project_id      = %q
}

data "xata_branch" "main" {
  name = "main"
}

output "main_branch" {
  value = data.xata_branch.main.name
}
`, api.URL, emu.APIKey(), emu.OrganizationID(), emu.ProjectID()))

			out := ws.mustRun("init")
			installed := fmt.Sprintf("Installed %s v%s", ws.source, rel.version)
			if !strings.Contains(out, installed) {
				t.Errorf("init output lacks %q", installed)
			}
			// Both CLIs name the key that verified SHA256SUMS.
			if !strings.Contains(out, "key ID "+key.keyID) {
				t.Errorf("init output does not name the signing key %s: the signature was not checked", key.keyID)
			}
			if c.name == "terraform" && !strings.Contains(out, "(self-signed, key ID "+key.keyID+")") {
				t.Errorf("terraform init output lacks (self-signed, key ID %s)", key.keyID)
			}

			// The lock file: h1: for the installed package, zh: for every
			// archive SHA256SUMS lists.
			lock, err := os.ReadFile(filepath.Join(ws.dir, ".terraform.lock.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf(".terraform.lock.hcl:\n%s", lock)
			zipSum, err := fileSHA256(rel.archivePath(t, goos, goarch))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				fmt.Sprintf("provider %q", ws.source),
				fmt.Sprintf("version     = %q", rel.version),
				`"h1:`,
				`"zh:` + zipSum + `"`,
			} {
				if !bytes.Contains(lock, []byte(want)) {
					t.Errorf(".terraform.lock.hcl lacks %s", want)
				}
			}
			binary := filepath.Join(ws.dir, ".terraform", "providers", reg.host, "sandboxdb", "xata", rel.version, platform,
				rel.cfg.binaryName(t, rel.version, goos))
			if _, err := os.Stat(binary); err != nil {
				t.Errorf("installed binary: %v", err)
			}

			if out := ws.mustRun("providers"); !strings.Contains(out, "provider["+ws.source+"] "+rel.version) {
				t.Errorf("providers output lacks provider[%s] %s", ws.source, rel.version)
			}
			if out := ws.mustRun("version"); !strings.Contains(out, "+ provider "+ws.source+" v"+rel.version) {
				t.Errorf("version output lacks + provider %s v%s", ws.source, rel.version)
			}
			ws.mustRun("validate")
			out = ws.mustRun("plan")
			if !strings.Contains(out, `main_branch = "main"`) {
				t.Errorf("plan did not read the main branch through the installed provider")
			}
			wantUA := "terraform-provider-xata/" + rel.version
			uaMu.Lock()
			defer uaMu.Unlock()
			if !userAgents[wantUA] {
				t.Errorf("the Xata API saw User-Agents %v, want %q: the release binary does not report its version", keys(userAgents), wantUA)
			}
		})
	}
}

// createMainBranch makes the root branch the emulator starts without, as
// the guide "Local development with the emulators" does with curl.
func createMainBranch(t *testing.T, baseURL string, emu *xataemu.Emulator) {
	t.Helper()
	body := `{"name":"main","mode":"custom","configuration":{"region":"us-east-1","instanceType":"xata.micro","image":"postgres:17.9","replicas":0}}`
	url := fmt.Sprintf("%s/organizations/%s/projects/%s/branches", baseURL, emu.OrganizationID(), emu.ProjectID())
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+emu.APIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("creating main on the emulator: %s: %s", resp.Status, b.String())
	}
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestRegistryInstallRefuses has each CLI refuse a release that does not
// check out, with its own error text: nothing is installed and no lock
// file is written.
func TestRegistryInstallRefuses(t *testing.T) {
	clis := testCLIs(t)
	goos, goarch := hostPlatform()
	platform := goos + "_" + goarch
	rel := testRelease(t, platform)
	key := newSigningKey(t, "xata release")
	other := newSigningKey(t, "someone else")

	cases := []struct {
		name  string
		setup func(*registry)
		// want holds, per CLI, texts its init error must contain.
		want map[string][]string
	}{{
		name:  "tampered archive",
		setup: func(r *registry) { r.tamper = true },
		want: map[string][]string{
			"terraform": {"Failed to install provider", "archive has incorrect checksum"},
			"tofu":      {"Failed to install provider", "archive has incorrect checksum"},
		},
	}, {
		name:  "signed by another key",
		setup: func(r *registry) { r.signer = other },
		want: map[string][]string{
			"terraform": {"Failed to install provider", "authentication signature from unknown issuer"},
			"tofu":      {"Failed to install provider", "not signed with a valid signing key", "authentication signature from unknown issuer"},
		},
	}, {
		name:  "no package for this platform",
		setup: func(r *registry) { r.platforms = []string{"darwin_arm64", "windows_amd64"} },
		want: map[string][]string{
			"terraform": {"Incompatible provider version", "does not have a package available for your current platform, " + platform},
			"tofu":      {"Incompatible provider version", "does not have a package available for your current platform, " + platform},
		},
	}}
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
					reg := &registry{t: t, rel: rel, platforms: []string{platform, "darwin_arm64"}, key: key, signer: key}
					tc.setup(reg)
					reg.start()
					ws := newWorkspace(t, c, reg, "\nprovider \"xata\" {}\n")
					out, err := ws.run("init")
					if err == nil {
						t.Fatalf("init succeeded; want it to refuse the release")
					}
					flat := strings.Join(strings.Fields(out), " ")
					for _, want := range tc.want[c.name] {
						if !strings.Contains(flat, want) {
							t.Errorf("init output lacks %q", want)
						}
					}
					if strings.Contains(out, "Installed "+ws.source) {
						t.Errorf("init says it installed the provider")
					}
					if _, err := os.Stat(filepath.Join(ws.dir, ".terraform.lock.hcl")); err == nil {
						t.Errorf("init wrote .terraform.lock.hcl")
					}
				})
			}
		})
	}
}
