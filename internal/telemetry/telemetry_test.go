package telemetry

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/otlpreceiver"
)

func newCollector(t *testing.T) (*otlpreceiver.Receiver, string) {
	t.Helper()
	rcv := otlpreceiver.New()
	ts := httptest.NewServer(rcv)
	t.Cleanup(ts.Close)
	return rcv, ts.URL
}

func newTelemetry(t *testing.T, base string, warn func(string)) *Telemetry {
	t.Helper()
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	tel, err := New(context.Background(), Config{
		TracesURL: base + "/v1/traces", MetricsURL: base + "/v1/metrics",
		Headers: map[string]string{"X-Api-Key": "k"}, Traces: true, Metrics: true,
		ServiceVersion: "1.2.3", Environment: "mypurecloud.ie", Warn: warn,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel
}

func TestNilTelemetryDoesNothing(t *testing.T) {
	tel, err := New(context.Background(), Config{})
	if err != nil || tel != nil {
		t.Fatalf("New without signals = %v, %v; want nil, nil", tel, err)
	}
	ctx, op := tel.StartWidget(context.Background(), OpCreate, "", "w")
	tel.ObserveAttempt(ctx, client.Attempt{Status: 429})
	tel.ObserveRetry(ctx, client.Retry{})
	if err := op.End(ctx, "id", nil); err != nil {
		t.Fatal(err)
	}
	_, pop := tel.StartPop(ctx, "app")
	if err := pop.End(ctx, nil, errors.New("x")); err != nil {
		t.Fatal(err)
	}
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWidgetOperationSpanAttemptsAndRetries(t *testing.T) {
	rcv, base := newCollector(t)
	tel := newTelemetry(t, base, nil)
	tel.SetOrganization("org-1", "Org One")

	ctx, op := tel.StartWidget(context.Background(), OpCreate, "", "Dashboard")
	start := time.Now()
	tel.ObserveAttempt(ctx, client.Attempt{Method: "POST", Route: "/api/v2/integrations", Host: "api.mypurecloud.ie",
		Number: 1, Start: start, Duration: 5 * time.Millisecond, Status: 429, CorrelationID: "c-1"})
	tel.ObserveRetry(ctx, client.Retry{Method: "POST", Route: "/api/v2/integrations", Attempt: 1,
		Reason: client.RetryRateLimited, Status: 429, Wait: 1500 * time.Millisecond, CorrelationID: "c-1"})
	tel.ObserveAttempt(ctx, client.Attempt{Method: "POST", Route: "/api/v2/integrations", Host: "127.0.0.1:8787",
		Number: 2, Start: start.Add(time.Second), Duration: 5 * time.Millisecond, Status: 200, CorrelationID: "c-2"})
	if err := op.End(ctx, "w-1", nil); err != nil {
		t.Fatalf("End reported %v with a working collector", err)
	}
	_, failed := tel.StartWidget(context.Background(), OpDelete, "w-1", "Dashboard")
	apiErr := &client.APIError{Status: 409, Code: "conflict", CorrelationID: "c-3", Method: "DELETE", Path: "/api/v2/integrations/w-1"}
	if err := failed.End(ctx, "w-1", apiErr); err != nil {
		t.Fatal(err)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans := rcv.Spans()
	var create, del otlpreceiver.Span
	var attempts []otlpreceiver.Span
	for _, s := range spans {
		switch s.Name {
		case "genesys.widget.create":
			create = s
		case "genesys.widget.delete":
			del = s
		case "POST /api/v2/integrations":
			attempts = append(attempts, s)
		}
	}
	if create.SpanID == "" || del.SpanID == "" || len(attempts) != 2 {
		t.Fatalf("spans received: %+v", spans)
	}
	for k, want := range map[string]any{
		"genesys.operation": "create", "genesys.outcome": "success", "genesys.widget.id": "w-1",
		"genesys.widget.name": "Dashboard", "genesys.org.id": "org-1", "genesys.environment": "mypurecloud.ie",
		"genesys.correlation_id": "c-2",
	} {
		if got := create.Attributes[k]; got != want {
			t.Errorf("create %s = %v, want %v", k, got, want)
		}
	}
	if create.Resource["service.name"] != DefaultServiceName || create.Resource["service.version"] != "1.2.3" {
		t.Errorf("resource %v", create.Resource)
	}
	if len(create.Events) != 1 || create.Events[0].Name != "genesys.rate_limit.wait" ||
		create.Events[0].Attributes["genesys.retry.wait_ms"] != int64(1500) {
		t.Errorf("create events %+v", create.Events)
	}
	first, second := attempts[0], attempts[1]
	if first.ParentSpanID != create.SpanID || first.Kind != "SPAN_KIND_CLIENT" ||
		first.Attributes["http.response.status_code"] != int64(429) || first.Attributes["error.type"] != "429" ||
		first.StatusCode != "STATUS_CODE_ERROR" || first.Attributes["server.address"] != "api.mypurecloud.ie" {
		t.Errorf("first attempt %+v", first)
	}
	if second.Attributes["http.request.resend_count"] != int64(1) || second.Attributes["server.port"] != int64(8787) ||
		!second.Start.Equal(start.Add(time.Second)) {
		t.Errorf("second attempt %+v", second)
	}
	if del.Attributes["genesys.outcome"] != "failure" || del.Attributes["error.type"] != "409" ||
		del.Attributes["genesys.correlation_id"] != "c-3" || del.StatusCode != "STATUS_CODE_ERROR" {
		t.Errorf("delete %+v", del)
	}

	var ops, rateLimited, ratio float64
	for _, p := range rcv.Points() {
		switch p.Metric {
		case MetricWidgetOperations:
			ops += p.Value
		case MetricAPIRateLimited:
			rateLimited += p.Value
		case MetricWidgetSuccessRatio:
			ratio = p.Value
		}
	}
	if ops != 2 || rateLimited != 1 || ratio != 0.5 {
		t.Errorf("operations %v, 429s %v, success ratio %v; want 2, 1, 0.5", ops, rateLimited, ratio)
	}
}

func TestPopSpanCarriesNoErrorText(t *testing.T) {
	rcv, base := newCollector(t)
	tel := newTelemetry(t, base, nil)
	ctx, pop := tel.StartPop(context.Background(), "app-1")
	_ = pop.End(ctx, nil, errors.New("400: bad uri https://crm.example.com/#session=secret-token"))
	ctx, pop = tel.StartPop(context.Background(), "app-1")
	_ = pop.End(ctx, &PopResult{PopID: "p-1", WindowFocused: false, DeliveryTimeMs: 12}, nil)
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := rcv.Spans()
	if len(spans) != 2 {
		t.Fatalf("spans %+v", spans)
	}
	if spans[0].StatusCode != "STATUS_CODE_ERROR" || spans[0].StatusMessage != "" {
		t.Errorf("failed pop status %q %q", spans[0].StatusCode, spans[0].StatusMessage)
	}
	if spans[1].Attributes["genesys.screenpop.id"] != "p-1" || spans[1].Attributes["genesys.screenpop.window_focused"] != false {
		t.Errorf("pop %+v", spans[1].Attributes)
	}
	for _, p := range rcv.Points() {
		if p.Metric == MetricWindowFocusRatio && p.Value != 0 {
			t.Errorf("focus ratio %v, want 0", p.Value)
		}
	}
}

func TestUnreachableCollectorIsReportedOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	defer func(d time.Duration) { ProbeTimeout = d }(ProbeTimeout)
	ProbeTimeout = time.Minute

	var mu sync.Mutex
	var logged []string
	tel := newTelemetry(t, base, func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, msg)
	})
	var reported []error
	for range 3 {
		ctx, op := tel.StartWidget(context.Background(), OpCreate, "", "w")
		if err := op.End(ctx, "id", nil); err != nil {
			reported = append(reported, err)
		}
	}
	_ = tel.Shutdown(context.Background())
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), ln.Addr().String()) {
		t.Errorf("reported %v; want one error naming the collector", reported)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) != 1 {
		t.Errorf("logged %q; want one warning", logged)
	}
}

func TestShutdownAllFlushesEveryTelemetry(t *testing.T) {
	rcv, base := newCollector(t)
	a := newTelemetry(t, base, nil)
	b := newTelemetry(t, base, nil)
	for _, tel := range []*Telemetry{a, b} {
		tel.probed.Store(true) // no flush after the operation: ShutdownAll must send it
		ctx, op := tel.StartWidget(context.Background(), OpUpdate, "id", "w")
		_ = op.End(ctx, "id", nil)
	}
	if err := ShutdownAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.Spans()); n != 2 {
		t.Fatalf("%d spans after ShutdownAll, want 2", n)
	}
	live.Lock()
	defer live.Unlock()
	if len(live.m) != 0 {
		t.Fatalf("%d telemetries still live after ShutdownAll", len(live.m))
	}
}
