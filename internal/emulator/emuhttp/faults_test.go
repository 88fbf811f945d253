package emuhttp

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	a := newTestAPI(t)
	a.h.SetFaults(Faults{RetryAfter: 1500 * time.Millisecond})
	a.h.FailNext(0, FaultServerError, "") // nothing to queue

	a.h.FailNext(1, FaultRateLimited, "GET")
	r := a.do("GET", "/")
	if r.status != 429 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || r.body != "slow down" ||
		r.header.Get("Retry-After") != "" || r.header.Get("X-Request-Id") == "" {
		t.Errorf("RateLimited: %d %v %q", r.status, r.header, r.body)
	}
	if r := a.do("GET", "/"); r.status != http.StatusCreated {
		t.Errorf("after one queued fault: %d", r.status)
	}

	a.h.FailNext(1, FaultRateLimitedRetryAfter, "")
	if r := a.do("GET", "/"); r.status != 429 || r.header.Get("Retry-After") != "2" {
		t.Errorf("RateLimitedRetryAfter: %d Retry-After=%q (1.5s rounds up to 2)", r.status, r.header.Get("Retry-After"))
	}

	a.h.FailNext(1, FaultServerError, "POST")
	if r := a.do("GET", "/"); r.status != http.StatusCreated {
		t.Errorf("method filter: GET got %d", r.status)
	}
	served := a.served.Load()
	r = a.do("POST", "/")
	if r.status != 500 || r.body != `{"fault":"`+r.header.Get("X-Request-Id")+`"}`+"\n" {
		t.Errorf("ServerError: %d %q; want the API's error body", r.status, r.body)
	}
	if a.served.Load() != served {
		t.Error("a 500 fault must not run the API")
	}

	a.h.FailNext(2, FaultUnavailable, "")
	for range 2 {
		r = a.do("GET", "/")
		if r.status != 503 || r.header.Get("Retry-After") != "2" || !strings.Contains(r.body, "fault") {
			t.Errorf("Unavailable: %d Retry-After=%q %q", r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	if r := a.do("GET", "/"); r.status != http.StatusCreated {
		t.Errorf("after the queue: %d", r.status)
	}

	s := a.h.Stats()
	if s.Faulted != 5 || s.ByKind[FaultUnavailable] != 2 || s.ByKind[FaultServerError] != 1 || s.Requests != 8 {
		t.Errorf("Stats = %+v", s)
	}
	if s.ByRequest["GET /"] != 7 || s.ByRequest["POST /"] != 1 {
		t.Errorf("ByRequest = %v, want 7 GET / and 1 POST /", s.ByRequest)
	}
	s.ByKind[FaultServerError] = 100
	s.ByRequest["GET /"] = 100
	if st := a.h.Stats(); st.ByKind[FaultServerError] != 1 || st.ByRequest["GET /"] != 7 {
		t.Error("Stats shares its maps with the handler")
	}

	a.h.SetFaults(Faults{})
	a.h.FailNext(1, FaultRateLimitedRetryAfter, "")
	if r := a.do("GET", "/"); r.header.Get("Retry-After") != "1" {
		t.Errorf("default Retry-After = %q, want 1", r.header.Get("Retry-After"))
	}
}

func TestDropAfterCommit(t *testing.T) {
	a := newTestAPI(t)
	a.h.FailNext(1, FaultDropAfterCommit, "POST")
	if _, err := a.try("POST", "/"); err == nil {
		t.Fatal("the client got a response despite FaultDropAfterCommit")
	}
	// The write happened.
	if n := a.served.Load(); n != 1 {
		t.Errorf("the API served %d requests, want 1", n)
	}
	if got := a.lastLog(); !strings.Contains(got, "-> 201") || !strings.HasSuffix(got, " fault=DropAfterCommit") {
		t.Errorf("log line %q; want the status the API chose", got)
	}
	if s := a.h.Stats(); s.ByKind[FaultDropAfterCommit] != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestRandomFaults(t *testing.T) {
	a := newTestAPI(t)
	a.h.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultServerError}, Methods: []string{"GET"}})
	if r := a.do("GET", "/"); r.status != 500 {
		t.Errorf("GET at rate 1: %d", r.status)
	}
	if r := a.do("POST", "/"); r.status != http.StatusCreated {
		t.Errorf("POST is not in Methods: %d", r.status)
	}

	statuses := func() []int {
		a.h.SetFaults(Faults{Rate: 0.5, Seed: 42})
		var out []int
		for range 200 {
			out = append(out, a.do("GET", "/").status)
		}
		return out
	}
	first := statuses()
	faulted := 0
	for _, s := range first {
		switch s {
		case http.StatusCreated:
		case 429, 500, 503:
			faulted++
		default:
			t.Fatalf("unexpected status %d with default kinds", s)
		}
	}
	if faulted < 60 || faulted > 140 {
		t.Errorf("%d of 200 requests faulted at rate 0.5", faulted)
	}
	if !slices.Equal(first, statuses()) {
		t.Error("SetFaults with the same seed did not replay the same faults")
	}

	a.h.SetFaults(Faults{Latency: 50 * time.Millisecond})
	start := time.Now()
	a.do("GET", "/")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("request took %v, want at least the 50ms latency", d)
	}
}
