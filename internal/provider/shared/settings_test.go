package shared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

type fakeEnv struct {
	vars map[string]string
	wd   string
}

func (f fakeEnv) Getenv(k string) string { return f.vars[k] }
func (f fakeEnv) Getwd() (string, error) { return f.wd, nil }

func writeProjectFile(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".xata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".xata", "project.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestResolveSettingsPrecedence(t *testing.T) {
	wd := t.TempDir()
	writeProjectFile(t, wd, `{"organizationId":"fileorg","projectId":"prj_file"}`)
	cfgDir := t.TempDir()
	writeProjectFile(t, cfgDir, `{"organizationId":"cfgdirorg","projectId":"prj_cfgdir"}`)

	empty := providerModel{APIKey: types.StringNull(), BaseURL: types.StringNull(), OrganizationID: types.StringNull(), ProjectID: types.StringNull()}
	full := providerModel{APIKey: types.StringValue("cfgkey"), BaseURL: types.StringValue("https://cfg.example"),
		OrganizationID: types.StringValue("cfgorg"), ProjectID: types.StringValue("prj_cfg")}
	allEnv := map[string]string{EnvAPIKey: "envkey", EnvBaseURL: "https://env.example", EnvOrganizationID: "envorg", EnvProjectID: "prj_env"}

	tests := []struct {
		name string
		cfg  providerModel
		env  fakeEnv
		want settings
	}{
		{"config beats env", full, fakeEnv{vars: allEnv, wd: wd},
			settings{"cfgkey", "https://cfg.example", "cfgorg", "prj_cfg"}},
		{"env beats file", empty, fakeEnv{vars: allEnv, wd: wd},
			settings{"envkey", "https://env.example", "envorg", "prj_env"}},
		{"file fills what is missing", empty, fakeEnv{vars: map[string]string{EnvOrganizationID: "envorg"}, wd: wd},
			settings{"", defaultBaseURL, "envorg", "prj_file"}},
		{"XATA_CONFIG_DIR relocates the file", empty, fakeEnv{vars: map[string]string{EnvConfigDir: cfgDir}, wd: wd},
			settings{"", defaultBaseURL, "cfgdirorg", "prj_cfgdir"}},
		{"no file, nothing set", empty, fakeEnv{vars: map[string]string{}, wd: t.TempDir()},
			settings{"", defaultBaseURL, "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveSettings(tc.cfg, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}

	t.Run("a broken file is an error naming it", func(t *testing.T) {
		bad := t.TempDir()
		writeProjectFile(t, bad, `{not json`)
		_, err := resolveSettings(empty, fakeEnv{vars: map[string]string{}, wd: bad})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(bad, ".xata", "project.json")) {
			t.Fatalf("expected an error naming the file, got %v", err)
		}
	})
}

func TestValidateBaseURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.xata.tech", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://api.xata.tech", false},
		{"http://10.0.0.5", false},
		{"ftp://api.xata.tech", false},
		{"api.xata.tech", false},
		{"https://user:s3cret@api.xata.tech", false},
		{"https://user@api.xata.tech", false},
		{"http://admin:s3cret@127.0.0.1:8080", false},
		{"https://u:s3cret@api.xata.tech/%zz", false},
	}
	for _, tc := range tests {
		err := validateBaseURL(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("validateBaseURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("validateBaseURL(%q) repeats the password: %v", tc.url, err)
		}
	}
}

func TestResolveSignadotSettingsPrecedence(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".signadot"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".signadot", "config.yaml"), []byte("org: fileorg\napi_key: filekey\napi_url: https://file.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	null := providerModel{SignadotAPIKey: types.StringNull(), SignadotOrg: types.StringNull(), SignadotAPIURL: types.StringNull()}
	set := providerModel{SignadotAPIKey: types.StringValue("cfgkey"), SignadotOrg: types.StringValue("cfgorg"), SignadotAPIURL: types.StringValue("https://cfg.example")}
	tests := []struct {
		name string
		cfg  providerModel
		env  map[string]string
		want signadotSettings
	}{
		{"config beats env", set, map[string]string{"HOME": home, EnvSignadotAPIKey: "envkey", EnvSignadotOrg: "envorg"},
			signadotSettings{"cfgkey", "cfgorg", "https://cfg.example"}},
		{"env beats the CLI config", null, map[string]string{"HOME": home, EnvSignadotAPIKey: "envkey", EnvSignadotOrg: "envorg"},
			signadotSettings{"envkey", "envorg", "https://file.example"}},
		{"the CLI config fills the rest", null, map[string]string{"HOME": home},
			signadotSettings{"filekey", "fileorg", "https://file.example"}},
		{"nothing set", null, map[string]string{"HOME": t.TempDir()},
			signadotSettings{"", "", defaultSignadotAPIURL}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveSignadotSettings(tc.cfg, fakeEnv{vars: tc.env})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestClientLogger: the API clients log nothing while the provider's logs
// are off.
func TestClientLogger(t *testing.T) {
	for _, tt := range []struct {
		vars map[string]string
		logs bool
	}{
		{nil, true},
		{map[string]string{"TF_LOG_PROVIDER": "OFF"}, false},
		{map[string]string{"TF_LOG_PROVIDER": "off"}, false},
		{map[string]string{"TF_LOG_PROVIDER_XATA": "OFF"}, false},
		{map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, true},
		{map[string]string{"TF_LOG_SDK": "OFF"}, true},
	} {
		if got := clientLogger(fakeEnv{vars: tt.vars}) != nil; got != tt.logs {
			t.Errorf("clientLogger(%v) logs: %v, want %v", tt.vars, got, tt.logs)
		}
	}
}
