package signadot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// APIError is a non-2xx answer from the Signadot API.
type APIError struct {
	StatusCode int // the HTTP status; the body's "code" is ignored, as the go-sdk does
	Message    string
	// RequestID is the body's "requestId", else the X-Request-Id header;
	// Signadot support needs it to trace a failure.
	RequestID string
	Method    string
	// Path is the escaped request path below /api/v2, without the query.
	Path string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("signadot API: %s %s: %d: %s", e.Method, e.Path, e.StatusCode, e.Message)
	if e.RequestID != "" && !strings.Contains(e.Message, e.RequestID) {
		s += " (request id: " + e.RequestID + ")"
	}
	return s
}

// IsNotFound reports whether err is, or wraps, an APIError meaning "gone":
// a 404, or a message containing "not found". The API declares no 404 for
// resource plugins and the CLI matches sandbox errors by the text
// "can't get sandbox: not found", so the text counts whatever the status.
// Except for 401, 403 and 5xx: reading "API key not found" or a gateway's
// "upstream not found" as "the resource is gone" would make Terraform
// forget resources that still exist.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch s := apiErr.StatusCode; {
	case s == http.StatusNotFound:
		return true
	case s == http.StatusUnauthorized, s == http.StatusForbidden, s >= 500:
		return false
	}
	return strings.Contains(strings.ToLower(apiErr.Message), "not found")
}

// IsConflict reports whether err is, or wraps, a 409 APIError: for a
// resource plugin, the version is already published.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// statusOf is the status of the APIError in err's chain, 0 if none.
func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// PluginInUseError is returned by DeleteResourcePlugin when sandboxes still
// use the version: the API refuses with a 400 saying "in use", and the
// sandboxes are read from the plugin's status.
type PluginInUseError struct {
	Plugin    string   // bare@version
	Sandboxes []string // sorted, without duplicates; empty if they could not be read
	Err       *APIError
}

func (e *PluginInUseError) Error() string {
	who := "one or more sandboxes"
	if len(e.Sandboxes) > 0 {
		who = "sandbox(es): " + strings.Join(e.Sandboxes, ", ")
	}
	return fmt.Sprintf("resource plugin %s is still used by %s (%v)", e.Plugin, who, e.Err)
}

func (e *PluginInUseError) Unwrap() error { return e.Err }

// newAPIError builds the error for a non-2xx response. The body is parsed
// leniently: every ErrorResponse field is optional, and errors that never
// reached the API (gateway 429/503) are plain text or HTML.
func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var parsed struct {
		Error     any `json:"error"`
		Message   any `json:"message"` // some gateways answer {"message": …}
		RequestID any `json:"requestId"`
	}
	if json.Unmarshal(body, &parsed) == nil {
		if msg, ok := parsed.Error.(string); ok {
			e.Message = msg
		} else if msg, ok := parsed.Message.(string); ok {
			e.Message = msg
		}
		if id, ok := parsed.RequestID.(string); ok {
			e.RequestID = id
		}
	}
	if e.RequestID == "" {
		e.RequestID = header.Get("X-Request-Id")
	}
	// Messages reach Terraform diagnostics; never let a connection string
	// echoed by some layer leak its password there.
	e.Message = redactString(apiclient.ErrorMessage(e.Message, status, body))
	return e
}

// isAmbiguous reports whether a write failed in a way that leaves unknown
// whether the server acted.
func isAmbiguous(err error) bool { return apiclient.Ambiguous(err, statusOf(err)) }
