package signadotemu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

func TestRoute(t *testing.T) {
	for in, want := range map[string]string{
		"GET /api/v2/orgs/o/resource-plugins":                  "GET /api/v2/orgs/{org}/resource-plugins",
		"PUT /api/v2/orgs/o/resource-plugins/xata-branch":      "PUT /api/v2/orgs/{org}/resource-plugins/{pluginName}",
		"GET /api/v2/orgs/o/resource-plugins/p@1.0.0/versions": "GET /api/v2/orgs/{org}/resource-plugins/{pluginName}/versions",
		"GET /api/v2/orgs/o/sandboxes":                         "GET /api/v2/orgs/{org}/sandboxes",
		"DELETE /api/v2/orgs/o/sandboxes/demo":                 "DELETE /api/v2/orgs/{org}/sandboxes/{sandboxName}",
		"GET /api/v2/orgs/o/sandboxes/demo/status/explain":     "GET /api/v2/orgs/{org}/sandboxes/{sandboxName}/status/explain",
		"GET /nope": "GET /nope",
	} {
		if got := Route(in); got != want {
			t.Errorf("Route(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRequestCounts: GET /_emulator/requests serves Stats by request and
// by route, needs no key on loopback and the API key elsewhere.
func TestRequestCounts(t *testing.T) {
	a := newEmu(t, Options{})
	a.apply(plugin("xata-branch"))
	a.getPlugin("xata-branch")
	a.getPlugin("xata-branch")
	a.expect(a.do("GET", "/sandboxes/nope", nil), http.StatusNotFound, "")
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultServerError}, Methods: []string{"DELETE"}})
	a.expect(a.do("DELETE", "/sandboxes/nope", nil), http.StatusInternalServerError, "")

	r, err := a.raw("GET", a.e.URL()+emuhttp.RequestsPath, nil, "")
	if err != nil || r.status != http.StatusOK {
		t.Fatalf("GET %s without a key: %v %s", emuhttp.RequestsPath, err, r)
	}
	got := decodeAs[emuhttp.RequestCounts](t, r)
	org := "/api/v2/orgs/" + a.e.Org()
	want := emuhttp.RequestCounts{
		Requests: 5, Faulted: 1, Faults: map[string]int{"ServerError": 1},
		ByRequest: map[string]int{
			"PUT " + org + "/resource-plugins/xata-branch": 1,
			"GET " + org + "/resource-plugins/xata-branch": 2,
			"GET " + org + "/sandboxes/nope":               1,
			"DELETE " + org + "/sandboxes/nope":            1,
		},
		ByRoute: map[string]int{
			"PUT /api/v2/orgs/{org}/resource-plugins/{pluginName}": 1,
			"GET /api/v2/orgs/{org}/resource-plugins/{pluginName}": 2,
			"GET /api/v2/orgs/{org}/sandboxes/{sandboxName}":       1,
			"DELETE /api/v2/orgs/{org}/sandboxes/{sandboxName}":    1,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
	if s := a.e.Stats(); s.Requests != 5 || s.ByRequest["GET "+org+"/resource-plugins/xata-branch"] != 2 {
		t.Errorf("Stats() = %+v", s)
	}

	// A client off loopback needs the API key, in the API's header.
	for key, status := range map[string]int{"": http.StatusForbidden, "wrong": http.StatusForbidden, a.key: http.StatusOK} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, emuhttp.RequestsPath, nil)
		req.RemoteAddr = "192.0.2.7:40000"
		if key != "" {
			req.Header.Set("signadot-api-key", key)
		}
		w := httptest.NewRecorder()
		a.e.ServeHTTP(w, req)
		if w.Code != status {
			t.Errorf("off loopback, key %q: %d %s, want %d", key, w.Code, w.Body, status)
		}
		if status == http.StatusOK {
			var c emuhttp.RequestCounts
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil || c.Requests != 5 {
				t.Errorf("off loopback with the key: %v %s", err, w.Body)
			}
		}
	}
}
