package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

// gcra is a token bucket kept as a theoretical arrival time, as a rate
// limiter on the server's side keeps it: one request every interval, at
// most burst at once.
type gcra struct {
	interval time.Duration
	burst    int
	tat      time.Time
}

func newGCRA(perMinute, burst int) *gcra {
	return &gcra{interval: time.Minute / time.Duration(perMinute), burst: burst}
}

// take spends one request at now if the bucket holds one; otherwise it
// says how long until it will.
func (g *gcra) take(now time.Time) (bool, time.Duration) {
	tat := g.tat
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(g.interval)
	limit := time.Duration(g.burst) * g.interval
	if over := next.Sub(now) - limit; over > 0 {
		return false, over
	}
	g.tat = next
	return true, 0
}

// inUse is how many requests the bucket counts in use at now, rounded up.
func (g *gcra) inUse(now time.Time) int {
	d := max(g.tat.Sub(now), 0)
	return int((d + g.interval - 1) / g.interval)
}

// limitedGenesys is a fake Genesys Cloud with the three limits a token pool
// meets: per token (advertised in the inin-ratelimit headers), per OAuth
// client across all its tokens (not advertised, as Genesys does not), and
// on minting tokens (a refusal wherever refuseGrant says). Every API call
// answers {"id":"org-a"}.
type limitedGenesys struct {
	srv *memnet.Server

	perToken, tokenBurst int
	clientBucket         *gcra // nil: no client-wide limit

	mu          sync.Mutex
	grants      int                   // token requests, refused ones included
	refuseGrant func(n int) bool      // answers grant n (from 1) with the rate-limit refusal
	tokens      map[string]*gcra      // issued tokens and their buckets
	order       []string              // tokens in the order issued
	revoked     map[string]bool       // tokens that answer 401
	sent        map[string]int        // API requests per token
	refusals    map[string]int        // 429s per token
	unauthz     int                   // 401s
	times       []time.Time           // when each accepted API request arrived
	hook        func(r *http.Request) // runs before each API call is judged
	clientLimit int
}

func newLimitedGenesys(t *testing.T, perToken, tokenBurst, perClient int) *limitedGenesys {
	t.Helper()
	g := &limitedGenesys{
		perToken: perToken, tokenBurst: tokenBurst, clientLimit: perClient,
		tokens: map[string]*gcra{}, revoked: map[string]bool{}, sent: map[string]int{}, refusals: map[string]int{},
	}
	if perClient > 0 {
		g.clientBucket = newGCRA(perClient, perClient)
	}
	g.srv = memnet.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		if err := g.srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	return g
}

func (g *limitedGenesys) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/token" {
		g.serveGrant(w)
		return
	}
	if g.hook != nil {
		g.hook(r)
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	now := time.Now()
	g.mu.Lock()
	bucket, ok := g.tokens[tok]
	if !ok || g.revoked[tok] {
		g.unauthz++
		g.mu.Unlock()
		writeGenesysError(w, http.StatusUnauthorized, "bad.credentials", "Invalid login credentials.", "corr-401")
		return
	}
	var retry time.Duration
	allowed, wait := bucket.take(now)
	if !allowed {
		retry = wait
	} else if g.clientBucket != nil {
		if ok, wait := g.clientBucket.take(now); !ok {
			// The token's request is given back: the client's limit refused it.
			bucket.tat = bucket.tat.Add(-bucket.interval)
			allowed, retry = false, wait
		}
	}
	h := w.Header()
	h.Set(headerRateAllowed, strconv.Itoa(g.perToken))
	h.Set(headerRateCount, strconv.Itoa(bucket.inUse(now)))
	if !allowed {
		g.refusals[tok]++
		g.mu.Unlock()
		h.Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
		writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests.retry.after", "Rate limit exceeded", "corr-429")
		return
	}
	g.sent[tok]++
	g.times = append(g.times, now)
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": "org-a"})
}

