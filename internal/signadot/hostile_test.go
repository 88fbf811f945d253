package signadot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

// hostileConfig keeps the hostile suite fast: three attempts and
// Retry-After capped at 20ms. Only the rows that wait for the per-attempt
// timeout shorten it, to 250ms: the others must get an answer, which a
// loaded machine could delay past a short one.
func hostileConfig(apiURL string, logs *apitest.Logs) Config {
	return Config{
		APIURL: apiURL, APIKey: testKey, Org: "my-org", Logger: logs,
		MaxAttempts: 3, MaxRetryAfter: 20 * time.Millisecond,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
	}
}

func isStatus(status int) func(error) bool {
	return func(err error) bool { return statusOf(err) == status }
}

func isTransport(err error) bool {
	var te *apiclient.TransportError
	return errors.As(err, &te)
}

func TestHostileServer(t *testing.T) {
	dst := httptest.NewServer(&apitest.Headers{})
	defer dst.Close()
	var sent200, sent500 atomic.Int64
	const (
		get    = "signadot API: GET /orgs/my-org/sandboxes/sb: "
		del    = "signadot API: DELETE /orgs/my-org/sandboxes/sb: "
		gaveUp = " (gave up after 3 attempts)"
	)
	apiErr := func(status int, msg string) http.HandlerFunc { return apitest.Reply(status, errBody(status, msg)) }
	isAttemptTimeout := func(err error) bool { return errors.Is(err, apiclient.ErrAttemptTimeout) && isTransport(err) }
	reads := []apitest.Hostile{
		apitest.Case("400", 1, get+"400: invalid sandbox spec (request id: req-400)", isStatus(400),
			apiErr(400, "invalid sandbox spec")),
		apitest.Case("401", 1, get+"401: unauthorized (request id: req-401)",
			func(err error) bool { return isStatus(401)(err) && !IsNotFound(err) }, apiErr(401, "unauthorized")),
		apitest.Case("403 API key not found", 1, get+"403: API key not found (request id: req-403)",
			func(err error) bool { return isStatus(403)(err) && !IsNotFound(err) }, apiErr(403, "API key not found")),
		apitest.Case("404", 1, get+"404: can't get sandbox: not found (request id: req-404)", IsNotFound,
			apiErr(404, "can't get sandbox: not found")),
		apitest.Case("409", 1, get+"409: conflict (request id: req-409)", IsConflict, apiErr(409, "conflict")),
		apitest.Case("429 with Retry-After", 3, get+"429: Too Many Requests"+gaveUp, isStatus(429),
			apitest.Reply(429, "Too Many Requests", "Retry-After", "1")),
		apitest.Case("429 without Retry-After", 3, get+"429: Too Many Requests"+gaveUp, isStatus(429),
			apitest.Reply(429, "Too Many Requests")),
		apitest.Case("500", 3, get+"500: internal error (request id: req-500)"+gaveUp, isStatus(500),
			apiErr(500, "internal error")),
		apitest.Case("502 HTML", 3, get+"502: <html><body>502 Bad Gateway</body></html>"+gaveUp, isStatus(502),
			apitest.Reply(502, "<html><body>502 Bad Gateway</body></html>")),
		apitest.Case("503 with Retry-After", 3, get+"503: upstream unavailable (request id: req-503)"+gaveUp, isStatus(503),
			apitest.Reply(503, errBody(503, "upstream unavailable"), "Retry-After", "30")),
		apitest.Case("504 gateway message", 3, get+"504: upstream request timeout"+gaveUp, isStatus(504),
			apitest.Reply(504, `{"message":"upstream request timeout"}`)),
		apitest.Case("retried until a malformed 200", 3,
			get+"the 200 response is not a sandbox (not JSON: invalid character 'o' looking for beginning of value)", nil,
			apitest.Reply(503, ""), apitest.Reply(502, ""), apitest.Reply(200, "oops", "X-Request-Id", "r2")),
		apitest.Case("malformed JSON", 1, get+"the 200 response is not a sandbox (not JSON: unexpected end of JSON input)", nil,
			apitest.Reply(200, `{"name":"sb","spec":`)),
		apitest.Case("200 HTML", 1, get+"the 200 response is not a sandbox (not JSON: invalid character '<' looking for beginning of value)", nil,
			apitest.Reply(200, "<html>maintenance</html>")),
		apitest.Case("connection reset", 3, get+"request failed: …", isTransport, apitest.Reset),
		apitest.Case("redirect", 1,
			get+"307 redirect to "+dst.URL+"/x refused: the API never redirects; check the API URL",
			func(err error) bool { return errors.Is(err, apiclient.ErrRedirect) },
			apitest.Reply(307, "", "Location", dst.URL+"/x")),
		apitest.Case("key echoed in JSON", 1, get+"401: invalid api key <redacted> (request id: req-1)", isStatus(401),
			apitest.Echo(401, "signadot-api-key", `{"error":"invalid api key %s","requestId":"req-1"}`)),
		apitest.Case("key echoed as a header", 1, get+"400: bad header signadot-api-key: <redacted>", isStatus(400),
			apitest.Echo(400, "signadot-api-key", `{"message":"bad header signadot-api-key: %s"}`)),
		apitest.Case("key echoed in plain text", 3, get+"500: upstream rejected key <redacted>"+gaveUp, isStatus(500),
			apitest.Echo(500, "signadot-api-key", "upstream rejected key %s")),
		apitest.Case("huge 200", 1, get+"200: response body exceeds the 16 MiB limit",
			func(err error) bool { return errors.Is(err, apiclient.ErrBodyTooLarge) }, apitest.Huge(200, 64<<20, &sent200)),
		apitest.Case("huge 500", 3, get+"500: "+strings.Repeat("x", 500)+"…(truncated)"+gaveUp, isStatus(500),
			apitest.Huge(500, 64<<20, &sent500)),
	}
	getSandbox := func(perAttempt time.Duration) func(string, *apitest.Logs) error {
		return func(apiURL string, logs *apitest.Logs) error {
			cfg := hostileConfig(apiURL, logs)
			cfg.AttemptTimeout = perAttempt
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetSandbox(context.Background(), "sb")
			return err
		}
	}
	apitest.RunHostile(t, reads, getSandbox(0), testKey)

	// The per-attempt timeout cuts what never ends; short here, to keep
	// the suite fast.
	timeouts := []apitest.Hostile{
		apitest.Case("endless body", 3,
			get+"request failed: response body not complete within 250ms (per-attempt timeout)"+gaveUp, isAttemptTimeout,
			apitest.Trickle),
		apitest.Case("no response", 3, get+"request failed: no response within 250ms (per-attempt timeout)"+gaveUp,
			isAttemptTimeout, apitest.Hang),
	}
	apitest.RunHostile(t, timeouts, getSandbox(250*time.Millisecond), testKey)

	// Reading stops at the limit: at most half of each 64 MiB body left
	// the server.
	if sent200.Load() > 32<<20 || sent500.Load() > 3*32<<20 {
		t.Errorf("the server sent %d MiB of one 64 MiB body and %d MiB of three", sent200.Load()>>20, sent500.Load()>>20)
	}

	// DELETE is idempotent: repeated even when the server may have acted.
	deletes := []apitest.Hostile{
		apitest.Case("delete 500", 3, del+"500: internal error (request id: req-500)"+gaveUp, isStatus(500),
			apiErr(500, "internal error")),
		apitest.Case("delete connection reset", 3, del+"request failed: …", isTransport, apitest.Reset),
	}
	apitest.RunHostile(t, deletes, func(apiURL string, logs *apitest.Logs) error {
		c, err := NewClient(hostileConfig(apiURL, logs))
		if err != nil {
			t.Fatal(err)
		}
		return c.DeleteSandbox(context.Background(), "sb")
	}, testKey)
}

