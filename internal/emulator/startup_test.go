package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator/contract"
)

// TestContractStartupEndpoints is what a client written against the real API meets before it
// touches a resource. Every answer here is also held to the contract by the harness; these
// checks add that the fields are there and say what the real service says.
func TestContractStartupEndpoints(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()

	t.Run("organizations/me carries the whole Organization", func(t *testing.T) {
		r := h.send("GET", "/api/v2/organizations/me", tok, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		got := decode[map[string]any](t, r.body)
		var missing []string
		for f := range contract.Models["Organization"].Fields {
			if _, ok := got[f]; !ok {
				missing = append(missing, f)
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("organizations/me lacks %v: %s", missing, r.body)
		}
		if got["defaultCountryCode"] != "US" || got["id"] != "org-a" || got["name"] != "Org A" {
			t.Errorf("organizations/me = %s", r.body)
		}
	})

	t.Run("authorization/products lists the enabled products", func(t *testing.T) {
		r := h.send("GET", "/api/v2/authorization/products", tok, nil, nil)
		l := decode[ProductListing](t, r.body)
		if r.status != http.StatusOK || l.Total != 1 || len(l.Entities) != 1 || l.Entities[0].ID != "engage" {
			t.Errorf("products: %d %s", r.status, r.body)
		}
	})

	t.Run("users/me refuses a client-credentials token as the real service does", func(t *testing.T) {
		b := wantError(t, h.send("GET", "/api/v2/users/me", tok, nil, nil), http.StatusBadRequest, CodeBadRequest)
		if !strings.Contains(b.Message, "requires a user context") {
			t.Errorf("message %q does not say a user context is needed", b.Message)
		}
	})

	t.Run("integration types: the listing and each type", func(t *testing.T) {
		r := h.send("GET", "/api/v2/integrations/types", tok, nil, nil)
		l := decode[IntegrationTypeListing](t, r.body)
		var ids []string
		for _, e := range l.Entities {
			ids = append(ids, e.ID)
		}
		if r.status != http.StatusOK || l.Total != 2 || !slices.Equal(ids, []string{TypeClientApp, TypeInteractionWidget}) || l.PageCount != 1 {
			t.Errorf("types: %d %s", r.status, r.body)
		}
		if r := h.send("GET", "/api/v2/integrations/types?pageSize=1&pageNumber=2", tok, nil, nil); !strings.Contains(string(r.body), `"entities":[{"id":"`+TypeInteractionWidget) {
			t.Errorf("second page of one: %s", r.body)
		}
		for _, id := range ids {
			r := h.send("GET", "/api/v2/integrations/types/"+id, tok, nil, nil)
			if got := decode[IntegrationType](t, r.body); r.status != http.StatusOK || got.ID != id || got.Name == "" {
				t.Errorf("type %s: %d %s", id, r.status, r.body)
			}
		}
		wantError(t, h.send("GET", "/api/v2/integrations/types/purecloud-data-actions", tok, nil, nil), http.StatusNotFound, CodeNotFound)
	})

	t.Run("anything else is a 404 in the error shape", func(t *testing.T) {
		for _, p := range []string{"/api/v2/routing/queues", "/api/v2/integrations/x/y", "/api/v2/users/me/queues"} {
			wantError(t, h.send("GET", p, tok, nil, nil), http.StatusNotFound, CodeNotFound)
		}
	})
}

// TestCreateWithoutNameIsNamedAfterItsType: name is optional in CreateIntegrationRequest.
func TestCreateWithoutNameIsNamedAfterItsType(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	for typeID, want := range map[string]string{TypeClientApp: "Client Application", TypeInteractionWidget: "Interaction Widget"} {
		for _, body := range []any{
			map[string]any{"integrationType": map[string]string{"id": typeID}},
			map[string]any{"name": " ", "integrationType": map[string]string{"id": typeID}},
		} {
			r := h.send("POST", "/api/v2/integrations", tok, body, nil)
			got := decode[Integration](t, r.body)
			if r.status != http.StatusOK || got.Name != want || got.Config.Current.Name != want {
				t.Errorf("create %v: %d, name %q; want 200 and %q", body, r.status, got.Name, want)
			}
		}
	}
}

// TestEmptyNotesReadBackAsThePlaceholder: the real service answers a configuration's empty
// notes as node_dynamodb_empty_string; notes that are set come back as they are.
func TestEmptyNotesReadBackAsThePlaceholder(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	app := h.create(tok, "App", TypeClientApp)
	path := "/api/v2/integrations/" + app.ID + "/config/current"
	notesOf := func(r response) string {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		return decode[map[string]any](t, r.body)["notes"].(string)
	}
	if n := notesOf(h.send("GET", path, tok, nil, nil)); n != EmptyNotesPlaceholder {
		t.Errorf("new integration's notes = %q, want the placeholder", n)
	}
	put := validConfig("App", 1)
	put["notes"] = ""
	if n := notesOf(h.send("PUT", path, tok, put, nil)); n != EmptyNotesPlaceholder {
		t.Errorf("PUT answer's notes = %q, want the placeholder", n)
	}
	put = validConfig("App", 2)
	put["notes"] = "set"
	if n := notesOf(h.send("PUT", path, tok, put, nil)); n != "set" {
		t.Errorf("PUT answer's notes = %q, want them as sent", n)
	}
	if cfg, _ := h.emu.IntegrationConfig("org-a", app.ID); cfg.Notes != "set" {
		t.Errorf("stored notes %q", cfg.Notes)
	}
}

// TestStaleVersionAnswers: a stale configuration version is a 409 by default and the 400 some
// Genesys services answer when so configured; the concurrent-config-write fault makes a fresh
// version stale by landing another write first.
func TestStaleVersionAnswers(t *testing.T) {
	for _, status := range []int{0, http.StatusConflict, http.StatusBadRequest} {
		want := status
		if want == 0 {
			want = http.StatusConflict
		}
		h := newHarness(t, Config{StaleVersionStatus: status, Faults: []Fault{{Kind: KindConcurrentConfigWrite, Pattern: ".x"}}})
		tok := h.tokenA()
		app := h.create(tok, "App", TypeClientApp)
		path := "/api/v2/integrations/" + app.ID + "/config/current"
		if r := h.send("PUT", path, tok, validConfig("App", 1), nil); r.status != http.StatusOK {
			t.Fatalf("first PUT: %d %s", r.status, r.body)
		}
		// The fault's second step fires: another write lands first, version 2 is now stale.
		r := h.send("PUT", path, tok, validConfig("App", 2), nil)
		code := CodeConflict
		if want == http.StatusBadRequest {
			code = CodeBadRequest
		}
		b := wantError(t, r, want, code)
		if want == http.StatusBadRequest && !strings.Contains(b.Message, "does not match the current version") {
			t.Errorf("400 message %q does not say the version does not match", b.Message)
		}
		j := h.emu.Journal()
		if last := j[len(j)-1]; last.Fault != string(KindConcurrentConfigWrite) {
			t.Errorf("journal fault %q", last.Fault)
		}
		cfg, _ := h.emu.IntegrationConfig("org-a", app.ID)
		if cfg.Version != 3 {
			t.Errorf("version after the concurrent write = %d, want 3", cfg.Version)
		}
		if r := h.send("PUT", path, tok, validConfig("App", 3), nil); r.status != http.StatusOK {
			t.Errorf("PUT with the current version: %d %s", r.status, r.body)
		}
	}
	if _, err := New(Config{StaleVersionStatus: 412}); err == nil {
		t.Error("StaleVersionStatus 412 was accepted")
	}
}
