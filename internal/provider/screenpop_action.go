package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

var (
	_ action.Action                   = (*ScreenPopAction)(nil)
	_ action.ActionWithConfigure      = (*ScreenPopAction)(nil)
	_ action.ActionWithModifyPlan     = (*ScreenPopAction)(nil)
	_ action.ActionWithValidateConfig = (*ScreenPopAction)(nil)
)

// NewScreenPopAction returns the genesys_screenpop action.
func NewScreenPopAction() action.Action {
	return &ScreenPopAction{}
}

// ScreenPopAction pops an agent's window every time it is invoked (Terraform 1.14 and later):
// from an action_trigger of a resource's lifecycle, or by `terraform apply -invoke`. Unlike the
// resource, it keeps nothing, so each invocation uses a fresh idempotency key unless one is given.
type ScreenPopAction struct {
	data *providerData
}

type screenPopActionModel struct {
	UserID         types.String   `tfsdk:"user_id"`
	ApplicationID  types.String   `tfsdk:"application_id"`
	TargetURL      types.String   `tfsdk:"target_url"`
	CustomerData   types.Map      `tfsdk:"customer_data"`
	SessionToken   types.String   `tfsdk:"session_token"`
	State          types.Map      `tfsdk:"state"`
	IdempotencyKey types.String   `tfsdk:"idempotency_key"`
	WebhookURL     types.String   `tfsdk:"webhook_url"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (a *ScreenPopAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_screenpop"
}

func (a *ScreenPopAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Signs and delivers a screen pop each time it is invoked, reporting each step " +
			"(signed; delivered in N ms; window focused or not). Each invocation uses a fresh idempotency key unless " +
			"`idempotency_key` is given. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: userIDText,
				Required:            true,
				Validators:          []validator.String{userIDValidator},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "ID of the custom application that opens the target. " + applicationIDText,
				Required:            true,
				Validators:          []validator.String{validators.Text(1, maxApplicationIDBytes, true)},
			},
			"target_url": schema.StringAttribute{
				MarkdownDescription: targetURLText,
				Required:            true,
				Validators:          []validator.String{validators.TargetURL()},
			},
			"customer_data": schema.MapAttribute{
				MarkdownDescription: customerDataText,
				ElementType:         types.StringType,
				Optional:            true,
			},
			"session_token": schema.StringAttribute{
				MarkdownDescription: "Agent session token bound to the pop through the URL fragment. Accepts ephemeral values. " +
					sessionTokenSizeText,
				Optional:  true,
				WriteOnly: true,
			},
			"state": schema.MapAttribute{
				MarkdownDescription: "UI state handed to the application with the pop.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"idempotency_key": schema.StringAttribute{
				MarkdownDescription: "Key that makes delivery idempotent; a key seen in the last 24 hours is answered with " +
					"the original delivery instead of a new pop. 8 to 128 bytes. Default: a fresh random key per invocation.",
				Optional:   true,
				Validators: []validator.String{validators.Text(8, 128, true)},
			},
			"webhook_url": schema.StringAttribute{
				MarkdownDescription: "URL a signed `screenpop_activated` event is posted to after delivery. Default: the provider's `screenpop.webhook_url`.",
				Optional:            true,
				Validators:          []validator.String{validators.URLWithScheme("https", "http")},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{
				InvokeDescription: timeoutText("one invocation", defaultScreenPopTimeout),
			}),
		},
	}
}

// ValidateConfig checks what the pop would open, as the resource does.
func (a *ScreenPopAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m screenPopActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkPopContext(m.TargetURL, m.SessionToken, m.CustomerData)...)
}

func (a *ScreenPopAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan runs the rules that need the provider's configuration, when it is known, so a bad
// target or a missing signing secret fails at plan rather than when the action fires.
func (a *ScreenPopAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return
	}
	var m screenPopActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.TargetURL.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(a.data.checkScreenPopSettings(m.TargetURL.ValueString())...)
}

func (a *ScreenPopAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m screenPopActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		resp.Diagnostics.Append(providerNotConfigured("the screen pop cannot be delivered"))
		return
	}
	key := m.IdempotencyKey.ValueString()
	if key == "" {
		var err error
		if key, err = screenpop.NewIdempotencyKey(); err != nil {
			resp.Diagnostics.AddError("Unable to generate an idempotency key", err.Error())
			return
		}
	}
	timeout, diags := m.Timeouts.Invoke(ctx, defaultScreenPopTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	_, diags = a.data.deliverScreenPop(ctx, delivery.Pop{
		UserID:         m.UserID.ValueString(),
		ApplicationID:  m.ApplicationID.ValueString(),
		TargetURL:      m.TargetURL.ValueString(),
		SessionToken:   m.SessionToken.ValueString(),
		CustomerData:   stringMap(ctx, m.CustomerData, &resp.Diagnostics),
		State:          stringMap(ctx, m.State, &resp.Diagnostics),
		IdempotencyKey: key,
		WebhookURL:     m.WebhookURL.ValueString(),
	}, fmt.Sprintf("Invoking the action again as it is would send a new idempotency key and could pop the agent's "+
		"window twice; to retry safely, set idempotency_key = %q on the action and invoke it again: the service "+
		"then answers with the original delivery if there was one.", key), opTimeout{"invoke", timeout}, progress)
	resp.Diagnostics.Append(diags...)
}
