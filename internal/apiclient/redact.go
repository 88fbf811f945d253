package apiclient

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Redacted stands in for a secret in logs and errors.
const Redacted = "<redacted>"

// maxLogBody keeps debug logs readable.
const maxLogBody = 4096

// Redactor hides secrets in debug logs.
type Redactor struct {
	// JSON redacts a decoded JSON body (numbers are json.Number).
	JSON func(v any) any
	// Text redacts a body that is not JSON, and the error of a failed
	// attempt.
	Text func(s string) string
	// Encoded, if set, also redacts a JSON body once re-encoded, for
	// secrets that may appear anywhere in it (an API key).
	Encoded func(s string) string
}

// Body renders a request or response body for a debug log. JSON is
// redacted structurally; anything else (gateway text, HTML) as text. The
// result is truncated after redaction so a cut can never expose half a
// secret.
func (r Redactor) Body(body []byte) string {
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
		if enc.Encode(r.JSON(v)) == nil {
			s := strings.TrimSuffix(buf.String(), "\n")
			if r.Encoded != nil {
				s = r.Encoded(s)
			}
			return truncate(s, maxLogBody)
		}
	}
	return truncate(r.Text(string(body)), maxLogBody)
}

// RedactJSON returns a copy of v, a decoded JSON value, in which every
// non-null object member that secret reports is Redacted and every other
// string has gone through text. secret sees the whole object so that it
// can judge a member by its siblings.
func RedactJSON(v any, secret func(obj map[string]any, key string) bool, text func(string) string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			switch {
			case val == nil:
				out[k] = nil
			case secret(v, k):
				out[k] = Redacted
			default:
				out[k] = RedactJSON(val, secret, text)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = RedactJSON(val, secret, text)
		}
		return out
	case string:
		return text(v)
	default:
		return v
	}
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
