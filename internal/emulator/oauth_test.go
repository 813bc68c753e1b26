package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, Config{})
	type want struct {
		status   int
		oauthErr string // "" = success
		basicHdr bool   // WWW-Authenticate expected
	}
	tests := []struct {
		name   string
		method string
		basic  *[2]string
		form   url.Values
		want   want
	}{
		{"basic credentials", "POST", &[2]string{"org-a-client", "org-a-secret"}, url.Values{"grant_type": {"client_credentials"}}, want{status: 200}},
		{"form credentials", "POST", nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {"org-b-client"}, "client_secret": {"org-b-secret"}}, want{status: 200}},
		{"wrong secret", "POST", &[2]string{"org-a-client", "nope"}, url.Values{"grant_type": {"client_credentials"}}, want{401, "invalid_client", true}},
		{"unknown client", "POST", &[2]string{"who", "org-a-secret"}, url.Values{"grant_type": {"client_credentials"}}, want{401, "invalid_client", true}},
		{"another client's secret", "POST", nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {"org-a-client"}, "client_secret": {"org-b-secret"}}, want{401, "invalid_client", false}},
		{"no credentials", "POST", nil, url.Values{"grant_type": {"client_credentials"}}, want{401, "invalid_client", false}},
		{"no grant type", "POST", &[2]string{"org-a-client", "org-a-secret"}, url.Values{}, want{400, "invalid_request", false}},
		{"password grant", "POST", &[2]string{"org-a-client", "org-a-secret"}, url.Values{"grant_type": {"password"}}, want{400, "unsupported_grant_type", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.url+"/oauth/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic != nil {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want.status)
			}
			if resp.Header.Get("ININ-Correlation-Id") == "" {
				t.Error("no ININ-Correlation-Id")
			}
			if tt.want.oauthErr == "" {
				var tr tokenResponse
				if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
					t.Fatal(err)
				}
				if tr.AccessToken == "" || tr.TokenType != "bearer" || tr.ExpiresIn != 86400 {
					t.Errorf("token answer = %+v, want a bearer token with expires_in 86400", tr)
				}
				if resp.Header.Get("Cache-Control") != "no-store" {
					t.Error("token answer is cacheable")
				}
				return
			}
			var oe map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&oe); err != nil {
				t.Fatal(err)
			}
			if oe["error"] != tt.want.oauthErr || oe["description"] == "" || oe["error_description"] != oe["description"] {
				t.Errorf("error body = %v, want error %q with description", oe, tt.want.oauthErr)
			}
			for _, v := range oe {
				for _, secret := range []string{"org-a-secret", "org-b-secret", "nope"} {
					if strings.Contains(v, secret) {
						t.Errorf("error body echoes a secret: %v", oe)
					}
				}
			}
			if got := resp.Header.Get("WWW-Authenticate") != ""; got != tt.want.basicHdr {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.want.basicHdr)
			}
		})
	}

	t.Run("GET is not allowed", func(t *testing.T) {
		r := h.send(http.MethodGet, "/oauth/token", "", nil, nil)
		wantError(t, r, http.StatusMethodNotAllowed, CodeMethodNotAllowed)
		if r.header.Get("Allow") != "POST" {
			t.Errorf("Allow = %q", r.header.Get("Allow"))
		}
	})
}

// TestTokenWithOAuth2Library proves a stock client-credentials client works, including a
// secret whose characters must be form-encoded inside the Basic header.
func TestTokenWithOAuth2Library(t *testing.T) {
	secret := "s+e/c:r%et ü"
	h := newHarness(t, Config{Clients: []OAuthClient{{ID: "ci:client", Secret: secret, OrgID: "org-x"}}})
	for _, style := range []struct {
		name string
		cc   clientcredentials.Config
	}{
		{"header", clientcredentials.Config{ClientID: "ci:client", ClientSecret: secret, TokenURL: h.url + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}},
		{"params", clientcredentials.Config{ClientID: "ci:client", ClientSecret: secret, TokenURL: h.url + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}},
	} {
		t.Run(style.name, func(t *testing.T) {
			tok, err := style.cc.Token(context.Background())
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			r := h.send(http.MethodGet, "/api/v2/organizations/me", tok.AccessToken, nil, nil)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			if org := decode[Organization](t, r.body); org.ID != "org-x" || org.Name != "org-x" {
				t.Errorf("org = %+v", org)
			}
		})
	}
}

