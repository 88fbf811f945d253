// Package xata is a client for the Xata platform API (organizations,
// projects, branches). It knows nothing about Terraform.
package xata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
	BaseURL   string // required, e.g. https://api.xata.tech (no version prefix)
	APIKey    string // sent as Authorization: Bearer
	UserAgent string // e.g. "terraform-provider-xata/1.2.3"; its version also goes into X-Xata-Agent
	// HTTPClient defaults to &http.Client{}; the client uses a copy that
	// refuses redirects.
	HTTPClient *http.Client
	// Limiter is shared by every caller in a run (one per provider
	// instance); nil means unlimited.
	Limiter *apiclient.Limiter
	// AttemptTimeout bounds one attempt, response body included; default
	// 30s.
	AttemptTimeout time.Duration
	// MaxAttempts bounds the attempts of one call, default 8: a provider
	// runs unattended and one failed call fails a whole apply.
	MaxAttempts   int
	MaxRetryAfter time.Duration // cap for Retry-After but on a 429, default 30s
	// MaxQuotaWait is the longest a call waits for a spent quota of the API
	// key to come back (default 90s); a call whose quota comes back later
	// fails at once (apiclient.QuotaError).
	MaxQuotaWait time.Duration
	MinBackoff   time.Duration // default 300ms
	MaxBackoff   time.Duration // default 5s
	Logger       Logger        // nil means no logging
}

// Client calls the Xata API. It is safe for concurrent use.
type Client struct {
	api       *apiclient.Client
	apiKey    string
	userAgent string
	xataAgent string
}

const defaultUserAgent = "terraform-provider-xata"

// NewClient validates cfg and applies defaults.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("xata: invalid base URL %q: %w", cfg.BaseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("xata: invalid base URL %q: want http(s)://host", cfg.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("xata: invalid base URL %q: must not have a query or fragment", cfg.BaseURL)
	}
	c := &Client{apiKey: cfg.APIKey, userAgent: cfg.UserAgent}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	c.xataAgent = xataAgent(c.userAgent)
	var logFields map[string]any
	if c.apiKey != "" {
		logFields = map[string]any{"authorization": "Bearer " + apiclient.Redacted}
	}
	c.api, err = apiclient.New(apiclient.Config{
		Name:       "xata API",
		BaseURL:    strings.TrimRight(u.String(), "/"),
		SetHeaders: c.setHeaders,
		LogFields:  logFields,
		Secrets:    []string{c.apiKey},
		URLSetting: "base_url",
		Retryable:  retryable,
		DecodeError: func(method, path string, status int, header http.Header, body []byte) error {
			return newAPIError(method, path, status, header, body)
		},
		Redact:         logRedactor,
		Logger:         cfg.Logger,
		HTTPClient:     cfg.HTTPClient,
		Limiter:        cfg.Limiter,
		AttemptTimeout: cfg.AttemptTimeout,
		MaxAttempts:    cfg.MaxAttempts,
		MaxRetryAfter:  cfg.MaxRetryAfter,
		MaxQuotaWait:   cfg.MaxQuotaWait,
		MinBackoff:     cfg.MinBackoff,
		MaxBackoff:     cfg.MaxBackoff,
	})
	if err != nil {
		return nil, fmt.Errorf("xata: %w", err)
	}
	return c, nil
}

// Budget is the API key's request quota as the server last reported it
// (X-RateLimit-*), less the requests this client sent since; false before
// any report, after its window ended, or without a Limiter.
func (c *Client) Budget() (apiclient.Budget, bool) { return c.api.Budget() }

// xataAgent builds the X-Xata-Agent value Xata's own clients send, taking
// the version from the first product token of the User-Agent.
func xataAgent(userAgent string) string {
	agent := "client=" + defaultUserAgent
	product, _, _ := strings.Cut(userAgent, " ")
	if _, version, ok := strings.Cut(product, "/"); ok && version != "" {
		agent += "; version=" + version
	}
	return agent
}

func (c *Client) setHeaders(h http.Header) {
	if c.apiKey != "" {
		h.Set("Authorization", "Bearer "+c.apiKey)
	}
	h.Set("User-Agent", c.userAgent)
	h.Set("X-Xata-Agent", c.xataAgent)
}

// retryable implements Xata's client policy: the common one (idempotent
// methods on transient statuses and network errors; POST and PATCH only
// on 429 and 503, refusals before any work), and a PATCH 409 "modified
// concurrently", which was aborted.
func retryable(method string, err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict {
		return method == http.MethodPatch && strings.Contains(strings.ToLower(apiErr.Message), "modified concurrently")
	}
	return apiclient.Retryable(method, err, statusOf(err))
}
