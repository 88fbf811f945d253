// Package apiclient is the HTTP machinery shared by this project's API
// clients: retries with jittered backoff and Retry-After, an adaptive rate
// limiter shared by every caller, per-attempt timeouts, refused redirects,
// size-capped responses, and credentials kept out of errors and debug
// logs. It knows nothing of any particular API: each client supplies its
// URL, headers, error format, retry policy and redaction.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Logger receives debug logs. Fields are already redacted.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Every func is required except Redact.Encoded;
// zero values of the tuning fields select the defaults noted.
type Config struct {
	// Name starts error and log messages, e.g. "xata API".
	Name string
	// BaseURL is prepended to every Call.Path; it has no trailing slash.
	BaseURL string
	// SetHeaders adds the API's own headers (authentication, User-Agent)
	// to every request.
	SetHeaders func(http.Header)
	// LogFields are added to every request log, e.g. the authentication
	// header with its secret redacted.
	LogFields map[string]any
	// Secrets are the client's own credentials (API keys). They are hidden
	// from every error and log, whatever the server echoes.
	Secrets []string
	// URLSetting names where the user sets BaseURL, for the errors that
	// point at it, e.g. "base_url"; default "the base URL".
	URLSetting string
	// Retryable decides whether Do repeats a call that failed with err.
	Retryable func(method string, err error) bool
	// DecodeError builds the error for a non-2xx response.
	DecodeError func(method, path string, status int, header http.Header, body []byte) error
	Redact      Redactor
	Logger      Logger // nil means no logging

	// HTTPClient defaults to &http.Client{}. The Client uses a copy that
	// refuses redirects.
	HTTPClient *http.Client
	// Limiter is shared by every caller of the API; nil means unlimited.
	Limiter *Limiter
	// AttemptTimeout bounds one attempt, from sending the request to
	// reading the last byte of the response; default 30s.
	AttemptTimeout time.Duration
	MaxAttempts    int           // per call, default 8
	MaxRetryAfter  time.Duration // cap for Retry-After but on a 429, default 30s
	// MaxQuotaWait is the longest a call waits for the API key's quota to
	// come back after a 429 (its Retry-After, or the X-RateLimit-Reset of a
	// spent quota); a call whose context ends sooner waits no longer than
	// that. A longer wait fails the call at once with a *QuotaError.
	// Default 90s: a spent minute window is waited out, a spent hour not.
	MaxQuotaWait time.Duration
	MinBackoff   time.Duration // default 300ms
	MaxBackoff   time.Duration // default 5s
	Clock        Clock         // for the waits between attempts; default the system clock
}

// Client sends calls to one API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	secrets secrets
}

// maxResponseBody guards memory against a misbehaving endpoint; real
// bodies (a branch or plugin list) are at most a few megabytes.
const maxResponseBody = 16 << 20

// New applies the defaults to cfg and validates it.
func New(cfg Config) (*Client, error) {
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient // the caller's client keeps its own policy
	}
	// Following a redirect would send the credentials wherever the
	// Location points; roundTrip turns the 3xx into an error instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.URLSetting == "" {
		cfg.URLSetting = "the base URL"
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	if cfg.MaxQuotaWait <= 0 {
		cfg.MaxQuotaWait = 90 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 300 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		return nil, fmt.Errorf("MaxBackoff (%v) is less than MinBackoff (%v)", cfg.MaxBackoff, cfg.MinBackoff)
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	var sec secrets
	for _, s := range cfg.Secrets {
		if s != "" {
			sec = append(sec, s)
		}
	}
	cfg.Redact.secrets = sec
	return &Client{cfg: cfg, http: hc, secrets: sec}, nil
}

// Call is one logical API operation; it may take several attempts.
type Call struct {
	Method string
	Path   string // escaped and relative to BaseURL
	Query  url.Values
	Body   []byte // JSON, nil for none
}

// NewCall builds a call whose body is in as JSON (none if in is nil).
func (c *Client) NewCall(method, path string, query url.Values, in any) (Call, error) {
	cl := Call{Method: method, Path: path, Query: query}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return cl, fmt.Errorf("%s: %s %s: encoding request: %w", c.cfg.Name, method, path, err)
		}
		cl.Body = b
	}
	return cl, nil
}

