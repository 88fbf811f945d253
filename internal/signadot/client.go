// Package signadot is a client for the parts of the Signadot API v2 this
// project uses: resource plugins and sandboxes. It knows nothing about
// Terraform.
package signadot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// Logger receives debug logs; the provider wires tflog into it. Fields are
// already redacted.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Zero values select the defaults noted.
type Config struct {
	// APIURL defaults to https://api.signadot.com. As in the go-sdk and
	// the CLI, only its scheme and host are used and /api/v2 is always
	// appended, so SIGNADOT_API_URL values work unchanged.
	APIURL    string
	APIKey    string // sent as the signadot-api-key header
	Org       string // required: every endpoint is under /orgs/{org}
	UserAgent string // e.g. "terraform-provider-xata/1.2.3"
	// HTTPClient defaults to &http.Client{}; the client uses a copy that
	// refuses redirects.
	HTTPClient *http.Client
	// Limiter is shared by every caller in a run; nil means unlimited.
	Limiter *apiclient.Limiter
	// AttemptTimeout bounds one attempt, response body included; default
	// 30s.
	AttemptTimeout time.Duration
	// MaxAttempts bounds the attempts of one call, default 8: a provider
	// runs unattended and one failed call fails a whole apply.
	MaxAttempts   int
	MaxRetryAfter time.Duration // cap for Retry-After, default 30s
	MinBackoff    time.Duration // default 300ms
	MaxBackoff    time.Duration // default 5s
	Logger        Logger        // nil means no logging
}

// Client calls the Signadot API. It is safe for concurrent use.
type Client struct {
	api       *apiclient.Client
	origin    string // scheme://host; requests go to origin + /api/v2 + path
	orgPath   string // /orgs/{org}, escaped
	apiKey    string
	userAgent string
}

const (
	// DefaultAPIURL is the public Signadot API.
	DefaultAPIURL    = "https://api.signadot.com"
	apiBasePath      = "/api/v2"
	apiKeyHeader     = "signadot-api-key"
	defaultUserAgent = "terraform-provider-xata"
)

// NewClient validates cfg and applies defaults.
func NewClient(cfg Config) (*Client, error) {
	raw := cfg.APIURL
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("signadot: invalid API URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("signadot: invalid API URL %q: want http(s)://host", raw)
	}
	if cfg.Org == "" {
		return nil, errors.New("signadot: Org is required")
	}
	c := &Client{
		origin:    u.Scheme + "://" + u.Host,
		orgPath:   "/orgs/" + url.PathEscape(cfg.Org),
		apiKey:    cfg.APIKey,
		userAgent: cfg.UserAgent,
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	var logFields map[string]any
	if c.apiKey != "" {
		logFields = map[string]any{apiKeyHeader: apiclient.Redacted}
	}
	c.api, err = apiclient.New(apiclient.Config{
		Name:       "signadot API",
		BaseURL:    c.origin + apiBasePath,
		SetHeaders: c.setHeaders,
		LogFields:  logFields,
		// The API key may show up anywhere in a body (a script echoing it).
		Secrets:    []string{c.apiKey},
		URLSetting: "the API URL",
		Retryable:  retryable,
		DecodeError: func(method, path string, status int, header http.Header, body []byte) error {
			return newAPIError(method, path, status, header, body)
		},
		Redact:         apiclient.Redactor{JSON: redactValue, Text: redactString},
		Logger:         cfg.Logger,
		HTTPClient:     cfg.HTTPClient,
		Limiter:        cfg.Limiter,
		AttemptTimeout: cfg.AttemptTimeout,
		MaxAttempts:    cfg.MaxAttempts,
		MaxRetryAfter:  cfg.MaxRetryAfter,
		MinBackoff:     cfg.MinBackoff,
		MaxBackoff:     cfg.MaxBackoff,
	})
	if err != nil {
		return nil, fmt.Errorf("signadot: %w", err)
	}
	return c, nil
}

func (c *Client) setHeaders(h http.Header) {
	if c.apiKey != "" {
		h.Set(apiKeyHeader, c.apiKey)
	}
	h.Set("User-Agent", c.userAgent)
}

// newCall builds a call on a path below /orgs/{org}.
func (c *Client) newCall(method, path string, query url.Values, in any) (apiclient.Call, error) {
	return c.api.NewCall(method, c.orgPath+path, query, in)
}

// retryable is the policy for idempotent calls: GET, PUT of a sandbox and
// DELETE are retried on transient statuses and network errors. The plugin
// PUT, which is not idempotent (a repeat is a 409), has its own loop.
func retryable(method string, err error) bool {
	return apiclient.Retryable(method, err, statusOf(err))
}
