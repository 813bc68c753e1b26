package main

import (
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func entry(at time.Duration, method, route string, status int, token string) emulator.JournalEntry {
	return emulator.JournalEntry{Time: t0.Add(at), Method: method, Route: route, Path: route, Status: status, Token: token}
}

func TestPerTokenAccount(t *testing.T) {
	const (
		coll   = "/api/v2/integrations"
		one    = "/api/v2/integrations/{id}"
		config = "/api/v2/integrations/{id}/config/current"
	)
	journal := []emulator.JournalEntry{
		entry(0, http.MethodPost, tokenRoute, 200, ""),
		entry(1*time.Second, http.MethodPost, coll, 200, "tok-a"),
		entry(2*time.Second, http.MethodPost, coll, 429, "tok-a"),
		entry(3*time.Second, http.MethodPost, coll, 200, "tok-a"),
		entry(4*time.Second, http.MethodPut, config, 503, "tok-a"),
		entry(5*time.Second, http.MethodPut, config, 200, "tok-a"),
		entry(6*time.Second, http.MethodPatch, one, 0, "tok-a"), // connection reset: no answer
		entry(7*time.Second, http.MethodPatch, one, 200, "tok-a"),
		entry(8*time.Second, http.MethodGet, one, 401, ""), // refused before the limiter: spends nothing
		entry(9*time.Second, http.MethodPost, tokenRoute, 200, ""),
		entry(10*time.Second, http.MethodGet, one, 404, "tok-b"),
		entry(11*time.Second, http.MethodDelete, one, 501, "tok-b"), // final: 501 is not retried
	}
	got := Account(journal)

	if got.APIRequests != 10 || got.TokenRequests != 2 || got.TooManyRequests != 1 {
		t.Errorf("api %d, token %d, 429 %d; want 10, 2, 1", got.APIRequests, got.TokenRequests, got.TooManyRequests)
	}
	// 429, 503, the reset and the 401 were retried; 404 and 501 are final.
	if got.Retries != 4 {
		t.Errorf("retries = %d, want 4", got.Retries)
	}
	wantRoutes := map[string]int{
		"POST " + coll: 3, "PUT " + config: 2, "PATCH " + one: 2, "GET " + one: 2, "DELETE " + one: 1,
	}
	if !maps.Equal(got.ByRoute, wantRoutes) {
		t.Errorf("by route = %v, want %v", got.ByRoute, wantRoutes)
	}
	wantStatus := map[int]int{200: 4, 429: 1, 503: 1, 0: 1, 401: 1, 404: 1, 501: 1}
	if !maps.Equal(got.ByStatus, wantStatus) {
		t.Errorf("by status = %v, want %v", got.ByStatus, wantStatus)
	}
	if len(got.Tokens) != 2 {
		t.Fatalf("tokens = %+v, want two", got.Tokens)
	}
	a, b := got.Tokens[0], got.Tokens[1]
	// tok-a: 7 requests, one refused by the limiter.
	if a.Fingerprint != "tok-a" || a.Accepted != 6 || !a.First.Equal(t0.Add(time.Second)) || !a.Last.Equal(t0.Add(7*time.Second)) {
		t.Errorf("first token = %+v", a)
	}
	if b.Fingerprint != "tok-b" || b.Accepted != 2 {
		t.Errorf("second token = %+v", b)
	}
}

func TestPerTokenAccountUnroutedPath(t *testing.T) {
	got := Account([]emulator.JournalEntry{{Method: http.MethodGet, Path: "/api/v2/nowhere", Status: 404, Token: "t"}})
	if got.ByRoute["GET /api/v2/nowhere"] != 1 {
		t.Errorf("by route = %v, want the path when no route matched", got.ByRoute)
	}
}

func TestFloor(t *testing.T) {
	use := func(accepted int, from, to time.Duration) TokenUse {
		return TokenUse{Accepted: accepted, First: t0.Add(from), Last: t0.Add(to)}
	}
	tests := []struct {
		name        string
		tokens      []TokenUse
		rate, burst int
		want        time.Duration
	}{
		{"none", nil, 300, 10, 0},
		{"within the burst", []TokenUse{use(10, 0, time.Second)}, 300, 10, 0},
		{"beyond the burst", []TokenUse{use(1510, 0, time.Minute)}, 300, 10, 5 * time.Minute},
		{"burst of a minute's allowance", []TokenUse{use(1500, 0, time.Minute)}, 300, 300, 4 * time.Minute},
		{"tokens one after another add up", []TokenUse{
			use(1000, 0, 10*time.Second), use(500, 20*time.Second, 30*time.Second),
		}, 300, 300, 140*time.Second + 40*time.Second},
		{"overlapping tokens: the largest", []TokenUse{
			use(600, 0, 10*time.Second), use(400, 5*time.Second, 30*time.Second),
		}, 300, 100, 100 * time.Second},
		{"order of the list does not matter", []TokenUse{
			use(500, 20*time.Second, 30*time.Second), use(1000, 0, 10*time.Second),
		}, 300, 300, 180 * time.Second},
		{"no limit, no floor", []TokenUse{use(1000, 0, time.Second)}, 0, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Floor(tt.tokens, tt.rate, tt.burst); got != tt.want {
				t.Errorf("Floor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	if r, ok := Ratio(330*time.Second, 300*time.Second); !ok || r < 1.0999 || r > 1.1001 {
		t.Errorf("Ratio(330s, 300s) = %v, %v; want 1.1", r, ok)
	}
	if _, ok := Ratio(time.Second, 0); ok {
		t.Error("a zero floor gave a ratio")
	}
}
