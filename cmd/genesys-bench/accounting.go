package main

import (
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// tokenRoute is the login service's grant endpoint. Its requests are not API requests: they
// are counted apart, as tokens minted or refused.
const tokenRoute = "/oauth/token"

// Counts is what one phase cost, read from the emulator's journal.
type Counts struct {
	// APIRequests counts every request to the API (everything but token grants), whatever
	// its answer: refused ones (429) included, since they were sent.
	APIRequests int `json:"apiRequests"`
	// ByRoute counts API requests by "METHOD route", e.g. "PUT /api/v2/integrations/{id}/config/current".
	ByRoute map[string]int `json:"byRoute"`
	// ByStatus counts API requests by the status of their answer (0: none came).
	ByStatus map[int]int `json:"byStatus"`
	// TooManyRequests counts 429 answers.
	TooManyRequests int `json:"tooManyRequests"`
	// TokensMinted counts POST /oauth/token requests that got a token; TokenRefusals those
	// refused (the token-creation limit, or anything else).
	TokensMinted  int `json:"tokensMinted"`
	TokenRefusals int `json:"tokenRefusals"`
	// Retries counts attempts the client had to repeat: answers its policy retries (429, 5xx,
	// 401 on an API call) and requests that got no answer. In a phase that ended without error
	// every such attempt was followed by another, so this is requests beyond the minimum.
	Retries int `json:"retries"`
	// Processes is what each provider process that talked to the service sent, in order; the
	// floor is computed from them.
	Processes []ProcessUse `json:"processes"`
}

// ProcessUse is one provider process's share of a phase. Terraform starts the provider afresh
// for each graph walk (plan, apply), and each process holds tokens of its own.
type ProcessUse struct {
	Accepted     int       `json:"accepted"`     // API requests the limiters let through (not answered 429)
	Tokens       int       `json:"tokens"`       // distinct access tokens its API requests carried
	TokensMinted int       `json:"tokensMinted"` // grants it obtained
	First        time.Time `json:"first"`        // its first request to the service (grants included)
	Last         time.Time `json:"last"`         // its last
}

// Account sums a phase's journal. procs are the phase's provider processes (from the wrapper);
// each journal entry belongs to the process that was running when it arrived. Without them
// (or for an entry no process covers) the whole phase counts as one process.
func Account(entries []emulator.JournalEntry, procs []ProcessUsage) Counts {
	c := Counts{ByRoute: map[string]int{}, ByStatus: map[int]int{}}
	procs = slices.Clone(procs)
	slices.SortFunc(procs, func(a, b ProcessUsage) int { return a.Start.Compare(b.Start) })
	uses := make([]ProcessUse, len(procs)+1) // the last: entries no process covers
	tokens := make([]map[string]bool, len(uses))
	owner := func(at time.Time) int {
		for i, p := range procs {
			if !at.Before(p.Start) && !at.After(p.Start.Add(p.Wall)) {
				return i
			}
		}
		return len(procs)
	}
	for _, e := range entries {
		i := owner(e.Time)
		u := &uses[i]
		if u.First.IsZero() || e.Time.Before(u.First) {
			u.First = e.Time
		}
		if e.Time.After(u.Last) {
			u.Last = e.Time
		}
		if e.Route == tokenRoute {
			if e.Status == http.StatusOK {
				c.TokensMinted++
				u.TokensMinted++
			} else {
				c.TokenRefusals++
			}
			continue
		}
		c.APIRequests++
		route := e.Route
		if route == "" {
			route = e.Path
		}
		c.ByRoute[e.Method+" "+route]++
		c.ByStatus[e.Status]++
		if e.Status == http.StatusTooManyRequests {
			c.TooManyRequests++
		}
		if retried(e.Status) {
			c.Retries++
		}
		// A request refused by a limiter spent nothing of its buckets; one that failed
		// authentication has no token and spent nothing either.
		if e.Token == "" || e.Status == http.StatusTooManyRequests {
			continue
		}
		u.Accepted++
		if tokens[i] == nil {
			tokens[i] = map[string]bool{}
		}
		tokens[i][e.Token] = true
	}
	for i, u := range uses {
		if u.First.IsZero() {
			continue
		}
		u.Tokens = len(tokens[i])
		c.Processes = append(c.Processes, u)
	}
	slices.SortFunc(c.Processes, func(a, b ProcessUse) int { return a.First.Compare(b.First) })
	return c
}

// retried reports whether the client's retry policy repeats an attempt with this answer
// (status 0: the connection broke before any answer).
func retried(status int) bool {
	return status == 0 || status == http.StatusUnauthorized || status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented)
}

// Limits are the emulator's limits in a run, as Genesys Cloud names them. Each is a bucket
// refilled steadily at its rate per minute; a rate of zero or less switches that limit off.
type Limits struct {
	TokenRate  int `json:"tokenRatePerMinute"`  // token.rate.per.minute: API requests per access token
	TokenBurst int `json:"tokenBurst"`          // the capacity of each token's bucket
	ClientRate int `json:"clientRatePerMinute"` // org.app.user.rate.per.minute: across an OAuth client's tokens; the bucket holds a minute's
	// TokenCreationRate is the tokens an OAuth client may create per minute; the bucket holds a
	// minute's.
	TokenCreationRate int `json:"tokenCreationPerMinute"`
}

