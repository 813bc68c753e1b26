package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	// refreshAhead is how long before expiry a token is replaced, so a call
	// never leaves with a token that dies in flight. Short-lived tokens
	// (tests, demos) are refreshed a quarter of their life early instead.
	refreshAhead = 60 * time.Second

	// tokenFetchTimeout bounds one token grant, retries included. The grant
	// runs detached from the caller that started it (see mintLocked), so it
	// needs its own bound.
	tokenFetchTimeout = 2 * time.Minute
)

// tokenPool holds the access tokens a Client's API calls go out on and
// decides, for each call, which token it uses and when it may be sent.
//
// Genesys Cloud limits each token to a number of requests a minute (300;
// learned from inin-ratelimit-allowed) and each OAuth client to a larger
// number across all its tokens (3000; Config.ClientRateLimit). One token
// caps a long run at the first; the pool lets it reach the second:
//
//   - It starts with no token. The first call that needs one mints it, and
//     every call arriving meanwhile waits on that one grant.
//   - Each token has its own pacer (see pacer), and a client-wide pacer
//     keeps the sum of all tokens within the client's limit.
//   - Each request goes out on the token that lets it go soonest; among
//     tokens that can send at once, the one with the most headroom.
//   - A token is added only when the next request would have to wait for
//     every token's pacer while the client-wide pacer would let it go
//     sooner, the pool holds fewer than max tokens, and no grant is under
//     way. Until it arrives, requests wait as they would have.
//   - A 401 drops only the token refused (fifty calls refused with one
//     token drop it once) and mints its replacement, which the refused
//     calls retry on; other calls go on with the other tokens meanwhile.
//     A token close to expiry is dropped; the next call that finds no
//     token mints one.
//   - A grant the login service refuses because the client creates tokens
//     too fast (400 invalid_request "rate limit exceeded") holds back the
//     next growth for an exponential backoff; the pool carries on with the
//     tokens it has. When it has none, the grant itself is tried again
//     after a backoff, up to the retry budget, and only then do the calls
//     waiting for it fail.
//
// Requests that cannot go at once wait in one queue, served in arrival
// order by a dispatcher goroutine that exists only while the queue is not
// empty: it takes the send slot for the head when its time comes, so no
// slot is ever reserved ahead and left unused. Tokens live only in memory:
// they are never logged (the journal of the emulator names them by a
// fingerprint) and never written anywhere.
type tokenPool struct {
	c    *Client
	conf clientcredentials.Config
	hc   *http.Client     // carries token requests through the retrying transport
	max  int              // the most tokens held at once
	now  func() time.Time // the pacers' clock: the wall clock (tests replace it)

	// client paces every token's requests together to the OAuth client's
	// limit.
	client *pacer

	mu     sync.Mutex
	tokens []*poolToken // oldest first
	gen    uint64       // the generation of the newest token minted
	// dropped holds the generation the pool had reached when each token
	// refused with a 401 was dropped, so that a late 401 for it asks for no
	// newer token than the first did.
	dropped   map[string]uint64
	minting   *tokenFetch // the grant under way, if any
	refusals  int         // growth grants refused in a row
	growAfter time.Time   // no growth grant before this (pool clock)
	queue     []*tokenWaiter
	running   bool          // a dispatcher serves the queue
	wake      chan struct{} // tells the dispatcher something changed; capacity 1

	minted atomic.Int64 // grants that gave a token
}

// poolToken is one access token with the pacer of its own rate limit.
type poolToken struct {
	value     string
	gen       uint64    // 1 for the first token minted, and so on
	expiresAt time.Time // on the client's clock; zero: no expiry given, kept until refused
	pacer     *pacer
}

type tokenFetch struct {
	done chan struct{}
	err  error
}

// tokenWaiter is a request waiting for a token and a send slot.
type tokenWaiter struct {
	ctx context.Context
	// newerThan, when not 0, asks for a token minted after the one a 401
	// refused: generation newerThan or older is no use to this request.
	newerThan uint64
	ready     chan struct{} // closed when tok or err is set
	tok       *poolToken
	err       error
	done      bool // served (guarded by the pool's mu)
	gone      bool // its caller stopped waiting (guarded by the pool's mu)
}

