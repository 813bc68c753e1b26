package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

func TestFaultValidate(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		err   string // "" = valid
	}{
		{"pattern", Fault{Kind: Kind500, Pattern: "x.x"}, ""},
		{"probability", Fault{Kind: Kind503, Probability: 0.25, Seed: 3}, ""},
		{"latency", Fault{Kind: KindLatency, Pattern: "x", Latency: time.Millisecond}, ""},
		{"read 404", Fault{Kind: KindReadNotFoundAfterCreate, Probability: 1, For: time.Second}, ""},
		{"unknown kind", Fault{Kind: "404", Pattern: "x"}, "unknown kind"},
		{"both pattern and probability", Fault{Kind: Kind500, Pattern: "x", Probability: 0.5}, "not both"},
		{"neither", Fault{Kind: Kind500}, "never fire"},
		{"bad pattern", Fault{Kind: Kind500, Pattern: "xo"}, "may only contain"},
		{"probability over 1", Fault{Kind: Kind500, Probability: 1.5}, "outside 0..1"},
		{"negative probability", Fault{Kind: Kind500, Probability: -0.5}, "outside 0..1"},
		{"latency without duration", Fault{Kind: KindLatency, Pattern: "x"}, "positive Latency"},
		{"read 404 without For", Fault{Kind: KindReadNotFoundAfterCreate, Pattern: "x"}, "positive For"},
		{"lower-case method", Fault{Kind: Kind500, Pattern: "x", Method: "get"}, "upper case"},
		{"relative prefix", Fault{Kind: Kind500, Pattern: "x", PathPrefix: "api/v2"}, "must start with /"},
		{"negative retry-after", Fault{Kind: Kind429, Pattern: "x", RetryAfter: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fault.Validate()
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
	var fe *FaultError
	if err := ValidateFaults([]Fault{{Kind: Kind500, Pattern: "x"}, {Kind: "nope", Pattern: "x"}}); !errors.As(err, &fe) || fe.Index != 1 {
		t.Errorf("ValidateFaults = %v, want a FaultError for entry 1", err)
	}
	if _, err := New(Config{Faults: []Fault{{Kind: Kind500}}}); err == nil {
		t.Error("New accepted a fault that can never fire")
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []Fault
		err  string
	}{
		{"array", `[{"kind":"latency","pattern":"x.","latency":"250ms"},{"kind":"read-404-after-create","probability":0.5,"seed":7,"for":"2s"}]`,
			[]Fault{{Kind: KindLatency, Pattern: "x.", Latency: 250 * time.Millisecond}, {Kind: KindReadNotFoundAfterCreate, Probability: 0.5, Seed: 7, For: 2 * time.Second}}, ""},
		{"one object", `{"kind":"429","method":"POST","pathPrefix":"/api/v2/integrations","pattern":"xx","retryAfter":3}`,
			[]Fault{{Kind: Kind429, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "xx", RetryAfter: 3}}, ""},
		{"empty array", `[]`, []Fault{}, ""},
		{"unknown field", `[{"kind":"500","pattern":"x","probabilityy":0.5}]`, nil, "unknown field"},
		{"numeric duration", `[{"kind":"latency","pattern":"x","latency":250}]`, nil, "durations are strings"},
		{"bad duration", `[{"kind":"latency","pattern":"x","latency":"soon"}]`, nil, "latency"},
		{"invalid fault", `[{"kind":"500"}]`, nil, "never fire"},
		{"not JSON", `kind=500`, nil, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFaults([]byte(tt.json))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			// Marshal writes what Unmarshal reads.
			data, _ := json.Marshal(got)
			back, err := ParseFaults(data)
			if err != nil || fmt.Sprint(back) != fmt.Sprint(got) {
				t.Errorf("round trip through %s: %+v, %v", data, back, err)
			}
		})
	}
}

// statusesOf sends n GETs of organizations/me and returns the statuses (0 for a transport error).
func statusesOf(h *harness, tok string, n int) []int {
	var out []int
	for range n {
		r, err := h.try("GET", "/api/v2/organizations/me", tok, nil, nil)
		if err != nil {
			out = append(out, 0)
			continue
		}
		out = append(out, r.status)
	}
	return out
}

func TestStatusFaultsByPattern(t *testing.T) {
	for _, tc := range []struct {
		kind   FaultKind
		status int
		code   string
	}{
		{Kind429, 429, CodeTooManyRequests},
		{Kind500, 500, CodeInternalServerError},
		{Kind502, 502, CodeBadGateway},
		{Kind503, 503, CodeServiceUnavailable},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			h := newHarness(t, Config{Faults: []Fault{{Kind: tc.kind, PathPrefix: "/api/v2/", Pattern: "x.xx", RetryAfter: 7}}})
			tok := h.tokenA()
			var got []int
			for i := range 6 {
				r := h.send("GET", "/api/v2/organizations/me", tok, nil, nil)
				got = append(got, r.status)
				if r.status == tc.status {
					wantError(t, r, tc.status, tc.code)
					if tc.kind == Kind429 || tc.kind == Kind503 {
						if r.header.Get("Retry-After") != "7" {
							t.Errorf("request %d: Retry-After = %q, want 7", i, r.header.Get("Retry-After"))
						}
					}
					if r.header.Get("inin-ratelimit-allowed") == "" {
						t.Errorf("request %d: a faulted answer lacks the rate-limit headers", i)
					}
				}
			}
			want := []int{tc.status, 200, tc.status, tc.status, 200, 200} // the pattern is spent after 4
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("statuses = %v, want %v", got, want)
			}
			j := h.emu.JournalWhere(JournalFilter{Route: "/api/v2/organizations/me"})
			if j[0].Fault != string(tc.kind) || j[1].Fault != "" || j[0].Status != tc.status {
				t.Errorf("journal = %+v", j[:2])
			}
		})
	}

	t.Run("429 message names the fault's Retry-After, default 1", func(t *testing.T) {
		h := newHarness(t, Config{Faults: []Fault{{Kind: Kind429, PathPrefix: "/api/v2/", Pattern: "x"}}})
		r := h.send("GET", "/api/v2/organizations/me", h.tokenA(), nil, nil)
		b := wantError(t, r, 429, CodeTooManyRequests)
		if r.header.Get("Retry-After") != "1" || !strings.Contains(b.Message, "[1] seconds") {
			t.Errorf("Retry-After %q, message %q", r.header.Get("Retry-After"), b.Message)
		}
	})
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t, Config{Faults: []Fault{
		{Kind: Kind500, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "xx"},
		{Kind: Kind503, PathPrefix: "/oauth/token", Pattern: "x"},
	}})
	if r := h.send("POST", "/oauth/token", "", "grant_type=client_credentials&client_id=org-a-client&client_secret=org-a-secret",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != 503 {
		t.Errorf("login fault: status %d, want 503", r.status)
	}
	tok := h.tokenA()
	if r := h.send("GET", "/api/v2/integrations", tok, nil, nil); r.status != 200 {
		t.Errorf("a GET matched a POST fault: %d", r.status)
	}
	if r := h.send("POST", "/api/v2/integrations", tok, map[string]any{"name": "n", "integrationType": map[string]string{"id": TypeClientApp}}, nil); r.status != 500 {
		t.Errorf("POST: %d, want 500", r.status)
	}
	if n := len(h.emu.Integrations("org-a")); n != 0 {
		t.Errorf("a 500 before handling created %d integrations", n)
	}
	// The GET did not consume the POST fault's pattern: the second POST fails too.
	if r := h.send("POST", "/api/v2/integrations", tok, map[string]any{"name": "n", "integrationType": map[string]string{"id": TypeClientApp}}, nil); r.status != 500 {
		t.Errorf("second POST: %d, want 500", r.status)
	}
}

