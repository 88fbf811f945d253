package emuhttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testAPI is a Handler in front of an API that answers 201 with the
// request ID, served on a loopback port.
type testAPI struct {
	t      *testing.T
	h      *Handler
	url    string
	served atomic.Int32 // requests that reached the API

	mu   sync.Mutex
	logs []string
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	a := &testAPI{t: t}
	var ids atomic.Int32
	a.h = &Handler{
		Name: "testemu",
		Serve: func(w http.ResponseWriter, r *http.Request, reqID string) {
			a.served.Add(1)
			WriteJSON(w, http.StatusCreated, map[string]string{"id": reqID}, false)
		},
		RequestID:     func(*http.Request) string { return "req" + strconv.Itoa(int(ids.Add(1))) },
		RateLimitBody: "slow down",
		FaultError: func(w http.ResponseWriter, reqID string, status int) {
			WriteJSON(w, status, map[string]string{"fault": reqID}, false)
		},
		Logf: func(format string, args ...any) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.logs = append(a.logs, fmt.Sprintf(format, args...))
		},
	}
	var l Listener
	url, err := l.Start("127.0.0.1:0", a.h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(time.Second) })
	a.url = url
	return a
}

type response struct {
	status int
	header http.Header
	body   string
}

// try sends a request with a fresh connection, so a dropped one does not
// spoil the next request.
func (a *testAPI) try(method, path string) (response, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, a.url+path, nil)
	if err != nil {
		return response{}, err
	}
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

func (a *testAPI) do(method, path string) response {
	a.t.Helper()
	r, err := a.try(method, path)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (a *testAPI) lastLog() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.logs) == 0 {
		return ""
	}
	return a.logs[len(a.logs)-1]
}

func TestRequestIDAndLog(t *testing.T) {
	a := newTestAPI(t)
	r := a.do("GET", "/x?y=1")
	if r.status != http.StatusCreated || r.header.Get("X-Request-Id") != "req1" || r.body != `{"id":"req1"}`+"\n" {
		t.Errorf("got %d %v %q; want the API's 201 with the request ID in header and body", r.status, r.header, r.body)
	}
	if got := a.lastLog(); !strings.HasPrefix(got, "testemu: GET /x?y=1 -> 201 (req1, ") || !strings.HasSuffix(got, ")") {
		t.Errorf("log line %q", got)
	}

	a.h.FailNext(1, FaultServerError, "")
	a.do("POST", "/y")
	if got := a.lastLog(); !strings.HasPrefix(got, "testemu: POST /y -> 500 (req2, ") || !strings.HasSuffix(got, " fault=ServerError") {
		t.Errorf("log line %q", got)
	}
	if s := FaultKind(99).String(); s != "FaultKind(99)" {
		t.Errorf("unknown kind prints as %q", s)
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusTeapot, map[string]int{"a": 1}, false)
	if w.Code != http.StatusTeapot || w.Header().Get("Content-Type") != "application/json" || w.Body.String() != "{\"a\":1}\n" {
		t.Errorf("compact: %d %v %q", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	WriteJSON(w, http.StatusOK, map[string]int{"a": 1}, true)
	if w.Body.String() != "{\n  \"a\": 1\n}\n" {
		t.Errorf("indented: %q", w.Body)
	}
}

func TestServeMethod(t *testing.T) {
	ran := ""
	handlers := map[string]func(){
		http.MethodPut: func() { ran = "PUT" },
		http.MethodGet: func() { ran = "GET" },
	}
	w := httptest.NewRecorder()
	if !ServeMethod(w, http.MethodGet, handlers) || ran != "GET" || w.Header().Get("Allow") != "" {
		t.Errorf("GET: ran %q, Allow %q", ran, w.Header().Get("Allow"))
	}
	ran = ""
	if ServeMethod(w, http.MethodPost, handlers) || ran != "" || w.Header().Get("Allow") != "GET, PUT" {
		t.Errorf("POST: ran %q, Allow %q; want no handler and the methods sorted", ran, w.Header().Get("Allow"))
	}
}
