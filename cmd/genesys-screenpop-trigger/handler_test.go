package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

const (
	testSigningSecret = "trigger-test-S1GNING-secret"
	testSessionToken  = "sess-T0KEN-never-logged-7f3a"
	testCustomerValue = "ACCT-55102-private"
	testTarget        = "https://app.example.com/agent-view"
	testApplicationID = "com.example.customapp"
	testOrg           = "org-a"
)

// secrets are strings that no log line and no answer may contain.
var secrets = []string{testSessionToken, testCustomerValue, testSigningSecret, "org-a-secret"}

// lockedBuffer is a log sink the server's goroutines and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a trigger served by httptest, delivering to an in-process emulator.
type fixture struct {
	emu     *emulator.Server
	trigger *trigger
	url     string // base URL of the trigger
	logs    *lockedBuffer
	hook    *hooktest.Receiver
}

type fixtureOption func(*emulator.Config, *trigger)

func withFaults(faults ...emulator.Fault) fixtureOption {
	return func(c *emulator.Config, _ *trigger) { c.Faults = faults }
}

func newFixture(t *testing.T, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureBehind(t, nil, opts...)
}

// newFixtureBehind is newFixture with the emulator behind wrap, which sees
// every API request first (nil: none).
func newFixtureBehind(t *testing.T, wrap func(http.Handler) http.Handler, opts ...fixtureOption) *fixture {
	t.Helper()
	cfg := emulator.Config{SigningSecret: testSigningSecret}
	logs := &lockedBuffer{}
	tr := &trigger{
		applicationID: testApplicationID,
		targetURL:     testTarget,
		timeout:       10 * time.Second,
		logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg, tr)
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	var h http.Handler = emu
	if wrap != nil {
		h = wrap(emu)
	}
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	hook, hookURL := hooktest.Serve(t, hooktest.Status(http.StatusNoContent))

	c, err := client.New(client.Config{
		ClientID:     "org-a-client",
		ClientSecret: "org-a-secret",
		APIURL:       api.URL,
		LoginURL:     api.URL,
		Logger:       clientLogger{tr.logger},
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.sender = &delivery.Sender{
		Client:         c,
		SigningSecret:  []byte(testSigningSecret),
		AllowedDomains: []string{"app.example.com", "*.crm.example.com"},
		WebhookURL:     hookURL + "/hooks/T0KEN-in-path",
	}
	srv := httptest.NewServer(tr.handler())
	t.Cleanup(srv.Close)
	return &fixture{emu: emu, trigger: tr, url: srv.URL, logs: logs, hook: hook}
}

// answer is a response, read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(a.body), v); err != nil {
		t.Fatalf("answer %d %q is not JSON: %v", a.status, a.body, err)
	}
}

