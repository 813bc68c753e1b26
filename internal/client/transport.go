package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

const (
	headerCorrelationID = "ININ-Correlation-Id"

	maxResponseBytes  = 32 << 20 // a page of 100 integrations is a few hundred KiB
	maxErrorBodyBytes = 64 << 10
)

type callKind int

const (
	kindAPI     callKind = iota // an API call: bearer token, counted in Requests
	kindToken                   // an OAuth grant: Basic credentials, counted in TokenFetches
	kindWebhook                 // an event to a receiver outside Genesys Cloud (PostWebhook)
)

// call is one logical request; send may make several attempts at it.
type call struct {
	kind   callKind
	method string
	url    string      // absolute, query included
	path   string      // for logs and errors: no host, no query
	body   []byte      // nil: no body; replayed byte for byte on every attempt
	header http.Header // extra headers

	// retryNetwork allows another attempt after a failure that may have
	// happened after the request was sent (reset, timeout). Only for
	// requests whose repetition is harmless. Failures that prove nothing
	// was sent (dial errors) are always retried.
	retryNetwork bool
	// retryServer allows another attempt after a 5xx (except 501), which may
	// also come after the server acted.
	retryServer bool

	// pacer spaces the attempts to the rate limit of a service with a limit
	// of its own (a screen pop relay); nil for API calls, which the token
	// pool paces, and for the OAuth grant, which the login service limits
	// otherwise.
	pacer *pacer
}

// response is a final answer, body read.
type response struct {
	status     int
	header     http.Header
	body       []byte
	attempts   int
	received   time.Time
	stopReason string // set when a retryable answer was returned because retrying stopped
	atDeadline bool   // retrying stopped because the context's deadline was too close
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

func (r *response) apiError(cl *call, now time.Time) *APIError {
	e := newAPIError(cl.method, cl.path, r.status, r.header, r.body, now)
	e.Attempts = r.attempts
	e.StopReason = r.stopReason
	e.atDeadline = r.atDeadline
	return e
}

type callStateKey struct{}

// callState follows one call across its attempts. retryablehttp runs the
// attempts of a call one after another, so it needs no lock.
type callState struct {
	c  *Client
	cl *call

	attempts      int
	usedToken     string
	newerThan     uint64 // after a 401: the retry goes on a token newer than this generation
	last          *APIError
	authRenewals  int // tokens renewed after a 401 on this call
	serverRetries int
	rateRetries   int
	wait          time.Duration
	stopReason    string
	atDeadline    bool
	// mayHaveArrived: some attempt reached the server (it answered, or failed after the request
	// was written), so a call that ends without an answer may still have been acted on.
	mayHaveArrived bool
	body           []byte         // the final answer's body
	kept           *http.Response // the answer the policy chose not to retry
}

// send performs cl with retries: go-retryablehttp runs the loop (body
// replay, waiting within the context, draining answers between attempts)
// and callState's policy decides what is retried and for how long.
func (c *Client) send(ctx context.Context, cl *call) (*response, error) {
	st := &callState{c: c, cl: cl}
	ctx = context.WithValue(ctx, callStateKey{}, st)

	var body any // an untyped nil: no body at all, not an empty one
	if cl.body != nil {
		body = cl.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, cl.url, body)
	if err != nil {
		return nil, &RequestError{Method: cl.method, Path: cl.path, Err: err}
	}
	for k, vs := range cl.header {
		req.Header[k] = vs
	}
	if cl.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}

	// The answer is read inside the retry loop, so a connection that breaks
	// mid-body is a failure the policy can retry like any other.
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
		st.body = b
		return nil
	})

	rc := &retryablehttp.Client{
		HTTPClient: c.http,
		// The per-call policy below enforces the real budgets.
		RetryMax:     math.MaxInt32,
		CheckRetry:   st.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return st.wait },
		ErrorHandler: st.giveUp,
	}
	resp, err := rc.Do(req) //nolint:bodyclose // the response hook above reads and closes every answer's body
	if err != nil {
		return nil, &RequestError{
			Method: cl.method, Path: cl.path, Attempts: st.attempts,
			Last: st.last, StopReason: st.stopReason, MayHaveArrived: st.mayHaveArrived, atDeadline: st.atDeadline,
			Err: unwrapURLError(err),
		}
	}
	return &response{
		status:     resp.StatusCode,
		header:     resp.Header,
		body:       st.body,
		attempts:   st.attempts,
		received:   c.now(),
		stopReason: st.stopReason,
		atDeadline: st.atDeadline,
	}, nil
}

