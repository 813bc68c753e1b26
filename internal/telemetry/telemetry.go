// Package telemetry sends what the provider does to an OpenTelemetry collector over OTLP/HTTP: a
// span per widget operation and per screen pop, a child span per API request attempt, an event per
// retry and rate-limit wait, and deployment metrics. It is built on the OpenTelemetry Go SDK and
// its OTLP/HTTP exporters, so the wire format is the SDK's, not ours.
//
// Export never slows or fails the work it describes: spans and metrics are queued (a bounded
// queue that drops when full) and exported in the background; the only waits are one short probe
// after the first operation, which makes a misconfigured collector visible as one warning while
// the apply runs, and a short flush when the provider process ends. A nil *Telemetry does nothing
// and costs nothing, which is what the provider uses when telemetry is not configured.
//
// No attribute carries a secret or personal data: no token, header, signing secret, session
// token, customer context, agent (user) id or target URL. Callers pass only the fields below.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of every span and metric.
const ScopeName = "github.com/terraform-genesys/terraform-provider-genesys"

// DefaultServiceName is service.name when neither the configuration nor OTEL_SERVICE_NAME names one.
const DefaultServiceName = "terraform-provider-genesys"

// Bounds on what export may cost. Variables so that tests may shorten them.
var (
	// ProbeTimeout bounds the one flush after the first operation.
	ProbeTimeout = time.Second
	// ShutdownTimeout bounds the flush when the provider process ends. go-plugin gives a plugin
	// two seconds to exit after Terraform asks it to, so this stays well under that.
	ShutdownTimeout = 1500 * time.Millisecond
	// exportTimeout bounds one background export, retries included.
	exportTimeout = 5 * time.Second
)

const (
	maxQueuedSpans = 2048 // spans waiting for export; more are dropped, never waited for
	batchDelay     = 2 * time.Second
	metricInterval = 15 * time.Second
)

// Config says where and what to export.
type Config struct {
	// TracesURL and MetricsURL are the full OTLP/HTTP URLs (…/v1/traces, …/v1/metrics). Empty
	// leaves the exporter to the standard OTEL_EXPORTER_OTLP_* environment variables.
	TracesURL, MetricsURL string
	// Headers go with every export (often an API key): never logged, never an attribute.
	Headers map[string]string
	// Traces and Metrics choose the signals; with neither, New returns nil.
	Traces, Metrics bool

	ServiceName    string // "" = OTEL_SERVICE_NAME, else DefaultServiceName
	ServiceVersion string

	// Environment is the Genesys Cloud region domain (or API host) of the provider block.
	Environment string

	// Warn hears export failures, once per Telemetry; nil logs them with the standard logger
	// (which a plugin's stderr carries into Terraform's log).
	Warn func(msg string)
}

// Telemetry exports the spans and metrics of one provider block. Its methods are safe for
// concurrent use, and do nothing on a nil *Telemetry.
type Telemetry struct {
	tp     *sdktrace.TracerProvider // nil when traces are off
	mp     *sdkmetric.MeterProvider // nil when metrics are off
	tracer trace.Tracer
	inst   instruments
	warn   func(string)

	mu  sync.Mutex
	org []attribute.KeyValue // genesys.org.*, once known
	env attribute.KeyValue

	probed    atomic.Bool
	failure   atomic.Pointer[exportFailure] // the first export failure
	warned    sync.Once                     // the log warning
	diagnosed atomic.Bool                   // the failure was handed to a caller as a warning

	shutdownOnce sync.Once
	shutdownErr  error
	shutDown     atomic.Bool
}

type exportFailure struct {
	signal string
	err    error
}

