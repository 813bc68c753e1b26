package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

var _ function.Function = (*screenpopURLFunction)(nil)

// screenpopURLFunction is provider::genesys::screenpop_url: the URL a screen pop opens, with its
// customer context in the fragment, encoded as genesys_screenpop encodes it.
type screenpopURLFunction struct{}

// NewScreenpopURLFunction returns the screenpop_url function.
func NewScreenpopURLFunction() function.Function { return &screenpopURLFunction{} }

func (f *screenpopURLFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "screenpop_url"
}

func (f *screenpopURLFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The URL a screen pop opens, with its customer context in the fragment",
		MarkdownDescription: "Returns `target_url` with `context` added to its fragment exactly as `genesys_screenpop` " +
			"adds `customer_data`: key=value pairs after the target's own fragment pairs, keys sorted, keys and values " +
			"percent-encoded except for `A-Z a-z 0-9 - . _ ~` (a space is `%20`). The session token is never part of " +
			"the result: it is a secret and the resource adds it only at delivery. The same refusals apply: " +
			"`target_url` must be an absolute https URL, its fragment (if any) key=value pairs, no context key may " +
			"repeat a fragment key or be `sessionToken`, and the result must fit in 8192 bytes. Pure and offline.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "target_url",
				MarkdownDescription: "The page to open, such as `https://crm.example.com/customer`.",
			},
			function.MapParameter{
				Name:                "context",
				ElementType:         types.StringType,
				MarkdownDescription: "Customer data to carry in the fragment, such as `{ customerId = \"42\" }`.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *screenpopURLFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var target string
	var data map[string]string
	resp.Error = req.Arguments.Get(ctx, &target, &data)
	if resp.Error != nil {
		return
	}
	if err := screenpop.CheckTargetURL(target, nil); err != nil {
		resp.Error = function.NewArgumentFuncError(0, "target_url: "+err.Error())
		return
	}
	out, err := screenpop.InjectContext(target, "", data)
	if err != nil {
		resp.Error = function.NewFuncError("screenpop_url: " + err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, out)
}
