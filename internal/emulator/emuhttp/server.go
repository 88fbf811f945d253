package emuhttp

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener serves an emulator on a TCP port, for its Start and Close. The
// zero value is ready to use; it serves at most once.
type Listener struct {
	mu     sync.Mutex
	server *http.Server
	url    string
	served chan error // Serve's result
	closed bool
}

// Start listens on addr ("127.0.0.1:0" picks a free loopback port), serves
// h in the background and returns the base URL. It fails after an earlier
// Start or Close.
func (l *Listener) Start(addr string, h http.Handler) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.server != nil || l.closed {
		return "", errors.New("emulator already started or closed")
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	l.server, l.url, l.served = srv, "http://"+ln.Addr().String(), served
	return l.url, nil
}

// URL is the base URL Start returned ("" before).
func (l *Listener) URL() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.url
}

// Close stops serving: requests in flight get grace to finish, then their
// connections are cut and the timeout is returned. Without a Start it only
// keeps Start from serving later.
func (l *Listener) Close(grace time.Duration) error {
	l.mu.Lock()
	l.closed = true
	srv := l.server
	l.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return err
	}
	return nil
}

// Run is the serving loop of an emulator command: it serves h on addr,
// passes the base URL to ready (to print it), and serves until ctx is done
// or serving fails. Then requests in flight get ten seconds to finish.
func Run(ctx context.Context, addr string, h http.Handler, ready func(url string)) error {
	var l Listener
	url, err := l.Start(addr, h)
	if err != nil {
		return err
	}
	ready(url)
	select {
	case <-ctx.Done():
		log.Print("shutting down")
	case err = <-l.served:
	}
	return errors.Join(err, l.Close(10*time.Second))
}
