// Package xata is a client for the Xata platform API (organizations,
// projects, branches). It knows nothing about Terraform.
package xata

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
	BaseURL   string // required, e.g. https://api.xata.tech (no version prefix)
	APIKey    string // sent as Authorization: Bearer
	UserAgent string // e.g. "terraform-provider-xata/1.2.3"; its version also goes into X-Xata-Agent
	// HTTPClient defaults to &http.Client{Timeout: 60s}.
	HTTPClient *http.Client
	// Limiter is shared by every caller in a run (one per provider
	// instance); nil means unlimited.
	Limiter *rate.Limiter
	// MaxAttempts bounds the attempts of one call, default 8: a provider
	// runs unattended and one failed call fails a whole apply.
	MaxAttempts   int
	MaxRetryAfter time.Duration // cap for Retry-After, default 30s
	MinBackoff    time.Duration // default 300ms
	MaxBackoff    time.Duration // default 5s
	Logger        Logger        // nil means no logging
}

// Client calls the Xata API. It is safe for concurrent use.
type Client struct {
	baseURL       string
	apiKey        string
	userAgent     string
	xataAgent     string
	http          *http.Client
	limiter       *rate.Limiter
	maxAttempts   int
	maxRetryAfter time.Duration
	minBackoff    time.Duration
	maxBackoff    time.Duration
	logger        Logger
}

const (
	defaultUserAgent = "terraform-provider-xata"
	// maxResponseBody guards memory against a misbehaving endpoint; real
	// bodies (a 100-branch list) are tens of kilobytes.
	maxResponseBody = 16 << 20
)

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
	c := &Client{
		baseURL:       strings.TrimRight(u.String(), "/"),
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
	c.xataAgent = xataAgent(c.userAgent)
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
		return nil, fmt.Errorf("xata: MaxBackoff (%v) is less than MinBackoff (%v)", c.maxBackoff, c.minBackoff)
	}
	return c, nil
}

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

// call is one logical API operation; it may take several attempts.
type call struct {
	method string
	path   string // escaped, e.g. /organizations/o/projects/p/branches
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

func newCall(method, path string, in any) (call, error) {
	cl := call{method: method, path: path}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return cl, fmt.Errorf("xata API: %s %s: encoding request: %w", method, path, err)
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

// retryable implements Xata's client policy: idempotent methods are retried
// on transient statuses and network errors. POST and PATCH are retried only
// where the server provably did nothing: 429 and 503 are refusals before
// any work, and a PATCH 409 "modified concurrently" was aborted.
func retryable(method string, err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return idempotent(method)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent(method)
	case http.StatusConflict:
		return method == http.MethodPatch && strings.Contains(strings.ToLower(apiErr.Message), "modified concurrently")
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
	c.debug(ctx, "xata API retry", map[string]any{
		"method":   cl.method,
		"path":     cl.path,
		"attempt":  attempt + 1,
		"delay_ms": d.Milliseconds(),
		"error":    last.Error(),
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
			return nil, fmt.Errorf("xata API: %s %s: waiting for the rate limiter: %w", cl.method, cl.path, err)
		}
	}
	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("xata API: %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Xata-Agent", c.xataAgent)

	logURL := req.URL.Redacted()
	fields := map[string]any{"method": cl.method, "url": logURL, "attempt": attempt, "body": redactBody(cl.body)}
	if c.apiKey != "" {
		fields["authorization"] = "Bearer " + redacted
	}
	c.debug(ctx, "xata API request", fields)

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
		c.debug(ctx, "xata API response", map[string]any{
			"method": cl.method, "url": logURL, "duration_ms": elapsed, "error": err.Error(),
		})
		return nil, &transportError{Method: cl.method, Path: cl.path, Err: err}
	}
	resp := &response{status: res.StatusCode, header: res.Header, body: data}
	c.debug(ctx, "xata API response", map[string]any{
		"method":      cl.method,
		"url":         logURL,
		"status":      res.StatusCode,
		"request_id":  res.Header.Get("X-Request-Id"),
		"duration_ms": elapsed,
		"body":        redactBody(data),
	})
	return resp, nil
}

func decode(cl call, resp *response, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("xata API: %s %s: decoding %d response (request id: %s): %w",
			cl.method, cl.path, resp.status, resp.header.Get("X-Request-Id"), err)
	}
	return nil
}

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Debug(ctx, msg, fields)
	}
}