func (g *limitedGenesys) serveGrant(w http.ResponseWriter) {
	g.mu.Lock()
	g.grants++
	if g.refuseGrant != nil && g.refuseGrant(g.grants) {
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_request","description":"rate limit exceeded"}`)
		return
	}
	tok := fmt.Sprintf("pool-token-%02d-%x", g.grants, time.Now().UnixNano())
	g.tokens[tok] = newGCRA(g.perToken, g.tokenBurst)
	g.order = append(g.order, tok)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 86400})
}

// client is a Client of the fake with a pool of maxTokens and the fake's
// client-wide limit.
func (g *limitedGenesys) client(t *testing.T, maxTokens int, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		ClientID: testClientID, ClientSecret: testClientSecret,
		APIURL: g.srv.URL, LoginURL: g.srv.URL, HTTPClient: g.srv.Client(),
		RetryWaitMin: 500 * time.Millisecond, RetryWaitMax: 8 * time.Second,
		MaxAccessTokens: maxTokens, ClientRateLimit: g.clientLimit,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.now = tickingClock()
	return c
}

func (g *limitedGenesys) throttled() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, r := range g.refusals {
		n += r
	}
	return n
}

func (g *limitedGenesys) issued() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.order...)
}

// perTokenSent is how many API requests each issued token carried, in the
// order the tokens were issued.
func (g *limitedGenesys) perTokenSent() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]int, len(g.order))
	for i, tok := range g.order {
		out[i] = g.sent[tok]
	}
	return out
}

// maxInWindow is the most accepted requests in any window of length d.
func (g *limitedGenesys) maxInWindow(d time.Duration) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	best, j := 0, 0
	for i := range g.times {
		for g.times[i].Sub(g.times[j]) >= d {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// TestPoolStaysAtOneToken: a second token is minted only when it could
// send a call sooner than the first. Calls that one token's allowance
// holds, however many at once, never mint one; nor do calls when the
// client's allowance is no larger than one token's. Either way no call is
// refused.
func TestPoolStaysAtOneToken(t *testing.T) {
	for _, tc := range []struct {
		name                             string
		perToken, perClient, calls, conc int
	}{
		{"one token's burst holds every call", 300, 3000, 250, 50},
		{"the client-wide limit equals one token's", 60, 60, 120, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newLimitedGenesys(t, tc.perToken, tc.perToken, tc.perClient)
				c := g.client(t, 10)
				runConcurrently(t, c, tc.calls, tc.conc)
				if got := len(g.issued()); got != 1 {
					t.Errorf("%d tokens minted, want 1", got)
				}
				if n := g.throttled(); n != 0 {
					t.Errorf("%d 429s", n)
				}
				if st := c.Stats(); st.TokensMinted != 1 || st.TokenFetches != 1 || st.Requests != int64(tc.calls) {
					t.Errorf("stats = %+v, want one token fetched and minted and %d requests", st, tc.calls)
				}
			})
		})
	}
}

// TestPoolGrowsWhenPacingWouldWait: a run longer than one token's
// allowance adds tokens and spreads the calls over them, sends no 429, and
// takes about the least time the client-wide limit allows (what the pacer
// assumes of the client's bucket at start: one token's allowance).
func TestPoolGrowsWhenPacingWouldWait(t *testing.T) {
	synctest.Test(t, testPoolGrowsWhenPacingWouldWait)
}

func testPoolGrowsWhenPacingWouldWait(t *testing.T) {
	const (
		perToken  = 60  // one a second, 60 at once
		perClient = 300 // five a second across tokens
		calls     = 600
	)
	g := newLimitedGenesys(t, perToken, perToken, perClient)
	c := g.client(t, 10)
	start := time.Now()
	runConcurrently(t, c, calls, 20)
	elapsed := time.Since(start)

	if n := g.throttled(); n != 0 {
		t.Errorf("%d requests refused with 429; pacing per token and per client should avoid every one", n)
	}
	sent := g.perTokenSent()
	if len(sent) < 2 || len(sent) > 10 {
		t.Fatalf("%d tokens minted (%v), want more than one and at most 10", len(sent), sent)
	}
	// The least time: the first token's burst (less the one kept in
	// reserve), then the client's rate.
	floor := time.Duration(calls-(perToken-1)) * time.Minute / perClient
	if elapsed < floor || elapsed > floor*115/100 {
		t.Errorf("%d calls took %v; the limits allow them in %v (tokens: %v)", calls, elapsed, floor, sent)
	}
	if most := g.maxInWindow(time.Minute); most > perClient+perToken {
		t.Errorf("%d requests in one minute; the client-wide pacer allows %d", most, perClient+perToken)
	}
}

