package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// providerData is what Configure hands to every resource, data source, action and list resource
// of one provider block.
type providerData struct {
	client      *client.Client
	environment string
	constraints widget.Constraints
	screenPop   *delivery.Sender
	audit       *audit.Log
	telemetry   *telemetry.Telemetry // nil when telemetry is off
	// widgetHookURL hears widget_deployment events (telemetry.webhook_url); "" for none.
	widgetHookURL string
	orgOnce       sync.Once // fetches the org for telemetry, once
}

func newProviderData(ctx context.Context, s providerSettings, providerVersion, terraformVersion string) (*providerData, error) {
	tel, err := newTelemetry(ctx, s, providerVersion)
	if err != nil {
		return nil, err
	}
	var observer client.Observer // a nil interface when telemetry is off: the client then calls nothing
	if tel != nil {
		observer = tel
	}
	c, err := client.New(client.Config{
		ClientID:          s.clientID,
		ClientSecret:      s.clientSecret,
		APIURL:            s.apiURL,
		LoginURL:          s.loginURL,
		ScreenPopURL:      s.screenPop.endpointURL,
		UserAgent:         client.UserAgent(providerVersion, terraformVersion),
		Logger:            tflogLogger{},
		RetryMax:          s.maxRetries,
		RateLimitRetryMax: s.maxRateRetries,
		Observer:          observer,

		MaxAccessTokens: s.maxTokens,
	})
	if err != nil {
		_ = tel.Shutdown(ctx)
		// The client's checks that remain after resolveSettings' are of the base URLs.
		return nil, fmt.Errorf("%w. Write api_url, login_url and screenpop.endpoint_url (or %s and %s) as https URLs "+
			"without a query or fragment; plain http is accepted only for a loopback host, such as a local emulator",
			err, envAPIURL, envLoginURL)
	}
	log, err := audit.Open(s.auditLogPath)
	if err != nil {
		_ = tel.Shutdown(ctx)
		return nil, fmt.Errorf("opening audit_log_path (or %s): %w. Set it to a regular file this user may create "+
			"or append to, or leave it unset for no audit log", envAuditLog, err)
	}
	return &providerData{
		telemetry:     tel,
		widgetHookURL: s.telemetry.webhookURL,
		client:        c,
		environment:   s.environment,
		constraints:   s.constraints,
		audit:         log,
		screenPop: &delivery.Sender{
			Client:         c,
			SigningSecret:  s.screenPop.signingSecret,
			AllowedDomains: s.screenPop.allowedDomains,
			WebhookURL:     s.screenPop.webhookURL,
			Audit:          log,
			Environment:    s.environment,
		},
	}, nil
}

// providerDataFrom is the nil-guarded half of every Configure: the framework calls Configure
// before the provider is configured too (validation, and plans whose provider values are unknown
// until apply), with no data to hand over.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// providerNotConfigured is the error of an operation that needs the API while the provider is not
// configured, which happens only while a provider value is unknown (it comes from a resource not
// yet created): Terraform configures the provider again at apply, with the values known.
func providerNotConfigured(consequence string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider not configured",
		"The genesys provider block has values that are unknown until apply (they come from resources not created yet), so "+
			consequence+" now. Create those resources first (terraform apply -target=ADDRESS), or give the provider "+
			"block values known at plan (variables, literals or data sources).")
}

// tflogLogger sends the API client's request log to Terraform's log (TF_LOG), under the
// subsystem-free provider logger so TF_LOG_PROVIDER filters it too. The client already masks
// secrets; tflog's own masking is not relied upon.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(ctx, msg, fields)
}

// recordAudit appends an entry to the audit log. A log that cannot be written is a warning in
// Terraform's log, not a failed apply: the change itself happened.
func (d *providerData) recordAudit(ctx context.Context, e audit.Entry, success bool) {
	e.Status = audit.StatusFailure
	if success {
		e.Status = audit.StatusSuccess
	}
	if e.Environment == "" {
		e.Environment = d.environment
	}
	if err := d.audit.Record(e); err != nil {
		tflog.Warn(ctx, "unable to append to the audit log", map[string]any{"error": err.Error()})
	}
}
