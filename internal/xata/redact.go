package xata

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

const redacted = "<redacted>"

// maxLogBody keeps debug logs readable; bodies are truncated after redaction
// so a cut can never expose half a secret.
const maxLogBody = 4096

// pgUserinfo matches the user:password@ part of a Postgres URL. The password
// runs to the first '@' so unescaped ':' or '/' in it are still covered; at
// worst a URL without userinfo followed by an '@' is over-redacted.
var pgUserinfo = regexp.MustCompile(`(?i)(postgres(?:ql)?://[^:@/\s]*):[^@\s]*@`)

// redactString hides the password of any Postgres URL in s.
func redactString(s string) string {
	return pgUserinfo.ReplaceAllString(s, "${1}:"+redacted+"@")
}

// sensitiveKey reports whether a JSON key holds a secret. Case, '_' and '-'
// are ignored so api_key, apiKey and connection_string all match.
func sensitiveKey(k string) bool {
	k = strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
	switch k {
	case "password", "connectionstring", "token", "apikey":
		return true
	}
	return false
}

// redactValue returns v (a decoded JSON value) with secret keys replaced
// and Postgres URL passwords hidden in every string.
func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			if sensitiveKey(k) && val != nil {
				out[k] = redacted
			} else {
				out[k] = redactValue(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = redactValue(val)
		}
		return out
	case string:
		return redactString(v)
	default:
		return v
	}
}

// redactBody renders a request or response body for a debug log. JSON is
// redacted structurally; anything else (Envoy text, HTML) as text.
func redactBody(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep large integers exact in the log
	var v any
	if dec.Decode(&v) == nil && !dec.More() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // keep "<redacted>" readable
		if enc.Encode(redactValue(v)) == nil {
			return truncate(strings.TrimSuffix(buf.String(), "\n"), maxLogBody)
		}
	}
	return truncate(redactString(string(body)), maxLogBody)
}

// truncate shortens s to at most n bytes without splitting a UTF-8 rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(truncated)"
}
