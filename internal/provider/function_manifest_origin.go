package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var _ function.Function = (*manifestOriginFunction)(nil)

// manifestOriginFunction is provider::genesys::manifest_origin: the canonical origin a manifest
// URL is matched on, which is also the allow-list entry that admits it.
type manifestOriginFunction struct{}

// NewManifestOriginFunction returns the manifest_origin function.
func NewManifestOriginFunction() function.Function { return &manifestOriginFunction{} }

func (f *manifestOriginFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "manifest_origin"
}

func (f *manifestOriginFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The canonical origin a widget manifest URL is matched on",
		MarkdownDescription: "Returns the host (and port, when it is not 443) that `widget_constraints.allowed_origins` " +
			"is matched against for `url`, in the canonical form the provider compares: lower-case ASCII, " +
			"internationalised names in punycode, IP addresses in their standard text, IPv6 in brackets. " +
			"Listing the result in `allowed_origins` always allows `url`. " +
			"A `url` that `genesys_agent_widget` would refuse as a `manifest_url` is an error. Pure and offline.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "url",
				MarkdownDescription: "The manifest URL, such as `https://Widgets.Example.com:8443/app`.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *manifestOriginFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var raw string
	resp.Error = req.Arguments.Get(ctx, &raw)
	if resp.Error != nil {
		return
	}
	if err := widget.ValidateManifestURL(raw); err != nil {
		resp.Error = function.NewArgumentFuncError(0, "url: "+err.Error())
		return
	}
	u, err := hostmatch.ParseURL(raw)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "url: "+err.Error())
		return
	}
	origin, ok := hostmatch.Origin(u)
	if !ok {
		// ValidateManifestURL accepts only URLs Origin can answer for; this is a defect if reached.
		resp.Error = function.NewArgumentFuncError(0, "url: its host cannot be matched against an allow-list")
		return
	}
	resp.Error = resp.Result.Set(ctx, origin)
}
