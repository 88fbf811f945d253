package apiclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Errors a Client's calls wrap, for callers and tests to tell them apart.
var (
	// ErrRedirect: the server answered 3xx. The APIs never redirect, and
	// following would hand the credentials to whatever the Location names.
	ErrRedirect = errors.New("the API never redirects")
	// ErrAttemptTimeout: one attempt got no complete response within
	// Config.AttemptTimeout (a TransportError, retried like one).
	ErrAttemptTimeout = errors.New("per-attempt timeout")
	// ErrBodyTooLarge: a 2xx body exceeded the limit; nothing was decoded.
	ErrBodyTooLarge = fmt.Errorf("response body exceeds the %d MiB limit", maxResponseBody>>20)
)

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
// so every method is. A host that does not resolve or a certificate that
// does not verify will not change within a call: those are not repeated.
func Retryable(method string, err error, status int) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return !unreachable(te.Err) && idempotent(method)
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
// may have come after the commit. A request that could not reach the
// server at all (unreachable) is not ambiguous.
func Ambiguous(err error, status int) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return !unreachable(te.Err)
	}
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// unreachable reports a transport error that happened before the request
// was sent and that a retry would meet again: the host name does not
// resolve (a DNS timeout or temporary failure aside), or the server's
// certificate does not verify.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsTimeout && !dnsErr.IsTemporary
	}
	// crypto/tls wraps the x509 errors; a custom verifier may return them
	// bare.
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &unknownCA) || errors.As(err, &hostnameErr) ||
		errors.As(err, &invalidErr)
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