// Response is the complete response to one attempt, with the quota its
// headers reported, if any.
type Response struct {
	status    int
	header    http.Header
	body      []byte
	budget    Budget
	hasBudget bool
}

// Do runs cl while Config.Retryable allows and decodes a 2xx body into out
// (if non-nil). Calls that need their own policy (a write that must not be
// repeated blindly) build the same loop from Attempt, WithPrevious and
// AwaitRetry.
func (c *Client) Do(ctx context.Context, cl Call, out any) error {
	var last error
	for attempt := 1; ; attempt++ {
		resp, err := c.Attempt(ctx, cl, attempt)
		if err == nil {
			return c.Decode(cl, resp, out)
		}
		if ctx.Err() != nil {
			return WithPrevious(err, last)
		}
		if !c.cfg.Retryable(cl.Method, err) {
			return err
		}
		last = err
		if err := c.AwaitRetry(ctx, cl, attempt, resp, err); err != nil {
			return err
		}
	}
}

// Attempt makes attempt number n of cl: it waits on the shared limiter,
// sends the request and reads the whole response within
// Config.AttemptTimeout. A nil error means a 2xx response; a non-2xx one
// comes with the error of Config.DecodeError, and a failure without a
// complete response is a *TransportError.
func (c *Client) Attempt(ctx context.Context, cl Call, n int) (*Response, error) {
	var ticket uint64
	lim := c.cfg.Limiter
	if lim != nil {
		t, err := lim.wait(ctx, c.quotaWait(ctx))
		var spent *quotaSpent
		switch {
		case errors.As(err, &spent):
			return nil, &QuotaError{API: c.cfg.Name, Method: cl.Method, Path: cl.Path, Until: spent.until,
				MaxWait: c.quotaWait(ctx), Budget: spent.budget, now: c.cfg.Clock.Now()}
		case err != nil:
			return nil, fmt.Errorf("%s: %s %s: %s while waiting for the rate limiter (the server asked to slow down): %w",
				c.cfg.Name, cl.Method, cl.Path, ended(ctx), err)
		}
		ticket = t
	}
	resp, err := c.roundTrip(ctx, cl, n)
	if err != nil {
		return resp, err
	}
	now := c.cfg.Clock.Now()
	budget, hasBudget := parseBudget(resp.header, now)
	if lim != nil && hasBudget {
		lim.observe(budget)
	}
	if resp.status >= 200 && resp.status <= 299 {
		return resp, nil
	}
	header, body := c.secrets.hideResponse(resp.header, resp.body)
	resp = &Response{status: resp.status, header: header, body: body, budget: budget, hasBudget: hasBudget}
	apiErr := c.cfg.DecodeError(cl.Method, cl.Path, resp.status, resp.header, resp.body)
	if !Refused(resp.status) {
		return resp, apiErr
	}
	wait, asked := serverWait(resp, budget, hasBudget, now)
	switch {
	case resp.status == http.StatusTooManyRequests && asked && wait > c.quotaWait(ctx):
		// Waiting would outlast the operation, and retrying sooner meets
		// the same refusal: fail now, and every later call with it.
		if lim != nil {
			lim.spend(now.Add(wait))
		}
		return resp, &QuotaError{API: c.cfg.Name, Method: cl.Method, Path: cl.Path, Until: now.Add(wait),
			MaxWait: c.quotaWait(ctx), Budget: budget, Err: apiErr, now: now}
	case lim != nil && hasBudget && budget.Remaining == 0 && asked:
		lim.spend(now.Add(wait))
		c.Debug(ctx, c.cfg.Name+" quota spent", map[string]any{
			"status": resp.status, "paused_until": now.Add(wait).Format(time.RFC3339Nano), "limit": budget.Limit,
		})
	case lim != nil:
		rate, until := lim.refused(ticket, c.retryDelay(resp, n-1))
		c.Debug(ctx, c.cfg.Name+" throttled", map[string]any{
			"status": resp.status, "paused_until": until.Format(time.RFC3339Nano), "allowed_rate_per_s": rate,
		})
	}
	return resp, apiErr
}

// ended says how ctx, done, ended the call.
func ended(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "overall deadline reached"
	}
	return "call cancelled"
}

