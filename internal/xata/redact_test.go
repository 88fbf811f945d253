package xata

import (
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
		{"credentials", `{"username":"xata","password":"pw","connectionString":"postgresql://xata:pw@h/x"}`,
			`{"connectionString":"<redacted>","password":"<redacted>","username":"xata"}`},
		{"nested and arrays", `{"key":{"token":"t","name":"k"},"list":[{"api_key":"a"},{"apiKey":"b"}]}`,
			`{"key":{"name":"k","token":"<redacted>"},"list":[{"api_key":"<redacted>"},{"apiKey":"<redacted>"}]}`},
		{"null secret stays null", `{"connectionString":null}`, `{"connectionString":null}`},
		{"non-string secret", `{"password":{"a":1}}`, `{"password":"<redacted>"}`},
		{"url in other field", `{"message":"dial postgres://u:pw@h failed"}`, `{"message":"dial postgres://u:<redacted>@h failed"}`},
		{"plain text", "upstream connect error postgres://u:pw@h", "upstream connect error postgres://u:<redacted>@h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logRedactor.Body([]byte(tt.in)); got != tt.want {
				t.Errorf("logRedactor.Body(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
