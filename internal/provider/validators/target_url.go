package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

var _ validator.String = targetURLValidator{}

// TargetURL checks a screen pop's target_url with the rules that need no provider configuration:
// an absolute https URL of at most screenpop.MaxURLLength bytes whose host is written in canonical
// form. Whether the host is an allowed domain is checked at plan time against the provider's
// screenpop.allowed_domains.
func TargetURL() validator.String {
	return targetURLValidator{}
}

type targetURLValidator struct{}

func (targetURLValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be an absolute https URL of at most %d bytes with a host and no user info, such as https://crm.example.com/agent-view",
		screenpop.MaxURLLength)
}

func (v targetURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (targetURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := screenpop.CheckTargetURL(req.ConfigValue.ValueString(), nil); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+": "+err.Error()+".")
	}
}
