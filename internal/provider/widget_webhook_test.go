package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
)

// TestSendWidgetEventSignsRetriesAndScrubs: an event is signed over the bytes sent, a retry sends
// the same event under the same key, and a failure's text loses URL credentials and fragments.
func TestSendWidgetEventSignsRetriesAndScrubs(t *testing.T) {
	// The first attempt fails; the retry must be the same event.
	hook, hookURL := hooktest.Serve(t, hooktest.Status(http.StatusServiceUnavailable), hooktest.Status(http.StatusOK))
	c, err := client.New(client.Config{ClientID: "id", ClientSecret: "secret", APIURL: hookURL, LoginURL: hookURL,
		RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{client: c, environment: "mypurecloud.ie", widgetHookURL: hookURL + "/hooks/widgets",
		screenPop: &delivery.Sender{SigningSecret: []byte(testSigningKey)}}
	opErr := &client.APIError{Method: "PUT", Path: "/api/v2/integrations/w-1/config/current", Status: 400,
		Message: `bad url "https://user:pw@crm.example.com/#sessionToken=abc"`, CorrelationID: "c-9"}
	if err := d.sendWidgetEvent(context.Background(), "configure", "w-1", "Dashboard", 12500*time.Microsecond, opErr); err != nil {
		t.Fatal(err)
	}
	heard := hook.Requests()
	if len(heard) != 2 {
		t.Fatalf("%d attempts; want the failed one and its retry", len(heard))
	}
	for i, r := range heard {
		if !r.SignedWith([]byte(testSigningKey)) {
			t.Errorf("attempt %d: signature %q does not sign %s", i+1, r.Header.Get("X-Payload-Signature"), r.Body)
		}
	}
	key := heard[0].Header.Get("Idempotency-Key")
	if string(heard[0].Body) != string(heard[1].Body) || key == "" || heard[1].Header.Get("Idempotency-Key") != key {
		t.Fatalf("keys %q and %q: a retry must send the same event under the same key",
			key, heard[1].Header.Get("Idempotency-Key"))
	}
	got, err := heard[1].Event()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"event": "widget_deployment", "operation": "configure", "widgetId": "w-1", "widgetName": "Dashboard",
		"environment": "mypurecloud.ie", "status": audit.StatusFailure, "latencyMs": 12.5, "correlationId": "c-9",
		"eventId": key,
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
	_, goneURL := hooktest.Serve(t, hooktest.Status(http.StatusNotFound))
	d.widgetHookURL = goneURL + "/hooks/widgets"
	var we *client.WebhookError
	if err := d.sendWidgetEvent(context.Background(), "delete", "w-1", "Dashboard", 0, nil); !errors.As(err, &we) || we.Status != 404 {
		t.Errorf("sendWidgetEvent = %v; want a *client.WebhookError with status 404", err)
	}
}