// New starts the exporters cfg asks for. With neither signal on it returns nil, a Telemetry
// that does nothing. It sends nothing itself: exports start with the first span or measurement.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	if !cfg.Traces && !cfg.Metrics {
		return nil, nil
	}
	attrs := []attribute.KeyValue{semconv.ServiceVersion(cfg.ServiceVersion)}
	res, err := resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(DefaultServiceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, as the specification says
		resource.WithAttributes(attrs...),
	)
	if err != nil {
		return nil, fmt.Errorf("describing the telemetry resource: %w", err)
	}
	if cfg.ServiceName != "" {
		res, err = resource.Merge(res, resource.NewSchemaless(semconv.ServiceName(cfg.ServiceName)))
		if err != nil {
			return nil, fmt.Errorf("describing the telemetry resource: %w", err)
		}
	}

	t := &Telemetry{warn: cfg.Warn, env: attrEnvironment.String(cfg.Environment)}
	if t.warn == nil {
		t.warn = func(msg string) { log.Printf("[WARN] %s", msg) }
	}
	if cfg.Traces {
		exp, err := otlptracehttp.New(ctx, exporterOptions(cfg.TracesURL, cfg.Headers, otlptracehttp.WithTimeout,
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig(exportRetry)), otlptracehttp.WithEndpointURL,
			otlptracehttp.WithHeaders)...)
		if err != nil {
			return nil, fmt.Errorf("creating the OTLP trace exporter: %w", err)
		}
		t.tp = sdktrace.NewTracerProvider(
			sdktrace.WithResource(res),
			sdktrace.WithBatcher(&watchedSpanExporter{SpanExporter: exp, t: t},
				sdktrace.WithMaxQueueSize(maxQueuedSpans),
				sdktrace.WithBatchTimeout(batchDelay),
				sdktrace.WithExportTimeout(exportTimeout),
			),
		)
		t.tracer = t.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(cfg.ServiceVersion))
	} else {
		t.tracer = noopTracer
	}

	meter := noopMeter
	if cfg.Metrics {
		exp, err := otlpmetrichttp.New(ctx, exporterOptions(cfg.MetricsURL, cfg.Headers, otlpmetrichttp.WithTimeout,
			otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig(exportRetry)), otlpmetrichttp.WithEndpointURL,
			otlpmetrichttp.WithHeaders)...)
		if err != nil {
			if t.tp != nil {
				_ = t.tp.Shutdown(ctx)
			}
			return nil, fmt.Errorf("creating the OTLP metric exporter: %w", err)
		}
		t.mp = sdkmetric.NewMeterProvider(
			sdkmetric.WithResource(res),
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(&watchedMetricExporter{Exporter: exp, t: t},
				sdkmetric.WithInterval(metricInterval),
				sdkmetric.WithTimeout(exportTimeout),
			)),
		)
		meter = t.mp.Meter(ScopeName, metric.WithInstrumentationVersion(cfg.ServiceVersion))
	}
	if err := t.inst.init(meter, t); err != nil {
		_ = t.shutdown(ctx)
		return nil, fmt.Errorf("creating the telemetry instruments: %w", err)
	}
	register(t)
	return t, nil
}

// SetOrganization adds the org's id and name to every span and measurement from now on.
func (t *Telemetry) SetOrganization(id, name string) {
	if t == nil || id == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.org = []attribute.KeyValue{attrOrgID.String(id), attrOrgName.String(name)}
}

// HasOrganization reports whether SetOrganization has been called.
func (t *Telemetry) HasOrganization() bool {
	if t == nil {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.org != nil
}

// common is the attributes every span and measurement carries.
func (t *Telemetry) common() []attribute.KeyValue {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]attribute.KeyValue{t.env}, t.org...)
}

// exportFailed records an export failure: the first is logged once and kept for Problem.
func (t *Telemetry) exportFailed(signal string, err error) {
	if err == nil || errors.Is(err, context.Canceled) && t.isShutDown() {
		return
	}
	t.failure.CompareAndSwap(nil, &exportFailure{signal: signal, err: err})
	t.warned.Do(func() {
		t.warn(fmt.Sprintf("telemetry: exporting %s to the OpenTelemetry collector failed: %v. "+
			"Terraform operations are not affected; further export failures are not reported.", signal, err))
	})
}

// finished runs after every operation's span has ended. The first call flushes, within
// ProbeTimeout, so that a collector that cannot be reached is reported while the apply runs;
// later calls never wait. It returns the first export failure the first time one is known, so
// that the caller can show it as one warning, and nil every other time.
func (t *Telemetry) finished(ctx context.Context) error {
	if t.probed.CompareAndSwap(false, true) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ProbeTimeout)
		err := t.flush(ctx)
		cancel()
		if err != nil && t.failure.Load() == nil {
			// A flush that ran out of time is not an export failure: the export goes on in the
			// background and reports its own outcome.
			if !errors.Is(err, context.DeadlineExceeded) {
				t.exportFailed("telemetry", err)
			}
		}
	}
	f := t.failure.Load()
	if f == nil || !t.diagnosed.CompareAndSwap(false, true) {
		return nil
	}
	return fmt.Errorf("exporting %s: %w", f.signal, f.err)
}

