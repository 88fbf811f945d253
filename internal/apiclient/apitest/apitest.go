// Package apitest has what API client tests share: the handlers that
// script their test servers, hostile ones included, and a log recorder.
package apitest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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

// Count is the number of logs whose message is msg.
func (l *Logs) Count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if m == msg {
			n++
		}
	}
	return n
}
