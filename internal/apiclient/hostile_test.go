package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
