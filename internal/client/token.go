package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
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
	// runs detached from the caller that started it (see token), so it needs
	// its own bound.
	tokenFetchTimeout = 2 * time.Minute
)

// tokenSource holds the one token every call of a Client uses. oauth2's
// ReuseTokenSource refreshes only 10 s before expiry and fetches once per
// waiting caller when many find the token expired together; this one
// refreshes early and lets every caller wait on a single grant.
type tokenSource struct {
	c    *Client
	conf clientcredentials.Config
	hc   *http.Client // carries token requests through the retrying transport

	mu        sync.Mutex
	token     string
	expiresAt time.Time // zero: no expiry given; replaced on a 401 only
	inflight  *tokenFetch
}

type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

func newTokenSource(c *Client, clientID, clientSecret, tokenURL string) *tokenSource {
	return &tokenSource{
		c: c,
		conf: clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		hc: &http.Client{Transport: tokenRoundTripper{c: c}},
	}
}

// get returns a valid access token, fetching one if there is none or it is
// about to expire. Concurrent callers share one fetch; each waits only as
// long as its own ctx allows.
func (ts *tokenSource) get(ctx context.Context) (string, error) {
	ts.mu.Lock()
	if ts.token != "" && (ts.expiresAt.IsZero() || ts.c.now().Before(ts.expiresAt)) {
		tok := ts.token
		ts.mu.Unlock()
		return tok, nil
	}
	f := ts.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		ts.inflight = f
		// The grant must not die with the caller that happened to start
		// it: the others waiting on it would all fail with an error that is
		// not theirs. It keeps ctx's values (the logger) and has its own
		// deadline instead.
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		go func() {
			defer cancel()
			ts.fetch(fetchCtx, f)
		}()
	}
	ts.mu.Unlock()

	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (ts *tokenSource) fetch(ctx context.Context, f *tokenFetch) {
	started, startedWall := ts.c.now(), time.Now()
	tok, err := ts.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, ts.hc))

	ts.mu.Lock()
	defer ts.mu.Unlock()
	defer close(f.done)
	ts.inflight = nil
	if err != nil {
		f.err = tokenError(err)
		ts.c.log.warn(ctx, "genesys oauth token grant failed", map[string]any{"error": f.err})
		return
	}
	ts.token = tok.AccessToken
	ts.expiresAt = time.Time{}
	fields := map[string]any{}
	if !tok.Expiry.IsZero() {
		// Expiry is on the wall clock from when the answer arrived; measure
		// the lifetime from when the request left, to be safe, and place
		// it on the client's clock.
		life := tok.Expiry.Sub(startedWall)
		early := min(refreshAhead, life/4)
		ts.expiresAt = started.Add(life - early)
		fields["lifetime_s"] = int64(life / time.Second)
	}
	f.token = tok.AccessToken
	ts.c.log.debug(ctx, "genesys oauth token granted", fields)
}

// invalidate drops the cached token after an API call was refused with it,
// unless it has already been replaced: fifty calls refused with one stale
// token cause one new grant, not fifty.
func (ts *tokenSource) invalidate(used string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if used != "" && ts.token == used {
		ts.token = ""
	}
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
