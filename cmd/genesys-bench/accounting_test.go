package main

import (
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func entry(at time.Duration, method, route string, status int, token string) emulator.JournalEntry {
	return emulator.JournalEntry{Time: t0.Add(at), Method: method, Route: route, Path: route, Status: status, Token: token}
}

func TestJournalAccounting(t *testing.T) {
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
		entry(5*time.Second, http.MethodPut, config, 200, "tok-b"),
		entry(6*time.Second, http.MethodPatch, one, 0, "tok-a"), // connection reset: no answer
		entry(7*time.Second, http.MethodPatch, one, 200, "tok-a"),
		entry(8*time.Second, http.MethodGet, one, 401, ""), // refused before the limiters: spends nothing
		// The second process.
		entry(20*time.Second, http.MethodPost, tokenRoute, 200, ""),
		entry(21*time.Second, http.MethodPost, tokenRoute, 400, ""), // token creation refused
		entry(22*time.Second, http.MethodGet, one, 404, "tok-c"),
		entry(23*time.Second, http.MethodDelete, one, 501, "tok-c"), // final: 501 is not retried
	}
	procs := []ProcessUsage{
		{PID: 2, Start: t0.Add(19 * time.Second), Wall: 5 * time.Second},
		{PID: 1, Start: t0.Add(-time.Second), Wall: 10 * time.Second},
		{PID: 3, Start: t0.Add(30 * time.Second), Wall: time.Second}, // sent nothing: left out
	}
	got := Account(journal, procs)

	if got.APIRequests != 10 || got.TokensMinted != 2 || got.TokenRefusals != 1 || got.TooManyRequests != 1 {
		t.Errorf("api %d, minted %d, refused %d, 429 %d; want 10, 2, 1, 1", got.APIRequests, got.TokensMinted, got.TokenRefusals, got.TooManyRequests)
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
	want := []ProcessUse{
		// 7 requests with a token, one refused by a limiter; two tokens; one grant.
		{Accepted: 6, Tokens: 2, TokensMinted: 1, First: t0, Last: t0.Add(8 * time.Second)},
		{Accepted: 2, Tokens: 1, TokensMinted: 1, First: t0.Add(20 * time.Second), Last: t0.Add(23 * time.Second)},
	}
	if !slices.Equal(got.Processes, want) {
		t.Errorf("processes = %+v\nwant %+v", got.Processes, want)
	}

	// Without the wrapper's records the phase is one process.
	if all := Account(journal, nil).Processes; len(all) != 1 || all[0].Accepted != 8 || all[0].Tokens != 3 {
		t.Errorf("without processes: %+v, want one of 8 accepted requests on 3 tokens", all)
	}
}

func TestJournalAccountingUnroutedPath(t *testing.T) {
	got := Account([]emulator.JournalEntry{{Method: http.MethodGet, Path: "/api/v2/nowhere", Status: 404, Token: "t"}}, nil)
	if got.ByRoute["GET /api/v2/nowhere"] != 1 {
		t.Errorf("by route = %v, want the path when no route matched", got.ByRoute)
	}
}

func TestFloor(t *testing.T) {
	proc := func(accepted, minted int, from, to time.Duration) ProcessUse {
		return ProcessUse{Accepted: accepted, TokensMinted: minted, First: t0.Add(from), Last: t0.Add(to)}
	}
	genesys := Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 3000, TokenCreationRate: 60}
	tokenOnly := Limits{TokenRate: 300, TokenBurst: 300}
	tests := []struct {
		name   string
		procs  []ProcessUse
		limits Limits
		pool   int
		want   time.Duration
	}{
		{"none", nil, genesys, 1, 0},
		{"within the burst", []ProcessUse{proc(10, 1, 0, time.Second)}, genesys, 1, 0},
		// One token: (n − burst) / rate, the floor before the pool.
		{"one token beyond its burst", []ProcessUse{proc(1500, 1, 0, time.Minute)}, genesys, 1, 4 * time.Minute},
		{"a smaller burst", []ProcessUse{proc(1510, 1, 0, time.Minute)}, Limits{TokenRate: 300, TokenBurst: 10}, 1, 5 * time.Minute},
		{"processes one after another add up", []ProcessUse{
			proc(1000, 1, 0, 10*time.Second), proc(500, 1, 20*time.Second, 30*time.Second),
		}, tokenOnly, 1, 140*time.Second + 40*time.Second},
		{"a process that sent nothing adds nothing", []ProcessUse{
			proc(0, 0, 0, time.Second), proc(1500, 1, 2*time.Second, time.Minute),
		}, tokenOnly, 1, 4 * time.Minute},
		// A process counts on one token's allowance in the client's bucket (300), then 3000 a
		// minute: 1500 requests take (1500 − 300) / 50 per second = 24 s, whatever the tokens allow.
		{"a pool within one token's allowance", []ProcessUse{proc(300, 1, 0, time.Second)}, genesys, 10, 0},
		{"a pool bound by the client", []ProcessUse{proc(1500, 5, 0, 30*time.Second)}, genesys, 10, 24 * time.Second},
		// 6000 requests: the client's 300 + 3000/min binds before the tokens' 10 × 300 + 10 × 300/min.
		{"a pool bound by the client for minutes", []ProcessUse{proc(6000, 10, 0, 2*time.Minute)}, genesys, 10, 114 * time.Second},
		// Two tokens' bursts hold 600; 1200 more at 600/min: two minutes.
		{"a pool of two bound by its tokens", []ProcessUse{proc(1800, 2, 0, time.Minute)}, genesys, 2, 2 * time.Minute},
		// One token creation a minute and a burst of one: the second token comes after a
		// minute. In T ≥ 1 min: 300 + 300T + 300 + 300(T − 1) ≥ 1500 gives T = 2 min, where two
		// tokens at once would need 1.5.
		{"token creation binds", []ProcessUse{proc(1500, 2, 0, time.Minute)},
			Limits{TokenRate: 300, TokenBurst: 300, TokenCreationRate: 1}, 2, 2 * time.Minute},
		// The bucket starts full (3000). The first process counts on 300 of it: 3000 requests
		// take 54 s, in which the bucket refills 2700, so 2700 are left; the second, right
		// after, counts on 300 of those again: 2500 take 44 s.
		{"a process counts on one token's allowance of what the one before left", []ProcessUse{
			proc(3000, 10, 0, time.Second), proc(2500, 10, time.Second, time.Minute),
		}, Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 3000}, 10, 98 * time.Second},
		// An update: the plan walk reads 500, the apply walk writes 500. Each counts on 300 and
		// the refill: 4 s each. (Capping what the bucket holds at the first process's start
		// would leave the second nothing: 4 s + 10 s.)
		{"a plan walk then an apply walk", []ProcessUse{
			proc(500, 1, 0, 4*time.Second), proc(500, 1, 5*time.Second, 10*time.Second),
		}, Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 3000, TokenCreationRate: 60}, 10, 8 * time.Second},
		// The second process starts right after a first that spent the client's bucket to
		// empty: it can count on nothing but the refill.
		{"the client's bucket is shared across processes", []ProcessUse{
			proc(300, 1, 0, 0), proc(3000, 10, 0, time.Minute),
		}, Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 300}, 10, 10 * time.Minute},
		// After a long enough pause it counts on one token's allowance again.
		{"a pause refills the client's bucket up to one token's allowance", []ProcessUse{
			proc(3000, 10, 0, time.Second), proc(2500, 10, 5*time.Minute, 6*time.Minute),
		}, Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 3000}, 10, 54*time.Second + 44*time.Second},
		{"no limit, no floor", []ProcessUse{proc(100000, 1, 0, time.Second)}, Limits{}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Floor(tt.procs, tt.limits, tt.pool)
			if d := got - tt.want; d < -5*time.Millisecond || d > 5*time.Millisecond {
				t.Errorf("Floor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	if r, ok := Ratio(330*time.Second, 300*time.Second); !ok || r < 1.0999 || r > 1.1001 {
		t.Errorf("Ratio(330s, 300s) = %v, %v; want 1.1", r, ok)
	}
	for _, floor := range []time.Duration{0, 999 * time.Millisecond} {
		if _, ok := Ratio(time.Second, floor); ok {
			t.Errorf("a floor of %v gave a ratio", floor)
		}
	}
}
