package telemetry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// Attributes of our own, where the semantic conventions have none. Standard ones (error.type,
// http.*, url.template, server.address) come from semconv.
const (
	attrEnvironment    = attribute.Key("genesys.environment")
	attrOrgID          = attribute.Key("genesys.org.id")
	attrOrgName        = attribute.Key("genesys.org.name")
	attrOperation      = attribute.Key("genesys.operation")
	attrOutcome        = attribute.Key("genesys.outcome")
	attrCorrelationID  = attribute.Key("genesys.correlation_id")
	attrLatencyMs      = attribute.Key("genesys.latency_ms")
	attrWidgetID       = attribute.Key("genesys.widget.id")
	attrWidgetName     = attribute.Key("genesys.widget.name")
	attrPopID          = attribute.Key("genesys.screenpop.id")
	attrPopReplayed    = attribute.Key("genesys.screenpop.replayed")
	attrWindowFocused  = attribute.Key("genesys.screenpop.window_focused")
	attrDeliveryTimeMs = attribute.Key("genesys.screenpop.delivery_time_ms")
	attrRetryReason    = attribute.Key("genesys.retry.reason")
	attrRetryWaitMs    = attribute.Key("genesys.retry.wait_ms")
	attrPacedMs        = attribute.Key("genesys.rate_limit.paced_ms")
)

// Operation is what happened to a widget.
type Operation string

// The widget operations. A create is three of them in a row: create, configure, activate.
const (
	OpCreate    Operation = "create"    // POST the integration
	OpConfigure Operation = "configure" // PUT its first configuration
	OpActivate  Operation = "activate"  // enable it and wait for ACTIVE
	OpUpdate    Operation = "update"    // PUT a changed configuration
	OpDisable   Operation = "disable"   // disable it and wait for INACTIVE
	OpDelete    Operation = "delete"
	opScreenPop Operation = "screenpop"
)

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// span is an operation in progress: a widget operation or a screen pop.
type span struct {
	t     *Telemetry
	span  trace.Span
	op    Operation
	start time.Time

	mu            sync.Mutex
	correlationID string // of the last answer seen, so a success has one too
}

type spanKey struct{}

func (t *Telemetry) start(ctx context.Context, op Operation, name string, attrs ...attribute.KeyValue) (context.Context, *span) {
	s := &span{t: t, op: op, start: time.Now()}
	attrs = append(append(attrs, attrOperation.String(string(op))), t.common()...)
	ctx, s.span = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, spanKey{}, s), s
}

// end closes the span; its attributes say how it went. describe puts the error's text in the
// span's status: a widget operation's errors are the client's (method, route, status and
// Genesys' message; the client masks credentials), but a screen pop's answer could echo the
// target URL, whose fragment carries the session token and customer data, so it gets none.
func (s *span) end(err error, describe bool, attrs ...attribute.KeyValue) (outcome string, latency time.Duration) {
	latency = time.Since(s.start)
	outcome = OutcomeSuccess
	if err != nil {
		outcome = OutcomeFailure
	}
	cid := client.CorrelationID(err)
	if cid == "" {
		s.mu.Lock()
		cid = s.correlationID
		s.mu.Unlock()
	}
	attrs = append(attrs,
		attrOutcome.String(outcome),
		attrLatencyMs.Float64(float64(latency.Microseconds())/1000),
	)
	if cid != "" {
		attrs = append(attrs, attrCorrelationID.String(cid))
	}
	if err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(err)))
		desc := ""
		if describe {
			desc = err.Error()
		}
		s.span.SetStatus(codes.Error, desc)
	}
	s.span.SetAttributes(attrs...)
	s.span.End()
	return outcome, latency
}

// WidgetOp is a widget operation in progress. A nil *WidgetOp does nothing.
type WidgetOp struct{ s *span }

// StartWidget starts the span of one widget operation. id is "" before a create has one. The
// returned context carries the span: pass it to the client calls of the operation, so that their
// attempts become child spans and their retries events.
func (t *Telemetry) StartWidget(ctx context.Context, op Operation, id, name string) (context.Context, *WidgetOp) {
	if t == nil {
		return ctx, nil
	}
	attrs := []attribute.KeyValue{attrWidgetName.String(name)}
	if id != "" {
		attrs = append(attrs, attrWidgetID.String(id))
	}
	ctx, s := t.start(ctx, op, "genesys.widget."+string(op), attrs...)
	return ctx, &WidgetOp{s: s}
}

// End ends the operation: id is the widget's (known after a create), err what it failed with.
// It returns an export failure, once per Telemetry, for the caller to show as a warning.
func (o *WidgetOp) End(ctx context.Context, id string, err error) error {
	if o == nil {
		return nil
	}
	var attrs []attribute.KeyValue
	if id != "" {
		attrs = append(attrs, attrWidgetID.String(id))
	}
	outcome, latency := o.s.end(err, true, attrs...)
	t := o.s.t
	t.inst.widgetOperation(context.WithoutCancel(ctx), t.common(), o.s.op, outcome, latency)
	return t.finished(ctx)
}

// PopOp is a screen pop in progress. A nil *PopOp does nothing.
type PopOp struct{ s *span }

