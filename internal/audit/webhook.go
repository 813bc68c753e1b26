package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EventScreenPopActivated is the event a Webhook posts after a delivered screen pop.
const EventScreenPopActivated = "screenpop_activated"

// Webhook defaults.
const (
	DefaultWebhookAttempts = 3
	DefaultWebhookBackoff  = 500 * time.Millisecond
	defaultWebhookTimeout  = 10 * time.Second
	maxRetryAfter          = 30 * time.Second
)

// ScreenPopEvent is what a Webhook reports about one delivered screen pop.
type ScreenPopEvent struct {
	UserID         string
	LatencyMs      float64
	WindowFocus    bool
	Timestamp      time.Time // when the pop was delivered; zero means now
	IdempotencyKey string
}

// Webhook posts screen pop events to a productivity platform.
//
// The body is JSON {"event":"screenpop_activated","userId","latencyMs","windowFocus","timestamp",
// "idempotencyKey"}, signed the way screen pops are: X-Payload-Signature is the standard base64
// of HMAC-SHA256(Secret, body) over exactly the bytes sent. Idempotency-Key is the pop's key, so
// a receiver can drop the repeats a retry may cause.
type Webhook struct {
	URL    string // http or https; "" makes Send a no-op
	Secret []byte // the screen pop signing secret; required
	// Client sends the requests; nil means a client with a 10 s timeout that does not follow
	// redirects (a redirected POST would lose its body, or carry its signature to another host).
	Client *http.Client
	// MaxAttempts bounds the tries; 0 means DefaultWebhookAttempts. Network errors, 429 and 5xx
	// are retried, waiting Backoff (0 means DefaultWebhookBackoff), then twice that, and so on, or
	// longer when the receiver asks with Retry-After (up to 30 s). Other answers are final.
	MaxAttempts int
	Backoff     time.Duration
}

// WebhookError reports an event that did not reach the webhook. It names the webhook's host
// only: webhook URLs often carry their credential in the path or the query.
type WebhookError struct {
	Host     string
	Status   int // the last HTTP status, 0 when no answer came
	Attempts int
	Err      error // the last transport or context error, if any
}

func (e *WebhookError) Error() string {
	tries := "after 1 attempt"
	if e.Attempts != 1 {
		tries = fmt.Sprintf("after %d attempts", e.Attempts)
	}
	switch {
	case e.Status != 0 && e.Status/100 == 3:
		return fmt.Sprintf("webhook at host %q answered %d %s %s; redirects are not followed, so set the webhook URL to the final address",
			e.Host, e.Status, http.StatusText(e.Status), tries)
	case e.Status != 0:
		return fmt.Sprintf("webhook at host %q answered %d %s %s", e.Host, e.Status, http.StatusText(e.Status), tries)
	case e.Err != nil:
		return fmt.Sprintf("webhook at host %q could not be reached %s: %v", e.Host, tries, e.Err)
	}
	return fmt.Sprintf("webhook at host %q failed %s", e.Host, tries)
}

func (e *WebhookError) Unwrap() error { return e.Err }

// Send posts ev to the webhook, retrying as described on Webhook, until it is accepted (2xx), the
// attempts run out, or ctx ends. A nil Webhook or an empty URL sends nothing.
func (w *Webhook) Send(ctx context.Context, ev ScreenPopEvent) error {
	if w == nil || w.URL == "" {
		return nil
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = time.Now()
	}
	return w.send(ctx, webhookBody{
		Event:          EventScreenPopActivated,
		UserID:         ev.UserID,
		LatencyMs:      ev.LatencyMs,
		WindowFocus:    ev.WindowFocus,
		Timestamp:      ev.Timestamp.UTC().Format(time.RFC3339Nano),
		IdempotencyKey: ev.IdempotencyKey,
	}, ev.IdempotencyKey)
}

// send posts event, encoded as JSON and signed, under idempotencyKey, as Send describes.
func (w *Webhook) send(ctx context.Context, event any, idempotencyKey string) error {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("webhook URL must be an absolute http or https URL")
	}
	if len(w.Secret) == 0 {
		return errors.New("webhook events are signed with the screen pop signing secret, which is empty; set screenpop.signing_secret")
	}
	body, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("encoding the webhook event: %w", err)
	}
	sig := sign(w.Secret, body)

	client := w.Client
	if client == nil {
		client = &http.Client{
			Timeout:       defaultWebhookTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	attempts := w.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultWebhookAttempts
	}
	backoff := w.Backoff
	if backoff <= 0 {
		backoff = DefaultWebhookBackoff
	}

	fail := &WebhookError{Host: u.Host}
	for attempt := 1; attempt <= attempts; attempt++ {
		fail.Attempts = attempt
		status, retryAfter, err := post(ctx, client, w.URL, body, sig, idempotencyKey)
		fail.Status, fail.Err = status, sanitize(err, w.URL, u.Host)
		switch {
		case err == nil && status/100 == 2:
			return nil
		case ctx.Err() != nil:
			fail.Status, fail.Err = 0, ctx.Err()
			return fail
		case err == nil && status != http.StatusTooManyRequests && status < 500:
			return fail // the receiver refused this event; sending it again changes nothing
		case attempt == attempts:
			return fail
		}
		wait := backoff << (attempt - 1)
		if wait <= 0 || wait > maxRetryAfter { // shifted past the cap, or overflowed
			wait = maxRetryAfter
		}
		if retryAfter > wait {
			wait = min(retryAfter, maxRetryAfter)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			fail.Status, fail.Err = 0, ctx.Err()
			return fail
		case <-timer.C:
		}
	}
	return fail
}

type webhookBody struct {
	Event          string  `json:"event"`
	UserID         string  `json:"userId"`
	LatencyMs      float64 `json:"latencyMs"`
	WindowFocus    bool    `json:"windowFocus"`
	Timestamp      string  `json:"timestamp"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// post makes one attempt with a fresh body reader, so a retry sends the whole body again.
func post(ctx context.Context, client *http.Client, rawURL string, body []byte, sig, key string) (status int, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Payload-Signature", sig)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	// Drained (up to a bound) so the connection can be reused for the next attempt.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")), nil
}

// parseRetryAfter reads Retry-After in seconds or as an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// sanitize keeps a transport error's reason but not the URL *url.Error wraps it in, and makes sure
// the URL does not come back some other way.
func sanitize(err error, rawURL, host string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if msg := err.Error(); strings.Contains(msg, rawURL) {
		return errors.New(strings.ReplaceAll(msg, rawURL, "host "+host))
	}
	return err
}

// sign is the screen pop signature scheme (package screenpop's Sign), repeated here so that audit
// does not import screenpop: the provider imports both, and they import nothing of each other.
func sign(secret, body []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
