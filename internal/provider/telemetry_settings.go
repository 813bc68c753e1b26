package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

// The standard OpenTelemetry environment variables the provider reads itself. The exporters
// read the rest (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _CERTIFICATE, _COMPRESSION and their
// per-signal forms) as the specification says.
const (
	envOTelSDKDisabled     = "OTEL_SDK_DISABLED"
	envOTLPEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
	envOTelTracesExporter  = "OTEL_TRACES_EXPORTER"
	envOTelMetricsExporter = "OTEL_METRICS_EXPORTER"
)

// telemetrySettingsModel maps the provider's telemetry block.
type telemetrySettingsModel struct {
	Endpoint    types.String `tfsdk:"endpoint"`
	Headers     types.Map    `tfsdk:"headers"`
	ServiceName types.String `tfsdk:"service_name"`
	Traces      types.Bool   `tfsdk:"traces"`
	Metrics     types.Bool   `tfsdk:"metrics"`
	WebhookURL  types.String `tfsdk:"webhook_url"`
}

func (m *telemetrySettingsModel) values() []attr.Value {
	if m == nil {
		return nil
	}
	return []attr.Value{m.Endpoint, m.Headers, m.ServiceName, m.Traces, m.Metrics, m.WebhookURL}
}

func telemetryBlock() schema.Block {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Sends a span for every widget operation (create, configure, activate, update, disable, " +
			"delete) and screen pop, and deployment metrics, to an OpenTelemetry collector over OTLP/HTTP. The standard " +
			"`OTEL_EXPORTER_OTLP_*` environment variables configure it too, and turn it on when the block is absent. " +
			"Export runs in the background and never fails an apply: a collector that cannot be reached is reported " +
			"once, as a warning. Unset: nothing is exported.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the collector's OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318`; spans go " +
					"to `{endpoint}/v1/traces` and metrics to `{endpoint}/v1/metrics`. Falls back to `" + envOTLPEndpoint + "` " +
					"(and the per-signal `" + envOTLPTracesEndpoint + "`, `" + envOTLPMetricsEndpoint + "`).",
				Optional:   true,
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"headers": schema.MapAttribute{
				MarkdownDescription: "HTTP headers sent with every export, such as the collector's API key; a header name " +
					"may not be empty or only white space. Never written to logs or telemetry. Falls back to " +
					"`OTEL_EXPORTER_OTLP_HEADERS`.",
				ElementType: types.StringType,
				Optional:    true,
				Sensitive:   true,
				Validators:  []validator.Map{mapvalidator.KeysAre(validators.Text(1, 0, true))},
			},
			"service_name": schema.StringAttribute{
				MarkdownDescription: "The `service.name` of everything exported; not empty or only white space. Falls back to " +
					"`OTEL_SERVICE_NAME`, then `" + telemetry.DefaultServiceName + "`.",
				Optional:   true,
				Validators: []validator.String{validators.Text(1, 0, true)},
			},
			"traces": schema.BoolAttribute{
				MarkdownDescription: "Whether to export spans. Default `true` (`false` when `" + envOTelTracesExporter + "` is `none`).",
				Optional:            true,
			},
			"metrics": schema.BoolAttribute{
				MarkdownDescription: "Whether to export metrics. Default `true` (`false` when `" + envOTelMetricsExporter + "` is `none`).",
				Optional:            true,
			},
			"webhook_url": schema.StringAttribute{
				MarkdownDescription: "URL a signed `widget_deployment` event is posted to after every widget operation, for a " +
					"team without a collector. Signed as screen pop webhooks are (`X-Payload-Signature`, HMAC-SHA256 under " +
					"`screenpop.signing_secret`), with a new `Idempotency-Key` per event, retried a few times; a failure is a " +
					"warning. Works with or without `endpoint`.",
				Optional:   true,
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
		},
	}
}

