package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

const (
	webhookSecret = "webhook-S3CRET-value"
	pathToken     = "T000-B000-XXXXpathcredential"
)

// receiver is a productivity platform: it checks every request and answers from a script.
type receiver struct {
	t       *testing.T
	mu      sync.Mutex
	bodies  [][]byte
	answers []func(http.ResponseWriter) // one per attempt; the last repeats
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("reading the body: %v", err)
	}
	mac := hmac.New(sha256.New, []byte(webhookSecret))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	switch {
	case r.Method != http.MethodPost:
		rc.t.Errorf("method %s; want POST", r.Method)
	case r.Header.Get("Content-Type") != "application/json":
		rc.t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	case r.Header.Get("X-Payload-Signature") != want:
		rc.t.Errorf("X-Payload-Signature %q does not sign the %d bytes received; want %q", r.Header.Get("X-Payload-Signature"), len(body), want)
	case r.Header.Get("Idempotency-Key") != "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c":
		rc.t.Errorf("Idempotency-Key %q", r.Header.Get("Idempotency-Key"))
	case r.URL.Query().Get("token") != pathToken:
		rc.t.Errorf("query lost: %q", r.URL.RawQuery)
	}
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, body)
	n := len(rc.bodies)
	rc.mu.Unlock()
	rc.answers[min(n, len(rc.answers))-1](w)
}

func (rc *receiver) attempts() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.bodies)
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code) }
}

func serve(t *testing.T, answers ...func(http.ResponseWriter)) (*receiver, string) {
	rc := &receiver{t: t, answers: answers}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL + "/hooks/" + pathToken + "?token=" + pathToken
}

var event = ScreenPopEvent{
	UserID:         "6d2f0c3e-user",
	LatencyMs:      123.456,
	WindowFocus:    true,
	Timestamp:      time.Date(2025, 3, 1, 12, 0, 0, 500, time.FixedZone("CET", 3600)),
	IdempotencyKey: "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c",
}

func hook(u string) *Webhook {
	return &Webhook{URL: u, Secret: []byte(webhookSecret), Backoff: time.Millisecond}
}

func TestWebhookDeliversASignedEvent(t *testing.T) {
	rc, u := serve(t, status(http.StatusNoContent))
	if err := hook(u).Send(context.Background(), event); err != nil {
		t.Fatal(err)
	}
	if rc.attempts() != 1 {
		t.Fatalf("%d attempts; want 1", rc.attempts())
	}
	var got map[string]any
	if err := json.Unmarshal(rc.bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"event": "screenpop_activated", "userId": "6d2f0c3e-user", "latencyMs": 123.456, "windowFocus": true,
		"timestamp": "2025-03-01T11:00:00.0000005Z", "idempotencyKey": "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c",
	}
	if len(got) != len(want) {
		t.Errorf("body %s; want exactly %v", rc.bodies[0], want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v; want %v", k, got[k], v)
		}
	}
}

func TestWebhookRetriesWithTheWholeBody(t *testing.T) {
	for _, first := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway} {
		rc, u := serve(t, status(first), status(first), status(http.StatusOK))
		if err := hook(u).Send(context.Background(), event); err != nil {
			t.Fatalf("after %d: %v", first, err)
		}
		if rc.attempts() != 3 {
			t.Fatalf("after %d: %d attempts; want 3", first, rc.attempts())
		}
		for i, b := range rc.bodies {
			if len(b) == 0 || string(b) != string(rc.bodies[0]) {
				t.Errorf("attempt %d sent %q; want the same body as the first", i+1, b)
			}
		}
	}
}

func TestWebhookGivesUp(t *testing.T) {
	tests := []struct {
		name     string
		answer   int
		attempts int
		want     string
	}{
		{"server error", http.StatusInternalServerError, 3, "answered 500 Internal Server Error after 3 attempts"},
		{"rate limited", http.StatusTooManyRequests, 3, "answered 429 Too Many Requests after 3 attempts"},
		{"bad request", http.StatusBadRequest, 1, "answered 400 Bad Request after 1 attempt"},
		{"unauthorized", http.StatusUnauthorized, 1, "answered 401 Unauthorized after 1 attempt"},
		{"conflict", http.StatusConflict, 1, "answered 409 Conflict after 1 attempt"},
		{"redirect", http.StatusFound, 1, "answered 302 Found after 1 attempt; redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, u := serve(t, func(w http.ResponseWriter) {
				if tt.answer == http.StatusFound {
					w.Header().Set("Location", "https://elsewhere.example/")
				}
				w.WriteHeader(tt.answer)
			})
			err := hook(u).Send(context.Background(), event)
			var we *WebhookError
			if !errors.As(err, &we) {
				t.Fatalf("Send = %v; want a *WebhookError", err)
			}
			if rc.attempts() != tt.attempts || we.Attempts != tt.attempts || we.Status != tt.answer {
				t.Errorf("%d requests, error says %d attempts and status %d; want %d and %d", rc.attempts(), we.Attempts, we.Status, tt.attempts, tt.answer)
			}
			host := strings.TrimPrefix(strings.SplitN(u, "/hooks", 2)[0], "http://")
			if !strings.Contains(err.Error(), `webhook at host "`+host+`"`) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to name host %s and say %q", err, host, tt.want)
			}
			assertNoSecrets(t, err)
		})
	}
}

func TestWebhookUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hooks/" + pathToken + "?token=" + pathToken
	srv.Close()
	err := hook(u).Send(context.Background(), event)
	var we *WebhookError
	if !errors.As(err, &we) || we.Attempts != 3 || we.Status != 0 || we.Err == nil {
		t.Fatalf("Send = %#v; want 3 failed attempts with a transport error", err)
	}
	if !strings.Contains(err.Error(), "could not be reached after 3 attempts") {
		t.Errorf("error %q", err)
	}
	assertNoSecrets(t, err)
}

// The waits run in a synctest bubble: its clock moves only by them, so the
// elapsed times below are exact, whatever the machine's load.
func TestWebhookHonoursRetryAfter(t *testing.T) { synctest.Test(t, testWebhookHonoursRetryAfter) }

func testWebhookHonoursRetryAfter(t *testing.T) {
	rc, h := serveInBubble(t, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	}, status(http.StatusOK))
	start := time.Now()
	if err := h.Send(context.Background(), event); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed != time.Second || rc.attempts() != 2 {
		t.Errorf("retried after %v with %d attempts; want one retry after the 1 s asked", elapsed, rc.attempts())
	}
}

func TestWebhookStopsWithTheContext(t *testing.T) { synctest.Test(t, testWebhookStopsWithTheContext) }

func testWebhookStopsWithTheContext(t *testing.T) {
	rc, h := serveInBubble(t, status(http.StatusServiceUnavailable))
	h.Backoff = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := h.Send(ctx, event)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v; want the context's error", err)
	}
	if took := time.Since(start); took != 50*time.Millisecond || rc.attempts() != 1 {
		t.Errorf("took %v and %d attempts; want a return at the 50 ms deadline after 1", took, rc.attempts())
	}
	assertNoSecrets(t, err)
}

// serveInBubble is serve over internal/memnet, for tests in a synctest
// bubble (a loopback socket would keep the bubble's clock from moving); it
// returns the hook to send with.
func serveInBubble(t *testing.T, answers ...func(http.ResponseWriter)) (*receiver, *Webhook) {
	rc := &receiver{t: t, answers: answers}
	srv := memnet.NewServer(rc)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	h := hook(srv.URL + "/hooks/" + pathToken + "?token=" + pathToken)
	h.Client = srv.Client()
	return rc, h
}

func TestWebhookNoOpAndMisconfigured(t *testing.T) {
	var nilHook *Webhook
	if err := nilHook.Send(context.Background(), event); err != nil {
		t.Errorf("nil Webhook: %v", err)
	}
	if err := (&Webhook{Secret: []byte(webhookSecret)}).Send(context.Background(), event); err != nil {
		t.Errorf("empty URL: %v", err)
	}

	rc, u := serve(t, status(http.StatusOK))
	if err := (&Webhook{URL: u}).Send(context.Background(), event); err == nil || !strings.Contains(err.Error(), "signing secret") {
		t.Errorf("no secret: %v", err)
	}
	if rc.attempts() != 0 {
		t.Errorf("an unsigned event was sent")
	}
	for _, bad := range []string{"ftp://x.example/" + pathToken, "/relative/" + pathToken, "https:///" + pathToken, "https://x.example:bad/" + pathToken} {
		err := hook(bad).Send(context.Background(), event)
		if err == nil || !strings.Contains(err.Error(), "absolute http or https URL") {
			t.Errorf("Send to %q = %v", bad, err)
		}
		assertNoSecrets(t, err)
	}
}

func TestWebhookUsesTheGivenClient(t *testing.T) {
	rc, u := serve(t, status(http.StatusOK))
	var used bool
	h := hook(u)
	h.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	if err := h.Send(context.Background(), event); err != nil || !used || rc.attempts() != 1 {
		t.Errorf("Send = %v, client used %v, %d attempts", err, used, rc.attempts())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseRetryAfter(t *testing.T) {
	if d := parseRetryAfter("7"); d != 7*time.Second {
		t.Errorf("7 -> %v", d)
	}
	for _, v := range []string{"", "0", "-3", "soon"} {
		if d := parseRetryAfter(v); d != 0 {
			t.Errorf("%q -> %v; want 0", v, d)
		}
	}
	if d := parseRetryAfter(time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)); d < 8*time.Second || d > 10*time.Second {
		t.Errorf("HTTP date 10s ahead -> %v", d)
	}
	if d := parseRetryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)); d != 0 {
		t.Errorf("HTTP date in the past -> %v", d)
	}
}

func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range []string{webhookSecret, pathToken, "/hooks/", url.QueryEscape(pathToken)} {
		if strings.Contains(msg, s) {
			t.Errorf("error %q contains %q", msg, s)
		}
	}
}