func newTokenPool(c *Client, clientID, clientSecret, tokenURL string, maxTokens, clientPerMinute int) *tokenPool {
	return &tokenPool{
		c: c,
		conf: clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		hc:      &http.Client{Transport: tokenRoundTripper{c: c}},
		max:     max(maxTokens, 1),
		now:     time.Now,
		client:  newFixedPacer(clientPerMinute, c.retryAfterCap),
		wake:    make(chan struct{}, 1),
		dropped: map[string]uint64{},
	}
}

// get returns a live access token, minting the first one if there is none;
// concurrent callers share one grant, and each waits only as long as its
// own ctx allows. It paces nothing: calls paced by a limit of their own (a
// screen pop relay) use it, and so does Authenticate, whose token the calls
// after it then use.
func (p *tokenPool) get(ctx context.Context) (string, error) {
	return p.getNewer(ctx, 0)
}

// getNewer is get for a call that met a 401: it wants a token newer than
// generation newerThan (see invalidate). When that token cannot be minted,
// it makes do with one there is.
func (p *tokenPool) getNewer(ctx context.Context, newerThan uint64) (string, error) {
	for {
		p.mu.Lock()
		p.dropDeadLocked()
		for _, t := range p.tokens {
			if t.gen > newerThan {
				p.mu.Unlock()
				return t.value, nil
			}
		}
		f := p.mintLocked(ctx)
		p.mu.Unlock()
		select {
		case <-f.done:
			if f.err != nil {
				p.mu.Lock()
				p.dropDeadLocked()
				var fallback string
				if len(p.tokens) > 0 {
					fallback = p.tokens[0].value
				}
				p.mu.Unlock()
				if fallback == "" {
					return "", f.err
				}
				return fallback, nil
			}
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// acquire returns the token a request goes out on, once the request may be
// sent on it, and how long it waited; newerThan, when not 0, asks for a
// token newer than that generation (see invalidate). It gives up when ctx
// ends, and at once when the pacers would let the request go only after
// ctx's deadline.
func (p *tokenPool) acquire(ctx context.Context, newerThan uint64) (*poolToken, time.Duration, error) {
	p.mu.Lock()
	start := p.now()
	if len(p.queue) == 0 {
		if t, at := p.chooseLocked(start, newerThan); t != nil && !at.After(start) {
			p.takeLocked(t, start)
			p.mu.Unlock()
			return t, 0, nil
		}
	}
	w := &tokenWaiter{ctx: ctx, newerThan: newerThan, ready: make(chan struct{})}
	p.queue = append(p.queue, w)
	if !p.running {
		p.running = true
		// The dispatcher serves every caller: it keeps ctx's values (the
		// logger) for the grants it starts, not its end.
		go p.dispatch(context.WithoutCancel(ctx))
	}
	p.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		p.mu.Lock()
		served := w.done
		w.gone = !served
		p.mu.Unlock()
		if !served {
			p.poke()
			return nil, 0, ctx.Err()
		}
	}
	if w.err != nil {
		return nil, 0, w.err
	}
	return w.tok, p.now().Sub(start), nil
}

// dispatch serves the queue in order until it is empty. A request that
// waits for a token newer than any there is (after a 401) waits for the
// grant that mints it, and the requests behind it are served meanwhile.
func (p *tokenPool) dispatch(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		p.mu.Lock()
		p.queue = slices.DeleteFunc(p.queue, func(w *tokenWaiter) bool { return w.gone })
		if len(p.queue) == 0 {
			p.queue = nil
			p.running = false
			p.mu.Unlock()
			return
		}
		now := p.now()
		var (
			head *tokenWaiter
			t    *poolToken
			at   time.Time
		)
		for _, w := range p.queue {
			if t, at = p.chooseLocked(now, w.newerThan); t != nil {
				head = w
				break
			}
		}
		if head == nil || len(p.tokens) == 0 || p.freshWantedLocked() {
			// Someone needs a token there is not yet: the first, or the
			// replacement of one a 401 refused. The grant's end wakes the
			// dispatcher; if it failed, it has dealt with those waiting.
			p.mintLocked(ctx)
		}
		switch {
		case head == nil:
			p.mu.Unlock()
			<-p.wake
			continue
		case !at.After(now):
			p.takeLocked(t, now)
			p.serveLocked(head, t, nil)
			p.mu.Unlock()
			continue
		}
		if p.mayGrowLocked(t, now) {
			p.mintLocked(ctx)
		}
		if deadline, ok := head.ctx.Deadline(); ok && !at.Before(deadline) {
			p.serveLocked(head, nil, &paceError{wait: at.Sub(now)})
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()

		timer.Reset(at.Sub(now))
		select {
		case <-timer.C:
		case <-p.wake:
			timer.Stop() // since Go 1.23 no stale tick can follow
		}
	}
}

// serveLocked hands a waiter its token, or its error, and takes it off the
// queue.
func (p *tokenPool) serveLocked(w *tokenWaiter, t *poolToken, err error) {
	if i := slices.Index(p.queue, w); i >= 0 {
		p.queue = slices.Delete(p.queue, i, i+1)
	}
	w.tok, w.err, w.done = t, err, true
	close(w.ready)
}

// freshWantedLocked reports whether a waiter wants a token newer than any
// the pool holds.
func (p *tokenPool) freshWantedLocked() bool {
	for _, w := range p.queue {
		if w.newerThan > 0 && !w.gone && !slices.ContainsFunc(p.tokens, func(t *poolToken) bool { return t.gen > w.newerThan }) {
			return true
		}
	}
	return false
}

// poke tells the dispatcher to look again (a token was added, a caller
// left); it never blocks.
func (p *tokenPool) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// chooseLocked returns the token the next request should go on and when
// it may be sent: among the tokens newer than newerThan, the one that lets
// it go soonest, and among those that can send at once the one with the
// most headroom; no sooner than the client-wide pacer allows. Nil: there
// is no such token.
func (p *tokenPool) chooseLocked(now time.Time, newerThan uint64) (*poolToken, time.Time) {
	p.dropDeadLocked()
	var best *poolToken
	var bestAt time.Time
	bestRoom := -1
	for _, t := range p.tokens {
		if t.gen <= newerThan {
			continue
		}
		at := t.pacer.next(now)
		switch {
		case best == nil || at.Before(bestAt):
			best, bestAt, bestRoom = t, at, -1
		case at.Equal(bestAt):
			if bestRoom < 0 {
				bestRoom = best.pacer.headroom(now)
			}
			if room := t.pacer.headroom(now); room > bestRoom {
				best, bestRoom = t, room
			}
		}
	}
	if best == nil {
		return nil, time.Time{}
	}
	if c := p.client.next(now); c.After(bestAt) {
		bestAt = c
	}
	return best, bestAt
}

// takeLocked spends the slot at at on the token and on the client.
func (p *tokenPool) takeLocked(t *poolToken, at time.Time) {
	t.pacer.take(at)
	p.client.take(at)
}

// mayGrowLocked reports whether a token should be added for a request that
// would wait for t, the best token there is: every token would hold it back
// longer than the client-wide limit does, the pool has room, no grant is
// under way, and no refused grant asks for patience.
func (p *tokenPool) mayGrowLocked(t *poolToken, now time.Time) bool {
	if len(p.tokens) >= p.max || p.minting != nil || p.growAfter.After(now) {
		return false
	}
	return t.pacer.next(now).After(p.client.next(now))
}

// dropDeadLocked forgets tokens at or near their expiry.
func (p *tokenPool) dropDeadLocked() {
	now := p.c.now()
	live := p.tokens[:0]
	for _, t := range p.tokens {
		if t.expiresAt.IsZero() || now.Before(t.expiresAt) {
			live = append(live, t)
		}
	}
	clear(p.tokens[len(live):])
	p.tokens = live
}

// invalidate drops a token after an API call was refused with it (a 401)
// and returns the generation the call's retry must be newer than: it goes
// out on the token minted to replace the one refused, never on another
// the pool already held, which may be just as stale (all of a client's
// tokens revoked at once). Other tokens are kept. A token already dropped
// is not dropped twice, and a late 401 for it asks for no newer token than
// the first did: fifty calls refused with one stale token cause one grant.
func (p *tokenPool) invalidate(used string) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen, ok := p.dropped[used]; ok {
		return gen
	}
	for i, t := range p.tokens {
		if t.value == used && used != "" {
			p.tokens = slices.Delete(p.tokens, i, i+1)
			if len(p.dropped) >= maxDropped {
				clear(p.dropped) // a 401 this late costs at most one more grant
			}
			p.dropped[used] = p.gen
			return p.gen
		}
	}
	return p.gen
}

// maxDropped bounds how many refused tokens the pool remembers.
const maxDropped = 64

// observe learns from an answer to a call sent on t.
//
// The rate-limit headers speak of one bucket: the token's, or the client's
// when that is the one that binds (the emulator reports so, and Genesys'
// own clients read them so). Headers whose allowance is the client's, not
// the token's, drain the client-wide pacer and teach the token's nothing.
//
// A 429 holds back the bucket it names. One that names the token's but
// whose count shows the token had room was refused by something else (the
// client's limit, a gateway), so it holds back every token as well.
//
// The first answer starts the client-wide pacer (see pacer.start).
func (p *tokenPool) observe(t *poolToken, status int, h http.Header) {
	if p.describesClient(h) {
		if !p.client.started() {
			count, _ := headerInt(h, headerRateCount)
			p.client.start(p.client.fixedCapacity - count)
		}
		p.client.observe(status, h)
		return
	}
	t.pacer.observe(status, h)
	if status == http.StatusTooManyRequests && !tokenFull(h) {
		p.client.observe(status, h)
	}
	if !p.client.started() {
		if interval, capacity := t.pacer.limit(); interval > 0 {
			p.client.start(capacity)
		}
	}
}

// describesClient reports whether rate-limit headers describe the client's
// bucket: their allowance is the client's, and not the rate the tokens
// have learned as theirs (were the two the same, either reading paces
// alike).
func (p *tokenPool) describesClient(h http.Header) bool {
	allowed, ok := headerInt(h, headerRateAllowed)
	if !ok || allowed != p.client.fixedCapacity {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tokens {
		if interval, _ := t.pacer.limit(); interval > 0 {
			return interval != p.client.fixedInterval
		}
	}
	return true
}

// tokenFull reports whether a 429's rate-limit headers say the token's own
// bucket was full.
func tokenFull(h http.Header) bool {
	allowed, okAllowed := headerInt(h, headerRateAllowed)
	count, okCount := headerInt(h, headerRateCount)
	return okAllowed && okCount && allowed > 0 && count >= allowed
}

// mintLocked starts a grant, unless one is under way, and returns it.
func (p *tokenPool) mintLocked(ctx context.Context) *tokenFetch {
	if p.minting != nil {
		return p.minting
	}
	f := &tokenFetch{done: make(chan struct{})}
	p.minting = f
	// The grant must not die with the caller that happened to start it:
	// the others waiting on it would all fail with an error that is not
	// theirs. It keeps ctx's values (the logger) and has its own deadline.
	fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
	go func() {
		defer cancel()
		p.runMint(fetchCtx, f)
	}()
	return f
}

// runMint performs one grant. A grant refused while the pool holds no token
// is tried again after a backoff, within the retry budget and the grant's
// deadline; one refused while there are tokens to carry on with is not.
func (p *tokenPool) runMint(ctx context.Context, f *tokenFetch) {
	var (
		tok      *oauth2.Token
		err      error
		started  time.Time
		wall     time.Time
		refusals int
	)
	for {
		started, wall = p.c.now(), time.Now()
		tok, err = p.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, p.hc))
		if err == nil {
			break
		}
		err = tokenError(err)
		if !IsTokenCreationLimited(err) {
			break
		}
		refusals++
		var te *TokenError
		if errors.As(err, &te) {
			te.Refusals = refusals
		}
		p.mu.Lock()
		needed := len(p.tokens) == 0 || p.freshWantedLocked()
		p.mu.Unlock()
		if !needed || refusals > p.c.retryMax {
			break
		}
		wait := p.c.backoff(refusals - 1)
		p.c.log.warn(ctx, "genesys oauth token grant refused (token creation rate limit), retrying", map[string]any{
			"refusals": refusals, "retry_in_ms": wait.Milliseconds(),
		})
		if sleep(ctx, wait) != nil {
			break
		}
	}

	p.mu.Lock()
	defer p.poke()
	defer p.mu.Unlock()
	defer close(f.done)
	p.minting = nil
	if err != nil {
		f.err = err
		fields := map[string]any{"error": err, "tokens": len(p.tokens)}
		if len(p.tokens) == 0 {
			// Nobody can be served without a token: every waiting call
			// gets the grant's error, as it would have had it waited on
			// the grant itself.
			for _, w := range p.queue {
				if !w.gone {
					w.err, w.done = err, true
					close(w.ready)
				}
			}
			p.queue = nil
		} else {
			// Carry on with the tokens there are, also for the calls that
			// wanted a newer one; grow again only later.
			for _, w := range p.queue {
				w.newerThan = 0
			}
			p.refusals++
			p.growAfter = p.now().Add(p.c.growthBackoff(p.refusals))
			fields["next_growth_in_ms"] = p.growAfter.Sub(p.now()).Milliseconds()
		}
		p.c.log.warn(ctx, "genesys oauth token grant failed", fields)
		return
	}
	p.gen++
	t := &poolToken{value: tok.AccessToken, gen: p.gen, pacer: newPacer(p.c.retryAfterCap)}
	t.pacer.now = p.now
	fields := map[string]any{}
	if !tok.Expiry.IsZero() {
		// Expiry is on the wall clock from when the answer arrived; measure
		// the lifetime from when the request left, to be safe, and place
		// it on the client's clock.
		life := tok.Expiry.Sub(wall)
		early := min(refreshAhead, life/4)
		t.expiresAt = started.Add(life - early)
		fields["lifetime_s"] = int64(life / time.Second)
	}
	// A new token's bucket is full; its limit is the one its elders
	// learned, so its first requests are paced from the start.
	for _, old := range p.tokens {
		if interval, capacity := old.pacer.limit(); interval > 0 {
			t.pacer.seed(interval, capacity)
			break
		}
	}
	p.tokens = append(p.tokens, t)
	p.refusals = 0
	p.growAfter = time.Time{}
	p.minted.Add(1)
	fields["tokens"] = len(p.tokens)
	p.c.log.debug(ctx, "genesys oauth token granted", fields)
}

