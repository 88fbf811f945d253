package xataemu

import (
	"maps"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// rateLimit is what a response's X-RateLimit headers say.
type rateLimit struct {
	limit, remaining int
	reset            int64
}

// rateLimitOf parses the X-RateLimit headers; ok is false when none is set.
func rateLimitOf(t *testing.T, r response) (rl rateLimit, ok bool) {
	t.Helper()
	vals := make([]string, 3)
	for i, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		vals[i] = r.header.Get(name)
		ok = ok || vals[i] != ""
	}
	if !ok {
		return rl, false
	}
	var errs [3]error
	rl.limit, errs[0] = strconv.Atoi(vals[0])
	rl.remaining, errs[1] = strconv.Atoi(vals[1])
	rl.reset, errs[2] = strconv.ParseInt(vals[2], 10, 64)
	for _, err := range errs {
		if err != nil {
			t.Fatalf("X-RateLimit headers %q: %v", vals, err)
		}
	}
	return rl, true
}

// hit makes one cheap authenticated request with key.
func (a *testAPI) hit(key string) response {
	a.t.Helper()
	r, err := a.try("GET", "/organizations/"+a.org, nil, key)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// expectRate checks a response's status and X-RateLimit headers; reset is
// relative to t0.
func expectRate(t *testing.T, r response, status int, limit, remaining int, t0 time.Time, reset time.Duration) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	got, ok := rateLimitOf(t, r)
	want := rateLimit{limit, remaining, t0.Add(reset).Unix()}
	if !ok || got != want {
		t.Fatalf("X-RateLimit = %+v (present %v), want %+v (reset t0+%v)", got, ok, want, reset)
	}
}

func TestQuotaOffSendsNoHeaders(t *testing.T) {
	a, _ := newMemEmu(t, Options{})
	for range 3 {
		r := a.hit(a.key)
		a.expect(r, http.StatusOK, "")
		if rl, ok := rateLimitOf(t, r); ok {
			t.Fatalf("quota off, yet X-RateLimit = %+v", rl)
		}
	}
	if s := a.e.QuotaStats(); len(s) != 0 {
		t.Errorf("QuotaStats with quotas off = %v", s)
	}
}

func TestQuotaCountsEveryAnswer(t *testing.T) {
	a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 4}})
	t0 := clk.Now()
	expectRate(t, a.hit(a.key), http.StatusOK, 4, 3, t0, time.Minute)
	clk.Advance(10 * time.Second)
	// 4xx answers count and carry the headers too.
	expectRate(t, a.do("GET", "/branches/nope", nil), http.StatusNotFound, 4, 2, t0, time.Minute)
	expectRate(t, a.do("GET", "/organizations/other", nil), http.StatusForbidden, 4, 1, t0, time.Minute)
	// Sub-second clocks: Reset rounds up.
	clk.Advance(300 * time.Millisecond)
	a.e.SetQuota(Quota{PerMinute: 4})
	expectRate(t, a.hit(a.key), http.StatusOK, 4, 3, t0, 71*time.Second)
}

func TestQuotaStricterWindow(t *testing.T) {
	cases := []struct {
		name  string
		quota Quota
		// A request is made after each advance of the clock; the last
		// one's headers are checked.
		advances        []time.Duration
		limit, remains  int
		resetAfterStart time.Duration
	}{
		{"minute fewer left", Quota{PerMinute: 5, PerHour: 100}, []time.Duration{0, 0}, 5, 3, time.Minute},
		{"hour fewer left", Quota{PerMinute: 5, PerHour: 3}, []time.Duration{0, 0}, 3, 1, time.Hour},
		{"only the hour limited", Quota{PerHour: 7}, []time.Duration{0}, 7, 6, time.Hour},
		{"tie: the hour resets later", Quota{PerMinute: 3, PerHour: 3}, []time.Duration{0}, 3, 2, time.Hour},
		// The minute window restarted at t0+90s and ends at t0+150s, after
		// the 2-minute "hour" that started at t0.
		{"tie: the minute resets later", Quota{PerMinute: 10, PerHour: 11, Hour: 2 * time.Minute},
			[]time.Duration{0, 90 * time.Second}, 10, 9, 150 * time.Second},
		{"scaled windows", Quota{PerMinute: 2, PerHour: 2, Minute: 6 * time.Second, Hour: 6 * time.Minute},
			[]time.Duration{0}, 2, 1, 6 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, clk := newMemEmu(t, Options{Quota: tc.quota})
			t0 := clk.Now()
			var r response
			for _, d := range tc.advances {
				clk.Advance(d)
				r = a.hit(a.key)
			}
			expectRate(t, r, http.StatusOK, tc.limit, tc.remains, t0, tc.resetAfterStart)
		})
	}
}

