package provider

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

type dimensionsModel struct {
	Width  types.Number `tfsdk:"width"`
	Height types.Number `tfsdk:"height"`
}

var dimensionsAttrTypes = map[string]attr.Type{
	"width":  types.NumberType,
	"height": types.NumberType,
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
			diags.Append(stringsOf(ctx, s.set, s.into)...)
		}
		slices.Sort(*s.into)
	}
	if !m.Dimensions.IsNull() {
		d, dd := dimensionsOf(ctx, m.Dimensions)
		diags.Append(dd...)
		spec.width, spec.height = validators.Int64Of(d.Width.ValueBigFloat()), validators.Int64Of(d.Height.ValueBigFloat())
	}
	spec.refreshIntervalMs = validators.Int64Of(m.RefreshIntervalMs.ValueBigFloat())
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
	return s.wire(version).IntegrationConfig()
}

// wire is spec as the client's typed configuration, to replace the given version.
func (s widgetSpec) wire(version int) client.WidgetConfig {
	w := client.WidgetConfig{
		Name:               s.name,
		Notes:              s.description,
		Version:            version,
		Interaction:        s.typ == widget.TypeIntegration,
		URL:                s.manifestURL,
		DisplayType:        s.displayType,
		Sandbox:            s.sandbox,
		Permissions:        s.permissions,
		Groups:             s.groups,
		CommunicationTypes: s.commTypes,
		QueueIDs:           s.queueIDs,
		RefreshIntervalMs:  s.refreshIntervalMs,
	}
	if s.width > 0 || s.height > 0 {
		w.Dimensions = &client.Dimensions{Width: s.width, Height: s.height}
	}
	return w
}

// checkSpec runs every rule that needs the provider's configuration. The same function serves
// ModifyPlan (fully known values only) and apply, so a value unknown at plan time is checked
// before the first request is sent, never reported falsely.
func checkSpec(s widgetSpec, c widget.Constraints, version int) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(originDiagnostics(s.manifestURL, c.AllowedOrigins)...)
	if s.width > 0 || s.height > 0 {
		var errs []error
		if err := widget.CheckDimensions(s.width, s.height, c.MaxWidth, c.MaxHeight); err != nil {
			errs = []error{err}
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				errs = joined.Unwrap()
			}
		}
		for _, e := range errs {
			var de *widget.DimensionError
			if !errors.As(e, &de) {
				diags.AddAttributeError(path.Root("dimensions"), "Widget exceeds the render frame", e.Error()+".")
				continue
			}
			diags.AddAttributeError(path.Root("dimensions").AtName(de.Dimension), "Widget exceeds the render frame",
				fmt.Sprintf("dimensions.%s: %s; lower it or raise widget_constraints.max_%s.", de.Dimension, de, de.Dimension))
		}
	}
	body, err := client.EncodeIntegrationConfig(s.integrationConfig(version))
	if err != nil {
		diags.AddError("Unable to encode the widget configuration", err.Error()+". This is a bug in the provider; please report it.")
		return diags
	}
	if err := widget.CheckPayloadSize(body, int(c.MaxPayloadBytes)); err != nil {
		var sizeErr *widget.PayloadSizeError
		if !errors.As(err, &sizeErr) {
			diags.AddAttributeError(path.Root("widget_constraints").AtName("max_payload_bytes"), "Invalid widget_constraints", err.Error())
			return diags
		}
		shares := s.payloadShares(version, len(body))
		largest := "name"
		if len(shares) > 0 {
			largest = shares[0].attr
		}
		var parts []string
		for i, sh := range shares {
			if i == 3 || sh.bytes <= 0 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %d bytes", sh.attr, sh.bytes))
		}
		diags.AddAttributeError(path.Root(largest), "Widget configuration too large",
			fmt.Sprintf("The widget configuration is %d bytes as sent to Genesys Cloud, %d bytes over the limit of %d bytes "+
				"(widget_constraints.max_payload_bytes). The largest parts are %s. Shorten %s, or raise "+
				"widget_constraints.max_payload_bytes.", sizeErr.Size, sizeErr.Size-sizeErr.Max, sizeErr.Max,
				strings.Join(parts, ", "), largest))
	}
	return diags
}

// originDiagnostics is the origin rule on manifest_url, with the fix when the host is not on the
// list.
func originDiagnostics(manifestURL string, allowed []string) diag.Diagnostics {
	var diags diag.Diagnostics
	err := widget.CheckOrigin(manifestURL, allowed)
	if err == nil {
		return diags
	}
	detail := "manifest_url: " + err.Error()
	var oe *widget.OriginError
	if errors.As(err, &oe) {
		detail += "; add it to widget_constraints.allowed_origins or host the manifest on an allowed origin"
	}
	diags.AddAttributeError(path.Root("manifest_url"), "Manifest origin not allowed", detail+".")
	return diags
}

