package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

// checkScreenPopSettings reports, as diagnostics, what stops any pop of this provider block from
// being sent: a missing signing secret or a target outside the allowed domains. An empty
// targetURL skips the domain rule (unknown until apply).
func (d *providerData) checkScreenPopSettings(targetURL string) diag.Diagnostics {
	return screenPopDiagnostics(d.screenPop.Check(targetURL), "", "")
}

// deliverScreenPop sends one pop and turns what happened into diagnostics: errors for what
// stopped it, warnings for what failed after it was delivered. rerun tells the user whether
// running the same command again could pop the agent's window twice. limit bounds the delivery,
// the webhook included.
func (d *providerData) deliverScreenPop(ctx context.Context, p delivery.Pop, rerun string, limit opTimeout, progress func(string)) (*delivery.Result, diag.Diagnostics) {
	popCtx, span := d.startPopTelemetry(ctx, p.ApplicationID)
	popCtx, cancel, blame := limit.begin(popCtx)
	defer cancel()
	res, err := d.screenPop.Send(popCtx, p, progress)
	err = blame(err)
	diags := screenPopDiagnostics(err, p.UserID, rerun)
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

func screenPopDiagnostics(err error, userID, rerun string) diag.Diagnostics {
	var diags diag.Diagnostics
	var targetErr *delivery.TargetError
	var contextErr *delivery.ContextError
	var userErr *delivery.UserIDError
	switch {
	case err == nil:
	case client.IsSignatureRefused(err):
		diags.AddError("Screen pop signature refused",
			"The screen pop service refused the pop's signature (X-Payload-Signature): the provider's "+
				"screenpop.signing_secret (or "+envSigningSecret+") is not the secret the service holds. Set it to the "+
				"secret shared with the screen pop service. Nothing was delivered.\n\n"+err.Error())
	case client.IsNotFound(err):
		diags.AddAttributeError(path.Root("user_id"), "Screen pop user not found",
			fmt.Sprintf("The screen pop service knows no user %q in this org (404): set user_id to the ID of a user "+
				"of the org the provider block signs in to (a GUID such as the one in the user's profile URL), "+
				"not a name or an email address. Nothing was delivered.\n\n%s", userID, err))
	case client.MayHaveArrived(err):
		diags.AddError("Screen pop may have been delivered",
			"The pop reached the screen pop service but no answer came back, so it may have been delivered. "+rerun+
				"\n\n"+clientErrorDetail(err, serviceScreenPop))
	case errors.Is(err, delivery.ErrNoSigningSecret):
		diags.AddError("Missing screen pop signing secret",
			"Every screen pop is signed (HMAC-SHA256, X-Payload-Signature). Set signing_secret in the provider's "+
				"screenpop block or the "+envSigningSecret+" environment variable to the secret shared with the screen pop service.")
	case errors.As(err, &targetErr):
		detail := "target_url: " + targetErr.Error()
		var de *screenpop.DomainError
		if errors.As(err, &de) {
			detail += "; add it to screenpop.allowed_domains or point the screen pop at an allowed domain"
		}
		diags.AddAttributeError(path.Root("target_url"), "Screen pop target not allowed", detail+".")
	case errors.As(err, &contextErr):
		diags.Append(contextDiagnostic(contextErr.Err))
	case errors.As(err, &userErr):
		diags.AddAttributeError(path.Root("user_id"), "Invalid user_id", "user_id: "+userErr.Error()+".")
	default:
		diags.AddError("Unable to deliver the screen pop", clientErrorDetail(err, serviceScreenPop))
	}
	return diags
}

// contextDiagnostic reports customer context that cannot go into the target URL against the
// attribute to change.
func contextDiagnostic(err error) diag.Diagnostic {
	attr, p := "customer_data", path.Root("customer_data")
	var ce *screenpop.ContextError
	if errors.As(err, &ce) {
		switch ce.Part {
		case screenpop.PartTarget:
			attr, p = "target_url", path.Root("target_url")
		case screenpop.PartSessionToken:
			attr, p = "session_token", path.Root("session_token")
		}
	}
	return diag.NewAttributeErrorDiagnostic(p, "Invalid "+attr, attr+": "+err.Error()+".")
}

// checkPopContext runs, at validation, the rules of the customer context that need no provider
// configuration: the target's own fragment, the keys, and the size of the URL with its context.
// Values unknown until apply are checked then.
func checkPopContext(target, sessionToken types.String, customerData types.Map) diag.Diagnostics {
	var diags diag.Diagnostics
	if target.IsUnknown() || target.IsNull() || sessionToken.IsUnknown() || customerData.IsUnknown() {
		return diags
	}
	if screenpop.CheckTargetURL(target.ValueString(), nil) != nil {
		return diags // the attribute's validator reports it
	}
	data := map[string]string{}
	for k, v := range customerData.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			return diags
		}
		data[k] = s.ValueString()
	}
	if _, err := screenpop.InjectContext(target.ValueString(), sessionToken.ValueString(), data); err != nil {
		diags.Append(contextDiagnostic(err))
	}
	return diags
}

// maxApplicationIDBytes bounds application_id: an integration ID is a 36-byte GUID, and relays
// that use their own IDs get room to spare.
const maxApplicationIDBytes = 256

// userIDValidator is the rule of screenpop.CheckUserID on user_id.
var userIDValidator = validators.Check(fmt.Sprintf("value must be a user ID of at most %d bytes, without '/', '\\', '?', "+
	"'#', '%%' or white space, and not \".\" or \"..\"", screenpop.MaxUserIDLength), screenpop.CheckUserID)
