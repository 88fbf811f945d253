package apiclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrRedirect is wrapped by the error for a 3xx answer. The APIs never
// redirect, and following would hand the credentials to whatever the
// Location names.
var ErrRedirect = errors.New("the API never redirects")

// TransportError means no complete response arrived (connection refused or
// reset, EOF, timeout): for a write, the server may or may not have acted.
type TransportError struct {
	API          string // Config.Name
	Method, Path string
	Err          error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s %s: request failed: %v", e.API, e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// The policy functions take the HTTP status of the API error in err's
// chain (0 if none) because only the client knows its error type.

// Retryable is the retry policy common to HTTP APIs. A lost response or a
// 408, 500, 502 or 504 may come after the server acted, so only idempotent
// methods are repeated; a 429 or 503 is a refusal before any work (Refused),
// so every method is.
func Retryable(method string, err error, status int) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return idempotent(method)
	}
	if Refused(status) {
		return true
	}
	switch status {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent(method)
	}
	return false
}

// Refused reports a 429 or 503: the server (or its gateway) turned the
// request away before doing any work, so even a non-idempotent write can
// be repeated.
func Refused(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// Ambiguous reports whether a write failed in a way that leaves unknown
// whether the server acted: the response was lost, or a 500, 502 or 504
// may have come after the commit.
func Ambiguous(err error, status int) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// maxErrorMessage bounds how much of a non-JSON error body (a gateway or
// load balancer page) ends up in an error shown to the user.
const maxErrorMessage = 500

// ErrorMessage is the message for an error response: parsed, what the
// API's error body said, if any; else the body itself, since errors that
// never reached the API are plain text or HTML; else the status text.
func ErrorMessage(parsed string, status int, body []byte) string {
	if parsed != "" {
		return parsed
	}
	if msg := truncate(strings.TrimSpace(string(body)), maxErrorMessage); msg != "" {
		return msg
	}
	return http.StatusText(status)
}
