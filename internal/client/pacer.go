package client

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate-limit headers Genesys Cloud sends with every answer to an
// authenticated call: the requests allowed per minute, how many are in use,
// and the seconds until the allowance is whole again.
const (
	headerRateAllowed = "inin-ratelimit-allowed"
	headerRateCount   = "inin-ratelimit-count"
	headerRateReset   = "inin-ratelimit-reset"
)

// pacer spaces a Client's API requests so they stay within the rate limit
// the server advertises, instead of learning it from 429s. Reacting to 429s
// alone wastes the allowance when many calls run at once: every refused
// call sleeps Retry-After, they all wake together, and most are refused
// again. The pacer instead hands out send times from a token bucket that
// mirrors the server's:
//
//   - it refills at inin-ratelimit-allowed per minute, learned from the
//     first answer that carries it (until then requests are not held back:
//     there is nothing to pace by);
//   - it holds as many requests as the server lets through at once: the
//     minute's allowance, as Genesys Cloud allows, until a 429 shows the
//     server holds fewer (the count it reports then). One request of that
//     is kept in reserve, so the server is never asked for its last one on
//     the strength of a clock that runs slightly ahead of its own;
//   - it is never fuller than the server says its own is: every answer's
//     inin-ratelimit-count is requests in use, and the pacer's bucket is
//     drained to match;
//   - a 429 says the server's bucket is empty: the pacer's is emptied to
//     match (forgetting requests it counted that the server refused), no
//     request is sent before the Retry-After (or reset, capped like the
//     refused call's own wait) has passed, and callers already waiting ask
//     again. What the bucket gained meanwhile goes at resume, the rest one
//     per interval, not all at once.
//
// Send times are handed out in the order callers ask, so concurrent calls
// queue fairly. Against a fixed per-minute window rather than a bucket the
// pacer is conservative: it spreads the allowance over the minute.
type pacer struct {
	now           func() time.Time // the wall clock (tests replace it)
	retryAfterCap time.Duration    // the longest Retry-After honoured, as for the call refused

	// fixed is set for a limit whose rate is configured rather than learned
	// (the OAuth client's, across its tokens): inin-ratelimit-allowed is not
	// read.
	fixed         bool
	fixedInterval time.Duration
	fixedCapacity int

	mu        sync.Mutex
	interval  time.Duration // one request per interval; 0 = no limit known
	capacity  int           // requests the server lets through at once
	tat       time.Time     // when the bucket would be full again if nothing else were sent
	notBefore time.Time     // nothing is sent before this (after a 429)
	// epoch counts 429s: a send time handed out before the latest one was
	// reckoned on a bucket the server has since said is empty.
	epoch       uint64
	sentUnpaced int // requests sent before the limit was known
}

func newPacer(retryAfterCap time.Duration) *pacer {
	return &pacer{now: time.Now, retryAfterCap: retryAfterCap}
}

// newFixedPacer paces to perMinute requests a minute with a bucket of
// perMinute, once start says how full that bucket is; until then it holds
// nothing back (as a pacer that has not yet learned its limit). It is given
// only headers that describe its bucket.
func newFixedPacer(perMinute int, retryAfterCap time.Duration) *pacer {
	return &pacer{
		now: time.Now, retryAfterCap: retryAfterCap, fixed: true,
		fixedInterval: max(time.Minute/time.Duration(perMinute), time.Nanosecond), fixedCapacity: perMinute,
	}
}

// started reports whether a fixed pacer has been started (see start).
func (p *pacer) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interval > 0
}

// start begins pacing a fixed pacer, assuming the bucket has room for only
// headroom requests now (plus those sent before start, already counted
// against it). A fixed pacer cannot see the server's bucket, which other
// processes of the same client may have drawn on moments ago; see
// DESIGN.md for why one token's allowance is the room assumed.
func (p *pacer) start(headroom int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fixed || p.interval > 0 {
		return
	}
	p.interval, p.capacity = p.fixedInterval, p.fixedCapacity
	inUse := max(p.capacity-max(headroom, 0), 0) + p.sentUnpaced
	p.tat = p.now().Add(time.Duration(inUse) * p.interval)
}

// limit returns the rate and capacity the pacer has learned; interval 0:
// none yet.
func (p *pacer) limit() (time.Duration, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interval, p.capacity
}

// seed gives a pacer for a token that has not been used yet the limit
// learned on another token of the same client: its bucket is full, so its
// first requests go at once, and never more of them than the bucket holds.
func (p *pacer) seed(interval time.Duration, capacity int) {
	if interval <= 0 || capacity <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interval > 0 {
		return
	}
	p.interval, p.capacity = interval, capacity
	p.tat = p.now().Add(time.Duration(p.sentUnpaced) * interval)
}