func (f *fixture) do(t *testing.T, method, path string, header http.Header, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (f *fixture) post(t *testing.T, header http.Header, body string) answer {
	t.Helper()
	return f.do(t, http.MethodPost, triggerPath, header, body)
}

// screenPopRequests counts the screen pop requests that reached the emulator.
func (f *fixture) screenPopRequests() int {
	return len(f.emu.JournalWhere(emulator.JournalFilter{Method: http.MethodPost, PathPrefix: "/api/v2/users/"}))
}

// leaksNothing fails the test if a secret shows in a, or in the trigger's log.
func (f *fixture) leaksNothing(t *testing.T, a answer) {
	t.Helper()
	logs := f.logs.String()
	for _, s := range secrets {
		if strings.Contains(a.body, s) {
			t.Errorf("answer carries %q: %s", s, a.body)
		}
		for k, vs := range a.header {
			for _, v := range vs {
				if strings.Contains(v, s) {
					t.Errorf("answer header %s carries %q", k, s)
				}
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log carries %q:\n%s", s, logs)
		}
	}
}

func popBody(extra string) string {
	body := `{"userId":"agent-1","customerData":{"account":"` + testCustomerValue + `","name":"Ada"},"sessionToken":"` + testSessionToken + `"`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

func TestTriggerPops(t *testing.T) {
	f := newFixture(t)
	a := f.post(t, nil, popBody(`"state":{"uiMode":"focused"}`))
	if a.status != http.StatusOK {
		t.Fatalf("answer %d %s; want 200", a.status, a.body)
	}
	var got triggerResponse
	a.json(t, &got)

	pops := f.emu.ScreenPops(testOrg)
	if len(pops) != 1 {
		t.Fatalf("%d pops delivered; want 1", len(pops))
	}
	p := pops[0]
	if got.Status != statusDelivered || got.PopID != p.ID || !got.WindowFocused || got.LatencyMs <= 0 ||
		got.IdempotencyKey == "" || got.IdempotencyKey != p.IdempotencyKey || got.Warnings != nil {
		t.Errorf("answer %+v; delivered %+v", got, p)
	}
	if a.header.Get("Idempotency-Key") != got.IdempotencyKey {
		t.Errorf("Idempotency-Key header %q; want the key %q", a.header.Get("Idempotency-Key"), got.IdempotencyKey)
	}
	if p.UserID != "agent-1" || p.ApplicationID != testApplicationID || p.State["uiMode"] != "focused" {
		t.Errorf("delivered %+v; want agent-1, the default application id, the request's state", p)
	}
	// The token and the customer data reach the agent's app, in the fragment only.
	if !strings.HasPrefix(p.URI, testTarget+"#") || !strings.Contains(p.URI, testSessionToken) {
		t.Fatalf("the pop opens %d bytes not carrying the session token after the default target", len(p.URI))
	}
	u, err := url.Parse(p.URI)
	if err != nil {
		t.Fatal(err)
	}
	// The agent's app reads its fragment as form data (URLSearchParams); so does this test.
	data, err := url.ParseQuery(u.EscapedFragment())
	token := data.Get(screenpop.SessionTokenKey)
	if err != nil || token != testSessionToken || data.Get("account") != testCustomerValue || data.Get("name") != "Ada" {
		t.Errorf("the pop's fragment reads back token ok=%t, %d data keys, err %v", token == testSessionToken, len(data), err)
	}
	if f.hook.Len() != 1 {
		t.Errorf("webhook heard %d events; want 1", f.hook.Len())
	}
	if !strings.Contains(f.logs.String(), "level=DEBUG msg=\"signed screen pop for user agent-1") {
		t.Errorf("the log does not show the delivery's progress at debug level:\n%s", f.logs.String())
	}
	if !strings.Contains(f.logs.String(), "level=INFO msg=\"screen pop delivered\"") {
		t.Errorf("the log does not report the delivery:\n%s", f.logs.String())
	}
	f.leaksNothing(t, a)
}

func TestTriggerRetriedRequestPopsOnce(t *testing.T) {
	f := newFixture(t)
	header := http.Header{"Idempotency-Key": {"automation-call-42"}}

	var first, again triggerResponse
	a := f.post(t, header, popBody(""))
	a.json(t, &first)
	b := f.post(t, header, popBody(""))
	b.json(t, &again)
	if a.status != http.StatusOK || b.status != http.StatusOK {
		t.Fatalf("answers %d %s and %d %s; want 200 twice", a.status, a.body, b.status, b.body)
	}
	if first.Status != statusDelivered || again.Status != statusAlreadyDelivered ||
		first.PopID != again.PopID || first.IdempotencyKey != "automation-call-42" || again.IdempotencyKey != "automation-call-42" {
		t.Errorf("first %+v, again %+v; want one delivery under the caller's key, then its replay", first, again)
	}
	if n := len(f.emu.ScreenPops(testOrg)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
	if f.hook.Len() != 1 {
		t.Errorf("webhook heard %d events; want 1", f.hook.Len())
	}

	// The key may also come in the body; without any key each request is a pop of its own.
	c := f.post(t, nil, popBody(`"idempotencyKey":"automation-call-42"`))
	var viaBody triggerResponse
	c.json(t, &viaBody)
	if viaBody.Status != statusAlreadyDelivered || viaBody.PopID != first.PopID {
		t.Errorf("key in the body: %+v; want the replay of %s", viaBody, first.PopID)
	}
	f.post(t, nil, popBody(""))
	f.post(t, nil, popBody(""))
	if n := len(f.emu.ScreenPops(testOrg)); n != 3 {
		t.Errorf("%d pops delivered after two requests without a key; want 3", n)
	}
	f.leaksNothing(t, b)
}

func TestTriggerConcurrentRetriesPopOnce(t *testing.T) {
	f := newFixture(t)
	const n = 8
	var wg sync.WaitGroup
	answers := make([]answer, n)
	for i := range n {
		wg.Go(func() {
			answers[i] = f.post(t, http.Header{"Idempotency-Key": {"same-key"}}, popBody(""))
		})
	}
	wg.Wait()
	delivered := 0
	for _, a := range answers {
		var r triggerResponse
		a.json(t, &r)
		if a.status != http.StatusOK {
			t.Errorf("answer %d %s; want 200", a.status, a.body)
		}
		if r.Status == statusDelivered {
			delivered++
		}
	}
	if pops := len(f.emu.ScreenPops(testOrg)); pops != 1 || delivered != 1 {
		t.Errorf("%d pops delivered, %d answers say delivered; want 1 and 1", pops, delivered)
	}
}

func TestTriggerRefusesBadRequests(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		header      http.Header
		body        string
		status      int
		field       string // "" when the request as a whole is at fault
		mention     string // the error says this
	}{
		{"bad JSON", "", nil, `{"userId": agent-1}`, 400, "", "not valid JSON"},
		{"truncated JSON", "", nil, `{"userId":"agent-1","sessionToken":"` + testSessionToken, 400, "", "ends too soon"},
		{"an empty body", "", nil, ``, 400, "", "empty"},
		{"not an object", "", nil, `["` + testSessionToken + `"]`, 400, "", "must be a JSON object"},
		{"two objects", "", nil, popBody("") + `{}`, 400, "", "nothing after it"},
		{"an unknown field", "", nil, popBody(`"sesionToken":"x"`), 400, "sesionToken", "not a field"},
		{"a long unknown field", "", nil, `{"` + strings.Repeat("n", 100) + `":1}`, 400, strings.Repeat("n", maxFieldNameLen) + "...", "not a field"},
		{"a number as user id", "", nil, `{"userId":12345}`, 400, "userId", "want a string"},
		{"a number as customer data", "", nil, `{"userId":"agent-1","customerData":{"account":4411}}`, 400, "customerData", "want an object of string values"},
		{"a token that is not a string", "", nil, `{"userId":"agent-1","sessionToken":{"v":"` + testSessionToken + `"}}`, 400, "sessionToken", "want a string"},
		{"no user id", "", nil, `{"sessionToken":"` + testSessionToken + `"}`, 400, "userId", "required"},
		{"a blank user id", "", nil, `{"userId":"  "}`, 400, "userId", "required"},
		{"a refused target", "", nil, popBody(`"targetUrl":"https://app.example.com.evil.net/agent-view"`), 400, "targetUrl", "-allowed-domains"},
		{"an http target", "", nil, popBody(`"targetUrl":"http://app.example.com/agent-view"`), 400, "targetUrl", "https"},
		{"a target with user info", "", nil, popBody(`"targetUrl":"https://app.example.com@evil.net/"`), 400, "targetUrl", "user info"},
		{"context that cannot go in the fragment", "", nil, popBody(`"targetUrl":"https://app.example.com/#/route"`), 400, "targetUrl", "fragment"},
		{"customer data posing as the token", "", nil, `{"userId":"agent-1","customerData":{"sessionToken":"` + testCustomerValue + `"}}`, 400, "customerData", "sessionToken"},
		{"keys that differ", "", http.Header{"Idempotency-Key": {"a"}}, popBody(`"idempotencyKey":"b"`), 400, "idempotencyKey", "differs"},
		{"a key too long", "", http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}}, popBody(""), 400, "idempotencyKey", "longer than 255"},
		{"a key with a space", "", nil, popBody(`"idempotencyKey":"call 42"`), 400, "idempotencyKey", "printable ASCII"},
		{"form data", "application/x-www-form-urlencoded", nil, "userId=agent-1", 415, "", "application/json"},
		{"plain text", "text/plain", nil, popBody(""), 415, "", "application/json"},
		{"a body too large", "", nil, popBody(`"state":{"pad":"` + strings.Repeat("x", maxRequestBytes) + `"}`), 413, "", "larger than 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			header := http.Header{}
			for k, v := range tt.header {
				header[k] = v
			}
			if tt.contentType != "" {
				header.Set("Content-Type", tt.contentType)
			}
			a := f.post(t, header, tt.body)
			var got errorResponse
			a.json(t, &got)
			if a.status != tt.status || got.Field != tt.field || !strings.Contains(got.Error, tt.mention) {
				t.Errorf("answer %d %s; want %d naming field %q and mentioning %q", a.status, a.body, tt.status, tt.field, tt.mention)
			}
			if tt.field != "" && !strings.HasPrefix(got.Error, tt.field+": ") {
				t.Errorf("error %q does not start with the field", got.Error)
			}
			if got.IdempotencyKey != "" {
				t.Errorf("a refused request answers key %q; nothing was sent under it", got.IdempotencyKey)
			}
			if n := f.screenPopRequests(); n != 0 {
				t.Errorf("%d screen pop requests reached the emulator; want none", n)
			}
			f.leaksNothing(t, a)
		})
	}
}