// Floor is the least wall time the limits allow for a phase's requests, when each provider
// process may hold up to pool access tokens. The processes run one after another (Terraform's
// plan walk, then its apply walk) and share their OAuth client's buckets, which the benchmark
// gives a fresh client in every phase, so the buckets start full.
//
// For each process, in order: its requests need the least T such that
//   - the client's bucket holds them: n ≤ level + ClientRate·T, where the level the process
//     counts on at its start is what the bucket holds but at most one token's allowance
//     (TokenBurst): what a process can count on, not seeing what others spent, and what the
//     provider's pool assumes;
//   - its tokens' buckets hold them: n ≤ Σ over the tokens it may hold of TokenBurst +
//     TokenRate·(T − the time the token can be had), where a token can be had once the
//     client's token-creation bucket has one to give (at once while it holds some, then one
//     every minute/TokenCreationRate).
//
// Between processes the buckets refill for as long as the phase really paused (the time from
// one process's last request to the next one's first); a process that sent nothing adds
// nothing. With one token the client limit is out of reach and this is the old per-token
// floor, max(0, n − TokenBurst)/TokenRate per process.
func Floor(procs []ProcessUse, l Limits, pool int) time.Duration {
	pool = max(pool, 1)
	clientCap, createCap := float64(l.ClientRate), float64(l.TokenCreationRate)
	clientLevel, createLevel := clientCap, createCap
	refill := func(level, capacity, ratePerMin float64, d time.Duration) float64 {
		return math.Min(capacity, level+ratePerMin*d.Minutes())
	}
	var total float64 // seconds
	var prevLast time.Time
	for i, p := range procs {
		if i > 0 && p.First.After(prevLast) {
			gap := p.First.Sub(prevLast)
			clientLevel = refill(clientLevel, clientCap, clientCap, gap)
			createLevel = refill(createLevel, createCap, createCap, gap)
		}
		if p.Last.After(prevLast) {
			prevLast = p.Last
		}
		// A process cannot see what the processes before it spent of the client's allowance
		// (Genesys counts it across them, and so may other runs sharing the client), so it can
		// count on one token's allowance at its start and the refill after: the provider's pool
		// assumes exactly that (DESIGN.md, Token pool), and so does its floor. What the bucket
		// really holds goes on to the next process: capping that too would charge a process
		// for an allowance the one before it never spent.
		countOn := clientLevel
		if l.TokenRate > 0 {
			countOn = math.Min(clientLevel, float64(l.TokenBurst))
		}
		// A process that only signed in (a plan walk with nothing to read) spends a token
		// creation and no time.
		t := 0.0
		if p.Accepted > 0 {
			t = leastTime(float64(p.Accepted), countOn, createLevel, l, pool)
		}
		total += t
		if l.ClientRate > 0 {
			clientLevel = refill(clientLevel-float64(p.Accepted), clientCap, clientCap, seconds(t))
		}
		if l.TokenCreationRate > 0 {
			createLevel = refill(createLevel-float64(p.TokensMinted), createCap, createCap, seconds(t))
		}
	}
	return seconds(total).Round(time.Millisecond)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// leastTime is the least T, in seconds, in which one process can send n requests (see Floor).
func leastTime(n, clientLevel, createLevel float64, l Limits, pool int) float64 {
	fits := func(t float64) bool {
		if l.ClientRate > 0 && n > clientLevel+float64(l.ClientRate)*t/60+1e-9 {
			return false
		}
		if l.TokenRate <= 0 {
			return true
		}
		capacity := 0.0
		for j := range pool {
			at := 0.0 // when token j can be had
			if l.TokenCreationRate > 0 {
				at = math.Max(0, (float64(j+1)-createLevel)*60/float64(l.TokenCreationRate))
			}
			if at <= t {
				capacity += float64(l.TokenBurst) + float64(l.TokenRate)*(t-at)/60
			}
		}
		return n <= capacity+1e-9
	}
	if fits(0) {
		return 0
	}
	lo, hi := 0.0, 60.0
	for !fits(hi) {
		hi *= 2
	}
	for hi-lo > 1e-4 {
		mid := (lo + hi) / 2
		if fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// minFloorForRatio is the smallest floor a wall time is compared with: under a second, the
// floor is lost in the command's own start-up (Terraform reads its configuration and starts
// the provider in about that), so the ratio says nothing about pacing.
const minFloorForRatio = time.Second

// Ratio is wall time over floor; ok is false when the floor is below minFloorForRatio.
func Ratio(wall, floor time.Duration) (ratio float64, ok bool) {
	if floor < minFloorForRatio {
		return 0, false
	}
	return wall.Seconds() / floor.Seconds(), true
}