// TestPoolOfOneIsTodaysClient: with MaxAccessTokens 1 the client holds one
// token and paces to its limit alone, the client-wide pacer never holding
// it back, as before the pool.
func TestPoolOfOneIsTodaysClient(t *testing.T) { synctest.Test(t, testPoolOfOneIsTodaysClient) }

func testPoolOfOneIsTodaysClient(t *testing.T) {
	const perToken, calls = 60, 120
	g := newLimitedGenesys(t, perToken, perToken, 3000)
	c := g.client(t, 1)
	start := time.Now()
	runConcurrently(t, c, calls, 10)
	elapsed := time.Since(start)
	floor := time.Duration(calls-(perToken-1)) * time.Minute / perToken
	if len(g.issued()) != 1 || g.throttled() != 0 {
		t.Errorf("%d tokens, %d 429s; want one token and none", len(g.issued()), g.throttled())
	}
	if elapsed < floor || elapsed > floor+time.Second {
		t.Errorf("%d calls took %v; one token's limit allows them in %v", calls, elapsed, floor)
	}
}

// TestPoolRunsBackToBackSendNo429: Genesys counts the client's limit across
// processes, and a process cannot see what the one before it spent (plan,
// then apply). Each process assumes the client's bucket has room for one
// token's allowance only, so runs that follow each other at once still meet
// no 429, even though each alone could have spent more at its start.
func TestPoolRunsBackToBackSendNo429(t *testing.T) {
	synctest.Test(t, testPoolRunsBackToBackSendNo429)
}

func testPoolRunsBackToBackSendNo429(t *testing.T) {
	const perToken, perClient = 60, 300
	g := newLimitedGenesys(t, perToken, perToken, perClient)
	for run := range 5 {
		c := g.client(t, 10)
		runConcurrently(t, c, 200, 20)
		if n := g.throttled(); n != 0 {
			t.Fatalf("run %d: %d 429s in all", run+1, n)
		}
	}
}

// TestPoolPicksTheTokenWithMostHeadroom: among tokens that can send at
// once the one with the most room goes; a token that must wait loses to
// one that need not.
func TestPoolPicksTheTokenWithMostHeadroom(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := New(Config{ClientID: "id", ClientSecret: "secret", APIURL: "https://api.example.com", LoginURL: "https://login.example.com", MaxAccessTokens: 3})
	if err != nil {
		t.Fatal(err)
	}
	c.now = clock.now
	p := c.tokens
	// The pool holds no token yet, so its own clock and the client-wide
	// pacer's are all there is to set; mk gives each token the same one.
	p.now, p.client.now = clock.now, clock.now
	var gen uint64
	mk := func(name string, inUse int) *poolToken {
		gen++
		tk := &poolToken{value: name, gen: gen, pacer: newPacer(DefaultRetryAfterCap)}
		tk.pacer.now = clock.now
		tk.pacer.observe(http.StatusOK, rateHeaders(60, inUse))
		return tk
	}
	busy, roomy, full := mk("busy", 50), mk("roomy", 5), mk("full", 60)
	p.tokens = []*poolToken{busy, full, roomy}
	got, at := p.chooseLocked(clock.now(), 0)
	if got != roomy || !at.Equal(clock.now()) {
		t.Errorf("chose %s at %v, want roomy now", got.value, at.Sub(clock.now()))
	}
	p.tokens = []*poolToken{full}
	if got, at := p.chooseLocked(clock.now(), 0); got != full || at.Sub(clock.now()) != time.Second {
		t.Errorf("only a full token: chose %v in %v, want it in 1s", got, at.Sub(clock.now()))
	}
}

