package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

// eventWidgetDeployment is the event telemetry.webhook_url hears after every widget operation.
const eventWidgetDeployment = "widget_deployment"

// widgetDeploymentEvent is the JSON a widget_deployment webhook receives. It is signed as screen
// pops are (X-Payload-Signature under the screen pop signing secret) and sent under its EventID as
// Idempotency-Key, new for each event, so a receiver can drop the repeats a retry may cause.
type widgetDeploymentEvent struct {
	Event         string  `json:"event"`
	Operation     string  `json:"operation"`          // create, configure, activate, update, disable or delete
	WidgetID      string  `json:"widgetId,omitempty"` // none when a create failed before the widget had one
	WidgetName    string  `json:"widgetName"`
	Environment   string  `json:"environment,omitempty"`
	Status        string  `json:"status"` // audit.StatusSuccess or audit.StatusFailure, as in the audit log
	LatencyMs     float64 `json:"latencyMs"`
	CorrelationID string  `json:"correlationId,omitempty"` // of the failed answer, when there was one
	Error         string  `json:"error,omitempty"`         // why it failed, scrubbed as the audit log is
	Timestamp     string  `json:"timestamp"`               // when the operation finished, UTC
	EventID       string  `json:"eventId"`
}

// sendWidgetEvent posts one widget_deployment event to telemetry.webhook_url, through the API
// client's retrying transport; a *client.WebhookError when it did not get there.
func (d *providerData) sendWidgetEvent(ctx context.Context, op, id, name string, latency time.Duration, opErr error) error {
	var idBytes [16]byte
	_, _ = rand.Read(idBytes[:])
	ev := widgetDeploymentEvent{
		Event:       eventWidgetDeployment,
		Operation:   op,
		WidgetID:    id,
		WidgetName:  name,
		Environment: d.environment,
		Status:      audit.StatusSuccess,
		LatencyMs:   float64(latency.Microseconds()) / 1000,
		Timestamp:   time.Now().UTC().Format(time.RFC3339Nano),
		EventID:     hex.EncodeToString(idBytes[:]),
	}
	if opErr != nil {
		ev.Status, ev.Error = audit.StatusFailure, audit.ScrubText(opErr.Error())
		ev.CorrelationID = client.CorrelationID(opErr)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding the webhook event: %w", err)
	}
	signature, err := screenpop.Sign(d.screenPop.SigningSecret, body)
	if err != nil {
		return err
	}
	return d.client.PostWebhook(ctx, d.widgetHookURL, body, signature, ev.EventID)
}
