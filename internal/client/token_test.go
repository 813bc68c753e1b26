package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func okHandler(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": "org-a"})
}

// callTogether makes n OrganizationMe calls on c, released at one moment so that they all find
// the same token (or none), and waits for them.
func callTogether(t *testing.T, c *Client, n int) {
	t.Helper()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			if _, err := c.OrganizationMe(context.Background()); err != nil {
				t.Errorf("OrganizationMe: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
}

// TestFirstTokenIsShared: fifty calls on a fresh client cause one grant.
func TestFirstTokenIsShared(t *testing.T) { synctest.Test(t, testFirstTokenIsShared) }

func testFirstTokenIsShared(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	c := fake.client(t)
	callTogether(t, c, 50)
	if got := fake.tokenRequests.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestTokenRefreshAhead(t *testing.T) {
	tests := []struct {
		name      string
		expiresIn int64
		advance   time.Duration
		wantFetch int64
	}{
		{"a day-long token is kept until a minute before expiry", 86400, 86400*time.Second - 61*time.Second, 1},
		{"and replaced within the last minute", 86400, 86400*time.Second - 59*time.Second, 2},
		{"a short token is replaced in its last quarter", 40, 29 * time.Second, 1},
		{"short token, last quarter", 40, 31 * time.Second, 2},
		{"no expires_in: kept until refused", 0, 1000 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake := newFakeGenesys(t, okHandler)
				fake.expiresIn.Store(tt.expiresIn)
				c := fake.client(t)
				var offset atomic.Int64
				c.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
				if _, err := c.OrganizationMe(context.Background()); err != nil {
					t.Fatal(err)
				}
				offset.Store(int64(tt.advance))
				if _, err := c.OrganizationMe(context.Background()); err != nil {
					t.Fatal(err)
				}
				if got := fake.tokenRequests.Load(); got != tt.wantFetch {
					t.Errorf("token requests = %d, want %d", got, tt.wantFetch)
				}
			})
		})
	}
}

// TestTokenGrantRetried: the token endpoint's 503 and 429 are ridden out
// like any call's; a refusal of the credentials is not retried.
func TestTokenGrantRetried(t *testing.T) { synctest.Test(t, testTokenGrantRetried) }

func testTokenGrantRetried(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	fake.tokenStatus = func(n int64) int {
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			return http.StatusTooManyRequests
		}
		return 0
	}
	c := fake.client(t)
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatalf("OrganizationMe: %v", err)
	}
	if got := c.Stats(); got.TokenFetches != 3 || got.Requests != 1 {
		t.Errorf("stats = %+v, want 3 token requests and 1 call", got)
	}

	refusing := newFakeGenesys(t, okHandler)
	c = refusing.client(t, func(cfg *Config) { cfg.ClientSecret = "not-the-secret" })
	_, err := c.OrganizationMe(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.Status != 401 || te.Code != "invalid_client" || te.Description != "client credentials are not valid" {
		t.Fatalf("error = %v, want a TokenError", err)
	}
	var re *RequestError
	if !errors.As(err, &re) || re.Attempts != 0 {
		t.Errorf("error = %#v, want a RequestError of a call never sent", err)
	}
	if refusing.tokenRequests.Load() != 1 {
		t.Errorf("token requests = %d, want 1 (credentials refused are final)", refusing.tokenRequests.Load())
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error leaks the secret: %v", err)
	}
}

func TestTokenEndpointUnreachable(t *testing.T) { synctest.Test(t, testTokenEndpointUnreachable) }

