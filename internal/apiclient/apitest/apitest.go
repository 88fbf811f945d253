// Package apitest has the HTTP handlers that API client tests script their
// test servers with.
package apitest

import (
	"fmt"
	"net/http"
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
