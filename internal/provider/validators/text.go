package validators

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Text checks a string's length in bytes, the unit Genesys Cloud and this provider count in
// (a letter outside ASCII takes 2 to 4 bytes in UTF-8), and, when notBlank, that it is not only
// white space. maxBytes 0 means no upper bound.
func Text(minBytes, maxBytes int, notBlank bool) validator.String {
	var d string
	switch {
	case maxBytes == 0:
		d = fmt.Sprintf("value must be at least %d bytes long (UTF-8)", minBytes)
	case minBytes == 0:
		d = fmt.Sprintf("value must be at most %d bytes long (UTF-8)", maxBytes)
	default:
		d = fmt.Sprintf("value must be %d to %d bytes long (UTF-8)", minBytes, maxBytes)
	}
	if notBlank {
		d += " and not only white space"
	}
	return stringRule{rule[string]{d, func(p path.Path, s string) (string, string) {
		name, n := p.String(), len(s)
		switch {
		case n == 0 && minBytes > 0:
			return invalid(p), fmt.Sprintf("%s is empty; write at least %s.", name, bytesText(minBytes))
		case notBlank && strings.TrimFunc(s, unicode.IsSpace) == "":
			return invalid(p), fmt.Sprintf("%s is only white space; write a value with letters or digits in it.", name)
		case n < minBytes:
			return invalid(p), fmt.Sprintf("%s is %s long; it must be at least %s (UTF-8); lengthen it.", name, bytesText(n), bytesText(minBytes))
		case maxBytes > 0 && n > maxBytes:
			return invalid(p), fmt.Sprintf("%s is %s long; the limit is %s (UTF-8: a letter outside ASCII takes 2 to 4 bytes); shorten it.",
				name, bytesText(n), bytesText(maxBytes))
		}
		return "", ""
	}}}
}

func bytesText(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// Check turns a domain rule (a function that explains what is wrong with a value) into a
// validator, so the rule lives once, in its domain package, and the provider only names the
// attribute. description is shown in docs.
func Check(description string, check func(string) error) validator.String {
	return stringRule{rule[string]{description, func(p path.Path, s string) (string, string) {
		if err := check(s); err != nil {
			return invalid(p), p.String() + ": " + err.Error() + "."
		}
		return "", ""
	}}}
}
