package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestRateLimiterTake(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		at         time.Duration // since t0
		allowed    bool
		retryAfter int
		count      int
		reset      int
	}
	tests := []struct {
		name             string
		perMinute, burst int
		steps            []step
	}{
		{
			name: "burst then one per interval", perMinute: 60, burst: 3,
			steps: []step{
				{0, true, 0, 1, 1},
				{0, true, 0, 2, 2},
				{0, true, 0, 3, 3},
				{0, false, 1, 3, 3},
				{999 * time.Millisecond, false, 1, 3, 3},
				{time.Second, true, 0, 3, 3},
				{3 * time.Second, true, 0, 2, 2}, // two tokens came back
			},
		},
		{
			name: "retry-after rounds up and is at least one", perMinute: 30, burst: 1,
			steps: []step{
				{0, true, 0, 1, 2},
				{0, false, 2, 1, 2},
				{500 * time.Millisecond, false, 2, 1, 2},  // 1.5 s to go
				{1500 * time.Millisecond, false, 1, 1, 1}, // 0.5 s to go
				{1999 * time.Millisecond, false, 1, 1, 1}, // 1 ms to go
				{2 * time.Second, true, 0, 1, 2},
			},
		},
		{
			name: "a full bucket after a quiet minute", perMinute: 300, burst: 300,
			steps: []step{
				{0, true, 0, 1, 1},
				{time.Minute, true, 0, 1, 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newRateLimiter(LimitPerToken, tt.perMinute, tt.burst)
			var b bucket
			for i, s := range tt.steps {
				v := l.take(&b, t0.Add(s.at))
				want := rateVerdict{allowed: s.allowed, limit: LimitPerToken, retryAfter: s.retryAfter, count: s.count,
					perMinute: tt.perMinute, reset: s.reset, remaining: tt.burst - s.count}
				if v != want {
					t.Errorf("step %d at %v: got %+v, want %+v", i, s.at, v, want)
				}
			}
		})
	}
}

// TestRateLimiterThroughput drives a bucket at full speed (a request every 2 ms) and
// checks the accepted count is exactly burst + rate*T: what a benchmark measures.
func TestRateLimiterThroughput(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ perMinute, burst int }{{300, 300}, {300, 5}, {7, 7}, {6000, 100}} {
		t.Run(fmt.Sprintf("%d per minute, burst %d", tc.perMinute, tc.burst), func(t *testing.T) {
			l := newRateLimiter(LimitPerToken, tc.perMinute, tc.burst)
			var b bucket
			const minutes = 5
			accepted := 0
			for ms := 0; ms < minutes*60_000; ms += 2 {
				if l.take(&b, t0.Add(time.Duration(ms)*time.Millisecond)).allowed {
					accepted++
				}
			}
			want := tc.burst + tc.perMinute*minutes
			// The last token may land exactly on the final millisecond or just after it.
			if accepted < want-1 || accepted > want {
				t.Errorf("accepted %d in %d minutes, want %d (burst + rate)", accepted, minutes, want)
			}
		})
	}
}

