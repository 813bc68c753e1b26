package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator/contract"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/memnet"
)

// emu is the emulator behind a loopback listener, with a clock that runs
// with real time plus an offset the test can move (the Date header the
// client reads stays real, as a server's would).
type emu struct {
	t      *testing.T
	server *emulator.Server
	srv    *memnet.Server
	offset atomic.Int64
	// intercept, when set, sees each request before the emulator: it may
	// hold it until the test lets it go, and answers it itself by
	// returning true.
	intercept atomic.Pointer[func(http.ResponseWriter, *http.Request) bool]
}

func newEmu(t *testing.T, cfg emulator.Config) *emu {
	t.Helper()
	e := &emu{t: t}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }
	}
	s, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	e.server = s
	// Every body the client sends and every answer it gets is held to the published contract.
	checked := contract.Checking(s, true, func(p string) { t.Errorf("contract: %s", p) })
	e.srv = memnet.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := e.intercept.Load(); f != nil && (*f)(w, r) {
			return
		}
		checked.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		if err := e.srv.Close(); err != nil {
			t.Errorf("server Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("emulator Close: %v", err)
		}
	})
	return e
}

func (e *emu) shiftClock(d time.Duration) { e.offset.Add(int64(d)) }

// client is a Client of org A with fast retries.
func (e *emu) client(mutate ...func(*Config)) *Client {
	e.t.Helper()
	cfg := Config{
		ClientID:      "org-a-client",
		ClientSecret:  "org-a-secret",
		APIURL:        e.srv.URL,
		LoginURL:      e.srv.URL,
		UserAgent:     "terraform-provider-genesys/test (+Terraform 1.16.2)",
		RetryWaitMin:  2 * time.Millisecond,
		RetryWaitMax:  20 * time.Millisecond,
		PollInterval:  5 * time.Millisecond,
		ReadLagWindow: 150 * time.Millisecond,
		HTTPClient:    e.srv.Client(),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	c.now = tickingClock()
	return c
}

// count is how many journaled requests match method ("" = any) and have
// path starting with prefix.
func (e *emu) count(method, prefix string) int {
	n := 0
	for _, j := range e.server.Journal() {
		if (method == "" || j.Method == method) && strings.HasPrefix(j.Path, prefix) {
			n++
		}
	}
	return n
}

func (e *emu) named(name string) []emulator.Integration {
	var out []emulator.Integration
	for _, in := range e.server.Integrations("org-a") {
		if in.Name == name {
			out = append(out, in)
		}
	}
	return out
}

func (e *emu) setFaults(f ...emulator.Fault) {
	e.t.Helper()
	e.server.SetFaults(f)
}

func widgetConfig(name string, version int) IntegrationConfig {
	return IntegrationConfig{
		Name:    name,
		Notes:   "managed by terraform",
		Version: version,
		Properties: map[string]any{
			"url":         "https://widgets.example.com/app?tenant=a&mode=agent",
			"displayType": "widget",
			"sandbox":     "allow-forms,allow-scripts,allow-same-origin",
		},
		Advanced: map[string]any{"dimensions": map[string]any{"width": 400, "height": 300}},
	}
}

// TestWidgetLifecycleCost is the benchmark's budget: create and activate is
// POST, PUT config, PATCH, plus one token request, and nothing else.
func TestWidgetLifecycleCost(t *testing.T) { synctest.Test(t, testWidgetLifecycleCost) }

func testWidgetLifecycleCost(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ctx := context.Background()

	in, err := c.CreateIntegration(ctx, "Widget A", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	if in.ID == "" || in.IntendedState != StateDisabled || in.Config.Current.Version != 1 || in.ReportedState.Code != ReportedInactive {
		t.Errorf("created %+v", in)
	}
	cfg, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig("Widget A", in.Config.Current.Version))
	if err != nil {
		t.Fatalf("PutIntegrationConfig: %v", err)
	}
	if cfg.Version != 2 || cfg.Properties["displayType"] != "widget" {
		t.Errorf("config answer %+v", cfg)
	}
	patched, err := c.SetIntendedState(ctx, in.ID, true)
	if err != nil {
		t.Fatalf("SetIntendedState: %v", err)
	}
	active, err := c.WaitForReportedState(ctx, patched, ReportedActive)
	if err != nil || active.ReportedState.Code != ReportedActive {
		t.Fatalf("WaitForReportedState = %+v, %v", active, err)
	}

	journal := e.server.Journal()
	var got []string
	for _, j := range journal {
		got = append(got, j.Method+" "+j.Path)
	}
	want := []string{
		"POST /oauth/token",
		"POST /api/v2/integrations",
		"PUT /api/v2/integrations/" + in.ID + "/config/current",
		"PATCH /api/v2/integrations/" + in.ID,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st := c.Stats(); st != (Stats{Requests: 3, Retries: 0, TokenFetches: 1, TokensMinted: 1}) {
		t.Errorf("stats = %+v", st)
	}
	for _, j := range journal[1:] {
		if j.CorrelationID == "" || j.ClientID != "org-a-client" {
			t.Errorf("journal entry %+v", j)
		}
	}

	// The rest of the surface, and what it costs.
	got2, err := c.GetIntegration(ctx, in.ID)
	if err != nil || got2.ReportedState.Code != ReportedActive || got2.Config.Current.Version != 2 {
		t.Errorf("GetIntegration = %+v, %v", got2, err)
	}
	readCfg, err := c.GetIntegrationConfig(ctx, in.ID)
	if err != nil || readCfg.Properties["url"] != "https://widgets.example.com/app?tenant=a&mode=agent" || readCfg.Notes != "managed by terraform" {
		t.Errorf("GetIntegrationConfig = %+v, %v", readCfg, err)
	}
	list, err := c.ListIntegrations(ctx)
	if err != nil || len(list) != 1 || list[0].ID != in.ID {
		t.Errorf("ListIntegrations = %+v, %v", list, err)
	}
	org, err := c.OrganizationMe(ctx)
	if err != nil || org.ID != "org-a" || org.Name != "Org A" {
		t.Errorf("OrganizationMe = %+v, %v", org, err)
	}
	if err := c.DeleteIntegration(ctx, in.ID); err != nil {
		t.Fatalf("DeleteIntegration: %v", err)
	}
	if err := c.DeleteIntegration(ctx, in.ID); err != nil {
		t.Errorf("second DeleteIntegration = %v, want nil (already gone)", err)
	}
	if _, err := c.GetIntegration(ctx, "no-such-id"); !IsNotFound(err) {
		t.Errorf("GetIntegration(missing) = %v, want not found", err)
	}
	if got := e.count(http.MethodPost, "/oauth/token"); got != 1 {
		t.Errorf("token requests = %d, want 1 for the whole session", got)
	}
}

func TestWaitForReportedState(t *testing.T) { synctest.Test(t, testWaitForReportedState) }

func testWaitForReportedState(t *testing.T) {
	const activation, poll = 60 * time.Millisecond, 5 * time.Millisecond
	e := newEmu(t, emulator.Config{ActivationDelay: activation})
	c := e.client(func(cfg *Config) { cfg.PollInterval = poll })
	ctx := t.Context()
	in, err := c.CreateIntegration(ctx, "Slow widget", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig("Slow widget", 1)); err != nil {
		t.Fatal(err)
	}
	patched, err := c.SetIntendedState(ctx, in.ID, true)
	if err != nil || patched.ReportedState.Code != ReportedActivating {
		t.Fatalf("SetIntendedState = %+v, %v; want ACTIVATING", patched, err)
	}
	// The bubble's clock moves only by the waits: the waiter polls once per
	// interval and stops at the first poll that sees ACTIVE, the one at the
	// end of the activation delay.
	start := time.Now()
	active, err := c.WaitForReportedState(ctx, patched, ReportedActive)
	if err != nil || active.ReportedState.Code != ReportedActive {
		t.Fatalf("WaitForReportedState(ACTIVE) = %+v, %v", active, err)
	}
	if took := time.Since(start); took != activation {
		t.Errorf("the wait took %v, want the activation delay %v", took, activation)
	}
	if polls, want := e.count(http.MethodGet, "/api/v2/integrations/"+in.ID), int(activation/poll); polls != want {
		t.Errorf("polled %d times, want %d (one per %v)", polls, want, poll)
	}

	// A wait cut short fails with the last state seen and returns it,
	// whether the deadline falls between polls or during one.
	patched, err = c.SetIntendedState(ctx, in.ID, false)
	if err != nil || patched.ReportedState.Code != ReportedDeactivating {
		t.Fatalf("SetIntendedState(false) = %+v, %v; want DEACTIVATING", patched, err)
	}
	between, cancel := context.WithTimeout(ctx, 2*poll+poll/2)
	defer cancel()
	last, err := c.WaitForReportedState(between, patched, ReportedInactive)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "last reported "+ReportedDeactivating) ||
		last == nil || last.ReportedState.Code != ReportedDeactivating {
		t.Errorf("WaitForReportedState, deadline between polls = %+v, %v", last, err)
	}
	e.setFaults(emulator.Fault{Kind: emulator.KindLatency, Method: http.MethodGet, PathPrefix: "/api/v2/integrations/" + in.ID, Pattern: "x", Latency: time.Hour})
	during, cancel := context.WithTimeout(ctx, poll+poll/2)
	defer cancel()
	last, err = c.WaitForReportedState(during, patched, ReportedInactive)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "last reported "+ReportedDeactivating) ||
		last == nil || last.ReportedState.Code != ReportedDeactivating {
		t.Errorf("WaitForReportedState, deadline during a poll = %+v, %v", last, err)
	}
	e.setFaults()
	inactive, err := c.WaitForReportedState(ctx, patched, ReportedInactive)
	if err != nil || inactive.ReportedState.Code != ReportedInactive {
		t.Errorf("WaitForReportedState(INACTIVE) = %+v, %v", inactive, err)
	}

	// An integration without a url cannot activate: ERROR ends the wait.
	bare, err := c.CreateIntegration(ctx, "No url", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	patched, err = c.SetIntendedState(ctx, bare.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitForReportedState(ctx, patched, ReportedActive)
	var stateErr *ReportedStateError
	if !errors.As(err, &stateErr) || stateErr.State.Code != ReportedError || stateErr.ID != bare.ID {
		t.Errorf("WaitForReportedState(no url) = %v, want a ReportedStateError", err)
	} else if !strings.Contains(err.Error(), "reports ERROR while waiting for ACTIVE") {
		t.Errorf("error text %q", err)
	}
}

// TestRateLimitStormConverges runs many concurrent calls against a small
// token bucket: every call ends well, riding Retry-After.
func TestRateLimitStormConverges(t *testing.T) { synctest.Test(t, testRateLimitStormConverges) }

func testRateLimitStormConverges(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: 600, RateBurst: 5})
	c := e.client()
	const calls = 30
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := c.OrganizationMe(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call failed in the storm: %v", err)
		}
	}
	throttled := 0
	for _, j := range e.server.Journal() {
		if j.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("the storm never throttled: the test proves nothing")
	}
	st := c.Stats()
	if st.Requests != int64(calls+throttled) || st.Retries != int64(throttled) || st.TokenFetches != 1 {
		t.Errorf("stats = %+v, want %d requests, %d retries, 1 token fetch", st, calls+throttled, throttled)
	}
}

