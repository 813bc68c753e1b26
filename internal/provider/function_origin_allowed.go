package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var _ function.Function = (*originAllowedFunction)(nil)

// originAllowedFunction is provider::genesys::origin_allowed: the allow-list check that
// genesys_agent_widget runs at plan, for a module's own check blocks and preconditions.
type originAllowedFunction struct{}

// NewOriginAllowedFunction returns the origin_allowed function.
func NewOriginAllowedFunction() function.Function { return &originAllowedFunction{} }

func (f *originAllowedFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "origin_allowed"
}

func (f *originAllowedFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether a widget manifest URL is on an allow-list of origins",
		MarkdownDescription: "Returns `true` when `url` may be a `genesys_agent_widget`'s `manifest_url` under " +
			"`widget_constraints.allowed_origins = patterns`, by exactly the rule the resource applies at plan: " +
			"hosts are compared in their canonical form (see `manifest_origin`), `*.example.com` allows every host " +
			"below example.com but not example.com itself, and a pattern without a port allows only the default port. " +
			"An empty `patterns` allows every host, as an unset `allowed_origins` does. " +
			"A `url` the resource would refuse whatever the allow-list (not https, user info, whitespace, " +
			"over 2048 bytes) and an invalid pattern are errors, not `false`. Pure and offline: it sends no request.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "url",
				MarkdownDescription: "The manifest URL, such as `https://widgets.example.com/app/index.html`.",
			},
			function.ListParameter{
				Name:                "patterns",
				ElementType:         types.StringType,
				MarkdownDescription: "Allowed origins, written as in `widget_constraints.allowed_origins`.",
			},
		},
		Return: function.BoolReturn{},
	}
}

func (f *originAllowedFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var raw string
	var patterns []string
	resp.Error = req.Arguments.Get(ctx, &raw, &patterns)
	if resp.Error != nil {
		return
	}
	if err := widget.ValidateManifestURL(raw); err != nil {
		resp.Error = function.NewArgumentFuncError(0, "url: "+err.Error())
		return
	}
	for i, p := range patterns {
		if err := hostmatch.ValidatePattern(p); err != nil {
			resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("patterns[%d]: %v", i, err))
			return
		}
	}
	allowed := widget.CheckOrigin(raw, patterns) == nil
	resp.Error = resp.Result.Set(ctx, allowed)
}
