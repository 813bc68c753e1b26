package client

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator/contract"
)

// TestContractClientReads holds every struct the client decodes an answer into to the
// published models: a field the client reads must be one the service can send, with a Go type
// that can hold it.
func TestContractClientReads(t *testing.T) {
	tests := []struct {
		t      reflect.Type
		models []string
	}{
		{reflect.TypeFor[Integration](), []string{"Integration"}},
		{reflect.TypeFor[IntegrationConfig](), []string{"Integrationconfiguration"}},
		{reflect.TypeFor[integrationPage](), []string{"Integrationentitylisting"}},
		{reflect.TypeFor[Organization](), []string{"Organization"}},
		{reflect.TypeFor[errorBody](), []string{"Errorbody"}},
		// An entry of errors is an Errorbody, one of details a Detail.
		{reflect.TypeFor[errorItem](), []string{"Errorbody", "Detail"}},
		// A refused grant: the login service's own error, or a gateway's Errorbody.
		{reflect.TypeFor[tokenErrorBody](), []string{"AuthErrorResponse", "Errorbody"}},
		{reflect.TypeFor[ScreenPopResult](), []string{"ScreenPop"}},
	}
	for _, tt := range tests {
		for _, p := range contract.Reads(tt.t, tt.models...) {
			t.Errorf("%s (as %s): %s", tt.t, strings.Join(tt.models, " or "), p)
		}
	}
}

// TestContractClientFlows runs every call of the client against the emulator, whose harness
// checks each request body the client sends and each answer it gets (see newEmu), and checks
// that every endpoint of the contract the client uses was exercised, errors included.
func TestContractClientFlows(t *testing.T) { synctest.Test(t, testContractClientFlows) }