// TestUnauthorizedDropsOnlyThatToken: with several tokens in use, a 401
// for one of them costs one grant (its replacement), and the others go on
// being used.
func TestUnauthorizedDropsOnlyThatToken(t *testing.T) {
	synctest.Test(t, testUnauthorizedDropsOnlyThatToken)
}

func testUnauthorizedDropsOnlyThatToken(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	c := g.client(t, 3)
	runConcurrently(t, c, 150, 10) // more than one token's burst: the pool grows
	before := g.issued()
	if len(before) < 2 {
		t.Fatalf("%d tokens after 150 calls at 60 a token; want the pool to have grown", len(before))
	}
	g.mu.Lock()
	g.revoked[before[0]] = true
	g.mu.Unlock()
	time.Sleep(time.Minute) // every bucket full again: no pacing, no growth
	runConcurrently(t, c, 100, 10)
	after := g.issued()
	if got := len(after) - len(before); got != 1 {
		t.Errorf("%d grants after one token was revoked, want 1: its replacement", got)
	}
	if g.unauthz == 0 || g.unauthz > 10 {
		t.Errorf("%d 401s; want the revoked token refused a few times (the calls already paced on it), then never again", g.unauthz)
	}
	sent := g.perTokenSent()
	for i := 1; i < len(before); i++ {
		if sent[i] == 0 {
			t.Errorf("token %d was never used (sent %v)", i+1, sent)
		}
	}
}

// TestRefusedGrowthCarriesOn: the login service refuses the grants of new
// tokens (too many too fast); calls carry on with the token there is, the
// pool tries to grow again only after a backoff, and grows when a grant is
// given.
func TestRefusedGrowthCarriesOn(t *testing.T) { synctest.Test(t, testRefusedGrowthCarriesOn) }

