// Package shared is what every service package of the provider uses: the
// provider itself (its configuration, the clients it builds, and the types
// the services hand it), import and identity helpers, and suggestions for
// mistyped names. It knows no resource of its own.
package shared

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// Compile-time checks that Provider is a provider with ephemeral
// resources, list resources and actions.
var (
	_ provider.Provider                       = (*Provider)(nil)
	_ provider.ProviderWithEphemeralResources = (*Provider)(nil)
	_ provider.ProviderWithListResources      = (*Provider)(nil)
	_ provider.ProviderWithActions            = (*Provider)(nil)
)

// New returns a constructor for a provider serving these services' types,
// as providerserver expects.
func New(version string, services ...Types) func() provider.Provider {
	return func() provider.Provider {
		return &Provider{Version: version, Wait: defaultWaitOptions, Services: services}
	}
}

// Types are the constructors of what one service contributes to the
// provider.
type Types struct {
	Resources          []func() resource.Resource
	DataSources        []func() datasource.DataSource
	EphemeralResources []func() ephemeral.EphemeralResource
	ListResources      []func() list.ListResource
	Actions            []func() action.Action
}

// Provider is the xata provider serving the types of Services.
type Provider struct {
	Version string
	// Wait tunes the readiness waiter; tests shorten it.
	Wait     xata.WaitOptions
	Services []Types
}

type providerModel struct {
	APIKey         types.String `tfsdk:"api_key"`
	BaseURL        types.String `tfsdk:"base_url"`
	OrganizationID types.String `tfsdk:"organization_id"`
	ProjectID      types.String `tfsdk:"project_id"`
	SignadotAPIKey types.String `tfsdk:"signadot_api_key"`
	SignadotOrg    types.String `tfsdk:"signadot_org"`
	SignadotAPIURL types.String `tfsdk:"signadot_api_url"`
}

func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "xata"
	resp.Version = p.Version
}

func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages [Xata](https://xata.io) Postgres branches, so that every ephemeral environment " +
			"can get its own copy-on-write database.\n\n" +
			"Every setting may also come from the environment; a value in this block wins over the environment, " +
			"which wins over the xata CLI's `.xata/project.json`.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Xata API key (`xau_…` or `xao_…`), sent as a bearer token. " +
					"Defaults to the `" + EnvAPIKey + "` environment variable. The key needs access to every branch " +
					"of the project (`branches: [\"*\"]`), or the provider cannot read the branches it creates.",
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Xata API. Defaults to the `" + EnvBaseURL + "` environment " +
					"variable, then `" + defaultBaseURL + "`. Plain `http://` is accepted only for a loopback host " +
					"(a local emulator).",
				Optional: true,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "Default organization for resources that do not set their own. Defaults to the `" +
					EnvOrganizationID + "` environment variable, then `organizationId` in the xata CLI's " +
					"`.xata/project.json` (in `$XATA_CONFIG_DIR` when set, else the working directory).",
				Optional: true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Default project for resources that do not set their own. Defaults to the `" +
					EnvProjectID + "` environment variable, then `projectId` in the xata CLI's `.xata/project.json`.",
				Optional: true,
			},
			"signadot_api_key": schema.StringAttribute{
				MarkdownDescription: "Signadot API key, sent as the `signadot-api-key` header; needed only by " +
					"`signadot_*` resources and data sources. Defaults to `" + EnvSignadotAPIKey + "`, then `api_key` " +
					"in the signadot CLI's `~/.signadot/config.yaml`.",
				Optional:  true,
				Sensitive: true,
			},
			"signadot_org": schema.StringAttribute{
				MarkdownDescription: "Signadot organization name. Defaults to `" + EnvSignadotOrg + "`, then `org` in " +
					"`~/.signadot/config.yaml`.",
				Optional: true,
			},
			"signadot_api_url": schema.StringAttribute{
				MarkdownDescription: "Signadot API URL; only its scheme and host are used and `/api/v2` is appended, " +
					"as the signadot CLI does. Defaults to `" + EnvSignadotAPIURL + "`, then `api_url` in " +
					"`~/.signadot/config.yaml`, then `" + defaultSignadotAPIURL + "`. Plain `http://` is accepted only " +
					"for a loopback host.",
				Optional: true,
			},
		},
	}
}

