package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Bounds that keep one slow database or oversized request from tying up the
// service.
const (
	maxBodyBytes  = 1 << 20
	healthTimeout = 2 * time.Second
	queryTimeout  = 5 * time.Second
)

type server struct {
	store  store
	branch string
	log    *slog.Logger
	redact func(string) string
}

func newServer(st store, branch string, log *slog.Logger, redact func(string) string) *server {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	return &server{store: st, branch: branch, log: log, redact: redact}
}

// routes uses method-qualified patterns, so ServeMux itself answers 405
// (with an Allow header) for a known path with the wrong method.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.handleHealth)
	mux.HandleFunc("GET /users", s.handleListUsers)
	mux.HandleFunc("POST /users", s.handleCreateUser)
	mux.HandleFunc("GET /info", s.handleInfo)
	return s.logRequests(mux)
}

type healthResponse struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		msg := s.redact(err.Error())
		s.log.Warn("health check failed", "error", msg)
		writeJSON(w, http.StatusServiceUnavailable, healthResponse{Status: "unavailable", Error: msg})
		return
	}
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
}

type listUsersResponse struct {
	Users []user `json:"users"`
	Count int    `json:"count"`
}

func (s *server) handleListUsers(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	users, err := s.store.List(ctx)
	if err != nil {
		s.internalError(w, "listing users", err)
		return
	}
	if users == nil {
		users = []user{} // always encode a list, never null
	}
	writeJSON(w, http.StatusOK, listUsersResponse{Users: users, Count: len(users)})
}

type createUserRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (s *server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err := dec.Decode(&req); err != nil {
		if errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, `request body is empty; send {"name": ..., "email": ...}`)
			return
		}
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	// One object per request; trailing data usually means a client bug.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "invalid JSON body: unexpected data after the object")
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	req.Email = strings.TrimSpace(req.Email)
	if req.Name == "" {
		writeError(w, http.StatusBadRequest, "name is required")
		return
	}
	if req.Email == "" {
		writeError(w, http.StatusBadRequest, "email is required")
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	u, err := s.store.Create(ctx, req.Name, req.Email)
	if errors.Is(err, errDuplicateEmail) {
		writeError(w, http.StatusConflict, fmt.Sprintf("a user with email %q already exists", req.Email))
		return
	}
	if err != nil {
		s.internalError(w, "creating user", err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

type infoResponse struct {
	Branch   string `json:"branch"`
	Database string `json:"database"`
	Users    int    `json:"users"`
}

// handleInfo tells the demo which branch and database a copy of the service
// is really talking to, and how many users it sees there.
func (s *server) handleInfo(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	db, err := s.store.Database(ctx)
	if err != nil {
		s.internalError(w, "reading database name", err)
		return
	}
	n, err := s.store.Count(ctx)
	if err != nil {
		s.internalError(w, "counting users", err)
		return
	}
	writeJSON(w, http.StatusOK, infoResponse{Branch: s.branch, Database: db, Users: n})
}

// internalError logs the real cause and gives the client only a generic
// message, so database details stay out of responses.
func (s *server) internalError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "error", s.redact(err.Error()))
	writeError(w, http.StatusInternalServerError, "internal error")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The status is already sent, so an encoding error can only be dropped.
	_ = json.NewEncoder(w).Encode(v)
}

// statusRecorder remembers the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests writes one line per request to the logger. Only method, path,
// status and duration are logged: no headers, bodies or query strings.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond),
		)
	})
}
