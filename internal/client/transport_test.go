package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"NaN", 0, false},
		{"1e300", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoffIsFullJitterWithinCeiling(t *testing.T) {
	c := &Client{retryWaitMin: 10 * time.Millisecond, retryWaitMax: 100 * time.Millisecond}
	for retry, ms := range []int{10, 20, 40, 80, 100, 100} {
		ceiling := time.Duration(ms) * time.Millisecond
		distinct := map[time.Duration]bool{}
		for range 200 {
			d := c.backoff(retry)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", retry, d, ceiling)
			}
			distinct[d] = true
		}
		if len(distinct) < 10 {
			t.Errorf("backoff(%d) drew only %d distinct waits in 200: no jitter", retry, len(distinct))
		}
	}
	if d := c.backoff(80); d > c.retryWaitMax {
		t.Errorf("backoff(80) = %v, want at most %v (no overflow)", d, c.retryWaitMax)
	}
}

func TestRetryAfterWaitIsCappedWithSmallJitter(t *testing.T) {
	c := &Client{retryAfterCap: 20 * time.Second}
	tests := []struct{ ra, lo, hi time.Duration }{
		{10 * time.Second, 10 * time.Second, 10*time.Second + 550*time.Millisecond},
		{0, 0, 50 * time.Millisecond},
		{time.Hour, 20 * time.Second, 20*time.Second + 1050*time.Millisecond},
	}
	for _, tt := range tests {
		for range 200 {
			if d := c.retryAfterWait(tt.ra); d < tt.lo || d >= tt.hi {
				t.Fatalf("retryAfterWait(%v) = %v, want [%v, %v)", tt.ra, d, tt.lo, tt.hi)
			}
		}
	}
}

// TestRetriesReplayBodyAndHeaders checks that every retry of a screen pop
// carries the same bytes, key and signature: a consumed body must never be
// re-sent empty.
func TestRetriesReplayBodyAndHeaders(t *testing.T) { synctest.Test(t, testRetriesReplayBodyAndHeaders) }

func testRetriesReplayBodyAndHeaders(t *testing.T) {
	body := []byte(`{"applicationId":"app","uri":"https://crm.example.com/#c=1&x=<y>","state":"s","idempotencyKey":"k-1"}`)
	var (
		mu   sync.Mutex
		seen []string
	)
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, string(b)+"|"+r.Header.Get("Idempotency-Key")+"|"+r.Header.Get("X-Payload-Signature")+"|"+r.Header.Get("Content-Type"))
		n := len(seen)
		mu.Unlock()
		switch n {
		case 1:
			writeGenesysError(w, http.StatusServiceUnavailable, "service.unavailable", "busy", "c1")
		case 2:
			resetConnection(t, w)
		case 3:
			w.Header().Set("Retry-After", "0")
			writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests.retry.after", "slow down", "c3")
		default:
			writeJSON(w, http.StatusOK, map[string]any{"id": "pop-1", "status": "delivered", "windowFocused": true, "deliveryTimeMs": 12})
		}
	})
	c := fake.client(t)
	res, err := c.TriggerScreenPop(context.Background(), "agent-1", body, "k-1", "c2lnbmF0dXJl")
	if err != nil {
		t.Fatalf("TriggerScreenPop: %v", err)
	}
	if res.ID != "pop-1" || res.Replayed || !res.WindowFocused || res.DeliveryTimeMs != 12 {
		t.Errorf("result = %+v", res)
	}
	want := string(body) + "|k-1|c2lnbmF0dXJl|application/json"
	// net/http itself may replay a request carrying an Idempotency-Key once
	// when a reused connection breaks, unseen by the client's counters.
	if len(seen) < 4 {
		t.Fatalf("server saw %d attempts, want at least 4", len(seen))
	}
	for i, s := range seen {
		if s != want {
			t.Errorf("attempt %d sent %q, want %q", i+1, s, want)
		}
	}
	st := c.Stats()
	if st.Requests < 3 || st.Requests > int64(len(seen)) || st.Retries != st.Requests-1 || st.TokenFetches != 1 {
		t.Errorf("stats = %+v for %d attempts seen", st, len(seen))
	}
}

func TestRateLimitHonoursRetryAfterExactly(t *testing.T) {
	synctest.Test(t, testRateLimitHonoursRetryAfterExactly)
}