func (c *Client) roundTrip(ctx context.Context, cl Call, n int) (*Response, error) {
	target := c.cfg.BaseURL + cl.Path
	if len(cl.Query) > 0 {
		target += "?" + cl.Query.Encode()
	}
	var body io.Reader
	if cl.Body != nil {
		body = bytes.NewReader(cl.Body)
	}
	// The timeout covers reading the body too: a server may send headers
	// and then trickle, or nothing.
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, cl.Method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %w", c.cfg.Name, cl.Method, cl.Path, err)
	}
	req.Header.Set("Accept", "application/json")
	if cl.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.cfg.SetHeaders(req.Header)

	logURL := req.URL.Redacted()
	fields := map[string]any{"method": cl.Method, "url": logURL, "attempt": n, "body": c.cfg.Redact.LogBody(cl.Body)}
	maps.Copy(fields, c.cfg.LogFields)
	c.Debug(ctx, c.cfg.Name+" request", fields)

	start := time.Now()
	res, err := c.http.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(res.Body, maxResponseBody+1))
		res.Body.Close()
	}
	elapsed := time.Since(start).Milliseconds()
	if err != nil {
		err = c.secrets.hideErr(c.transportCause(ctx, actx, res != nil, err))
		c.Debug(ctx, c.cfg.Name+" response", map[string]any{
			"method": cl.Method, "url": logURL, "duration_ms": elapsed, "error": err.Error(),
		})
		return nil, &TransportError{API: c.cfg.Name, Method: cl.Method, Path: cl.Path, Err: err}
	}
	fields = map[string]any{
		"method":      cl.Method,
		"url":         logURL,
		"status":      res.StatusCode,
		"request_id":  res.Header.Get("X-Request-Id"),
		"duration_ms": elapsed,
	}
	tooLarge := len(data) > maxResponseBody
	if tooLarge {
		data = data[:maxResponseBody]
		fields["body"] = ErrBodyTooLarge.Error()
	} else {
		fields["body"] = c.cfg.Redact.LogBody(data)
	}
	if res.StatusCode >= 300 && res.StatusCode <= 399 {
		fields["location"] = res.Header.Get("Location")
	}
	c.Debug(ctx, c.cfg.Name+" response", fields)

	switch {
	case res.StatusCode >= 300 && res.StatusCode <= 399:
		to := "nowhere (no Location)"
		if u, err := res.Location(); err == nil {
			to = c.secrets.hide(u.Redacted())
		}
		return nil, fmt.Errorf("%s: %s %s: %d redirect to %s refused: %w; check %s",
			c.cfg.Name, cl.Method, cl.Path, res.StatusCode, to, ErrRedirect, c.cfg.URLSetting)
	case tooLarge && res.StatusCode >= 200 && res.StatusCode <= 299:
		// Decoding a truncated body would fail confusingly, or worse,
		// succeed; an error status is still worth its first bytes.
		return nil, c.secrets.hideErr(fmt.Errorf("%s: %s %s: %d: %w%s",
			c.cfg.Name, cl.Method, cl.Path, res.StatusCode, ErrBodyTooLarge, requestID(res.Header)))
	}
	return &Response{status: res.StatusCode, header: res.Header, body: data}, nil
}

// transportCause explains why an attempt got no complete response. When
// the call's context or the attempt's timeout cut it, the HTTP error only
// says "context deadline exceeded": say which it was and what had arrived.
func (c *Client) transportCause(ctx, actx context.Context, gotHeaders bool, err error) error {
	// The url.Error wrapper repeats method and full URL; keep the cause.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case ctx.Err() != nil && gotHeaders:
		return fmt.Errorf("%s while the response body was arriving: %w", ended(ctx), context.Cause(ctx))
	case ctx.Err() != nil:
		return fmt.Errorf("%s before any response: %w", ended(ctx), context.Cause(ctx))
	case actx.Err() != nil && gotHeaders:
		return fmt.Errorf("response body not complete within %v (%w)", c.cfg.AttemptTimeout, ErrAttemptTimeout)
	case actx.Err() != nil:
		return fmt.Errorf("no response within %v (%w)", c.cfg.AttemptTimeout, ErrAttemptTimeout)
	}
	return err
}

