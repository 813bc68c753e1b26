package provider

import "strings"

// codeList renders values as a Markdown list of code spans for attribute descriptions.
func codeList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}