// TestFaultStormsConverge drives whole widget lifecycles through seeded
// storms of 429s, 5xx bursts and resets on every endpoint.
func TestFaultStormsConverge(t *testing.T) { synctest.Test(t, testFaultStormsConverge) }

func testFaultStormsConverge(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	e.setFaults(
		emulator.Fault{Kind: emulator.Kind429, PathPrefix: "/api/v2/", Probability: 0.2, Seed: 1},
		emulator.Fault{Kind: emulator.Kind500, PathPrefix: "/api/v2/", Probability: 0.05, Seed: 2},
		emulator.Fault{Kind: emulator.Kind502, PathPrefix: "/api/v2/", Probability: 0.05, Seed: 3},
		emulator.Fault{Kind: emulator.Kind503, PathPrefix: "/api/v2/", Probability: 0.05, Seed: 4},
		emulator.Fault{Kind: emulator.KindResetAfterCommit, PathPrefix: "/api/v2/", Probability: 0.03, Seed: 5},
		emulator.Fault{Kind: emulator.KindResetBeforeHandling, PathPrefix: "/api/v2/", Probability: 0.03, Seed: 6},
	)
	c := e.client(func(cfg *Config) { cfg.RetryAfterCap = 50 * time.Millisecond })
	const widgets = 6
	var wg sync.WaitGroup
	for i := range widgets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			name := fmt.Sprintf("storm widget %d", i)
			in, err := c.CreateIntegration(ctx, name, TypeEmbeddedClientApp)
			if err != nil {
				t.Errorf("create %s: %v", name, err)
				return
			}
			if _, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig(name, in.Config.Current.Version)); err != nil {
				t.Errorf("config %s: %v", name, err)
				return
			}
			patched, err := c.SetIntendedState(ctx, in.ID, true)
			if err != nil {
				t.Errorf("enable %s: %v", name, err)
				return
			}
			if _, err := c.WaitForReportedState(ctx, patched, ReportedActive); err != nil {
				t.Errorf("wait %s: %v", name, err)
			}
		}()
	}
	wg.Wait()

	faulted := 0
	for _, j := range e.server.Journal() {
		if j.Fault != "" {
			faulted++
		}
	}
	if faulted == 0 {
		t.Fatal("no fault was injected: the test proves nothing")
	}
	for i := range widgets {
		name := fmt.Sprintf("storm widget %d", i)
		got := e.named(name)
		if len(got) != 1 {
			t.Errorf("%s exists %d times, want exactly once", name, len(got))
			continue
		}
		if got[0].IntendedState != StateEnabled || got[0].Config.Current.Version < 2 {
			t.Errorf("%s ended as %+v", name, got[0])
		}
		cfg, ok := e.server.IntegrationConfig("org-a", got[0].ID)
		if !ok || cfg.Properties["url"] != "https://widgets.example.com/app?tenant=a&mode=agent" {
			t.Errorf("%s config = %+v: the body did not survive the retries", name, cfg)
		}
	}
	t.Logf("%d of %d requests faulted; stats %+v", faulted, len(e.server.Journal()), c.Stats())
}

