package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func popBody(key string) []byte {
	b, _ := json.Marshal(map[string]any{
		"applicationId":  "com.example.customapp",
		"uri":            "https://app.mydashboard.com/agent-view#customerId=42",
		"state":          map[string]any{"uiMode": "focused", "priority": "high"},
		"idempotencyKey": key,
	})
	return b
}

func popHeaders(key, sig string) map[string]string {
	h := map[string]string{}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	if sig != "" {
		h["X-Payload-Signature"] = sig
	}
	return h
}

func TestScreenPopRequests(t *testing.T) {
	h := newHarness(t, Config{})
	a, b := h.tokenA(), h.tokenB()
	body := popBody("k-1")
	good := sign(DefaultSigningSecret, body)

	// Same meaning, different bytes: the signature covers bytes, not JSON values.
	var v any
	_ = json.Unmarshal(body, &v)
	indented, _ := json.MarshalIndent(v, "", "  ")

	tests := []struct {
		name   string
		token  string
		user   string
		body   []byte
		hdr    map[string]string
		status int
		code   string
	}{
		{"no token", "", "agent-1", body, popHeaders("k-1", good), 401, CodeAuthenticationNeeded},
		{"no idempotency key", a, "agent-1", body, popHeaders("", good), 400, CodeBadRequest},
		{"no signature", a, "agent-1", body, popHeaders("k-1", ""), 401, CodeInvalidSignature},
		{"signature not base64", a, "agent-1", body, popHeaders("k-1", "%%%"), 401, CodeInvalidSignature},
		{"signature under another secret", a, "agent-1", body, popHeaders("k-1", sign("other-secret", body)), 401, CodeInvalidSignature},
		{"signature of reformatted body", a, "agent-1", indented, popHeaders("k-1", good), 401, CodeInvalidSignature},
		{"unknown user", a, "agent-404", body, popHeaders("k-1", good), 404, CodeNotFound},
		{"another org's user", a, "agent-3", body, popHeaders("k-1", good), 404, CodeNotFound},
		{"org-b cannot reach org-a's user", b, "agent-1", body, popHeaders("k-1", good), 404, CodeNotFound},
		{"body key differs from header", a, "agent-1", body, popHeaders("k-2", good), 400, CodeBadRequest},
		{"malformed body", a, "agent-1", []byte("{"), popHeaders("k-1", sign(DefaultSigningSecret, []byte("{"))), 400, CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send("POST", "/api/v2/users/"+tt.user+"/screenpops", tt.token, tt.body, tt.hdr)
			wantError(t, r, tt.status, tt.code)
		})
	}

	bodyErrors := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"missing applicationId", map[string]any{"uri": "https://app.example.com/"}, "applicationId"},
		{"uri over http", map[string]any{"applicationId": "a", "uri": "http://app.example.com/"}, "uri"},
		{"missing uri", map[string]any{"applicationId": "a"}, "uri"},
		{"state not an object", map[string]any{"applicationId": "a", "uri": "https://app.example.com/", "state": "x"}, "state"},
	}
	for _, tt := range bodyErrors {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(tt.body)
			r := h.send("POST", "/api/v2/users/agent-1/screenpops", a, raw, popHeaders("k-"+tt.name, sign(DefaultSigningSecret, raw)))
			eb := wantError(t, r, 400, CodeBadRequest)
			if len(eb.Errors) == 0 || eb.Errors[0].MessageParams["field"] != tt.field {
				t.Errorf("errors = %+v, want one naming %s", eb.Errors, tt.field)
			}
		})
	}

	if pops := h.emu.ScreenPops("org-a"); len(pops) != 0 {
		t.Fatalf("rejected requests delivered pops: %+v", pops)
	}
}