// PopResult is what a delivered pop reports.
type PopResult struct {
	PopID          string
	Replayed       bool // already delivered under this idempotency key
	WindowFocused  bool
	DeliveryTimeMs int64
}

// StartPop starts the span of one screen pop of the widget applicationID. The agent it pops for
// is deliberately not recorded: telemetry leaves the provider for a third-party stack.
func (t *Telemetry) StartPop(ctx context.Context, applicationID string) (context.Context, *PopOp) {
	if t == nil {
		return ctx, nil
	}
	ctx, s := t.start(ctx, opScreenPop, "genesys.screenpop", attrWidgetID.String(applicationID))
	return ctx, &PopOp{s: s}
}

// End ends the pop: res is nil when err is not. It returns an export failure, once per
// Telemetry, for the caller to show as a warning.
func (o *PopOp) End(ctx context.Context, res *PopResult, err error) error {
	if o == nil {
		return nil
	}
	var attrs []attribute.KeyValue
	if res != nil {
		attrs = append(attrs,
			attrPopID.String(res.PopID),
			attrPopReplayed.Bool(res.Replayed),
			attrWindowFocused.Bool(res.WindowFocused),
			attrDeliveryTimeMs.Int64(res.DeliveryTimeMs),
		)
	}
	outcome, latency := o.s.end(err, false, attrs...)
	t := o.s.t
	t.inst.screenPop(context.WithoutCancel(ctx), t.common(), outcome, res, latency)
	return t.finished(ctx)
}

var _ client.Observer = (*Telemetry)(nil)

// ObserveAttempt makes each API attempt of an operation a child span of it. Attempts outside an
// operation (refreshes, plans) make no span: only the operations are worth a trace.
func (t *Telemetry) ObserveAttempt(ctx context.Context, a client.Attempt) {
	if t == nil {
		return
	}
	parent := trace.SpanFromContext(ctx)
	if s, ok := ctx.Value(spanKey{}).(*span); ok && a.CorrelationID != "" {
		s.mu.Lock()
		s.correlationID = a.CorrelationID
		s.mu.Unlock()
	}
	if a.Status == http.StatusTooManyRequests {
		t.inst.attempt(context.WithoutCancel(ctx), append(t.common(), semconv.HTTPRequestMethodKey.String(a.Method), semconv.URLTemplate(a.Route)), a)
	}
	if !parent.IsRecording() {
		return
	}
	host, port := hostPort(a.Host)
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(a.Method),
		semconv.URLTemplate(a.Route),
		semconv.ServerAddress(host),
	}
	if port != 0 {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	if a.Number > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(a.Number-1))
	}
	if a.Status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(a.Status))
	}
	if a.CorrelationID != "" {
		attrs = append(attrs, attrCorrelationID.String(a.CorrelationID))
	}
	if a.Paced > 0 {
		attrs = append(attrs, attrPacedMs.Int64(a.Paced.Milliseconds()))
	}
	failed := a.Err != nil || a.Status >= 400
	if a.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(transportErrorType(a.Err)))
	} else if a.Status >= 400 {
		attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(a.Status)))
	}
	// Semantic conventions name an HTTP client span "{method} {url.template}".
	_, sp := t.tracer.Start(ctx, a.Method+" "+a.Route,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(a.Start),
		trace.WithAttributes(attrs...),
	)
	if failed {
		sp.SetStatus(codes.Error, "")
	}
	sp.End(trace.WithTimestamp(a.Start.Add(a.Duration)))
}

// ObserveRetry counts retries and rate-limit waits, and notes each as an event of the operation.
func (t *Telemetry) ObserveRetry(ctx context.Context, r client.Retry) {
	if t == nil {
		return
	}
	common := append(t.common(), semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLTemplate(r.Route))
	t.inst.retry(context.WithoutCancel(ctx), common, r)
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return
	}
	name := "genesys.retry"
	if r.Reason == client.RetryRateLimited {
		name = "genesys.rate_limit.wait"
	}
	attrs := []attribute.KeyValue{
		attrRetryReason.String(r.Reason),
		attrRetryWaitMs.Int64(r.Wait.Milliseconds()),
		semconv.HTTPRequestMethodKey.String(r.Method),
		semconv.URLTemplate(r.Route),
		semconv.HTTPRequestResendCount(r.Attempt),
	}
	if r.Status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(r.Status))
	}
	if r.CorrelationID != "" {
		attrs = append(attrs, attrCorrelationID.String(r.CorrelationID))
	}
	parent.AddEvent(name, trace.WithAttributes(attrs...))
}

// errorType is error.type for a failed operation: the HTTP status of the last answer, or the
// kind of failure when none came.
func errorType(err error) string {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return strconv.Itoa(apiErr.Status)
	}
	var reqErr *client.RequestError
	if errors.As(err, &reqErr) && reqErr.Last != nil {
		return strconv.Itoa(reqErr.Last.Status)
	}
	return transportErrorType(err)
}

func transportErrorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var tokenErr *client.TokenError
	if errors.As(err, &tokenErr) {
		return "token"
	}
	return "_OTHER" // the semantic conventions' value for any other error
}

// hostPort splits host[:port] into server.address and server.port (0 when absent).
func hostPort(hostport string) (string, int) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0
	}
	n, _ := strconv.Atoi(port)
	return host, n
}
