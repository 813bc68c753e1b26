package validators

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = urlWithSchemeValidator{}

// URLWithScheme checks that a string is an absolute URL with a host, one of the given schemes,
// and no user info (credentials in a URL end up in logs and state).
func URLWithScheme(schemes ...string) validator.String {
	return urlWithSchemeValidator{schemes: schemes}
}

type urlWithSchemeValidator struct {
	schemes []string
}

func (v urlWithSchemeValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be an absolute URL with scheme %s, a host and no user info", v.schemeList())
}

func (v urlWithSchemeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v urlWithSchemeValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckURL(req.ConfigValue.ValueString(), v.schemes...); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

func (v urlWithSchemeValidator) schemeList() string {
	quoted := make([]string, len(v.schemes))
	for i, s := range v.schemes {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted, " or ")
}

// CheckURL is the rule behind URLWithScheme, for values that come from the environment rather
// than from configuration.
func CheckURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	okScheme := false
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			okScheme = true
		}
	}
	if !okScheme {
		return fmt.Errorf("%q must use scheme %s", raw, urlWithSchemeValidator{schemes: schemes}.schemeList())
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host; write it as %s://host[:port][/path]", raw, schemes[0])
	}
	if u.User != nil {
		return fmt.Errorf("%q carries user info; remove the credentials from the URL", u.Redacted())
	}
	return nil
}
