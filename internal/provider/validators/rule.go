package validators

import (
	"context"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// rule is what every validator here is: a description (shown in docs and by the framework) and a
// check of a known value that returns the diagnostic's summary and detail, or "" when the value
// passes. Null values pass, and unknown ones are checked when they are known.
type rule[T any] struct {
	description string
	check       func(p path.Path, value T) (summary, detail string)
}

func (r rule[T]) Description(context.Context) string { return r.description }

func (r rule[T]) MarkdownDescription(context.Context) string { return r.description }

type stringRule struct{ rule[string] }

var _ validator.String = stringRule{}

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := r.check(req.Path, req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

type numberRule struct{ rule[*big.Float] }

var _ validator.Number = numberRule{}

func (r numberRule) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := r.check(req.Path, req.ConfigValue.ValueBigFloat()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// invalid is the summary most rules give: "Invalid" and the attribute.
func invalid(p path.Path) string { return "Invalid " + p.String() }
