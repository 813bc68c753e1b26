package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/otlpreceiver"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

const (
	testCollectorKey  = "collector-api-key-5b1e0c9a77d2"
	telemetryWidget   = "genesys_agent_widget.traced"
	telemetryPopAddr  = "genesys_screenpop.traced"
	telemetryCustomer = "C-77123-private"
)

// otelEnvVars are cleared for telemetry tests, so a developer's own collector settings never
// change what a test sends, or where.
var otelEnvVars = []string{
	envOTelSDKDisabled, envOTLPEndpoint, envOTLPTracesEndpoint, envOTLPMetricsEndpoint,
	envOTelTracesExporter, envOTelMetricsExporter, "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME",
	"OTEL_RESOURCE_ATTRIBUTES",
}

func clearOTelEnv(t *testing.T) {
	for _, name := range otelEnvVars {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	// Whatever a test leaves queued is flushed and stopped, so no exporter outlives it.
	t.Cleanup(func() { _ = telemetry.ShutdownAll(context.Background()) })
}

// newTestCollector is an in-process OpenTelemetry collector that wants testCollectorKey.
func newTestCollector(t *testing.T) (*otlpreceiver.Receiver, string) {
	t.Helper()
	rcv := otlpreceiver.New()
	rcv.Require("X-Api-Key", testCollectorKey)
	ts := httptest.NewServer(rcv)
	t.Cleanup(ts.Close)
	return rcv, ts.URL
}

// flushTelemetry does in the test what the provider's main does when Terraform ends the plugin.
func flushTelemetry(*terraform.State) error {
	return telemetry.ShutdownAll(context.Background())
}

func telemetryConfig(emu *testEmulator, collector, webhook, description string, pop bool) string {
	cfg := emu.screenPopConfig(fmt.Sprintf(`
  telemetry {
    endpoint     = %q
    headers      = { "X-Api-Key" = %q }
    service_name = "genesys-ci"
    webhook_url  = %q
  }`, collector, testCollectorKey, webhook), fmt.Sprintf(`
resource "genesys_agent_widget" "traced" {
  name         = "Traced widget"
  description  = %q
  type         = "webapp"
  manifest_url = "https://widgets.example.com/traced/"
}
`, description))
	if pop {
		cfg += fmt.Sprintf(`
resource "genesys_screenpop" "traced" {
  user_id        = "agent-1"
  application_id = genesys_agent_widget.traced.id
  target_url     = "https://crm.example.com/agent-view"
  customer_data  = { customer_id = %q }
}
`, telemetryCustomer)
	}
	return cfg
}

// TestAccTelemetry_exportsEveryOperation applies, updates and destroys a widget and pops a
// screen, with telemetry sent to an in-process OTLP/HTTP collector, and checks what it decoded.
func TestAccTelemetry_exportsEveryOperation(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{
		SigningSecret: testSigningKey,
		// The first create is rate limited, so the trace shows a 429 wait and a retry.
		Faults: []emulator.Fault{{Kind: emulator.Kind429, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "x", RetryAfter: 1}},
	})
	clearOTelEnv(t)
	rcv, collector := newTestCollector(t)
	hook := newWidgetHook(t, http.StatusOK)
	var widgetID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: telemetryConfig(emu, collector, hook.url, "first", true),
				Check: resource.ComposeTestCheckFunc(
					flushTelemetry,
					func(s *terraform.State) error {
						widgetID = s.RootModule().Resources[telemetryWidget].Primary.ID
						return nil
					},
					func(*terraform.State) error {
						spans := rcv.Spans()
						for _, op := range []string{"create", "configure", "activate"} {
							if err := checkWidgetSpan(spans, op, widgetID); err != nil {
								return err
							}
						}
						create := findSpan(spans, "genesys.widget.create")
						if err := checkRateLimitWait(spans, create); err != nil {
							return err
						}
						pop := findSpan(spans, "genesys.screenpop")
						if pop == nil {
							return fmt.Errorf("no genesys.screenpop span among %s", spanNames(spans))
						}
						if err := wantAttrs(pop, map[string]any{
							"genesys.outcome": "success", "genesys.widget.id": widgetID, "genesys.screenpop.replayed": false,
							"genesys.org.id": "org-a", "genesys.environment": strings.TrimPrefix(emu.URL, "http://"),
						}); err != nil {
							return err
						}
						for _, k := range []string{"genesys.screenpop.id", "genesys.screenpop.window_focused", "genesys.correlation_id", "genesys.latency_ms"} {
							if _, ok := pop.Attributes[k]; !ok {
								return fmt.Errorf("screen pop span has no %s: %v", k, pop.Attributes)
							}
						}
						return nil
					},
					func(*terraform.State) error {
						points := rcv.Points()
						for _, c := range []struct {
							metric string
							attrs  map[string]any
							want   float64
						}{
							{telemetry.MetricWidgetOperations, map[string]any{"genesys.operation": "create", "genesys.outcome": "success"}, 1},
							{telemetry.MetricWidgetOperations, map[string]any{"genesys.operation": "configure", "genesys.outcome": "success"}, 1},
							{telemetry.MetricWidgetOperations, map[string]any{"genesys.operation": "activate", "genesys.outcome": "success"}, 1},
							{telemetry.MetricScreenPops, map[string]any{"genesys.outcome": "success", "genesys.screenpop.replayed": false}, 1},
							{telemetry.MetricAPIRateLimited, map[string]any{"http.request.method": "POST", "url.template": "/api/v2/integrations"}, 1},
							{telemetry.MetricAPIRetries, map[string]any{"genesys.retry.reason": "rate_limited"}, 1},
							{telemetry.MetricWidgetSuccessRatio, nil, 1},
							{telemetry.MetricWindowFocusRatio, nil, 1},
						} {
							if got, _ := sumPoints(points, c.metric, c.attrs); got != c.want {
								return fmt.Errorf("%s%v = %v, want %v", c.metric, c.attrs, got, c.want)
							}
						}
						if _, n := sumPoints(points, telemetry.MetricWidgetDuration, map[string]any{"genesys.operation": "create"}); n != 1 {
							return fmt.Errorf("%s has %d create measurements, want 1", telemetry.MetricWidgetDuration, n)
						}
						return nil
					},
				),
			},
			{
				Config: telemetryConfig(emu, collector, hook.url, "second", false),
				Check: resource.ComposeTestCheckFunc(
					flushTelemetry,
					func(*terraform.State) error { return checkWidgetSpan(rcv.Spans(), "update", widgetID) },
				),
			},
		},
		CheckDestroy: func(s *terraform.State) error {
			if err := flushTelemetry(s); err != nil {
				return err
			}
			spans := rcv.Spans()
			if err := checkWidgetSpan(spans, "delete", widgetID); err != nil {
				return err
			}
			if deletes, _ := sumPoints(rcv.Points(), telemetry.MetricWidgetOperations, map[string]any{"genesys.operation": "delete", "genesys.outcome": "success"}); deletes != 1 {
				return fmt.Errorf("no delete counted in %s", telemetry.MetricWidgetOperations)
			}
			for _, sp := range spans {
				if got := sp.Resource["service.name"]; got != "genesys-ci" {
					return fmt.Errorf("span %s has service.name %v, want genesys-ci", sp.Name, got)
				}
			}
			if err := hook.check([]string{"create", "configure", "activate", "update", "delete"}, widgetID); err != nil {
				return err
			}
			if _, refused := rcv.Requests(); refused != 0 {
				return fmt.Errorf("%d exports came without the collector's API key", refused)
			}
			return scanForSecrets(rcv, testCollectorKey, testSigningKey, "org-a-secret", telemetryCustomer, "agent-1", "Bearer")
		},
	})
}