func testRefusedGrowthCarriesOn(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	g.refuseGrant = func(n int) bool { return n == 2 || n == 3 }
	logs := &recordingLogger{}
	c := g.client(t, 2, func(cfg *Config) { cfg.Logger = logs })
	start := time.Now()
	runConcurrently(t, c, 120, 10)
	elapsed := time.Since(start)
	g.mu.Lock()
	grants := g.grants
	g.mu.Unlock()
	if grants != 4 || len(g.issued()) != 2 {
		t.Errorf("%d grants, %d tokens; want 4 grants (two refused) and 2 tokens", grants, len(g.issued()))
	}
	if g.throttled() != 0 {
		t.Errorf("%d 429s", g.throttled())
	}
	// The first refusal holds growth back 1 s, the second 2 s: the second
	// token arrives about 3 s after the first token ran dry, and then carries
	// the rest at once.
	if elapsed < 3*time.Second || elapsed > 5*time.Second {
		t.Errorf("120 calls took %v; want about 3 s (the backoffs), then the second token's burst", elapsed)
	}
	var refused int
	for _, e := range logs.all() {
		if strings.Contains(e, "token grant failed") && strings.Contains(e, "rate limit exceeded") {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d log entries for a refused grant, want 2:\n%s", refused, strings.Join(logs.all(), "\n"))
	}
}

// TestRefusedFirstGrantIsRetried: with no token at all, a refused grant is
// tried again after a backoff, and the calls waiting for it go on once one
// is given; when every try is refused they fail with an error that says
// so.
func TestRefusedFirstGrantIsRetried(t *testing.T) { synctest.Test(t, testRefusedFirstGrantIsRetried) }

func testRefusedFirstGrantIsRetried(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	g.refuseGrant = func(n int) bool { return n <= 3 }
	c := g.client(t, 5)
	runConcurrently(t, c, 20, 5)
	if g.grants != 4 || c.Stats().TokensMinted != 1 {
		t.Errorf("%d grants, %d minted; want three refusals, then one token", g.grants, c.Stats().TokensMinted)
	}

	never := newLimitedGenesys(t, 60, 60, 3000)
	never.refuseGrant = func(int) bool { return true }
	c = never.client(t, 5, func(cfg *Config) { cfg.RetryMax = 2 })
	_, err := c.OrganizationMe(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.Status != 400 || te.Code != "invalid_request" || te.Refusals != 3 {
		t.Fatalf("error = %v, want the refused grant's TokenError after 3 refusals", err)
	}
	for _, want := range []string{"rate limit exceeded", "refused 3 times in a row", "how fast one OAuth client may create tokens"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if never.grants != 3 {
		t.Errorf("%d grants, want 3 (two retries)", never.grants)
	}
}

// TestFirstTokenFetchedEarlyIsReused: a token fetched before any call (the
// provider checks the credentials when it is configured) is the one the
// calls then use.
func TestFirstTokenFetchedEarlyIsReused(t *testing.T) {
	synctest.Test(t, testFirstTokenFetchedEarlyIsReused)
}

func testFirstTokenFetchedEarlyIsReused(t *testing.T) {
	g := newLimitedGenesys(t, 300, 300, 3000)
	c := g.client(t, 10)
	tok, err := c.tokens.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	runConcurrently(t, c, 20, 5)
	if issued := g.issued(); len(issued) != 1 || issued[0] != tok || g.perTokenSent()[0] != 20 {
		t.Errorf("issued %d tokens, sent %v; want the early token to carry every call", len(issued), g.perTokenSent())
	}
}

// TestPoolTokensNeverLogged: however many tokens a pool mints and drops,
// none appears in the log.
func TestPoolTokensNeverLogged(t *testing.T) { synctest.Test(t, testPoolTokensNeverLogged) }

func testPoolTokensNeverLogged(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	g.refuseGrant = func(n int) bool { return n == 3 }
	logs := &recordingLogger{}
	c := g.client(t, 4, func(cfg *Config) { cfg.Logger = logs })
	runConcurrently(t, c, 200, 10)
	g.mu.Lock()
	g.revoked[g.order[0]] = true
	g.mu.Unlock()
	runConcurrently(t, c, 20, 5)
	entries := logs.all()
	if len(entries) == 0 {
		t.Fatal("nothing logged")
	}
	for _, tok := range g.issued() {
		for _, e := range entries {
			if strings.Contains(e, tok) {
				t.Fatalf("a token is in the log: %s", e)
			}
		}
	}
}

// TestPoolWaiterThatGivesUpLeavesTheQueue: a call whose context ends while
// it waits for a slot leaves; the calls behind it are served in turn.
func TestPoolWaiterThatGivesUpLeavesTheQueue(t *testing.T) {
	synctest.Test(t, testPoolWaiterThatGivesUpLeavesTheQueue)
}

func testPoolWaiterThatGivesUpLeavesTheQueue(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000) // one a second
	c := g.client(t, 1)
	runConcurrently(t, c, 59, 1) // the burst, less the one kept in reserve, is spent
	ctx, cancel := context.WithCancel(context.Background())
	var quitter, stayer atomic.Value
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, err := c.OrganizationMe(ctx)
		quitter.Store(fmt.Sprint(err))
	}()
	synctest.Wait() // the quitter waits at the head of the queue
	start := time.Now()
	go func() {
		defer wg.Done()
		_, err := c.OrganizationMe(context.Background())
		stayer.Store(fmt.Sprint(err))
	}()
	synctest.Wait()
	cancel()
	wg.Wait()
	if q := quitter.Load().(string); !strings.Contains(q, "context canceled") {
		t.Errorf("the call that gave up: %s", q)
	}
	if s := stayer.Load().(string); s != "<nil>" {
		t.Errorf("the call behind it: %s", s)
	}
	if waited := time.Since(start); waited != time.Second {
		t.Errorf("the call behind waited %v, want the one second to the next slot", waited)
	}
}

// TestPoolAgainstTheEmulatorsLimits runs a large apply's worth of calls
// against the emulator's three limits at their defaults (300 a minute per
// token, 3000 per client, 60 token creations a minute), twice in a row as
// a plan and an apply would: no call is refused, the pool grows past one
// token, and each run takes about the least time the limits allow, given
// what the pool assumes of the client's bucket at start.
func TestPoolAgainstTheEmulatorsLimits(t *testing.T) {
	synctest.Test(t, testPoolAgainstTheEmulatorsLimits)
}

func testPoolAgainstTheEmulatorsLimits(t *testing.T) {
	const calls = 1500
	e := newEmu(t, emulator.Config{})
	for run := 1; run <= 2; run++ {
		c := e.client(func(cfg *Config) { cfg.MaxAccessTokens = 10 })
		start := time.Now()
		runConcurrently(t, c, calls, 30)
		elapsed := time.Since(start)
		floor := time.Duration(calls-(emulator.DefaultRateLimit-1)) * time.Minute / emulator.DefaultClientRateLimit
		st := c.Stats()
		t.Logf("run %d: %d calls in %v (floor %v) on %d tokens", run, calls, elapsed, floor, st.TokensMinted)
		if n := len(e.server.JournalWhere(emulator.JournalFilter{Status: http.StatusTooManyRequests})); n != 0 {
			t.Errorf("run %d: %d calls refused with 429", run, n)
		}
		if st.TokensMinted < 2 || st.Retries != 0 {
			t.Errorf("run %d: stats %+v; want more than one token and no retry", run, st)
		}
		if elapsed < floor || elapsed > floor*115/100 {
			t.Errorf("run %d: %d calls took %v; the limits allow them in %v", run, calls, elapsed, floor)
		}
	}
}

// TestPoolSharingTheClientLearnsOnlyTokenLimits: two processes share one
// OAuth client at once, so its bucket binds and the emulator's headers
// describe it (allowed 300, the client's) rather than the token's (60).
// Sharing may cost 429s, but no token's pacer may take the client's
// allowance for its own: each still paces its token to 60 a minute.
func TestPoolSharingTheClientLearnsOnlyTokenLimits(t *testing.T) {
	synctest.Test(t, testPoolSharingTheClientLearnsOnlyTokenLimits)
}

func testPoolSharingTheClientLearnsOnlyTokenLimits(t *testing.T) {
	const perToken, perClient = 60, 300
	e := newEmu(t, emulator.Config{RateLimit: perToken, ClientRateLimit: perClient})
	var clients []*Client
	var wg sync.WaitGroup
	for range 2 {
		c := e.client(func(cfg *Config) { cfg.MaxAccessTokens = 10; cfg.ClientRateLimit = perClient })
		clients = append(clients, c)
		wg.Go(func() {
			// Sharing makes calls wait on each other's 429s far longer than
			// a run alone would, so they have no deadline here.
			var inner sync.WaitGroup
			for w := range 20 {
				inner.Go(func() {
					for range 300 / 20 {
						if _, err := c.OrganizationMe(context.Background()); err != nil {
							t.Errorf("worker %d: %v", w, err)
							return
						}
					}
				})
			}
			inner.Wait()
		})
	}
	wg.Wait()
	for i, c := range clients {
		c.tokens.mu.Lock()
		for _, tk := range c.tokens.tokens {
			if interval, capacity := tk.pacer.limit(); interval != time.Second || capacity > perToken {
				t.Errorf("process %d: a token paced at one per %v, capacity %d; its limit is %d a minute", i+1, interval, capacity, perToken)
			}
		}
		c.tokens.mu.Unlock()
	}
	refusedByToken := 0
	for _, j := range e.server.JournalWhere(emulator.JournalFilter{Status: http.StatusTooManyRequests}) {
		if j.Limit == emulator.LimitPerToken {
			refusedByToken++
		}
	}
	if refusedByToken > 0 {
		t.Errorf("%d calls refused by a token's own limit; the tokens' pacers should have kept to it", refusedByToken)
	}
}

// TestPoolMeetsTheEmulatorsTokenCreationLimit: the emulator lets this
// client create two tokens a minute. The pool's third grant is refused; it
// carries on with two tokens, grows again once a grant is given, sends no
// 429, and every call succeeds.
func TestPoolMeetsTheEmulatorsTokenCreationLimit(t *testing.T) {
	synctest.Test(t, testPoolMeetsTheEmulatorsTokenCreationLimit)
}

func testPoolMeetsTheEmulatorsTokenCreationLimit(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: 60, TokenCreationLimit: 2})
	c := e.client(func(cfg *Config) {
		cfg.MaxAccessTokens = 4
		cfg.RetryWaitMin, cfg.RetryWaitMax = 500*time.Millisecond, 30*time.Second
	})
	runConcurrently(t, c, 400, 20)
	var granted, refused int
	for _, j := range e.server.JournalWhere(emulator.JournalFilter{PathPrefix: "/oauth/token"}) {
		switch {
		case j.Status == http.StatusOK:
			granted++
		case j.Status == http.StatusBadRequest && j.Limit == emulator.LimitTokenCreation:
			refused++
		default:
			t.Errorf("token request answered %d", j.Status)
		}
	}
	if granted < 3 || refused == 0 {
		t.Errorf("%d grants given, %d refused; want refusals once two were made, and growth after", granted, refused)
	}
	if n := len(e.server.JournalWhere(emulator.JournalFilter{Status: http.StatusTooManyRequests})); n != 0 {
		t.Errorf("%d calls refused with 429", n)
	}
}

