package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var (
	_ resource.Resource                   = (*AgentWidgetResource)(nil)
	_ resource.ResourceWithConfigure      = (*AgentWidgetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*AgentWidgetResource)(nil)
	_ resource.ResourceWithImportState    = (*AgentWidgetResource)(nil)
	_ resource.ResourceWithIdentity       = (*AgentWidgetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*AgentWidgetResource)(nil)
)

// Length limits of a widget's texts, in bytes.
const (
	maxWidgetNameBytes        = 200
	maxWidgetDescriptionBytes = 2000
	maxIDBytes                = 64 // a Genesys Cloud ID is a 36-byte GUID
)

var objectAsOptions = basetypes.ObjectAsOptions{}

// NewAgentWidgetResource returns the genesys_agent_widget resource.
func NewAgentWidgetResource() resource.Resource {
	return &AgentWidgetResource{}
}

// AgentWidgetResource manages a custom agent widget: a Genesys Cloud "custom client application"
// integration, its configuration and whether it is enabled.
type AgentWidgetResource struct {
	data *providerData
}

// agentWidgetModel is a widget as Terraform sees it: the resource's attributes but its timeouts,
// and the genesys_agent_widget data source's, all of them.
type agentWidgetModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	Description        types.String `tfsdk:"description"`
	Type               types.String `tfsdk:"type"`
	ManifestURL        types.String `tfsdk:"manifest_url"`
	Status             types.String `tfsdk:"status"`
	DisplayType        types.String `tfsdk:"display_type"`
	Sandbox            types.Set    `tfsdk:"sandbox"`
	Permissions        types.Set    `tfsdk:"permissions"`
	Groups             types.Set    `tfsdk:"groups"`
	Dimensions         types.Object `tfsdk:"dimensions"`
	RefreshIntervalMs  types.Number `tfsdk:"refresh_interval_ms"`
	CommunicationTypes types.Set    `tfsdk:"communication_types"`
	QueueIDs           types.Set    `tfsdk:"queue_ids"`
	IntegrationType    types.String `tfsdk:"integration_type"`
	ReportedState      types.String `tfsdk:"reported_state"`
	ConfigVersion      types.Int64  `tfsdk:"config_version"`
}

type agentWidgetResourceModel struct {
	agentWidgetModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

type agentWidgetIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (r *AgentWidgetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent_widget"
}

func (r *AgentWidgetResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Integration ID of the widget.",
			},
		},
	}
}