// telemetrySettings is the telemetry block after environment fallbacks.
type telemetrySettings struct {
	config     telemetry.Config // Traces and Metrics both false: telemetry is off
	webhookURL string           // "" = no widget_deployment webhook
}

// resolveTelemetry applies the OpenTelemetry environment variables to the telemetry block.
// Telemetry is on when the block names an endpoint, or the environment names one.
// The webhook is signed with signingSecret, so it needs one.
func resolveTelemetry(ctx context.Context, m *telemetrySettingsModel, getenv func(string) string, signingSecret []byte) (telemetrySettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s telemetrySettings
	blockSet := m != nil
	if m == nil {
		m = &telemetrySettingsModel{}
	}
	if s.webhookURL = m.WebhookURL.ValueString(); s.webhookURL != "" && len(signingSecret) == 0 {
		diags.AddAttributeError(path.Root("telemetry").AtName("webhook_url"), "Missing signing secret for the widget webhook",
			"widget_deployment events are signed like screen pop webhooks: set signing_secret in the provider's screenpop "+
				"block or the "+envSigningSecret+" environment variable to the secret the receiver checks, or remove webhook_url.")
	}
	// OTEL_SDK_DISABLED turns off OpenTelemetry only; the webhook is not part of it.
	if strings.EqualFold(strings.TrimSpace(getenv(envOTelSDKDisabled)), "true") {
		return s, diags
	}
	anyEnv := getenv(envOTLPEndpoint) != ""
	s.config.Traces = anyEnv || getenv(envOTLPTracesEndpoint) != ""
	s.config.Metrics = anyEnv || getenv(envOTLPMetricsEndpoint) != ""

	if endpoint := strings.TrimRight(m.Endpoint.ValueString(), "/"); endpoint != "" {
		if err := checkTelemetryEndpoint(endpoint); err != nil {
			diags.AddAttributeError(path.Root("telemetry").AtName("endpoint"), "Invalid telemetry endpoint", err.Error())
			return s, diags
		}
		s.config.TracesURL, s.config.MetricsURL = endpoint+"/v1/traces", endpoint+"/v1/metrics"
		s.config.Traces, s.config.Metrics = true, true
	} else if blockSet && s.webhookURL == "" && !s.config.Traces && !s.config.Metrics {
		diags.AddAttributeError(path.Root("telemetry").AtName("endpoint"), "Missing telemetry endpoint",
			"The telemetry block needs the collector's OTLP/HTTP base URL: set endpoint (for example "+
				"\"http://127.0.0.1:4318\") or the "+envOTLPEndpoint+" environment variable, set webhook_url, or remove the block.")
		return s, diags
	}

	for _, sig := range []struct {
		value types.Bool
		env   string
		on    *bool
	}{
		{m.Traces, envOTelTracesExporter, &s.config.Traces},
		{m.Metrics, envOTelMetricsExporter, &s.config.Metrics},
	} {
		switch {
		case !sig.value.IsNull():
			*sig.on = *sig.on && sig.value.ValueBool()
		case strings.EqualFold(strings.TrimSpace(getenv(sig.env)), "none"):
			*sig.on = false
		}
	}
	if !m.Headers.IsNull() {
		diags.Append(m.Headers.ElementsAs(ctx, &s.config.Headers, false)...)
	}
	s.config.ServiceName = m.ServiceName.ValueString()
	return s, diags
}

// checkTelemetryEndpoint refuses what an OTLP base URL must not carry: credentials belong in
// headers (sensitive), not in a URL that error messages repeat.
func checkTelemetryEndpoint(endpoint string) error {
	if err := validators.CheckURL(endpoint, "https", "http"); err != nil {
		return fmt.Errorf("telemetry endpoint: %w", err)
	}
	if strings.ContainsAny(endpoint, "?#@") {
		return fmt.Errorf("the telemetry endpoint must be a plain base URL such as \"https://collector.example.com:4318\", " +
			"without credentials, a query or a fragment; put an API key in headers instead")
	}
	return nil
}