// checkWidgetSpan checks the span of one widget operation and its child attempt spans.
func checkWidgetSpan(spans []otlpreceiver.Span, op, widgetID string) error {
	sp := findSpan(spans, "genesys.widget."+op)
	if sp == nil {
		return fmt.Errorf("no genesys.widget.%s span among %s", op, spanNames(spans))
	}
	if err := wantAttrs(sp, map[string]any{
		"genesys.operation": op, "genesys.outcome": "success", "genesys.widget.id": widgetID,
		"genesys.widget.name": "Traced widget", "genesys.org.id": "org-a", "genesys.org.name": "Org A",
	}); err != nil {
		return err
	}
	if cid, _ := sp.Attributes["genesys.correlation_id"].(string); cid == "" {
		return fmt.Errorf("span %s has no correlation id: %v", sp.Name, sp.Attributes)
	}
	if ms, _ := sp.Attributes["genesys.latency_ms"].(float64); ms <= 0 {
		return fmt.Errorf("span %s has latency %v", sp.Name, sp.Attributes["genesys.latency_ms"])
	}
	if sp.StatusCode == "STATUS_CODE_ERROR" {
		return fmt.Errorf("span %s has error status %q", sp.Name, sp.StatusMessage)
	}
	children := 0
	for _, c := range spans {
		if c.ParentSpanID != sp.SpanID || c.TraceID != sp.TraceID {
			continue
		}
		children++
		if c.Kind != "SPAN_KIND_CLIENT" || c.Attributes["http.request.method"] == nil || c.Attributes["http.response.status_code"] == nil {
			return fmt.Errorf("child %s of %s is not an HTTP client span: %s %v", c.Name, sp.Name, c.Kind, c.Attributes)
		}
		if !strings.HasPrefix(c.Name, fmt.Sprint(c.Attributes["http.request.method"], " /")) {
			return fmt.Errorf("child span name %q is not \"{method} {url.template}\"", c.Name)
		}
	}
	if children == 0 {
		return fmt.Errorf("span %s has no child attempt spans", sp.Name)
	}
	return nil
}

