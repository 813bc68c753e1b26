package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// EventWidgetDeployment is the event a Webhook posts after every widget operation.
const EventWidgetDeployment = "widget_deployment"

// WidgetEvent is what a Webhook reports about one widget operation.
type WidgetEvent struct {
	Operation     string // create, configure, activate, update, disable or delete
	WidgetID      string // "" when a create failed before the widget had one
	WidgetName    string
	Environment   string
	Success       bool
	LatencyMs     float64
	CorrelationID string    // of the failed answer, when there was one
	Error         string    // why it failed; the client's text, which holds no secret
	Timestamp     time.Time // when the operation finished; zero means now
}

// widgetEventBody is the JSON a widget_deployment webhook receives.
type widgetEventBody struct {
	Event         string  `json:"event"`
	Operation     string  `json:"operation"`
	WidgetID      string  `json:"widgetId,omitempty"`
	WidgetName    string  `json:"widgetName"`
	Environment   string  `json:"environment,omitempty"`
	Status        string  `json:"status"` // StatusSuccess or StatusFailure, as in the audit log
	LatencyMs     float64 `json:"latencyMs"`
	CorrelationID string  `json:"correlationId,omitempty"`
	Error         string  `json:"error,omitempty"`
	Timestamp     string  `json:"timestamp"`
	EventID       string  `json:"eventId"`
}

// SendWidget posts ev as a widget_deployment event, signed and retried as Send does. Its
// Idempotency-Key (and eventId) is random and new for each event, so a receiver can drop the
// repeats a retry may cause. A nil Webhook or an empty URL sends nothing.
func (w *Webhook) SendWidget(ctx context.Context, ev WidgetEvent) error {
	if w == nil || w.URL == "" {
		return nil
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = time.Now()
	}
	status := StatusFailure
	if ev.Success {
		status = StatusSuccess
	}
	id := newEventID()
	e := Entry{Error: ev.Error}
	scrubEntry(&e) // an error could quote a URL; its fragment and user info never leave
	return w.send(ctx, widgetEventBody{
		Event:         EventWidgetDeployment,
		Operation:     ev.Operation,
		WidgetID:      ev.WidgetID,
		WidgetName:    ev.WidgetName,
		Environment:   ev.Environment,
		Status:        status,
		LatencyMs:     ev.LatencyMs,
		CorrelationID: ev.CorrelationID,
		Error:         e.Error,
		Timestamp:     ev.Timestamp.UTC().Format(time.RFC3339Nano),
		EventID:       id,
	}, id)
}

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