// TestTakeAll checks how two limits combine: a request needs room in both, a refusal spends
// nothing, and the verdict describes the binding limit. Two tokens share one client's bucket.
func TestTakeAll(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := newRateLimiter(LimitPerToken, 60, 3)     // one a second, three at once
	client := newRateLimiter(LimitPerClient, 30, 4) // one every two seconds, four at once
	off := newRateLimiter(LimitPerClient, -1, 0)
	var a, b, shared bucket
	take := func(tb *bucket, cl rateLimiter) rateVerdict {
		return takeAll(t0, limitedBucket{tok, tb}, limitedBucket{cl, &shared})
	}
	type want struct {
		allowed          bool
		limit            string
		count, remaining int
		retryAfter       int
	}
	check := func(step string, v rateVerdict, w want) {
		t.Helper()
		if got := (want{v.allowed, v.limit, v.count, v.remaining, v.retryAfter}); got != w {
			t.Errorf("%s: got %+v, want %+v", step, got, w)
		}
	}
	check("a 1", take(&a, client), want{true, LimitPerToken, 1, 2, 0})  // a has 2 left, the client 3
	check("a 2", take(&a, client), want{true, LimitPerToken, 2, 1, 0})  // 1 and 2
	check("a 3", take(&a, client), want{true, LimitPerToken, 3, 0, 0})  // 0 and 1
	check("a 4", take(&a, client), want{false, LimitPerToken, 3, 0, 1}) // a refuses; the client had room
	if shared.tat != t0.Add(6*time.Second) {
		t.Errorf("a request a refused was spent from the client's bucket: tat +%v", shared.tat.Sub(t0))
	}
	check("b 1", take(&b, client), want{true, LimitPerClient, 4, 0, 0})  // b has 2 left, the client 0
	check("b 2", take(&b, client), want{false, LimitPerClient, 4, 0, 2}) // the client refuses; b had room
	if b.tat != t0.Add(time.Second) {
		t.Errorf("a request the client refused was spent from b's bucket: tat +%v", b.tat.Sub(t0))
	}
	// Both refuse: the longer wait is told, whichever limit it is.
	check("both refuse, the client longer", take(&a, client), want{false, LimitPerClient, 4, 0, 2})
	a.tat = t0.Add(10 * time.Second)
	check("both refuse, the token longer", take(&a, client), want{false, LimitPerToken, 10, 0, 8})
	// A limit that is off is not consulted; with none on, nothing is reported.
	check("client off", take(&b, off), want{true, LimitPerToken, 2, 1, 0})
	if v := takeAll(t0, limitedBucket{off, &b}); !v.allowed || v.limit != "" {
		t.Errorf("no limit on: %+v", v)
	}
}

func TestRateLimitOverHTTP(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 2})
	tok := h.tokenA()
	other := h.tokenA()

	for i := 1; i <= 2; i++ {
		r := h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("request %d: status %d", i, r.status)
		}
		if got := r.header.Get("inin-ratelimit-count"); got != strconv.Itoa(i) {
			t.Errorf("request %d: inin-ratelimit-count = %q, want %d", i, got, i)
		}
		if got := r.header.Get("inin-ratelimit-allowed"); got != "2" {
			t.Errorf("inin-ratelimit-allowed = %q, want 2", got)
		}
		if got := r.header.Get("inin-ratelimit-reset"); got != strconv.Itoa(30*i) {
			t.Errorf("request %d: inin-ratelimit-reset = %q, want %d", i, got, 30*i)
		}
	}

	r := h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil)
	body := wantError(t, r, http.StatusTooManyRequests, CodeTooManyRequests)
	if r.header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After = %q, want 30", r.header.Get("Retry-After"))
	}
	if want := "Rate limit exceeded the maximum. Retry the request in [30] seconds"; body.Message != want {
		t.Errorf("message = %q, want %q", body.Message, want)
	}
	if r.header.Get("inin-ratelimit-allowed") != "2" {
		t.Error("the 429 lacks the rate-limit headers")
	}

	if r := h.send(http.MethodGet, "/api/v2/organizations/me", other, nil, nil); r.status != 200 {
		t.Errorf("another token shares the bucket: status %d", r.status)
	}
	if r := h.send(http.MethodGet, "/_emulator/requests", "", nil, nil); r.status != 200 {
		t.Errorf("admin endpoint is rate limited: status %d", r.status)
	}

	h.clock.Advance(29 * time.Second)
	if r := h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("at 29 s: status %d Retry-After %q, want 429 and 1", r.status, r.header.Get("Retry-After"))
	}
	h.clock.Advance(time.Second)
	if r := h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil); r.status != 200 {
		t.Errorf("at 30 s: status %d, want 200", r.status)
	}

	var limited int
	for _, e := range h.emu.Journal() {
		if e.Status == http.StatusTooManyRequests {
			limited++
			if e.Token == "" || e.ClientID != "org-a-client" || e.Limit != LimitPerToken {
				t.Errorf("429 journal entry lacks its token, client or limit: %+v", e)
			}
		} else if e.Limit != "" {
			t.Errorf("an answered request names a limit: %+v", e)
		}
	}
	if limited != 2 {
		t.Errorf("journal holds %d 429s, want 2", limited)
	}
}

