package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var (
	_ list.ListResource              = (*AgentWidgetListResource)(nil)
	_ list.ListResourceWithConfigure = (*AgentWidgetListResource)(nil)
)

// NewAgentWidgetListResource returns the genesys_agent_widget list resource, which lets
// `terraform query` (Terraform 1.14 and later) find an org's widgets and generate import blocks
// for them: the first step of bringing an org that was set up by hand under Terraform.
func NewAgentWidgetListResource() list.ListResource {
	return &AgentWidgetListResource{}
}

// AgentWidgetListResource lists the custom agent widgets of the provider block's org.
type AgentWidgetListResource struct {
	data *providerData
}

type agentWidgetListConfigModel struct {
	NamePrefix types.String `tfsdk:"name_prefix"`
	Type       types.String `tfsdk:"type"`
}

func (r *AgentWidgetListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_agent_widget"
}

func (r *AgentWidgetListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the org's custom agent widgets, optionally by name prefix and type.",
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only widgets whose name starts with this (case-sensitive).",
				Optional:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Only widgets of this type: `webapp` or `integration`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(widget.Types...)},
			},
		},
	}
}

func (r *AgentWidgetListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *AgentWidgetListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg agentWidgetListConfigModel
	var diags diag.Diagnostics
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if r.data == nil {
		diags.Append(providerNotConfigured("the org's widgets cannot be listed"))
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	all, err := r.data.client.ListIntegrations(ctx)
	if err != nil {
		diags.AddError("Unable to list the org's integrations", clientErrorDetail(err, serviceAPI))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var found []client.Integration
	for _, in := range all {
		typ, ok := widget.TypeForIntegration(in.IntegrationType.ID)
		if !ok || !strings.HasPrefix(in.Name, cfg.NamePrefix.ValueString()) {
			continue
		}
		if !cfg.Type.IsNull() && cfg.Type.ValueString() != typ {
			continue
		}
		found = append(found, in)
	}

	stream.Results = func(push func(list.ListResult) bool) {
		for i := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			in := found[i]
			result := req.NewListResult(ctx)
			result.DisplayName = in.Name
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, agentWidgetIdentityModel{ID: types.StringValue(in.ID)})...)
			if req.IncludeResource {
				result.Diagnostics.Append(r.fullResource(ctx, &in, &result)...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// fullResource fills in the whole widget, which costs one more request per widget; Terraform
// asks for it only when the query wants resource values.
func (r *AgentWidgetListResource) fullResource(ctx context.Context, in *client.Integration, result *list.ListResult) diag.Diagnostics {
	var diags diag.Diagnostics
	cfg, err := r.data.client.GetIntegrationConfig(ctx, in.ID)
	if err != nil {
		diags.AddError("Unable to read the widget's configuration", clientErrorDetail(err, serviceAPI))
		return diags
	}
	m := agentWidgetResourceModel{Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}}
	diags.Append(modelFromAPI(ctx, &m.agentWidgetModel, in, cfg)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(result.Resource.Set(ctx, m)...)
	return diags
}
