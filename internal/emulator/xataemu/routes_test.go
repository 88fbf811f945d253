package xataemu

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

func TestRoute(t *testing.T) {
	for in, want := range map[string]string{
		"GET /organizations/o1/projects/prj_1/branches":                        "GET …/branches",
		"POST /organizations/o1/projects/prj_1/branches":                       "POST …/branches",
		"GET /organizations/o1/projects/prj_1/branches/b1":                     "GET …/branches/{branchID}",
		"GET /organizations/o1/projects/prj_1/branches/b1/credentials":         "GET …/branches/{branchID}/credentials",
		"POST /organizations/o1/projects/prj_1/branches/b1/credentials/rotate": "POST …/branches/{branchID}/credentials/rotate",
		"DELETE /organizations/o1/projects/prj_1/branches/b1":                  "DELETE …/branches/{branchID}",
		"GET /organizations/o1/projects/limits":                                "GET /organizations/{organizationID}/projects/limits",
		"GET /organizations/o1/regions":                                        "GET /organizations/{organizationID}/regions",
		"GET /organizations":                                                   "GET /organizations",
	} {
		if got := Route(in); got != want {
			t.Errorf("Route(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRequestCounts: GET /_emulator/requests serves Stats by request and
// grouped by Route, uncounted itself and outside the quota; it needs no
// key on loopback and an API key elsewhere.
func TestRequestCounts(t *testing.T) {
	a, _ := newMemEmu(t, Options{Quota: Quota{PerMinute: 3}})
	id := a.create(mainBody("main"))
	a.get(id)
	a.expect(a.do("GET", "/branches/nope", nil), http.StatusNotFound, "")
	for range 5 { // past the quota of 3: the admin path is not limited
		r, err := a.try("GET", emuhttp.RequestsPath, nil, "")
		if err != nil || r.status != http.StatusOK {
			t.Fatalf("GET %s without a key: %v %s", emuhttp.RequestsPath, err, r)
		}
	}
	r, _ := a.try("GET", emuhttp.RequestsPath, nil, "")
	got := decodeAs[emuhttp.RequestCounts](t, r)
	prefix := "/organizations/" + a.org + "/projects/" + a.proj
	want := emuhttp.RequestCounts{
		Requests: 3, Faults: map[string]int{},
		ByRequest: map[string]int{
			"POST " + prefix + "/branches":      1,
			"GET " + prefix + "/branches/" + id: 1,
			"GET " + prefix + "/branches/nope":  1,
		},
		ByRoute: map[string]int{"POST …/branches": 1, "GET …/branches/{branchID}": 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
	if r := a.do("GET", "/branches/"+id, nil); r.status != http.StatusTooManyRequests {
		t.Errorf("the fourth API request: %s; want 429 (the admin requests took none of the quota)", r)
	}

	for key, status := range map[string]int{"": http.StatusForbidden, "xau_wrong": http.StatusForbidden, a.key: http.StatusOK} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, emuhttp.RequestsPath, nil)
		req.RemoteAddr = "192.0.2.7:40000"
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		w := httptest.NewRecorder()
		a.e.ServeHTTP(w, req)
		if w.Code != status {
			t.Errorf("off loopback, key %q: %d %s, want %d", key, w.Code, w.Body, status)
		}
	}
}