func TestRateBurst(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 600, RateBurst: 3})
	tok := h.tokenA()
	var statuses []int
	for range 4 {
		statuses = append(statuses, h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil).status)
	}
	if fmt.Sprint(statuses) != "[200 200 200 429]" {
		t.Errorf("statuses = %v, want three then a 429", statuses)
	}
}

// direct serves a request in process, through the contract check but without a socket: the
// per-client tests send thousands of requests.
func (h *harness) direct(method, path, token string) response {
	h.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.served.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// directGrant asks for a token in process, with HTTP Basic credentials.
func (h *harness) directGrant(clientID, secret string) response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	rec := httptest.NewRecorder()
	h.served.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (h *harness) directTokenA() string {
	h.t.Helper()
	r := h.directGrant("org-a-client", "org-a-secret")
	if r.status != http.StatusOK {
		h.t.Fatalf("token: status %d: %s", r.status, r.body)
	}
	return decode[tokenResponse](h.t, r.body).AccessToken
}

// rateHeaders reads an answer's inin-ratelimit-* headers (count, allowed, reset); ok is false
// when it has none.
func rateHeaders(t *testing.T, r response) (count, allowed, reset int, ok bool) {
	t.Helper()
	if r.header.Get("inin-ratelimit-allowed") == "" {
		return 0, 0, 0, false
	}
	for name, dst := range map[string]*int{"count": &count, "allowed": &allowed, "reset": &reset} {
		n, err := strconv.Atoi(r.header.Get("inin-ratelimit-" + name))
		if err != nil {
			t.Fatalf("inin-ratelimit-%s = %q", name, r.header.Get("inin-ratelimit-"+name))
		}
		*dst = n
	}
	return count, allowed, reset, true
}

// TestClientRateLimitAcrossTokens is org.app.user.rate.per.minute at its real size: eleven
// tokens of one client, each within its own 300, together meet the client's 3000.
func TestClientRateLimitAcrossTokens(t *testing.T) {
	h := newHarness(t, Config{})
	const path = "/api/v2/organizations/me"
	tokens := make([]string, 11)
	for i := range tokens {
		tokens[i] = h.directTokenA()
	}
	for i, tok := range tokens[:10] {
		for n := 1; n <= DefaultRateLimit; n++ {
			r := h.direct(http.MethodGet, path, tok)
			if r.status != http.StatusOK {
				t.Fatalf("token %d, request %d: status %d: %s", i, n, r.status, r.body)
			}
			// The token's allowance is the tighter (the last token's ties with the client's).
			count, allowed, _, _ := rateHeaders(t, r)
			if allowed != DefaultRateLimit || count != n {
				t.Fatalf("token %d, request %d: count/allowed %d/%d, want the token's %d/%d", i, n, count, allowed, n, DefaultRateLimit)
			}
		}
	}

	// The eleventh token has all its own 300 left; its client has none.
	r := h.direct(http.MethodGet, path, tokens[10])
	body := wantError(t, r, http.StatusTooManyRequests, CodeTooManyRequests)
	if want := "Rate limit exceeded the maximum. Retry the request in [1] seconds"; body.Message != want || r.header.Get("Retry-After") != "1" {
		t.Errorf("client 429: message %q Retry-After %q, want %q and 1", body.Message, r.header.Get("Retry-After"), want)
	}
	if count, allowed, reset, _ := rateHeaders(t, r); count != 3000 || allowed != 3000 || reset != 60 {
		t.Errorf("client 429 headers count/allowed/reset = %d/%d/%d, want the client's 3000/3000/60", count, allowed, reset)
	}
	// Another org's client is not touched.
	if r := h.direct(http.MethodGet, path, h.token("org-b-client", "org-b-secret")); r.status != http.StatusOK {
		t.Errorf("org-b's client: status %d", r.status)
	}

	// A second brings back 50 of the client's (one every 20 ms): the fresh token gets them, then
	// the client refuses again, as it refuses an exhausted token that has 5 of its own back.
	h.clock.Advance(time.Second)
	for n := 1; n <= 50; n++ {
		r := h.direct(http.MethodGet, path, tokens[10])
		if r.status != http.StatusOK {
			t.Fatalf("after a second, request %d: status %d", n, r.status)
		}
		if count, allowed, _, _ := rateHeaders(t, r); allowed != 3000 || count != 2950+n {
			t.Fatalf("after a second, request %d: count/allowed %d/%d, want the client's %d/3000", n, count, allowed, 2950+n)
		}
	}
	for i, tok := range []string{tokens[10], tokens[0]} {
		r := h.direct(http.MethodGet, path, tok)
		wantError(t, r, http.StatusTooManyRequests, CodeTooManyRequests)
		if _, allowed, _, _ := rateHeaders(t, r); allowed != 3000 {
			t.Errorf("refusal %d: inin-ratelimit-allowed %d, want the client's 3000", i, allowed)
		}
	}

	byLimit := map[string]int{}
	for _, e := range h.emu.Journal() {
		if e.Status == http.StatusTooManyRequests {
			byLimit[e.Limit]++
		}
	}
	if want := map[string]int{LimitPerClient: 3}; !maps.Equal(byLimit, want) {
		t.Errorf("429s by limit = %v, want %v", byLimit, want)
	}
}

// TestRateHeadersAgreeWithModel holds the headers to what happens next: after every answer,
// allowed - count more requests get through at that instant, no more; Retry-After is the wait
// for the next one; reset is when the bucket the headers describe is full again. The token and
// the client take turns being the tighter limit.
func TestRateHeadersAgreeWithModel(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 10, ClientRateLimit: 15}) // 6 s and 4 s per request
	const path = "/api/v2/organizations/me"
	a, b := h.directTokenA(), h.directTokenA()

	// run sends with tok until a refusal and checks each answer's headers against the run.
	run := func(step, tok string, wantOK int, wantLimit int) response {
		t.Helper()
		var oks []response
		for range 100 {
			r := h.direct(http.MethodGet, path, tok)
			if r.status != http.StatusOK {
				if len(oks) != wantOK {
					t.Errorf("%s: %d requests got through, want %d", step, len(oks), wantOK)
				}
				for i, ok := range oks {
					count, allowed, _, _ := rateHeaders(t, ok)
					if left := len(oks) - 1 - i; allowed-count != left {
						t.Errorf("%s: answer %d says %d-%d left, then %d got through", step, i+1, allowed, count, left)
					}
				}
				if _, allowed, _, _ := rateHeaders(t, r); allowed != wantLimit {
					t.Errorf("%s: the refusal reports the limit of %d a minute, want %d", step, allowed, wantLimit)
				}
				return r
			}
			oks = append(oks, r)
		}
		t.Fatalf("%s: never refused", step)
		return response{}
	}

	// a: all ten of its own, the client keeps five; b: the client's last five.
	run("token a", a, 10, 10)
	refused := run("token b", b, 5, 15)
	if count, _, reset, _ := rateHeaders(t, refused); count != 15 || reset != 60 {
		t.Errorf("client refusal: count %d reset %d, want 15 and 60", count, reset)
	}
	wait, _ := strconv.Atoi(refused.header.Get("Retry-After"))
	if wait != 4 {
		t.Fatalf("Retry-After = %d, want the client's 4 s", wait)
	}
	h.clock.Advance(time.Duration(wait-1) * time.Second)
	if r := h.direct(http.MethodGet, path, b); r.status != http.StatusTooManyRequests {
		t.Errorf("a second before Retry-After: status %d", r.status)
	}
	h.clock.Advance(time.Second)
	r := h.direct(http.MethodGet, path, b)
	count, allowed, reset, _ := rateHeaders(t, r)
	if r.status != http.StatusOK || count != 15 || allowed != 15 || reset != 60 {
		t.Fatalf("at Retry-After: status %d count/allowed/reset %d/%d/%d, want 200 15/15/60", r.status, count, allowed, reset)
	}

	// reset seconds on, the client's bucket is empty and a's is too (it drained by 60 s): a gets
	// its ten again, the token binding as at the start.
	h.clock.Advance(time.Duration(reset) * time.Second)
	h.emu.mu.Lock()
	used, _ := h.emu.clientLimiter.usage(h.emu.limits["org-a-client"].requests, h.clock.Now())
	h.emu.mu.Unlock()
	if used != 0 {
		t.Errorf("%d s after the headers said, the client's bucket holds %d", reset, used)
	}
	run("token a again", a, 10, 10)
}

