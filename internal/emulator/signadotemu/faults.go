package signadotemu

import (
	"net/http"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

// Fault injection is emuhttp's, shared with the other emulators; these
// names keep it part of this package's API.
type (
	// FaultKind is a failure the emulator can inject in front of the API.
	FaultKind = emuhttp.FaultKind
	// Faults configures random fault injection.
	Faults = emuhttp.Faults
	// Stats counts requests seen and faults injected.
	Stats = emuhttp.Stats
)

// The fault kinds; emuhttp documents each.
const (
	FaultRateLimited           = emuhttp.FaultRateLimited
	FaultRateLimitedRetryAfter = emuhttp.FaultRateLimitedRetryAfter
	FaultServerError           = emuhttp.FaultServerError
	FaultUnavailable           = emuhttp.FaultUnavailable
	FaultDropAfterCommit       = emuhttp.FaultDropAfterCommit
)

// SetFaults replaces the fault configuration and reseeds its generator.
func (e *Emulator) SetFaults(f Faults) { e.front.SetFaults(f) }

// Stats returns a copy of the request and fault counters, which
// GET /_emulator/requests serves.
func (e *Emulator) Stats() Stats { return e.front.Stats() }

// rateLimitBody is what a gateway in front of the API answers, in plain
// text.
const rateLimitBody = "Too Many Requests"

// writeFaultError answers an injected 500 or 503 with an ErrorResponse.
func writeFaultError(w http.ResponseWriter, reqID string, status int) {
	msg := "internal error"
	if status == http.StatusServiceUnavailable {
		msg = "service unavailable, try again later"
	}
	writeError(w, reqID, status, msg)
}
