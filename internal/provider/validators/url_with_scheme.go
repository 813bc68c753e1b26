package validators

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// URLWithScheme checks that a string is an absolute URL with a host, one of the given schemes,
// and no user info (credentials in a URL end up in logs and state).
func URLWithScheme(schemes ...string) validator.String {
	return stringRule{rule[string]{
		fmt.Sprintf("value must be an absolute URL with scheme %s, a host and no user info", schemeList(schemes)),
		func(p path.Path, s string) (string, string) {
			if err := CheckURL(s, schemes...); err != nil {
				return "Invalid URL", fmt.Sprintf("%s: %s.", p, err)
			}
			return "", ""
		}}}
}

func schemeList(schemes []string) string {
	quoted := make([]string, len(schemes))
	for i, s := range schemes {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted, " or ")
}

// CheckURL is the rule behind URLWithScheme, for values that come from the environment rather
// than from configuration.
func CheckURL(raw string, schemes ...string) error {
	// No branch repeats raw: a URL may carry credentials (user info, a token in the query) that
	// must not reach a diagnostic or a log. The caller names the attribute.
	switch trimmed := strings.TrimSpace(raw); {
	case trimmed == "":
		return fmt.Errorf("the URL is empty; write one such as %s://host[:port][/path], or leave the attribute unset", schemes[0])
	case trimmed != raw:
		return errors.New("the URL starts or ends with whitespace; remove it")
	}
	u, err := hostmatch.ParseQuiet(raw) // its error keeps only the reason, not the URL
	if err != nil {
		return fmt.Errorf("the value is not a URL (%w)", err)
	}
	okScheme := false
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			okScheme = true
		}
	}
	switch {
	case u.Scheme == "":
		return fmt.Errorf("the URL has no scheme; it must use scheme %s, as in %s://host[:port][/path]",
			schemeList(schemes), schemes[0])
	case !okScheme:
		return fmt.Errorf("the URL's scheme is %q; it must use scheme %s", u.Scheme, schemeList(schemes))
	case u.User != nil:
		return errors.New("the URL carries user info before an \"@\"; remove the credentials from the URL")
	case u.Host == "":
		return fmt.Errorf("the URL has no host; write it as %s://host[:port][/path]", schemes[0])
	}
	return nil
}
