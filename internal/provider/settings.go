package provider

import (
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

	envAPIKey         = "XATA_API_KEY"
	envBaseURL        = "XATA_API_BASE_URL"
	envOrganizationID = "XATA_ORGANIZATION_ID"
	envProjectID      = "XATA_PROJECT_ID"
	envConfigDir      = "XATA_CONFIG_DIR"

	defaultSignadotAPIURL = "https://api.signadot.com"
	envSignadotAPIKey     = "SIGNADOT_API_KEY"
	envSignadotOrg        = "SIGNADOT_ORG"
	envSignadotAPIURL     = "SIGNADOT_API_URL"
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

// signadotSettings are the effective Signadot values, with the precedence
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
		APIKey: firstNonEmpty(cfg.SignadotAPIKey.ValueString(), e.Getenv(envSignadotAPIKey), file.APIKey),
		Org:    firstNonEmpty(cfg.SignadotOrg.ValueString(), e.Getenv(envSignadotOrg), file.Org),
		APIURL: firstNonEmpty(cfg.SignadotAPIURL.ValueString(), e.Getenv(envSignadotAPIURL), file.APIURL, defaultSignadotAPIURL),
	}, nil
}

func resolveSettings(cfg providerModel, e env) (settings, error) {
	s := settings{
		APIKey:         firstNonEmpty(cfg.APIKey.ValueString(), e.Getenv(envAPIKey)),
		BaseURL:        firstNonEmpty(cfg.BaseURL.ValueString(), e.Getenv(envBaseURL), defaultBaseURL),
		OrganizationID: firstNonEmpty(cfg.OrganizationID.ValueString(), e.Getenv(envOrganizationID)),
		ProjectID:      firstNonEmpty(cfg.ProjectID.ValueString(), e.Getenv(envProjectID)),
	}
	if s.OrganizationID != "" && s.ProjectID != "" {
		return s, nil
	}
	file, err := readProjectFile(e)
	if err != nil {
		return s, err
	}
	s.OrganizationID = firstNonEmpty(s.OrganizationID, file.OrganizationID)
	s.ProjectID = firstNonEmpty(s.ProjectID, file.ProjectID)
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
	dir := e.Getenv(envConfigDir)
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

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
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

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	settings         settings
	signadotSettings signadotSettings
	xata             *xata.Client     // nil when no API key is configured
	signadot         *signadot.Client // nil unless a Signadot key and org are configured
	wait             xata.WaitOptions
	parents          plannedParents
}

// signadotClient returns the Signadot client, or an error that lists every
// way to configure what is missing. A configuration that uses only
// xata_branch never calls it, and so needs no Signadot settings.
func (d *providerData) signadotClient() (*signadot.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d != nil && d.signadot != nil {
		return d.signadot, diags
	}
	var s signadotSettings
	if d != nil {
		s = d.signadotSettings
	}
	if s.APIKey == "" {
		diags.AddError("Missing Signadot API Key",
			"This resource needs a Signadot API key. Set one of:\n"+
				"  - signadot_api_key in the provider \"xata\" block\n"+
				"  - the "+envSignadotAPIKey+" environment variable\n"+
				"  - api_key in ~/.signadot/config.yaml (the signadot CLI's config)")
	}
	if s.Org == "" {
		diags.AddError("Missing Signadot Organization",
			"This resource needs a Signadot organization name. Set one of:\n"+
				"  - signadot_org in the provider \"xata\" block\n"+
				"  - the "+envSignadotOrg+" environment variable\n"+
				"  - org in ~/.signadot/config.yaml (the signadot CLI's config)")
	}
	return nil, diags
}

// providerDataFrom is what every resource and data source does in
// Configure: take the provider's data, which is nil before the provider is
// configured (e.g. during validation).
func providerDataFrom(data any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Xata Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
	}
	return d, diags
}

// xataClient returns the client, or an error that lists every way to
// configure an API key.
func (d *providerData) xataClient() (*xata.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d == nil || d.xata == nil {
		diags.AddError("Missing Xata API Key",
			"This resource needs a Xata API key. Set one of:\n"+
				"  - api_key in the provider \"xata\" block\n"+
				"  - the "+envAPIKey+" environment variable\n"+
				"Create a key in the Xata console (Account settings → API keys) with access to all branches of the project.")
	}
	if d == nil {
		return nil, diags
	}
	return d.xata, diags
}

// scope picks the organization and project for a resource: its own
// attribute first, then the provider's default. A missing one is an error
// naming every place it can be set.
func (d *providerData) scope(org, project types.String) (string, string, diag.Diagnostics) {
	o, diags := d.orgScope(org)
	var defaults settings
	if d != nil {
		defaults = d.settings
	}
	p := firstNonEmpty(project.ValueString(), defaults.ProjectID)
	if p == "" {
		diags.AddError("Missing Xata Project ID", missingScopeDetail("project_id", envProjectID, "projectId"))
	}
	return o, p, diags
}

// orgScope picks the organization for a data source that needs no
// project: its own attribute first, then the provider's default.
func (d *providerData) orgScope(org types.String) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var defaults settings
	if d != nil {
		defaults = d.settings
	}
	o := firstNonEmpty(org.ValueString(), defaults.OrganizationID)
	if o == "" {
		diags.AddError("Missing Xata Organization ID", missingScopeDetail("organization_id", envOrganizationID, "organizationId"))
	}
	return o, diags
}

// planOrganizationID fills a new organization-level resource's
// organization_id from the provider, so the plan shows where it goes and a
// later change of the provider's default does not move it.
func (d *providerData) planOrganizationID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	var org types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("organization_id"), &org)...)
	if resp.Diagnostics.HasError() || org.IsUnknown() {
		return
	}
	_, diags := d.xataClient() // a missing key fails the plan, not the apply
	resp.Diagnostics.Append(diags...)
	o, diags := d.orgScope(org)
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
		"  - \"" + fileKey + "\" in .xata/project.json (written by `xata init`), in $" + envConfigDir + " or the working directory"
}