func testRateLimitHonoursRetryAfterExactly(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests.retry.after", "Rate limit exceeded the maximum. Retry the request in [1] seconds", "c-429")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "org-a", "name": "Org A"})
	})
	// A large exponential base shows that Retry-After is not compounded
	// with it.
	c := fake.client(t, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 5*time.Second, 10*time.Second })
	if _, err := c.tokens.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	org, err := c.OrganizationMe(context.Background())
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("OrganizationMe: %v", err)
	}
	if org.ID != "org-a" {
		t.Errorf("org = %+v", org)
	}
	if elapsed < time.Second || elapsed > 1500*time.Millisecond {
		t.Errorf("waited %v after Retry-After: 1, want 1s plus a little jitter", elapsed)
	}
}

func TestRetryAfterHTTPDateAndCap(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter func() string
		cap        time.Duration
		min, max   time.Duration
	}{
		{"http date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 0, 500 * time.Millisecond, 2200 * time.Millisecond},
		{"capped", func() string { return "3600" }, 200 * time.Millisecond, 200 * time.Millisecond, 600 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int64
				fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
					if calls.Add(1) == 1 {
						w.Header().Set("Retry-After", tt.retryAfter())
						writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests.retry.after", "slow", "c")
						return
					}
					writeJSON(w, http.StatusOK, map[string]any{"id": "org-a"})
				})
				c := fake.client(t, func(cfg *Config) { cfg.RetryAfterCap = tt.cap })
				start := time.Now()
				if _, err := c.OrganizationMe(context.Background()); err != nil {
					t.Fatalf("OrganizationMe: %v", err)
				}
				if d := time.Since(start); d < tt.min || d > tt.max {
					t.Errorf("waited %v, want between %v and %v", d, tt.min, tt.max)
				}
			})
		})
	}
}

func TestServerErrorsRetriedExcept501(t *testing.T) {
	tests := []struct {
		name         string
		retryMax     int
		statuses     []int
		wantErr      bool
		wantStatus   int
		wantAttempts int
	}{
		{"burst converges", 4, []int{500, 502, 503, 504, 200}, false, 0, 5},
		{"501 is final", 4, []int{501, 200}, true, 501, 1},
		{"4xx is final", 4, []int{400, 200}, true, 400, 1},
		{"budget spent", 3, []int{500, 500, 500, 500, 200}, true, 500, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int64
				fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
					n := int(calls.Add(1))
					status := tt.statuses[min(n, len(tt.statuses))-1]
					if status == 200 {
						writeJSON(w, 200, map[string]any{"id": "org-a"})
						return
					}
					writeGenesysError(w, status, "some.code", "failure "+http.StatusText(status), "corr-x")
				})
				c := fake.client(t, func(cfg *Config) { cfg.RetryMax = tt.retryMax })
				_, err := c.OrganizationMe(context.Background())
				if got := int(calls.Load()); got != tt.wantAttempts {
					t.Errorf("server saw %d attempts, want %d", got, tt.wantAttempts)
				}
				if !tt.wantErr {
					if err != nil {
						t.Fatalf("OrganizationMe: %v", err)
					}
					return
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("error %v (%T), want *APIError", err, err)
				}
				if apiErr.Status != tt.wantStatus || apiErr.Attempts != tt.wantAttempts || apiErr.Code != "some.code" || apiErr.CorrelationID != "corr-x" {
					t.Errorf("APIError = %+v", apiErr)
				}
				if tt.name == "budget spent" && !strings.Contains(apiErr.Error(), "3 retries spent") {
					t.Errorf("error %q does not say the retries were spent", apiErr)
				}
			})
		})
	}
}

func TestRateLimitBudget(t *testing.T) { synctest.Test(t, testRateLimitBudget) }

func testRateLimitBudget(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests.retry.after", "slow down", "corr-rl")
	})
	c := fake.client(t, func(cfg *Config) { cfg.RateLimitRetryMax = 2 })
	_, err := c.OrganizationMe(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.Attempts != 3 {
		t.Fatalf("error = %v, want a 429 APIError after 3 attempts", err)
	}
	if calls.Load() != 3 {
		t.Errorf("server saw %d attempts, want 3", calls.Load())
	}
	want := `GET /api/v2/organizations/me: 429 too.many.requests.retry.after: "slow down" (correlation id corr-rl, after 3 attempts, stopped: 2 rate-limit retries spent)`
	if apiErr.Error() != want {
		t.Errorf("Error() = %s\nwant      %s", apiErr.Error(), want)
	}
}

