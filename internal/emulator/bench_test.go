package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCreateGetList measures the emulator's own cost per request (no network), so a
// benchmark of the client can tell how much of its time the emulator takes.
func BenchmarkCreateGetList(b *testing.B) {
	emu, err := New(Config{RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	tokenReq := httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=client_credentials"))
	tokenReq.SetBasicAuth("org-a-client", "org-a-secret")
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, tokenReq)
	var tr tokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil {
		b.Fatal(err)
	}
	tok := tr.AccessToken
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		return rec
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := do("POST", "/api/v2/integrations", `{"name":"bench","integrationType":{"id":"embedded-client-app"}}`)
		if rec.Code != http.StatusOK {
			b.Fatalf("create: %d", rec.Code)
		}
		var it Integration
		if err := json.Unmarshal(rec.Body.Bytes(), &it); err != nil {
			b.Fatal(err)
		}
		if rec := do("GET", "/api/v2/integrations/"+it.ID, ""); rec.Code != http.StatusOK {
			b.Fatalf("get: %d", rec.Code)
		}
		if rec := do("GET", "/api/v2/integrations?pageSize=25", ""); rec.Code != http.StatusOK {
			b.Fatalf("list: %d", rec.Code)
		}
	}
}