// checkRateLimitWait finds the 429 of the create: a 429 attempt span, a retry of it, and the
// wait as an event of the operation.
func checkRateLimitWait(spans []otlpreceiver.Span, create *otlpreceiver.Span) error {
	var statuses []int64
	for _, c := range spans {
		if c.ParentSpanID == create.SpanID && c.Name == "POST /api/v2/integrations" {
			st, _ := c.Attributes["http.response.status_code"].(int64)
			statuses = append(statuses, st)
		}
	}
	if !slices.Equal(statuses, []int64{429, 200}) {
		return fmt.Errorf("create's POST attempts answered %v, want [429 200]", statuses)
	}
	for _, e := range create.Events {
		if e.Name == "genesys.rate_limit.wait" {
			if wait, _ := e.Attributes["genesys.retry.wait_ms"].(int64); wait < 1000 {
				return fmt.Errorf("rate-limit wait of %d ms, want Retry-After's 1000 or more", wait)
			}
			return nil
		}
	}
	return fmt.Errorf("create span has no genesys.rate_limit.wait event: %+v", create.Events)
}

func findSpan(spans []otlpreceiver.Span, name string) *otlpreceiver.Span {
	for i := range spans {
		if spans[i].Name == name {
			return &spans[i]
		}
	}
	return nil
}

func spanNames(spans []otlpreceiver.Span) string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

func wantAttrs(sp *otlpreceiver.Span, want map[string]any) error {
	for k, v := range want {
		if got := sp.Attributes[k]; got != v {
			return fmt.Errorf("span %s: %s = %v (%T), want %v (%T)", sp.Name, k, got, got, v, v)
		}
	}
	return nil
}

func matches(attrs, want map[string]any) bool {
	for k, v := range want {
		if attrs[k] != v {
			return false
		}
	}
	return true
}

// sumPoints adds up the values (counters) and the counts (histograms) of every stream of metric
// whose attributes include attrs: one stream per provider process.
func sumPoints(points []otlpreceiver.Point, metric string, attrs map[string]any) (sum float64, count uint64) {
	for _, p := range points {
		if p.Metric == metric && matches(p.Attributes, attrs) {
			sum += p.Value
			count += p.Count
		}
	}
	return sum, count
}

// scanForSecrets fails when any attribute, event, status or resource value that reached the
// collector holds one of secrets.
func scanForSecrets(rcv *otlpreceiver.Receiver, secrets ...string) error {
	var values []string
	add := func(where string, attrs map[string]any) {
		for k, v := range attrs {
			values = append(values, fmt.Sprintf("%s %s=%v", where, k, v))
		}
	}
	spans := rcv.Spans()
	if len(spans) == 0 {
		return fmt.Errorf("no spans to scan")
	}
	for _, s := range spans {
		add("span "+s.Name, s.Attributes)
		add("resource", s.Resource)
		values = append(values, "span "+s.Name+" name/status "+s.Name+" "+s.StatusMessage)
		for _, e := range s.Events {
			add("event "+e.Name, e.Attributes)
		}
	}
	for _, p := range rcv.Points() {
		add("metric "+p.Metric, p.Attributes)
	}
	for _, v := range values {
		for _, secret := range secrets {
			if strings.Contains(v, secret) {
				return fmt.Errorf("exported telemetry holds %q: %s", secret, v)
			}
		}
	}
	return nil
}