func (r *AgentWidgetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	defaultSandbox, _ := types.SetValueFrom(ctx, types.StringType, widget.DefaultSandbox)
	emptySet, _ := types.SetValueFrom(ctx, types.StringType, []string{})
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Genesys Cloud custom agent widget: a custom client application integration that loads " +
			"`manifest_url` in a sandboxed iframe of the agent desktop. Every sandbox constraint (origin allow-list, " +
			"payload size, render frame limits, sandbox tokens and permissions) is checked at `terraform plan`, before " +
			"any request is sent.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Integration ID of the widget.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name agents and admins see, unique within the org by convention. 1 to %d bytes "+
					"(UTF-8), not only white space.", maxWidgetNameBytes),
				Required:   true,
				Validators: []validator.String{validators.Text(1, maxWidgetNameBytes, true)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Notes shown to admins (the integration's `notes`). At most %d bytes (UTF-8); "+
					"it counts towards the configuration's size limit, `widget_constraints.max_payload_bytes`.", maxWidgetDescriptionBytes),
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(""),
				Validators: []validator.String{validators.Text(0, maxWidgetDescriptionBytes, false)},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`webapp` (a standalone app or agent widget, integration type `embedded-client-app`) or " +
					"`integration` (an interaction widget shown beside conversations, `embedded-client-app-interaction-widget`). " +
					"Changing it replaces the widget.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf("webapp", "integration")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"manifest_url": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("https URL the agent desktop loads in the widget's iframe, at most %d bytes. "+
					"Its host must match `widget_constraints.allowed_origins` of the provider when that is set. ",
					widget.MaxManifestURLLength) + hostRuleText,
				Required:   true,
				Validators: []validator.String{validators.ManifestURL()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active` (enabled: agents see it) or `inactive`. Default `active`. Applying waits until " +
					"Genesys Cloud reports the widget `ACTIVE` or `INACTIVE`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(widget.StatusActive),
				Validators: []validator.String{stringvalidator.OneOf(widget.StatusActive, widget.StatusInactive)},
			},
			"display_type": schema.StringAttribute{
				MarkdownDescription: "`widget` (in the agent desktop's widget panel) or `standalone` (its own app page). Default `widget`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("widget"),
				Validators:          []validator.String{stringvalidator.OneOf(widget.DisplayTypes...)},
			},
			"sandbox": schema.SetAttribute{
				MarkdownDescription: "iframe sandbox tokens the widget runs with. Default: the set Genesys Cloud recommends, " +
					fmt.Sprintf("%s. Known tokens: %s.", codeList(widget.DefaultSandbox), codeList(widget.SandboxTokens)),
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(defaultSandbox),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(widget.SandboxTokens...))},
			},
			"permissions": schema.SetAttribute{
				MarkdownDescription: "Browser features the iframe may use: " + codeList(widget.Permissions) + ". Default none.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(emptySet),
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(widget.Permissions...))},
			},
			"groups": schema.SetAttribute{
				MarkdownDescription: fmt.Sprintf("IDs of the groups whose members see the widget, each 1 to %d bytes. Default: "+
					"everyone. Counts towards `widget_constraints.max_payload_bytes`.", maxIDBytes),
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(emptySet),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(validators.Text(1, maxIDBytes, true))},
			},
			"dimensions": schema.SingleNestedAttribute{
				MarkdownDescription: "Render frame the widget asks for, in pixels; at most the provider's " +
					"`widget_constraints.max_width` by `max_height` (800 by 600 by default).",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"width": schema.NumberAttribute{
						MarkdownDescription: "Width in pixels: a whole number from 1 to the provider's `widget_constraints.max_width`.",
						Required:            true,
						Validators:          []validator.Number{validators.WholeNumber(1, 0, "pixels")},
					},
					"height": schema.NumberAttribute{
						MarkdownDescription: "Height in pixels: a whole number from 1 to the provider's `widget_constraints.max_height`.",
						Required:            true,
						Validators:          []validator.Number{validators.WholeNumber(1, 0, "pixels")},
					},
				},
			},
			"refresh_interval_ms": schema.NumberAttribute{
				MarkdownDescription: fmt.Sprintf("How often the widget reloads its data, in milliseconds: a whole number from %d "+
					"(one second) to %d (one day). Unset: it does not refresh.", widget.MinRefreshIntervalMs, widget.MaxRefreshIntervalMs),
				Optional:   true,
				Validators: []validator.Number{validators.WholeNumber(widget.MinRefreshIntervalMs, widget.MaxRefreshIntervalMs, "milliseconds")},
			},
			"communication_types": schema.SetAttribute{
				MarkdownDescription: "Interaction widgets only (`type = \"integration\"`): the kinds of conversation the widget " +
					"appears beside, from " + codeList(widget.CommunicationTypes) + ". Default: all of them.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(emptySet),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(widget.CommunicationTypes...))},
			},
			"queue_ids": schema.SetAttribute{
				MarkdownDescription: fmt.Sprintf("Interaction widgets only: IDs of the queues whose conversations show the widget, "+
					"each 1 to %d bytes. Default: every queue. Counts towards `widget_constraints.max_payload_bytes`.", maxIDBytes),
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(emptySet),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(validators.Text(1, maxIDBytes, true))},
			},
			"integration_type": schema.StringAttribute{
				MarkdownDescription: "Genesys Cloud integration type ID that `type` maps to.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"reported_state": schema.StringAttribute{
				MarkdownDescription: "State Genesys Cloud reports: `ACTIVE`, `INACTIVE`, or, when it was changed outside " +
					"Terraform or failed, `ACTIVATING`, `DEACTIVATING` or `ERROR`.",
				Computed: true,
			},
			"config_version": schema.Int64Attribute{
				MarkdownDescription: "Version of the widget's configuration; it grows by one with every change.",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, CreateDescription: timeoutText("creating the widget (create, configure, activate)", defaultWidgetCreateTimeout),
				Update: true, UpdateDescription: timeoutText("an update", defaultWidgetUpdateTimeout),
				Delete: true, DeleteDescription: timeoutText("deleting the widget", defaultWidgetDeleteTimeout),
			}),
		},
	}
}