// TestRedirectsNeverForwardCredentials: the API key goes nowhere but the
// API URL, whatever a redirect names.
func TestRedirectsNeverForwardCredentials(t *testing.T) {
	target := &apitest.Headers{}
	dst := httptest.NewServer(target)
	defer dst.Close()
	for _, src := range apitest.RedirectSources(t, dst.URL+"/x") {
		t.Run(src.Name, func(t *testing.T) {
			cfg := hostileConfig(src.URL, &apitest.Logs{})
			cfg.HTTPClient = src.Client
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListResourcePlugins(context.Background(), false)
			want := "signadot API: GET /orgs/my-org/resource-plugins: 307 redirect to " + src.Location +
				" refused: the API never redirects; check the API URL"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if src.Client.CheckRedirect != nil {
				t.Error("the caller's http.Client was changed")
			}
		})
	}
	for _, h := range target.Seen() {
		t.Errorf("the redirect target got a request (signadot-api-key %q)", h.Get("signadot-api-key"))
	}
}

func TestUnresolvableHostTriedOnce(t *testing.T) {
	logs := &apitest.Logs{}
	cfg := hostileConfig("http://nonexistent.invalid", logs)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Resolver: apitest.NXDomain()}).DialContext}}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSandbox(context.Background(), "sb")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !strings.HasPrefix(err.Error(),
		"signadot API: GET /orgs/my-org/sandboxes/sb: request failed: dial tcp: lookup nonexistent.invalid") {
		t.Errorf("err = %v", err)
	}
	if n := logs.Count("signadot API request"); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}
