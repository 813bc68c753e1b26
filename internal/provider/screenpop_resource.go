package provider

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

var (
	_ resource.Resource                   = (*ScreenPopResource)(nil)
	_ resource.ResourceWithConfigure      = (*ScreenPopResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*ScreenPopResource)(nil)
	_ resource.ResourceWithValidateConfig = (*ScreenPopResource)(nil)
)

// NewScreenPopResource returns the genesys_screenpop resource.
func NewScreenPopResource() resource.Resource {
	return &ScreenPopResource{}
}

// ScreenPopResource delivers one screen pop per resource instance. It is action-shaped: creating
// it pops the agent's window, changing an input (triggers among them) replaces it and pops again,
// and destroying it only forgets it. Its idempotency key is fixed before the first request, so an
// apply that is retried or run again never pops twice.
type ScreenPopResource struct {
	data *providerData
}

type screenPopResourceModel struct {
	UserID              types.String   `tfsdk:"user_id"`
	ApplicationID       types.String   `tfsdk:"application_id"`
	TargetURL           types.String   `tfsdk:"target_url"`
	CustomerData        types.Map      `tfsdk:"customer_data"`
	SessionToken        types.String   `tfsdk:"session_token"`
	SessionTokenVersion types.Number   `tfsdk:"session_token_version"`
	State               types.Map      `tfsdk:"state"`
	Triggers            types.Map      `tfsdk:"triggers"`
	IdempotencyKey      types.String   `tfsdk:"idempotency_key"`
	WebhookURL          types.String   `tfsdk:"webhook_url"`
	ID                  types.String   `tfsdk:"id"`
	PopID               types.String   `tfsdk:"pop_id"`
	Status              types.String   `tfsdk:"status"`
	WindowFocused       types.Bool     `tfsdk:"window_focused"`
	DeliveryTimeMs      types.Int64    `tfsdk:"delivery_time_ms"`
	LatencyMs           types.Int64    `tfsdk:"latency_ms"`
	DeliveredAt         types.String   `tfsdk:"delivered_at"`
	Signature           types.String   `tfsdk:"signature"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

func (r *ScreenPopResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_screenpop"
}

func (r *ScreenPopResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Pops a window on an agent's desktop: signs the screen pop (HMAC-SHA256 under the provider's " +
			"`screenpop.signing_secret`), injects the customer context into the target URL's fragment and delivers it with " +
			"an idempotency key. Creating the resource pops once; re-applying pops no more; changing any input, `triggers` " +
			"included, replaces it and pops again; destroying it only forgets it. For a pop on every run, use the " +
			"`genesys_screenpop` action (Terraform 1.14 and later).",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: userIDText,
				Required:            true,
				Validators:          []validator.String{userIDValidator},
				PlanModifiers:       replace,
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "ID of the custom application that opens the target, such as a `genesys_agent_widget`'s `id`. " + applicationIDText,
				Required:            true,
				Validators:          []validator.String{validators.Text(1, maxApplicationIDBytes, true)},
				PlanModifiers:       replace,
			},
			"target_url": schema.StringAttribute{
				MarkdownDescription: targetURLText,
				Required:            true,
				Validators:          []validator.String{validators.TargetURL()},
				PlanModifiers:       replace,
			},
			"customer_data": schema.MapAttribute{
				MarkdownDescription: customerDataText,
				ElementType:         types.StringType,
				Optional:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"session_token": schema.StringAttribute{
				MarkdownDescription: "Agent session token bound to the pop through the URL fragment. Write-only (Terraform 1.11 " +
					"and later): it is never stored in state or plan. Bump `session_token_version` to pop again with a new token. " +
					sessionTokenSizeText,
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
			},
			"session_token_version": schema.NumberAttribute{
				MarkdownDescription: "Any whole number from 0; changing it replaces the resource so the pop is sent again with " +
					"the current `session_token`.",
				Optional:      true,
				Validators:    []validator.Number{validators.WholeNumber(0, math.MaxInt64, "versions")},
				PlanModifiers: []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"state": schema.MapAttribute{
				MarkdownDescription: "UI state handed to the application with the pop, such as `{ uiMode = \"focused\" }`.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them replaces the resource, which pops again.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"idempotency_key": schema.StringAttribute{
				MarkdownDescription: "Key that makes delivery idempotent: the screen pop service answers a key it saw in the " +
					"last 24 hours with the original answer instead of popping again. 8 to 128 bytes. Default: derived from the " +
					"signing secret and every input, fixed at plan time, so a failed apply that is run again reuses it.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.Text(8, 128, true)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"webhook_url": schema.StringAttribute{
				MarkdownDescription: "URL a signed `screenpop_activated` event is posted to after the pop is delivered. " +
					"Default: the provider's `screenpop.webhook_url`. A failed webhook is a warning, never a failed apply.",
				Optional:   true,
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"id":           computedString("Same as `idempotency_key`."),
			"pop_id":       computedString("ID the screen pop service gave the pop."),
			"status":       computedString("Delivery status the service reported, such as `delivered`."),
			"delivered_at": computedString("When the pop was delivered (RFC 3339, UTC)."),
			"signature": computedString("Base64 HMAC-SHA256 of the exact body sent (`X-Payload-Signature`); it reveals " +
				"nothing of the secret."),
			"window_focused": schema.BoolAttribute{
				MarkdownDescription: "Whether the agent's window took focus.",
				Computed:            true,
			},
			"delivery_time_ms": schema.Int64Attribute{
				MarkdownDescription: "Delivery time the service reported, in milliseconds.",
				Computed:            true,
			},
			"latency_ms": schema.Int64Attribute{
				MarkdownDescription: "Round trip the provider measured, retries included, in milliseconds.",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, CreateDescription: timeoutText("delivering the pop", defaultScreenPopTimeout),
			}),
		},
	}
}

