package xata

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// ErrCreateOutcomeUnknown marks a CreateBranch error after which the branch
// may exist: a request's answer was lost and could not be checked any more
// (the context ended or the attempts ran out). Callers should tell the user
// to look before creating again.
var ErrCreateOutcomeUnknown = errors.New("the outcome of the create request is unknown")

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

// IsNotFound reports whether err says the thing asked for does not exist:
// a 404 APIError, or a *BranchNotFoundError from a lookup by name.
func IsNotFound(err error) bool {
	var nf *BranchNotFoundError
	return statusOf(err) == http.StatusNotFound || errors.As(err, &nf)
}

// IsConflict reports whether err is, or wraps, a 409 APIError.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// statusOf is the status of the APIError in err's chain, 0 if none.
func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
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
	// Messages reach Terraform diagnostics; never let a connection string
	// echoed by some layer leak its password there.
	e.Message = redactString(apiclient.ErrorMessage(e.Message, status, body))
	return e
}