// maxAuthRenewals bounds the tokens one call renews after 401s.
const maxAuthRenewals = 3

// checkRetry is the retry policy:
//   - 401 on an API call: drop the token that was refused, retry at once on
//     a newer one, at most maxAuthRenewals times (never when it is the screen
//     pop signature that was refused);
//   - 429: wait what Retry-After says (capped), plus a little jitter;
//   - 5xx except 501: exponential backoff with full jitter, when the call
//     allows it (503 with Retry-After waits that instead);
//   - network failures: as the call allows (see call.retryNetwork);
//   - anything else is final.
//
// It never schedules a wait that would end after ctx's deadline: it stops
// at once instead, and says so.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	// retryablehttp asks again about an answer it was told to keep, once
	// its body has been read; the verdict stands.
	if err == nil && resp == st.kept {
		return false, nil
	}
	retry, err := st.decide(ctx, resp, err)
	if !retry && err == nil {
		st.kept = resp
	}
	return retry, err
}

func (st *callState) decide(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := st.c
	retryMax, rateLimitRetryMax := c.retryMax, c.rateLimitRetryMax
	if st.cl.kind == kindWebhook {
		retryMax, rateLimitRetryMax = webhookRetryMax, webhookRetryMax
	}
	var wait time.Duration
	var reason string
	switch {
	case err != nil:
		if !st.retryableFailure(err) {
			return false, err
		}
		if st.serverRetries >= retryMax {
			st.stopReason = fmt.Sprintf("%d retries spent", st.serverRetries)
			return false, err
		}
		wait = c.backoff(st.serverRetries)
		st.serverRetries++
		reason = RetryNetwork

	case resp.StatusCode == http.StatusUnauthorized && st.cl.kind == kindAPI:
		st.recordAnswer(resp)
		// A refused payload signature is the caller's to fix; a new token
		// would not change the answer.
		if strings.Contains(st.last.Code, "signature") {
			return false, nil
		}
		// The retry goes on a token minted after the refused one. That one
		// may be revoked too before the retry is sent (an administrator
		// revoking a client's tokens one by one, or the login service lending
		// an older token while it refuses new grants), so a call renews up to
		// maxAuthRenewals times. Bad credentials never get this far: the
		// grant itself is refused.
		if st.authRenewals >= maxAuthRenewals {
			st.stopReason = fmt.Sprintf("%d tokens refused", st.authRenewals+1)
			return false, nil
		}
		st.authRenewals++
		st.newerThan = c.tokens.invalidate(st.usedToken)
		reason = RetryUnauthorized

	case resp.StatusCode == http.StatusTooManyRequests:
		st.recordAnswer(resp)
		if st.rateRetries >= rateLimitRetryMax {
			st.stopReason = fmt.Sprintf("%d rate-limit retries spent", st.rateRetries)
			return false, nil
		}
		wait = c.rateLimitWait(resp, st.rateRetries)
		st.rateRetries++
		reason = RetryRateLimited

	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		st.recordAnswer(resp)
		if !st.cl.retryServer {
			return false, nil
		}
		if st.serverRetries >= retryMax {
			st.stopReason = fmt.Sprintf("%d retries spent", st.serverRetries)
			return false, nil
		}
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ok && resp.StatusCode == http.StatusServiceUnavailable {
			wait = c.retryAfterWait(ra)
		} else {
			wait = c.backoff(st.serverRetries)
		}
		st.serverRetries++
		reason = RetryServerError

	default:
		return false, nil
	}

	if deadline, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(deadline) {
		st.stopReason = fmt.Sprintf("the next try, in %s, would pass the context deadline", wait.Round(time.Millisecond))
		st.atDeadline = true
		c.log.warn(ctx, "genesys request abandoned", st.fields(resp, err))
		return false, err
	}
	st.wait = wait
	fields := st.fields(resp, err)
	fields["retry_in_ms"] = wait.Milliseconds()
	c.log.warn(ctx, "genesys request will be retried", fields)
	if st.cl.kind == kindWebhook {
		return true, nil // not a Genesys request: neither counted nor observed
	}
	c.retries.Add(1)
	if c.observer != nil {
		r := Retry{Method: st.cl.method, Route: routeOf(st.cl.path), Attempt: st.attempts, Reason: reason, Wait: wait}
		if resp != nil {
			r.Status, r.CorrelationID = resp.StatusCode, resp.Header.Get(headerCorrelationID)
		}
		c.observeRetry(ctx, r)
	}
	return true, nil
}