// ValidateConfig checks what the pop would open, so a target whose fragment cannot take the
// customer context, a clashing key or a URL over the size limit fails at plan, not at apply.
func (r *ScreenPopResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m screenPopResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkPopContext(m.TargetURL, m.SessionToken, m.CustomerData)...)
}

func (r *ScreenPopResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fixes the idempotency key of a new pop before anything is sent and runs the rules
// that need the provider's configuration.
func (r *ScreenPopResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return // destroy, or an in-place change that sends nothing
	}
	if r.data == nil {
		return // provider values unknown until apply: apply checks them
	}
	var plan screenPopResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	target := ""
	if !plan.TargetURL.IsUnknown() {
		target = plan.TargetURL.ValueString()
	}
	resp.Diagnostics.Append(r.data.checkScreenPopSettings(target)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.IdempotencyKey.IsUnknown() {
		if key, known := r.derivedKey(ctx, plan, &resp.Diagnostics); known {
			plan.IdempotencyKey = types.StringValue(key)
			plan.ID = plan.IdempotencyKey
			resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		}
	}
}

// derivedKey is the default idempotency key: a keyed hash of every input that makes the pop what it
// is. The same inputs give the same key on every plan, so running a failed apply again cannot
// pop twice; the signing secret keys it so customer data cannot be guessed back from it.
func (r *ScreenPopResource) derivedKey(ctx context.Context, m screenPopResourceModel, diags *diag.Diagnostics) (string, bool) {
	for _, v := range []interface{ IsUnknown() bool }{m.UserID, m.ApplicationID, m.TargetURL, m.CustomerData,
		m.SessionTokenVersion, m.State, m.Triggers} {
		if v.IsUnknown() {
			return "", false
		}
	}
	inputs := screenpop.KeyInputs{
		UserID:              m.UserID.ValueString(),
		ApplicationID:       m.ApplicationID.ValueString(),
		TargetURL:           m.TargetURL.ValueString(),
		CustomerData:        stringMap(ctx, m.CustomerData, diags),
		State:               stringMap(ctx, m.State, diags),
		Triggers:            stringMap(ctx, m.Triggers, diags),
		SessionTokenVersion: validators.Int64Of(m.SessionTokenVersion.ValueBigFloat()),
	}
	key, err := screenpop.DeriveIdempotencyKey(r.data.screenPop.SigningSecret, inputs)
	if err != nil {
		diags.AddError("Unable to derive the screen pop's idempotency key", err.Error())
		return "", false
	}
	return key, true
}

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func (r *ScreenPopResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan screenPopResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// Write-only values are only in the configuration, never in the plan.
	var sessionToken types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("session_token"), &sessionToken)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		resp.Diagnostics.Append(providerNotConfigured("the screen pop cannot be delivered"))
		return
	}
	if plan.IdempotencyKey.IsUnknown() {
		key, _ := r.derivedKey(ctx, plan, &resp.Diagnostics)
		plan.IdempotencyKey = types.StringValue(key)
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultScreenPopTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	out, diags := r.data.deliverScreenPop(ctx, delivery.Pop{
		UserID:         plan.UserID.ValueString(),
		ApplicationID:  plan.ApplicationID.ValueString(),
		TargetURL:      plan.TargetURL.ValueString(),
		SessionToken:   sessionToken.ValueString(),
		CustomerData:   stringMap(ctx, plan.CustomerData, &resp.Diagnostics),
		State:          stringMap(ctx, plan.State, &resp.Diagnostics),
		IdempotencyKey: plan.IdempotencyKey.ValueString(),
		WebhookURL:     plan.WebhookURL.ValueString(),
	}, fmt.Sprintf("Running terraform apply again is safe: it sends the same idempotency key (%s), so the service "+
		"answers with the original delivery instead of popping the agent's window a second time.", plan.IdempotencyKey.ValueString()),
		opTimeout{"create", timeout}, nil)
	resp.Diagnostics.Append(diags...)
	if out == nil {
		return
	}
	plan.ID = plan.IdempotencyKey
	plan.PopID = types.StringValue(out.PopID)
	plan.Status = types.StringValue(out.Status)
	plan.WindowFocused = types.BoolValue(out.WindowFocused)
	plan.DeliveryTimeMs = types.Int64Value(out.DeliveryTimeMs)
	plan.LatencyMs = types.Int64Value(out.Latency.Milliseconds())
	plan.DeliveredAt = types.StringValue(out.DeliveredAt.Format(time.RFC3339))
	plan.Signature = types.StringValue(out.Signature)
	plan.SessionToken = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Read keeps what was delivered: a pop is an event, and there is nothing to refresh it from.
func (r *ScreenPopResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state screenPopResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update changes only what sends nothing (webhook_url, timeouts); every other input replaces the
// resource.
func (r *ScreenPopResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state screenPopResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.WebhookURL = plan.WebhookURL
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Delete forgets the pop: a window that popped cannot be un-popped.
func (r *ScreenPopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