// Decode decodes the body of resp, the 2xx response to cl, into out (if
// non-nil).
func (c *Client) Decode(cl Call, resp *Response, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return c.secrets.hideErr(fmt.Errorf("%s: %s %s: decoding %d response%s: %w",
			c.cfg.Name, cl.Method, cl.Path, resp.status, requestID(resp.header), err))
	}
	return nil
}

// requestID names the response's request ID, if any, for an error.
func requestID(h http.Header) string {
	if id := h.Get("X-Request-Id"); id != "" {
		return " (request id: " + id + ")"
	}
	return ""
}

// AwaitRetry is called when attempt failed with err (resp is its
// response, nil if none) and is to be repeated. Once MaxAttempts are used
// up it returns err, saying so; otherwise it sleeps for the server's
// Retry-After, capped, else a jittered backoff. It returns early, saying
// the overall deadline was reached (wrapping the context's error and err),
// when ctx ends first or its deadline is too close for the retry to happen
// at all. A non-nil result ends the call.
func (c *Client) AwaitRetry(ctx context.Context, cl Call, attempt int, resp *Response, err error) error {
	var quota *QuotaError
	if errors.As(err, &quota) {
		return err // a retry could only come after the call may wait
	}
	if attempt >= c.cfg.MaxAttempts {
		return gaveUp(err, attempt)
	}
	d := c.retryDelay(resp, attempt-1)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return fmt.Errorf("overall deadline reached before the next attempt, due in %v (%w); last attempt: %w",
			d.Round(time.Millisecond), context.DeadlineExceeded, err)
	}
	c.Debug(ctx, c.cfg.Name+" retry", map[string]any{
		"method":   cl.Method,
		"path":     cl.Path,
		"attempt":  attempt + 1,
		"delay_ms": d.Milliseconds(),
		"error":    c.cfg.Redact.Text(err.Error()),
	})
	if serr := c.cfg.Clock.Sleep(ctx, d); serr != nil {
		return fmt.Errorf("%s while waiting to retry (%w); last attempt: %w", ended(ctx), serr, err)
	}
	return nil
}

// WithPrevious keeps the error of an earlier attempt visible when the
// context ends the call (the latest error is then usually just
// "context canceled").
func WithPrevious(err, last error) error {
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

// retryDelay is the wait before retry number n (0-based): what the server
// asked for, capped (a 429 by MaxQuotaWait, which Attempt has checked,
// anything else by MaxRetryAfter), else jittered exponential backoff.
func (c *Client) retryDelay(resp *Response, n int) time.Duration {
	if resp != nil {
		if d, ok := serverWait(resp, resp.budget, resp.hasBudget, c.cfg.Clock.Now()); ok {
			if resp.status == http.StatusTooManyRequests {
				return min(d, c.cfg.MaxQuotaWait)
			}
			return min(d, c.cfg.MaxRetryAfter)
		}
	}
	return c.backoff(n)
}

// Budget is the API key's quota as the server last reported it, less the
// requests sent since (false without a limiter or a report).
func (c *Client) Budget() (Budget, bool) {
	if c.cfg.Limiter == nil {
		return Budget{}, false
	}
	return c.cfg.Limiter.Budget()
}

// backoff is min(MaxBackoff, MinBackoff·2^n) scaled by a random 50–100 %, so
// callers sharing a limit don't retry in lockstep.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 0; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
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

// Debug logs msg if the client has a logger. Fields must be redacted of
// the API's secrets; the client's own credentials are hidden here from
// every string, error and Stringer field.
func (c *Client) Debug(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Logger == nil {
		return
	}
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			out[k] = c.secrets.hide(v)
		case error:
			out[k] = c.secrets.hide(v.Error())
		case fmt.Stringer: // e.g. a LogBody: hidden when it is written
			out[k] = lazyText(func() string { return c.secrets.hide(v.String()) })
		default:
			out[k] = v
		}
	}
	c.cfg.Logger.Debug(ctx, msg, out)
}

// HideSecrets hides the client's own credentials, and bearer tokens, in s.
func (c *Client) HideSecrets(s string) string { return c.secrets.hide(s) }