func TestTriggerWithoutDefaults(t *testing.T) {
	f := newFixture(t, func(_ *emulator.Config, tr *trigger) { tr.applicationID, tr.targetURL = "", "" })
	for _, tt := range []struct{ body, field string }{
		{`{"userId":"agent-1","applicationId":"app"}`, "targetUrl"},
		{`{"userId":"agent-1","targetUrl":"https://app.example.com/"}`, "applicationId"},
	} {
		a := f.post(t, nil, tt.body)
		var got errorResponse
		a.json(t, &got)
		if a.status != http.StatusBadRequest || got.Field != tt.field {
			t.Errorf("%s: answer %d %s; want 400 naming %s", tt.body, a.status, a.body, tt.field)
		}
	}
	// A request that names both needs no default; an allowed override wins.
	a := f.post(t, nil, popBody(`"applicationId":"other-app","targetUrl":"https://eu.crm.example.com/case"`))
	if a.status != http.StatusOK {
		t.Fatalf("answer %d %s; want 200", a.status, a.body)
	}
	if p := f.emu.ScreenPops(testOrg); len(p) != 1 || p[0].ApplicationID != "other-app" ||
		!strings.HasPrefix(p[0].URI, "https://eu.crm.example.com/case#") {
		t.Errorf("delivered %+v; want the request's application id and target", p)
	}
}

