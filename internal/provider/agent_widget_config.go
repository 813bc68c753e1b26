package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// The Genesys Cloud names of a custom client application's configuration. Properties are strings
// on the wire, lists joined by commas, except groups which is a JSON array; the seed's render
// settings travel in advanced, which the API keeps as free JSON.
const (
	propURL             = "url"
	propDisplayType     = "displayType"
	propSandbox         = "sandbox"
	propPermissions     = "permissions"
	propGroups          = "groups"
	propCommTypes       = "communicationTypeFilter"
	propQueueIDs        = "queueIdFilterList"
	advDimensions       = "dimensions"
	advRefreshInterval  = "refreshIntervalMs"
	intendedEnabled     = "ENABLED"
	intendedDisabled    = "DISABLED"
	reportedActive      = "ACTIVE"
	reportedInactive    = "INACTIVE"
	statusActive        = "active"
	statusInactive      = "inactive"
	dimensionsWidthKey  = "width"
	dimensionsHeightKey = "height"
)

// interactionCommunicationTypes are the conversation kinds an interaction widget can be limited to.
var interactionCommunicationTypes = []string{"call", "callback", "chat", "email", "message", "socialExpression", "video"}

type dimensionsModel struct {
	Width  types.Int64 `tfsdk:"width"`
	Height types.Int64 `tfsdk:"height"`
}

var dimensionsAttrTypes = map[string]attr.Type{
	"width":  types.Int64Type,
	"height": types.Int64Type,
}

// widgetSpec is the part of a widget Terraform owns, with every value known: what the config PUT
// carries and what the intended state should be.
type widgetSpec struct {
	name, description, typ, manifestURL, status, displayType string
	sandbox, permissions, groups, commTypes, queueIDs        []string
	width, height                                            int64 // 0: no dimensions
	refreshIntervalMs                                        int64 // 0: unset
}

// specFrom reads a fully known model. ok is false when some value is still unknown (plan time).
func specFrom(ctx context.Context, m agentWidgetResourceModel) (spec widgetSpec, ok bool, diags diag.Diagnostics) {
	if !m.configKnown() || m.Type.IsUnknown() || m.Status.IsUnknown() {
		return spec, false, nil
	}
	spec = widgetSpec{
		name:        m.Name.ValueString(),
		description: m.Description.ValueString(),
		typ:         m.Type.ValueString(),
		manifestURL: m.ManifestURL.ValueString(),
		status:      m.Status.ValueString(),
		displayType: m.DisplayType.ValueString(),
	}
	for _, s := range []struct {
		set  types.Set
		into *[]string
	}{{m.Sandbox, &spec.sandbox}, {m.Permissions, &spec.permissions}, {m.Groups, &spec.groups},
		{m.CommunicationTypes, &spec.commTypes}, {m.QueueIDs, &spec.queueIDs}} {
		if !s.set.IsNull() {
			diags.Append(s.set.ElementsAs(ctx, s.into, false)...)
		}
		slices.Sort(*s.into)
	}
	if !m.Dimensions.IsNull() {
		var d dimensionsModel
		diags.Append(m.Dimensions.As(ctx, &d, objectAsOptions)...)
		spec.width, spec.height = d.Width.ValueInt64(), d.Height.ValueInt64()
	}
	spec.refreshIntervalMs = m.RefreshIntervalMs.ValueInt64()
	return spec, !diags.HasError(), diags
}

// configKnown reports whether every value that goes into the config PUT is known.
func (m agentWidgetResourceModel) configKnown() bool {
	return !slices.ContainsFunc(m.configValues(), attr.Value.IsUnknown)
}

func (m agentWidgetResourceModel) configValues() []attr.Value {
	return []attr.Value{m.Name, m.Description, m.ManifestURL, m.DisplayType, m.Sandbox, m.Permissions,
		m.Groups, m.Dimensions, m.RefreshIntervalMs, m.CommunicationTypes, m.QueueIDs}
}

// configDiffers reports whether the config PUT would change anything, so an update that only
// flips status costs one PATCH and keeps config_version.
func (m agentWidgetResourceModel) configDiffers(other agentWidgetResourceModel) bool {
	a, b := m.configValues(), other.configValues()
	for i := range a {
		if a[i].IsUnknown() || !a[i].Equal(b[i]) {
			return true
		}
	}
	return false
}