// TestDeadlineIsKept checks that no wait runs past the context's deadline:
// the client gives up at once, saying why, instead of sleeping into it.
func TestDeadlineIsKept(t *testing.T) {
	tests := []struct {
		name    string
		handler func(t *testing.T, w http.ResponseWriter, r *http.Request)
		check   func(t *testing.T, err error)
	}{
		{
			name: "long Retry-After",
			handler: func(t *testing.T, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				writeGenesysError(w, 429, "too.many.requests.retry.after", "Retry the request in [30] seconds", "corr-dl")
			},
			check: func(t *testing.T, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.RetryAfter != 30*time.Second {
					t.Fatalf("error = %v, want the 429 APIError", err)
				}
				if !strings.Contains(err.Error(), "would pass the context deadline") || !strings.Contains(err.Error(), "corr-dl") {
					t.Errorf("error %q does not say why it stopped", err)
				}
				if !StoppedByDeadline(err) {
					t.Errorf("StoppedByDeadline(%v) = false", err)
				}
			},
		},
		{
			name: "hung server",
			handler: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // answers nothing until the client gives up
			},
			check: func(t *testing.T, err error) {
				var reqErr *RequestError
				if !errors.As(err, &reqErr) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("error = %v (%T), want a RequestError wrapping the deadline", err, err)
				}
				// The deadline passed; the client did not stop ahead of it.
				if StoppedByDeadline(err) {
					t.Errorf("StoppedByDeadline(%v) = true", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) { tt.handler(t, w, r) })
				c := fake.client(t)
				// Warm the token so the deadline is spent on the call alone.
				if _, err := c.tokens.get(context.Background()); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				start := time.Now()
				_, err := c.OrganizationMe(ctx)
				if d := time.Since(start); d > 450*time.Millisecond {
					t.Errorf("call took %v with a 300ms deadline", d)
				}
				tt.check(t, err)
			})
		})
	}
}

func TestNetworkFailureRetriedOnlyWhenIdempotent(t *testing.T) {
	synctest.Test(t, testNetworkFailureRetriedOnlyWhenIdempotent)
}

func testNetworkFailureRetriedOnlyWhenIdempotent(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			resetConnection(t, w)
			return
		}
		writeJSON(w, 200, map[string]any{"id": "i-1", "name": "w", "integrationType": map[string]string{"id": TypeEmbeddedClientApp}})
	})
	c := fake.client(t)
	in, err := c.GetIntegration(context.Background(), "i-1")
	if err != nil || in.ID != "i-1" {
		t.Fatalf("GetIntegration = %+v, %v; want the retry to succeed", in, err)
	}
	if calls.Load() != 2 {
		t.Errorf("server saw %d attempts, want 2", calls.Load())
	}

	// The same failure on a non-idempotent call is final.
	calls.Store(0)
	cl := c.apiCall(http.MethodPost, "/api/v2/things", nil, []byte(`{}`))
	cl.retryNetwork, cl.retryServer = false, false
	_, err = c.send(context.Background(), cl)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
		t.Fatalf("send = %v, want a RequestError after 1 attempt", err)
	}
	if calls.Load() != 1 {
		t.Errorf("server saw %d attempts of a non-idempotent call, want 1", calls.Load())
	}
}

func TestDialFailureRetriedEvenWhenNotIdempotent(t *testing.T) {
	synctest.Test(t, testDialFailureRetriedEvenWhenNotIdempotent)
}

func testDialFailureRetriedEvenWhenNotIdempotent(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {})
	c := fake.client(t, func(cfg *Config) { cfg.RetryMax = 2 })
	if _, err := c.tokens.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	dead := "http://127.0.0.1:1" // nothing listens on port 1
	cl := &call{kind: kindAPI, method: http.MethodPost, url: dead + "/api/v2/things", path: "/api/v2/things", body: []byte(`{}`)}
	_, err := c.send(context.Background(), cl)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("send = %v, want a RequestError", err)
	}
	if reqErr.Attempts != 3 || !notSent(reqErr.Err) {
		t.Errorf("RequestError = %+v (%v), want 3 attempts of a dial failure", reqErr, reqErr)
	}
	if !strings.Contains(reqErr.Error(), "no answer after 3 attempts") || !strings.Contains(reqErr.Error(), "2 retries spent") {
		t.Errorf("Error() = %q", reqErr.Error())
	}
}