func (r *AgentWidgetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the rule that spans two attributes; single-attribute rules are validators.
func (r *AgentWidgetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m agentWidgetResourceModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Type.ValueString() == "integration" && m.DisplayType.ValueString() == "standalone" {
		resp.Diagnostics.AddAttributeError(path.Root("display_type"), "Invalid display_type",
			`An interaction widget (type = "integration") is always shown beside a conversation; `+
				`display_type "standalone" applies only to type = "webapp". Remove display_type or set it to "widget".`)
	}
	if m.Type.ValueString() == "webapp" {
		for name, v := range map[string]types.Set{"communication_types": m.CommunicationTypes, "queue_ids": m.QueueIDs} {
			if !v.IsNull() && !v.IsUnknown() && len(v.Elements()) > 0 {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Invalid "+name,
					name+` filters which conversations an interaction widget appears beside; it applies only to `+
						`type = "integration". Remove it, or change type to "integration".`)
			}
		}
	}
}

// ModifyPlan fills in what apply will produce, so plans are exact, and runs the rules that need
// the provider's configuration.
func (r *AgentWidgetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan agentWidgetResourceModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Apply waits for the reported state, so its value is known now.
	if !plan.Status.IsUnknown() {
		plan.ReportedState = types.StringValue(reportedStateFor(plan.Status.ValueString()))
	}
	if integrationType, ok := widget.IntegrationTypeFor(plan.Type.ValueString()); ok {
		plan.IntegrationType = types.StringValue(integrationType)
	}
	version := 1
	if !req.State.Raw.IsNull() {
		var state agentWidgetResourceModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		version = int(state.ConfigVersion.ValueInt64())
		if plan.configDiffers(state) || state.ConfigVersion.IsNull() {
			plan.ConfigVersion = types.Int64Unknown()
		} else {
			plan.ConfigVersion = state.ConfigVersion
		}
	}
	resp.Diagnostics.Append(setPlan(ctx, &resp.Plan, plan)...)

	if r.data == nil {
		return // provider values unknown until apply: apply checks again
	}
	spec, known, diags := specFrom(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if known {
		resp.Diagnostics.Append(checkSpec(spec, r.data.constraints, version)...)
	} else if !plan.ManifestURL.IsUnknown() {
		// The origin rule needs only manifest_url; check it even when other values wait for apply.
		resp.Diagnostics.Append(originDiagnostics(plan.ManifestURL.ValueString(), r.data.constraints.AllowedOrigins)...)
	}
}

func reportedStateFor(status string) string {
	if status == widget.StatusActive {
		return client.ReportedActive
	}
	return client.ReportedInactive
}

func (r *AgentWidgetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan agentWidgetResourceModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultWidgetCreateTimeout)
	resp.Diagnostics.Append(diags...)
	spec, _, diags := specFrom(ctx, plan)
	resp.Diagnostics.Append(diags...)
	// Values that were unknown at plan time are known now: check them before the first request.
	resp.Diagnostics.Append(checkSpec(spec, r.data.constraints, 1)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, blame := opTimeout{"create", timeout}.begin(ctx)
	defer cancel()

	integrationType, _ := widget.IntegrationTypeFor(spec.typ)
	start := time.Now()
	opCtx, op := r.data.startWidgetOp(ctx, telemetry.OpCreate, "", spec.name)
	created, err := r.data.client.CreateIntegration(opCtx, spec.name, integrationType)
	err = blame(err)
	if err != nil {
		resp.Diagnostics.Append(op.end(ctx, "", err)...)
		r.record(ctx, audit.OpCreate, "", spec.name, start, err)
		resp.Diagnostics.AddError("Unable to create the widget", clientErrorDetail(err, serviceAPI))
		return
	}
	// From here on the widget exists: every failure still records it in state, so Terraform
	// taints it and the next apply replaces it rather than leaving an orphan behind.
	plan.ID = types.StringValue(created.ID)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, agentWidgetIdentityModel{ID: plan.ID})...)

	resp.Diagnostics.Append(op.end(ctx, created.ID, nil)...)

	opCtx, op = r.data.startWidgetOp(ctx, telemetry.OpConfigure, created.ID, spec.name)
	cfg, err := r.data.client.PutIntegrationConfig(opCtx, created.ID, spec.integrationConfig(created.Config.Current.Version))
	err = blame(err)
	resp.Diagnostics.Append(op.end(ctx, created.ID, err)...)
	r.record(ctx, audit.OpCreate, created.ID, spec.name, start, err)
	if err != nil {
		resp.Diagnostics.Append(r.savePartial(ctx, resp, plan, created)...)
		resp.Diagnostics.AddError("Unable to configure the widget",
			fmt.Sprintf("Widget %s was created but its configuration was not saved. It is kept in state as tainted; "+
				"the next apply replaces it.\n\n%s", created.ID, clientErrorDetail(err, serviceAPI)))
		return
	}
	current, diags := r.applyStatus(ctx, created, spec, blame)
	resp.Diagnostics.Append(diags...)
	if current == nil {
		current = created
	}
	resp.Diagnostics.Append(modelFromAPI(ctx, &plan.agentWidgetModel, current, cfg)...)
	resp.Diagnostics.Append(setState(ctx, &resp.State, plan)...)
}

