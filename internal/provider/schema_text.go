package provider

import (
	"fmt"
	"strings"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

// codeList renders values as a Markdown list of code spans for attribute descriptions.
func codeList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

// hostRuleText says how hosts in URLs and allow-lists are read (package hostmatch), for every
// attribute that holds one.
const hostRuleText = "Hosts are compared ignoring ASCII case. A host must be written as it is sent: one that only " +
	"becomes an allowed host once full-width letters, ideographic full stops (`。`, `．`, `｡`) or invisible characters " +
	"are folded, or that ends with a dot, is refused at plan with the form to write instead; an internationalised " +
	"name may be written as punycode (`xn--bcher-kva.example`) or in normalised Unicode (`bücher.example`)."

// Screen pop attribute texts shared by the resource and the action, with the limits they enforce.
var (
	userIDText = fmt.Sprintf("ID of the agent whose desktop pops (a Genesys Cloud user ID, a GUID). At most %d bytes; "+
		"it becomes one segment of the request's path, so `/`, `\\`, `?`, `#`, `%%`, white space, `.` and `..` are "+
		"refused at plan.", screenpop.MaxUserIDLength)
	applicationIDText = fmt.Sprintf("At most %d bytes, not only white space.", maxApplicationIDBytes)
	targetURLText     = fmt.Sprintf("https URL the pop opens, at most %d bytes once the customer context is added to "+
		"its fragment (checked at plan when the values are known). A fragment the URL already has is kept when it is "+
		"`key=value` pairs joined by `&`, and the context is merged after it (a key may not appear in both); any other "+
		"fragment, such as a route `#/agent`, is refused at plan, because the context could not be added to it. "+
		"Its host must match the provider's `screenpop.allowed_domains` (an exact host or a `*.domain` wildcard) when "+
		"that is set. ", screenpop.MaxURLLength) + hostRuleText
	sessionTokenSizeText = fmt.Sprintf("It travels in the target URL's fragment, so it counts towards the %d bytes the URL "+
		"may have with its context.", screenpop.MaxURLLength)
	customerDataText = fmt.Sprintf("Customer context added to the target URL's fragment (never its query, so it stays "+
		"out of server logs), percent-encoded in key order. Keys must be non-empty, must not be `%s` and must not "+
		"repeat a key of the target's own fragment; the URL with its context must fit in %d bytes.",
		screenpop.SessionTokenKey, screenpop.MaxURLLength)
)
