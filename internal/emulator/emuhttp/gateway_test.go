package emuhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

// newGateway is a Handler in front of an API that answers 200 with an
// empty object and counts the requests it serves. Tests in a synctest
// bubble call it in-process.
func newGateway(limit RateLimit) (*Handler, *atomic.Int64) {
	var served, ids atomic.Int64
	h := &Handler{
		Name: "testemu",
		Serve: func(w http.ResponseWriter, _ *http.Request, _ string) {
			served.Add(1)
			WriteJSON(w, http.StatusOK, struct{}{}, false)
		},
		RequestID:     func(*http.Request) string { return "req" + strconv.FormatInt(ids.Add(1), 10) },
		RateLimitBody: "slow down",
		FaultError:    func(http.ResponseWriter, string, int) { panic("no fault is configured") },
	}
	h.SetFaults(Faults{Limit: limit})
	return h, &served
}

func serve(h http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil))
	return rec
}

func TestRateLimit(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprint("RetryAfter=", retryAfter), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, served := newGateway(RateLimit{Rate: 4, Burst: 2, RetryAfter: retryAfter})
				for i, want := range []int{200, 200, 429, 429} {
					if got := serve(h).Code; got != want {
						t.Errorf("request %d of a burst: %d, want %d", i+1, got, want)
					}
				}
				time.Sleep(250 * time.Millisecond) // one token at 4/s
				if got := serve(h).Code; got != 200 {
					t.Errorf("after a token's time: %d", got)
				}
				res := serve(h)
				wantRetryAfter, wantKind := "", FaultRateLimited
				if retryAfter {
					wantRetryAfter, wantKind = "1", FaultRateLimitedRetryAfter // 250ms, rounded up
				}
				if res.Code != 429 || res.Header().Get("Retry-After") != wantRetryAfter {
					t.Errorf("refusal: %d, Retry-After %q; want 429, %q", res.Code, res.Header().Get("Retry-After"), wantRetryAfter)
				}
				if s := h.Stats(); served.Load() != 3 || s.Requests != 6 || s.Faulted != 3 || s.ByKind[wantKind] != 3 {
					t.Errorf("served %d; stats %+v", served.Load(), s)
				}
			})
		})
	}
}

// TestRateLimitedClientsSucceed has concurrent callers share one
// apiclient with its adaptive limiter, as the resources of a Terraform
// run do, against a rate-limited API. All of them must succeed, and the
// API must be kept busy near its limit. Time is the synctest bubble's.
func TestRateLimitedClientsSucceed(t *testing.T) {
	const (
		callers = 8
		calls   = 100 // each
		rate    = 20  // per second
		burst   = 5
	)
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprint("RetryAfter=", retryAfter), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, served := newGateway(RateLimit{Rate: rate, Burst: burst, RetryAfter: retryAfter})
				c, err := apiclient.New(apiclient.Config{
					Name:       "test API",
					BaseURL:    "http://api.test",
					HTTPClient: &http.Client{Transport: apitest.Transport{Handler: h}},
					SetHeaders: func(http.Header) {},
					Retryable: func(method string, err error) bool {
						return apiclient.Retryable(method, err, statusOf(err))
					},
					DecodeError: func(_, _ string, status int, _ http.Header, _ []byte) error {
						return &statusError{status: status}
					},
					Redact:  apiclient.Redactor{JSON: func(v any) any { return v }, Text: func(s string) string { return s }},
					Limiter: apiclient.NewLimiter(apiclient.LimiterConfig{}),
				})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				var (
					wg     sync.WaitGroup
					failed atomic.Int64
				)
				for range callers {
					wg.Go(func() {
						for range calls {
							var out struct{}
							if err := c.Do(context.Background(), apiclient.Call{Method: http.MethodGet, Path: "/"}, &out); err != nil {
								failed.Add(1)
								t.Error(err)
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				s := h.Stats()
				servedRate := float64(served.Load()) / elapsed.Seconds()
				t.Logf("%d calls in %v: %.1f/s served, %d requests refused", callers*calls, elapsed, servedRate, s.Faulted)
				if failed.Load() != 0 || served.Load() != callers*calls {
					t.Fatalf("%d calls failed; %d served", failed.Load(), served.Load())
				}
				// No more than the bucket allows, and not much less: the
				// limiter backs off, then climbs back.
				if servedRate > rate+burst/elapsed.Seconds() || servedRate < 0.7*rate {
					t.Errorf("served %.1f requests/s against a limit of %d/s", servedRate, rate)
				}
				// Refusals are the price of finding the limit, not a flood.
				if s.Faulted > callers*calls/50 {
					t.Errorf("%d of %d requests refused", s.Faulted, s.Requests)
				}
			})
		})
	}
}

type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("test API: %d", e.status) }

// statusOf is the status of the statusError in err's chain, 0 if none.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}
