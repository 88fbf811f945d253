package emuhttp

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

func get(url string) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Close = true // no idle connection for Close to wait on
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestListener(t *testing.T) {
	var l Listener
	if l.URL() != "" {
		t.Errorf("URL before Start = %q", l.URL())
	}
	url, err := l.Start("127.0.0.1:0", ok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || l.URL() != url {
		t.Errorf("Start = %q, URL = %q", url, l.URL())
	}
	if status, err := get(url); err != nil || status != http.StatusNoContent {
		t.Fatalf("GET: %d, %v", status, err)
	}
	if _, err := l.Start("127.0.0.1:0", ok); err == nil {
		t.Error("second Start succeeded")
	}
	if err := l.Close(time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := get(url); err == nil {
		t.Error("still serving after Close")
	}
	if _, err := l.Start("127.0.0.1:0", ok); err == nil {
		t.Error("Start after Close succeeded")
	}

	var unused Listener
	if err := unused.Close(time.Second); err != nil {
		t.Errorf("Close without Start: %v", err)
	}
	if _, err := unused.Start("127.0.0.1:0", ok); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	urls := make(chan string, 1)
	go func() { done <- Run(ctx, "127.0.0.1:0", ok, func(url string) { urls <- url }) }()
	url := <-urls
	if status, err := get(url); err != nil || status != http.StatusNoContent {
		t.Fatalf("GET: %d, %v", status, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := get(url); err == nil {
		t.Error("still serving after Run returned")
	}

	if err := Run(context.Background(), "not an address", ok, func(string) { t.Error("ready called") }); err == nil {
		t.Error("Run on a bad address succeeded")
	}
}
