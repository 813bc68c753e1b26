// Package delivery sends screen pops end to end: it checks the target, injects the customer
// context, signs the exact bytes, delivers them under an idempotency key, appends the audit entry
// and tells the productivity platform's webhook. The provider's resource and action and the local
// trigger endpoint (cmd/genesys-screenpop-trigger) all send through it, so a pop means the same
// thing wherever it starts.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

// ErrNoSigningSecret means pops cannot be sent: every one is signed.
var ErrNoSigningSecret = errors.New("no screen pop signing secret is configured")

// Sender sends screen pops for one org.
type Sender struct {
	Client         *client.Client
	SigningSecret  []byte
	AllowedDomains []string   // host patterns; empty allows any https host
	WebhookURL     string     // default webhook; a Pop's own WebhookURL wins
	Audit          *audit.Log // nil writes nothing
	Environment    string     // for the audit trail
}

// Pop is one screen pop.
type Pop struct {
	UserID         string
	ApplicationID  string
	TargetURL      string
	SessionToken   string
	CustomerData   map[string]string
	State          map[string]string
	IdempotencyKey string
	WebhookURL     string
}

// Result is what a delivered pop reports.
type Result struct {
	PopID          string
	Status         string
	WindowFocused  bool
	DeliveryTimeMs int64
	Latency        time.Duration // measured round trip, retries included
	DeliveredAt    time.Time
	Signature      string
	Replayed       bool  // the service had seen the key: this is the original delivery's answer
	WebhookErr     error // the webhook failed; the pop itself was delivered
	AuditErr       error // the audit entry could not be written; the pop itself was delivered
}

// TargetError is a target URL the sender refuses to open.
type TargetError struct{ Err error }

func (e *TargetError) Error() string { return e.Err.Error() }
func (e *TargetError) Unwrap() error { return e.Err }

// ContextError is customer context that cannot go into the target URL's fragment. Err is a
// *screenpop.ContextError, whose Part says which input to change.
type ContextError struct{ Err error }

func (e *ContextError) Error() string { return e.Err.Error() }
func (e *ContextError) Unwrap() error { return e.Err }

// UserIDError is a user ID that can be no agent's ID.
type UserIDError struct{ Err error }

func (e *UserIDError) Error() string { return e.Err.Error() }
func (e *UserIDError) Unwrap() error { return e.Err }

// CheckPop runs the rules that need only the pop itself, before anything is sent: the user ID
// (*UserIDError) and the customer context in the target URL, its size included (*ContextError).
// It needs no sender, so configuration can be checked before the provider is configured. It
// returns the URL the pop would open.
func CheckPop(p Pop) (string, error) {
	if err := screenpop.CheckUserID(p.UserID); err != nil {
		return "", &UserIDError{Err: err}
	}
	uri, err := screenpop.InjectContext(p.TargetURL, p.SessionToken, p.CustomerData)
	if err != nil {
		return "", &ContextError{Err: err}
	}
	return uri, nil
}

// Check reports what stops a pop to targetURL from being sent, before anything is sent:
// ErrNoSigningSecret, or a *TargetError. An empty targetURL checks the secret alone.
func (s *Sender) Check(targetURL string) error {
	if len(s.SigningSecret) == 0 {
		return ErrNoSigningSecret
	}
	if targetURL == "" {
		return nil
	}
	if err := screenpop.CheckTargetURL(targetURL, s.AllowedDomains); err != nil {
		return &TargetError{Err: err}
	}
	return nil
}

