package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSendWidgetSignsRetriesAndScrubs(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(webhookSecret))
		mac.Write(body)
		if got, want := r.Header.Get("X-Payload-Signature"), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
			t.Errorf("signature %q, want %q", got, want)
		}
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		bodies = append(bodies, body)
		if len(bodies) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // the first attempt fails; the retry is the same event
		}
	}))
	defer srv.Close()

	hook := &Webhook{URL: srv.URL, Secret: []byte(webhookSecret), Backoff: time.Millisecond}
	err := hook.SendWidget(context.Background(), WidgetEvent{
		Operation: "configure", WidgetID: "w-1", WidgetName: "Dashboard", Environment: "mypurecloud.ie",
		LatencyMs: 12.5, CorrelationID: "c-9",
		Error:     `PUT /api/v2/integrations/w-1/config/current: 400 bad url "https://user:pw@crm.example.com/#sessionToken=abc"`,
		Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || string(bodies[0]) != string(bodies[1]) || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("attempts %d, keys %q: a retry must send the same event under the same key", len(bodies), keys)
	}
	var got map[string]any
	if err := json.Unmarshal(bodies[1], &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"event": EventWidgetDeployment, "operation": "configure", "widgetId": "w-1", "widgetName": "Dashboard",
		"environment": "mypurecloud.ie", "status": StatusFailure, "latencyMs": 12.5, "correlationId": "c-9",
		"timestamp": "2026-01-02T03:04:05Z", "eventId": keys[0],
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if e, _ := got["error"].(string); strings.Contains(e, "abc") || strings.Contains(e, "pw@") || !strings.Contains(e, "400 bad url") {
		t.Errorf("error %q: want the reason without the URL's fragment or credentials", e)
	}
}

func TestSendWidgetNeedsNothingWithoutURL(t *testing.T) {
	var hook *Webhook
	if err := hook.SendWidget(context.Background(), WidgetEvent{Operation: "create"}); err != nil {
		t.Fatal(err)
	}
	if err := (&Webhook{URL: "https://hooks.example.com/x"}).SendWidget(context.Background(), WidgetEvent{}); err == nil ||
		!strings.Contains(err.Error(), "signing secret") {
		t.Fatalf("err = %v; want the missing signing secret named", err)
	}
}
