// Package signadot is a client for the parts of the Signadot API v2 this
// project uses: resource plugins and sandboxes. It knows nothing about
// Terraform.
package signadot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
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
	// HTTPClient defaults to &http.Client{Timeout: 60s}.
	HTTPClient *http.Client
	// Limiter is shared by every caller in a run; nil means unlimited.
	Limiter *rate.Limiter
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
	origin        string // scheme://host; requests go to origin + /api/v2 + path
	orgPath       string // /orgs/{org}, escaped
	apiKey        string
	userAgent     string
	http          *http.Client
	limiter       *rate.Limiter
	maxAttempts   int
	maxRetryAfter time.Duration
	minBackoff    time.Duration
	maxBackoff    time.Duration
	logger        Logger
}

const (
	// DefaultAPIURL is the public Signadot API.
	DefaultAPIURL    = "https://api.signadot.com"
	apiBasePath      = "/api/v2"
	apiKeyHeader     = "signadot-api-key"
	defaultUserAgent = "terraform-provider-xata"
	// maxResponseBody guards memory against a misbehaving endpoint; a
	// plugin list with its scripts is at most a few megabytes.
	maxResponseBody = 16 << 20
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
		origin:        u.Scheme + "://" + u.Host,
		orgPath:       "/orgs/" + url.PathEscape(cfg.Org),
		apiKey:        cfg.APIKey,
		userAgent:     cfg.UserAgent,
		http:          cfg.HTTPClient,
		limiter:       cfg.Limiter,
		maxAttempts:   cfg.MaxAttempts,
		maxRetryAfter: cfg.MaxRetryAfter,
		minBackoff:    cfg.MinBackoff,
		maxBackoff:    cfg.MaxBackoff,
		logger:        cfg.Logger,
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = 8
	}
	if c.maxRetryAfter <= 0 {
		c.maxRetryAfter = 30 * time.Second
	}
	if c.minBackoff <= 0 {
		c.minBackoff = 300 * time.Millisecond
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = 5 * time.Second
	}
	if c.maxBackoff < c.minBackoff {
		return nil, fmt.Errorf("signadot: MaxBackoff (%v) is less than MinBackoff (%v)", c.maxBackoff, c.minBackoff)
	}
	return c, nil
}

// call is one logical API operation; it may take several attempts.
type call struct {
	method string
	path   string // escaped and relative to /api/v2, e.g. /orgs/o/sandboxes/s
	query  url.Values
	body   []byte // JSON, nil for none
}

// response is a complete HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

// newCall builds a call on a path below /orgs/{org}.
func (c *Client) newCall(method, path string, query url.Values, in any) (call, error) {
	cl := call{method: method, path: c.orgPath + path, query: query}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return cl, fmt.Errorf("signadot API: %s %s: encoding request: %w", method, cl.path, err)
		}
		cl.body = b
	}
	return cl, nil
}

// do runs cl with the retry policy of retryable and decodes a 2xx body into
// out (if non-nil).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var last error
	for attempt := 1; ; attempt++ {
		resp, err := c.roundTrip(ctx, cl, attempt)
		if err == nil && resp.ok() {
			return decode(cl, resp, out)
		}
		if err == nil {
			err = newAPIError(cl.method, cl.path, resp.status, resp.header, resp.body)
		}
		if ctx.Err() != nil {
			return withPrevious(err, last)
		}
		if !retryable(cl.method, err) {
			return err
		}
		last = err
		if attempt >= c.maxAttempts {
			return gaveUp(err, attempt)
		}
		if err := c.wait(ctx, cl, attempt, c.retryDelay(resp, attempt-1), last); err != nil {
			return err
		}
	}
}