func TestScreenPopDeliveryAndReplay(t *testing.T) {
	h := newHarness(t, Config{})
	a, b := h.tokenA(), h.tokenB()
	body := popBody("k-1")
	hdr := popHeaders("k-1", sign(DefaultSigningSecret, body))

	first := h.send("POST", "/api/v2/users/agent-1/screenpops", a, body, hdr)
	if first.status != 200 {
		t.Fatalf("first pop: %d %s", first.status, first.body)
	}
	var ans map[string]any
	_ = json.Unmarshal(first.body, &ans)
	if len(ans) != 4 || ans["id"] == "" || ans["status"] != "delivered" || ans["windowFocused"] != true {
		t.Errorf("answer = %s, want exactly id, status, windowFocused, deliveryTimeMs", first.body)
	}
	if _, ok := ans["deliveryTimeMs"].(float64); !ok {
		t.Errorf("deliveryTimeMs is not a number: %s", first.body)
	}

	again := h.send("POST", "/api/v2/users/agent-1/screenpops", a, body, hdr)
	if again.status != http.StatusConflict || !bytes.Equal(again.body, first.body) {
		t.Errorf("replay = %d %s, want 409 with %s", again.status, again.body, first.body)
	}

	// The key is spent whatever the body: a retry with different content still answers the original.
	other := popBody("k-1")
	other = bytes.Replace(other, []byte("customerId=42"), []byte("customerId=43"), 1)
	r := h.send("POST", "/api/v2/users/agent-2/screenpops", a, other, popHeaders("k-1", sign(DefaultSigningSecret, other)))
	if r.status != http.StatusConflict || !bytes.Equal(r.body, first.body) {
		t.Errorf("reuse with another body = %d %s", r.status, r.body)
	}

	// Keys are per org.
	r = h.send("POST", "/api/v2/users/agent-3/screenpops", b, body, hdr)
	if r.status != 200 {
		t.Errorf("org-b with the same key: %d %s", r.status, r.body)
	}

	h.clock.Advance(IdempotencyWindow - time.Second)
	if r := h.send("POST", "/api/v2/users/agent-1/screenpops", a, body, hdr); r.status != http.StatusConflict {
		t.Errorf("a second before the window closes: %d", r.status)
	}
	h.clock.Advance(time.Second)
	a = h.tokenA() // the old token expired with the window (both last 24 h)
	later := h.send("POST", "/api/v2/users/agent-1/screenpops", a, body, hdr)
	if later.status != 200 || bytes.Equal(later.body, first.body) {
		t.Errorf("after 24 h the key is new again: %d %s", later.status, later.body)
	}

	pops := h.emu.ScreenPops("org-a")
	if len(pops) != 2 || pops[0].UserID != "agent-1" || pops[0].IdempotencyKey != "k-1" ||
		pops[0].ApplicationID != "com.example.customapp" || pops[0].State["uiMode"] != "focused" {
		t.Errorf("org-a pops = %+v", pops)
	}
	if n := len(h.emu.ScreenPops("org-b")); n != 1 {
		t.Errorf("org-b has %d pops, want 1", n)
	}
	var keyed int
	for _, e := range h.emu.JournalWhere(JournalFilter{Route: "/api/v2/users/{userId}/screenpops"}) {
		if e.IdempotencyKey == "k-1" {
			keyed++
		}
	}
	if keyed != 6 {
		t.Errorf("journal has %d entries with the idempotency key, want 6", keyed)
	}
}

func TestScreenPopSigningSecret(t *testing.T) {
	h := newHarness(t, Config{SigningSecret: "s3cret-for-tests"})
	tok := h.tokenA()
	body := popBody("k")
	if r := h.send("POST", "/api/v2/users/agent-1/screenpops", tok, body, popHeaders("k", sign(DefaultSigningSecret, body))); r.status != 401 {
		t.Errorf("the default secret still signs: %d", r.status)
	}
	if r := h.send("POST", "/api/v2/users/agent-1/screenpops", tok, body, popHeaders("k", sign("s3cret-for-tests", body))); r.status != 200 {
		t.Errorf("the configured secret does not sign: %d %s", r.status, r.body)
	}
}

func TestScreenPopWindowUnfocused(t *testing.T) {
	h := newHarness(t, Config{Faults: []Fault{{Kind: KindWindowUnfocused, Pattern: ".x"}}})
	tok := h.tokenA()
	var focused []bool
	for _, key := range []string{"a", "b", "c"} {
		body := popBody(key)
		r := h.send("POST", "/api/v2/users/agent-2/screenpops", tok, body, popHeaders(key, sign(DefaultSigningSecret, body)))
		focused = append(focused, decode[ScreenPopAnswer](t, r.body).WindowFocused)
	}
	if focused[0] != true || focused[1] != false || focused[2] != true {
		t.Errorf("windowFocused = %v, want [true false true]", focused)
	}
	j := h.emu.JournalWhere(JournalFilter{Route: "/api/v2/users/{userId}/screenpops"})
	if j[1].Fault != string(KindWindowUnfocused) || j[0].Fault != "" {
		t.Errorf("journal faults = %q, %q", j[0].Fault, j[1].Fault)
	}
}