// Send delivers p. progress, when not nil, hears each step. A failed webhook or audit write is
// reported in the Result, not as an error: the pop was delivered and must not be sent again.
func (s *Sender) Send(ctx context.Context, p Pop, progress func(string)) (*Result, error) {
	if err := s.Check(p.TargetURL); err != nil {
		return nil, err
	}
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	uri, err := CheckPop(p)
	if err != nil {
		return nil, err
	}
	body, err := screenpop.Payload{
		ApplicationID:  p.ApplicationID,
		URI:            uri,
		State:          p.State,
		IdempotencyKey: p.IdempotencyKey,
	}.Encode()
	if err != nil {
		return nil, fmt.Errorf("encoding the screen pop: %w", err)
	}
	signature, err := screenpop.Sign(s.SigningSecret, body)
	if err != nil {
		return nil, fmt.Errorf("signing the screen pop: %w", err)
	}
	say("signed screen pop for user %s (%d bytes, idempotency key %s)", p.UserID, len(body), p.IdempotencyKey)

	start := time.Now()
	res, err := s.Client.TriggerScreenPop(ctx, p.UserID, body, p.IdempotencyKey, signature)
	latency := time.Since(start)
	entry := audit.Entry{
		Operation:      audit.OpScreenPop,
		Environment:    s.Environment,
		UserID:         p.UserID,
		IdempotencyKey: p.IdempotencyKey,
		TargetURL:      screenpop.RedactURL(uri),
		LatencyMs:      float64(latency.Microseconds()) / 1000,
		Status:         audit.StatusSuccess,
	}
	if err != nil {
		entry.Status, entry.Error, entry.CorrelationID = audit.StatusFailure, err.Error(), client.CorrelationID(err)
		_ = s.Audit.Record(entry) // the delivery error is what the caller must hear about
		return nil, err
	}
	focused := res.WindowFocused
	entry.PopID, entry.WindowFocused = res.ID, &focused
	auditErr := s.Audit.Record(entry)

	out := &Result{
		PopID:          res.ID,
		Status:         res.Status,
		WindowFocused:  res.WindowFocused,
		DeliveryTimeMs: res.DeliveryTimeMs,
		Latency:        latency,
		DeliveredAt:    time.Now().UTC(),
		Signature:      signature,
		Replayed:       res.Replayed,
		AuditErr:       auditErr,
	}
	if res.Replayed {
		say("already delivered earlier under this idempotency key (pop %s); not popped again", res.ID)
	} else {
		say("delivered pop %s in %d ms", res.ID, latency.Milliseconds())
	}
	if res.WindowFocused {
		say("agent window focused")
	} else {
		say("agent window not focused")
	}

	webhookURL := p.WebhookURL
	if webhookURL == "" {
		webhookURL = s.WebhookURL
	}
	// A replayed pop was announced when it was first delivered.
	if webhookURL != "" && !res.Replayed {
		out.WebhookErr = s.announce(ctx, webhookURL, activatedEvent{
			Event:          EventScreenPopActivated,
			UserID:         p.UserID,
			LatencyMs:      entry.LatencyMs,
			WindowFocus:    res.WindowFocused,
			Timestamp:      out.DeliveredAt.Format(time.RFC3339Nano),
			IdempotencyKey: p.IdempotencyKey,
		})
		if out.WebhookErr == nil {
			say("webhook notified")
		}
	}
	return out, nil
}

// EventScreenPopActivated is the event the webhook hears after a delivered screen pop.
const EventScreenPopActivated = "screenpop_activated"

// activatedEvent is the JSON the webhook receives. It is signed as the pop is (X-Payload-Signature
// over exactly these bytes, under the signing secret) and sent under the pop's idempotency key,
// so a receiver can drop the repeats a retry may cause.
type activatedEvent struct {
	Event          string  `json:"event"`
	UserID         string  `json:"userId"`
	LatencyMs      float64 `json:"latencyMs"`
	WindowFocus    bool    `json:"windowFocus"`
	Timestamp      string  `json:"timestamp"` // when the pop was delivered, UTC
	IdempotencyKey string  `json:"idempotencyKey"`
}

// announce posts ev to the webhook at url: a *client.WebhookError when it did not get there.
func (s *Sender) announce(ctx context.Context, url string, ev activatedEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding the webhook event: %w", err)
	}
	signature, err := screenpop.Sign(s.SigningSecret, body)
	if err != nil {
		return err
	}
	return s.Client.PostWebhook(ctx, url, body, signature, ev.IdempotencyKey)
}