// TestFaultsCombine runs in a synctest bubble, so the latency it injects is
// exactly what the clock shows.
func TestFaultsCombine(t *testing.T) { synctest.Test(t, testFaultsCombine) }

func testFaultsCombine(t *testing.T) {
	h := newBubbleHarness(t, Config{Faults: []Fault{
		{Kind: KindLatency, PathPrefix: "/api/v2/", Pattern: "x.", Latency: 120 * time.Millisecond},
		{Kind: Kind502, PathPrefix: "/api/v2/", Pattern: "xx"},
		{Kind: Kind500, PathPrefix: "/api/v2/", Pattern: "xx"}, // pre-empted by the 502, but its pattern still advances
	}})
	tok := h.tokenA()
	start := time.Now()
	r := h.send("GET", "/api/v2/organizations/me", tok, nil, nil)
	if took := time.Since(start); took != 120*time.Millisecond {
		t.Errorf("latency fault: answered in %v", took)
	}
	if r.status != 502 {
		t.Errorf("status %d, want 502", r.status)
	}
	r = h.send("GET", "/api/v2/organizations/me", tok, nil, nil)
	if r.status != 502 {
		t.Errorf("second status %d, want 502", r.status)
	}
	if r := h.send("GET", "/api/v2/organizations/me", tok, nil, nil); r.status != 200 {
		t.Errorf("third status %d, want 200: the 500 was spent alongside the 502", r.status)
	}
	j := h.emu.Journal()
	if j[1].Fault != "latency+502" || j[2].Fault != "502" || j[3].Fault != "" {
		t.Errorf("journal faults = %q %q %q", j[1].Fault, j[2].Fault, j[3].Fault)
	}
	if j[1].Latency != 120*time.Millisecond {
		t.Errorf("journal latency %v does not include the injected latency", j[1].Latency)
	}
}