// retryable is the policy for idempotent calls: GET, PUT of a sandbox and
// DELETE are retried on transient statuses and network errors. The plugin
// PUT, which is not idempotent (a repeat is a 409), has its own loop.
func retryable(method string, err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return idempotent(method)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if refused(err) {
		return true
	}
	switch apiErr.StatusCode {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent(method)
	}
	return false
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryDelay is the wait before retry number n (0-based): the server's
// Retry-After if any, capped, else jittered exponential backoff.
func (c *Client) retryDelay(resp *response, n int) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.maxRetryAfter)
		}
	}
	return c.backoff(n)
}

// backoff is min(MaxBackoff, MinBackoff·2^n) scaled by a random 50–100 %, so
// callers sharing a limit don't retry in lockstep.
func (c *Client) backoff(n int) time.Duration {
	d := c.minBackoff
	for i := 0; i < n && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Clamp before multiplying so absurd values can't overflow.
		return time.Duration(min(secs, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// wait sleeps d before attempt+1, returning early with the context's error
// (wrapping last) when ctx ends first or its deadline is too close for the
// retry to happen at all.
func (c *Client) wait(ctx context.Context, cl call, attempt int, d time.Duration, last error) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return fmt.Errorf("%w: not retrying, the deadline is sooner than the next attempt (in %v): %w",
			context.DeadlineExceeded, d.Round(time.Millisecond), last)
	}
	c.debug(ctx, "signadot API retry", map[string]any{
		"method":   cl.method,
		"path":     cl.path,
		"attempt":  attempt + 1,
		"delay_ms": d.Milliseconds(),
		"error":    c.redactString(last.Error()),
	})
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w while waiting to retry: %w", context.Cause(ctx), last)
	case <-t.C:
		return nil
	}
}

// withPrevious keeps the error of an earlier attempt visible when the
// context ends the call (the latest error is then usually just
// "context canceled").
func withPrevious(err, last error) error {
	if last == nil {
		return err
	}
	return fmt.Errorf("%w (previous attempt: %w)", err, last)
}

func gaveUp(err error, attempts int) error {
	if attempts == 1 {
		return err
	}
	return fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
}

// roundTrip makes one attempt: it waits on the shared limiter, sends the
// request and reads the whole response. Failures without a complete
// response are *transportError.
func (c *Client) roundTrip(ctx context.Context, cl call, attempt int) (*response, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("signadot API: %s %s: waiting for the rate limiter: %w", cl.method, cl.path, err)
		}
	}
	target := c.origin + apiBasePath + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("signadot API: %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set(apiKeyHeader, c.apiKey)
	}
	req.Header.Set("User-Agent", c.userAgent)

	logURL := req.URL.Redacted()
	fields := map[string]any{"method": cl.method, "url": logURL, "attempt": attempt, "body": c.redactBody(cl.body)}
	if c.apiKey != "" {
		fields[apiKeyHeader] = redacted
	}
	c.debug(ctx, "signadot API request", fields)

	start := time.Now()
	res, err := c.http.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(res.Body, maxResponseBody))
		res.Body.Close()
	}
	elapsed := time.Since(start).Milliseconds()
	if err != nil {
		// The url.Error wrapper repeats method and full URL; keep the cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		c.debug(ctx, "signadot API response", map[string]any{
			"method": cl.method, "url": logURL, "duration_ms": elapsed, "error": err.Error(),
		})
		return nil, &transportError{Method: cl.method, Path: cl.path, Err: err}
	}
	resp := &response{status: res.StatusCode, header: res.Header, body: data}
	c.debug(ctx, "signadot API response", map[string]any{
		"method":      cl.method,
		"url":         logURL,
		"status":      res.StatusCode,
		"request_id":  res.Header.Get("X-Request-Id"),
		"duration_ms": elapsed,
		"body":        c.redactBody(data),
	})
	return resp, nil
}

func decode(cl call, resp *response, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("signadot API: %s %s: decoding %d response (request id: %s): %w",
			cl.method, cl.path, resp.status, resp.header.Get("X-Request-Id"), err)
	}
	return nil
}

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Debug(ctx, msg, fields)
	}
}
