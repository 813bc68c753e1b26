package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

const (
	testClientID     = "test-client"
	testClientSecret = "s3cr3t-client-secret-value"
)

// fakeGenesys is a minimal hand-written server for transport-level tests: a
// token endpoint that issues numbered tokens, and whatever API handler the
// test supplies. The emulator-backed tests cover the real wire contract.
type fakeGenesys struct {
	srv *memnet.Server

	tokenRequests atomic.Int64
	expiresIn     atomic.Int64
	// tokenStatus, if set, answers the nth token request (from 1) with that
	// status instead of a token, when it returns non-zero.
	tokenStatus func(n int64) int

	mu      sync.Mutex
	issued  []string
	revoked map[string]bool
	agents  []string // User-Agent of every request
	api     http.HandlerFunc
}

func newFakeGenesys(t *testing.T, api http.HandlerFunc) *fakeGenesys {
	t.Helper()
	f := &fakeGenesys{api: api, revoked: map[string]bool{}}
	f.expiresIn.Store(3600)
	f.srv = memnet.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		if err := f.srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	return f
}

func (f *fakeGenesys) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.agents = append(f.agents, r.UserAgent())
	f.mu.Unlock()
	if r.URL.Path == "/oauth/token" {
		f.serveToken(w, r)
		return
	}
	if !f.authorized(r) {
		writeGenesysError(w, http.StatusUnauthorized, "authentication.required", "no valid token", "corr-401")
		return
	}
	f.api(w, r)
}

func (f *fakeGenesys) serveToken(w http.ResponseWriter, r *http.Request) {
	n := f.tokenRequests.Add(1)
	id, secret, ok := r.BasicAuth()
	if !ok || id != testClientID || secret != testClientSecret || r.FormValue("grant_type") != "client_credentials" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client","description":"client credentials are not valid"}`)
		return
	}
	if f.tokenStatus != nil {
		if status := f.tokenStatus(n); status != 0 {
			w.WriteHeader(status)
			return
		}
	}
	tok := fmt.Sprintf("token-%d-%d", n, time.Now().UnixNano())
	f.mu.Lock()
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": f.expiresIn.Load()})
}

func (f *fakeGenesys) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !ok || f.revoked[tok] {
		return false
	}
	for _, t := range f.issued {
		if t == tok {
			return true
		}
	}
	return false
}

// revokeAll makes every token issued so far answer 401, as an expired one does.
func (f *fakeGenesys) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.issued {
		f.revoked[t] = true
	}
}

func (f *fakeGenesys) userAgents() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.agents...)
}

func (f *fakeGenesys) issuedTokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}

// config is a Config for this server with fast retries.
func (f *fakeGenesys) config() Config {
	return Config{
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		APIURL:       f.srv.URL,
		LoginURL:     f.srv.URL,
		UserAgent:    "terraform-provider-genesys/test (+Terraform 1.16.2)",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		PollInterval: 5 * time.Millisecond,
		HTTPClient:   f.srv.Client(),
	}
}

func (f *fakeGenesys) client(t *testing.T, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := f.config()
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.now = tickingClock()
	return c
}

// tickingClock is the test's clock plus a nanosecond per reading. Inside a
// synctest bubble time stands still between waits, but the client orders
// events by its clock readings (an integration seen before a create began
// is not that create's), as a real clock, which always moves on, orders
// them.
func tickingClock() func() time.Time {
	var ticks atomic.Int64
	return func() time.Time { return time.Now().Add(time.Duration(ticks.Add(1))) }
}

func writeGenesysError(w http.ResponseWriter, status int, code, msg, corr string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerCorrelationID, corr)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"message": msg, "code": code, "status": status, "contextId": corr, "details": []any{}, "errors": []any{},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerCorrelationID, "corr-ok")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// resetConnection drops the connection without an answer.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// recordingLogger keeps every entry, rendered, for secret checks.
type recordingLogger struct {
	mu      sync.Mutex
	entries []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	b, _ := json.Marshal(fields)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, level+" "+msg+" "+string(b))
}

func (l *recordingLogger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}