// TestRateLimitsSwitchedOff turns each limit off alone, then all of them.
func TestRateLimitsSwitchedOff(t *testing.T) {
	const path = "/api/v2/organizations/me"
	t.Run("per token", func(t *testing.T) {
		h := newHarness(t, Config{RateLimit: -1, ClientRateLimit: 400})
		tok := h.directTokenA()
		for n := 1; n <= 400; n++ {
			r := h.direct(http.MethodGet, path, tok)
			if count, allowed, _, _ := rateHeaders(t, r); r.status != http.StatusOK || count != n || allowed != 400 {
				t.Fatalf("request %d: status %d count/allowed %d/%d, want 200 and the client's %d/400", n, r.status, count, allowed, n)
			}
		}
		if r := h.direct(http.MethodGet, path, tok); r.status != http.StatusTooManyRequests {
			t.Errorf("the client's limit is off too: status %d", r.status)
		}
		if v := h.view("org-a", "agent-1"); !v.RateLimited || v.Headroom[0].Capacity != 0 || v.Clients[0].Capacity != 400 {
			t.Errorf("desktop: rateLimited %v, token %+v, client %+v", v.RateLimited, v.Headroom, v.Clients)
		}
	})
	t.Run("per client", func(t *testing.T) {
		h := newHarness(t, Config{ClientRateLimit: -1})
		for i := range 11 {
			tok := h.directTokenA()
			for n := 1; n <= DefaultRateLimit; n++ {
				if r := h.direct(http.MethodGet, path, tok); r.status != http.StatusOK {
					t.Fatalf("token %d request %d: status %d", i, n, r.status)
				}
			}
			if r := h.direct(http.MethodGet, path, tok); r.status != http.StatusTooManyRequests {
				t.Fatalf("token %d: the token's limit is off too", i)
			}
		}
	})
	t.Run("token creation", func(t *testing.T) {
		h := newHarness(t, Config{TokenCreationLimit: -1})
		for i := range 3 * DefaultTokenCreationLimit {
			if r := h.directGrant("org-a-client", "org-a-secret"); r.status != http.StatusOK {
				t.Fatalf("token %d: status %d: %s", i, r.status, r.body)
			}
		}
		if v := h.view("org-a", "agent-1"); v.Clients[0].NewTokensCapacity != 0 {
			t.Errorf("desktop shows a creation limit: %+v", v.Clients[0])
		}
	})
	t.Run("all", func(t *testing.T) {
		h := newHarness(t, Config{RateLimit: -1, ClientRateLimit: -1, TokenCreationLimit: -1})
		tok := h.directTokenA()
		for i := range 3100 {
			r := h.direct(http.MethodGet, path, tok)
			if r.status != http.StatusOK {
				t.Fatalf("request %d: status %d", i, r.status)
			}
			if _, _, _, ok := rateHeaders(t, r); ok {
				t.Fatal("rate-limit headers sent while limiting is off")
			}
		}
		if v := h.view("org-a", "agent-1"); v.RateLimited {
			t.Error("the desktop says rate limiting is on")
		}
	})
}

