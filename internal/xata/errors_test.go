package xata

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestNewAPIError(t *testing.T) {
	const path = "/organizations/o/projects/p/branches/x"
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantMsg   string
		wantID    string
		wantError string
	}{
		{
			name: "json body, id from header", status: 404,
			header:    http.Header{"X-Request-Id": {"req_header"}},
			body:      `{"id":"req_body","message":"branch [x] not found"}`,
			wantMsg:   "branch [x] not found",
			wantID:    "req_header",
			wantError: "xata API: GET " + path + ": 404: branch [x] not found (request id: req_header)",
		},
		{
			name: "id from body when header missing", status: 409,
			body:      `{"id":"req_body","message":"branch [x] already exists"}`,
			wantMsg:   "branch [x] already exists",
			wantID:    "req_body",
			wantError: "xata API: GET " + path + ": 409: branch [x] already exists (request id: req_body)",
		},
		{
			name: "no request id anywhere", status: 400,
			body:      `{"message":"bad"}`,
			wantMsg:   "bad",
			wantError: "xata API: GET " + path + ": 400: bad",
		},
		{
			name: "request id already in message is not repeated", status: 500,
			header:    http.Header{"X-Request-Id": {"req_1"}},
			body:      `{"id":"req_1","message":"Internal Error (Request ID: req_1)"}`,
			wantMsg:   "Internal Error (Request ID: req_1)",
			wantID:    "req_1",
			wantError: "xata API: GET " + path + ": 500: Internal Error (Request ID: req_1)",
		},
		{
			name: "envoy plain text", status: 429,
			body:    "  local_rate_limited\n",
			wantMsg: "local_rate_limited",
		},
		{
			name: "json without message falls back to text", status: 502,
			body:    `{"error":"upstream"}`,
			wantMsg: `{"error":"upstream"}`,
		},
		{
			name: "non-string fields are ignored", status: 400,
			body:    `{"id":7,"message":{"x":1}}`,
			wantMsg: `{"id":7,"message":{"x":1}}`,
		},
		{
			name: "empty body uses status text", status: 503,
			wantMsg: "Service Unavailable",
		},
		{
			name: "connection string in message is redacted", status: 400,
			body:    `{"message":"bad url postgresql://xata:pw@h/x"}`,
			wantMsg: "bad url postgresql://xata:<redacted>@h/x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			e := newAPIError(http.MethodGet, path, tt.status, h, []byte(tt.body))
			if e.StatusCode != tt.status || e.Method != http.MethodGet || e.Path != path {
				t.Errorf("got status/method/path %d %s %s", e.StatusCode, e.Method, e.Path)
			}
			if e.Message != tt.wantMsg {
				t.Errorf("Message = %q, want %q", e.Message, tt.wantMsg)
			}
			if e.RequestID != tt.wantID {
				t.Errorf("RequestID = %q, want %q", e.RequestID, tt.wantID)
			}
			if tt.wantError != "" && e.Error() != tt.wantError {
				t.Errorf("Error() = %q, want %q", e.Error(), tt.wantError)
			}
		})
	}
}

func TestIsNotFoundIsConflict(t *testing.T) {
	notFound := &APIError{StatusCode: 404}
	conflict := &APIError{StatusCode: 409}
	tests := []struct {
		name                   string
		err                    error
		wantNotFound, wantConf bool
	}{
		{"404", notFound, true, false},
		{"wrapped 404", fmt.Errorf("reading: %w", notFound), true, false},
		{"409", conflict, false, true},
		{"wrapped 409", fmt.Errorf("x: %w", conflict), false, true},
		{"500", &APIError{StatusCode: 500}, false, false},
		{"plain error", errors.New("404"), false, false},
		{"nil", nil, false, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.wantNotFound {
			t.Errorf("%s: IsNotFound = %v", tt.name, got)
		}
		if got := IsConflict(tt.err); got != tt.wantConf {
			t.Errorf("%s: IsConflict = %v", tt.name, got)
		}
	}
}
