package apiclient

import (
	"errors"
	"fmt"
	"strings"
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
