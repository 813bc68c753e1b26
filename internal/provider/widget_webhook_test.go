package provider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
)

// TestSendWidgetEventSignsRetriesAndScrubs: an event is signed over the bytes sent, a retry sends
// the same event under the same key, and a failure's text loses URL credentials and fragments.
func TestSendWidgetEventSignsRetriesAndScrubs(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Payload-Signature") != testSignature(body) {
			t.Errorf("signature %q does not sign %s", r.Header.Get("X-Payload-Signature"), body)
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
	c, err := client.New(client.Config{ClientID: "id", ClientSecret: "secret", APIURL: srv.URL, LoginURL: srv.URL,
		RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{client: c, environment: "mypurecloud.ie", widgetHookURL: srv.URL + "/hooks/widgets",
		screenPop: &delivery.Sender{SigningSecret: []byte(testSigningKey)}}
	opErr := &client.APIError{Method: "PUT", Path: "/api/v2/integrations/w-1/config/current", Status: 400,
		Message: `bad url "https://user:pw@crm.example.com/#sessionToken=abc"`, CorrelationID: "c-9"}
	if err := d.sendWidgetEvent(context.Background(), "configure", "w-1", "Dashboard", 12500*time.Microsecond, opErr); err != nil {
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
		"event": "widget_deployment", "operation": "configure", "widgetId": "w-1", "widgetName": "Dashboard",
		"environment": "mypurecloud.ie", "status": audit.StatusFailure, "latencyMs": 12.5, "correlationId": "c-9",
		"eventId": keys[0],
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if ts, _ := got["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %q is not UTC RFC 3339", ts)
	}
	if e, _ := got["error"].(string); strings.Contains(e, "abc") || strings.Contains(e, "pw@") || !strings.Contains(e, "400") {
		t.Errorf("error %q: want the reason without the URL's fragment or credentials", e)
	}

	// A receiver that refuses the event is a *client.WebhookError, for the caller's warning.
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()
	d.widgetHookURL = gone.URL + "/hooks/widgets"
	var we *client.WebhookError
	if err := d.sendWidgetEvent(context.Background(), "delete", "w-1", "Dashboard", 0, nil); !errors.As(err, &we) || we.Status != 404 {
		t.Errorf("sendWidgetEvent = %v; want a *client.WebhookError with status 404", err)
	}
}