func TestFaultsByProbability(t *testing.T) {
	run := func(seed int64) []int {
		h := newHarness(t, Config{RateLimit: -1, Faults: []Fault{{Kind: Kind503, PathPrefix: "/api/v2/", Probability: 0.5, Seed: seed}}})
		return statusesOf(h, h.tokenA(), 40)
	}
	first, second, other := run(42), run(42), run(7)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("the same seed gave different runs:\n%v\n%v", first, second)
	}
	if fmt.Sprint(first) == fmt.Sprint(other) {
		t.Errorf("different seeds gave the same run: %v", first)
	}
	hits := 0
	for _, s := range first {
		if s == 503 {
			hits++
		}
	}
	if hits < 8 || hits > 32 {
		t.Errorf("%d of 40 requests hit at probability 0.5", hits)
	}
	always := newHarness(t, Config{Faults: []Fault{{Kind: Kind500, PathPrefix: "/api/v2/", Probability: 1}}})
	for i, s := range statusesOf(always, always.tokenA(), 5) {
		if s != 500 {
			t.Errorf("request %d at probability 1: %d", i, s)
		}
	}
}

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func TestResetBeforeHandling(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"pattern", Fault{Kind: KindResetBeforeHandling, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "x"}},
		{"probability", Fault{Kind: KindResetBeforeHandling, Method: "POST", PathPrefix: "/api/v2/integrations", Probability: 1, Seed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{Faults: []Fault{tc.fault}})
			tok := h.tokenA()
			_, err := h.try("POST", "/api/v2/integrations", tok, map[string]any{"name": "lost", "integrationType": map[string]string{"id": TypeClientApp}}, nil)
			if !isReset(err) {
				t.Fatalf("err = %v, want a connection reset", err)
			}
			if n := len(h.emu.Integrations("org-a")); n != 0 {
				t.Errorf("reset before handling created %d integrations", n)
			}
			j := h.emu.JournalWhere(JournalFilter{Method: "POST", Route: "/api/v2/integrations"})
			if len(j) != 1 || j[0].Status != 0 || j[0].Fault != string(KindResetBeforeHandling) {
				t.Errorf("journal = %+v", j)
			}
			if r := h.send("GET", "/api/v2/integrations", tok, nil, nil); r.status != 200 {
				t.Errorf("server unusable after a reset: %d", r.status)
			}
		})
	}
}

