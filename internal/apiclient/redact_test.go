package apiclient

import (
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

func TestRedactorEncoded(t *testing.T) {
	r := testRedactor
	r.Encoded = func(s string) string { return strings.ReplaceAll(s, "key", Redacted) }
	if got := r.Body([]byte(`{"key":"a key"}`)); got != `{"<redacted>":"a <redacted>"}` {
		t.Errorf("JSON body = %s", got)
	}
	if got := r.Body([]byte(`key secret`)); got != `key <redacted>` {
		t.Errorf("text body = %s, want Encoded left out", got)
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
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