// expectRefused checks a quota 429: JSON error body, Retry-After and the
// headers of the spent window.
func expectRefused(t *testing.T, r response, msg string, retryAfter int, limit int, t0 time.Time, reset time.Duration) {
	t.Helper()
	expectRate(t, r, http.StatusTooManyRequests, limit, 0, t0, reset)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	body := decodeAs[apiError](t, r)
	if body.ID != r.header.Get("X-Request-Id") || body.Message != msg {
		t.Errorf("429 body = %s, want id %s and message %q", r.body, r.header.Get("X-Request-Id"), msg)
	}
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Errorf("Retry-After = %q, want %d", got, retryAfter)
	}
}

func TestQuotaMinuteSpent(t *testing.T) {
	a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 2, PerHour: 100}})
	t0 := clk.Now()
	expectRate(t, a.hit(a.key), http.StatusOK, 2, 1, t0, time.Minute)
	expectRate(t, a.hit(a.key), http.StatusOK, 2, 0, t0, time.Minute)
	clk.Advance(10*time.Second + 400*time.Millisecond)
	msg := "rate limit exceeded: 2 requests per minute per API key"
	expectRefused(t, a.hit(a.key), msg, 50, 2, t0, time.Minute)
	if r := a.hit(a.key); r.status != http.StatusTooManyRequests {
		t.Fatalf("refused again: %v", r)
	}
	clk.Advance(49*time.Second + 500*time.Millisecond)
	expectRefused(t, a.hit(a.key), msg, 1, 2, t0, time.Minute)
	clk.Advance(100 * time.Millisecond) // the minute has passed
	expectRate(t, a.hit(a.key), http.StatusOK, 2, 1, t0, 2*time.Minute)
	if got, want := a.e.QuotaStats()[a.key], (QuotaCount{Counted: 3, Refused: 3}); got != want {
		t.Errorf("QuotaStats = %+v, want %+v", got, want)
	}
}

func TestQuotaHourSpent(t *testing.T) {
	hourMsg := "rate limit exceeded: 3 requests per hour per API key"
	t.Run("by requests, the minute has room", func(t *testing.T) {
		a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 5, PerHour: 3, Hour: 10 * time.Minute}})
		t0 := clk.Now()
		for range 3 {
			a.expect(a.hit(a.key), http.StatusOK, "")
		}
		clk.Advance(2 * time.Minute)
		expectRefused(t, a.hit(a.key), hourMsg, 480, 3, t0, 10*time.Minute)
		clk.Advance(8 * time.Minute)
		expectRate(t, a.hit(a.key), http.StatusOK, 3, 2, t0, 20*time.Minute)
	})
	t.Run("by SpendQuota", func(t *testing.T) {
		a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 100, PerHour: 1000}})
		clk.Advance(20 * time.Minute) // SpendQuota starts a window now
		t0 := clk.Now()
		if err := a.e.SpendQuota(a.key, QuotaHour); err != nil {
			t.Fatal(err)
		}
		expectRefused(t, a.hit(a.key), "rate limit exceeded: 1000 requests per hour per API key", 3600, 1000, t0, time.Hour)
		clk.Advance(time.Hour)
		expectRate(t, a.hit(a.key), http.StatusOK, 100, 99, t0, time.Hour+time.Minute)
	})
	t.Run("both spent", func(t *testing.T) {
		a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 2, PerHour: 2}})
		t0 := clk.Now()
		a.hit(a.key)
		a.hit(a.key)
		clk.Advance(time.Second)
		expectRefused(t, a.hit(a.key),
			"rate limit exceeded: 2 requests per minute per API key and 2 requests per hour per API key",
			3599, 2, t0, time.Hour)
	})
}