// integrationConfig is the body of the config PUT for spec at the given version.
func (s widgetSpec) integrationConfig(version int) client.IntegrationConfig {
	properties := map[string]any{
		propURL:         s.manifestURL,
		propSandbox:     strings.Join(s.sandbox, ","),
		propPermissions: strings.Join(s.permissions, ","),
		propGroups:      nonNil(s.groups),
	}
	// An interaction widget always shows beside a conversation, so the API has no display type for
	// it; only interaction widgets filter by conversation.
	if s.typ == widget.TypeIntegration {
		properties[propCommTypes] = strings.Join(s.commTypes, ",")
		properties[propQueueIDs] = nonNil(s.queueIDs)
	} else {
		properties[propDisplayType] = s.displayType
	}
	advanced := map[string]any{}
	if s.width > 0 || s.height > 0 {
		advanced[advDimensions] = map[string]any{dimensionsWidthKey: s.width, dimensionsHeightKey: s.height}
	}
	if s.refreshIntervalMs > 0 {
		advanced[advRefreshInterval] = s.refreshIntervalMs
	}
	return client.IntegrationConfig{
		Name:        s.name,
		Notes:       s.description,
		Version:     version,
		Properties:  properties,
		Advanced:    advanced,
		Credentials: map[string]any{},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkSpec runs every rule that needs the provider's configuration. The same function serves
// ModifyPlan (fully known values only) and apply, so a value unknown at plan time is checked
// before the first request is sent, never reported falsely.
func checkSpec(s widgetSpec, c widget.Constraints, version int) diag.Diagnostics {
	var diags diag.Diagnostics
	if err := widget.CheckOrigin(s.manifestURL, c.AllowedOrigins); err != nil {
		diags.AddAttributeError(path.Root("manifest_url"), "Manifest origin not allowed", err.Error())
	}
	if s.width > 0 || s.height > 0 {
		if err := widget.CheckDimensions(s.width, s.height, c.MaxWidth, c.MaxHeight); err != nil {
			diags.AddAttributeError(path.Root("dimensions"), "Widget exceeds the render frame", err.Error())
		}
	}
	body, err := client.EncodeIntegrationConfig(s.integrationConfig(version))
	if err != nil {
		diags.AddError("Unable to encode the widget configuration", err.Error())
		return diags
	}
	if err := widget.CheckPayloadSize(body, int(c.MaxPayloadBytes)); err != nil {
		diags.AddAttributeError(path.Root("manifest_url"), "Widget configuration too large", err.Error())
	}
	return diags
}

// modelFromAPI refreshes m from what the API reports. Values Terraform cannot tell apart (an empty
// list and none) keep the form the configuration used, so a refresh shows no false drift.
func modelFromAPI(ctx context.Context, m *agentWidgetResourceModel, in *client.Integration, cfg *client.IntegrationConfig) diag.Diagnostics {
	var diags diag.Diagnostics
	typ, ok := widget.TypeForIntegration(in.IntegrationType.ID)
	if !ok {
		diags.AddError("Not a custom agent widget",
			fmt.Sprintf("Integration %s is of type %q; genesys_agent_widget manages only %q and %q integrations.",
				in.ID, in.IntegrationType.ID, mustIntegrationType("webapp"), mustIntegrationType("integration")))
		return diags
	}
	m.ID = types.StringValue(in.ID)
	m.Type = types.StringValue(typ)
	m.IntegrationType = types.StringValue(in.IntegrationType.ID)
	m.ReportedState = types.StringValue(in.ReportedState.Code)
	if in.IntendedState == intendedEnabled {
		m.Status = types.StringValue(statusActive)
	} else {
		m.Status = types.StringValue(statusInactive)
	}
	if cfg == nil {
		return diags
	}
	m.Name = types.StringValue(cfg.Name)
	m.Description = types.StringValue(cfg.Notes)
	m.ConfigVersion = types.Int64Value(int64(cfg.Version))
	m.ManifestURL = types.StringValue(stringProp(cfg.Properties, propURL))
	m.DisplayType = types.StringValue(stringProp(cfg.Properties, propDisplayType))
	if typ == widget.TypeIntegration || m.DisplayType.ValueString() == "" {
		m.DisplayType = types.StringValue(widget.DisplayWidget)
	}

	var d diag.Diagnostics
	m.Sandbox, d = types.SetValueFrom(ctx, types.StringType, splitList(stringProp(cfg.Properties, propSandbox)))
	diags.Append(d...)
	m.Permissions, d = types.SetValueFrom(ctx, types.StringType, splitList(stringProp(cfg.Properties, propPermissions)))
	diags.Append(d...)
	m.Groups, d = types.SetValueFrom(ctx, types.StringType, stringsProp(cfg.Properties, propGroups))
	diags.Append(d...)
	m.CommunicationTypes, d = types.SetValueFrom(ctx, types.StringType, splitList(stringProp(cfg.Properties, propCommTypes)))
	diags.Append(d...)
	m.QueueIDs, d = types.SetValueFrom(ctx, types.StringType, stringsProp(cfg.Properties, propQueueIDs))
	diags.Append(d...)

	m.Dimensions = types.ObjectNull(dimensionsAttrTypes)
	if dims, ok := cfg.Advanced[advDimensions].(map[string]any); ok {
		m.Dimensions, d = types.ObjectValue(dimensionsAttrTypes, map[string]attr.Value{
			"width":  types.Int64Value(int64Of(dims[dimensionsWidthKey])),
			"height": types.Int64Value(int64Of(dims[dimensionsHeightKey])),
		})
		diags.Append(d...)
	}
	m.RefreshIntervalMs = types.Int64Null()
	if v, ok := cfg.Advanced[advRefreshInterval]; ok {
		m.RefreshIntervalMs = types.Int64Value(int64Of(v))
	}
	return diags
}

func mustIntegrationType(t string) string {
	id, _ := widget.IntegrationTypeFor(t)
	return id
}

func stringProp(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

// stringsProp reads a list property, which the API may give as a JSON array or a comma list.
func stringsProp(props map[string]any, key string) []string {
	switch v := props[key].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case string:
		return splitList(v)
	}
	return []string{}
}

func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// int64Of reads a JSON number, which encoding/json decodes into float64 inside map[string]any.
func int64Of(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}
