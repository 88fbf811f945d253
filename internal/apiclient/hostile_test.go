package apiclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

const testSecret = "tk_0123456789abcdef"

// withSecret sends testSecret in the Authorization header, hides it, and
// records the logs in logs.
func withSecret(logs *apitest.Logs) func(*Config) {
	return func(c *Config) {
		c.SetHeaders = func(h http.Header) { h.Set("Authorization", "Bearer "+testSecret) }
		c.Secrets = []string{testSecret}
		c.Logger = logs
	}
}

func TestRedirectsRefused(t *testing.T) {
	target := &apitest.Headers{}
	dst := httptest.NewServer(target)
	defer dst.Close()
	_, port, _ := net.SplitHostPort(dst.Listener.Addr().String())
	for _, tt := range []struct {
		name     string
		code     int
		location string
		wantTo   string
	}{
		{"other port", 307, dst.URL + "/x", dst.URL + "/x"},
		{"other host", 302, "http://localhost:" + port + "/x", "http://localhost:" + port + "/x"},
		{"permanent", 308, dst.URL, dst.URL},
		{"see other", 303, dst.URL, dst.URL},
		{"moved", 301, dst.URL, dst.URL},
		{"relative", 307, "/elsewhere?k=" + testSecret, "/elsewhere?k=<redacted>"},
		{"credentials in location", 307, "http://u:pw@localhost:" + port + "/", "http://u:xxxxx@localhost:" + port + "/"},
		{"no location", 307, "", "nowhere (no Location)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, n := apitest.Script(apitest.Reply(tt.code, "", "Location", tt.location))
			c := newTestClient(t, h, withSecret(&apitest.Logs{}))
			err := get(context.Background(), c)
			if !errors.Is(err, ErrRedirect) || !strings.Contains(err.Error(),
				fmt.Sprintf("test API: GET /x: %d redirect to ", tt.code)) ||
				!strings.Contains(err.Error(), tt.wantTo+" refused: the API never redirects; check the base URL") {
				t.Errorf("err = %v", err)
			}
			if n.Load() != 1 {
				t.Errorf("attempts = %d, want 1: a redirect is not retried", n.Load())
			}
		})
	}
	if seen := target.Seen(); len(seen) != 0 {
		t.Errorf("a redirect was followed: %v", seen)
	}
}

// TestRedirectFromTLS also checks that the caller's own http.Client is
// used, yet left as it was.
func TestRedirectFromTLS(t *testing.T) {
	target := &apitest.Headers{}
	dst := httptest.NewServer(target)
	defer dst.Close()
	src := httptest.NewTLSServer(apitest.Reply(307, "", "Location", dst.URL+"/x"))
	defer src.Close()
	theirs := src.Client()
	c, err := New(Config{
		Name: "test API", BaseURL: src.URL, URLSetting: "base_url", HTTPClient: theirs,
		SetHeaders: func(h http.Header) { h.Set("Authorization", "Bearer "+testSecret) },
		Retryable:  func(method string, err error) bool { return Retryable(method, err, statusOf(err)) },
		DecodeError: func(_, _ string, status int, _ http.Header, _ []byte) error {
			return &statusError{status: status}
		},
		Redact: Redactor{JSON: identity[any], Text: identity[string]},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = get(context.Background(), c)
	want := "test API: GET /x: 307 redirect to " + dst.URL + "/x refused: the API never redirects; check base_url"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if theirs.CheckRedirect != nil {
		t.Error("the caller's http.Client was modified")
	}
	if seen := target.Seen(); len(seen) != 0 {
		t.Errorf("https → http redirect was followed: %v", seen)
	}
}

func TestSecretsHiddenFromErrorsAndLogs(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"401 JSON", apitest.Echo(401, "Authorization", `{"message":"invalid token in header %s"}`)},
		{"400 JSON header-like", apitest.Echo(400, "Authorization", `{"message":"bad request; Authorization: %s"}`)},
		{"500 plain text", apitest.Echo(500, "Authorization", "upstream rejected authorization=%s")},
		{"other bearer token", apitest.Reply(403, "forbidden: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc")},
		{"header", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
			w.WriteHeader(404)
		}},
		{"malformed response", func(w http.ResponseWriter, _ *http.Request) {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.1 %s OK\r\n\r\n", testSecret)
			buf.Flush()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &apitest.Logs{}
			h, _ := apitest.Script(tt.h)
			c := newTestClient(t, h, func(c *Config) { withSecret(logs)(c); c.MaxAttempts = 2 })
			err := get(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, leak := range []string{testSecret, "eyJhbGciOiJIUzI1NiJ9"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error shows a credential: %v", err)
				}
				if strings.Contains(logs.String(), leak) {
					t.Errorf("logs show a credential:\n%s", logs)
				}
			}
			if !strings.Contains(err.Error()+logs.String(), Redacted) {
				t.Errorf("nothing was redacted: %v\n%s", err, logs)
			}
		})
	}
}

func TestDebugHidesSecretsInCallerFields(t *testing.T) {
	logs := &apitest.Logs{}
	c := newTestClient(t, http.NotFoundHandler(), withSecret(logs))
	c.Debug(context.Background(), "m", map[string]any{"s": "a " + testSecret, "e": errors.New(testSecret), "n": 3})
	if got := logs.String(); got != "m map[e:<redacted> n:3 s:a <redacted>]" {
		t.Errorf("logged %s", got)
	}
}

func TestAttemptTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"no response", apitest.Hang, "test API: GET /x: request failed: no response within 50ms (per-attempt timeout) (gave up after 3 attempts)"},
		{"endless body", apitest.Trickle, "test API: GET /x: request failed: response body not complete within 50ms (per-attempt timeout) (gave up after 3 attempts)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := apitest.Script(tt.h)
			logs := &apitest.Logs{}
			c := newTestClient(t, h, func(c *Config) { c.AttemptTimeout, c.MaxAttempts, c.Logger = 50*time.Millisecond, 3, logs })
			err := get(context.Background(), c)
			var te *TransportError
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrAttemptTimeout) || !errors.As(err, &te) {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
			if n := logs.Count(" request"); n != 3 {
				t.Errorf("attempts = %d, want 3", n)
			}
		})
	}
}

func TestOverallDeadlineSaysWhatTheLastAttemptSaw(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"no response", apitest.Hang, "overall deadline reached before any response: context deadline exceeded"},
		{"endless body", apitest.Trickle, "overall deadline reached while the response body was arriving: context deadline exceeded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := apitest.Script(apitest.Reply(503, "busy", "Retry-After", "0"), tt.h)
			logs := &apitest.Logs{}
			c := newTestClient(t, h, func(c *Config) { c.Logger = logs }) // the default per-attempt timeout is far away
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			err := get(ctx, c)
			want := "test API: GET /x: request failed: " + tt.want + " (previous attempt: test API: 503: busy)"
			if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) || statusOf(err) != 503 {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if n := logs.Count(" request"); n != 2 {
				t.Errorf("attempts = %d, want 2", n)
			}
		})
	}
}

func TestDeadlineBeforeNextAttempt(t *testing.T) {
	h, n := apitest.Script(apitest.Reply(503, "busy", "Retry-After", "30"))
	c := newTestClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := get(ctx, c)
	want := "overall deadline reached before the next attempt, due in 30s (context deadline exceeded); last attempt: test API: 503: busy"
	if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if n.Load() != 1 {
		t.Errorf("attempts = %d, want 1", n.Load())
	}
}

func TestUnreachableNotRetried(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(apitest.Reply(200, okBody))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	for _, tt := range []struct {
		name, baseURL string
		client        *http.Client
		want          string
		as            func(error) bool
	}{
		{"no such host", "http://nonexistent.invalid",
			&http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Resolver: apitest.NXDomain()}).DialContext}},
			"lookup nonexistent.invalid", func(err error) bool {
				var dnsErr *net.DNSError
				return errors.As(err, &dnsErr) && dnsErr.IsNotFound
			}},
		// The default client does not trust the test server's certificate.
		{"untrusted certificate", tlsSrv.URL, nil, "certificate signed by unknown authority", func(err error) bool {
			var unknownCA x509.UnknownAuthorityError
			var verifyErr *tls.CertificateVerificationError
			return errors.As(err, &unknownCA) && errors.As(err, &verifyErr)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &apitest.Logs{}
			c := newTestClient(t, http.NotFoundHandler(), func(c *Config) {
				c.BaseURL, c.HTTPClient, c.Logger = tt.baseURL, tt.client, logs
			})
			err := get(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !tt.as(err) {
				t.Fatalf("err = %v", err)
			}
			if n := logs.Count("test API request"); n != 1 {
				t.Errorf("attempts = %d, want 1", n)
			}
			if Ambiguous(err, 0) {
				t.Error("a request that never reached the server is not ambiguous")
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	const size = 256 << 20
	var sent atomic.Int64
	h, n := apitest.Script(apitest.Huge(200, size, &sent))
	c := newTestClient(t, h, nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := get(context.Background(), c)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBodyTooLarge) || !strings.HasPrefix(err.Error(), "test API: GET /x: 200: response body exceeds the 16 MiB limit") {
		t.Errorf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("attempts = %d, want 1: the same body would come back", n.Load())
	}
	// Reading stops just past the limit, so the server could not send
	// the rest, and allocations stay a small multiple of the limit (about
	// 2x; 4x under the race detector), far from the body's 16x.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*maxResponseBody {
		t.Errorf("allocated %d MiB for a %d MiB limit", alloc>>20, maxResponseBody>>20)
	}
	if sent.Load() > size/2 {
		t.Errorf("the server sent %d MiB", sent.Load()>>20)
	}
}

// TestBodyAtTheLimit checks the edges of the limit: a 2xx body of exactly
// maxResponseBody bytes is decoded, one byte more is refused, whatever the
// 2xx.
func TestBodyAtTheLimit(t *testing.T) {
	for _, tt := range []struct {
		name         string
		status, size int
		want         error
	}{
		{"at the limit", 200, maxResponseBody, nil},
		{"one byte over", 200, maxResponseBody + 1, ErrBodyTooLarge},
		{"one byte over, 299", 299, maxResponseBody + 1, ErrBodyTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// JSON of size bytes whose last byte matters: cut short, it
			// would not decode.
			h, _ := apitest.Script(apitest.Reply(tt.status, strings.Repeat(" ", tt.size-len(okBody))+okBody))
			c := newTestClient(t, h, nil)
			var out map[string]any
			err := c.Do(context.Background(), Call{Method: http.MethodGet, Path: "/x"}, &out)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil && out["ok"] != true {
				t.Errorf("decoded %v", out)
			}
		})
	}
}

func TestConnectionResetRetriedForGet(t *testing.T) {
	h, n := apitest.Script(apitest.Reset, apitest.Reply(200, okBody))
	c := newTestClient(t, h, nil)
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d, want 2", n.Load())
	}
}
