package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var _ validator.String = manifestURLValidator{}

// ManifestURL checks a widget's manifest_url with the rules that need no provider configuration:
// https, a host, no user info. Whether the host is an allowed origin is checked at plan time
// against the provider's widget_constraints.
func ManifestURL() validator.String {
	return manifestURLValidator{}
}

type manifestURLValidator struct{}

func (manifestURLValidator) Description(context.Context) string {
	return "value must be an absolute https URL with a host and no user info, such as https://cdn.example.com/widget/index.html"
}

func (v manifestURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (manifestURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := widget.ValidateManifestURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid manifest_url", err.Error())
	}
}
