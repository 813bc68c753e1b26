package delivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

const (
	signingSecret = "delivery-test-S1GNING-secret"
	sessionToken  = "sess-T0KEN-must-never-be-written"
	customerValue = "ACCT-9917-private-value"
	org           = "org-a"
	agent         = "agent-1"
	target        = "https://app.example.com/agent-view"
)

// fixture is a Sender wired to an in-process emulator, a webhook receiver and an audit log.
type fixture struct {
	emu      *emulator.Server
	sender   *delivery.Sender
	hook     *hooktest.Receiver
	auditLog string
}

func newFixture(t *testing.T, hookStatus int, faults ...emulator.Fault) *fixture {
	t.Helper()
	emu, err := emulator.New(emulator.Config{SigningSecret: signingSecret, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	api := httptest.NewServer(emu)
	t.Cleanup(api.Close)

	hook, hookURL := hooktest.Serve(t, hooktest.Status(hookStatus))

	c, err := client.New(client.Config{
		ClientID:     "org-a-client",
		ClientSecret: "org-a-secret",
		APIURL:       api.URL,
		LoginURL:     api.URL,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	return &fixture{
		emu:  emu,
		hook: hook,
		sender: &delivery.Sender{
			Client:         c,
			SigningSecret:  []byte(signingSecret),
			AllowedDomains: []string{"app.example.com"},
			WebhookURL:     hookURL + "/events",
			Audit:          log,
			Environment:    "test-env",
		},
		auditLog: path,
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	key, err := screenpop.NewIdempotencyKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func pop(key string) delivery.Pop {
	return delivery.Pop{
		UserID:         agent,
		ApplicationID:  "com.example.customapp",
		TargetURL:      target,
		SessionToken:   sessionToken,
		CustomerData:   map[string]string{"account": customerValue, "name": "Ada Lovelace"},
		State:          map[string]string{"uiMode": "focused"},
		IdempotencyKey: key,
	}
}

// recorder collects progress messages.
type recorder struct{ msgs []string }

func (r *recorder) say(m string) { r.msgs = append(r.msgs, m) }

func (r *recorder) has(t *testing.T, prefix string) {
	t.Helper()
	for _, m := range r.msgs {
		if strings.HasPrefix(m, prefix) {
			return
		}
	}
	t.Errorf("no progress message starting %q in %q", prefix, r.msgs)
}

func (r *recorder) hasNot(t *testing.T, prefix string) {
	t.Helper()
	for _, m := range r.msgs {
		if strings.HasPrefix(m, prefix) {
			t.Errorf("unexpected progress message %q", m)
		}
	}
}

func (r *recorder) leaksNothing(t *testing.T) {
	t.Helper()
	for _, m := range r.msgs {
		for _, secret := range []string{sessionToken, customerValue, signingSecret} {
			if strings.Contains(m, secret) {
				t.Errorf("progress message %q carries a secret", m)
			}
		}
	}
}

func TestSendDeliversAPop(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	key := newKey(t)
	var progress recorder

	res, err := f.sender.Send(t.Context(), pop(key), progress.say)
	if err != nil {
		t.Fatal(err)
	}
	if res.PopID == "" || res.Status != "delivered" || !res.WindowFocused || res.Replayed ||
		res.WebhookErr != nil || res.AuditErr != nil || res.Latency <= 0 || res.DeliveredAt.IsZero() {
		t.Errorf("result = %+v", res)
	}

	pops := f.emu.ScreenPops(org)
	if len(pops) != 1 {
		t.Fatalf("%d pops delivered; want 1", len(pops))
	}
	got := pops[0]
	if got.ID != res.PopID || got.UserID != agent || got.ApplicationID != "com.example.customapp" ||
		got.IdempotencyKey != key || got.State["uiMode"] != "focused" {
		t.Errorf("delivered pop = %+v; result %+v", got, res)
	}
	u, err := url.Parse(got.URI)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "app.example.com" || u.Path != "/agent-view" {
		t.Errorf("pop opens %s://%s%s; want the target", u.Scheme, u.Host, u.Path)
	}
	// The agent's app reads its fragment as form data (URLSearchParams); so does this test.
	data, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		t.Fatal(err)
	}
	token := data.Get(screenpop.SessionTokenKey)
	if token != sessionToken || data.Get("account") != customerValue || data.Get("name") != "Ada Lovelace" || len(data) != 3 {
		t.Errorf("the pop's fragment carries token ok=%t, %d keys; want the session token and both customer values",
			token == sessionToken, len(data))
	}

	progress.has(t, "signed screen pop for user agent-1 (")
	progress.has(t, "delivered pop "+res.PopID+" in ")
	progress.has(t, "agent window focused")
	progress.has(t, "webhook notified")
	progress.leaksNothing(t)

	heard := f.hook.Requests()
	if len(heard) != 1 {
		t.Fatalf("webhook heard %d events; want 1", len(heard))
	}
	if !heard[0].SignedWith([]byte(signingSecret)) {
		t.Error("webhook event is not signed with the signing secret")
	}
	ev, err := heard[0].Event()
	if err != nil {
		t.Fatal(err)
	}
	body := heard[0].Body
	if ev["event"] != delivery.EventScreenPopActivated || ev["userId"] != agent || ev["idempotencyKey"] != key || ev["windowFocus"] != true {
		t.Errorf("webhook event = %s", body)
	}
	if len(ev) != 6 || ev["timestamp"] != res.DeliveredAt.Format(time.RFC3339Nano) || ev["latencyMs"] == nil {
		t.Errorf("webhook event = %s; want exactly event, userId, latencyMs, windowFocus, timestamp (%s) and idempotencyKey",
			body, res.DeliveredAt.Format(time.RFC3339Nano))
	}
	if got := heard[0].Header.Get("Idempotency-Key"); got != key {
		t.Errorf("webhook Idempotency-Key %q; want the pop's %q", got, key)
	}
	if strings.Contains(string(body), sessionToken) || strings.Contains(string(body), customerValue) {
		t.Errorf("webhook event carries the session token or customer data: %s", body)
	}
}

func TestSendUsesThePopsOwnWebhook(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	own, ownURL := hooktest.Serve(t)

	p := pop(newKey(t))
	p.WebhookURL = ownURL
	if _, err := f.sender.Send(t.Context(), p, nil); err != nil {
		t.Fatal(err)
	}
	if n := own.Len(); n != 1 {
		t.Errorf("the pop's webhook heard %d events; want 1", n)
	}
	if n := f.hook.Len(); n != 0 {
		t.Errorf("the default webhook heard %d events; want none", n)
	}
}

func TestSendReplaysAKeyItHasUsed(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	key := newKey(t)

	first, err := f.sender.Send(t.Context(), pop(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	var progress recorder
	again, err := f.sender.Send(t.Context(), pop(key), progress.say)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.PopID != first.PopID || first.Replayed {
		t.Errorf("first %+v, again %+v; want the second to replay the first", first, again)
	}
	if n := len(f.emu.ScreenPops(org)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
	if n := f.hook.Len(); n != 1 {
		t.Errorf("webhook heard %d events; want 1 (a replay was announced when first delivered)", n)
	}
	progress.has(t, "already delivered earlier under this idempotency key (pop "+first.PopID+")")
	progress.hasNot(t, "delivered pop ")
	progress.hasNot(t, "webhook notified")

	// A different key is a different pop.
	if _, err := f.sender.Send(t.Context(), pop(newKey(t)), nil); err != nil {
		t.Fatal(err)
	}
	if n := len(f.emu.ScreenPops(org)); n != 2 {
		t.Errorf("%d pops delivered after a new key; want 2", n)
	}
}

func TestSendReportsAnUnfocusedWindow(t *testing.T) {
	f := newFixture(t, http.StatusNoContent, emulator.Fault{Kind: emulator.KindWindowUnfocused, Pattern: "x"})
	var progress recorder
	res, err := f.sender.Send(t.Context(), pop(newKey(t)), progress.say)
	if err != nil {
		t.Fatal(err)
	}
	if res.WindowFocused {
		t.Error("WindowFocused = true; the emulator reported the window unfocused")
	}
	progress.has(t, "agent window not focused")
	heard := f.hook.Requests()
	if len(heard) != 1 {
		t.Fatalf("webhook heard %d events; want 1", len(heard))
	}
	if !strings.Contains(string(heard[0].Body), `"windowFocus":false`) {
		t.Errorf("webhook event %s; want it to report the window unfocused", heard[0].Body)
	}
}

func TestSendWithoutASigningSecret(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	f.sender.SigningSecret = nil

	if err := f.sender.Check(""); !errors.Is(err, delivery.ErrNoSigningSecret) {
		t.Errorf("Check(\"\") = %v; want ErrNoSigningSecret", err)
	}
	res, err := f.sender.Send(t.Context(), pop(newKey(t)), nil)
	if !errors.Is(err, delivery.ErrNoSigningSecret) || res != nil {
		t.Errorf("Send = %v, %v; want ErrNoSigningSecret", res, err)
	}
	if n := len(f.emu.Journal()); n != 0 {
		t.Errorf("%d requests reached the emulator; want none", n)
	}
}

func TestSendRefusesTargets(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		allowed []string
		wantAs  any // a pointer to the error type expected inside the TargetError
	}{
		{"a suffix after an allowed host", "https://app.example.com.evil.net/agent-view", []string{"app.example.com"}, new(*screenpop.DomainError)},
		{"an allowed host as user info", "https://app.example.com@evil.net/agent-view", []string{"app.example.com"}, new(*hostmatch.URLError)},
		{"a trailing dot", "https://app.example.com./agent-view", []string{"app.example.com"}, new(*hostmatch.URLError)},
		{"an allowed host run into another", "https://app.example.comevil.net/", []string{"app.example.com"}, new(*screenpop.DomainError)},
		{"another host", "https://crm.example.org/", []string{"app.example.com", "*.example.net"}, new(*screenpop.DomainError)},
		{"plain http", "http://app.example.com/agent-view", []string{"app.example.com"}, nil},
		{"plain http with no allow-list", "http://anywhere.example/", nil, nil},
		{"a relative URL", "/agent-view", nil, nil},
		{"not a URL", "https://app.example.com:notaport/", []string{"app.example.com"}, new(*hostmatch.URLError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, http.StatusNoContent)
			f.sender.AllowedDomains = tt.allowed

			checkErr := f.sender.Check(tt.target)
			p := pop(newKey(t))
			p.TargetURL = tt.target
			res, sendErr := f.sender.Send(t.Context(), p, nil)
			for name, err := range map[string]error{"Check": checkErr, "Send": sendErr} {
				var te *delivery.TargetError
				if !errors.As(err, &te) {
					t.Fatalf("%s = %v (%T); want a *TargetError", name, err, err)
				}
				if errors.Unwrap(te) == nil {
					t.Errorf("%s: the TargetError wraps nothing", name)
				}
				if tt.wantAs != nil && !errors.As(err, tt.wantAs) {
					t.Errorf("%s = %v; want it to wrap %T", name, err, tt.wantAs)
				}
			}
			if res != nil {
				t.Errorf("Send returned a result %+v with its error", res)
			}
			if n := len(f.emu.Journal()); n != 0 {
				t.Errorf("%d requests reached the emulator; want none", n)
			}
		})
	}
}

func TestCheckAllowsTargetsOnTheList(t *testing.T) {
	s := &delivery.Sender{SigningSecret: []byte(signingSecret), AllowedDomains: []string{"app.example.com", "*.crm.example.com"}}
	for _, target := range []string{"", "https://app.example.com/x", "https://APP.example.com/x", "https://eu.crm.example.com/case#id=1"} {
		if err := s.Check(target); err != nil {
			t.Errorf("Check(%q) = %v; want nil", target, err)
		}
	}
	anyHost := &delivery.Sender{SigningSecret: []byte(signingSecret)}
	if err := anyHost.Check("https://anything.example.org/"); err != nil {
		t.Errorf("with no allow-list, Check = %v; want any https host allowed", err)
	}
}

func TestSendRefusesContextThatDoesNotFit(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*delivery.Pop)
	}{
		{"customer data that would pose as the session token", func(p *delivery.Pop) {
			p.CustomerData = map[string]string{screenpop.SessionTokenKey: customerValue}
		}},
		{"an empty customer data key", func(p *delivery.Pop) { p.CustomerData = map[string]string{"": customerValue} }},
		{"a target whose fragment is a route", func(p *delivery.Pop) { p.TargetURL = target + "#/agent" }},
		{"a key the target's fragment already has", func(p *delivery.Pop) {
			p.TargetURL = target + "#account=1"
			p.CustomerData = map[string]string{"account": customerValue}
		}},
		{"customer data too long for a URL", func(p *delivery.Pop) {
			p.CustomerData = map[string]string{"notes": strings.Repeat(customerValue, screenpop.MaxURLLength/len(customerValue)+1)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, http.StatusNoContent)
			p := pop(newKey(t))
			tt.modify(&p)
			res, err := f.sender.Send(t.Context(), p, nil)
			var ce *delivery.ContextError
			if !errors.As(err, &ce) || res != nil {
				t.Fatalf("Send = %v, %v (%T); want a *ContextError", res, err, err)
			}
			if errors.Unwrap(ce) == nil {
				t.Error("the ContextError wraps nothing")
			}
			if msg := err.Error(); strings.Contains(msg, customerValue) || strings.Contains(msg, sessionToken) {
				t.Errorf("error %q repeats a customer value or the session token", msg)
			}
			if n := len(f.emu.Journal()); n != 0 {
				t.Errorf("%d requests reached the emulator; want none", n)
			}
		})
	}
}

func TestSendKeepsAPopWhoseWebhookFailed(t *testing.T) {
	// 400 is final for the webhook (no retries), so the test does not wait out a backoff.
	f := newFixture(t, http.StatusBadRequest)
	var progress recorder
	res, err := f.sender.Send(t.Context(), pop(newKey(t)), progress.say)
	if err != nil {
		t.Fatalf("Send = %v; a failed webhook must not fail a delivered pop", err)
	}
	var we *client.WebhookError
	if !errors.As(res.WebhookErr, &we) || we.Status != http.StatusBadRequest {
		t.Errorf("WebhookErr = %v; want a *client.WebhookError with status 400", res.WebhookErr)
	}
	if res.PopID == "" || res.Status != "delivered" {
		t.Errorf("result = %+v; want the pop delivered", res)
	}
	if n := len(f.emu.ScreenPops(org)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
	if n := f.hook.Len(); n != 1 {
		t.Errorf("webhook tried %d times; want 1 (400 is final)", n)
	}
	progress.has(t, "delivered pop ")
	progress.hasNot(t, "webhook notified")
}

// auditLines reads the audit log as JSON objects.
func auditLines(t *testing.T, path string) (raw string, lines []map[string]any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return string(data), lines
}

func TestSendWritesARedactedAuditEntry(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	key := newKey(t)
	res, err := f.sender.Send(t.Context(), pop(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, lines := auditLines(t, f.auditLog)
	for _, secret := range []string{sessionToken, customerValue, "Ada", signingSecret, res.Signature} {
		if strings.Contains(raw, secret) {
			t.Errorf("the audit log carries %q:\n%s", secret, raw)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d audit lines; want 1", len(lines))
	}
	e := lines[0]
	want := map[string]any{
		"operation":       audit.OpScreenPop,
		"status":          audit.StatusSuccess,
		"environment":     "test-env",
		"user_id":         agent,
		"idempotency_key": key,
		"pop_id":          res.PopID,
		"window_focused":  true,
		"target_url":      target + "#sessionToken=REDACTED&account=REDACTED&name=REDACTED",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("audit %s = %v; want %v", k, e[k], v)
		}
	}
	if ms, ok := e["latency_ms"].(float64); !ok || ms <= 0 {
		t.Errorf("audit latency_ms = %v; want a positive number", e["latency_ms"])
	}
}

func TestSendReportsAFailedDelivery(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	p := pop(newKey(t))
	p.UserID = "agent-3" // org B's agent: org A's client cannot reach them
	var progress recorder
	res, err := f.sender.Send(t.Context(), p, progress.say)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || res != nil {
		t.Fatalf("Send = %v, %v; want a 404 *client.APIError", res, err)
	}
	if strings.Contains(err.Error(), sessionToken) || strings.Contains(err.Error(), customerValue) {
		t.Errorf("error %q carries a secret", err)
	}
	progress.hasNot(t, "delivered pop ")
	if n := f.hook.Len(); n != 0 {
		t.Errorf("webhook heard %d events about a pop that was not delivered", n)
	}
	raw, lines := auditLines(t, f.auditLog)
	if len(lines) != 1 {
		t.Fatalf("%d audit lines; want 1", len(lines))
	}
	e := lines[0]
	if e["status"] != audit.StatusFailure || e["correlation_id"] != apiErr.CorrelationID || apiErr.CorrelationID == "" ||
		e["pop_id"] != nil || e["window_focused"] != nil {
		t.Errorf("audit entry = %s; want a failure with the correlation id %q", raw, apiErr.CorrelationID)
	}
	if strings.Contains(raw, sessionToken) || strings.Contains(raw, customerValue) {
		t.Errorf("the audit log carries a secret:\n%s", raw)
	}
}

func TestSendStopsWithTheContext(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := f.sender.Send(ctx, pop(newKey(t)), nil)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Send = %v, %v; want context.Canceled", res, err)
	}
	if n := len(f.emu.ScreenPops(org)); n != 0 {
		t.Errorf("%d pops delivered after the context ended", n)
	}
}

func TestSendWithoutAnAuditLogOrWebhook(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	f.sender.Audit = nil
	f.sender.WebhookURL = ""
	var progress recorder
	res, err := f.sender.Send(t.Context(), pop(newKey(t)), progress.say)
	if err != nil || res.AuditErr != nil || res.WebhookErr != nil {
		t.Fatalf("Send = %+v, %v; want a clean delivery", res, err)
	}
	if n := f.hook.Len(); n != 0 {
		t.Errorf("webhook heard %d events with no webhook configured", n)
	}
	progress.hasNot(t, "webhook notified")
}

func TestSendReportsAnAuditLogThatCannotBeWritten(t *testing.T) {
	f := newFixture(t, http.StatusNoContent)
	log, err := audit.Open(filepath.Join(t.TempDir(), "closed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	f.sender.Audit = log
	res, err := f.sender.Send(t.Context(), pop(newKey(t)), nil)
	if err != nil {
		t.Fatalf("Send = %v; an audit failure must not fail a delivered pop", err)
	}
	if !errors.Is(res.AuditErr, audit.ErrClosed) {
		t.Errorf("AuditErr = %v; want audit.ErrClosed", res.AuditErr)
	}
	if n := len(f.emu.ScreenPops(org)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
}