// TestCreateWithUnknownOutcome covers the no-duplicates rule: whatever
// happens to the POST, one integration results, and an older identical one
// is never taken for it.
func TestCreateWithUnknownOutcome(t *testing.T) {
	const name = "Dup-proof widget"
	postFault := func(kind emulator.FaultKind, pattern string) emulator.Fault {
		return emulator.Fault{Kind: kind, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: pattern}
	}
	tests := []struct {
		name       string
		faults     []emulator.Fault
		olderTwin  bool // an identical untouched integration made an hour before
		wantPosts  int
		wantAdopt  bool // the first POST's integration is the answer
		wantTotal  int
		wantListed bool
		clientCfg  func(*Config)
	}{
		{name: "reset after commit", faults: []emulator.Fault{postFault(emulator.KindResetAfterCommit, "x")}, wantPosts: 1, wantAdopt: true, wantTotal: 1, wantListed: true},
		{name: "reset before handling", faults: []emulator.Fault{postFault(emulator.KindResetBeforeHandling, "x")}, wantPosts: 2, wantTotal: 1, wantListed: true},
		{name: "500 before handling", faults: []emulator.Fault{postFault(emulator.Kind500, "x")}, wantPosts: 2, wantTotal: 1, wantListed: true},
		{name: "429 is simply retried", faults: []emulator.Fault{postFault(emulator.Kind429, "xx")}, wantPosts: 3, wantTotal: 1},
		{
			name: "reset after commit, list lags the create",
			faults: []emulator.Fault{
				postFault(emulator.KindResetAfterCommit, "x"),
				{Kind: emulator.KindReadNotFoundAfterCreate, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x", For: 40 * time.Millisecond},
			},
			wantPosts: 1, wantAdopt: true, wantTotal: 1, wantListed: true,
		},
		{
			// The client gives up waiting; the server commits afterwards.
			name:      "attempt timeout, committed late",
			faults:    []emulator.Fault{{Kind: emulator.KindLatency, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x", Latency: 300 * time.Millisecond}},
			clientCfg: func(cfg *Config) { cfg.AttemptTimeout = 50 * time.Millisecond },
			wantPosts: 1, wantAdopt: true, wantTotal: 1, wantListed: true,
		},
		{
			// The search's first walk fails after its retries; a failed search
			// is searched again rather than give up (which would leave the next
			// apply to create beside an orphan).
			name: "reset after commit, the first search fails",
			faults: []emulator.Fault{
				postFault(emulator.KindResetAfterCommit, "x"),
				{Kind: emulator.Kind500, Method: http.MethodGet, PathPrefix: "/api/v2/integrations", Pattern: "xx"},
			},
			clientCfg: func(cfg *Config) { cfg.RetryMax = 1 },
			wantPosts: 1, wantAdopt: true, wantTotal: 1, wantListed: true,
		},
		{name: "older twin, reset after commit", faults: []emulator.Fault{postFault(emulator.KindResetAfterCommit, ".x")}, olderTwin: true, wantPosts: 1, wantAdopt: true, wantTotal: 2, wantListed: true},
		{name: "older twin, reset before handling", faults: []emulator.Fault{postFault(emulator.KindResetBeforeHandling, ".x")}, olderTwin: true, wantPosts: 2, wantTotal: 2, wantListed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEmu(t, emulator.Config{RateLimit: -1})
				e.setFaults(tt.faults...)
				ctx := context.Background()
				var twinID string
				if tt.olderTwin {
					// Made an hour ago by another client, never configured
					// (an orphan of a crashed apply).
					e.shiftClock(-time.Hour)
					twin, err := e.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp)
					if err != nil {
						t.Fatal(err)
					}
					twinID = twin.ID
					e.shiftClock(time.Hour)
				}
				e.server.ResetJournal()
				var mutate []func(*Config)
				if tt.clientCfg != nil {
					mutate = append(mutate, tt.clientCfg)
				}
				c := e.client(mutate...)
				in, err := c.CreateIntegration(ctx, name, TypeEmbeddedClientApp)
				if err != nil {
					t.Fatalf("CreateIntegration: %v", err)
				}
				all := e.named(name)
				if len(all) != tt.wantTotal {
					t.Fatalf("%d integrations named %q, want %d", len(all), name, tt.wantTotal)
				}
				if in.ID == twinID {
					t.Fatal("adopted the older twin")
				}
				var found bool
				for _, x := range all {
					found = found || x.ID == in.ID
				}
				if !found {
					t.Errorf("returned id %s is not in the org", in.ID)
				}
				// The server journals a request after it answers, and a POST the
				// client gave up on answers later still.
				synctest.Wait()
				if got := e.count(http.MethodPost, "/api/v2/integrations"); got != tt.wantPosts {
					t.Errorf("POSTs = %d, want %d", got, tt.wantPosts)
				}
				if listed := e.count(http.MethodGet, "/api/v2/integrations") > 0; listed != tt.wantListed {
					t.Errorf("listed = %v, want %v", listed, tt.wantListed)
				}
				// The adopted integration is readable and configurable at once.
				if _, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig(name, in.Config.Current.Version)); err != nil {
					t.Errorf("configuring the created integration: %v", err)
				}
			})
		})
	}
}