func (t *Telemetry) flush(ctx context.Context) error {
	var errs []error
	if t.tp != nil {
		errs = append(errs, t.tp.ForceFlush(ctx))
	}
	if t.mp != nil {
		errs = append(errs, t.mp.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// Flush exports everything queued so far, within ctx.
func (t *Telemetry) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.flush(ctx)
}

// Shutdown flushes what is queued, within ctx, and stops the exporters. Later spans and
// measurements are dropped. It is safe to call more than once.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	unregister(t)
	return t.shutdown(ctx)
}

func (t *Telemetry) shutdown(ctx context.Context) error {
	t.shutdownOnce.Do(func() {
		t.shutDown.Store(true)
		var errs []error
		if t.tp != nil {
			errs = append(errs, t.tp.Shutdown(ctx))
		}
		if t.mp != nil {
			errs = append(errs, t.mp.Shutdown(ctx))
		}
		t.shutdownErr = errors.Join(errs...)
	})
	return t.shutdownErr
}

func (t *Telemetry) isShutDown() bool { return t.shutDown.Load() }

// live holds every Telemetry not yet shut down, for ShutdownAll.
var live = struct {
	sync.Mutex
	m map[*Telemetry]struct{}
}{m: map[*Telemetry]struct{}{}}

func register(t *Telemetry) {
	live.Lock()
	defer live.Unlock()
	live.m[t] = struct{}{}
}

func unregister(t *Telemetry) {
	live.Lock()
	defer live.Unlock()
	delete(live.m, t)
}

// ShutdownAll flushes and stops every Telemetry of the process, within ShutdownTimeout. The
// provider's main calls it when Terraform ends the plugin: terraform-plugin-framework has no
// shutdown hook for providers, but providerserver.Serve returns when go-plugin is asked to stop.
// Export failures are logged (once per Telemetry) and returned.
func ShutdownAll(ctx context.Context) error {
	live.Lock()
	all := make([]*Telemetry, 0, len(live.m))
	for t := range live.m {
		all = append(all, t)
	}
	clear(live.m)
	live.Unlock()

	ctx, cancel := context.WithTimeout(ctx, ShutdownTimeout)
	defer cancel()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, t := range all {
		wg.Go(func() {
			errs[i] = t.shutdown(ctx)
			if errs[i] != nil && t.failure.Load() == nil {
				t.exportFailed("telemetry", errs[i])
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// watchedSpanExporter notes export failures.
type watchedSpanExporter struct {
	sdktrace.SpanExporter
	t *Telemetry
}

func (e *watchedSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	e.t.exportFailed("spans", err)
	return err
}

// watchedMetricExporter notes export failures.
type watchedMetricExporter struct {
	sdkmetric.Exporter
	t *Telemetry
}

func (e *watchedMetricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	err := e.Exporter.Export(ctx, rm)
	e.t.exportFailed("metrics", err)
	return err
}

// exportRetry is how both exporters retry a failed export: briefly, within exportTimeout, so a
// collector that is down for longer loses those batches rather than holding up the provider. Its
// fields are those of otlptracehttp.RetryConfig and otlpmetrichttp.RetryConfig, which convert.
var exportRetry = struct {
	Enabled                                      bool
	InitialInterval, MaxInterval, MaxElapsedTime time.Duration
}{true, 250 * time.Millisecond, time.Second, exportTimeout}

// exporterOptions are the options of an OTLP/HTTP exporter (the trace and the metric exporter
// have the same ones, each of its own type): the export timeout, retry, and the endpoint and
// headers when set.
func exporterOptions[O any](endpointURL string, headers map[string]string, timeout func(time.Duration) O, retry O,
	endpoint func(string) O, withHeaders func(map[string]string) O) []O {
	opts := []O{timeout(exportTimeout), retry}
	if endpointURL != "" {
		opts = append(opts, endpoint(endpointURL))
	}
	if len(headers) > 0 {
		opts = append(opts, withHeaders(headers))
	}
	return opts
}