func testTokenEndpointUnreachable(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	c := fake.client(t, func(cfg *Config) { cfg.LoginURL = "http://127.0.0.1:1"; cfg.RetryMax = 1 })
	_, err := c.OrganizationMe(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.Err == nil || te.Status != 0 {
		t.Fatalf("error = %v, want a TokenError with its cause", err)
	}
	if c.Stats().TokenFetches != 2 {
		t.Errorf("token requests = %d, want 2 (one retry)", c.Stats().TokenFetches)
	}
}

// TestTokenFetchOutlivesItsStarter: the caller whose call started the grant
// gives up; the grant still serves the others.
func TestTokenFetchOutlivesItsStarter(t *testing.T) {
	synctest.Test(t, testTokenFetchOutlivesItsStarter)
}

func testTokenFetchOutlivesItsStarter(t *testing.T) {
	release := make(chan struct{})
	fake := newFakeGenesys(t, okHandler)
	fake.tokenStatus = func(n int64) int {
		<-release
		return 0
	}
	c := fake.client(t)
	starterCtx, cancel := context.WithCancel(context.Background())
	starterDone := make(chan error, 1)
	go func() {
		_, err := c.tokens.get(starterCtx)
		starterDone <- err
	}()
	// Let the starter's grant get under way (the server holds it), then
	// join it and cancel the starter.
	synctest.Wait()
	if got := fake.tokenRequests.Load(); got != 1 {
		t.Fatalf("token requests = %d, want the starter's one under way", got)
	}
	otherDone := make(chan error, 1)
	go func() {
		_, err := c.tokens.get(context.Background())
		otherDone <- err
	}()
	synctest.Wait()
	cancel()
	if err := <-starterDone; !errors.Is(err, context.Canceled) {
		t.Errorf("starter = %v, want canceled", err)
	}
	close(release)
	if err := <-otherDone; err != nil {
		t.Errorf("other caller = %v, want the token", err)
	}
	if got := fake.tokenRequests.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestInvalidateKeepsANewerToken(t *testing.T) { synctest.Test(t, testInvalidateKeepsANewerToken) }

func testInvalidateKeepsANewerToken(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	c := fake.client(t)
	first, err := c.tokens.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.tokens.invalidate(first)
	second, err := c.tokens.get(context.Background())
	if err != nil || second == first {
		t.Fatalf("after invalidation got %q, %v; want a new token", second, err)
	}
	c.tokens.invalidate(first) // a late 401 for the old token
	third, _ := c.tokens.get(context.Background())
	if third != second || fake.tokenRequests.Load() != 2 {
		t.Errorf("a stale invalidation dropped the newer token (%d grants)", fake.tokenRequests.Load())
	}
}

// TestAuthenticate: Authenticate obtains the token and nothing else, and the calls after it use
// that token rather than fetching their own.
func TestAuthenticate(t *testing.T) { synctest.Test(t, testAuthenticate) }

func testAuthenticate(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	c := fake.client(t)
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got := c.Stats(); got.TokenFetches != 1 || got.Requests != 0 {
		t.Errorf("after Authenticate: stats = %+v, want 1 token request and no call", got)
	}
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatalf("second Authenticate: %v", err)
	}
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatalf("OrganizationMe: %v", err)
	}
	if got := c.Stats(); got.TokenFetches != 1 || got.Requests != 1 {
		t.Errorf("after a call: stats = %+v, want the one token request and 1 call", got)
	}
	if got := fake.tokenRequests.Load(); got != 1 {
		t.Errorf("the login service saw %d token requests, want 1", got)
	}
}

// TestAuthenticateFailures: what Authenticate reports is classified as any call's failure is.
func TestAuthenticateFailures(t *testing.T) { synctest.Test(t, testAuthenticateFailures) }

func testAuthenticateFailures(t *testing.T) {
	fake := newFakeGenesys(t, okHandler)
	c := fake.client(t, func(cfg *Config) { cfg.ClientSecret = "not-the-secret" })
	err := c.Authenticate(context.Background())
	if !IsCredentialsRefused(err) {
		t.Errorf("wrong secret: IsCredentialsRefused(%v) = false", err)
	}
	if err != nil && strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error leaks the secret: %v", err)
	}
	if got := c.Stats(); got.Requests != 0 {
		t.Errorf("stats = %+v, want no API call", got)
	}

	// Nothing listens on the login URL: memnet refuses the dial as a closed port does.
	c = fake.client(t, func(cfg *Config) { cfg.LoginURL = "http://127.0.0.1:1"; cfg.RetryMax = 1 })
	err = c.Authenticate(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || IsCredentialsRefused(err) {
		t.Fatalf("unreachable login: error = %v, want a TokenError that is not a refusal", err)
	}
	if k := Failure(err); k != FailureRefused {
		t.Errorf("unreachable login: Failure = %q, want %q (%v)", k, FailureRefused, err)
	}
}