// TestTokenCreationLimit: beyond the limit a grant is refused as the real login service
// refuses it, 400 invalid_request, and stock OAuth clients read it so.
func TestTokenCreationLimit(t *testing.T) {
	h := newHarness(t, Config{TokenCreationLimit: 3}) // one every 20 s
	grant := func() response {
		t.Helper()
		return h.send(http.MethodPost, "/oauth/token", "", "grant_type=client_credentials",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("org-a-client", "org-a-secret")})
	}
	for i := range 3 {
		if r := grant(); r.status != http.StatusOK {
			t.Fatalf("token %d: status %d: %s", i+1, r.status, r.body)
		}
	}
	r := grant()
	if r.status != http.StatusBadRequest {
		t.Fatalf("4th token: status %d, want 400: %s", r.status, r.body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	const description = "rate limit exceeded; this client may create 3 tokens a minute, the next in 20 s"
	want := map[string]any{"error": "invalid_request", "description": description, "error_description": description}
	if !maps.Equal(got, want) {
		t.Errorf("body = %s, want %v", r.body, want)
	}
	for _, hdr := range []string{"Retry-After", "inin-ratelimit-allowed", "WWW-Authenticate"} {
		if r.header.Get(hdr) != "" {
			t.Errorf("the refusal carries %s: %q", hdr, r.header.Get(hdr))
		}
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("ININ-Correlation-Id") == "" {
		t.Errorf("headers %v", r.header)
	}

	// Wrong credentials are still told as such; another client is not limited.
	wrong := h.send(http.MethodPost, "/oauth/token", "", "grant_type=client_credentials",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("org-a-client", "nope")})
	if wrong.status != http.StatusUnauthorized {
		t.Errorf("wrong secret while limited: status %d, want 401", wrong.status)
	}
	h.tokenB()

	// A stock client-credentials client sees an OAuth error it can act on.
	cc := clientcredentials.Config{ClientID: "org-a-client", ClientSecret: "org-a-secret", TokenURL: h.url + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(context.Background())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest || re.ErrorCode != "invalid_request" ||
		!strings.HasPrefix(re.ErrorDescription, "rate limit exceeded") {
		t.Errorf("oauth2 client error = %v, want a 400 invalid_request whose description begins \"rate limit exceeded\"", err)
	}

	h.clock.Advance(19 * time.Second)
	if r := grant(); r.status != http.StatusBadRequest || !strings.HasSuffix(decode[OAuthError](t, r.body).Description, "the next in 1 s") {
		t.Errorf("at 19 s: status %d: %s", r.status, r.body)
	}
	h.clock.Advance(time.Second)
	if r := grant(); r.status != http.StatusOK {
		t.Errorf("at 20 s: status %d, want a token", r.status)
	}

	refused := 0
	for _, e := range h.emu.Journal() {
		if e.Status == http.StatusBadRequest {
			refused++
			if e.Limit != LimitTokenCreation || e.ClientID != "org-a-client" || e.OrgID != "org-a" || e.Token != "" {
				t.Errorf("refused grant journaled as %+v", e)
			}
		}
	}
	if refused != 3 {
		t.Errorf("journal holds %d refused grants, want 3", refused)
	}
}

// TestTokenCreationDefault: a client creates DefaultTokenCreationLimit tokens at once, not one
// more, and one more each second after.
func TestTokenCreationDefault(t *testing.T) {
	h := newHarness(t, Config{})
	for i := range DefaultTokenCreationLimit {
		if r := h.directGrant("org-a-client", "org-a-secret"); r.status != http.StatusOK {
			t.Fatalf("token %d: status %d: %s", i+1, r.status, r.body)
		}
	}
	if r := h.directGrant("org-a-client", "org-a-secret"); r.status != http.StatusBadRequest {
		t.Fatalf("token %d: status %d, want 400", DefaultTokenCreationLimit+1, r.status)
	}
	h.clock.Advance(time.Second)
	if r := h.directGrant("org-a-client", "org-a-secret"); r.status != http.StatusOK {
		t.Errorf("a second later: status %d", r.status)
	}
	h.send(http.MethodPost, "/_emulator/reset", "", nil, nil)
	if r := h.directGrant("org-a-client", "org-a-secret"); r.status != http.StatusOK {
		t.Errorf("after a reset: status %d", r.status)
	}
}

func basic(id, secret string) string {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}