func TestTriggerMethodsAndPaths(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, triggerPath, 405, "POST"},
		{http.MethodPut, triggerPath, 405, "POST"},
		{http.MethodDelete, triggerPath, 405, "POST"},
		{http.MethodGet, healthPath, 200, ""},
		{http.MethodHead, healthPath, 200, ""},
		{http.MethodPost, healthPath, 405, "GET, HEAD"},
		{http.MethodGet, "/", 404, ""},
		{http.MethodPost, "/trigger-screenpop/extra", 404, ""},
	}
	for _, tt := range tests {
		a := f.do(t, tt.method, tt.path, nil, popBody(""))
		if a.status != tt.status || a.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d (Allow %q) %s; want %d (Allow %q)", tt.method, tt.path, a.status, a.header.Get("Allow"), a.body, tt.status, tt.allow)
		}
		if tt.method != http.MethodHead && a.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q; want JSON", tt.method, tt.path, a.header.Get("Content-Type"))
		}
	}
	if n := f.screenPopRequests(); n != 0 {
		t.Errorf("%d screen pop requests reached the emulator; want none", n)
	}
}

func TestTriggerRefusesForeignHosts(t *testing.T) {
	for _, tt := range []struct {
		host        string
		allowRemote bool
		status      int
	}{
		{"attacker.example:8788", false, http.StatusForbidden},
		{"attacker.example", false, http.StatusForbidden},
		{"10.0.0.5:8788", false, http.StatusForbidden},
		{"localhost:8788", false, http.StatusOK},
		{"127.0.0.1", false, http.StatusOK},
		{"[::1]:8788", false, http.StatusOK},
		{"attacker.example:8788", true, http.StatusOK},
	} {
		f := newFixture(t, func(_ *emulator.Config, tr *trigger) { tr.allowRemote = tt.allowRemote })
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url+healthPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = tt.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("Host %q (allow remote %t): %d; want %d", tt.host, tt.allowRemote, resp.StatusCode, tt.status)
		}
	}
}