// TestCreateSearchBeganTooEarly is issue 17's duplicate: the search for a
// lost create read the page that would hold it while reads still lagged the
// create, and finished (a slow later page) after the read-lag window had
// passed. Such a search proves nothing; only one begun after the window may
// conclude that the create did not land.
func TestCreateSearchBeganTooEarly(t *testing.T) { synctest.Test(t, testCreateSearchBeganTooEarly) }

func testCreateSearchBeganTooEarly(t *testing.T) {
	const name = "Window"
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ctx := context.Background()
	// Enough untouched integrations that the search reads several pages.
	filler := e.client()
	for i := range 120 {
		if _, err := filler.CreateIntegration(ctx, fmt.Sprintf("filler-%03d", i), TypeEmbeddedClientApp); err != nil {
			t.Fatal(err)
		}
	}
	e.server.ResetJournal()
	e.setFaults(
		emulator.Fault{Kind: emulator.KindResetAfterCommit, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x"},
		emulator.Fault{Kind: emulator.KindReadNotFoundAfterCreate, Pattern: "x", For: 100 * time.Millisecond},
		emulator.Fault{Kind: emulator.KindLatency, Method: http.MethodGet, PathPrefix: "/api/v2/integrations", Pattern: ".x", Latency: 400 * time.Millisecond},
	)
	in, err := e.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp)
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	if got := e.named(name); len(got) != 1 || got[0].ID != in.ID {
		var ids []string
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		t.Errorf("integrations named %q: %v, want only the one returned, %s", name, ids, in.ID)
	}
	synctest.Wait() // the server journals a request after it answers
	if got := e.count(http.MethodPost, "/api/v2/integrations"); got != 1 {
		t.Errorf("POSTs = %d, want 1", got)
	}
}