func testContractClientFlows(t *testing.T) {
	e := newEmu(t, emulator.Config{Faults: []emulator.Fault{
		{Kind: emulator.KindConcurrentConfigWrite, Pattern: ".x"},
		{Kind: emulator.Kind429, PathPrefix: "/api/v2/organizations", Pattern: "x", RetryAfter: 1},
	}})
	c := e.client(func(cfg *Config) { cfg.RetryAfterCap = 20 * time.Millisecond })
	ctx := context.Background()

	if _, err := c.OrganizationMe(ctx); err != nil {
		t.Fatalf("OrganizationMe: %v", err)
	}
	in, err := c.CreateIntegration(ctx, "Contract", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	cfg := widgetConfig("Contract", in.Config.Current.Version)
	cfg.Notes = ""
	if _, err := c.PutIntegrationConfig(ctx, in.ID, cfg); err != nil {
		t.Fatalf("PutIntegrationConfig: %v", err)
	}
	// The fault's second step makes this one stale: 409, re-read, PUT again.
	cfg.Version++
	if _, err := c.PutIntegrationConfig(ctx, in.ID, cfg); err != nil {
		t.Fatalf("PutIntegrationConfig after a concurrent write: %v", err)
	}
	if _, err := c.GetIntegrationConfig(ctx, in.ID); err != nil {
		t.Fatalf("GetIntegrationConfig: %v", err)
	}
	on, err := c.SetIntendedState(ctx, in.ID, true)
	if err != nil {
		t.Fatalf("SetIntendedState: %v", err)
	}
	if _, err := c.WaitForReportedState(ctx, on, ReportedActive); err != nil {
		t.Fatalf("WaitForReportedState: %v", err)
	}
	if _, err := c.GetIntegration(ctx, in.ID); err != nil {
		t.Fatalf("GetIntegration: %v", err)
	}
	if _, err := c.ListIntegrations(ctx); err != nil {
		t.Fatalf("ListIntegrations: %v", err)
	}
	body := []byte(`{"applicationId":"` + in.ID + `","uri":"https://widgets.example.com/#c=1","state":{"uiMode":"focused"},"idempotencyKey":"k-1"}`)
	for range 2 { // the second is the 409 replay
		if _, err := c.TriggerScreenPop(ctx, "agent-1", body, "k-1", sign(body)); err != nil {
			t.Fatalf("TriggerScreenPop: %v", err)
		}
	}
	if err := c.DeleteIntegration(ctx, in.ID); err != nil {
		t.Fatalf("DeleteIntegration: %v", err)
	}
	if _, err := c.GetIntegration(ctx, in.ID); !IsNotFound(err) {
		t.Fatalf("GetIntegration after delete = %v, want a 404", err)
	}
	if err := c.DeleteIntegration(ctx, in.ID); err != nil {
		t.Fatalf("DeleteIntegration of a deleted one: %v", err)
	}
	bad := e.client(func(cfg *Config) { cfg.ClientSecret = "wrong" })
	if _, err := bad.OrganizationMe(ctx); err == nil {
		t.Fatal("bad credentials were accepted")
	}

	seen := map[string]bool{}
	for _, j := range e.server.Journal() {
		seen[fmt.Sprintf("%s %s %d", j.Method, j.Route, j.Status)] = true
	}
	for _, want := range []string{
		"POST /oauth/token 200", "POST /oauth/token 401",
		"GET /api/v2/organizations/me 200", "GET /api/v2/organizations/me 429",
		"POST /api/v2/integrations 200", "GET /api/v2/integrations 200",
		"PUT /api/v2/integrations/{id}/config/current 200", "PUT /api/v2/integrations/{id}/config/current 409",
		"GET /api/v2/integrations/{id}/config/current 200",
		"PATCH /api/v2/integrations/{id} 200", "GET /api/v2/integrations/{id} 200", "GET /api/v2/integrations/{id} 404",
		"DELETE /api/v2/integrations/{id} 200", "DELETE /api/v2/integrations/{id} 404",
		"POST /api/v2/users/{userId}/screenpops 200", "POST /api/v2/users/{userId}/screenpops 409",
	} {
		if !seen[want] {
			t.Errorf("the flow never had %s", want)
		}
	}
	var routes []string
	for k := range seen {
		routes = append(routes, k)
	}
	slices.Sort(routes)
	t.Logf("exchanges checked against the contract: %s", strings.Join(routes, ", "))
}

// TestVersionConflictEitherWay: a stale configuration version is refused with a 409 or, by
// some Genesys services, a 400 saying it "does not match the current version"; the client
// re-reads and retries on both.
func TestVersionConflictEitherWay(t *testing.T) {
	for _, status := range []int{http.StatusConflict, http.StatusBadRequest} {
		t.Run(http.StatusText(status), func(t *testing.T) { synctest.Test(t, func(t *testing.T) { testVersionConflict(t, status) }) })
	}
}

func testVersionConflict(t *testing.T, status int) {
	e := newEmu(t, emulator.Config{StaleVersionStatus: status, Faults: []emulator.Fault{{Kind: emulator.KindConcurrentConfigWrite, Pattern: "x"}}})
	c := e.client()
	ctx := context.Background()
	in, err := c.CreateIntegration(ctx, "Contended", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	e.server.ResetJournal()
	out, err := c.PutIntegrationConfig(ctx, in.ID, widgetConfig("Contended", in.Config.Current.Version))
	if err != nil {
		t.Fatalf("PutIntegrationConfig: %v", err)
	}
	if out.Version != 3 {
		t.Errorf("version %d, want 3 (ours on top of the concurrent write)", out.Version)
	}
	var got []string
	for _, j := range e.server.Journal() {
		got = append(got, fmt.Sprintf("%s %d", j.Method, j.Status))
	}
	if want := fmt.Sprintf("PUT %d,GET 200,PUT 200", status); strings.Join(got, ",") != want {
		t.Errorf("requests %v, want %s", got, want)
	}
}

func TestIsVersionConflict(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&APIError{Status: 409, Code: "conflict"}, true},
		{fmt.Errorf("wrapped: %w", &APIError{Status: 409}), true},
		{&APIError{Status: 400, Code: "bad.request", Message: "The version 2 does not match the current version 3"}, true},
		{&APIError{Status: 400, Code: "bad.request", Message: "Version supplied DOES NOT MATCH THE CURRENT VERSION"}, true},
		{&APIError{Status: 400, Code: "bad.request", Message: "name: is required"}, false},
		{&APIError{Status: 404, Message: "does not match the current version"}, false},
		{fmt.Errorf("plain"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsVersionConflict(tt.err); got != tt.want {
			t.Errorf("IsVersionConflict(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestEmptyNotesPlaceholderReadsAsEmpty: the service answers empty notes as
// node_dynamodb_empty_string (the emulator does too); the client gives "" back, so a caller
// comparing what it sent with what it reads sees no change.
func TestEmptyNotesPlaceholderReadsAsEmpty(t *testing.T) {
	synctest.Test(t, testEmptyNotesPlaceholderReadsAsEmpty)
}

func testEmptyNotesPlaceholderReadsAsEmpty(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ctx := context.Background()
	in, err := c.CreateIntegration(ctx, "Quiet", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	cfg := widgetConfig("Quiet", in.Config.Current.Version)
	cfg.Notes = ""
	put, err := c.PutIntegrationConfig(ctx, in.ID, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetIntegrationConfig(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if put.Notes != "" || got.Notes != "" {
		t.Errorf("notes read back as %q (PUT) and %q (GET), want empty", put.Notes, got.Notes)
	}
	// Notes that merely contain the placeholder are the user's own.
	cfg.Version, cfg.Notes = got.Version, "see "+emptyNotesPlaceholder
	if put, err := c.PutIntegrationConfig(ctx, in.ID, cfg); err != nil || put.Notes != cfg.Notes {
		t.Errorf("notes %q read back as %v, %v", cfg.Notes, put, err)
	}
}

// TestRetryAfterOfAMinuteIsWaitedOut: Genesys answers 429s with Retry-After values near a
// minute. With its default settings the client waits the whole minute (on the bubble's fake
// clock), not a capped fraction of it, and the call then succeeds.
func TestRetryAfterOfAMinuteIsWaitedOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEmu(t, emulator.Config{Faults: []emulator.Fault{
			{Kind: emulator.Kind429, PathPrefix: "/api/v2/organizations", Pattern: "x", RetryAfter: 60},
		}})
		c, err := New(Config{ClientID: "org-a-client", ClientSecret: "org-a-secret", APIURL: e.srv.URL, LoginURL: e.srv.URL, HTTPClient: e.srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := c.OrganizationMe(context.Background()); err != nil {
			t.Fatalf("OrganizationMe: %v", err)
		}
		// The wait is the advised 60 s plus a jitter of at most 50 ms and 5 %.
		if waited := time.Since(start); waited < 60*time.Second || waited > 63*time.Second+50*time.Millisecond {
			t.Errorf("waited %v for a Retry-After of 60 s", waited)
		}
		var got []string
		for _, j := range e.server.Journal() {
			if j.Route == "/api/v2/organizations/me" {
				got = append(got, fmt.Sprint(j.Status))
			}
		}
		if strings.Join(got, ",") != "429,200" {
			t.Errorf("organizations/me answers %v, want 429 then 200", got)
		}
	})
}
