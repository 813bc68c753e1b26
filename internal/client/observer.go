package client

import (
	"context"
	"strings"
	"time"
)

// Observer hears about every HTTP attempt and every retry the client makes, for tracing and
// metrics (the provider passes internal/telemetry). Methods are called on the goroutine making
// the call, with its context, and must return quickly. What they receive never holds a secret:
// no header, no body, no token, and paths are route templates without ids.
type Observer interface {
	ObserveAttempt(ctx context.Context, a Attempt)
	ObserveRetry(ctx context.Context, r Retry)
}

// Attempt is one HTTP request sent, or tried, to Genesys Cloud.
type Attempt struct {
	Method string
	Route  string // path template, e.g. /api/v2/integrations/{integrationId}/config/current
	Host   string // host[:port] of the service called
	Number int    // 1 for the first attempt of a call, 2 for its first retry, ...
	Token  bool   // an OAuth token request rather than an API call

	Paced    time.Duration // how long the attempt waited for the rate limit before it was sent
	Start    time.Time     // when it was sent (after pacing)
	Duration time.Duration // until the answer's headers, or the failure

	Status        int    // 0 when no answer came
	CorrelationID string // the answer's ININ-Correlation-Id
	Err           error  // the transport failure, if any
}

// Retry reasons.
const (
	RetryRateLimited  = "rate_limited" // 429
	RetryServerError  = "server_error" // 5xx
	RetryNetwork      = "network"      // no answer
	RetryUnauthorized = "unauthorized" // 401: a fresh token is fetched
)

// Retry is the client's decision to send a call again.
type Retry struct {
	Method, Route string
	Attempt       int           // the attempt that failed
	Reason        string        // one of the Retry* reasons
	Status        int           // the answer that is retried; 0 for a network failure
	Wait          time.Duration // how long the client waits first (Retry-After for a 429)
	CorrelationID string
}

// routeOf turns a request path into its route template: the ids after "integrations" and
// "users" become placeholders, so spans and metrics group by route and carry no user id.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		switch parts[i-1] {
		case "integrations":
			if parts[i] != "" {
				parts[i] = "{integrationId}"
			}
		case "users":
			if parts[i] != "" {
				parts[i] = "{userId}"
			}
		}
	}
	return strings.Join(parts, "/")
}

func (c *Client) observeAttempt(ctx context.Context, a Attempt) {
	if c.observer != nil {
		c.observer.ObserveAttempt(ctx, a)
	}
}

func (c *Client) observeRetry(ctx context.Context, r Retry) {
	if c.observer != nil {
		c.observer.ObserveRetry(ctx, r)
	}
}