func TestUnauthorizedRenewsTheTokenBoundedly(t *testing.T) {
	synctest.Test(t, testUnauthorizedRenewsTheTokenBoundedly)
}

func testUnauthorizedRenewsTheTokenBoundedly(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, map[string]any{"id": "org-a"})
	})
	c := fake.client(t)
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.revokeAll() // the server forgets the token before its stated expiry
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatalf("call after revocation: %v", err)
	}
	if got := fake.tokenRequests.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}

	// A 401 that new tokens do not cure is returned after maxAuthRenewals renewals.
	deny := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		writeGenesysError(w, 401, "bad.credentials", "nope", "corr-deny")
	})
	c = deny.client(t)
	_, err := c.OrganizationMe(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Attempts != 1+maxAuthRenewals {
		t.Fatalf("error = %v, want a 401 APIError after %d attempts", err, 1+maxAuthRenewals)
	}
	if got := deny.tokenRequests.Load(); got != 1+maxAuthRenewals {
		t.Errorf("token requests = %d, want %d (the first and each renewal)", got, 1+maxAuthRenewals)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) { synctest.Test(t, testRedirectsAreNotFollowed) }

func testRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Bool
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	c := fake.client(t)
	_, err := c.OrganizationMe(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusFound {
		t.Errorf("error = %v, want the 302 as an APIError", err)
	}
	if followed.Load() {
		t.Error("the redirect was followed with the bearer token")
	}
}

func TestAttemptTimeoutRetriesIdempotentCalls(t *testing.T) {
	synctest.Test(t, testAttemptTimeoutRetriesIdempotentCalls)
}

func testAttemptTimeoutRetriesIdempotentCalls(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Answers in 300 ms, after the attempt's limit, unless the
			// client hangs up first.
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
			}
		}
		writeJSON(w, 200, map[string]any{"id": "org-a"})
	})
	c := fake.client(t, func(cfg *Config) { cfg.AttemptTimeout = 100 * time.Millisecond })
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatalf("OrganizationMe: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("server saw %d attempts, want 2", calls.Load())
	}
}

func TestUserAgentOnEveryRequest(t *testing.T) { synctest.Test(t, testUserAgentOnEveryRequest) }

func testUserAgentOnEveryRequest(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"id": "org-a"})
	})
	c := fake.client(t)
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatal(err)
	}
	agents := fake.userAgents()
	if len(agents) != 2 {
		t.Fatalf("saw %d requests, want a token request and a call", len(agents))
	}
	for _, ua := range agents {
		if ua != "terraform-provider-genesys/test (+Terraform 1.16.2)" {
			t.Errorf("User-Agent = %q", ua)
		}
	}
}

// TestLogsHoldNoSecrets runs calls that touch every secret (client secret,
// bearer token, Basic credentials, payload signature) through success,
// retries, 401 refresh and failure, and checks the log and errors for them.
func TestLogsHoldNoSecrets(t *testing.T) { synctest.Test(t, testLogsHoldNoSecrets) }

