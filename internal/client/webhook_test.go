package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

const (
	hookSignature = "c2lnbmF0dXJlLW9mLXRoZS1ib2R5"
	hookKey       = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c"
	hookPathToken = "T000-B000-XXXXpathcredential"
	hookBody      = `{"event":"test"}`
)

// checkHookRequests checks, when the test ends, every request rc was sent: a signed JSON POST
// under the key given, without credentials, to the URL with its query intact.
func checkHookRequests(t *testing.T, rc *hooktest.Receiver) {
	t.Cleanup(func() {
		for i, r := range rc.Requests() {
			switch {
			case r.ReadErr != nil:
				t.Errorf("request %d: reading the body: %v", i+1, r.ReadErr)
			case r.Method != http.MethodPost:
				t.Errorf("request %d: method %s; want POST", i+1, r.Method)
			case r.Header.Get("Content-Type") != "application/json":
				t.Errorf("request %d: Content-Type %q", i+1, r.Header.Get("Content-Type"))
			case r.Header.Get("X-Payload-Signature") != hookSignature:
				t.Errorf("request %d: X-Payload-Signature %q", i+1, r.Header.Get("X-Payload-Signature"))
			case r.Header.Get("Idempotency-Key") != hookKey:
				t.Errorf("request %d: Idempotency-Key %q", i+1, r.Header.Get("Idempotency-Key"))
			case r.Header.Get("Authorization") != "":
				t.Errorf("request %d: a webhook was sent credentials: Authorization %q", i+1, r.Header.Get("Authorization"))
			case r.URL.Query().Get("token") != hookPathToken:
				t.Errorf("request %d: query lost: %q", i+1, r.URL.RawQuery)
			}
		}
	})
}

// hookClient is a client whose webhook requests reach only srv's receiver (and whose API, never
// called here, is srv too), with fast backoff.
func hookClient(t *testing.T, baseURL string, hc *http.Client) *Client {
	t.Helper()
	c, err := New(Config{
		ClientID: testClientID, ClientSecret: testClientSecret, APIURL: baseURL, LoginURL: baseURL, HTTPClient: hc,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serveHook starts a receiver answering from script on a loopback socket; it returns the client
// and the hook's URL, which carries a credential in its path and query, as Slack's and others' do.
func serveHook(t *testing.T, script ...http.HandlerFunc) (*hooktest.Receiver, *Client, string) {
	rc, base := hooktest.Serve(t, script...)
	checkHookRequests(t, rc)
	return rc, hookClient(t, base, nil), base + "/hooks/" + hookPathToken + "?token=" + hookPathToken
}

// serveHookInBubble is serveHook over internal/memnet, for tests in a synctest bubble.
func serveHookInBubble(t *testing.T, script ...http.HandlerFunc) (*hooktest.Receiver, *Client, string) {
	rc := hooktest.NewReceiver(script...)
	checkHookRequests(t, rc)
	srv := memnet.NewServer(rc)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	return rc, hookClient(t, srv.URL, srv.Client()), srv.URL + "/hooks/" + hookPathToken + "?token=" + hookPathToken
}

func TestPostWebhookRetriesWithTheWholeBody(t *testing.T) {
	for _, first := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway} {
		rc, c, u := serveHook(t, hooktest.Status(first), hooktest.Status(first), hooktest.Status(http.StatusNoContent))
		if err := c.PostWebhook(context.Background(), u, []byte(hookBody), hookSignature, hookKey); err != nil {
			t.Fatalf("after %d: %v", first, err)
		}
		reqs := rc.Requests()
		if len(reqs) != 3 {
			t.Fatalf("after %d: %d attempts; want 3", first, len(reqs))
		}
		for i, r := range reqs {
			if string(r.Body) != hookBody {
				t.Errorf("attempt %d sent %q; want %q", i+1, r.Body, hookBody)
			}
		}
		if s := c.Stats(); s != (Stats{}) {
			t.Errorf("stats %+v: a webhook is no Genesys request", s)
		}
	}
}

func TestPostWebhookGivesUp(t *testing.T) {
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
			rc, c, u := serveHook(t, func(w http.ResponseWriter, _ *http.Request) {
				if tt.answer == http.StatusFound {
					w.Header().Set("Location", "https://elsewhere.example/")
				}
				w.WriteHeader(tt.answer)
			})
			err := c.PostWebhook(context.Background(), u, []byte(hookBody), hookSignature, hookKey)
			var we *WebhookError
			if !errors.As(err, &we) {
				t.Fatalf("PostWebhook = %v; want a *WebhookError", err)
			}
			if rc.Len() != tt.attempts || we.Attempts != tt.attempts || we.Status != tt.answer {
				t.Errorf("%d requests, error says %d attempts and status %d; want %d and %d", rc.Len(), we.Attempts, we.Status, tt.attempts, tt.answer)
			}
			host := strings.TrimPrefix(strings.SplitN(u, "/hooks", 2)[0], "http://")
			if !strings.Contains(err.Error(), `webhook at host "`+host+`"`) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to name host %s and say %q", err, host, tt.want)
			}
			assertNoHookSecrets(t, err)
		})
	}
}

func TestPostWebhookUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hooks/" + hookPathToken + "?token=" + hookPathToken
	c := hookClient(t, srv.URL, nil)
	srv.Close()
	err := c.PostWebhook(context.Background(), u, []byte(hookBody), hookSignature, hookKey)
	var we *WebhookError
	if !errors.As(err, &we) || we.Attempts != 3 || we.Status != 0 || we.Err == nil {
		t.Fatalf("PostWebhook = %#v; want 3 failed attempts with a transport error", err)
	}
	if !strings.Contains(err.Error(), "could not be reached after 3 attempts") || Failure(err) != FailureRefused {
		t.Errorf("error %q (%q); want the refused connection named", err, Failure(err))
	}
	assertNoHookSecrets(t, err)
}

// The waits run in a synctest bubble: its clock moves only by them, so the elapsed times below are
// exact, whatever the machine's load.
func TestPostWebhookHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rc, c, u := serveHookInBubble(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}, hooktest.Status(http.StatusOK))
		start := time.Now()
		if err := c.PostWebhook(context.Background(), u, []byte(hookBody), hookSignature, hookKey); err != nil {
			t.Fatal(err)
		}
		// The one policy waits what Retry-After asks, plus a jitter of at most 50 ms and 5%.
		if elapsed := time.Since(start); elapsed < time.Second || elapsed > time.Second+100*time.Millisecond || rc.Len() != 2 {
			t.Errorf("retried after %v with %d attempts; want one retry after the 1 s asked", elapsed, rc.Len())
		}
	})
}

func TestPostWebhookStopsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rc, c, u := serveHookInBubble(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.PostWebhook(ctx, u, []byte(hookBody), hookSignature, hookKey)
		var we *WebhookError
		if !errors.As(err, &we) || we.Status != http.StatusServiceUnavailable {
			t.Fatalf("PostWebhook = %v; want the 503 it got", err)
		}
		if took := time.Since(start); took != 0 || rc.Len() != 1 {
			t.Errorf("took %v and %d attempts; want no wait that passes the deadline, after 1", took, rc.Len())
		}
		assertNoHookSecrets(t, err)
	})
}

func TestPostWebhookAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rc, c, u := serveHookInBubble(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		start := time.Now()
		err := c.PostWebhook(context.Background(), u, []byte(hookBody), hookSignature, hookKey)
		if Failure(err) != FailureTimeout || rc.Len() != 3 {
			t.Fatalf("PostWebhook = %v after %d attempts; want 3 attempts that timed out", err, rc.Len())
		}
		// Three attempts of webhookAttemptTimeout, and two backoffs of at most 5 ms.
		if took := time.Since(start); took < 3*webhookAttemptTimeout || took > 3*webhookAttemptTimeout+10*time.Millisecond {
			t.Errorf("took %v", took)
		}
	})
}

func TestPostWebhookRefusesBadURLs(t *testing.T) {
	c := hookClient(t, "http://127.0.0.1:1", nil)
	for _, bad := range []string{"ftp://x.example/" + hookPathToken, "/relative/" + hookPathToken, "https:///" + hookPathToken, "https://x.example:bad/" + hookPathToken} {
		err := c.PostWebhook(context.Background(), bad, []byte(hookBody), hookSignature, hookKey)
		if err == nil || !strings.Contains(err.Error(), "absolute http or https URL") {
			t.Errorf("PostWebhook to %q = %v", bad, err)
		}
		assertNoHookSecrets(t, err)
	}
}

func assertNoHookSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range []string{hookPathToken, "/hooks/", url.QueryEscape(hookPathToken)} {
		if strings.Contains(msg, s) {
			t.Errorf("error %q contains %q", msg, s)
		}
	}
}
