package apitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Hostile is one way a server misbehaves, and what a client must make of
// it.
type Hostile struct {
	Name  string
	Steps []http.HandlerFunc // the server's answers, the last one repeated
	// Attempts is how many requests the client must send.
	Attempts int
	// Want is the error's exact message, or its start when it ends in
	// "…".
	Want string
	// Is checks the error's class.
	Is func(error) bool
}

// Case builds a Hostile.
func Case(name string, attempts int, want string, is func(error) bool, steps ...http.HandlerFunc) Hostile {
	return Hostile{Name: name, Steps: steps, Attempts: attempts, Want: want, Is: is}
}

// RunHostile serves the steps of each case to call, which builds a client
// for baseURL that logs to logs and makes one call. It checks the error,
// the number of attempts (as the client logged them: a request its
// per-attempt timeout cut may not have reached the server yet), and that
// no secret shows in the error or the logs.
func RunHostile(t *testing.T, cases []Hostile, call func(baseURL string, logs *Logs) error, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			h, n := Script(tc.Steps...)
			srv := httptest.NewServer(h)
			defer srv.Close()
			logs := &Logs{}
			err := call(srv.URL, logs)
			if err == nil {
				t.Fatal("no error")
			}
			if want, prefix := strings.CutSuffix(tc.Want, "…"); prefix && !strings.HasPrefix(err.Error(), want) ||
				!prefix && err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.Want)
			}
			if tc.Is != nil && !tc.Is(err) {
				t.Errorf("error of the wrong class: %#v", err)
			}
			if got := logs.Count(" request"); got != tc.Attempts || int(n.Load()) > got {
				t.Errorf("attempts = %d (%d seen by the server), want %d", got, n.Load(), tc.Attempts)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) || strings.Contains(logs.String(), s) {
					t.Errorf("a secret shows in the error or the logs:\n%v\n%s", err, logs)
				}
			}
		})
	}
}

// RedirectSource is a server that redirects every request to Location.
type RedirectSource struct {
	Name, URL, Location string
	Client              *http.Client // trusts the server's certificate
}

// RedirectSources starts servers that redirect to target (an http:// URL
// on 127.0.0.1): one on another port of the same host, one over https,
// and one to another host name for the same address.
func RedirectSources(t *testing.T, target string) []RedirectSource {
	t.Helper()
	if !strings.HasPrefix(target, "http://127.0.0.1:") {
		t.Fatalf("target %s is not on 127.0.0.1", target)
	}
	var out []RedirectSource
	for _, s := range []struct {
		name, location string
		tls            bool
	}{
		{"same host, other port", target, false},
		{"https to http", target, true},
		{"other host", strings.Replace(target, "127.0.0.1", "localhost", 1), false},
	} {
		srv := httptest.NewUnstartedServer(Reply(http.StatusTemporaryRedirect, "", "Location", s.location))
		if s.tls {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		out = append(out, RedirectSource{Name: s.name, URL: srv.URL, Location: s.location, Client: srv.Client()})
	}
	return out
}