// reserve returns when a request may be sent (now, or later to keep within
// the limit) and the epoch the time belongs to. The reservation is taken; a
// caller that does not send at that time leaves a slot unused, which only
// makes the pacer more careful.
func (p *pacer) reserve() (time.Time, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.nextLocked(p.now())
	p.takeLocked(at)
	return at, p.epoch
}

// next returns the earliest time a request may be sent, without taking it.
func (p *pacer) next(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nextLocked(now)
}

func (p *pacer) nextLocked(now time.Time) time.Time {
	at := now
	if p.notBefore.After(at) {
		at = p.notBefore
	}
	if p.interval <= 0 {
		return at
	}
	burst := time.Duration(p.burst()-1) * p.interval
	if earliest := p.tat.Add(-burst); earliest.After(at) {
		at = earliest
	}
	return at
}

// take spends the request sent at at, which is no earlier than next.
func (p *pacer) take(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.takeLocked(at)
}

func (p *pacer) takeLocked(at time.Time) {
	if p.interval <= 0 {
		p.sentUnpaced++
		return
	}
	if p.tat.Before(at) {
		p.tat = at
	}
	p.tat = p.tat.Add(p.interval)
}

// headroom is how many requests the pacer would let go at once at now; a
// pacer that knows no limit yet has as much room as it has not spent.
func (p *pacer) headroom(now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notBefore.After(now) {
		return 0
	}
	if p.interval <= 0 {
		return math.MaxInt32 - p.sentUnpaced
	}
	inUse := max(p.tat.Sub(now), 0)
	return max(0, p.burst()-int((inUse+p.interval-1)/p.interval))
}

func (p *pacer) currentEpoch() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch
}

// burst is how many requests the pacer lets go at once: the server's
// capacity less the one kept in reserve.
func (p *pacer) burst() int {
	return max(1, p.capacity-1)
}

// wait blocks until the request may be sent, and reports how long it waited.
// A caller whose time was reckoned before a 429 asks again. It gives up at
// once, without waiting, when ctx would end first.
func (p *pacer) wait(ctx context.Context) (time.Duration, error) {
	start := p.now()
	for {
		at, epoch := p.reserve()
		d := at.Sub(p.now())
		if d <= 0 {
			return p.now().Sub(start), nil
		}
		if deadline, ok := ctx.Deadline(); ok && !at.Before(deadline) {
			return 0, &paceError{wait: d}
		}
		if err := sleep(ctx, d); err != nil {
			return 0, err
		}
		if p.currentEpoch() == epoch {
			return p.now().Sub(start), nil
		}
	}
}

// observe learns from an answer's status and headers.
func (p *pacer) observe(status int, h http.Header) {
	allowed, hasAllowed := headerInt(h, headerRateAllowed)
	count, hasCount := headerInt(h, headerRateCount)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()

	if p.fixed {
		// Its allowance is configured; a count, when the headers describe
		// its bucket, drains it like any.
		hasAllowed = false
	}
	if hasAllowed && allowed > 0 {
		interval := max(time.Minute/time.Duration(allowed), time.Nanosecond)
		if p.interval <= 0 {
			p.capacity = allowed
			// What went out before the limit was known is in use too, as
			// far as the pacer can tell; a 429 corrects it if the server
			// refused some.
			p.tat = now.Add(time.Duration(p.sentUnpaced) * interval)
		} else {
			p.capacity = min(p.capacity, allowed)
		}
		p.interval = interval
	}
	if p.interval > 0 && hasCount && count > 0 {
		// The server had count requests in use when it answered (the count
		// is rounded up): the pacer's bucket must not be fuller than that.
		if full := now.Add(time.Duration(count-1) * p.interval); full.After(p.tat) {
			p.tat = full
		}
	}
	if status != http.StatusTooManyRequests {
		return
	}
	p.epoch++
	if p.fixed && p.interval <= 0 {
		// Refused before it started: the bucket is empty, whatever was
		// assumed.
		p.interval, p.capacity = p.fixedInterval, p.fixedCapacity
	}
	if p.interval > 0 {
		if hasCount && count > 0 {
			// Refused with count in use: that is all the server holds.
			p.capacity = min(p.capacity, count)
		}
		// Empty now; it refills while everyone waits.
		p.tat = now.Add(time.Duration(p.burst()) * p.interval)
	}
	wait, ok := parseRetryAfter(h.Get("Retry-After"), now)
	if !ok {
		if reset, hasReset := headerInt(h, headerRateReset); hasReset {
			wait, ok = time.Duration(reset)*time.Second, true
		}
	}
	if !ok {
		return
	}
	if resume := now.Add(min(wait, p.retryAfterCap)); resume.After(p.notBefore) {
		p.notBefore = resume
	}
}

// paceError is a request the rate limit would let go only after its
// context's deadline; it is not sent, and not retried.
type paceError struct {
	wait time.Duration
}

func (e *paceError) Error() string {
	return fmt.Sprintf("the rate limit allows the next request in %s, after the deadline", e.wait.Round(time.Millisecond))
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
