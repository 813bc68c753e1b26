package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// The limits the emulator models, by the names the journal gives them (JournalEntry.Limit).
const (
	// LimitPerToken is Genesys' token.rate.per.minute: API requests per access token.
	LimitPerToken = "token.rate.per.minute"
	// LimitPerClient is Genesys' org.app.user.rate.per.minute: API requests per OAuth client,
	// across all of its tokens.
	LimitPerClient = "org.app.user.rate.per.minute"
	// LimitTokenCreation is the limit on new tokens per OAuth client at POST /oauth/token.
	// Genesys publishes no key for it; the name is the emulator's own.
	LimitTokenCreation = "token.creation"
)

// rateLimiter is one limit: a token bucket per subject (an access token, an OAuth client), kept
// as a GCRA "theoretical arrival time" so it is exact in integer nanoseconds: one token every
// interval, at most burst tokens saved up. Floating-point buckets drift by a request now and
// then over long benchmarks; this does not.
type rateLimiter struct {
	name      string        // which limit, for the journal (Limit* above)
	enabled   bool          // false: the limit is switched off
	perMinute int           // advertised in inin-ratelimit-allowed
	burst     int           // bucket capacity
	interval  time.Duration // one token per interval
}

func newRateLimiter(name string, perMinute, burst int) rateLimiter {
	if perMinute <= 0 {
		return rateLimiter{name: name}
	}
	interval := time.Minute / time.Duration(perMinute)
	if interval <= 0 {
		interval = 1
	}
	return rateLimiter{name: name, enabled: true, perMinute: perMinute, burst: burst, interval: interval}
}

// bucket is one subject's state: tat is when the bucket would be full again if nothing else came.
type bucket struct {
	tat time.Time
}

// rateVerdict is the outcome of one request against one limit, or against several (takeAll).
type rateVerdict struct {
	allowed    bool
	limit      string // the limit the verdict describes; "" when no limit applied
	retryAfter int    // seconds until a token is available (refusals only), at least 1
	count      int    // tokens in use, counting this request if it was allowed: inin-ratelimit-count
	perMinute  int    // the limit's rate: inin-ratelimit-allowed
	reset      int    // seconds until the bucket is full again: inin-ratelimit-reset
	remaining  int    // requests that could still be sent at once after this one
}

// usage is how much of l's bucket b is in use at now: tokens (rounded up) and the seconds until
// it is full again.
func (l rateLimiter) usage(b bucket, now time.Time) (count, reset int) {
	inUse := b.tat.Sub(now)
	if inUse <= 0 {
		return 0, 0
	}
	return int((inUse + l.interval - 1) / l.interval), ceilSeconds(inUse)
}

// judge says whether one more request fits l's bucket b at now, without spending it; next is
// the bucket's state once it is spent.
func (l rateLimiter) judge(b bucket, now time.Time) (v rateVerdict, next bucket) {
	if b.tat.Before(now) {
		b.tat = now
	}
	limit := time.Duration(l.burst) * l.interval
	next = bucket{tat: b.tat.Add(l.interval)}
	if wait := next.tat.Sub(now) - limit; wait > 0 {
		// A token frees up once the bucket has drained by wait.
		v.retryAfter = max(1, ceilSeconds(wait))
		next = b
	} else {
		v.allowed = true
	}
	v.limit, v.perMinute = l.name, l.perMinute
	v.count, v.reset = l.usage(next, now)
	v.remaining = max(0, l.burst-v.count)
	return v, next
}

// take spends one token if there is one. The caller holds the lock that guards b.
func (l rateLimiter) take(b *bucket, now time.Time) rateVerdict {
	v, next := l.judge(*b, now)
	b.tat = next.tat
	return v
}

// limitedBucket is one limit that applies to a request, with the subject's bucket.
type limitedBucket struct {
	limiter rateLimiter
	bucket  *bucket
}

// takeAll lets a request through only if it fits every enabled limit, and then spends it from
// each; a refused request spends nothing. The verdict describes one limit, as the rate-limit
// headers can name only one: on a refusal the one that refused (the longest wait if several
// did), else the binding one, that with the fewest requests left (the first on a tie, so the
// token's own limit while it is the tighter). The caller holds the lock that guards the buckets.
func takeAll(now time.Time, limits ...limitedBucket) rateVerdict {
	out := rateVerdict{allowed: true}
	var room [2]bucket // the two API limits fit without a heap allocation per call
	nexts := room[:0]
	first := true
	for _, lb := range limits {
		if !lb.limiter.enabled {
			nexts = append(nexts, bucket{})
			continue
		}
		v, next := lb.limiter.judge(*lb.bucket, now)
		nexts = append(nexts, next)
		switch {
		case first,
			!v.allowed && (out.allowed || v.retryAfter > out.retryAfter),
			v.allowed && out.allowed && v.remaining < out.remaining:
			out = v
		}
		first = false
	}
	if !out.allowed {
		return out
	}
	for i, lb := range limits {
		if lb.limiter.enabled {
			*lb.bucket = nexts[i]
		}
	}
	return out
}

// setRateHeaders writes the verdict's inin-ratelimit-* headers; a verdict of no limit writes none.
func setRateHeaders(h http.Header, v rateVerdict) {
	if v.limit == "" {
		return
	}
	h.Set("inin-ratelimit-count", strconv.Itoa(v.count))
	h.Set("inin-ratelimit-allowed", strconv.Itoa(v.perMinute))
	h.Set("inin-ratelimit-reset", strconv.Itoa(v.reset))
}

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
