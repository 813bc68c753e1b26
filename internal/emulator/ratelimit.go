package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// rateLimiter is a token bucket per access token, kept as a GCRA "theoretical arrival time" so
// it is exact in integer nanoseconds: one token every interval, at most burst tokens saved up.
// Floating-point buckets drift by a request now and then over long benchmarks; this does not.
type rateLimiter struct {
	enabled   bool
	perMinute int           // advertised in inin-ratelimit-allowed
	burst     int           // bucket capacity
	interval  time.Duration // one token per interval
}

func newRateLimiter(perMinute, burst int) rateLimiter {
	if perMinute <= 0 {
		return rateLimiter{}
	}
	interval := time.Minute / time.Duration(perMinute)
	if interval <= 0 {
		interval = 1
	}
	return rateLimiter{enabled: true, perMinute: perMinute, burst: burst, interval: interval}
}

// bucket is one token's state: tat is when the bucket would be full again if nothing else came.
type bucket struct {
	tat time.Time
}

// rateVerdict is the outcome of one request against a bucket.
type rateVerdict struct {
	allowed    bool
	retryAfter int // seconds until a token is available (429 only), at least 1
	count      int // tokens in use after this request: inin-ratelimit-count
	reset      int // seconds until the bucket is full again: inin-ratelimit-reset
}

// take spends one token if there is one. The caller holds the lock that guards b.
func (l rateLimiter) take(b *bucket, now time.Time) rateVerdict {
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	limit := time.Duration(l.burst) * l.interval
	next := tat.Add(l.interval)
	var v rateVerdict
	if next.Sub(now) > limit {
		// A token frees up when next-limit is reached.
		v.retryAfter = max(1, ceilSeconds(next.Add(-limit).Sub(now)))
	} else {
		v.allowed = true
		b.tat = next
		tat = next
	}
	inUse := tat.Sub(now)
	v.count = int((inUse + l.interval - 1) / l.interval)
	v.reset = ceilSeconds(inUse)
	return v
}

func (l rateLimiter) setHeaders(h http.Header, v rateVerdict) {
	h.Set("inin-ratelimit-count", strconv.Itoa(v.count))
	h.Set("inin-ratelimit-allowed", strconv.Itoa(l.perMinute))
	h.Set("inin-ratelimit-reset", strconv.Itoa(v.reset))
}

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
