// Package client is the only code that talks HTTP to Genesys Cloud: a pool
// of OAuth client-credentials tokens paced to every rate limit, a retrying
// transport that rides rate limits and server hiccups without ever
// duplicating a create, reads that share lists, and typed calls and errors
// for integrations, screen pops and the organization. It knows nothing of
// Terraform.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// Logger receives one structured entry per request attempt, retry and
// token fetch. The provider passes an adapter over tflog. Fields never hold
// a secret: no header, no body, no token.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. ClientID, ClientSecret, APIURL and LoginURL
// are required; every other field has a default.
type Config struct {
	ClientID, ClientSecret string

	APIURL       string // e.g. https://api.mypurecloud.com (no trailing /api/v2)
	LoginURL     string // e.g. https://login.mypurecloud.com
	ScreenPopURL string // base for /api/v2/users/{id}/screenpops; "" = APIURL

	UserAgent string // e.g. "terraform-provider-genesys/1.2.3 (+Terraform 1.16.2)"
	Logger    Logger // nil = no logging
	// Observer hears every attempt and retry, for telemetry; nil = none.
	Observer Observer

	HTTPClient *http.Client // its Transport and Timeout are used; nil = a cleanhttp pooled transport

	RetryMax          int           // retries after a 5xx or network error; 0 = 8, negative = none
	RateLimitRetryMax int           // retries after a 429; 0 = 20, negative = none
	RetryWaitMin      time.Duration // base of the exponential backoff; 0 = 500ms
	RetryWaitMax      time.Duration // ceiling of the exponential backoff; 0 = 30s
	RetryAfterCap     time.Duration // longest Retry-After honoured; 0 = 90s
	AttemptTimeout    time.Duration // one HTTP attempt, answer included; 0 = 60s
	PollInterval      time.Duration // reported-state polling; 0 = 1s

	// ReadLagWindow is how long reads may lag a write (eventual
	// consistency); 0 = 5s. A create whose outcome is unknown is sent again
	// only once a search begun this long after the failure found nothing,
	// and a 404 on reading an integration is believed only once reads have
	// answered 404 for this long (unless this client deleted it). Tests
	// against an emulator with short lags may lower it.
	ReadLagWindow time.Duration

	// MaxAccessTokens is how many access tokens the client may hold at once
	// (see tokenPool): 0 or 1 = one token, as every call used before the
	// pool existed. More let a long run exceed one token's rate limit, up to
	// the client's.
	MaxAccessTokens int
	// ClientRateLimit is the OAuth client's allowance across all its
	// tokens, in requests a minute; 0 = DefaultClientRateLimit.
	ClientRateLimit int
}

// Default settings, applied by New to zero Config fields.
const (
	DefaultRetryMax          = 8
	DefaultRateLimitRetryMax = 20
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 30 * time.Second
	DefaultRetryAfterCap     = 90 * time.Second
	DefaultAttemptTimeout    = 60 * time.Second
	DefaultPollInterval      = time.Second
	DefaultReadLagWindow     = 5 * time.Second
	DefaultUserAgent         = "terraform-provider-genesys"

	// DefaultClientRateLimit is Genesys Cloud's documented limit on one
	// OAuth client across all its tokens (org.app.user.rate.per.minute).
	DefaultClientRateLimit = 3000
)

// UserAgent names the provider and Terraform versions for Config.UserAgent,
// e.g. "terraform-provider-genesys/1.2.3 (+Terraform 1.16.2)".
func UserAgent(providerVersion, terraformVersion string) string {
	ua := DefaultUserAgent + "/" + orDefault(providerVersion, "dev")
	if terraformVersion != "" {
		ua += " (+Terraform " + terraformVersion + ")"
	}
	return ua
}

// Client calls the Genesys Cloud Platform API v2 for one OAuth client (one
// org). It is safe for concurrent use; its calls share a pool of tokens.
type Client struct {
	apiURL, screenPopURL string
	userAgent            string
	log                  *safeLogger
	observer             Observer

	http   *http.Client // one attempt per Do; retries are layered on top per call
	tokens *tokenPool   // the tokens API calls go out on, and their pacing

	// screenPopPacer keeps screen pops sent to a relay of their own within
	// the relay's limit; nil when they go to the API and its pool.
	screenPopPacer *pacer
	// reads gathers concurrent reads of integrations into list reads.
	reads *readBatcher
	// ahead serves a refresh from the listing while the client has written
	// nothing.
	ahead readAhead

	retryMax, rateLimitRetryMax int
	retryWaitMin, retryWaitMax  time.Duration
	retryAfterCap               time.Duration
	attemptTimeout              time.Duration
	pollInterval                time.Duration

	readLagWindow time.Duration

	// now is the client's clock (token expiry, create timing, Retry-After
	// dates); tests skew it. Context deadlines are always on the wall clock.
	now func() time.Time

	requests, retries, tokenFetches atomic.Int64

	mu      sync.Mutex
	known   map[string]time.Time     // integration ids this client has seen, and when first
	deleted map[string]bool          // integration ids this client deleted
	creates map[string]chan struct{} // serialises creates of one name and type
}

// Stats counts what a Client has sent. Requests counts API request attempts
// (retries included, token requests not); Retries counts the attempts that
// were repeats; TokenFetches counts requests to the OAuth token endpoint;
// TokensMinted counts the grants that gave a token.
type Stats struct {
	Requests, Retries, TokenFetches, TokensMinted int64
}

// Stats returns the client's counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:     c.requests.Load(),
		Retries:      c.retries.Load(),
		TokenFetches: c.tokenFetches.Load(),
		TokensMinted: c.tokens.minted.Load(),
	}
}