// warningRecorder collects the warnings that the applies of its providers return
// (terraform-plugin-testing does not show warnings).
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

// factories are provider factories whose applies report their warnings to w.
func (w *warningRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"genesys": func() (tfprotov6.ProviderServer, error) {
			srv, err := providerserver.NewProtocol6WithError(New("test")())()
			return warningCounter{ProviderServer: srv, into: w}, err
		},
	}
}

// all returns the warnings so far.
func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.warnings)
}

// warningCounter wraps a provider server and records the warnings its applies return.
type warningCounter struct {
	tfprotov6.ProviderServer
	into *warningRecorder
}

func (w warningCounter) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := w.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		w.into.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				w.into.warnings = append(w.into.warnings, d.Summary+": "+d.Detail)
			}
		}
		w.into.mu.Unlock()
	}
	return resp, err
}

// TestAccTelemetry_unreachableCollector: with nothing listening at the endpoint, the apply and
// the destroy still succeed, and the user is told once.
func TestAccTelemetry_unreachableCollector(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	clearOTelEnv(t)
	// A port that was just free, so nothing answers there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	// The probe waits for the refused connection however loaded the machine is.
	defer func(d time.Duration) { telemetry.ProbeTimeout = d }(telemetry.ProbeTimeout)
	telemetry.ProbeTimeout = time.Minute

	warns := &warningRecorder{}
	config := emu.providerBlock("a", fmt.Sprintf("  telemetry {\n    endpoint = %q\n  }", endpoint)) + `
resource "genesys_agent_widget" "fleet" {
  count        = 2
  name         = "Untraced widget ${count.index}"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/untraced/"
}
`
	checkOneWarning := func(*terraform.State) error {
		warnings := warns.all()
		if len(warnings) != 1 || !strings.Contains(warnings[0], "Telemetry not exported") || !strings.Contains(warnings[0], ln.Addr().String()) {
			return fmt.Errorf("want one telemetry warning naming the collector, got %d: %q", len(warnings), warnings)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: warns.factories(),
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				emu.checkIntegrationCount("org-a", 2),
				checkOneWarning,
			),
		}},
	})
}

func TestResolveTelemetry(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := map[string]struct {
		block         *telemetrySettingsModel
		getenv        func(string) string
		traces, metrs bool
		tracesURL     string
		secret        []byte
		wantErr       string
	}{
		"absent": {getenv: env()},
		"endpoint": {
			block:  &telemetrySettingsModel{Endpoint: types.StringValue("http://127.0.0.1:4318/")},
			getenv: env(), traces: true, metrs: true, tracesURL: "http://127.0.0.1:4318/v1/traces",
		},
		"environment only": {getenv: env(envOTLPEndpoint, "https://otel.example.com"), traces: true, metrs: true},
		"traces endpoint only": {
			getenv: env(envOTLPTracesEndpoint, "https://otel.example.com/v1/traces"), traces: true,
		},
		"metrics off in the block": {
			block:  &telemetrySettingsModel{Endpoint: types.StringValue("https://otel.example.com"), Metrics: types.BoolValue(false)},
			getenv: env(), traces: true, tracesURL: "https://otel.example.com/v1/traces",
		},
		"traces exporter none": {
			getenv: env(envOTLPEndpoint, "https://otel.example.com", envOTelTracesExporter, "none"), metrs: true,
		},
		"sdk disabled": {
			block:  &telemetrySettingsModel{Endpoint: types.StringValue("https://otel.example.com")},
			getenv: env(envOTelSDKDisabled, "true"),
		},
		"block without endpoint": {block: &telemetrySettingsModel{}, getenv: env(), wantErr: "Missing telemetry endpoint"},
		"webhook alone": {
			block:  &telemetrySettingsModel{WebhookURL: types.StringValue("https://hooks.example.com/w")},
			getenv: env(), secret: []byte("a-signing-secret-of-length"),
		},
		"webhook without a signing secret": {
			block:  &telemetrySettingsModel{WebhookURL: types.StringValue("https://hooks.example.com/w")},
			getenv: env(), wantErr: "screenpop block or the " + envSigningSecret,
		},
		"credentials in the endpoint": {
			block:  &telemetrySettingsModel{Endpoint: types.StringValue("https://otel.example.com/?api_key=abc")},
			getenv: env(), wantErr: "put an API key in headers",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, diags := resolveTelemetry(context.Background(), c.block, c.getenv, c.secret)
			if c.wantErr != "" {
				if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), c.wantErr) {
					t.Fatalf("diagnostics %v, want an error with %q", diags, c.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s.config.Traces != c.traces || s.config.Metrics != c.metrs || s.config.TracesURL != c.tracesURL {
				t.Fatalf("traces %v metrics %v tracesURL %q, want %v %v %q",
					s.config.Traces, s.config.Metrics, s.config.TracesURL, c.traces, c.metrs, c.tracesURL)
			}
		})
	}
}