func TestBearerTokenChecks(t *testing.T) {
	h := newHarness(t, Config{TokenLifetime: 90 * time.Second})
	good := h.tokenA()
	expiring := h.tokenA()
	tests := []struct {
		name   string
		header string
		before func()
		status int
		code   string
	}{
		{"valid", "Bearer " + good, nil, 200, ""},
		{"scheme is case-insensitive", "bearer " + good, nil, 200, ""},
		{"missing", "", nil, 401, CodeAuthenticationNeeded},
		{"basic scheme", "Basic b3JnLWEtY2xpZW50Om9yZy1hLXNlY3JldA==", nil, 401, CodeAuthenticationNeeded},
		{"empty bearer", "Bearer ", nil, 401, CodeAuthenticationNeeded},
		{"unknown", "Bearer not-a-token", nil, 401, CodeBadCredentials},
		{"one second before expiry", "Bearer " + expiring, func() { h.clock.Advance(89 * time.Second) }, 200, ""},
		{"expired", "Bearer " + expiring, func() { h.clock.Advance(time.Second) }, 401, CodeBadCredentials},
		{"still expired", "Bearer " + expiring, nil, 401, CodeBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			hdr := map[string]string{}
			if tt.header != "" {
				hdr["Authorization"] = tt.header
			}
			r := h.send(http.MethodGet, "/api/v2/organizations/me", "", nil, hdr)
			if tt.code == "" {
				if r.status != tt.status {
					t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
				}
				return
			}
			wantError(t, r, tt.status, tt.code)
			if r.header.Get("inin-ratelimit-allowed") != "" {
				t.Error("an unauthenticated answer carries rate-limit headers")
			}
		})
	}

	t.Run("expires_in follows TokenLifetime", func(t *testing.T) {
		r := h.send(http.MethodPost, "/oauth/token", "", "grant_type=client_credentials&client_id=org-a-client&client_secret=org-a-secret",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if tr := decode[tokenResponse](t, r.body); tr.ExpiresIn != 90 {
			t.Errorf("expires_in = %d, want 90", tr.ExpiresIn)
		}
	})
}

func TestExpiredTokensAreSwept(t *testing.T) {
	// The sweep needs more tokens than a client may create in a minute.
	h := newHarness(t, Config{TokenLifetime: time.Minute, TokenCreationLimit: -1})
	for range tokenSweepEvery - 1 {
		h.tokenA()
	}
	h.clock.Advance(time.Minute)
	h.tokenA() // the 256th issue sweeps the expired ones
	h.emu.mu.Lock()
	n := len(h.emu.tokens)
	h.emu.mu.Unlock()
	if n != 1 {
		t.Errorf("%d tokens kept, want only the live one", n)
	}
}

func TestCorrelationIDOnEveryAnswer(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	seen := map[string]bool{}
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/api/v2/organizations/me", tok},
		{"GET", "/api/v2/organizations/me", ""},
		{"GET", "/api/v2/nowhere", tok},
		{"GET", "/elsewhere", ""},
		{"POST", "/oauth/token", ""},
		{"GET", "/_emulator/health", ""},
		{"GET", "/", ""},
	} {
		r := h.send(tc.method, tc.path, tc.token, nil, nil)
		id := r.header.Get("ININ-Correlation-Id")
		if id == "" || seen[id] {
			t.Errorf("%s %s: correlation id %q missing or repeated", tc.method, tc.path, id)
		}
		seen[id] = true
	}
}
