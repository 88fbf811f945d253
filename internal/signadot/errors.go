package signadot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// maxErrorMessage bounds how much of a non-JSON error body (a gateway or
// load balancer page) ends up in an error shown to the user.
const maxErrorMessage = 500

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
func IsConflict(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict
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
	return fmt.Sprintf("signadot API: %s %s: request failed: %v", e.Method, e.Path, e.Err)
}

func (e *transportError) Unwrap() error { return e.Err }

// isAmbiguous reports whether a write failed in a way that leaves unknown
// whether the server acted: the response was lost, or a 500/502/504 may
// have come after the commit.
func isAmbiguous(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return true
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// refused reports a 429 or 503: the server (or its gateway) turned the
// request away before doing any work, so even a non-idempotent write can
// be repeated.
func refused(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) &&
		(apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode == http.StatusServiceUnavailable)
}
