package validators

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Regexp checks that a value is a regular expression Go (and so Terraform's regex function)
// accepts, so a typo in a filter is an error at plan rather than a filter that matches nothing.
func Regexp() validator.String {
	return stringRule{rule[string]{"value must be a regular expression in RE2 syntax, such as `^storm-[0-9]+$`",
		func(p path.Path, s string) (string, string) {
			if problem := RegexpProblem(p.String(), s); problem != "" {
				return "Invalid regular expression", problem
			}
			return "", ""
		}}}
}

// RegexpProblem is the rule of Regexp for a value known only at apply: what is wrong with value
// as attribute attr and how to fix it, or "" when it is a regular expression.
func RegexpProblem(attr, value string) string {
	if _, err := regexp.Compile(value); err != nil {
		return attr + " is not a regular expression in RE2 syntax: " + err.Error() +
			". Escape characters such as ( [ . * + ? with a backslash to match them literally (in HCL, write \\\\ for one backslash)."
	}
	return ""
}
