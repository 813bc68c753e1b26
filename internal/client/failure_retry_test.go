package client

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/loopdns"
)

// TestFailuresThatCannotHealAreNotRetried: a TLS handshake that fails (a certificate this machine
// does not trust, a server that answers in plain HTTP) and a name the DNS answers does not exist
// (NXDOMAIN) fail the same way on every attempt, so a call meets them once, whatever retries it is
// allowed, and a wrong URL fails at once rather than after the whole backoff. A resolver that
// fails for now (SERVFAIL) may answer next time, so it is asked again as often as the retries
// allow. Both the sign-in and an API call are held to it, over real loopback connections and the
// process's own resolver.
func TestFailuresThatCannotHealAreNotRetried(t *testing.T) {
	dns := loopdns.Use(t)
	var connections atomic.Int64
	countConnections := func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			connections.Add(1)
		}
	}
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(okHandler))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	untrusted.Config.ConnState = countConnections
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	plain := httptest.NewUnstartedServer(http.HandlerFunc(okHandler))
	plain.Config.ConnState = countConnections
	plain.Start()
	t.Cleanup(plain.Close)
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "t-1", "token_type": "bearer", "expires_in": 3600})
	}))
	t.Cleanup(login.Close)

	const retryMax = 3
	cases := map[string]struct {
		url          string
		failure      FailureKind
		wantAttempts int
		proof        func() int64 // what the server or resolver saw of the call: not 0
	}{
		"untrusted certificate":      {untrusted.URL, FailureTLS, 1, connections.Load},
		"plain HTTP at an https URL": {"https://" + plain.Listener.Addr().String(), FailureTLS, 1, connections.Load},
		"no such host":               {"https://api.genesys.invalid", FailureNoSuchHost, 1, dns.NoSuchHost},
		"resolver failing for now":   {"https://api.servfail.test", FailureDNS, retryMax + 1, dns.ServerFailures},
	}
	for name, tc := range cases {
		for _, call := range []struct {
			name     string
			loginURL string
			do       func(*Client) error
		}{
			{"sign-in", tc.url, func(c *Client) error { return c.Authenticate(context.Background()) }},
			{"API call", login.URL, func(c *Client) error { _, err := c.OrganizationMe(context.Background()); return err }},
		} {
			t.Run(name+"/"+call.name, func(t *testing.T) {
				connections.Store(0)
				before := tc.proof()
				c, err := New(Config{ClientID: "id", ClientSecret: "secret", APIURL: tc.url, LoginURL: call.loginURL,
					RetryMax: retryMax, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				err = call.do(c)
				var reqErr *RequestError
				if !errors.As(err, &reqErr) {
					t.Fatalf("error %v (%T) is no *RequestError", err, err)
				}
				if got := Failure(err); got != tc.failure {
					t.Errorf("Failure = %q, want %q: %v", got, tc.failure, err)
				}
				if reqErr.Attempts != tc.wantAttempts {
					t.Errorf("%d attempts, want %d: %v", reqErr.Attempts, tc.wantAttempts, err)
				}
				if tc.proof() == before {
					t.Error("the call never reached the test's server or resolver: the failure came from elsewhere")
				}
				if tc.failure == FailureTLS && connections.Load() != int64(tc.wantAttempts) {
					t.Errorf("the server saw %d connections, want %d", connections.Load(), tc.wantAttempts)
				}
			})
		}
	}
}