// retryableFailure sorts failures without an answer. Failures before
// anything was sent (no connection could be made) are safe to retry for any
// request; failures after may have reached the server and are retried only
// when the call says repetition is harmless. Token failures already had
// their own retries, and broken configuration (bad scheme, bad certificate)
// will not heal.
func (st *callState) retryableFailure(err error) bool {
	var te *TokenError
	if errors.As(err, &te) {
		return false
	}
	var pe *paceError
	if errors.As(err, &pe) {
		return false
	}
	if retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(context.Background(), nil, err); !retry {
		return false
	}
	switch Failure(err) {
	case FailureTLS, FailureNoSuchHost:
		// The same on every attempt: a handshake refused (a certificate this
		// machine does not trust or that is not valid for the host, a server
		// that does not speak TLS) and a name the DNS answered does not exist
		// (NXDOMAIN). Retrying them would only delay the error by the whole
		// backoff. A resolver that failed for now (SERVFAIL, no answer) is
		// another matter: it is asked again, like a refused connection.
		return false
	}
	return st.cl.retryNetwork || notSent(err)
}

// notSent reports whether err proves the request never left: the
// connection (or the name lookup before it) failed.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// recordAnswer keeps a retryable error answer's details, so a call that
// gives up can say what it last heard. The body is read here and put back,
// for the caller or for retryablehttp's draining.
func (st *callState) recordAnswer(resp *http.Response) {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	st.last = newAPIError(st.cl.method, st.cl.path, resp.StatusCode, resp.Header, b, st.c.now())
	st.last.Attempts = st.attempts
}

// giveUp is called by retryablehttp when the policy stopped with an error;
// the answer, if any, is of no further use.
func (st *callState) giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes))
		resp.Body.Close()
	}
	if err == nil {
		err = errors.New("gave up")
	}
	return nil, err
}

func (st *callState) fields(resp *http.Response, err error) map[string]any {
	f := map[string]any{
		"method":  st.cl.method,
		"path":    st.cl.path,
		"attempt": st.attempts,
	}
	if resp != nil {
		f["status"] = resp.StatusCode
		f["correlation_id"] = resp.Header.Get(headerCorrelationID)
	}
	if st.last != nil && resp != nil && st.last.Code != "" {
		f["code"] = st.last.Code
	}
	if err != nil {
		f["error"] = unwrapURLError(err).Error()
	}
	if st.stopReason != "" {
		f["stopped"] = st.stopReason
	}
	return f
}

// backoff is exponential backoff with full jitter: a wait drawn uniformly
// from [0, min(max, min*2^retry)], which spreads concurrent callers apart
// better than any fixed schedule.
func (c *Client) backoff(retry int) time.Duration {
	ceiling := c.retryWaitMax
	if retry < 32 {
		if d := c.retryWaitMin << retry; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling + 1)
}

// rateLimitWait honours Retry-After exactly (capped), with a small jitter
// so that callers throttled together do not return together; without a
// usable Retry-After it falls back to the exponential backoff.
func (c *Client) rateLimitWait(resp *http.Response, retry int) time.Duration {
	ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	if !ok {
		return c.backoff(retry)
	}
	return c.retryAfterWait(ra)
}

