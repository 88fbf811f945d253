package xataemu

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

// SetFaults replaces the random fault configuration and reseeds its
// generator. Queued FailNext faults are kept.
func (e *Emulator) SetFaults(f Faults) { e.front.SetFaults(f) }

// FailNext makes the next n requests with the given method ("" = any)
// fail with kind, before any random faults are considered.
func (e *Emulator) FailNext(n int, kind FaultKind, method string) { e.front.FailNext(n, kind, method) }

// Stats returns a copy of the request and fault counters.
func (e *Emulator) Stats() Stats { return e.front.Stats() }

// rateLimitBody is what Envoy's local rate limiter answers, in plain text.
const rateLimitBody = "local_rate_limited"

// writeFaultError answers an injected 500 or 503 the way the platform
// words them.
func writeFaultError(w http.ResponseWriter, reqID string, status int) {
	msg := "Internal Error (Request ID: " + reqID + ")"
	if status == http.StatusServiceUnavailable {
		msg = unavailableMessage(reqID)
	}
	writeError(w, reqID, status, msg)
}

func unavailableMessage(reqID string) string {
	return "Service temporarily unavailable. Please try again later. (Request ID: " + reqID + ")"
}