// applyStatus sets the intended state when it differs from what the integration reports and waits
// for the reported state. It returns the last integration seen, nil if none, on failure too: a
// PATCH that landed before the wait ran out must be saved as the service reports it (ACTIVATING),
// not as the create answered. blame marks the errors that the operation's timeout caused.
func (r *AgentWidgetResource) applyStatus(ctx context.Context, in *client.Integration, spec widgetSpec, blame func(error) error) (*client.Integration, diag.Diagnostics) {
	var diags diag.Diagnostics
	enable := spec.status == widget.StatusActive
	want := reportedStateFor(spec.status)
	if (in.IntendedState == client.StateEnabled) == enable && in.ReportedState.Code == want {
		return in, diags
	}
	op, telemetryOp := audit.OpDeactivate, telemetry.OpDisable
	if enable {
		op, telemetryOp = audit.OpActivate, telemetry.OpActivate
	}
	start := time.Now()
	opCtx, tracked := r.data.startWidgetOp(ctx, telemetryOp, in.ID, spec.name)
	current, err := r.data.client.SetIntendedState(opCtx, in.ID, enable)
	if err == nil {
		current, err = r.data.client.WaitForReportedState(opCtx, current, want)
	}
	err = blame(err)
	diags.Append(tracked.end(ctx, in.ID, err)...)
	r.record(ctx, op, in.ID, spec.name, start, err)
	if err != nil {
		diags.AddAttributeError(path.Root("status"), "Unable to "+op+" the widget",
			fmt.Sprintf("Widget %s did not reach %s: %s", in.ID, want, clientErrorDetail(err, serviceAPI)))
	}
	return current, diags
}

// savePartial records a widget that exists but did not finish applying.
func (r *AgentWidgetResource) savePartial(ctx context.Context, resp *resource.CreateResponse, plan agentWidgetResourceModel, in *client.Integration) diag.Diagnostics {
	plan.IntegrationType = types.StringValue(in.IntegrationType.ID)
	plan.ReportedState = types.StringValue(in.ReportedState.Code)
	plan.ConfigVersion = types.Int64Value(int64(in.Config.Current.Version))
	return setState(ctx, &resp.State, plan)
}

func (r *AgentWidgetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state agentWidgetResourceModel
	resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	id := state.ID.ValueString()
	// Terraform before 1.12 keeps no identity, so it is set on every read, also one that ends in
	// removing the resource.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, agentWidgetIdentityModel{ID: state.ID})...)
	// The client believes a 404 only once reads have lagged no longer than Genesys' reads lag
	// its writes, so a refresh right after an apply does not drop (and then duplicate) a widget.
	// The widget and its configuration are read at once, and the widget's read shares a list
	// with the other widgets' refreshed alongside it.
	in, cfg, err := r.data.client.GetIntegrationAndConfig(ctx, id)
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the widget", clientErrorDetail(err, serviceAPI))
		return
	}
	resp.Diagnostics.Append(modelFromAPI(ctx, &state.agentWidgetModel, in, cfg)...)
	if state.Timeouts.IsNull() {
		state.Timeouts = timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, state)...)
}

