package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func rateHeaders(allowed, count int) http.Header {
	h := http.Header{}
	h.Set(headerRateAllowed, strconv.Itoa(allowed))
	h.Set(headerRateCount, strconv.Itoa(count))
	return h
}

// offsets reserves n send times and returns them relative to the clock.
func offsets(p *pacer, clock *fakeClock, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		at, _ := p.reserve()
		out[i] = at.Sub(clock.now())
	}
	return out
}

func TestPacerSchedule(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name string
		// setup runs against a pacer with 60 requests per minute advertised
		// by the first answer (one per second), the clock at zero.
		setup func(p *pacer, clock *fakeClock)
		want  []time.Duration
	}{
		{
			name:  "nothing known: nothing held back",
			setup: func(p *pacer, _ *fakeClock) {},
			want:  []time.Duration{0, 0, 0},
		},
		{
			name: "no rate-limit headers: nothing held back",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, http.Header{})
			},
			want: []time.Duration{0, 0, 0},
		},
		{
			name: "a fresh allowance is spent at once, less the one kept in reserve, then one per interval",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(4, 0))
			},
			// 4 a minute: capacity 4, burst 3: three now, then one every 15 s.
			want: []time.Duration{0, 0, 0, 15 * s, 30 * s},
		},
		{
			name: "requests sent before the limit was known count as in use",
			setup: func(p *pacer, _ *fakeClock) {
				p.reserve()
				p.reserve()
				p.observe(http.StatusOK, rateHeaders(4, 1))
			},
			// Two of the burst of three are gone, whatever the first answer counted.
			want: []time.Duration{0, 15 * s, 30 * s},
		},
		{
			name: "the server may count more in use than the pacer sent",
			setup: func(p *pacer, _ *fakeClock) {
				p.reserve()
				p.observe(http.StatusOK, rateHeaders(4, 3))
			},
			// Capacity 4, burst 3, 3 in use (2 after the rounding's slack): one now.
			want: []time.Duration{0, 15 * s, 30 * s},
		},
		{
			name: "the server's count drains the bucket",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 60))
			},
			// 60 in use (59 after the ceiling's slack), burst 59: the next in a second.
			want: []time.Duration{s, 2 * s},
		},
		{
			name: "the bucket refills with time",
			setup: func(p *pacer, clock *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 60))
				clock.advance(3 * s)
			},
			// 56 in use, burst 59: three now.
			want: []time.Duration{0, 0, 0, s},
		},
		{
			name: "a 429 empties the bucket and holds everyone until Retry-After; what it gained meanwhile goes then, the rest one per interval",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 1))
				h := rateHeaders(60, 10)
				h.Set("Retry-After", "2")
				p.observe(http.StatusTooManyRequests, h)
			},
			// Two seconds at one a second: two at resume.
			want: []time.Duration{2 * s, 2 * s, 3 * s, 4 * s},
		},
		{
			name: "a 429 forgets requests the pacer counted that the server refused",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 1))
				for range 40 { // a first wave, most of it refused
					p.reserve()
				}
				h := rateHeaders(60, 10)
				h.Set("Retry-After", "2")
				p.observe(http.StatusTooManyRequests, h)
			},
			want: []time.Duration{2 * s, 2 * s, 3 * s},
		},
		{
			name: "after a 429 the learned capacity bounds the burst",
			setup: func(p *pacer, clock *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 1))
				h := rateHeaders(60, 5)
				h.Set("Retry-After", "1")
				p.observe(http.StatusTooManyRequests, h)
				clock.advance(time.Minute) // long idle: the bucket is full again
			},
			// capacity 5, burst 4.
			want: []time.Duration{0, 0, 0, 0, s},
		},
		{
			name: "a 429 without Retry-After waits the reset",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 1))
				h := rateHeaders(60, 3)
				h.Set(headerRateReset, "4")
				p.observe(http.StatusTooManyRequests, h)
			},
			// Capacity 3, burst 2: full again by the reset; two go then.
			want: []time.Duration{4 * s, 4 * s, 5 * s},
		},
		{
			name: "a 429 with no headers at all still holds everyone until Retry-After",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}})
			},
			want: []time.Duration{3 * s, 3 * s},
		},
		{
			name: "Retry-After is capped",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}})
			},
			want: []time.Duration{90 * s},
		},
		{
			name: "a smaller allowance later lowers the capacity",
			setup: func(p *pacer, _ *fakeClock) {
				p.observe(http.StatusOK, rateHeaders(60, 0))
				p.observe(http.StatusOK, rateHeaders(3, 0))
			},
			// 3 per minute: one every 20 s; capacity 3, burst 2.
			want: []time.Duration{0, 0, 20 * s},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			p := newPacer(DefaultRetryAfterCap)
			p.now = clock.now
			tt.setup(p, clock)
			got := offsets(p, clock, len(tt.want))
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Fatalf("send times = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestPacerWaitGivesUpBeforeTheDeadline(t *testing.T) {
	synctest.Test(t, testPacerWaitGivesUpBeforeTheDeadline)
}

func testPacerWaitGivesUpBeforeTheDeadline(t *testing.T) {
	p := newPacer(DefaultRetryAfterCap)
	p.observe(http.StatusOK, rateHeaders(1, 0)) // one a minute
	p.reserve()                                 // and it is taken
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.wait(ctx)
	var pe *paceError
	if !errors.As(err, &pe) {
		t.Fatalf("wait = %v, want a paceError", err)
	}
	if waited := time.Since(start); waited != 0 {
		t.Errorf("waited %v before giving up; it should not wait at all", waited)
	}
}

// TestPacerWaiterAsksAgainAfterA429: a caller already waiting for its send
// time when a 429 arrives does not go at the time it was given (reckoned on
// a bucket the server has since said is empty) but waits for the resume.
func TestPacerWaiterAsksAgainAfterA429(t *testing.T) {
	synctest.Test(t, testPacerWaiterAsksAgainAfterA429)
}

func testPacerWaiterAsksAgainAfterA429(t *testing.T) {
	p := newPacer(DefaultRetryAfterCap)
	p.observe(http.StatusOK, rateHeaders(600, 600)) // full: the next in 100 ms
	done := make(chan time.Duration, 1)
	go func() {
		d, err := p.wait(t.Context())
		if err != nil {
			t.Errorf("wait: %v", err)
		}
		done <- d
	}()
	synctest.Wait() // the waiter has its time and sleeps until it
	h := rateHeaders(600, 600)
	h.Set("Retry-After", "0.4")
	p.observe(http.StatusTooManyRequests, h)
	if d := <-done; d != 400*time.Millisecond {
		t.Errorf("the waiter went after %v, want at the 429's Retry-After of 400 ms", d)
	}
}

// TestPacedCallsRideTheLimit runs more calls than the emulator's allowance
// holds, from many goroutines at once: the first minute's allowance goes at
// once and the rest at the advertised rate, with no 429 at all, in about
// the least time the limit allows.
func TestPacedCallsRideTheLimit(t *testing.T) { synctest.Test(t, testPacedCallsRideTheLimit) }

func testPacedCallsRideTheLimit(t *testing.T) {
	const (
		perMinute = 600 // one per 100 ms
		calls     = 640
		workers   = 40
	)
	e := newEmu(t, emulator.Config{RateLimit: perMinute})
	c := e.client()
	floor := time.Duration(calls-perMinute) * time.Minute / perMinute

	start := time.Now()
	runConcurrently(t, c, calls, workers)
	elapsed := time.Since(start)

	throttled := len(e.server.JournalWhere(emulator.JournalFilter{Status: http.StatusTooManyRequests}))
	if throttled != 0 {
		t.Errorf("%d requests were refused with 429; pacing should have avoided every one", throttled)
	}
	if elapsed < floor-100*time.Millisecond || elapsed > floor*5/4+time.Second {
		t.Errorf("%d calls took %v; the limit allows them in %v", calls, elapsed, floor)
	}
	if st := c.Stats(); st.Requests != calls || st.Retries != 0 || st.TokenFetches != 1 {
		t.Errorf("stats = %+v, want %d requests, no retry, 1 token fetch", st, calls)
	}
}

// TestPacerLearnsASmallerBucket: the emulator advertises 600 a minute but
// lets only 5 through at once. The first wave overshoots (nothing says the
// bucket is small until it refuses), then the pacer holds to what the 429
// taught it: 429s stop, and the calls take about the least time the limit
// allows.
func TestPacerLearnsASmallerBucket(t *testing.T) { synctest.Test(t, testPacerLearnsASmallerBucket) }

func testPacerLearnsASmallerBucket(t *testing.T) {
	const (
		perMinute = 600
		burst     = 5
		calls     = 60
		workers   = 20
	)
	e := newEmu(t, emulator.Config{RateLimit: perMinute, RateBurst: burst})
	c := e.client()
	floor := time.Duration(calls-burst) * time.Minute / perMinute

	start := time.Now()
	runConcurrently(t, c, calls, workers)
	elapsed := time.Since(start)

	journal := e.server.Journal()
	throttled, lastThrottled := 0, -1
	for i, j := range journal {
		if j.Status == http.StatusTooManyRequests {
			throttled++
			lastThrottled = i
		}
	}
	if throttled > 2*workers {
		t.Errorf("%d 429s; only the first wave (%d calls) should have been refused", throttled, workers)
	}
	if lastThrottled > len(journal)/2 {
		t.Errorf("the last 429 was request %d of %d: the pacer did not learn the bucket's size", lastThrottled+1, len(journal))
	}
	if elapsed > floor*3/2+time.Second {
		t.Errorf("%d calls took %v; the limit allows them in %v", calls, elapsed, floor)
	}
}

// runConcurrently makes calls OrganizationMe calls from workers goroutines.
func runConcurrently(t *testing.T, c *Client, calls, workers int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(calls) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				_, err := c.OrganizationMe(ctx)
				cancel()
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("call failed: %v", err)
	}
}