// TestCreateAmbiguity: when two untouched identical integrations appear
// during a create whose outcome is unknown, the client adopts neither and
// says so, rather than guess.
func TestCreateAmbiguity(t *testing.T) { synctest.Test(t, testCreateAmbiguity) }

func testCreateAmbiguity(t *testing.T) {
	const name = "Contested widget"
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ctx := context.Background()
	// Someone else created the same widget a moment ago and has not yet
	// configured it.
	other, err := e.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	e.setFaults(emulator.Fault{Kind: emulator.KindResetAfterCommit, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x"})
	_, err = e.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp)
	var amb *AmbiguousCreateError
	if !errors.As(err, &amb) || len(amb.IDs) != 2 || !strings.Contains(err.Error(), other.ID) || !errors.Is(err, ErrCreateOutcomeUnknown) {
		t.Fatalf("CreateIntegration = %v, want an AmbiguousCreateError naming both", err)
	}
	if got := len(e.named(name)); got != 2 {
		t.Errorf("%d integrations, want 2 (no third)", got)
	}

	// The same client never mistakes what it has already seen for its own:
	// here the other integration is known to it, so its own is adopted.
	e2 := newEmu(t, emulator.Config{RateLimit: -1})
	c := e2.client()
	if _, err := e2.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIntegrations(ctx); err != nil {
		t.Fatal(err)
	}
	e2.setFaults(emulator.Fault{Kind: emulator.KindResetAfterCommit, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x"})
	in, err := c.CreateIntegration(ctx, name, TypeEmbeddedClientApp)
	if err != nil {
		t.Fatalf("CreateIntegration with a known twin: %v", err)
	}
	if got := len(e2.named(name)); got != 2 || in.ID == other.ID {
		t.Errorf("%d integrations, adopted %s", got, in.ID)
	}
}

// TestConcurrentIdenticalCreates: count = 3 with one name makes three
// integrations even when every create's outcome is unknown.
func TestConcurrentIdenticalCreates(t *testing.T) { synctest.Test(t, testConcurrentIdenticalCreates) }

func testConcurrentIdenticalCreates(t *testing.T) {
	const name = "Same name"
	e := newEmu(t, emulator.Config{RateLimit: -1})
	e.setFaults(emulator.Fault{Kind: emulator.KindResetAfterCommit, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "xxx"})
	c := e.client()
	ids := make(chan string, 3)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, err := c.CreateIntegration(context.Background(), name, TypeEmbeddedClientApp)
			if err != nil {
				t.Errorf("CreateIntegration: %v", err)
				return
			}
			ids <- in.ID
		}()
	}
	wg.Wait()
	close(ids)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != 3 || len(e.named(name)) != 3 {
		t.Errorf("%d distinct ids returned, %d integrations exist; want 3 and 3", len(distinct), len(e.named(name)))
	}
}

func TestCreateGivesUpWhenItNeverLands(t *testing.T) {
	synctest.Test(t, testCreateGivesUpWhenItNeverLands)
}

func testCreateGivesUpWhenItNeverLands(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	e.setFaults(emulator.Fault{Kind: emulator.KindResetBeforeHandling, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Probability: 1})
	c := e.client()
	_, err := c.CreateIntegration(context.Background(), "Never", TypeEmbeddedClientApp)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || errors.Is(err, ErrCreateOutcomeUnknown) || !strings.Contains(err.Error(), "none landed") {
		t.Fatalf("CreateIntegration = %v, want the last failure, known not to have landed", err)
	}
	if got := len(e.named("Never")); got != 0 {
		t.Errorf("%d integrations named Never", got)
	}
	if got := e.count(http.MethodPost, "/api/v2/integrations"); got != maxCreateTries {
		t.Errorf("POSTs = %d, want %d", got, maxCreateTries)
	}

	// With the context gone, it cannot find out, and says so.
	e.server.ResetJournal()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	e.setFaults(emulator.Fault{Kind: emulator.KindLatency, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Probability: 1, Latency: 200 * time.Millisecond})
	_, err = c.CreateIntegration(ctx, "Slow", TypeEmbeddedClientApp)
	if !errors.Is(err, ErrCreateOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateIntegration past the deadline = %v", err)
	}
}

func TestCreateRefusedIsFinal(t *testing.T) { synctest.Test(t, testCreateRefusedIsFinal) }

func testCreateRefusedIsFinal(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	_, err := c.CreateIntegration(context.Background(), "Bad type", "no-such-type")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "bad.request" || len(apiErr.Errors) == 0 {
		t.Fatalf("CreateIntegration(bad type) = %v", err)
	}
	if !strings.Contains(err.Error(), "integrationType.id") {
		t.Errorf("error %q does not name the field", err)
	}
	if got := e.count(http.MethodPost, "/api/v2/integrations"); got != 1 {
		t.Errorf("POSTs = %d, want 1", got)
	}
	if _, err := c.CreateIntegration(context.Background(), "", TypeEmbeddedClientApp); err == nil {
		t.Error("an empty name was accepted")
	}
}

// TestTokenExpiryUnderConcurrency: fifty calls that find the token expired
// together cost one token request, whether the client notices the expiry
// (its clock) or the server does (401s).
func TestTokenExpiryUnderConcurrency(t *testing.T) {
	tests := []struct {
		name   string
		expire func(e *emu, clientClock *atomic.Int64)
	}{
		{"client refreshes ahead of expiry", func(e *emu, clock *atomic.Int64) { clock.Add(int64(time.Hour)) }},
		{"server refuses the expired token", func(e *emu, clock *atomic.Int64) { e.shiftClock(2 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEmu(t, emulator.Config{TokenLifetime: time.Hour, RateLimit: -1})
				c := e.client()
				var clientClock atomic.Int64
				c.now = func() time.Time { return time.Now().Add(time.Duration(clientClock.Load())) }
				if _, err := c.OrganizationMe(context.Background()); err != nil {
					t.Fatal(err)
				}
				tt.expire(e, &clientClock)
				e.server.ResetJournal()

				callTogether(t, c, 50)
				if got := e.count(http.MethodPost, "/oauth/token"); got != 1 {
					t.Errorf("token requests = %d, want 1", got)
				}
				if got := c.Stats().TokenFetches; got != 2 {
					t.Errorf("TokenFetches = %d, want 2 (the first and the renewal)", got)
				}
			})
		})
	}
}

