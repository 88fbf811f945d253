package shared

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

const (
	defaultBaseURL = "https://api.xata.tech"

	EnvAPIKey         = "XATA_API_KEY"
	EnvBaseURL        = "XATA_API_BASE_URL"
	EnvOrganizationID = "XATA_ORGANIZATION_ID"
	EnvProjectID      = "XATA_PROJECT_ID"
	EnvConfigDir      = "XATA_CONFIG_DIR"

	defaultSignadotAPIURL = "https://api.signadot.com"
	EnvSignadotAPIKey     = "SIGNADOT_API_KEY"
	EnvSignadotOrg        = "SIGNADOT_ORG"
	EnvSignadotAPIURL     = "SIGNADOT_API_URL"
)

// settings are the provider's effective values after applying the
// precedence config > environment > .xata/project.json > default.
type settings struct {
	APIKey         string
	BaseURL        string
	OrganizationID string
	ProjectID      string
}

// env abstracts the process environment and working directory so the
// precedence rules can be tested without touching global state.
type env interface {
	Getenv(key string) string
	Getwd() (string, error)
}

type osEnv struct{}

func (osEnv) Getenv(key string) string { return os.Getenv(key) }
func (osEnv) Getwd() (string, error)   { return os.Getwd() }

// SignadotSettings are the effective Signadot values, with the precedence
// config > environment > ~/.signadot/config.yaml > default, as the signadot
// CLI resolves them.
type signadotSettings struct {
	APIKey string
	Org    string
	APIURL string
}

// signadotCLIConfig is the part of ~/.signadot/config.yaml the provider reads.
type signadotCLIConfig struct {
	Org    string `json:"org"`
	APIKey string `json:"api_key"`
	APIURL string `json:"api_url"`
}

