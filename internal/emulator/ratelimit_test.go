package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
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
			l := newRateLimiter(tt.perMinute, tt.burst)
			var b bucket
			for i, s := range tt.steps {
				v := l.take(&b, t0.Add(s.at))
				want := rateVerdict{allowed: s.allowed, retryAfter: s.retryAfter, count: s.count, reset: s.reset}
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
			l := newRateLimiter(tc.perMinute, tc.burst)
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
			if e.Token == "" || e.ClientID != "org-a-client" {
				t.Errorf("429 journal entry lacks its token or client: %+v", e)
			}
		}
	}
	if limited != 2 {
		t.Errorf("journal holds %d 429s, want 2", limited)
	}
}

func TestRateLimitDisabled(t *testing.T) {
	h := newHarness(t, Config{RateLimit: -1})
	tok := h.tokenA()
	for i := range 50 {
		r := h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("request %d: status %d", i, r.status)
		}
		if r.header.Get("inin-ratelimit-allowed") != "" {
			t.Fatal("rate-limit headers sent while limiting is off")
		}
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