// New checks cfg and returns a Client. It sends nothing: the first call
// fetches the token.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("client id is required")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("client secret is required")
	}
	apiURL, err := baseURL("API URL", cfg.APIURL)
	if err != nil {
		return nil, err
	}
	loginURL, err := baseURL("login URL", cfg.LoginURL)
	if err != nil {
		return nil, err
	}
	screenPopURL := apiURL
	if cfg.ScreenPopURL != "" {
		if screenPopURL, err = baseURL("screen pop URL", cfg.ScreenPopURL); err != nil {
			return nil, err
		}
	}

	base := http.RoundTripper(nil)
	var timeout time.Duration
	if cfg.HTTPClient != nil {
		base = cfg.HTTPClient.Transport
		timeout = cfg.HTTPClient.Timeout
	}
	if base == nil {
		base = cleanhttp.DefaultPooledTransport()
	}

	c := &Client{
		apiURL:            apiURL,
		screenPopURL:      screenPopURL,
		userAgent:         orDefault(cfg.UserAgent, DefaultUserAgent),
		log:               newSafeLogger(cfg.Logger, cfg.ClientSecret),
		observer:          cfg.Observer,
		retryMax:          budget(cfg.RetryMax, DefaultRetryMax),
		rateLimitRetryMax: budget(cfg.RateLimitRetryMax, DefaultRateLimitRetryMax),
		retryWaitMin:      positiveOr(cfg.RetryWaitMin, DefaultRetryWaitMin),
		retryWaitMax:      positiveOr(cfg.RetryWaitMax, DefaultRetryWaitMax),
		retryAfterCap:     positiveOr(cfg.RetryAfterCap, DefaultRetryAfterCap),
		attemptTimeout:    positiveOr(cfg.AttemptTimeout, DefaultAttemptTimeout),
		pollInterval:      positiveOr(cfg.PollInterval, DefaultPollInterval),
		readLagWindow:     positiveOr(cfg.ReadLagWindow, DefaultReadLagWindow),
		now:               time.Now,
		known:             map[string]time.Time{},
		deleted:           map[string]bool{},
		creates:           map[string]chan struct{}{},
	}
	if screenPopURL != apiURL {
		c.screenPopPacer = newPacer(c.retryAfterCap)
	}
	if c.retryWaitMax < c.retryWaitMin {
		c.retryWaitMax = c.retryWaitMin
	}
	c.http = &http.Client{
		Transport: &attemptTransport{c: c, base: base},
		Timeout:   timeout,
		// A redirect would carry the bearer token to wherever it points;
		// Genesys Cloud does not redirect API calls, so none is followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	clientLimit := cfg.ClientRateLimit
	if clientLimit <= 0 {
		clientLimit = DefaultClientRateLimit
	}
	c.tokens = newTokenPool(c, cfg.ClientID, cfg.ClientSecret, loginURL+"/oauth/token", cfg.MaxAccessTokens, clientLimit)
	c.reads = &readBatcher{c: c}
	return c, nil
}

// Authenticate obtains the access token the client's calls use, sending nothing else, so a caller
// can learn that the credentials are refused or the login service cannot be reached before any
// other request. The token is kept for the calls that follow; a client that already holds a valid
// one sends nothing. Errors are what any call would meet: a *TokenError (IsCredentialsRefused,
// Failure).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.get(ctx)
	return err
}

// baseURL checks an API or login base URL. Plain http is accepted only for
// loopback hosts (the emulator), so credentials never cross a network in clear.
// Errors name the host at most, never raw: a URL may carry credentials.
func baseURL(what, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("%s is required", what)
	}
	u, err := hostmatch.ParseQuiet(raw) // its error does not repeat raw
	if err != nil {
		return "", fmt.Errorf("%s is not a URL: %w", what, err)
	}
	switch {
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "", fmt.Errorf("%s must be an absolute https URL", what)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%s (host %q) must not have credentials, a query or a fragment", what, u.Host)
	case u.Scheme == "http" && !hostmatch.IsLoopback(u.Hostname()):
		return "", fmt.Errorf("%s (host %q) must use https (plain http is allowed only for loopback hosts)", what, u.Host)
	}
	s := strings.TrimRight(u.String(), "/")
	s = strings.TrimSuffix(s, "/api/v2")
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func positiveOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func budget(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	default:
		return n
	}
}

// remember records integration ids this client has seen, so that a create
// with an unknown outcome never mistakes one of them for its own.
func (c *Client) remember(ins ...Integration) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range ins {
		if _, ok := c.known[in.ID]; !ok && in.ID != "" {
			c.known[in.ID] = now
		}
	}
}

// rememberDeleted records an integration this client deleted, whose 404s
// are then believed at once.
func (c *Client) rememberDeleted(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deleted[id] = true
}

func (c *Client) deletedByUs(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deleted[id]
}

// knownBefore reports whether this client saw the integration before t.
// Only that proves it is not the product of a create begun at t: a
// concurrent list may well see the new integration after t.
func (c *Client) knownBefore(id string, t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen, ok := c.known[id]
	return ok && seen.Before(t)
}

// lockCreate serialises creates of one name and type in this client, so two
// concurrent identical creates (count = 2 with one name) can never adopt
// each other's integration. It gives up when ctx ends; the returned func
// releases the lock.
func (c *Client) lockCreate(ctx context.Context, name, typeID string) (func(), error) {
	c.mu.Lock()
	key := typeID + "\x00" + name
	sem, ok := c.creates[key]
	if !ok {
		sem = make(chan struct{}, 1)
		c.creates[key] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another create of integration %q: %w", name, ctx.Err())
	}
}
