package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

// checkScreenPopSettings reports, as diagnostics, what stops any pop of this provider block from
// being sent: a missing signing secret or a target outside the allowed domains. An empty
// targetURL skips the domain rule (unknown until apply).
func (d *providerData) checkScreenPopSettings(targetURL string) diag.Diagnostics {
	return screenPopDiagnostics(d.screenPop.Check(targetURL))
}

// deliverScreenPop sends one pop and turns what happened into diagnostics: errors for what
// stopped it, warnings for what failed after it was delivered.
func (d *providerData) deliverScreenPop(ctx context.Context, p delivery.Pop, progress func(string)) (*delivery.Result, diag.Diagnostics) {
	popCtx, span := d.startPopTelemetry(ctx, p.ApplicationID)
	res, err := d.screenPop.Send(popCtx, p, progress)
	diags := screenPopDiagnostics(err)
	var delivered *telemetry.PopResult
	if res != nil {
		delivered = &telemetry.PopResult{PopID: res.PopID, Replayed: res.Replayed, WindowFocused: res.WindowFocused, DeliveryTimeMs: res.DeliveryTimeMs}
	}
	diags.Append(telemetryWarning(span.End(ctx, delivered, err))...)
	if res == nil {
		return nil, diags
	}
	if res.WebhookErr != nil {
		diags.AddWarning("Screen pop webhook not delivered",
			fmt.Sprintf("The screen pop was delivered, but the screenpop_activated event did not reach the webhook: %s. "+
				"The pop is not sent again.", res.WebhookErr))
	}
	if res.AuditErr != nil {
		diags.AddWarning("Screen pop not written to the audit log",
			fmt.Sprintf("The screen pop was delivered, but its audit entry could not be written: %s.", res.AuditErr))
	}
	return res, diags
}

func screenPopDiagnostics(err error) diag.Diagnostics {
	var diags diag.Diagnostics
	var targetErr *delivery.TargetError
	var contextErr *delivery.ContextError
	switch {
	case err == nil:
	case errors.Is(err, delivery.ErrNoSigningSecret):
		diags.AddError("Missing screen pop signing secret",
			"Every screen pop is signed (HMAC-SHA256, X-Payload-Signature). Set signing_secret in the provider's "+
				"screenpop block or the "+envSigningSecret+" environment variable to the secret shared with the screen pop service.")
	case errors.As(err, &targetErr):
		diags.AddAttributeError(path.Root("target_url"), "Screen pop target not allowed", targetErr.Error())
	case errors.As(err, &contextErr):
		diags.AddAttributeError(path.Root("customer_data"), "Unable to add the customer context to target_url", contextErr.Error())
	default:
		diags.AddError("Unable to deliver the screen pop", err.Error())
	}
	return diags
}
