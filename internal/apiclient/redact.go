package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Redacted stands in for a secret in logs and errors.
const Redacted = "<redacted>"

// maxLogBody keeps debug logs readable.
const maxLogBody = 4096

// Redactor hides an API's secrets in debug logs. The client's own
// credentials (Config.Secrets) are hidden on top, wherever they appear.
type Redactor struct {
	// JSON redacts a decoded JSON body (numbers are json.Number).
	JSON func(v any) any
	// Text redacts a body that is not JSON, and the error of a failed
	// attempt.
	Text func(s string) string

	secrets secrets // set by New
}

// LogBody is Body, rendered only when a logger formats it (fmt's %v or
// JSON): with logging off, as it is unless TF_LOG asks, nothing reads a
// body, and redacting one costs a JSON decode and encode.
func (r Redactor) LogBody(body []byte) fmt.Stringer {
	return lazyText(func() string { return r.Body(body) })
}

// lazyText is a log field computed when it is written.
type lazyText func() string

func (f lazyText) String() string { return f() }

func (f lazyText) MarshalJSON() ([]byte, error) { return json.Marshal(f()) }

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
			return truncate(r.secrets.hide(s), maxLogBody)
		}
	}
	return truncate(r.secrets.hide(r.Text(string(body))), maxLogBody)
}

// secrets are a client's own credentials. A server may echo them (an
// error quoting the request's headers, a script printing its environment),
// and whatever a server says can end up in an error shown to the user or
// in a log, so they are hidden from every such text, and so is any bearer
// token.
type secrets []string

// bearerToken matches an RFC 6750 bearer credential. Eight characters at
// least, so that prose ("the bearer of") is left alone.
var bearerToken = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*`)

func (s secrets) hide(text string) string {
	for _, secret := range s {
		text = strings.ReplaceAll(text, secret, Redacted)
	}
	return bearerToken.ReplaceAllString(text, "${1}"+Redacted)
}

// hideErr returns err with its message hidden the same way, keeping its
// chain for errors.Is and errors.As.
func (s secrets) hideErr(err error) error {
	if msg := s.hide(err.Error()); msg != err.Error() {
		return &hiddenError{msg: msg, err: err}
	}
	return err
}

// hideResponse hides secrets in an error response before the client's
// DecodeError turns it into a message.
func (s secrets) hideResponse(header http.Header, body []byte) (http.Header, []byte) {
	h := header.Clone()
	for _, vs := range h {
		for i, v := range vs {
			vs[i] = s.hide(v)
		}
	}
	return h, []byte(s.hide(string(body)))
}

type hiddenError struct {
	msg string
	err error
}

func (e *hiddenError) Error() string { return e.msg }
func (e *hiddenError) Unwrap() error { return e.err }

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
