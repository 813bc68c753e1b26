package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// A webhook is a notification: an operation spends little on a receiver that is down.
const (
	webhookRetryMax       = 2 // retries after a 5xx, a 429 or a failure without an answer: 3 attempts
	webhookAttemptTimeout = 10 * time.Second
)

// WebhookError reports an event that did not reach a webhook. It names the webhook's host
// only: webhook URLs often carry their credential in the path or the query.
type WebhookError struct {
	Host     string
	Status   int // the last HTTP status, 0 when the last attempt got no answer
	Attempts int
	Err      error // why the last attempt got no answer, if it got none
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

// PostWebhook posts body, a JSON event, to rawURL, a receiver outside Genesys Cloud (a
// productivity platform or a team's endpoint). signature is the body's X-Payload-Signature, so the
// caller signs exactly body; idempotencyKey, when not empty, is sent as Idempotency-Key on every
// attempt, so the receiver can drop the repeats a retry may cause.
//
// It goes through the retry policy of every call (5xx, 429 after Retry-After, failures without an
// answer, with backoff), with a budget of its own: webhookRetryMax retries, webhookAttemptTimeout
// an attempt. It sends no token, is not paced, counts in no Stats and is not observed, and it
// follows no redirect (a redirected POST would lose its body, or carry its signature to another
// host). A 2xx is success; anything else is a *WebhookError.
func (c *Client) PostWebhook(ctx context.Context, rawURL string, body []byte, signature, idempotencyKey string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("webhook URL must be an absolute http or https URL")
	}
	header := http.Header{"X-Payload-Signature": {signature}}
	if idempotencyKey != "" {
		header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := c.send(ctx, &call{
		kind:         kindWebhook,
		method:       http.MethodPost,
		url:          rawURL,
		path:         "(webhook)", // a webhook's path may be its credential
		body:         body,
		header:       header,
		retryNetwork: true, // the Idempotency-Key makes a repeat harmless
		retryServer:  true,
	})
	fail := &WebhookError{Host: u.Host}
	var reqErr *RequestError
	switch {
	case errors.As(err, &reqErr):
		fail.Attempts, fail.Err = reqErr.Attempts, withoutURL(reqErr.Err, rawURL, u.Host)
	case err != nil:
		fail.Err = withoutURL(err, rawURL, u.Host)
	case resp.ok():
		return nil
	default:
		fail.Attempts, fail.Status = resp.attempts, resp.status
	}
	return fail
}

// withoutURL keeps an error's reason, and what it wraps, but makes sure the webhook's URL does
// not come back in its text.
func withoutURL(err error, rawURL, host string) error {
	if msg := err.Error(); strings.Contains(msg, rawURL) {
		return &rewordedError{msg: strings.ReplaceAll(msg, rawURL, "host "+host), err: err}
	}
	return err
}

type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }
