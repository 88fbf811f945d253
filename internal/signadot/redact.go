package signadot

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

// dbUserinfo matches the user:password@ part of a database URL (Postgres,
// MySQL, …). The password runs to the first '@' so unescaped ':' or '/' in
// it are still covered.
var dbUserinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^:@/\s]*):[^@\s]*@`)

// Scripts and pod template overlays are strings, so secrets inside them
// are found by shape: a shell-style assignment to a secret-looking name
// (XATA_API_KEY=…), and a YAML env entry whose name looks secret followed
// by a literal value.
var (
	secretAssign   = regexp.MustCompile(`(?i)(\b[a-z0-9_]*(?:password|passwd|secret|token|api_?key|credential)[a-z0-9_]*=)([^\s;&|]+)`)
	secretYAMLPair = regexp.MustCompile(`(?im)(name:\s*["']?[a-z0-9_.-]*(?:password|passwd|secret|token|api_?key|credential)[a-z0-9_.-]*["']?\s*\n\s*value:[ \t]*)(\S.*)$`)
)

// redactString hides URL passwords and secret-looking assignments in s.
func redactString(s string) string {
	s = dbUserinfo.ReplaceAllString(s, "${1}:"+redacted+"@")
	s = secretAssign.ReplaceAllString(s, "${1}"+redacted)
	return secretYAMLPair.ReplaceAllString(s, "${1}"+redacted)
}

// sensitiveWords mark a key as holding a secret. Keys are compared
// lower-cased without '_', '-' and '.', and by substring, because plugin
// outputs and params are free-form: "provision.connection-string",
// "DB_PASSWORD", "apiToken".
var sensitiveWords = []string{"password", "passwd", "secret", "token", "apikey", "connectionstring", "credential", "privatekey"}

// secretRefKeys are objects that only name a secret (Kubernetes
// secretKeyRef, a sandbox env valueFrom.secret); they stay readable.
var secretRefKeys = map[string]bool{"secretkeyref": true, "secret": true, "secretref": true}

func normKey(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(k))
}

func sensitiveKey(k string) bool {
	k = normKey(k)
	for _, w := range sensitiveWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redactValue returns v (a decoded JSON value) with secrets replaced:
// scalar values under sensitive keys, the "value" of a {"name","value"}
// pair whose name is sensitive (sandbox env vars), and URL passwords in
// every string.
func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		name, _ := v["name"].(string)
		for k, val := range v {
			switch {
			case val == nil:
				out[k] = nil
			case k == "value" && sensitiveKey(name):
				out[k] = redacted
			case sensitiveKey(k) && !isContainer(val) && !secretRefKeys[normKey(k)]:
				out[k] = redacted
			default:
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

// isContainer: objects and arrays under a sensitive key are walked rather
// than hidden, so a "secrets" list still shows which secrets are named.
func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// redactBody renders a request or response body for a debug log. JSON is
// redacted structurally; anything else (gateway text, HTML) as text.
func (c *Client) redactBody(body []byte) string {
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
			return truncate(c.redactString(strings.TrimSuffix(buf.String(), "\n")), maxLogBody)
		}
	}
	return truncate(c.redactString(string(body)), maxLogBody)
}

// redactString also hides the client's own API key wherever it shows up
// (a script or an error echoing it).
func (c *Client) redactString(s string) string {
	s = redactString(s)
	if c.apiKey != "" {
		s = strings.ReplaceAll(s, c.apiKey, redacted)
	}
	return s
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
