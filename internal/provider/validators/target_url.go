package validators

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

// TargetURL checks a screen pop's target_url with the rules that need no provider configuration:
// an absolute https URL of at most screenpop.MaxURLLength bytes whose host is written in canonical
// form. Whether the host is an allowed domain is checked at plan time against the provider's
// screenpop.allowed_domains.
func TargetURL() validator.String {
	return Check(fmt.Sprintf("value must be an absolute https URL of at most %d bytes with a host and no user info, "+
		"such as https://crm.example.com/agent-view", screenpop.MaxURLLength),
		func(s string) error { return screenpop.CheckTargetURL(s, nil) })
}