func TestTriggerWarnsOfAFailedWebhook(t *testing.T) {
	f := newFixture(t)
	f.hook.Reply(hooktest.Status(http.StatusForbidden)) // final: the webhook is not retried
	a := f.post(t, nil, popBody(""))
	var got triggerResponse
	a.json(t, &got)
	if a.status != http.StatusOK || got.Status != statusDelivered {
		t.Fatalf("answer %d %s; want 200 delivered", a.status, a.body)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "webhook") || !strings.Contains(got.Warnings[0], "403") {
		t.Errorf("warnings %q; want one about the webhook's 403", got.Warnings)
	}
	if strings.Contains(a.body, "T0KEN-in-path") || strings.Contains(f.logs.String(), "T0KEN-in-path") {
		t.Error("the webhook's path (its credential) is repeated")
	}
	if n := len(f.emu.ScreenPops(testOrg)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
	f.leaksNothing(t, a)
}

func TestTriggerWarnsOfAnAuditLogThatCannotBeWritten(t *testing.T) {
	f := newFixture(t)
	log, err := audit.Open(t.TempDir() + "/audit.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	_ = log.Close()
	f.trigger.sender.Audit = log
	a := f.post(t, nil, popBody(""))
	var got triggerResponse
	a.json(t, &got)
	if a.status != http.StatusOK || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "audit") {
		t.Errorf("answer %d %s; want 200 with a warning about the audit entry", a.status, a.body)
	}
}

func TestTriggerReportsDeliveryFailures(t *testing.T) {
	t.Run("an unknown agent", func(t *testing.T) {
		f := newFixture(t)
		a := f.post(t, http.Header{"Idempotency-Key": {"k-404"}}, strings.Replace(popBody(""), "agent-1", "agent-3", 1))
		var got errorResponse
		a.json(t, &got)
		if a.status != http.StatusBadGateway || got.UpstreamStatus != http.StatusNotFound || got.CorrelationID == "" ||
			got.IdempotencyKey != "k-404" || got.Field != "" {
			t.Errorf("answer %d %s; want 502 with the upstream 404, its correlation id and the key", a.status, a.body)
		}
		f.leaksNothing(t, a)
	})
	t.Run("a server that keeps failing", func(t *testing.T) {
		f := newFixture(t, withFaults(emulator.Fault{Kind: emulator.Kind503, PathPrefix: "/api/v2/users/", Probability: 1}))
		a := f.post(t, nil, popBody(""))
		var got errorResponse
		a.json(t, &got)
		if a.status != http.StatusBadGateway || got.UpstreamStatus != http.StatusServiceUnavailable || got.IdempotencyKey == "" {
			t.Errorf("answer %d %s; want 502 with the upstream 503 and the key", a.status, a.body)
		}
		if !strings.Contains(f.logs.String(), "level=WARN msg=\"screen pop not delivered\"") {
			t.Errorf("the failure is not logged as a warning:\n%s", f.logs.String())
		}
		f.leaksNothing(t, a)
	})
}

// A pop that outlives the timeout answers 504 with its key; retrying with that key pops at most
// once, even when the first try lands after the retry. The emulator holds the first try until
// the retry is answered, so the first try can only time out and the order is certain. The
// token is fetched first, so the first try's 1 s covers only its own loopback request, which
// the test sees arrive before it retries; the retry goes through a second endpoint on the same
// Sender with no time limit, so a slow machine cannot make it time out too.
func TestTriggerTimeoutThenRetry(t *testing.T) {
	release, firstArrived, firstDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var pops atomic.Int64
	f := newFixtureBehind(t, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/v2/users/") || pops.Add(1) != 1 {
				emu.ServeHTTP(w, r)
				return
			}
			close(firstArrived)
			defer close(firstDone)
			<-release
			// The trigger has given up on this try; it lands all the same, as a
			// request that reached the service does.
			emu.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
		})
	}, func(_ *emulator.Config, tr *trigger) { tr.timeout = time.Second })
	if err := f.trigger.sender.Client.Authenticate(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := f.post(t, nil, popBody(""))
	var failed errorResponse
	a.json(t, &failed)
	if a.status != http.StatusGatewayTimeout || failed.IdempotencyKey == "" {
		t.Fatalf("answer %d %s; want 504 with the key", a.status, a.body)
	}
	select {
	case <-firstArrived:
	default:
		// Retrying now would make the retry the held pop, and the test would hang.
		t.Fatalf("the first try gave up before it reached the service: %s", a.body)
	}
	patient := *f.trigger
	patient.timeout = 0 // the request's own lifetime
	srv := httptest.NewServer(patient.handler())
	t.Cleanup(srv.Close)
	retrier := *f
	retrier.url = srv.URL
	b := retrier.post(t, http.Header{"Idempotency-Key": {failed.IdempotencyKey}}, popBody(""))
	var retried triggerResponse
	b.json(t, &retried)
	if b.status != http.StatusOK || retried.IdempotencyKey != failed.IdempotencyKey {
		t.Fatalf("retry answered %d %s; want 200 under the same key", b.status, b.body)
	}
	close(release)
	<-firstDone
	j := f.emu.JournalWhere(emulator.JournalFilter{Method: http.MethodPost, PathPrefix: "/api/v2/users/"})
	if len(j) != 2 || j[0].Status != http.StatusOK || j[1].Status != http.StatusConflict || j[1].IdempotencyKey != failed.IdempotencyKey {
		t.Fatalf("the emulator's screen pop requests = %+v; want the retry's 200, then the first try's 409 under the same key", j)
	}
	if n := len(f.emu.ScreenPops(testOrg)); n != 1 {
		t.Errorf("%d pops delivered; want exactly 1", n)
	}
	f.leaksNothing(t, a)
}

