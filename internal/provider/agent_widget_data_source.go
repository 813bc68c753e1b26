package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ datasource.DataSource                     = (*AgentWidgetDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*AgentWidgetDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*AgentWidgetDataSource)(nil)
)

// NewAgentWidgetDataSource returns the genesys_agent_widget data source.
func NewAgentWidgetDataSource() datasource.DataSource {
	return &AgentWidgetDataSource{}
}

// AgentWidgetDataSource reads one custom agent widget that another configuration or team manages,
// by ID or by name, so a pipeline can refer to it without owning it.
type AgentWidgetDataSource struct {
	data *providerData
}

func (d *AgentWidgetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent_widget"
}

func (d *AgentWidgetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedSet := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One custom agent widget of the org, found by `id`, or by `name` (and optionally `type`). " +
			"Finding by name must match exactly one widget; when several share the name the error lists them with " +
			"their IDs, so the configuration can name one by `id` instead. Reading by ID costs two requests " +
			"(the integration and its configuration); by name, the list pages of the org's widgets of the wanted " +
			"type (100 a page) and one configuration read.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Integration ID of the widget: 1 to %d bytes, not only white space. Set "+
					"exactly one of `id` and `name`.", maxIDBytes),
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validators.Text(1, maxIDBytes, true)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The widget's exact name (case-sensitive): 1 to %d bytes (UTF-8), not only "+
					"white space, as a widget's name. Set exactly one of `id` and `name`.", maxWidgetNameBytes),
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validators.Text(1, maxWidgetNameBytes, true)},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`webapp` or `integration`. With `name`, only widgets of this type are considered.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.OneOf(widget.Types...)},
			},
			"description":  computed("Notes shown to admins (the integration's `notes`)."),
			"manifest_url": computed("https URL the agent desktop loads in the widget's iframe."),
			"status":       computed("`active` (enabled) or `inactive`."),
			"display_type": computed("`widget` or `standalone`."),
			"sandbox":      computedSet("iframe sandbox tokens the widget runs with."),
			"permissions":  computedSet("Browser features the iframe may use."),
			"groups":       computedSet("IDs of the groups whose members see the widget; empty: everyone."),
			"dimensions": schema.SingleNestedAttribute{
				MarkdownDescription: "Render frame the widget asks for, in pixels; null when it asks for none.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"width":  schema.NumberAttribute{Computed: true, MarkdownDescription: "Width in pixels."},
					"height": schema.NumberAttribute{Computed: true, MarkdownDescription: "Height in pixels."},
				},
			},
			"refresh_interval_ms": schema.NumberAttribute{
				Computed:            true,
				MarkdownDescription: "How often the widget reloads its data, in milliseconds; null when it does not.",
			},
			"communication_types": computedSet("Interaction widgets: the kinds of conversation it appears beside; empty: all."),
			"queue_ids":           computedSet("Interaction widgets: the queues whose conversations show it; empty: every queue."),
			"integration_type":    computed("Genesys Cloud integration type ID that `type` maps to."),
			"reported_state":      computed("State Genesys Cloud reports, such as `ACTIVE` or `INACTIVE`."),
			"config_version": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Version of the widget's configuration.",
			},
		},
	}
}

