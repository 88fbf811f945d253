package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Budget is what the server last said of the API key's request quota, in
// the X-RateLimit-Limit, -Remaining and -Reset headers of its answers.
// Every client of the key, in any process, draws on the same quota, so
// this is the budget of the whole fleet, not of this process.
type Budget struct {
	Limit     int       // requests per window
	Remaining int       // left in the current window
	Reset     time.Time // when the current window ends
	// Sharers estimates how many clients spend the quota at this one's
	// pace (at least 1): how far Remaining fell between two answers, over
	// the requests this client sent between them, smoothed.
	Sharers float64
}

// epochFloor tells a Unix timestamp (Xata documents X-RateLimit-Reset as
// one) from a count of seconds, which other APIs send in the same header.
const epochFloor = 1_000_000_000

// parseBudget reads the X-RateLimit-* headers; false when any is missing
// or malformed.
func parseBudget(h http.Header, now time.Time) (Budget, bool) {
	num := func(key string) (int64, bool) {
		v, err := strconv.ParseInt(strings.TrimSpace(h.Get(key)), 10, 64)
		return v, err == nil && v >= 0
	}
	limit, ok1 := num("X-RateLimit-Limit")
	remaining, ok2 := num("X-RateLimit-Remaining")
	reset, ok3 := num("X-RateLimit-Reset")
	if !ok1 || !ok2 || !ok3 || limit == 0 {
		return Budget{}, false
	}
	at := time.Unix(reset, 0)
	if reset < epochFloor {
		at = now.Add(time.Duration(reset) * time.Second)
	}
	return Budget{Limit: int(min(limit, 1<<31)), Remaining: int(min(remaining, limit)), Reset: at}, true
}

// QuotaError means the server will not take requests of this API key
// again before Until, and that is later than the call may wait: its
// context's deadline or Config.MaxQuotaWait. The call fails at once rather
// than waiting or retrying into the same refusal; so does every later call
// of the same Limiter until then, without sending anything.
type QuotaError struct {
	API, Method, Path string
	Until             time.Time
	MaxWait           time.Duration // how long the call could have waited
	Budget            Budget        // zero Limit when the server sent none
	Err               error         // the server's refusal; nil when nothing was sent
	now               time.Time
}

func (e *QuotaError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: the API key's request quota is spent until %s (in %s), longer than this operation may wait (%s)",
		e.API, e.Method, e.Path, e.Until.UTC().Format(time.RFC3339), e.Until.Sub(e.now).Round(time.Second),
		e.MaxWait.Round(time.Second))
	if e.Budget.Limit > 0 {
		fmt.Fprintf(&b, "; the server allows %d requests per window and %d remain", e.Budget.Limit, e.Budget.Remaining)
	}
	if e.Err == nil {
		b.WriteString("; nothing was sent")
	} else {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *QuotaError) Unwrap() error { return e.Err }

// quotaWait is how long a call may wait for the quota to come back: at
// most MaxQuotaWait, and never past its context's deadline.
func (c *Client) quotaWait(ctx context.Context) time.Duration {
	d := c.cfg.MaxQuotaWait
	if deadline, ok := ctx.Deadline(); ok {
		d = min(d, max(0, deadline.Sub(c.cfg.Clock.Now())))
	}
	return d
}

// serverWait is how long the server asked the caller to stay away after a
// refusal: its Retry-After, else, when the quota has nothing left, until
// the quota's reset.
func serverWait(resp *Response, budget Budget, hasBudget bool, now time.Time) (time.Duration, bool) {
	if d, ok := parseRetryAfter(resp.header.Get("Retry-After"), now); ok {
		return d, true
	}
	if hasBudget && budget.Remaining == 0 && budget.Reset.After(now) {
		return budget.Reset.Sub(now), true
	}
	return 0, false
}