func TestPickIdempotencyKey(t *testing.T) {
	for _, tt := range []struct {
		header, body, want, field string
	}{
		{"h-1", "", "h-1", ""},
		{"", "b-1", "b-1", ""},
		{" same ", "same", "same", ""},
		{"h-1", "b-1", "", "idempotencyKey"},
		{"caf\u00e9", "", "", "idempotencyKey"},
		{"tab\tkey", "", "", "idempotencyKey"},
		{strings.Repeat("k", 255), "", strings.Repeat("k", 255), ""},
	} {
		got, err := pickIdempotencyKey(tt.header, tt.body)
		switch {
		case tt.field != "" && (err == nil || err.field != tt.field):
			t.Errorf("pickIdempotencyKey(%q, %q) = %q, %v; want an error on %s", tt.header, tt.body, got, err, tt.field)
		case tt.field == "" && (err != nil || got != tt.want):
			t.Errorf("pickIdempotencyKey(%q, %q) = %q, %v; want %q", tt.header, tt.body, got, err, tt.want)
		}
	}
	a, errA := pickIdempotencyKey("", "")
	b, errB := pickIdempotencyKey("", "")
	if errA != nil || errB != nil || a == "" || a == b {
		t.Errorf("fresh keys %q, %q (%v, %v); want two different keys", a, b, errA, errB)
	}
}