func TestBadCredentials(t *testing.T) { synctest.Test(t, testBadCredentials) }

func testBadCredentials(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	logger := &recordingLogger{}
	c := e.client(func(cfg *Config) { cfg.ClientSecret = "wrong-secret-value"; cfg.Logger = logger })
	_, err := c.OrganizationMe(context.Background())
	var tokErr *TokenError
	if !errors.As(err, &tokErr) || tokErr.Status != 401 || tokErr.Code != "invalid_client" {
		t.Fatalf("OrganizationMe with a bad secret = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("error leaks the secret: %v", err)
	}
	for _, l := range logger.all() {
		if strings.Contains(l, "wrong-secret-value") {
			t.Errorf("log leaks the secret: %s", l)
		}
	}
	if got := e.count("", "/api/v2/"); got != 0 {
		t.Errorf("%d API requests sent without a token", got)
	}
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(emulator.DefaultSigningSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// TestScreenPopDeliveredOnce: a pop whose answer is lost is retried with
// the same key; the 409 that follows is the original answer, and the agent
// saw one window.
func TestScreenPopDeliveredOnce(t *testing.T) { synctest.Test(t, testScreenPopDeliveredOnce) }

func testScreenPopDeliveredOnce(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	e.setFaults(emulator.Fault{Kind: emulator.KindResetAfterCommit, PathPrefix: "/api/v2/users/", Pattern: "x"})
	c := e.client()
	ctx := context.Background()
	body := []byte(`{"applicationId":"app-1","uri":"https://crm.example.com/case#customer=42","state":{"ticket":"T-1"},"idempotencyKey":"pop-key-1"}`)
	res, err := c.TriggerScreenPop(ctx, "agent-1", body, "pop-key-1", sign(body))
	if err != nil {
		t.Fatalf("TriggerScreenPop: %v", err)
	}
	if !res.Replayed || res.ID == "" || res.Status != "delivered" {
		t.Errorf("result = %+v, want the original answer, replayed", res)
	}
	pops := e.server.ScreenPops("org-a")
	if len(pops) != 1 || pops[0].ID != res.ID {
		t.Fatalf("pops delivered = %+v, want exactly the one answered", pops)
	}

	// A later apply with the same key pops nothing new.
	again, err := c.TriggerScreenPop(ctx, "agent-1", body, "pop-key-1", sign(body))
	if err != nil || !again.Replayed || again.ID != res.ID {
		t.Errorf("second trigger = %+v, %v", again, err)
	}
	if len(e.server.ScreenPops("org-a")) != 1 {
		t.Error("a second pop was delivered")
	}

	// A fresh key on a clean line is a plain delivery.
	body2 := []byte(`{"applicationId":"app-1","uri":"https://crm.example.com/case#customer=43","idempotencyKey":"pop-key-2"}`)
	fresh, err := c.TriggerScreenPop(ctx, "agent-1", body2, "pop-key-2", sign(body2))
	if err != nil || fresh.Replayed {
		t.Errorf("fresh pop = %+v, %v", fresh, err)
	}

	// A bad signature is final and costs no token refresh.
	before := c.Stats().TokenFetches
	_, err = c.TriggerScreenPop(ctx, "agent-1", body2, "pop-key-3", sign([]byte("other bytes")))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Attempts != 1 {
		t.Errorf("bad signature = %v, want a 401 after one attempt", err)
	}
	if c.Stats().TokenFetches != before {
		t.Error("a refused signature caused a token refresh")
	}
	if _, err := c.TriggerScreenPop(ctx, "nobody", body2, "pop-key-4", sign(body2)); !IsNotFound(err) {
		t.Errorf("unknown user = %v, want not found", err)
	}
	if _, err := c.TriggerScreenPop(ctx, "agent-1", nil, "k", "s"); err == nil {
		t.Error("an empty body was accepted")
	}
}

// TestConfigVersionConflict: a stale version is re-read and the caller's
// configuration applied on the fresh one.
func TestConfigVersionConflict(t *testing.T) { synctest.Test(t, testConfigVersionConflict) }

func testConfigVersionConflict(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ctx := context.Background()
	in, err := c.CreateIntegration(ctx, "Contended", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	if !e.server.UpdateIntegrationOutOfBand("org-a", in.ID, func(cfg *emulator.IntegrationConfig) {
		cfg.Notes = "edited in the admin UI"
	}) {
		t.Fatal("out-of-band update failed")
	}
	e.server.ResetJournal()
	out, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig("Contended", 1))
	if err != nil {
		t.Fatalf("PutIntegrationConfig: %v", err)
	}
	if out.Version != 3 || out.Notes != "managed by terraform" {
		t.Errorf("answer %+v, want version 3 with our notes", out)
	}
	var got []string
	for _, j := range e.server.Journal() {
		got = append(got, fmt.Sprintf("%s %d", j.Method, j.Status))
	}
	if strings.Join(got, ",") != "PUT 409,GET 200,PUT 200" {
		t.Errorf("requests %v, want a 409, a re-read and a successful PUT", got)
	}
}

func TestConfigConflictIsBounded(t *testing.T) { synctest.Test(t, testConfigConflictIsBounded) }

func testConfigConflictIsBounded(t *testing.T) {
	var puts, gets atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			v := gets.Add(1)
			writeJSON(w, 200, map[string]any{"name": "w", "version": v + 10})
			return
		}
		puts.Add(1)
		writeGenesysError(w, http.StatusConflict, "conflict", "version is stale", "corr-409")
	})
	_, err := fake.client(t).PutIntegrationConfig(context.Background(), "abc", widgetConfig("w", 1))
	if !IsVersionConflict(err) || IsNotFound(err) {
		t.Fatalf("PutIntegrationConfig = %v, want a conflict", err)
	}
	if puts.Load() != maxConfigPutTries || gets.Load() != maxConfigPutTries-1 {
		t.Errorf("%d PUTs and %d GETs, want %d and %d", puts.Load(), gets.Load(), maxConfigPutTries, maxConfigPutTries-1)
	}
	want := `PUT /api/v2/integrations/abc/config/current: 409 conflict: "version is stale" (correlation id corr-409)`
	if err.Error() != want {
		t.Errorf("Error() = %s\nwant      %s", err, want)
	}
}