func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{
		"api_key": cfg.APIKey, "base_url": cfg.BaseURL,
		"organization_id": cfg.OrganizationID, "project_id": cfg.ProjectID,
		"signadot_api_key": cfg.SignadotAPIKey, "signadot_org": cfg.SignadotOrg, "signadot_api_url": cfg.SignadotAPIURL,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Xata Provider Setting",
				"The provider's "+name+" depends on a value that is only known after apply, but the provider must "+
					"be configured before planning. Set it to a literal, a variable, or use the environment instead.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	settings, err := resolveSettings(cfg, osEnv{})
	if err != nil {
		resp.Diagnostics.AddError("Unreadable Xata Project File",
			"The provider reads default organization and project ids from the xata CLI's .xata/project.json. "+
				"Fix or remove the file, or set organization_id and project_id explicitly.\n\n"+err.Error())
		return
	}
	sd, err := resolveSignadotSettings(cfg, osEnv{})
	if err != nil {
		resp.Diagnostics.AddError("Unreadable Signadot CLI Config",
			"The provider reads Signadot defaults from the signadot CLI's ~/.signadot/config.yaml. Fix or remove "+
				"the file, or set signadot_api_key, signadot_org and signadot_api_url explicitly.\n\n"+err.Error())
		return
	}
	if err := validateBaseURL(sd.APIURL); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("signadot_api_url"), "Invalid Signadot API URL",
			"Set signadot_api_url (or "+EnvSignadotAPIURL+") to an https:// URL such as "+defaultSignadotAPIURL+
				"; plain http:// is only allowed for a loopback host such as 127.0.0.1.\n\n"+err.Error())
		return
	}
	if err := validateBaseURL(settings.BaseURL); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid Xata Base URL",
			"Set base_url (or "+EnvBaseURL+") to an https:// URL such as "+defaultBaseURL+
				"; plain http:// is only allowed for a loopback host such as 127.0.0.1.\n\n"+err.Error())
		return
	}

	data := &ProviderData{settings: settings, SignadotSettings: sd, Wait: p.Wait}
	if settings.APIKey != "" {
		client, err := xata.NewClient(xata.Config{
			BaseURL:   settings.BaseURL,
			APIKey:    settings.APIKey,
			UserAgent: "terraform-provider-xata/" + p.Version,
			// One limiter per provider instance: every resource of the run shares
			// it. It throttles only once the API pushes back.
			Limiter: apiclient.NewLimiter(apiclient.LimiterConfig{}),
			Logger:  clientLogger(osEnv{}),
		})
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid Xata Client Configuration",
				"The Xata API client could not be built from the provider settings; check base_url.\n\n"+err.Error())
			return
		}
		data.xata = client
	}
	if sd.APIKey != "" && sd.Org != "" {
		client, err := signadot.NewClient(signadot.Config{
			APIURL:    sd.APIURL,
			APIKey:    sd.APIKey,
			Org:       sd.Org,
			UserAgent: "terraform-provider-xata/" + p.Version,
			Limiter:   apiclient.NewLimiter(apiclient.LimiterConfig{}),
			Logger:    clientLogger(osEnv{}),
		})
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("signadot_api_url"), "Invalid Signadot Client Configuration",
				"The Signadot API client could not be built from the provider settings; check signadot_api_url.\n\n"+err.Error())
			return
		}
		data.signadot = client
	}
	tflog.Debug(ctx, "configured xata provider", map[string]any{
		"signadot_api_url":            sd.APIURL,
		"signadot_org":                sd.Org,
		"signadot_api_key_configured": sd.APIKey != "",
		"base_url":                    settings.BaseURL,
		"organization_id":             settings.OrganizationID,
		"project_id":                  settings.ProjectID,
		"api_key_configured":          settings.APIKey != "",
	})
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

func (p *Provider) Resources(_ context.Context) []func() resource.Resource {
	return collect(p.Services, func(t Types) []func() resource.Resource { return t.Resources })
}

func (p *Provider) DataSources(_ context.Context) []func() datasource.DataSource {
	return collect(p.Services, func(t Types) []func() datasource.DataSource { return t.DataSources })
}

func (p *Provider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return collect(p.Services, func(t Types) []func() ephemeral.EphemeralResource { return t.EphemeralResources })
}

func (p *Provider) ListResources(_ context.Context) []func() list.ListResource {
	return collect(p.Services, func(t Types) []func() list.ListResource { return t.ListResources })
}

func (p *Provider) Actions(_ context.Context) []func() action.Action {
	return collect(p.Services, func(t Types) []func() action.Action { return t.Actions })
}

func collect[T any](services []Types, of func(Types) []T) []T {
	var out []T
	for _, s := range services {
		out = append(out, of(s)...)
	}
	return out
}

// defaultWaitOptions polls a new branch quickly at first (creation is
// copy-on-write, often seconds) and backs off to one read every 5 s.
var defaultWaitOptions = xata.WaitOptions{
	MinInterval: 250 * time.Millisecond,
	MaxInterval: 5 * time.Second,
	FaultGrace:  2 * time.Minute,
}

// tflogLogger forwards the client's (already redacted) debug logs to tflog.
type tflogLogger struct{}

// clientLogger is the API clients' logger: none while the provider's logs
// are off, TF_LOG_PROVIDER or TF_LOG_PROVIDER_XATA being OFF (main sets
// the first when no TF_LOG variable asks for logs; Terraform then drops
// every provider line). A request's log line costs more CPU than the
// request: redacting and encoding discarded lines took a twentieth of the
// provider's time in a plan of 100 unchanged branches.
func clientLogger(e env) apiclient.Logger {
	for _, name := range []string{"TF_LOG_PROVIDER", "TF_LOG_PROVIDER_XATA"} {
		if strings.EqualFold(e.Getenv(name), "off") {
			return nil
		}
	}
	return tflogLogger{}
}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}
