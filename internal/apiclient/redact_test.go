package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// testRedactor hides "secret" in text and the "password" member of JSON
// objects.
var testRedactor = Redactor{
	JSON: func(v any) any {
		return RedactJSON(v, func(_ map[string]any, key string) bool { return key == "password" }, hideSecret)
	},
	Text: hideSecret,
}

func hideSecret(s string) string { return strings.ReplaceAll(s, "secret", Redacted) }

func TestRedactorBody(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"whitespace", " \n", ""},
		{"json", `{"password":"pw","user":"u","list":[{"password":"p2"},"a secret"],"none":null}`,
			`{"list":[{"password":"<redacted>"},"a <redacted>"],"none":null,"password":"<redacted>","user":"u"}`},
		{"null secret stays null", `{"password":null}`, `{"password":null}`},
		{"html kept readable", `{"m":"<b>"}`, `{"m":"<b>"}`},
		{"large integers kept exact", `{"n":12345678901234567890}`, `{"n":12345678901234567890}`},
		{"plain text", "upstream said secret", "upstream said <redacted>"},
		{"trailing garbage is text", `{"password":"pw"} secret`, `{"password":"pw"} <redacted>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testRedactor.Body([]byte(tt.in)); got != tt.want {
				t.Errorf("Body(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorHidesSecrets(t *testing.T) {
	r := testRedactor
	r.secrets = secrets{"key-0123456789"}
	for in, want := range map[string]string{
		`{"m":"bad key key-0123456789"}`:                    `{"m":"bad key <redacted>"}`,
		`denied: key-0123456789`:                            `denied: <redacted>`,
		`{"h":"Authorization: Bearer xau_abcdefgh12345=="}`: `{"h":"Authorization: Bearer <redacted>"}`,
		`bearer eyJhbGciOi.eyJzdWIi.sig-_x a secret`:        `bearer <redacted> a <redacted>`,
		`the bearer of bad news`:                            `the bearer of bad news`,
	} {
		if got := r.Body([]byte(in)); got != want {
			t.Errorf("Body(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestHideErrKeepsChain(t *testing.T) {
	s := secrets{"key-0123456789"}
	base := &TransportError{API: "a", Method: "GET", Path: "/", Err: errors.New("echo key-0123456789")}
	err := s.hideErr(fmt.Errorf("wrapped: %w", base))
	var te *TransportError
	if err.Error() != "wrapped: a: GET /: request failed: echo <redacted>" || !errors.As(err, &te) || te != base {
		t.Errorf("hideErr = %q (chain kept: %v)", err, te == base)
	}
	var hidden *hiddenError
	if errors.As(s.hideErr(errors.New("nothing secret")), &hidden) {
		t.Error("an error without secrets must come back unwrapped")
	}
}

func TestBodyTruncatesAfterRedaction(t *testing.T) {
	pad := strings.Repeat("a", maxLogBody-10)
	got := testRedactor.Body([]byte(pad + " xxsecretsecret"))
	if strings.Contains(got, "secret") || strings.Contains(got, "sec") {
		t.Errorf("secret survived truncation: %q", got[len(got)-40:])
	}
	if !strings.HasSuffix(got, "…(truncated)") || len(got) > maxLogBody+len("…(truncated)") {
		t.Errorf("body not truncated to %d bytes: len %d", maxLogBody, len(got))
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…(truncated)"},
		{"aé", 2, "a…(truncated)"}, // 'é' is two bytes; never split it
		// Invalid UTF-8, as a hostile server may send: no rune starts
		// before the cut, so nothing is kept.
		{"\x80\x80\x80abc", 2, "…(truncated)"},
		{"abc", 0, "…(truncated)"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// discardLogger receives fields and never writes them, as tflog does when
// the provider's logging is off.
type discardLogger struct{ calls int }

func (l *discardLogger) Debug(context.Context, string, map[string]any) { l.calls++ }

// formatLogger writes every field, as tflog does when TF_LOG asks.
type formatLogger struct{ lines []string }

func (l *formatLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

// TestBodiesAreRedactedOnlyWhenWritten: redacting a body is a JSON decode
// and encode; a logger that does not write fields must not pay for it,
// and one that does sees the redacted body with the client's key hidden.
func TestBodiesAreRedactedOnlyWhenWritten(t *testing.T) {
	const key = "key-0123456789abcdef"
	var redactions atomic.Int64
	counting := Redactor{
		JSON: func(v any) any {
			redactions.Add(1)
			return RedactJSON(v, func(_ map[string]any, k string) bool { return k == "password" }, identity[string])
		},
		Text: identity[string],
	}
	body := `{"password":"hunter2","echo":"` + key + `"}`
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) })

	discard := &discardLogger{}
	c := newTestClient(t, h, func(cfg *Config) { cfg.Redact, cfg.Logger, cfg.Secrets = counting, discard, []string{key} })
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if discard.calls != 2 || redactions.Load() != 0 {
		t.Errorf("%d logs, %d bodies redacted; want 2 logs and no redaction when nothing writes them", discard.calls, redactions.Load())
	}

	written := &formatLogger{}
	c = newTestClient(t, h, func(cfg *Config) { cfg.Redact, cfg.Logger, cfg.Secrets = counting, written, []string{key} })
	if err := get(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(written.lines, "\n")
	if redactions.Load() != 1 || !strings.Contains(out, `"password":"<redacted>"`) || strings.Contains(out, "hunter2") ||
		strings.Contains(out, key) {
		t.Errorf("%d bodies redacted; logged:\n%s", redactions.Load(), out)
	}
}