func (r *AgentWidgetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state agentWidgetResourceModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultWidgetUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	spec, _, diags := specFrom(ctx, plan)
	resp.Diagnostics.Append(diags...)
	version := int(state.ConfigVersion.ValueInt64())
	resp.Diagnostics.Append(checkSpec(spec, r.data.constraints, version)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, blame := opTimeout{"update", timeout}.begin(ctx)
	defer cancel()
	id := state.ID.ValueString()
	plan.ID = state.ID
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, agentWidgetIdentityModel{ID: state.ID})...)

	var cfg *client.IntegrationConfig
	if plan.configDiffers(state) {
		start := time.Now()
		opCtx, op := r.data.startWidgetOp(ctx, telemetry.OpUpdate, id, spec.name)
		var err error
		cfg, err = r.data.client.PutIntegrationConfig(opCtx, id, spec.integrationConfig(version))
		err = blame(err)
		resp.Diagnostics.Append(op.end(ctx, id, err)...)
		r.record(ctx, audit.OpUpdate, id, spec.name, start, err)
		if err != nil {
			resp.Diagnostics.AddError("Unable to update the widget", clientErrorDetail(err, serviceAPI))
			// The PUT may have landed even so (an answer lost on the way back).
			resp.Diagnostics.Append(r.saveTrueState(ctx, &resp.State, state)...)
			return
		}
	}
	in := &client.Integration{ID: id}
	in.IntendedState = intendedFor(state.Status.ValueString())
	in.ReportedState.Code = state.ReportedState.ValueString()
	in.IntegrationType.ID = state.IntegrationType.ValueString()
	current, diags := r.applyStatus(ctx, in, spec, blame)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		// The configuration may have changed already, and the intended state too.
		resp.Diagnostics.Append(r.saveTrueState(ctx, &resp.State, state)...)
		return
	}
	if cfg == nil {
		plan.ConfigVersion = state.ConfigVersion
	} else {
		plan.ConfigVersion = types.Int64Value(int64(cfg.Version))
	}
	plan.IntegrationType = types.StringValue(current.IntegrationType.ID)
	plan.ReportedState = types.StringValue(current.ReportedState.Code)
	resp.Diagnostics.Append(setState(ctx, &resp.State, plan)...)
}

// trueStateReadTimeout bounds the reads after a failed update: the operation's own time may be
// spent, and the state must still be written.
const trueStateReadTimeout = 30 * time.Second

// saveTrueState writes what the API now holds after an update failed part-way, never the plan: a
// plan that was not applied, saved as state, would hide the difference from the next plan. prior
// is the state before the update; it gives the forms Terraform cannot tell apart (an empty list
// and none) and stands when the API cannot be read, since a value that may have changed is then
// found different by the next refresh and planned again.
func (r *AgentWidgetResource) saveTrueState(ctx context.Context, into *tfsdk.State, prior agentWidgetResourceModel) diag.Diagnostics {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), trueStateReadTimeout)
	defer cancel()
	var diags diag.Diagnostics
	id := prior.ID.ValueString()
	in, cfg, err := r.data.client.GetIntegrationAndConfig(ctx, id)
	if err != nil {
		diags.AddWarning("Widget state may be out of date",
			fmt.Sprintf("After the failed update, widget %s could not be read back (%s), so its state is the one from "+
				"before the update; the next plan reads it again and shows what still differs.", id, err))
		return diags
	}
	truth := prior
	diags.Append(modelFromAPI(ctx, &truth.agentWidgetModel, in, cfg)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(setState(ctx, into, truth)...)
	return diags
}

func intendedFor(status string) string {
	if status == widget.StatusActive {
		return client.StateEnabled
	}
	return client.StateDisabled
}

func (r *AgentWidgetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state agentWidgetResourceModel
	resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultWidgetDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, blame := opTimeout{"delete", timeout}.begin(ctx)
	defer cancel()
	start := time.Now()
	opCtx, op := r.data.startWidgetOp(ctx, telemetry.OpDelete, state.ID.ValueString(), state.Name.ValueString())
	err := blame(r.data.client.DeleteIntegration(opCtx, state.ID.ValueString()))
	resp.Diagnostics.Append(op.end(ctx, state.ID.ValueString(), err)...)
	r.record(ctx, audit.OpDelete, state.ID.ValueString(), state.Name.ValueString(), start, err)
	if err != nil {
		resp.Diagnostics.AddError("Unable to delete the widget", clientErrorDetail(err, serviceAPI))
	}
}

func (r *AgentWidgetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
}

// configured reports whether apply-time calls can go ahead. The provider is always configured by
// apply time; this guards against a provider block whose values never became known.
func (r *AgentWidgetResource) configured(diags *diag.Diagnostics) bool {
	if r.data == nil {
		diags.Append(providerNotConfigured("the widget cannot be read or changed"))
		return false
	}
	return true
}

// record appends one audit entry for an operation on a widget.
func (r *AgentWidgetResource) record(ctx context.Context, op, id, name string, start time.Time, err error) {
	entry := audit.Entry{
		Operation:     op,
		WidgetID:      id,
		WidgetName:    name,
		Environment:   r.data.environment,
		LatencyMs:     float64(time.Since(start).Microseconds()) / 1000,
		CorrelationID: client.CorrelationID(err),
	}
	if err != nil {
		entry.Error = err.Error()
	}
	r.data.recordAudit(ctx, entry, err == nil)
}

func timeoutsAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"create": types.StringType,
		"update": types.StringType,
		"delete": types.StringType,
	}
}
