package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

// screenPopInput is one screen pop with every value known: what the resource and the action
// both deliver.
type screenPopInput struct {
	userID         string
	applicationID  string
	targetURL      string
	sessionToken   string
	customerData   map[string]string
	state          map[string]string
	idempotencyKey string
	webhookURL     string
}

// screenPopOutcome is what a delivered pop reports.
type screenPopOutcome struct {
	popID          string
	status         string
	windowFocused  bool
	deliveryTimeMs int64
	latency        time.Duration
	deliveredAt    time.Time
	signature      string
	replayed       bool
}

// checkScreenPopSettings reports what stops any pop of this provider block from being sent: a
// missing signing secret or a target outside the allowed domains. targetPath names the attribute
// to blame; an empty targetURL skips the domain rule (unknown until apply).
func (d *providerData) checkScreenPopSettings(targetURL string, targetPath path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(d.screenPop.signingSecret) == 0 {
		diags.AddError("Missing screen pop signing secret",
			"Every screen pop is signed (HMAC-SHA256, X-Payload-Signature). Set signing_secret in the provider's "+
				"screenpop block or the "+envSigningSecret+" environment variable to the secret shared with the screen pop service.")
	}
	if targetURL != "" {
		if err := screenpop.CheckTargetURL(targetURL, d.screenPop.allowedDomains); err != nil {
			diags.AddAttributeError(targetPath, "Screen pop target not allowed", err.Error())
		}
	}
	return diags
}

// deliverScreenPop signs and delivers one pop, appends its audit entry and posts the webhook.
// progress, when not nil, hears each step (the action shows them to the user).
func (d *providerData) deliverScreenPop(ctx context.Context, in screenPopInput, progress func(string)) (*screenPopOutcome, diag.Diagnostics) {
	diags := d.checkScreenPopSettings(in.targetURL, path.Root("target_url"))
	if diags.HasError() {
		return nil, diags
	}
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}

	uri, err := screenpop.InjectContext(in.targetURL, in.sessionToken, in.customerData)
	if err != nil {
		diags.AddAttributeError(path.Root("customer_data"), "Unable to add the customer context to target_url", err.Error())
		return nil, diags
	}
	body, err := screenpop.Payload{
		ApplicationID:  in.applicationID,
		URI:            uri,
		State:          in.state,
		IdempotencyKey: in.idempotencyKey,
	}.Encode()
	if err != nil {
		diags.AddError("Unable to encode the screen pop", err.Error())
		return nil, diags
	}
	signature, err := screenpop.Sign(d.screenPop.signingSecret, body)
	if err != nil {
		diags.AddError("Unable to sign the screen pop", err.Error())
		return nil, diags
	}
	say("signed screen pop for user %s (%d bytes, idempotency key %s)", in.userID, len(body), in.idempotencyKey)

	start := time.Now()
	res, err := d.client.TriggerScreenPop(ctx, in.userID, body, in.idempotencyKey, signature)
	latency := time.Since(start)
	entry := audit.Entry{
		Operation:      "screenpop",
		UserID:         in.userID,
		IdempotencyKey: in.idempotencyKey,
		TargetURL:      screenpop.RedactURL(uri),
		LatencyMs:      float64(latency.Microseconds()) / 1000,
		CorrelationID:  clientCorrelationID(err),
	}
	if err != nil {
		entry.Error = err.Error()
		d.recordAudit(ctx, entry, false)
		diags.AddError("Unable to deliver the screen pop", err.Error())
		return nil, diags
	}
	focused := res.WindowFocused
	entry.PopID, entry.WindowFocused = res.ID, &focused
	d.recordAudit(ctx, entry, true)

	out := &screenPopOutcome{
		popID:          res.ID,
		status:         res.Status,
		windowFocused:  res.WindowFocused,
		deliveryTimeMs: res.DeliveryTimeMs,
		latency:        latency,
		deliveredAt:    time.Now().UTC(),
		signature:      signature,
		replayed:       res.Replayed,
	}
	if res.Replayed {
		say("already delivered earlier under this idempotency key (pop %s); not popped again", res.ID)
	} else {
		say("delivered pop %s in %d ms", res.ID, latency.Milliseconds())
	}
	if res.WindowFocused {
		say("agent window focused")
	} else {
		say("agent window not focused")
	}

	webhookURL := in.webhookURL
	if webhookURL == "" {
		webhookURL = d.screenPop.webhookURL
	}
	if webhookURL != "" && !res.Replayed {
		diags.Append(d.syncWebhook(ctx, webhookURL, in, out)...)
		if !diags.HasError() {
			say("webhook notified")
		}
	}
	return out, diags
}

// syncWebhook tells the productivity platform about a delivered pop. Its failure is a warning:
// the pop itself was delivered and must not be sent again.
func (d *providerData) syncWebhook(ctx context.Context, webhookURL string, in screenPopInput, out *screenPopOutcome) diag.Diagnostics {
	var diags diag.Diagnostics
	hook := audit.Webhook{URL: webhookURL, Secret: d.screenPop.signingSecret, Client: d.webhookHTTPClient}
	err := hook.Send(ctx, audit.ScreenPopEvent{
		UserID:         in.userID,
		LatencyMs:      float64(out.latency.Microseconds()) / 1000,
		WindowFocus:    out.windowFocused,
		Timestamp:      out.deliveredAt,
		IdempotencyKey: in.idempotencyKey,
	})
	if err != nil {
		diags.AddWarning("Screen pop webhook not delivered",
			fmt.Sprintf("The screen pop was delivered, but the screenpop_activated event did not reach the webhook: %s. "+
				"The pop is not sent again.", err))
	}
	return diags
}