// widgetHook is a team's webhook receiver for widget_deployment events.
type widgetHook struct {
	*hooktest.Receiver
	url string
}

func newWidgetHook(t *testing.T, status int) *widgetHook {
	rc, base := hooktest.Serve(t, hooktest.Status(status))
	return &widgetHook{Receiver: rc, url: base + "/hooks/widgets"}
}

// events is every event heard, each checked as the team's receiver checks it: signed with the
// signing key, sent under an Idempotency-Key that is its eventId.
func (h *widgetHook) events() ([]map[string]any, error) {
	var out []map[string]any
	for _, r := range h.Requests() {
		if !r.SignedWith([]byte(testSigningKey)) {
			return nil, fmt.Errorf("widget webhook signature %q does not sign %s", r.Header.Get("X-Payload-Signature"), r.Body)
		}
		ev, err := r.Event()
		if err != nil {
			return nil, fmt.Errorf("widget webhook body %q: %w", r.Body, err)
		}
		if key := r.Header.Get("Idempotency-Key"); key == "" || key != ev["eventId"] {
			return nil, fmt.Errorf("widget webhook Idempotency-Key %q, eventId %v", key, ev["eventId"])
		}
		out = append(out, ev)
	}
	return out, nil
}

// check wants one successful widget_deployment event per operation, in that order.
func (h *widgetHook) check(ops []string, widgetID string) error {
	events, err := h.events()
	if err != nil {
		return err
	}
	var got []string
	for _, ev := range events {
		got = append(got, fmt.Sprint(ev["operation"]))
		if ev["event"] != "widget_deployment" || ev["status"] != "success" || ev["widgetId"] != widgetID ||
			ev["widgetName"] != "Traced widget" || ev["latencyMs"] == nil {
			return fmt.Errorf("widget webhook event %v", ev)
		}
	}
	if !slices.Equal(got, ops) {
		return fmt.Errorf("widget webhook heard %v, want %v", got, ops)
	}
	return nil
}

// TestAccTelemetry_widgetWebhookWithoutCollector: a team without a collector gets the events
// through the webhook alone; a webhook that fails is a warning per event, and the apply succeeds.
func TestAccTelemetry_widgetWebhookWithoutCollector(t *testing.T) {
	emu := newPopEmulator(t)
	clearOTelEnv(t)
	hook := newWidgetHook(t, http.StatusInternalServerError)
	warns := &warningRecorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: warns.factories(),
		Steps: []resource.TestStep{{
			Config: emu.screenPopConfig(fmt.Sprintf("  telemetry {\n    webhook_url = %q\n  }", hook.url), `
resource "genesys_agent_widget" "traced" {
  name         = "Traced widget"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/traced/"
}
`),
			Check: resource.ComposeTestCheckFunc(
				emu.checkIntegrationCount("org-a", 1),
				func(*terraform.State) error {
					warnings := warns.all()
					if len(warnings) != 3 {
						return fmt.Errorf("want a warning for each of create, configure and activate, got %q", warnings)
					}
					for _, w := range warnings {
						if !strings.Contains(w, "Widget deployment webhook not delivered") || !strings.Contains(w, "500") {
							return fmt.Errorf("warning %q", w)
						}
					}
					events, err := hook.events()
					if err != nil {
						return err
					}
					// Three events, each tried three times.
					if len(events) != 9 {
						return fmt.Errorf("%d webhook attempts, want 9", len(events))
					}
					return nil
				},
			),
		}},
	})
}
