package xata

import (
	"strings"
	"testing"
)

func TestRedactString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"postgresql url", "postgresql://xata:s3cr3t@abc.us-east-1.xata.tech:5432/xata?sslmode=require",
			"postgresql://xata:<redacted>@abc.us-east-1.xata.tech:5432/xata?sslmode=require"},
		{"postgres url", "postgres://u:p@h/db", "postgres://u:<redacted>@h/db"},
		{"upper-case scheme", "POSTGRES://u:p@h", "POSTGRES://u:<redacted>@h"},
		{"embedded in text", "cannot dial postgres://xata:pw@h:5432/x: refused", "cannot dial postgres://xata:<redacted>@h:5432/x: refused"},
		{"password with colon and slash", "postgresql://u:a:b/c@h", "postgresql://u:<redacted>@h"},
		{"two urls", "postgres://a:1@h postgres://b:2@h", "postgres://a:<redacted>@h postgres://b:<redacted>@h"},
		{"no userinfo", "postgresql://h:5432/db", "postgresql://h:5432/db"},
		{"user without password", "postgresql://xata@h/db", "postgresql://xata@h/db"},
		{"other scheme untouched", "https://user:pass@example.com", "https://user:pass@example.com"},
		{"plain text", "branch [x] not found", "branch [x] not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactString(tt.in); got != tt.want {
				t.Errorf("redactString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSensitiveKey(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "Password": true, "connectionString": true, "connection_string": true,
		"token": true, "apiKey": true, "api_key": true, "API-KEY": true,
		"username": false, "id": false, "tokens": false, "hostname": false,
	} {
		if got := sensitiveKey(key); got != want {
			t.Errorf("sensitiveKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"whitespace", " \n", ""},
		{"credentials", `{"username":"xata","password":"pw","connectionString":"postgresql://xata:pw@h/x"}`,
			`{"connectionString":"<redacted>","password":"<redacted>","username":"xata"}`},
		{"nested and arrays", `{"key":{"token":"t","name":"k"},"list":[{"api_key":"a"},{"apiKey":"b"}]}`,
			`{"key":{"name":"k","token":"<redacted>"},"list":[{"api_key":"<redacted>"},{"apiKey":"<redacted>"}]}`},
		{"null secret stays null", `{"connectionString":null}`, `{"connectionString":null}`},
		{"non-string secret", `{"password":{"a":1}}`, `{"password":"<redacted>"}`},
		{"url in other field", `{"message":"dial postgres://u:pw@h failed"}`, `{"message":"dial postgres://u:<redacted>@h failed"}`},
		{"large integers kept exact", `{"n":12345678901234567890}`, `{"n":12345678901234567890}`},
		{"plain text", "upstream connect error postgres://u:pw@h", "upstream connect error postgres://u:<redacted>@h"},
		{"trailing garbage is text", `{"password":"pw"} x`, `{"password":"pw"} x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactBody([]byte(tt.in)); got != tt.want {
				t.Errorf("redactBody(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactBodyTruncatesAfterRedaction(t *testing.T) {
	pad := strings.Repeat("a", maxLogBody-10)
	got := redactBody([]byte(pad + " postgres://u:secretsecret@h"))
	if strings.Contains(got, "secret") {
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