func (d *AgentWidgetDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *AgentWidgetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *AgentWidgetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg agentWidgetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(providerNotConfigured("the widget cannot be read"))
		return
	}

	var in *client.Integration
	if !cfg.ID.IsNull() {
		found, err := d.data.client.GetIntegration(ctx, cfg.ID.ValueString())
		if client.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "No such widget",
				fmt.Sprintf("The org has no integration with ID %q. Check the ID, or find the widget by name instead.", cfg.ID.ValueString()))
			return
		}
		if err != nil {
			resp.Diagnostics.AddError("Unable to read the widget", clientErrorDetail(err, serviceAPI))
			return
		}
		in = found
		if _, ok := widget.TypeForIntegration(in.IntegrationType.ID); !ok {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Not a custom agent widget",
				fmt.Sprintf("Integration %s is of type %q; genesys_agent_widget reads only %q and %q integrations. "+
					"Set id to the ID of a widget, or read other integrations with the genesyscloud provider.",
					in.ID, in.IntegrationType.ID, mustIntegrationType(widget.TypeWebapp), mustIntegrationType(widget.TypeIntegration)))
			return
		}
	} else {
		var diags diag.Diagnostics
		in, diags = d.findByName(ctx, cfg.Name.ValueString(), cfg.Type.ValueString())
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
	}

	conf, err := d.data.client.GetIntegrationConfig(ctx, in.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the widget's configuration", clientErrorDetail(err, serviceAPI))
		return
	}
	var m agentWidgetModel
	resp.Diagnostics.Append(modelFromAPI(ctx, &m, in, conf)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// findByName finds the one widget called name (of type typ, when not empty).
func (d *AgentWidgetDataSource) findByName(ctx context.Context, name, typ string) (*client.Integration, diag.Diagnostics) {
	var diags diag.Diagnostics
	candidates, err := listWidgets(ctx, d.data.client, typ, "")
	if err != nil {
		diags.AddError("Unable to list the org's widgets", clientErrorDetail(err, serviceAPI))
		return nil, diags
	}
	var matches []client.Integration
	for _, in := range candidates {
		if in.Name == name {
			matches = append(matches, in)
		}
	}
	what := "widget"
	if typ != "" {
		what = typ + " widget"
	}
	switch len(matches) {
	case 1:
		return &matches[0], diags
	case 0:
		diags.AddAttributeError(path.Root("name"), "No widget has this name",
			fmt.Sprintf("The org has no %s named %q (names are compared exactly, case included). %s Set name to "+
				"one of them exactly as it is written, or find the widget by id instead.",
				what, name, candidateNames(candidates, name, what)))
	default:
		var lines []string
		for _, in := range matches {
			t, _ := widget.TypeForIntegration(in.IntegrationType.ID)
			lines = append(lines, fmt.Sprintf("  - id %s (type %s, %s)", in.ID, t, in.ReportedState.Code))
		}
		sort.Strings(lines)
		diags.AddAttributeError(path.Root("name"), "Several widgets have this name",
			fmt.Sprintf("%d %ss are named %q:\n%s\nSet id to the one you mean instead of name%s.",
				len(matches), what, name, strings.Join(lines, "\n"), typeHint(typ)))
	}
	return nil, diags
}

func typeHint(typ string) string {
	if typ == "" {
		return ", or set type if they differ in type"
	}
	return ""
}

// candidateNames says what the org's widgets are called, for a name that matched none: the names
// that differ from it only in case or surrounding space or that start with it (the usual reasons
// an exact lookup misses), or, when none does, the first of all the names, so the error always
// shows what name could be written instead.
func candidateNames(in []client.Integration, name, what string) string {
	const shown = 5
	if len(in) == 0 {
		return fmt.Sprintf("It has no %s at all.", what)
	}
	want := strings.ToLower(strings.TrimSpace(name))
	var near, all []string
	for _, i := range in {
		all = append(all, fmt.Sprintf("%q", i.Name))
		got := strings.ToLower(strings.TrimSpace(i.Name))
		if got == want || strings.HasPrefix(got, want) {
			near = append(near, fmt.Sprintf("%q", i.Name))
		}
	}
	list, intro := near, "Similar names: "
	if len(near) == 0 {
		list, intro = all, fmt.Sprintf("Its %ss are named ", what)
	}
	sort.Strings(list)
	more := ""
	if len(list) > shown {
		more = fmt.Sprintf(" and %d more", len(list)-shown)
		list = list[:shown]
	}
	return intro + strings.Join(list, ", ") + more + "."
}

// listWidgets lists the org's custom agent widgets, of one type when typ is not empty and in one
// reported state when reportedState is not empty, in the order of their names. Both are filters of
// the API (integrationType, reportedState), so only the pages of matching integrations are read.
func listWidgets(ctx context.Context, c *client.Client, typ, reportedState string) ([]client.Integration, error) {
	f := client.ListFilter{ReportedState: reportedState}
	if typ != "" {
		f.IntegrationType, _ = widget.IntegrationTypeFor(typ)
	}
	all, err := c.ListIntegrationsWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []client.Integration
	for _, in := range all {
		t, ok := widget.TypeForIntegration(in.IntegrationType.ID)
		if !ok || (typ != "" && t != typ) {
			continue
		}
		out = append(out, in)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
