package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator/contract"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

// fakeClock is the injected Config.Now: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is an emulator behind a real loopback listener, with a client that opens a new
// connection per request: Go's transport silently retries idempotent requests whose reused
// connection dies, which would hide the resets these tests inject.
type harness struct {
	t      *testing.T
	emu    *Server
	served http.Handler // emu, behind the contract check
	url    string
	clock  *fakeClock
	client *http.Client
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := newEmulatorOnly(t, cfg)
	srv := httptest.NewServer(h.served)
	t.Cleanup(srv.Close)
	h.url = srv.URL
	h.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	return h
}

// newBubbleHarness is newHarness for a test inside a synctest bubble: the
// emulator is served over internal/memnet, because a loopback socket would
// keep the bubble's clock from ever moving.
func newBubbleHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := newEmulatorOnly(t, cfg)
	srv := memnet.NewServer(h.served)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
	})
	tr := srv.Transport().Clone()
	tr.DisableKeepAlives = true
	h.url = srv.URL
	h.client = &http.Client{Transport: tr}
	return h
}

func newEmulatorOnly(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := newFakeClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	emu, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := emu.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	// Every answer of every emulator test is held to the published contract. Requests are not:
	// these tests send malformed bodies on purpose.
	served := contract.Checking(emu, false, func(p string) { t.Errorf("contract: %s", p) })
	return &harness{t: t, emu: emu, served: served, clock: clock}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs a request; body may be nil, a []byte (sent as is), a string, or a value to
// encode as JSON. It fails the test on a transport error.
func (h *harness) send(method, path, token string, body any, headers map[string]string) response {
	h.t.Helper()
	r, err := h.try(method, path, token, body, headers)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (h *harness) try(method, path, token string, body any, headers map[string]string) (response, error) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// token fetches an access token with HTTP Basic credentials.
func (h *harness) token(clientID, secret string) string {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("token for %s: status %d", clientID, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		h.t.Fatalf("token for %s: bad answer (%v)", clientID, err)
	}
	return tr.AccessToken
}

func (h *harness) tokenA() string { return h.token("org-a-client", "org-a-secret") }
func (h *harness) tokenB() string { return h.token("org-b-client", "org-b-secret") }

// create makes an integration and returns it.
func (h *harness) create(token, name, typeID string) Integration {
	h.t.Helper()
	r := h.send(http.MethodPost, "/api/v2/integrations", token, map[string]any{"name": name, "integrationType": map[string]string{"id": typeID}}, nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("create %q: status %d: %s", name, r.status, r.body)
	}
	return decode[Integration](h.t, r.body)
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, data, err)
	}
	return v
}

// wantError checks an answer is a Genesys error document with the given status and code,
// whose contextId is the answer's correlation id.
func wantError(t *testing.T, r response, status int, code string) ErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body is not JSON: %s", r.body)
	}
	for _, k := range []string{"message", "code", "status", "contextId", "details", "errors"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("error body lacks %q: %s", k, r.body)
		}
	}
	if _, ok := raw["details"].([]any); !ok {
		t.Errorf("details is not an array: %s", r.body)
	}
	if _, ok := raw["errors"].([]any); !ok {
		t.Errorf("errors is not an array: %s", r.body)
	}
	b := decode[ErrorBody](t, r.body)
	if b.Code != code || b.Status != status {
		t.Errorf("code/status = %q/%d, want %q/%d", b.Code, b.Status, code, status)
	}
	if corr := r.header.Get("ININ-Correlation-Id"); corr == "" || b.ContextID != corr {
		t.Errorf("contextId %q does not match ININ-Correlation-Id %q", b.ContextID, corr)
	}
	return b
}

// sign is the test's own HMAC-SHA256 signer, independent of the server's.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