func resolveSignadotSettings(cfg providerModel, e env) (signadotSettings, error) {
	var file signadotCLIConfig
	if home := e.Getenv("HOME"); home != "" {
		p := filepath.Join(home, ".signadot", "config.yaml")
		b, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return signadotSettings{}, err
		default:
			if err := yaml.Unmarshal(b, &file); err != nil {
				return signadotSettings{}, fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return signadotSettings{
		APIKey: cmp.Or(cfg.SignadotAPIKey.ValueString(), e.Getenv(EnvSignadotAPIKey), file.APIKey),
		Org:    cmp.Or(cfg.SignadotOrg.ValueString(), e.Getenv(EnvSignadotOrg), file.Org),
		APIURL: cmp.Or(cfg.SignadotAPIURL.ValueString(), e.Getenv(EnvSignadotAPIURL), file.APIURL, defaultSignadotAPIURL),
	}, nil
}

func resolveSettings(cfg providerModel, e env) (settings, error) {
	s := settings{
		APIKey:         cmp.Or(cfg.APIKey.ValueString(), e.Getenv(EnvAPIKey)),
		BaseURL:        cmp.Or(cfg.BaseURL.ValueString(), e.Getenv(EnvBaseURL), defaultBaseURL),
		OrganizationID: cmp.Or(cfg.OrganizationID.ValueString(), e.Getenv(EnvOrganizationID)),
		ProjectID:      cmp.Or(cfg.ProjectID.ValueString(), e.Getenv(EnvProjectID)),
	}
	if s.OrganizationID != "" && s.ProjectID != "" {
		return s, nil
	}
	file, err := readProjectFile(e)
	if err != nil {
		return s, err
	}
	s.OrganizationID = cmp.Or(s.OrganizationID, file.OrganizationID)
	s.ProjectID = cmp.Or(s.ProjectID, file.ProjectID)
	return s, nil
}

// projectFile is the xata CLI's .xata/project.json.
type projectFile struct {
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId"`
}

// projectFilePath is where the xata CLI keeps project.json: under
// $XATA_CONFIG_DIR when set, else the working directory.
func projectFilePath(e env) (string, error) {
	dir := e.Getenv(EnvConfigDir)
	if dir == "" {
		wd, err := e.Getwd()
		if err != nil {
			return "", err
		}
		dir = wd
	}
	return filepath.Join(dir, ".xata", "project.json"), nil
}

func readProjectFile(e env) (projectFile, error) {
	var pf projectFile
	p, err := projectFilePath(e)
	if err != nil {
		return pf, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return pf, nil
	}
	if err != nil {
		return pf, err
	}
	if err := json.Unmarshal(b, &pf); err != nil {
		return pf, fmt.Errorf("%s: %w", p, err)
	}
	return pf, nil
}

// validateBaseURL refuses anything but https, except plain http to a
// loopback host: an API key must never cross a network in clear text.
func validateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the whole input, password included.
		return errors.New("it is not a URL")
	}
	if u.User != nil {
		// Credentials in a URL end up in logs and error messages; the API
		// takes its key in a header.
		return fmt.Errorf("%q contains user information (user:password@); remove it and pass the key as the API key setting", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http to a non-loopback host", raw)
	default:
		return fmt.Errorf("%q: scheme must be https", raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ProviderData is what Configure hands to resources and data sources.
type ProviderData struct {
	settings         settings
	SignadotSettings signadotSettings
	xata             *xata.Client     // nil when no API key is configured
	signadot         *signadot.Client // nil unless a Signadot key and org are configured
	Wait             xata.WaitOptions
	Parents          PlannedParents
}

// SignadotClient returns the Signadot client, or an error that lists every
// way to configure what is missing. A configuration that uses only
// xata_branch never calls it, and so needs no Signadot settings.
func (d *ProviderData) SignadotClient() (*signadot.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d != nil && d.signadot != nil {
		return d.signadot, diags
	}
	var s signadotSettings
	if d != nil {
		s = d.SignadotSettings
	}
	if s.APIKey == "" {
		diags.AddError("Missing Signadot API Key",
			"This resource needs a Signadot API key. Set one of:\n"+
				"  - signadot_api_key in the provider \"xata\" block\n"+
				"  - the "+EnvSignadotAPIKey+" environment variable\n"+
				"  - api_key in ~/.signadot/config.yaml (the signadot CLI's config)")
	}
	if s.Org == "" {
		diags.AddError("Missing Signadot Organization",
			"This resource needs a Signadot organization name. Set one of:\n"+
				"  - signadot_org in the provider \"xata\" block\n"+
				"  - the "+EnvSignadotOrg+" environment variable\n"+
				"  - org in ~/.signadot/config.yaml (the signadot CLI's config)")
	}
	return nil, diags
}

// ProviderDataFrom is what every resource and data source does in
// Configure: take the provider's data, which is nil before the provider is
// configured (e.g. during validation).
func ProviderDataFrom(data any) (*ProviderData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	d, ok := data.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Xata Provider Data",
			fmt.Sprintf("Expected *shared.ProviderData, got %T. This is a bug in the provider; please report it.", data))
	}
	return d, diags
}

// XataClient returns the client, or an error that lists every way to
// configure an API key.
func (d *ProviderData) XataClient() (*xata.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d == nil || d.xata == nil {
		diags.AddError("Missing Xata API Key",
			"This resource needs a Xata API key. Set one of:\n"+
				"  - api_key in the provider \"xata\" block\n"+
				"  - the "+EnvAPIKey+" environment variable\n"+
				"Create a key in the Xata console (Account settings → API keys) with access to all branches of the project.")
	}
	if d == nil {
		return nil, diags
	}
	return d.xata, diags
}

// Scope picks the organization and project for a resource: its own
// attribute first, then the provider's default. A missing one is an error
// naming every place it can be set.
func (d *ProviderData) Scope(org, project types.String) (string, string, diag.Diagnostics) {
	o, diags := d.OrgScope(org)
	var defaults settings
	if d != nil {
		defaults = d.settings
	}
	p := cmp.Or(project.ValueString(), defaults.ProjectID)
	if p == "" {
		diags.AddError("Missing Xata Project ID", missingScopeDetail("project_id", EnvProjectID, "projectId"))
	}
	return o, p, diags
}

// OrgScope picks the organization for a data source that needs no
// project: its own attribute first, then the provider's default.
func (d *ProviderData) OrgScope(org types.String) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var defaults settings
	if d != nil {
		defaults = d.settings
	}
	o := cmp.Or(org.ValueString(), defaults.OrganizationID)
	if o == "" {
		diags.AddError("Missing Xata Organization ID", missingScopeDetail("organization_id", EnvOrganizationID, "organizationId"))
	}
	return o, diags
}

// PlanOrganizationID fills a new organization-level resource's
// organization_id from the provider, so the plan shows where it goes and a
// later change of the provider's default does not move it.
func (d *ProviderData) PlanOrganizationID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	var org types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("organization_id"), &org)...)
	if resp.Diagnostics.HasError() || org.IsUnknown() {
		return
	}
	_, diags := d.XataClient() // a missing key fails the plan, not the apply
	resp.Diagnostics.Append(diags...)
	o, diags := d.OrgScope(org)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("organization_id"), o)...)
}

func missingScopeDetail(attr, envVar, fileKey string) string {
	return "No " + attr + " is set. Set one of:\n" +
		"  - " + attr + " on this resource\n" +
		"  - " + attr + " in the provider \"xata\" block\n" +
		"  - the " + envVar + " environment variable\n" +
		"  - \"" + fileKey + "\" in .xata/project.json (written by `xata init`), in $" + EnvConfigDir + " or the working directory"
}
