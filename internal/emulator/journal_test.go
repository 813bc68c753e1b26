package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestJournalEntries(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	it := h.create(tok, "Journaled", TypeClientApp)
	get := h.send("GET", "/api/v2/integrations/"+it.ID, tok, nil, nil)
	h.send("GET", "/api/v2/integrations?pageSize=5&pageNumber=1", tok, nil, nil)
	h.send("GET", "/api/v2/organizations/me", "", nil, nil)
	body := popBody("key-7")
	h.send("POST", "/api/v2/users/agent-1/screenpops", tok, body, popHeaders("key-7", sign(DefaultSigningSecret, body)))
	h.send("GET", "/_emulator/health", "", nil, nil) // admin calls are not journaled

	j := h.emu.Journal()
	type row struct {
		method, path, query, route string
		status                     int
		client, key                string
	}
	want := []row{
		{"POST", "/oauth/token", "", "/oauth/token", 200, "org-a-client", ""},
		{"POST", "/api/v2/integrations", "", "/api/v2/integrations", 200, "org-a-client", ""},
		{"GET", "/api/v2/integrations/" + it.ID, "", "/api/v2/integrations/{id}", 200, "org-a-client", ""},
		{"GET", "/api/v2/integrations", "pageSize=5&pageNumber=1", "/api/v2/integrations", 200, "org-a-client", ""},
		{"GET", "/api/v2/organizations/me", "", "/api/v2/organizations/me", 401, "", ""},
		{"POST", "/api/v2/users/agent-1/screenpops", "", "/api/v2/users/{userId}/screenpops", 200, "org-a-client", "key-7"},
	}
	if len(j) != len(want) {
		t.Fatalf("journal has %d entries, want %d: %+v", len(j), len(want), j)
	}
	fp := j[0].Token
	for i, w := range want {
		e := j[i]
		got := row{e.Method, e.Path, e.Query, e.Route, e.Status, e.ClientID, e.IdempotencyKey}
		if got != w {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
		if e.CorrelationID == "" || e.Time.IsZero() || e.Latency <= 0 {
			t.Errorf("entry %d lacks correlation id, time or latency: %+v", i, e)
		}
		if w.client != "" && (e.Token != fp || e.OrgID != "org-a") {
			t.Errorf("entry %d: token fingerprint %q org %q, want %q org-a", i, e.Token, e.OrgID, fp)
		}
	}
	if j[1].CreatedID != it.ID {
		t.Errorf("the create's entry names %q, want the id it made, %s", j[1].CreatedID, it.ID)
	}
	for i, e := range j {
		if i != 1 && e.CreatedID != "" {
			t.Errorf("entry %d (%s %s) names a created id %q", i, e.Method, e.Path, e.CreatedID)
		}
	}
	if j[2].CorrelationID != get.header.Get("ININ-Correlation-Id") {
		t.Error("journal correlation id differs from the answer's")
	}
	if !strings.HasPrefix(fp, "tok-") || strings.Contains(tok, strings.TrimPrefix(fp, "tok-")) {
		t.Errorf("fingerprint %q reveals the token", fp)
	}
	raw, _ := json.Marshal(j)
	if strings.Contains(string(raw), tok) {
		t.Error("the journal holds a bearer token")
	}
	if !j[0].Time.Equal(h.clock.Now()) {
		t.Errorf("journal time %v does not come from Config.Now", j[0].Time)
	}

	// Counting per resource, as a benchmark does.
	if n := len(h.emu.JournalWhere(JournalFilter{Route: "/api/v2/integrations", Method: "GET"})); n != 1 {
		t.Errorf("%d list calls counted, want 1", n)
	}
	if n := len(h.emu.JournalWhere(JournalFilter{PathPrefix: "/api/v2/integrations"})); n != 3 {
		t.Errorf("%d integration calls counted, want 3", n)
	}
	if n := len(h.emu.JournalWhere(JournalFilter{Status: 401})); n != 1 {
		t.Errorf("%d 401s counted, want 1", n)
	}

	h.emu.ResetJournal()
	if n := len(h.emu.Journal()); n != 0 {
		t.Errorf("%d entries after ResetJournal", n)
	}
}

func TestJournalIsBounded(t *testing.T) {
	s := &Server{}
	for i := range journalLimit + 5 {
		s.appendJournal(JournalEntry{Status: i})
	}
	j := s.Journal()
	if len(j) > journalLimit || j[len(j)-1].Status != journalLimit+4 {
		t.Errorf("journal holds %d entries ending with %d", len(j), j[len(j)-1].Status)
	}
	for i := 1; i < len(j); i++ {
		if j[i].Status != j[i-1].Status+1 {
			t.Fatalf("journal out of order at %d", i)
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	h.create(tok, "one", TypeClientApp)
	h.create(tok, "two", TypeClientApp)
	h.send("GET", "/api/v2/integrations", tok, nil, nil)

	entries := func(query string) []JournalEntry {
		r := h.send("GET", "/_emulator/requests"+query, "", nil, nil)
		if r.status != 200 || r.header.Get("ININ-Correlation-Id") == "" {
			t.Fatalf("requests%s: %d", query, r.status)
		}
		return decode[[]JournalEntry](t, r.body)
	}
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 4},
		{"?method=POST", 3},
		{"?method=POST&route=/api/v2/integrations", 2},
		{"?pathPrefix=/api/v2/", 3},
		{"?clientId=org-a-client&status=200", 4},
		{"?clientId=org-b-client", 0},
	} {
		if got := entries(tc.query); len(got) != tc.n {
			t.Errorf("requests%s: %d entries, want %d", tc.query, len(got), tc.n)
		}
	}
	if e := entries("?route=/api/v2/integrations&method=GET"); len(e) != 1 || e[0].Latency <= 0 || e[0].Token == "" {
		t.Errorf("served entry lost fields: %+v", e)
	}
	wantError(t, h.send("GET", "/_emulator/requests?status=ok", "", nil, nil), 400, CodeBadRequest)

	if r := h.send("DELETE", "/_emulator/requests", "", nil, nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE requests: %d", r.status)
	}
	if got := entries(""); len(got) != 0 {
		t.Errorf("%d entries after DELETE", len(got))
	}

	// Faults over HTTP.
	r := h.send("PUT", "/_emulator/faults", "", `[{"kind":"latency","pathPrefix":"/api/v2/","pattern":"x","latency":"10ms"}]`, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"latency":"10ms"`) {
		t.Errorf("PUT faults: %d %s", r.status, r.body)
	}
	if got := decode[[]Fault](t, h.send("GET", "/_emulator/faults", "", nil, nil).body); len(got) != 1 || got[0].Latency != 10*time.Millisecond {
		t.Errorf("GET faults = %+v", got)
	}
	b := wantError(t, h.send("PUT", "/_emulator/faults", "", `[{"kind":"500"}]`, nil), 400, CodeBadRequest)
	if !strings.Contains(b.Message, "never fire") {
		t.Errorf("message = %q", b.Message)
	}
	if got := h.emu.Faults(); len(got) != 1 || got[0].Kind != KindLatency {
		t.Errorf("a rejected PUT changed the profile: %+v", got)
	}
	h.send("GET", "/api/v2/integrations", tok, nil, nil)
	if e := h.emu.Journal(); len(e) != 1 || e[0].Fault != "latency" {
		t.Errorf("fault set over HTTP did not apply: %+v", e)
	}

	// Reset forgets everything but the config.
	if r := h.send("POST", "/_emulator/reset", "", nil, nil); r.status != http.StatusNoContent {
		t.Errorf("reset: %d", r.status)
	}
	if n := len(h.emu.Integrations("org-a")); n != 0 {
		t.Errorf("%d integrations after reset", n)
	}
	if n := len(h.emu.Journal()); n != 0 {
		t.Errorf("%d journal entries after reset", n)
	}
	wantError(t, h.send("GET", "/api/v2/integrations", tok, nil, nil), 401, CodeBadCredentials)
	if n := len(h.emu.Journal()); n != 1 {
		t.Errorf("admin calls were journaled: %d entries", n)
	}

	wantError(t, h.send("GET", "/_emulator/reset", "", nil, nil), 405, CodeMethodNotAllowed)
	wantError(t, h.send("POST", "/_emulator/requests", "", nil, nil), 405, CodeMethodNotAllowed)
	wantError(t, h.send("GET", "/_emulator/nothing", "", nil, nil), 404, CodeNotFound)
	if r := h.send("GET", "/_emulator/health", "", nil, nil); r.status != 200 || !strings.Contains(string(r.body), `"ok"`) {
		t.Errorf("health: %d %s", r.status, r.body)
	}
}

// journalAtAnswer is a ResponseWriter that notes how long the journal was when the answer
// began to leave.
type journalAtAnswer struct {
	*httptest.ResponseRecorder
	emu     *Server
	entries int
}

func (w *journalAtAnswer) WriteHeader(status int) {
	w.entries = len(w.emu.Journal())
	w.ResponseRecorder.WriteHeader(status)
}

// TestJournalHoldsARequestBeforeItsAnswer: a client that has its answer finds its request in
// the journal, whatever the size of the answer, so a test may count requests as soon as its
// calls return.
func TestJournalHoldsARequestBeforeItsAnswer(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	for i := range 30 { // a listing of 30 fills more than an HTTP server's write buffer
		h.create(tok, fmt.Sprintf("Listed %02d", i), TypeClientApp)
	}
	for _, target := range []string{"/api/v2/integrations?pageSize=100", "/api/v2/integrations/no-such-id"} {
		before := len(h.emu.Journal())
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := &journalAtAnswer{ResponseRecorder: httptest.NewRecorder(), emu: h.emu}
		h.emu.ServeHTTP(w, r)
		if w.entries != before+1 {
			t.Errorf("GET %s: the answer (%d) began with %d new journal entries, want 1", target, w.Code, w.entries-before)
		}
	}
}