func TestResetAfterCommit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"pattern", Fault{Kind: KindResetAfterCommit, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "x"}},
		{"probability", Fault{Kind: KindResetAfterCommit, Method: "POST", PathPrefix: "/api/v2/integrations", Probability: 1, Seed: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{Faults: []Fault{tc.fault}})
			tok := h.tokenA()
			_, err := h.try("POST", "/api/v2/integrations", tok, map[string]any{"name": "committed", "integrationType": map[string]string{"id": TypeClientApp}}, nil)
			if !isReset(err) {
				t.Fatalf("err = %v, want a connection reset", err)
			}
			got := h.emu.Integrations("org-a")
			if len(got) != 1 || got[0].Name != "committed" {
				t.Fatalf("integrations after reset-after-commit = %+v, want the committed one", got)
			}
			l := decode[IntegrationListing](t, h.send("GET", "/api/v2/integrations", tok, nil, nil).body)
			if l.Total != 1 {
				t.Errorf("the client cannot see the committed integration: total %d", l.Total)
			}
			j := h.emu.JournalWhere(JournalFilter{Method: "POST", Route: "/api/v2/integrations"})
			if len(j) != 1 || j[0].Status != 200 || j[0].Fault != string(KindResetAfterCommit) {
				t.Errorf("journal = %+v", j)
			}
		})
	}
}

func TestReadNotFoundAfterCreate(t *testing.T) {
	h := newHarness(t, Config{Faults: []Fault{{Kind: KindReadNotFoundAfterCreate, Pattern: "x.", For: 5 * time.Second}}})
	tok := h.tokenA()
	hidden := h.create(tok, "hidden", TypeClientApp)
	visible := h.create(tok, "visible", TypeClientApp)
	hp := "/api/v2/integrations/" + hidden.ID

	wantError(t, h.send("GET", hp, tok, nil, nil), 404, CodeNotFound)
	wantError(t, h.send("GET", hp+"/config/current", tok, nil, nil), 404, CodeNotFound)
	if r := h.send("GET", "/api/v2/integrations/"+visible.ID, tok, nil, nil); r.status != 200 {
		t.Errorf("the second create is hidden too: %d", r.status)
	}
	if l := decode[IntegrationListing](t, h.send("GET", "/api/v2/integrations", tok, nil, nil).body); l.Total != 1 || l.Entities[0].ID != visible.ID {
		t.Errorf("list during the window = %+v", l)
	}
	// Writes reach the primary: they work during the window.
	if r := h.send("PUT", hp+"/config/current", tok, validConfig("hidden", 1), nil); r.status != 200 {
		t.Errorf("PUT during the window: %d %s", r.status, r.body)
	}
	h.clock.Advance(4999 * time.Millisecond)
	wantError(t, h.send("GET", hp, tok, nil, nil), 404, CodeNotFound)
	h.clock.Advance(time.Millisecond)
	if r := h.send("GET", hp, tok, nil, nil); r.status != 200 {
		t.Errorf("after the window: %d", r.status)
	}
	var faulted int
	for _, e := range h.emu.Journal() {
		if e.Fault == string(KindReadNotFoundAfterCreate) {
			faulted++
			if e.Method != "GET" || e.Status != 404 {
				t.Errorf("faulted entry %+v", e)
			}
		}
	}
	if faulted != 3 {
		t.Errorf("%d journal entries name the fault, want 3", faulted)
	}

	t.Run("by probability", func(t *testing.T) {
		h := newHarness(t, Config{Faults: []Fault{{Kind: KindReadNotFoundAfterCreate, Probability: 1, For: time.Minute}}})
		tok := h.tokenA()
		for range 3 {
			it := h.create(tok, "p", TypeClientApp)
			wantError(t, h.send("GET", "/api/v2/integrations/"+it.ID, tok, nil, nil), 404, CodeNotFound)
		}
	})
}

func TestSetFaultsAtRunTime(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	h.emu.SetFaults([]Fault{{Kind: Kind500, PathPrefix: "/api/v2/", Pattern: "x"}, {Kind: "bogus", Pattern: "x"}})
	if got := h.emu.Faults(); len(got) != 1 || got[0].Kind != Kind500 {
		t.Errorf("Faults() = %+v, want the valid entry only", got)
	}
	if fmt.Sprint(statusesOf(h, tok, 2)) != "[500 200]" {
		t.Error("SetFaults did not take effect")
	}
	h.emu.Reset() // rewinds the pattern
	tok = h.tokenA()
	if fmt.Sprint(statusesOf(h, tok, 2)) != "[500 200]" {
		t.Error("Reset did not rewind the fault pattern")
	}
	h.emu.SetFaults(nil)
	if fmt.Sprint(statusesOf(h, tok, 1)) != "[200]" {
		t.Error("clearing the faults did not take effect")
	}
}
