package xata

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// maxErrorMessage bounds how much of a non-JSON error body (an Envoy or load
// balancer page) ends up in an error shown to the user.
const maxErrorMessage = 500

// APIError is a non-2xx answer from the Xata API.
type APIError struct {
	StatusCode int
	Message    string
	// RequestID is the X-Request-Id response header, else the body's "id";
	// Xata support needs it to trace a failure.
	RequestID string
	Method    string
	// Path is the escaped request path, without the base URL or query.
	Path string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("xata API: %s %s: %d: %s", e.Method, e.Path, e.StatusCode, e.Message)
	// 5xx messages already embed "(Request ID: …)"; don't repeat it.
	if e.RequestID != "" && !strings.Contains(e.Message, e.RequestID) {
		s += " (request id: " + e.RequestID + ")"
	}
	return s
}

// IsNotFound reports whether err is, or wraps, a 404 APIError.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports whether err is, or wraps, a 409 APIError.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// newAPIError builds the error for a non-2xx response. The body is parsed
// leniently: errors that never reached the service (Envoy 429/503, load
// balancers) are plain text or HTML rather than {"id","message"}.
func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path, RequestID: header.Get("X-Request-Id")}
	var parsed struct {
		ID      any `json:"id"`
		Message any `json:"message"`
	}
	if json.Unmarshal(body, &parsed) == nil {
		if msg, ok := parsed.Message.(string); ok {
			e.Message = msg
		}
		if id, ok := parsed.ID.(string); ok && e.RequestID == "" {
			e.RequestID = id
		}
	}
	if e.Message == "" {
		e.Message = truncate(strings.TrimSpace(string(body)), maxErrorMessage)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	// Messages reach Terraform diagnostics; never let a connection string
	// echoed by some layer leak its password there.
	e.Message = redactString(e.Message)
	return e
}

// transportError means no complete response arrived (connection refused or
// reset, EOF, timeout): for a write, the server may or may not have acted.
type transportError struct {
	Method, Path string
	Err          error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("xata API: %s %s: request failed: %v", e.Method, e.Path, e.Err)
}

func (e *transportError) Unwrap() error { return e.Err }
