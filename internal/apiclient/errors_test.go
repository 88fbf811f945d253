package apiclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAmbiguous(t *testing.T) {
	te := &TransportError{Method: "POST", Path: "/x", Err: errors.New("EOF")}
	for _, tt := range []struct {
		err    error
		status int
		want   bool
	}{
		{te, 0, true},
		{fmt.Errorf("wrapped: %w", te), 0, true},
		{&statusError{status: 500}, 500, true},
		{&statusError{status: 502}, 502, true},
		{&statusError{status: 504}, 504, true},
		{&statusError{status: 503}, 503, false},
		{&statusError{status: 429}, 429, false},
		{&statusError{status: 409}, 409, false},
		{errors.New("rate: Wait(n=1) would exceed context deadline"), 0, false},
	} {
		if got := Ambiguous(tt.err, tt.status); got != tt.want {
			t.Errorf("Ambiguous(%v, %d) = %v, want %v", tt.err, tt.status, got, tt.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name, parsed string
		status       int
		body, want   string
	}{
		{"parsed wins", "branch not found", 404, `{"message":"branch not found"}`, "branch not found"},
		{"plain text trimmed", "", 429, "  local_rate_limited\n", "local_rate_limited"},
		{"empty body uses status text", "", 503, "", "Service Unavailable"},
		{"long html is truncated", "", 502, "<html>" + strings.Repeat("x", 2000) + "</html>",
			"<html>" + strings.Repeat("x", maxErrorMessage-len("<html>")) + "…(truncated)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorMessage(tt.parsed, tt.status, []byte(tt.body)); got != tt.want {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}
