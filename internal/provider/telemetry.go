package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

// newTelemetry starts the exporters the telemetry settings ask for; nil when telemetry is off.
func newTelemetry(ctx context.Context, s providerSettings, providerVersion string) (*telemetry.Telemetry, error) {
	cfg := s.telemetry.config
	cfg.ServiceVersion = providerVersion
	cfg.Environment = s.environment
	tel, err := telemetry.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("setting up telemetry: %w", err)
	}
	return tel, nil
}

// orgForTelemetry labels telemetry with the org, fetched once per provider block and only when
// telemetry is on. A failure leaves the org out of the telemetry; it never fails an operation.
func (d *providerData) orgForTelemetry(ctx context.Context) {
	if d.telemetry == nil {
		return
	}
	d.orgOnce.Do(func() {
		org, err := d.client.OrganizationMe(ctx)
		if err != nil {
			tflog.Debug(ctx, "telemetry: the organization could not be read; spans carry no org", map[string]any{"error": err.Error()})
			return
		}
		d.telemetry.SetOrganization(org.ID, org.Name)
	})
}

// widgetOp is one widget operation as telemetry and the widget webhook see it.
type widgetOp struct {
	d     *providerData
	kind  telemetry.Operation
	name  string
	start time.Time
	span  *telemetry.WidgetOp
}

// startWidgetOp starts the telemetry of one widget operation. Pass the returned context to the
// client calls that make up the operation, and call end with their outcome.
func (d *providerData) startWidgetOp(ctx context.Context, op telemetry.Operation, id, name string) (context.Context, *widgetOp) {
	d.orgForTelemetry(ctx)
	ctx, span := d.telemetry.StartWidget(ctx, op, id, name)
	return ctx, &widgetOp{d: d, kind: op, name: name, start: time.Now(), span: span}
}

// end records the operation's outcome and tells the widget webhook. The diagnostics hold
// warnings at most: neither telemetry nor the webhook ever fails an operation.
func (o *widgetOp) end(ctx context.Context, id string, err error) diag.Diagnostics {
	diags := telemetryWarning(o.span.End(ctx, id, err))
	if o.d.widgetHookURL == "" {
		return diags
	}
	if hookErr := o.d.sendWidgetEvent(ctx, string(o.kind), id, o.name, time.Since(o.start), err); hookErr != nil {
		diags.AddWarning("Widget deployment webhook not delivered",
			fmt.Sprintf("The %s of widget %q was not reported to telemetry.webhook_url: %s. The widget itself is not affected.",
				o.kind, o.name, hookErr))
	}
	return diags
}

// telemetryWarning is the one warning a provider block gives when its telemetry cannot be
// exported; exportErr is nil every other time.
func telemetryWarning(exportErr error) diag.Diagnostics {
	var diags diag.Diagnostics
	if exportErr != nil {
		diags.AddWarning("Telemetry not exported",
			fmt.Sprintf("The OpenTelemetry collector did not accept what the provider sent: %s. Terraform operations "+
				"are not affected, and export goes on in the background; further failures are not reported. "+
				"Check telemetry.endpoint (or %s) and the collector.", exportErr, envOTLPEndpoint))
	}
	return diags
}

// startPopTelemetry starts the span of one screen pop.
func (d *providerData) startPopTelemetry(ctx context.Context, applicationID string) (context.Context, *telemetry.PopOp) {
	if d.telemetry == nil {
		return ctx, nil
	}
	d.orgForTelemetry(ctx)
	return d.telemetry.StartPop(ctx, applicationID)
}
