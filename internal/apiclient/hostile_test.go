package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