// TestListCostsAPagePer100: a listing that holds still costs one request per
// 100 matching integrations (one when there are none), each the next page of
// 100 sorted by id with the filter, and lists every integration once.
func TestListCostsAPagePer100(t *testing.T) { synctest.Test(t, testListCostsAPagePer100) }

func testListCostsAPagePer100(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	c := e.client()
	ctx := context.Background()
	// Integrations the filter leaves out, so pages count matching ones only.
	for i := range 30 {
		if _, err := c.CreateIntegration(ctx, fmt.Sprintf("other%03d", i), TypeInteractionWidget); err != nil {
			t.Fatal(err)
		}
	}
	made := 0
	for _, n := range []int{0, 1, 100, 101, 500} {
		for ; made < n; made++ {
			if _, err := c.CreateIntegration(ctx, fmt.Sprintf("w%03d", made), TypeEmbeddedClientApp); err != nil {
				t.Fatal(err)
			}
		}
		e.server.ResetJournal()
		all, err := e.client().ListIntegrationsWhere(ctx, ListFilter{IntegrationType: TypeEmbeddedClientApp})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, in := range all {
			if in.IntegrationType.ID != TypeEmbeddedClientApp {
				t.Errorf("n=%d: listed %s of type %s", n, in.ID, in.IntegrationType.ID)
			}
			seen[in.ID] = true
		}
		if len(all) != n || len(seen) != n {
			t.Errorf("n=%d: listed %d (%d distinct)", n, len(all), len(seen))
		}
		synctest.Wait() // the server journals a request after it answers
		lists := e.server.JournalWhere(emulator.JournalFilter{Method: http.MethodGet, Route: "/api/v2/integrations"})
		if want := max(1, (n+99)/100); len(lists) != want {
			t.Errorf("n=%d: %d list requests, want %d", n, len(lists), want)
		}
		for i, j := range lists {
			want := fmt.Sprintf("integrationType=%s&pageNumber=%d&pageSize=100&sortBy=id", TypeEmbeddedClientApp, i+1)
			if j.Query != want {
				t.Errorf("n=%d: list request %d asks %q, want %q", n, i+1, j.Query, want)
			}
		}
	}
}