// retryAfterWait is the advised wait, capped, plus a jitter of at most 50 ms
// and 5% of it: never earlier than advised, barely later.
func (c *Client) retryAfterWait(ra time.Duration) time.Duration {
	d := min(ra, c.retryAfterCap)
	return d + rand.N(50*time.Millisecond+d/20)
}

// parseRetryAfter reads a Retry-After value: delay seconds, or an HTTP date
// (a date in the past means now).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > math.MaxInt64/float64(time.Second) {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// attemptTransport performs one attempt: it adds the User-Agent and, for API
// calls, the bearer token; bounds the attempt; counts and logs it.
type attemptTransport struct {
	c    *Client
	base http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	st, ok := req.Context().Value(callStateKey{}).(*callState)
	if !ok {
		return nil, errors.New("client: request sent outside Client.send")
	}
	// Pacing comes before the attempt's own time limit starts.
	var (
		paced  time.Duration
		pooled *poolToken // the pool's token the attempt goes out on
		tok    string
		err    error
	)
	switch {
	case st.cl.kind != kindAPI:
	case st.cl.pacer != nil:
		if paced, err = st.cl.pacer.wait(req.Context()); err == nil {
			tok, err = c.tokens.getNewer(req.Context(), st.newerThan)
		}
	default:
		if pooled, paced, err = c.tokens.acquire(req.Context(), st.newerThan); err == nil {
			tok = pooled.value
		}
	}
	if err != nil {
		return nil, err
	}
	timeout := c.attemptTimeout
	if st.cl.kind == kindWebhook {
		timeout = min(timeout, webhookAttemptTimeout)
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	out := req.Clone(ctx)
	out.Header.Set("User-Agent", c.userAgent)
	switch st.cl.kind {
	case kindAPI:
		st.usedToken = tok
		out.Header.Set("Authorization", "Bearer "+tok)
		c.requests.Add(1)
	case kindToken:
		c.tokenFetches.Add(1)
	}
	st.attempts++

	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	fields := map[string]any{
		"method":     st.cl.method,
		"path":       st.cl.path,
		"attempt":    st.attempts,
		"latency_ms": time.Since(start).Milliseconds(),
	}
	if paced > 0 {
		fields["paced_ms"] = paced.Milliseconds()
	}
	if c.observer != nil && st.cl.kind != kindWebhook {
		a := Attempt{
			Method: st.cl.method, Route: routeOf(st.cl.path), Host: out.URL.Host, Number: st.attempts,
			Token: st.cl.kind == kindToken, Paced: paced, Start: start, Duration: time.Since(start), Err: err,
		}
		if resp != nil {
			a.Status, a.CorrelationID = resp.StatusCode, resp.Header.Get(headerCorrelationID)
		}
		c.observeAttempt(req.Context(), a)
	}
	if err != nil {
		// Only the attempt's own deadline is a timeout of the attempt; ctx.Err() after cancel()
		// would call every failure one.
		timedOut := req.Context().Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		if timedOut {
			err = fmt.Errorf("attempt timed out after %s: %w", timeout, err)
		}
		if !notSent(err) {
			st.mayHaveArrived = true
		}
		fields["error"] = err.Error()
		c.log.debug(req.Context(), "genesys request failed", fields)
		return nil, err
	}
	st.mayHaveArrived = true // answered: the server saw it, whatever a later attempt meets
	switch {
	case pooled != nil:
		c.tokens.observe(pooled, resp.StatusCode, resp.Header)
	case st.cl.pacer != nil:
		st.cl.pacer.observe(resp.StatusCode, resp.Header)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	fields["status"] = resp.StatusCode
	fields["correlation_id"] = resp.Header.Get(headerCorrelationID)
	c.log.debug(req.Context(), "genesys request", fields)
	return resp, nil
}

// cancelOnClose ends an attempt's context when its answer has been read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
