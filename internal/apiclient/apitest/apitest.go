// Package apitest has what API client tests share: the handlers that
// script their test servers, hostile ones included, a fake clock, a log
// recorder, an in-process transport and a resolver that knows no host.
package apitest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reply answers with code and body, after setting the given header
// name/value pairs.
func Reply(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// Echo answers with code and body, in which each %s is replaced by the
// request's value of header: a server quoting the caller's credentials.
func Echo(code int, header, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, strings.ReplaceAll(body, "%s", r.Header.Get(header)))
	}
}

// Drop closes the connection without answering: the response is lost.
func Drop(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// Reset aborts the connection with a TCP reset, without answering.
func Reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// Hang accepts the request and never answers. It reads the body first:
// only then does the server notice the client hanging up.
func Hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// Trickle answers 200 with a JSON body that never ends: a byte every
// 10ms, until the client goes away.
func Trickle(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	rc := http.NewResponseController(w)
	if _, err := io.WriteString(w, `{"items":[`); err != nil {
		return
	}
	for {
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
		if _, err := io.WriteString(w, " "); err != nil {
			return
		}
	}
}

// Huge answers code with a body of size bytes that is written from one
// small buffer, so that only the client can run out of memory. It records
// in sent how much the client took.
func Huge(code int, size int64, sent *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for left := size; left > 0; left -= int64(len(chunk)) {
			n, err := w.Write(chunk[:min(int64(len(chunk)), left)])
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// Script answers the i-th request with steps[i], repeating the last step,
// and counts requests.
func Script(steps ...http.HandlerFunc) (http.Handler, *atomic.Int32) {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}), &n
}

// Headers records the headers of every request it serves, answering 200
// with an empty JSON object: the target of a redirect, to prove that no
// credential reaches it.
type Headers struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *Headers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	h.mu.Unlock()
	fmt.Fprint(w, "{}")
}

// Seen returns the headers of the requests served so far.
func (h *Headers) Seen() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.seen...)
}

// Logs records debug logs; it is an apiclient, xata and signadot Logger.
type Logs struct {
	mu    sync.Mutex
	lines []string
	msgs  []string
}

// Debug records msg and its fields as one line.
func (l *Logs) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

// String returns every line recorded, one per log.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Count is the number of logs whose message ends with suffix; " request"
// counts a client's attempts.
func (l *Logs) Count(suffix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasSuffix(m, suffix) {
			n++
		}
	}
	return n
}

// Clock is a fake apiclient.Clock. Time stands still but for Advance and
// Sleep; Sleep advances it by the duration and records that duration, so
// a test checks which waits were scheduled rather than how long it took.
// Sleeps of concurrent callers add up, so it suits one caller at a time.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d (if positive) and records d, unless ctx
// has already ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

// Advance moves the clock forward by d without recording a sleep.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns the durations slept so far, and forgets them.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sleeps
	c.sleeps = nil
	return s
}

// Transport serves requests with Handler in-process, without a network,
// so that under testing/synctest every wait is on the bubble's clock.
type Transport struct{ Handler http.Handler }

// RoundTrip serves r and returns the recorded response.
func (t Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.Handler.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// NXDomain returns a resolver whose DNS server answers every query "no
// such domain", as a real one does for nonexistent.invalid: the lookup
// fails just as it would in production, without depending on the test
// machine's network.
func NXDomain() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go answerNXDomain(server)
		return client, nil
	}}
}

// answerNXDomain serves DNS over a stream (length-prefixed messages),
// answering each query with its own ID and question and RCODE 3.
func answerNXDomain(conn net.Conn) {
	defer conn.Close()
	for {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, query); err != nil || len(query) < 12 {
			return
		}
		resp := append([]byte(nil), query...)
		// QR, the query's opcode and RD, RA, RCODE 3; one question, no
		// other records (EDNS options dropped).
		resp[2] = 0x80 | query[2]&0x79
		resp[3] = 0x80 | 3
		binary.BigEndian.PutUint16(resp[6:], 0)
		binary.BigEndian.PutUint16(resp[8:], 0)
		binary.BigEndian.PutUint16(resp[10:], 0)
		resp = resp[:12+questionLen(query[12:])]
		binary.BigEndian.PutUint16(size[:], uint16(len(resp)))
		if _, err := conn.Write(append(size[:], resp...)); err != nil {
			return
		}
	}
}

// questionLen is the length of the first question in q: a name of
// length-prefixed labels ending in a zero byte, then type and class.
func questionLen(q []byte) int {
	i := 0
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	return min(i+1+4, len(q))
}
