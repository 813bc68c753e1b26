package validators

import (
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// ManifestURL checks a widget's manifest_url with the rules that need no provider configuration:
// https, a host, no user info. Whether the host is an allowed origin is checked at plan time
// against the provider's widget_constraints.
func ManifestURL() validator.String {
	return stringRule{rule[string]{
		"value must be an absolute https URL with a host and no user info, such as https://cdn.example.com/widget/index.html",
		func(_ path.Path, s string) (string, string) {
			if err := widget.ValidateManifestURL(s); err != nil {
				return "Invalid manifest_url", err.Error()
			}
			return "", ""
		}}}
}
