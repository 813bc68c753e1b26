package validators

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = textValidator{}

// Text checks a string's length in bytes, the unit Genesys Cloud and this provider count in
// (a letter outside ASCII takes 2 to 4 bytes in UTF-8), and, when notBlank, that it is not only
// white space. maxBytes 0 means no upper bound.
func Text(minBytes, maxBytes int, notBlank bool) validator.String {
	return textValidator{min: minBytes, max: maxBytes, notBlank: notBlank}
}

type textValidator struct {
	min, max int
	notBlank bool
}

func (v textValidator) Description(context.Context) string {
	var d string
	switch {
	case v.max == 0:
		d = fmt.Sprintf("value must be at least %d bytes long (UTF-8)", v.min)
	case v.min == 0:
		d = fmt.Sprintf("value must be at most %d bytes long (UTF-8)", v.max)
	default:
		d = fmt.Sprintf("value must be %d to %d bytes long (UTF-8)", v.min, v.max)
	}
	if v.notBlank {
		d += " and not only white space"
	}
	return d
}

func (v textValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v textValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s, name := req.ConfigValue.ValueString(), req.Path.String()
	n := len(s)
	switch {
	case n == 0 && v.min > 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is empty; write at least %s.", name, bytesText(v.min)))
	case v.notBlank && strings.TrimFunc(s, unicode.IsSpace) == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is only white space; write a value with letters or digits in it.", name))
	case n < v.min:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is %s long; it must be at least %s (UTF-8); lengthen it.", name, bytesText(n), bytesText(v.min)))
	case v.max > 0 && n > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is %s long; the limit is %s (UTF-8: a letter outside ASCII takes 2 to 4 bytes); shorten it.",
				name, bytesText(n), bytesText(v.max)))
	}
}

func bytesText(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

var _ validator.String = checkValidator{}

// Check turns a domain rule (a function that explains what is wrong with a value) into a
// validator, so the rule lives once, in its domain package, and the provider only names the
// attribute. description is shown in docs.
func Check(description string, check func(string) error) validator.String {
	return checkValidator{description: description, check: check}
}

type checkValidator struct {
	description string
	check       func(string) error
}

func (v checkValidator) Description(context.Context) string { return v.description }

func (v checkValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v checkValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+": "+err.Error()+".")
	}
}
