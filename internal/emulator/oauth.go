package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenState is one issued access token. The map key is the token itself; nothing that leaves
// the server (journal, logs, state file) carries more than the fingerprint.
type tokenState struct {
	clientID    string
	orgID       string
	fingerprint string
	expires     time.Time
	bucket      bucket
}

// clientLimits is what the limits that span an OAuth client's tokens have counted for it.
type clientLimits struct {
	requests bucket // API requests with any of its tokens (Server.clientLimiter)
	grants   bucket // tokens created (Server.grantLimiter)
}

func newClientLimits(clients []OAuthClient) map[string]*clientLimits {
	out := make(map[string]*clientLimits, len(clients))
	for _, c := range clients {
		out[c.ID] = &clientLimits{}
	}
	return out
}

// principal is who an authenticated call acts for.
type principal struct {
	clientID    string
	orgID       string
	fingerprint string
}

// tokenSweepEvery is how many issued tokens pass between sweeps of the expired ones, so a
// benchmark that fetches thousands of tokens does not grow the map without bound and no single
// request pays for a full scan.
const tokenSweepEvery = 256

// tokenResponse is the login service's answer to a client-credentials grant.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// handleToken serves POST /oauth/token: HTTP Basic client authentication (form client_id and
// client_secret accepted too), grant_type=client_credentials.
func (s *Server) handleToken(c *call) reply {
	body, aerr := c.readBody()
	if aerr != nil {
		return oauthReply(http.StatusBadRequest, "invalid_request", aerr.Message)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthReply(http.StatusBadRequest, "invalid_request", "the body is not a valid form (application/x-www-form-urlencoded)")
	}
	id, secret, viaBasic := c.r.BasicAuth()
	if viaBasic {
		// RFC 6749 2.3.1: the id and secret are form-encoded before Basic encoding
		// (golang.org/x/oauth2 does this), so "+" and "%2F" must be decoded here.
		id = unescapeFormValue(id)
		secret = unescapeFormValue(secret)
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	switch grant := form.Get("grant_type"); {
	case grant == "":
		return oauthReply(http.StatusBadRequest, "invalid_request", "grant_type is required")
	case grant != "client_credentials":
		return oauthReply(http.StatusBadRequest, "unsupported_grant_type", "only grant_type=client_credentials is supported")
	}
	if id == "" || secret == "" {
		return s.invalidClient(viaBasic, "client credentials are required (HTTP Basic or client_id and client_secret)")
	}
	client, ok := s.clients[id]
	// Both comparisons always run so the answer time does not tell whether the id exists.
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) == 1
	if !ok || !secretOK {
		return s.invalidClient(viaBasic, "authentication failed")
	}

	c.entry.ClientID = client.ID
	c.entry.OrgID = client.OrgID
	token, err := newAccessToken()
	if err != nil {
		return errorReply(&apiError{Status: http.StatusInternalServerError, Code: CodeInternalServerError, Message: "could not issue a token"})
	}
	now := c.arrived
	st := &tokenState{
		clientID:    client.ID,
		orgID:       client.OrgID,
		fingerprint: fingerprint(token),
		expires:     now.Add(s.cfg.TokenLifetime),
	}
	s.mu.Lock()
	if s.grantLimiter.enabled {
		if v := s.grantLimiter.take(&s.limits[client.ID].grants, now); !v.allowed {
			s.mu.Unlock()
			c.entry.Limit = v.limit
			return oauthReply(http.StatusBadRequest, "invalid_request", tokenCreationRefusal(s.grantLimiter.perMinute, v.retryAfter))
		}
	}
	s.tokens[token] = st
	s.issued++
	if s.issued%tokenSweepEvery == 0 {
		for k, t := range s.tokens {
			if !now.Before(t.expires) {
				delete(s.tokens, k)
			}
		}
	}
	s.mu.Unlock()
	c.entry.Token = st.fingerprint

	h := http.Header{}
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return reply{status: http.StatusOK, header: h, body: tokenResponse{
		AccessToken: token,
		TokenType:   "bearer",
		ExpiresIn:   int(s.cfg.TokenLifetime / time.Second),
	}}
}

// tokenCreationRefusal is the description of a grant refused by the token creation limit. The
// real login service's begins "rate limit exceeded;" (the official Terraform provider retries a
// grant whose error reads so); the rest is the emulator's own.
func tokenCreationRefusal(perMinute, retryAfter int) string {
	return fmt.Sprintf("rate limit exceeded; this client may create %d tokens a minute, the next in %d s", perMinute, retryAfter)
}

func (s *Server) invalidClient(viaBasic bool, description string) reply {
	r := oauthReply(http.StatusUnauthorized, "invalid_client", description)
	if viaBasic {
		r.header = http.Header{"Www-Authenticate": {`Basic realm="genesys-emulator"`}}
	}
	return r
}

func oauthReply(status int, code, description string) reply {
	return reply{status: status, body: OAuthError{Error: code, Description: description, ErrorDescription: description}}
}

func unescapeFormValue(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

var (
	errNoBearer  = &apiError{Status: http.StatusUnauthorized, Code: CodeAuthenticationNeeded, Message: "No authentication bearer token specified in authorization header."}
	errBadBearer = &apiError{Status: http.StatusUnauthorized, Code: CodeBadCredentials, Message: "Invalid login credentials."}
)

// authenticate resolves the bearer token and spends one request of the rate limits it is under:
// its own and its OAuth client's. The caller holds s.mu.
func (s *Server) authenticate(r *http.Request, now time.Time) (principal, rateVerdict, *apiError) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return principal{}, rateVerdict{}, errNoBearer
	}
	st, ok := s.tokens[token]
	if !ok {
		return principal{}, rateVerdict{}, errBadBearer
	}
	if !now.Before(st.expires) {
		delete(s.tokens, token)
		return principal{}, rateVerdict{}, errBadBearer
	}
	p := principal{clientID: st.clientID, orgID: st.orgID, fingerprint: st.fingerprint}
	// The token's own limit comes first: it is the one the headers report while it binds.
	return p, takeAll(now,
		limitedBucket{s.limiter, &st.bucket},
		limitedBucket{s.clientLimiter, &s.limits[st.clientID].requests}), nil
}

func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func newAccessToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("no randomness for a token")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// fingerprint names a token in the journal without revealing it.
func fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "tok-" + hex.EncodeToString(sum[:5])
}
