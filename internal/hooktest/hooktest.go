// Package hooktest is the far end of a webhook, for tests: a productivity platform's receiver
// that keeps every request it is sent and answers each from a script.
//
// The client posts webhooks, and delivery, the provider and the screen pop trigger send both
// events through it; each of their tests needs a receiver that records what arrived and fails
// on demand. They share this one, so what a receiver sees, and how it checks a signature, is
// written once.
package hooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// Request is one request as the receiver read it.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
	// ReadErr is the error reading the body met, if any: a sender that breaks off mid-body.
	ReadErr error
}

// SignedWith reports whether the X-Payload-Signature header is the base64 HMAC-SHA256 of the
// body under secret, as a platform checks it. The HMAC is computed here rather than with the
// sender's signer, so that a fault in that signer cannot pass unseen.
func (r Request) SignedWith(secret []byte) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(r.Body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(r.Header.Get("X-Payload-Signature")))
}

// Event decodes the body as the JSON object both webhooks send.
func (r Request) Event() (map[string]any, error) {
	var ev map[string]any
	err := json.Unmarshal(r.Body, &ev)
	return ev, err
}

// Status answers with code and no body.
func Status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// Receiver is an http.Handler that records each request and answers the n-th one of its
// script with the script's n-th answer, and every one after the last with the last; with no
// script it answers 200.
type Receiver struct {
	mu       sync.Mutex
	requests []Request
	script   []http.HandlerFunc
	answered int // requests answered from the current script
}

// NewReceiver is a Receiver answering from script; serve it where the test needs (Serve: a
// loopback socket; internal/memnet: inside a synctest bubble).
func NewReceiver(script ...http.HandlerFunc) *Receiver {
	return &Receiver{script: script}
}

// Serve starts a Receiver answering from script on a loopback socket, closed when the test
// ends, and returns it with its base URL.
func Serve(t testing.TB, script ...http.HandlerFunc) (*Receiver, string) {
	t.Helper()
	rc := NewReceiver(script...)
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

// Reply replaces the script: the next request gets its first answer.
func (rc *Receiver) Reply(script ...http.HandlerFunc) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.script, rc.answered = script, 0
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests = append(rc.requests, Request{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: body, ReadErr: err})
	rc.answered++
	answer := Status(http.StatusOK)
	if len(rc.script) > 0 {
		answer = rc.script[min(rc.answered, len(rc.script))-1]
	}
	rc.mu.Unlock()
	answer(w, r) // outside the lock: an answer may wait on the request's context
}

// Requests is every request received so far, in the order they arrived.
func (rc *Receiver) Requests() []Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.requests)
}

// Len is how many requests have arrived.
func (rc *Receiver) Len() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.requests)
}
