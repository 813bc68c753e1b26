package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

var _ validator.String = hostPatternValidator{}

// HostPattern checks an allow-list entry: an exact host (with an optional port) or a "*.domain"
// wildcard. It is meant for list elements: listvalidator.ValueStringsAre(validators.HostPattern()).
func HostPattern() validator.String {
	return hostPatternValidator{}
}

type hostPatternValidator struct{}

func (hostPatternValidator) Description(context.Context) string {
	return `value must be a host name such as "cdn.example.com" or "cdn.example.com:8443", or a wildcard "*.example.com" that allows every host below example.com`
}

func (v hostPatternValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (hostPatternValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := hostmatch.ValidatePattern(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid host pattern", req.Path.String()+": "+err.Error()+".")
	}
}