// TestReadAfterCreateLag: reads of a just-created integration that 404
// while replication catches up are retried, not believed, by the client that
// created it and by a new one (the next terraform plan is another process);
// a 404 is believed once reads have answered 404 for the read-lag window,
// and at once for an integration this client deleted.
func TestReadAfterCreateLag(t *testing.T) { synctest.Test(t, testReadAfterCreateLag) }

func testReadAfterCreateLag(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1, ActivationDelay: 10 * time.Millisecond})
	e.setFaults(emulator.Fault{Kind: emulator.KindReadNotFoundAfterCreate, Pattern: "xx", For: 60 * time.Millisecond})
	c := e.client()
	ctx := context.Background()
	in, err := c.CreateIntegration(ctx, "Lagging", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetIntegration(ctx, in.ID)
	if err != nil || got.ID != in.ID {
		t.Fatalf("GetIntegration right after create = %+v, %v", got, err)
	}
	cfg, err := c.GetIntegrationConfig(ctx, in.ID)
	if err != nil || cfg.Version != 1 {
		t.Fatalf("GetIntegrationConfig = %+v, %v", cfg, err)
	}
	// Another process reads what this one just created: its config read too.
	again, err := e.client().CreateIntegration(ctx, "Lagging too", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := e.client().GetIntegrationConfig(ctx, again.ID); err != nil || cfg.Version != 1 {
		t.Fatalf("GetIntegrationConfig from a new client = %+v, %v", cfg, err)
	}

	// Deleted out of band: the 404 is confirmed over the window, then believed.
	other, err := e.client().CreateIntegration(ctx, "Theirs", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	e.server.DeleteIntegrationOutOfBand("org-a", other.ID)
	e.server.ResetJournal()
	if _, err := c.GetIntegration(ctx, other.ID); !IsNotFound(err) {
		t.Errorf("GetIntegration(deleted) = %v, want not found", err)
	}
	synctest.Wait() // the server journals a request after it answers
	if got := e.count(http.MethodGet, "/api/v2/integrations/"); got < 2 {
		t.Errorf("%d reads of an integration deleted by someone else, want the 404 confirmed", got)
	}

	// Deleted by this client: believed at once.
	if err := c.DeleteIntegration(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	e.server.ResetJournal()
	if _, err := c.GetIntegrationConfig(ctx, in.ID); !IsNotFound(err) {
		t.Errorf("GetIntegrationConfig(deleted by us) = %v, want not found", err)
	}
	synctest.Wait() // the server journals a request after it answers
	if got := e.count(http.MethodGet, "/api/v2/integrations/"); got != 1 {
		t.Errorf("%d reads of an integration this client deleted, want 1", got)
	}
}

func TestDeadlinesAreKeptAgainstTheEmulator(t *testing.T) {
	synctest.Test(t, testDeadlinesAreKeptAgainstTheEmulator)
}

func testDeadlinesAreKeptAgainstTheEmulator(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	e.setFaults(emulator.Fault{Kind: emulator.Kind429, PathPrefix: "/api/v2/organizations", Probability: 1, RetryAfter: 30})
	c := e.client()
	if _, err := c.tokens.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.OrganizationMe(ctx)
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: slept toward a deadline it could not meet", d)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.RetryAfter != 30*time.Second || apiErr.CorrelationID == "" || apiErr.Code != "too.many.requests.retry.after" {
		t.Fatalf("error = %v", err)
	}
	if !strings.Contains(err.Error(), "would pass the context deadline") {
		t.Errorf("error %q does not say why it stopped", err)
	}
}
