package main

import (
	"net/http"
	"slices"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// tokenRoute is the login service's grant endpoint. It is not rate limited per token, so its
// requests are counted apart from the API's.
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
	// TokenRequests counts POST /oauth/token requests.
	TokenRequests int `json:"tokenRequests"`
	// Retries counts attempts the client had to repeat: answers its policy retries (429, 5xx,
	// 401 on an API call) and requests that got no answer. In a phase that ended without error
	// every such attempt was followed by another, so this is requests beyond the minimum.
	Retries int `json:"retries"`
	// Tokens is the accepted API requests of each access token, in order of first use; the
	// floor is computed from them.
	Tokens []TokenUse `json:"tokens"`
}

// TokenUse is one access token's share of a phase: the emulator rate-limits per token.
type TokenUse struct {
	Fingerprint string    `json:"fingerprint"`
	Accepted    int       `json:"accepted"` // API requests the limiter let through (not answered 429)
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
}

// Account sums a phase's journal.
func Account(entries []emulator.JournalEntry) Counts {
	c := Counts{ByRoute: map[string]int{}, ByStatus: map[int]int{}}
	byToken := map[string]*TokenUse{}
	var order []string
	for _, e := range entries {
		if e.Route == tokenRoute {
			c.TokenRequests++
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
		// A request refused by the limiter spent nothing of its bucket; one that failed
		// authentication has no token and spent nothing either.
		if e.Token == "" || e.Status == http.StatusTooManyRequests {
			continue
		}
		u := byToken[e.Token]
		if u == nil {
			u = &TokenUse{Fingerprint: e.Token, First: e.Time}
			byToken[e.Token] = u
			order = append(order, e.Token)
		}
		u.Accepted++
		if e.Time.Before(u.First) {
			u.First = e.Time
		}
		if e.Time.After(u.Last) {
			u.Last = e.Time
		}
	}
	for _, fp := range order {
		c.Tokens = append(c.Tokens, *byToken[fp])
	}
	slices.SortStableFunc(c.Tokens, func(a, b TokenUse) int { return a.First.Compare(b.First) })
	return c
}

// retried reports whether the client's retry policy repeats an attempt with this answer
// (status 0: the connection broke before any answer).
func retried(status int) bool {
	return status == 0 || status == http.StatusUnauthorized || status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented)
}

// Floor is the least wall time the emulator's limiter allows for the accepted requests of
// tokens: a token bucket of capacity burst refilled at rate per minute accepts at most
// burst + rate·T/1min requests in T, so a token that had n requests accepted was in use for at
// least max(0, n-burst)/rate. Tokens used one after another (Terraform's plan walk, then its
// apply walk, each a provider process with a token of its own) add up; tokens whose use
// overlaps in time are bounded by the largest of them.
func Floor(tokens []TokenUse, ratePerMinute, burst int) time.Duration {
	if ratePerMinute <= 0 {
		return 0
	}
	perToken := func(n int) time.Duration {
		return time.Duration(max(0, n-burst)) * time.Minute / time.Duration(ratePerMinute)
	}
	sorted := slices.Clone(tokens)
	slices.SortStableFunc(sorted, func(a, b TokenUse) int { return a.First.Compare(b.First) })
	var total, group time.Duration
	var groupEnd time.Time
	for i, t := range sorted {
		if i > 0 && t.First.After(groupEnd) {
			total += group
			group = 0
		}
		group = max(group, perToken(t.Accepted))
		if i == 0 || t.Last.After(groupEnd) {
			groupEnd = t.Last
		}
	}
	return total + group
}

// Ratio is wall time over floor; ok is false when the floor is zero (the burst absorbed every
// request, so no wall time is too long or short against it).
func Ratio(wall, floor time.Duration) (ratio float64, ok bool) {
	if floor <= 0 {
		return 0, false
	}
	return wall.Seconds() / floor.Seconds(), true
}