func testLogsHoldNoSecrets(t *testing.T) {
	const signature = "c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw=="
	var calls atomic.Int64
	var fake *fakeGenesys
	fake = newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			fake.revokeAll()
			writeGenesysError(w, 401, "authentication.required", "expired", "c1")
		case 2:
			writeGenesysError(w, 503, "service.unavailable", "busy", "c2")
		case 3:
			resetConnection(t, w)
		default:
			// An error answer that echoes credentials must not reach the log.
			writeGenesysError(w, 400, "bad.request", "bad Authorization: "+r.Header.Get("Authorization"), "c4")
		}
	})
	logger := &recordingLogger{}
	c := fake.client(t, func(cfg *Config) { cfg.Logger = logger })
	_, err := c.TriggerScreenPop(context.Background(), "agent-1", []byte(`{"uri":"https://x"}`), "key-1", signature)
	if err == nil {
		t.Fatal("want the 400 error")
	}
	basic := basicCredentials(testClientID, testClientSecret)
	secrets := append([]string{testClientSecret, basic, signature}, fake.issuedTokens()...)
	entries := logger.all()
	if len(entries) < 5 {
		t.Fatalf("only %d log entries: %q", len(entries), entries)
	}
	for _, e := range entries {
		for _, s := range secrets {
			if strings.Contains(e, s) {
				t.Errorf("log entry leaks a secret: %s", e)
			}
		}
		if !strings.HasPrefix(e, "DEBUG genesys request") {
			continue
		}
		for _, field := range []string{`"method"`, `"path"`, `"attempt"`} {
			if !strings.Contains(e, field) {
				t.Errorf("log entry lacks %s: %s", field, e)
			}
		}
	}
	var sawLatency, sawCorrelation bool
	for _, e := range entries {
		sawLatency = sawLatency || strings.Contains(e, `"latency_ms"`)
		sawCorrelation = sawCorrelation || strings.Contains(e, `"correlation_id":"c2"`)
	}
	if !sawLatency || !sawCorrelation {
		t.Errorf("log lacks latency or correlation ids: %q", entries)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "Bearer ***") {
		t.Errorf("error %q: want the echoed credential masked, the rest kept", err)
	}
}

func basicCredentials(id, secret string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	r.SetBasicAuth(id, secret)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestSafeLoggerMasks(t *testing.T) {
	rec := &recordingLogger{}
	l := newSafeLogger(rec, "the-secret")
	l.warn(context.Background(), "m", map[string]any{
		"a": "value with the-secret inside",
		"b": errors.New("header Authorization: Bearer abc.def-123 seen"),
		"c": "basic dXNlcjpwYXNz",
		"d": 42,
	})
	got := rec.all()[0]
	for _, leak := range []string{"the-secret", "abc.def-123", "dXNlcjpwYXNz"} {
		if strings.Contains(got, leak) {
			t.Errorf("entry %s leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, `"d":42`) || !strings.Contains(got, "Bearer ***") {
		t.Errorf("entry %s lost its other fields", got)
	}
	newSafeLogger(nil, "x").debug(context.Background(), "no logger", nil) // must not panic
}

// TestBodyBytesIdentical checks that what goes on the wire is exactly
// EncodeIntegrationConfig's bytes.
func TestPutConfigSendsEncodedBytes(t *testing.T) { synctest.Test(t, testPutConfigSendsEncodedBytes) }

func testPutConfigSendsEncodedBytes(t *testing.T) {
	cfg := IntegrationConfig{
		Name: "w", Version: 1,
		Properties: map[string]any{"url": "https://app.example.com/?a=1&b=<2>"},
	}
	want, err := EncodeIntegrationConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(want, []byte(`a=1&b=<2>`)) || !bytes.Contains(want, []byte(`"advanced":{}`)) || !bytes.Contains(want, []byte(`"credentials":{}`)) {
		t.Errorf("encoded %s: want unescaped & and <>, and {} for nil maps", want)
	}
	var got []byte
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		writeJSON(w, 200, map[string]any{"name": "w", "version": 2})
	})
	out, err := fake.client(t).PutIntegrationConfig(context.Background(), "i-1", cfg)
	if err != nil || out.Version != 2 {
		t.Fatalf("PutIntegrationConfig = %+v, %v", out, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("sent %s\nwant %s", got, want)
	}
}

// TestBrokenAnswerBodyIsRetried: a connection that dies in the middle of an
// answer is a failure like any other; an idempotent call is retried.
func TestBrokenAnswerBodyIsRetried(t *testing.T) { synctest.Test(t, testBrokenAnswerBodyIsRetried) }

func testBrokenAnswerBodyIsRetried(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"id":"org`))
			w.(http.Flusher).Flush()
			resetConnection(t, w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "org-a"})
	})
	c := fake.client(t)
	org, err := c.OrganizationMe(context.Background())
	if err != nil || org.ID != "org-a" {
		t.Fatalf("OrganizationMe = %+v, %v", org, err)
	}
	if calls.Load() != 2 {
		t.Errorf("server saw %d attempts, want 2", calls.Load())
	}
}
