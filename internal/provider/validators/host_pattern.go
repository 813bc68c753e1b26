package validators

import (
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// HostPattern checks an allow-list entry: an exact host (with an optional port) or a "*.domain"
// wildcard. It is meant for list elements: listvalidator.ValueStringsAre(validators.HostPattern()).
func HostPattern() validator.String {
	return stringRule{rule[string]{
		`value must be a host name such as "cdn.example.com" or "cdn.example.com:8443", or a wildcard "*.example.com" that allows every host below example.com`,
		func(p path.Path, s string) (string, string) {
			if err := hostmatch.ValidatePattern(s); err != nil {
				return "Invalid host pattern", p.String() + ": " + err.Error() + "."
			}
			return "", ""
		}}}
}
