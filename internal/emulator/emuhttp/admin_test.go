package emuhttp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func (a *testAPI) counts(method string) RequestCounts {
	a.t.Helper()
	r := a.do(method, RequestsPath)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		a.t.Fatalf("%s %s: %d %q", method, RequestsPath, r.status, r.body)
	}
	var c RequestCounts
	if err := json.Unmarshal([]byte(r.body), &c); err != nil {
		a.t.Fatalf("%s %s: %v: %q", method, RequestsPath, err, r.body)
	}
	return c
}

// TestRequestCountsPath: GET /_emulator/requests answers what the API
// was asked, by request and by route, faults included; the admin requests
// themselves are neither counted, nor faulted, nor passed to the API; and
// DELETE answers the counts and starts afresh.
func TestRequestCountsPath(t *testing.T) {
	a := newTestAPI(t)
	a.h.Route = func(req string) string {
		method, path, _ := strings.Cut(req, " ")
		if strings.HasPrefix(path, "/things/") {
			path = "/things/{id}"
		}
		return method + " " + path
	}
	if c := a.counts("GET"); c.Requests != 0 || len(c.ByRequest) != 0 || len(c.ByRoute) != 0 || c.ByRequest == nil {
		t.Errorf("fresh emulator: %+v; want zero counts and empty maps", c)
	}
	a.do("GET", "/things/1?x=y")
	a.do("GET", "/things/2")
	a.do("GET", "/things/2")
	a.h.FailNext(1, FaultServerError, "POST")
	a.do("POST", "/things")
	a.h.FailNext(1, FaultUnavailable, "") // the admin path must not take it
	got := a.counts("GET")
	want := RequestCounts{
		Requests: 4, Faulted: 1, Faults: map[string]int{"ServerError": 1},
		ByRoute:   map[string]int{"GET /things/{id}": 3, "POST /things": 1},
		ByRequest: map[string]int{"GET /things/1": 1, "GET /things/2": 2, "POST /things": 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
	if n := a.served.Load(); n != 3 {
		t.Errorf("the API served %d requests, want 3 (the faulted one and the admin ones never reach it)", n)
	}
	if r := a.do("GET", "/things/3"); r.status != http.StatusServiceUnavailable {
		t.Errorf("the fault queued before the admin request went to %d, want the next API request", r.status)
	}

	if c := a.counts("DELETE"); c.Requests != 5 || c.ByRequest["GET /things/3"] != 1 {
		t.Errorf("DELETE answered %+v; want the counts before the reset", c)
	}
	if c := a.counts("GET"); c.Requests != 0 || c.Faulted != 0 || len(c.ByRequest) != 0 || len(c.Faults) != 0 {
		t.Errorf("after DELETE: %+v; want zero", c)
	}
	a.do("GET", "/things/4")
	if c := a.counts("GET"); c.Requests != 1 || c.ByRoute["GET /things/{id}"] != 1 {
		t.Errorf("after a reset and one request: %+v", c)
	}

	// After a reset, byRoute is an empty object; without Route, null.
	a.counts("DELETE")
	if r := a.do("GET", RequestsPath); !strings.Contains(r.body, `"byRoute":{}`) {
		t.Errorf("after a reset: %q; want an empty byRoute", r.body)
	}
	a.do("GET", "/things/5")
	a.h.Route = nil
	if r := a.do("GET", RequestsPath+"?pretty"); !strings.Contains(r.body, "\n  \"byRoute\": null,") || !strings.Contains(r.body, "\n  \"requests\": 1") {
		t.Errorf("without Route, ?pretty: %q; want indented counts and byRoute null", r.body)
	}
	if got := a.lastLog(); !strings.HasPrefix(got, "testemu: GET "+RequestsPath+"?pretty -> 200 (") {
		t.Errorf("log line %q", got)
	}
}

func TestRequestCountsPathErrors(t *testing.T) {
	a := newTestAPI(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", RequestsPath, http.StatusMethodNotAllowed, "DELETE, GET"},
		{"GET", AdminPrefix + "nope", http.StatusNotFound, ""},
		{"GET", RequestsPath + "/", http.StatusOK, ""},
	} {
		r := a.do(tc.method, tc.path)
		if r.status != tc.status || r.header.Get("Allow") != tc.allow || !strings.HasPrefix(r.body, "{") {
			t.Errorf("%s %s: %d Allow=%q %q; want %d Allow=%q and a JSON body", tc.method, tc.path, r.status,
				r.header.Get("Allow"), r.body, tc.status, tc.allow)
		}
	}
	if c := a.counts("GET"); c.Requests != 0 {
		t.Errorf("admin requests were counted: %+v", c)
	}
}

// TestRequestCountsPathNeedsTheKeyOffLoopback: a client that is not on a
// loopback address gets the counts only with what AdminAuth accepts.
func TestRequestCountsPathNeedsTheKeyOffLoopback(t *testing.T) {
	a := newTestAPI(t)
	get := func(remote, key string) int {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, RequestsPath, nil)
		req.RemoteAddr = remote
		if key != "" {
			req.Header.Set("X-Key", key)
		}
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		return w.Code
	}
	for _, remote := range []string{"127.0.0.1:5000", "[::1]:5000", "127.9.9.9:1"} {
		if code := get(remote, ""); code != http.StatusOK {
			t.Errorf("loopback %s without a key: %d, want 200", remote, code)
		}
	}
	if code := get("192.0.2.7:5000", ""); code != http.StatusForbidden {
		t.Errorf("remote client, no AdminAuth: %d, want 403", code)
	}
	a.h.AdminAuth = func(r *http.Request) bool { return r.Header.Get("X-Key") == "secret" }
	for key, want := range map[string]int{"": http.StatusForbidden, "wrong": http.StatusForbidden, "secret": http.StatusOK} {
		if code := get("192.0.2.7:5000", key); code != want {
			t.Errorf("remote client with key %q: %d, want %d", key, code, want)
		}
	}
}