func TestQuotaRefusedRequestsDoNotCount(t *testing.T) {
	a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 1, PerHour: 3}})
	t0 := clk.Now()
	// Injected faults answer before the API: not counted, no headers.
	a.e.FailNext(2, FaultServerError, "")
	for range 2 {
		r := a.hit(a.key)
		a.expect(r, http.StatusInternalServerError, "")
		if rl, ok := rateLimitOf(t, r); ok {
			t.Fatalf("injected fault carries X-RateLimit %+v", rl)
		}
	}
	a.expect(a.hit(a.key), http.StatusOK, "")
	// Three refusals by the minute window would spend the hour if counted.
	for range 3 {
		a.expect(a.hit(a.key), http.StatusTooManyRequests, "")
	}
	clk.Advance(time.Minute)
	expectRate(t, a.hit(a.key), http.StatusOK, 1, 0, t0, 2*time.Minute)
	clk.Advance(time.Minute)
	// Both windows spent: the tie goes to the hour, which resets later.
	expectRate(t, a.hit(a.key), http.StatusOK, 3, 0, t0, time.Hour)
	clk.Advance(time.Minute)
	expectRefused(t, a.hit(a.key), "rate limit exceeded: 3 requests per hour per API key", 3420, 3, t0, time.Hour)
	if got, want := a.e.QuotaStats()[a.key], (QuotaCount{Counted: 3, Refused: 4}); got != want {
		t.Errorf("QuotaStats = %+v, want %+v", got, want)
	}
}

func TestQuotaPerKey(t *testing.T) {
	a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 2}})
	t0 := clk.Now()
	other := a.e.CreateAPIKey(a.org)
	a.hit(a.key)
	a.hit(a.key)
	a.expect(a.hit(a.key), http.StatusTooManyRequests, "")
	clk.Advance(5 * time.Second)
	expectRate(t, a.hit(other), http.StatusOK, 2, 1, t0, 65*time.Second)
	want := map[string]QuotaCount{a.key: {Counted: 2, Refused: 1}, other: {Counted: 1}}
	if got := a.e.QuotaStats(); !maps.Equal(got, want) {
		t.Errorf("QuotaStats = %v, want %v", got, want)
	}
}

func TestQuotaSkipsUnauthenticated(t *testing.T) {
	a, _ := newMemEmu(t, Options{Quota: Quota{PerMinute: 1}})
	for _, key := range []string{"", "xao_unknown"} {
		r := a.hit(key)
		a.expect(r, http.StatusUnauthorized, "")
		if rl, ok := rateLimitOf(t, r); ok {
			t.Errorf("key %q: 401 carries X-RateLimit %+v", key, rl)
		}
	}
	r := a.do("GET", "/_hello", nil)
	if rl, ok := rateLimitOf(t, r); ok {
		t.Errorf("/_hello carries X-RateLimit %+v", rl)
	}
	if s := a.e.QuotaStats(); len(s) != 0 {
		t.Errorf("QuotaStats = %v, want none counted", s)
	}
}

func TestSetQuotaResets(t *testing.T) {
	a, clk := newMemEmu(t, Options{Quota: Quota{PerMinute: 1}})
	a.hit(a.key)
	a.expect(a.hit(a.key), http.StatusTooManyRequests, "")
	clk.Advance(time.Second)
	a.e.SetQuota(Quota{PerMinute: 1})
	expectRate(t, a.hit(a.key), http.StatusOK, 1, 0, clk.Now(), time.Minute)
	if got, want := a.e.QuotaStats()[a.key], (QuotaCount{Counted: 1}); got != want {
		t.Errorf("QuotaStats after SetQuota = %+v, want %+v", got, want)
	}
	a.e.SetQuota(Quota{})
	r := a.hit(a.key)
	a.expect(r, http.StatusOK, "")
	if rl, ok := rateLimitOf(t, r); ok {
		t.Errorf("quota turned off, yet X-RateLimit = %+v", rl)
	}
}

func TestSpendQuotaErrors(t *testing.T) {
	a, _ := newMemEmu(t, Options{Quota: Quota{PerMinute: 1}})
	for _, tc := range []struct {
		key string
		w   QuotaWindow
	}{
		{"xao_unknown", QuotaMinute},
		{a.key, "day"},
		{a.key, QuotaHour}, // unlimited
	} {
		if err := a.e.SpendQuota(tc.key, tc.w); err == nil {
			t.Errorf("SpendQuota(%q, %q) = nil, want an error", tc.key, tc.w)
		}
	}
	if s := a.e.QuotaStats(); len(s) != 0 {
		t.Errorf("QuotaStats = %v", s)
	}
}