// TestEveryTokenRevokedAtOnce: the server revokes every token the pool
// holds (an administrator revoked the client's tokens). Each call refused
// retries on a token minted after its refusal, never on another the pool
// already held, so every call succeeds, and the refusals cost no more
// grants than there were tokens.
func TestEveryTokenRevokedAtOnce(t *testing.T) { synctest.Test(t, testEveryTokenRevokedAtOnce) }

func testEveryTokenRevokedAtOnce(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	c := g.client(t, 4)
	runConcurrently(t, c, 200, 20) // more than three tokens' bursts: the pool grows
	before := g.issued()
	if len(before) < 3 {
		t.Fatalf("%d tokens; want the pool grown to at least 3", len(before))
	}
	g.mu.Lock()
	for _, tok := range before {
		g.revoked[tok] = true
	}
	g.mu.Unlock()
	time.Sleep(time.Minute) // every bucket full again
	runConcurrently(t, c, 100, 20)
	if got := len(g.issued()) - len(before); got < 1 || got > len(before) {
		t.Errorf("%d grants after %d tokens were revoked; want at least one and at most one per token", got, len(before))
	}
}

// TestRenewedTokenRevokedBeforeTheRetry: a call's token is refused, and
// the token it renews is revoked as well before the retry reaches the
// server (an administrator revoking the client's tokens one by one). The
// call renews again and succeeds on the third token, as long as the
// renewals stay within maxAuthRenewals.
func TestRenewedTokenRevokedBeforeTheRetry(t *testing.T) {
	synctest.Test(t, testRenewedTokenRevokedBeforeTheRetry)
}

func testRenewedTokenRevokedBeforeTheRetry(t *testing.T) {
	g := newLimitedGenesys(t, 60, 60, 3000)
	c := g.client(t, 1)
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatal(err)
	}
	revokeNext := maxAuthRenewals // the first token and every renewal but the last
	g.hook = func(r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		g.mu.Lock()
		defer g.mu.Unlock()
		if revokeNext > 0 {
			g.revoked[tok] = true
			revokeNext--
		}
	}
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatalf("call whose renewed tokens were revoked: %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unauthz != maxAuthRenewals || len(g.order) != 1+maxAuthRenewals {
		t.Errorf("%d 401s and %d tokens granted; want %d and %d", g.unauthz, len(g.order), maxAuthRenewals, 1+maxAuthRenewals)
	}
}
