package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var (
	_ datasource.DataSource                     = (*AgentWidgetsDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*AgentWidgetsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*AgentWidgetsDataSource)(nil)
)

// NewAgentWidgetsDataSource returns the genesys_agent_widgets data source.
func NewAgentWidgetsDataSource() datasource.DataSource {
	return &AgentWidgetsDataSource{}
}

// AgentWidgetsDataSource finds the org's widgets by type, state and name, for pipelines that
// promote "everything staging has".
type AgentWidgetsDataSource struct {
	data *providerData
}

type agentWidgetsDataSourceModel struct {
	Type          types.String `tfsdk:"type"`
	ReportedState types.String `tfsdk:"reported_state"`
	Name          types.String `tfsdk:"name"`
	NamePrefix    types.String `tfsdk:"name_prefix"`
	NameRegex     types.String `tfsdk:"name_regex"`
	IDs           types.List   `tfsdk:"ids"`
	Widgets       types.List   `tfsdk:"widgets"`
}

// agentWidgetSummaryAttrTypes are what one listing entry tells about a widget without reading its
// configuration.
var agentWidgetSummaryAttrTypes = map[string]attr.Type{
	"id":               types.StringType,
	"name":             types.StringType,
	"type":             types.StringType,
	"integration_type": types.StringType,
	"status":           types.StringType,
	"reported_state":   types.StringType,
}

func (d *AgentWidgetsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent_widgets"
}

func (d *AgentWidgetsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The org's custom agent widgets that pass every filter set, ordered by name and then ID, " +
			"so the order is stable from one plan to the next. Costs only the list pages of the org's integrations " +
			"(100 a page), whatever the number of widgets; `type` and `reported_state` are passed to the API as its " +
			"filters, so only the pages of matching integrations are read. Read a widget's whole configuration with the " +
			"`genesys_agent_widget` data source (`for_each = toset(data.genesys_agent_widgets.x.ids)`).",
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				MarkdownDescription: "Only widgets of this type: `webapp` or `integration`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(widget.Types...)},
			},
			"reported_state": schema.StringAttribute{
				MarkdownDescription: "Only widgets Genesys Cloud reports in this state: `ACTIVE`, `INACTIVE`, " +
					"`ACTIVATING`, `DEACTIVATING` or `ERROR`.",
				Optional: true,
				Validators: []validator.String{stringvalidator.OneOf(client.ReportedActive, client.ReportedInactive,
					client.ReportedActivating, client.ReportedDeactivating, client.ReportedError)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only the widgets with exactly this name: 1 to %d bytes (UTF-8), not only "+
					"white space, as a widget's name. Set at most one of `name`, `name_prefix` and `name_regex`.", maxWidgetNameBytes),
				Optional:   true,
				Validators: []validator.String{validators.Text(1, maxWidgetNameBytes, true)},
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only widgets whose name starts with this (case-sensitive): 1 to %d bytes "+
					"(UTF-8), not only white space.", maxWidgetNameBytes),
				Optional:   true,
				Validators: []validator.String{validators.Text(1, maxWidgetNameBytes, true)},
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only widgets whose name matches this regular expression (RE2 syntax, as Terraform's " +
					"`regex` function; unanchored: use `^...$` to match the whole name).",
				Optional:   true,
				Validators: []validator.String{validators.Regexp()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the widgets found, in the order of `widgets`.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"widgets": schema.ListNestedAttribute{
				MarkdownDescription: "The widgets found.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":               schema.StringAttribute{Computed: true, MarkdownDescription: "Integration ID."},
						"name":             schema.StringAttribute{Computed: true, MarkdownDescription: "Name."},
						"type":             schema.StringAttribute{Computed: true, MarkdownDescription: "`webapp` or `integration`."},
						"integration_type": schema.StringAttribute{Computed: true, MarkdownDescription: "Genesys Cloud integration type ID."},
						"status":           schema.StringAttribute{Computed: true, MarkdownDescription: "`active` (enabled) or `inactive`."},
						"reported_state":   schema.StringAttribute{Computed: true, MarkdownDescription: "State Genesys Cloud reports."},
					},
				},
			},
		},
	}
}

func (d *AgentWidgetsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("name"), path.MatchRoot("name_prefix"), path.MatchRoot("name_regex")),
	}
}

func (d *AgentWidgetsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *AgentWidgetsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m agentWidgetsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(providerNotConfigured("the org's widgets cannot be listed"))
		return
	}
	keep := func(client.Integration) bool { return true }
	switch {
	case !m.Name.IsNull():
		name := m.Name.ValueString()
		keep = func(in client.Integration) bool { return in.Name == name }
	case !m.NamePrefix.IsNull():
		prefix := m.NamePrefix.ValueString()
		keep = func(in client.Integration) bool { return strings.HasPrefix(in.Name, prefix) }
	case !m.NameRegex.IsNull():
		if problem := validators.RegexpProblem("name_regex", m.NameRegex.ValueString()); problem != "" {
			// The validator refuses it at plan; only a value unknown until apply gets here.
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", problem)
			return
		}
		re := regexp.MustCompile(m.NameRegex.ValueString())
		keep = func(in client.Integration) bool { return re.MatchString(in.Name) }
	}

	all, err := listWidgets(ctx, d.data.client, m.Type.ValueString(), m.ReportedState.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unable to list the org's widgets", clientErrorDetail(err, serviceAPI))
		return
	}
	ids := []attr.Value{}
	widgets := []attr.Value{}
	for _, in := range all {
		if !keep(in) || (!m.ReportedState.IsNull() && in.ReportedState.Code != m.ReportedState.ValueString()) {
			continue
		}
		typ, _ := widget.TypeForIntegration(in.IntegrationType.ID)
		status := widget.StatusInactive
		if in.IntendedState == client.StateEnabled {
			status = widget.StatusActive
		}
		obj, diags := types.ObjectValue(agentWidgetSummaryAttrTypes, map[string]attr.Value{
			"id":               types.StringValue(in.ID),
			"name":             types.StringValue(in.Name),
			"type":             types.StringValue(typ),
			"integration_type": types.StringValue(in.IntegrationType.ID),
			"status":           types.StringValue(status),
			"reported_state":   types.StringValue(in.ReportedState.Code),
		})
		resp.Diagnostics.Append(diags...)
		ids = append(ids, types.StringValue(in.ID))
		widgets = append(widgets, obj)
	}
	var diags diag.Diagnostics
	m.IDs, diags = types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	m.Widgets, diags = types.ListValue(types.ObjectType{AttrTypes: agentWidgetSummaryAttrTypes}, widgets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
