package xata

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
func hostileConfig(baseURL string, logs *apitest.Logs) Config {
	return Config{
		BaseURL: baseURL, APIKey: testKey, Logger: logs,
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
	dst := httptestServer(t, &apitest.Headers{})
	var sent200, sent500 atomic.Int64
	const (
		get    = "xata API: GET /organizations/o/projects/p/branches/b: "
		rotate = "xata API: POST /organizations/o/projects/p/branches/b/credentials/rotate: "
		gaveUp = " (gave up after 3 attempts)"
	)
	jsonErr := func(status int, msg string) http.HandlerFunc {
		return apitest.Reply(status, `{"id":"req_1","message":"`+msg+`"}`)
	}
	reads := []apitest.Hostile{
		apitest.Case("400", 1, get+"400: invalid branch ID (request id: req_1)",
			isStatus(400),
			jsonErr(400, "invalid branch ID")),
		apitest.Case("401", 1, get+"401: invalid API key (request id: req_1)",
			isStatus(401),
			jsonErr(401, "invalid API key")),
		apitest.Case("403", 1, get+"403: forbidden by policy (request id: req_1)",
			isStatus(403),
			jsonErr(403, "forbidden by policy")),
		apitest.Case("404", 1, get+"404: branch [b] not found (request id: req_1)",
			IsNotFound,
			jsonErr(404, "branch [b] not found")),
		apitest.Case("409 on a GET", 1, get+"409: branch [b] was modified concurrently, please retry (request id: req_1)",
			IsConflict,
			jsonErr(409, "branch [b] was modified concurrently, please retry")),
		apitest.Case("429 with Retry-After", 3, get+"429: local_rate_limited"+gaveUp,
			isStatus(429),
			apitest.Reply(429, "local_rate_limited", "Retry-After", "1")),
		apitest.Case("429 without Retry-After", 3, get+"429: local_rate_limited"+gaveUp,
			isStatus(429),
			apitest.Reply(429, "local_rate_limited")),
		apitest.Case("500", 3, get+"500: Internal Error (Request ID: req_1)"+gaveUp,
			isStatus(500),
			jsonErr(500, "Internal Error (Request ID: req_1)")),
		apitest.Case("502 HTML", 3, get+"502: <html><body>502 Bad Gateway</body></html>"+gaveUp,
			isStatus(502),
			apitest.Reply(502, "<html><body>502 Bad Gateway</body></html>")),
		apitest.Case("503 with Retry-After", 3, get+"503: Service temporarily unavailable. Please try again later. (Request ID: req_1)"+gaveUp,
			isStatus(503),
			apitest.Reply(503,
				`{"id":"req_1","message":"Service temporarily unavailable. Please try again later. (Request ID: req_1)"}`, "Retry-After", "30")),
		apitest.Case("504 empty", 3, get+"504: Gateway Timeout"+gaveUp,
			isStatus(504),
			apitest.Reply(504, "")),
		apitest.Case("retried until a malformed 200", 3, get+"decoding 200 response (request id: req_2): invalid character 'o' looking for beginning of value",
			nil,
			apitest.Reply(503, ""), apitest.Reply(502, ""),
			apitest.Reply(200, "oops", "X-Request-Id", "req_2")),
		apitest.Case("malformed JSON", 1, get+"decoding 200 response (request id: req_1): unexpected end of JSON input",
			nil,
			apitest.Reply(200, `{"id":"b","name":`, "X-Request-Id", "req_1")),
		apitest.Case("200 HTML", 1, get+"decoding 200 response: invalid character '<' looking for beginning of value",
			nil,
			apitest.Reply(200, "<html>maintenance</html>")),
		apitest.Case("connection reset", 3, get+"request failed: …",
			isTransport,
			apitest.Reset),
		apitest.Case("redirect", 1, get+"307 redirect to "+dst+"/x refused: the API never redirects; check base_url",
			func(err error) bool { return errors.Is(err, apiclient.ErrRedirect) },
			apitest.Reply(307, "", "Location", dst+"/x")),
		apitest.Case("key echoed in JSON", 1, get+"401: invalid key Bearer <redacted>",
			isStatus(401),
			apitest.Echo(401, "Authorization", `{"message":"invalid key %s"}`)),
		apitest.Case("key echoed as a header", 1, get+"400: bad header Authorization: Bearer <redacted>",
			isStatus(400),
			apitest.Echo(400, "Authorization", `{"message":"bad header Authorization: %s"}`)),
		apitest.Case("key echoed in plain text", 3, get+"500: upstream said authorization=Bearer <redacted>"+gaveUp,
			isStatus(500),
			apitest.Echo(500, "Authorization", "upstream said authorization=%s")),
		apitest.Case("huge 200", 1, get+"200: response body exceeds the 16 MiB limit",
			func(err error) bool { return errors.Is(err, apiclient.ErrBodyTooLarge) },
			apitest.Huge(200, 64<<20, &sent200)),
		apitest.Case("huge 500", 3, get+"500: "+strings.Repeat("x", 500)+"…(truncated)"+gaveUp,
			isStatus(500),
			apitest.Huge(500, 64<<20, &sent500)),
	}
	getBranch := func(perAttempt time.Duration) func(string, *apitest.Logs) error {
		return func(baseURL string, logs *apitest.Logs) error {
			cfg := hostileConfig(baseURL, logs)
			cfg.AttemptTimeout = perAttempt
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetBranch(context.Background(), "o", "p", "b")
			return err
		}
	}
	apitest.RunHostile(t, reads, getBranch(0), testKey)

	// The per-attempt timeout cuts what never ends; short here, to keep
	// the suite fast.
	timeouts := []apitest.Hostile{
		apitest.Case("endless body", 3, get+"request failed: response body not complete within 250ms (per-attempt timeout)"+gaveUp,
			func(err error) bool { return errors.Is(err, apiclient.ErrAttemptTimeout) && isTransport(err) },
			apitest.Trickle),
		apitest.Case("no response", 3, get+"request failed: no response within 250ms (per-attempt timeout)"+gaveUp,
			func(err error) bool { return errors.Is(err, apiclient.ErrAttemptTimeout) && isTransport(err) },
			apitest.Hang),
	}
	apitest.RunHostile(t, timeouts, getBranch(250*time.Millisecond), testKey)

	// Reading stops at the limit: at most half of each 64 MiB body left
	// the server.
	if sent200.Load() > 32<<20 || sent500.Load() > 3*32<<20 {
		t.Errorf("the server sent %d MiB of one 64 MiB body and %d MiB of three", sent200.Load()>>20, sent500.Load()>>20)
	}

	// A write is repeated only when the server refused it before doing
	// anything.
	writes := []apitest.Hostile{
		apitest.Case("write 500", 1, rotate+"500: Internal Error (Request ID: req_1)",
			isStatus(500),
			jsonErr(500, "Internal Error (Request ID: req_1)")),
		apitest.Case("write 429", 3, rotate+"429: local_rate_limited"+gaveUp,
			isStatus(429),
			apitest.Reply(429, "local_rate_limited")),
		apitest.Case("write connection reset", 1, rotate+"request failed: …",
			isTransport,
			apitest.Reset),
	}
	rotateCredentials := func(perAttempt time.Duration) func(string, *apitest.Logs) error {
		return func(baseURL string, logs *apitest.Logs) error {
			cfg := hostileConfig(baseURL, logs)
			cfg.AttemptTimeout = perAttempt
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return c.RotateBranchCredentials(context.Background(), "o", "p", "b")
		}
	}
	apitest.RunHostile(t, writes, rotateCredentials(0), testKey)
	apitest.RunHostile(t, []apitest.Hostile{
		apitest.Case("write no response", 1, rotate+"request failed: no response within 250ms (per-attempt timeout)",
			isTransport,
			apitest.Hang),
	}, rotateCredentials(250*time.Millisecond), testKey)
}

// TestRedirectsNeverForwardCredentials: neither the redirect nor a retry
// sends the API key anywhere but base_url.
func TestRedirectsNeverForwardCredentials(t *testing.T) {
	target := &apitest.Headers{}
	dst := httptestServer(t, target)
	for _, src := range apitest.RedirectSources(t, dst+"/x") {
		t.Run(src.Name, func(t *testing.T) {
			cfg := hostileConfig(src.URL, &apitest.Logs{})
			cfg.HTTPClient = src.Client
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListBranches(context.Background(), "o", "p")
			want := "xata API: GET /organizations/o/projects/p/branches: 307 redirect to " + src.Location +
				" refused: the API never redirects; check base_url"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if src.Client.CheckRedirect != nil {
				t.Error("the caller's http.Client was changed")
			}
		})
	}
	for _, h := range target.Seen() {
		t.Errorf("the redirect target got a request (Authorization %q)", h.Get("Authorization"))
	}
}

func httptestServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestUnresolvableHostTriedOnce(t *testing.T) {
	logs := &apitest.Logs{}
	cfg := hostileConfig("http://nonexistent.invalid", logs)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Resolver: apitest.NXDomain()}).DialContext}}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBranch(context.Background(), "o", "p", "b")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !strings.HasPrefix(err.Error(),
		"xata API: GET /organizations/o/projects/p/branches/b: request failed: dial tcp: lookup nonexistent.invalid") {
		t.Errorf("err = %v", err)
	}
	if n := logs.Count("xata API request"); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}