// growthBackoff is how long the pool waits before it tries to grow again
// after n grants in a row were refused: doubling from twice the retry
// backoff's base, up to its ceiling (1 s, 2 s, 4 s ... 30 s by default). The
// login service's limit on minting is counted per minute.
func (c *Client) growthBackoff(n int) time.Duration {
	d := c.retryWaitMax
	if n < 32 {
		if b := c.retryWaitMin << n; b > 0 && b < d {
			d = b
		}
	}
	return d
}

// tokenError turns oauth2's error into a TokenError. oauth2's own message
// quotes the whole answer body; this keeps the status and OAuth error code
// and description, and reads the description the Genesys login service
// sends as "description" as well as the standard "error_description".
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &TokenError{Err: unwrapURLError(err)}
	}
	te := &TokenError{Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	var body tokenErrorBody
	if json.Unmarshal(re.Body, &body) == nil {
		te.Code = firstNonEmpty(te.Code, body.Error, body.Code)
		te.Description = firstNonEmpty(te.Description, body.ErrorDescription, body.Description, body.Message)
	}
	return te
}

// tokenErrorBody reads a refused grant: the login service's own error, or
// the Genesys error body a gateway in front of it answers with (429, 5xx).
type tokenErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Description      string `json:"description"`
	Message          string `json:"message"`
	Code             string `json:"code"`
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// tokenRoundTripper sends oauth2's token requests through the client's
// retrying transport, so a grant rides out 429s and 5xx like any call.
// Re-sending a client-credentials grant is harmless.
type tokenRoundTripper struct{ c *Client }

func (t tokenRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	resp, err := t.c.send(req.Context(), &call{
		kind:         kindToken,
		method:       req.Method,
		url:          req.URL.String(),
		path:         req.URL.Path,
		body:         body,
		header:       req.Header.Clone(),
		retryNetwork: true,
		retryServer:  true,
	})
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)),
		StatusCode:    resp.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        resp.header,
		Body:          io.NopCloser(bytes.NewReader(resp.body)),
		ContentLength: int64(len(resp.body)),
		Request:       req,
	}, nil
}
