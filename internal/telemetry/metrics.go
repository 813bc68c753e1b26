package telemetry

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

var (
	noopTracer = tracenoop.NewTracerProvider().Tracer(ScopeName)
	noopMeter  = metricnoop.NewMeterProvider().Meter(ScopeName)
)

// Metric names. Durations are in seconds and ratios in 1, as the semantic conventions ask.
const (
	MetricWidgetOperations   = "genesys.widget.operations"
	MetricWidgetDuration     = "genesys.widget.operation.duration"
	MetricWidgetSuccessRatio = "genesys.widget.operation.success_ratio"
	MetricAPIRetries         = "genesys.api.retries"
	MetricAPIRateLimited     = "genesys.api.rate_limited"
	MetricScreenPops         = "genesys.screenpop.deliveries"
	MetricScreenPopDuration  = "genesys.screenpop.duration"
	MetricWindowFocusRatio   = "genesys.screenpop.window_focus_ratio"
)

// durationBuckets suit calls that take from tens of milliseconds to a long rate-limit wait.
var durationBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// instruments are the metrics of one Telemetry, and the running counts its ratios are read from.
type instruments struct {
	widgetOps      metric.Int64Counter
	widgetDuration metric.Float64Histogram
	retries        metric.Int64Counter
	rateLimited    metric.Int64Counter
	pops           metric.Int64Counter
	popDuration    metric.Float64Histogram

	mu                     sync.Mutex
	widgetTotal, widgetOK  int64
	popsDelivered, focused int64
}

func (in *instruments) init(m metric.Meter, t *Telemetry) error {
	var errs [9]error
	in.widgetOps, errs[0] = m.Int64Counter(MetricWidgetOperations, metric.WithUnit("{operation}"),
		metric.WithDescription("Widget operations (create, configure, activate, update, disable, delete) by outcome."))
	in.widgetDuration, errs[1] = m.Float64Histogram(MetricWidgetDuration, metric.WithUnit("s"),
		metric.WithDescription("How long a widget operation took, retries and waits included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	in.retries, errs[2] = m.Int64Counter(MetricAPIRetries, metric.WithUnit("{retry}"),
		metric.WithDescription("API requests sent again, by reason (rate_limited, server_error, network, unauthorized)."))
	in.rateLimited, errs[3] = m.Int64Counter(MetricAPIRateLimited, metric.WithUnit("{response}"),
		metric.WithDescription("429 Too Many Requests answers from Genesys Cloud."))
	in.pops, errs[4] = m.Int64Counter(MetricScreenPops, metric.WithUnit("{pop}"),
		metric.WithDescription("Screen pops by outcome; replayed ones had been delivered before under the same key."))
	in.popDuration, errs[5] = m.Float64Histogram(MetricScreenPopDuration, metric.WithUnit("s"),
		metric.WithDescription("How long delivering a screen pop took."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	var successRatio, focusRatio metric.Float64ObservableGauge
	successRatio, errs[6] = m.Float64ObservableGauge(MetricWidgetSuccessRatio, metric.WithUnit("1"),
		metric.WithDescription("Share of this provider process's widget operations that succeeded."))
	focusRatio, errs[7] = m.Float64ObservableGauge(MetricWindowFocusRatio, metric.WithUnit("1"),
		metric.WithDescription("Share of this provider process's delivered screen pops that focused the agent's window."))
	if err := errors.Join(errs[:8]...); err != nil {
		return err
	}
	_, errs[8] = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		attrs := metric.WithAttributes(t.common()...)
		in.mu.Lock()
		defer in.mu.Unlock()
		if in.widgetTotal > 0 {
			o.ObserveFloat64(successRatio, float64(in.widgetOK)/float64(in.widgetTotal), attrs)
		}
		if in.popsDelivered > 0 {
			o.ObserveFloat64(focusRatio, float64(in.focused)/float64(in.popsDelivered), attrs)
		}
		return nil
	}, successRatio, focusRatio)
	return errs[8]
}

func (in *instruments) widgetOperation(ctx context.Context, common []attribute.KeyValue, op Operation, outcome string, latency time.Duration) {
	in.mu.Lock()
	in.widgetTotal++
	if outcome == OutcomeSuccess {
		in.widgetOK++
	}
	in.mu.Unlock()
	attrs := metric.WithAttributes(append(common, attrOperation.String(string(op)), attrOutcome.String(outcome))...)
	in.widgetOps.Add(ctx, 1, attrs)
	in.widgetDuration.Record(ctx, latency.Seconds(), attrs)
}

func (in *instruments) screenPop(ctx context.Context, common []attribute.KeyValue, outcome string, res *PopResult, latency time.Duration) {
	attrs := append(common, attrOutcome.String(outcome))
	if res != nil {
		attrs = append(attrs, attrPopReplayed.Bool(res.Replayed))
		if !res.Replayed {
			in.mu.Lock()
			in.popsDelivered++
			if res.WindowFocused {
				in.focused++
			}
			in.mu.Unlock()
		}
	}
	in.pops.Add(ctx, 1, metric.WithAttributes(attrs...))
	in.popDuration.Record(ctx, latency.Seconds(), metric.WithAttributes(attrs...))
}

func (in *instruments) retry(ctx context.Context, common []attribute.KeyValue, r client.Retry) {
	in.retries.Add(ctx, 1, metric.WithAttributes(append(common, attrRetryReason.String(r.Reason))...))
}

// attempt counts 429s, also the last one of a call that stopped retrying.
func (in *instruments) attempt(ctx context.Context, common []attribute.KeyValue, a client.Attempt) {
	if a.Status == http.StatusTooManyRequests {
		in.rateLimited.Add(ctx, 1, metric.WithAttributes(common...))
	}
}