// payloadShare is how many bytes of the encoded configuration one attribute accounts for.
type payloadShare struct {
	attr  string
	bytes int
}

// payloadShares measures what each attribute adds to the configuration as sent: the size with the
// attribute's value left out, taken from the full size. Largest first.
func (s widgetSpec) payloadShares(version, total int) []payloadShare {
	without := map[string]func(*widgetSpec){
		"name":                func(w *widgetSpec) { w.name = "" },
		"description":         func(w *widgetSpec) { w.description = "" },
		"manifest_url":        func(w *widgetSpec) { w.manifestURL = "" },
		"groups":              func(w *widgetSpec) { w.groups = nil },
		"queue_ids":           func(w *widgetSpec) { w.queueIDs = nil },
		"sandbox":             func(w *widgetSpec) { w.sandbox = nil },
		"permissions":         func(w *widgetSpec) { w.permissions = nil },
		"communication_types": func(w *widgetSpec) { w.commTypes = nil },
	}
	var shares []payloadShare
	for attr, drop := range without {
		w := s
		drop(&w)
		body, err := client.EncodeIntegrationConfig(w.integrationConfig(version))
		if err != nil {
			continue
		}
		shares = append(shares, payloadShare{attr, total - len(body)})
	}
	slices.SortFunc(shares, func(a, b payloadShare) int {
		if a.bytes != b.bytes {
			return b.bytes - a.bytes
		}
		return strings.Compare(a.attr, b.attr)
	})
	return shares
}

// modelFromAPI refreshes m from what the API reports. Values Terraform cannot tell apart (an empty
// list and none) keep the form the configuration used, so a refresh shows no false drift.
func modelFromAPI(ctx context.Context, m *agentWidgetModel, in *client.Integration, cfg *client.IntegrationConfig) diag.Diagnostics {
	var diags diag.Diagnostics
	typ, ok := widget.TypeForIntegration(in.IntegrationType.ID)
	if !ok {
		diags.AddError("Not a custom agent widget",
			fmt.Sprintf("Integration %s is of type %q; genesys_agent_widget manages only %q and %q integrations. "+
				"Import the ID of a widget, or manage this integration with the genesyscloud provider.",
				in.ID, in.IntegrationType.ID, mustIntegrationType("webapp"), mustIntegrationType("integration")))
		return diags
	}
	m.ID = types.StringValue(in.ID)
	m.Type = types.StringValue(typ)
	m.IntegrationType = types.StringValue(in.IntegrationType.ID)
	m.ReportedState = types.StringValue(in.ReportedState.Code)
	if in.IntendedState == client.StateEnabled {
		m.Status = types.StringValue(widget.StatusActive)
	} else {
		m.Status = types.StringValue(widget.StatusInactive)
	}
	if cfg == nil {
		return diags
	}
	w := client.DecodeWidgetConfig(*cfg, in.IntegrationType.ID)
	m.Name = types.StringValue(w.Name)
	m.Description = types.StringValue(w.Notes)
	m.ConfigVersion = types.Int64Value(int64(w.Version))
	m.ManifestURL = types.StringValue(w.URL)
	m.DisplayType = types.StringValue(w.DisplayType)
	if w.DisplayType == "" {
		// An interaction widget has no display type; it shows as a widget beside the conversation.
		m.DisplayType = types.StringValue(widget.DisplayWidget)
	}

	var d diag.Diagnostics
	for _, l := range []struct {
		into *types.Set
		from []string
	}{{&m.Sandbox, w.Sandbox}, {&m.Permissions, w.Permissions}, {&m.Groups, w.Groups},
		{&m.CommunicationTypes, w.CommunicationTypes}, {&m.QueueIDs, w.QueueIDs}} {
		*l.into, d = stringSet(ctx, l.from)
		diags.Append(d...)
	}

	m.Dimensions = types.ObjectNull(dimensionsAttrTypes)
	if w.Dimensions != nil {
		m.Dimensions, d = types.ObjectValue(dimensionsAttrTypes, map[string]attr.Value{
			"width":  numberOf(w.Dimensions.Width),
			"height": numberOf(w.Dimensions.Height),
		})
		diags.Append(d...)
	}
	m.RefreshIntervalMs = types.NumberNull()
	if w.RefreshIntervalMs != 0 {
		m.RefreshIntervalMs = numberOf(w.RefreshIntervalMs)
	}
	return diags
}

func mustIntegrationType(t string) string {
	id, _ := widget.IntegrationTypeFor(t)
	return id
}

// numberOf is a whole number as a Number attribute's value (counts are Number attributes; see
// validators.WholeNumber).
func numberOf(i int64) types.Number {
	return types.NumberValue(new(big.Float).SetInt64(i))
}
