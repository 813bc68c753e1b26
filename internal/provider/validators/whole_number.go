package validators

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.Number = wholeNumberValidator{}

// WholeNumber checks a Number attribute that holds a count: a whole number from min to max (max 0:
// no upper bound) of unit ("pixels", "bytes"). Such attributes are Number rather than Int64 in the
// schema so that 1.5 or 1e30 reach this validator, which names the attribute and the range,
// instead of failing in the framework's conversion to int64 with a message about the provider.
func WholeNumber(minimum, maximum int64, unit string) validator.Number {
	return wholeNumberValidator{min: minimum, max: maximum, unit: unit}
}

type wholeNumberValidator struct {
	min, max int64
	unit     string
}

func (v wholeNumberValidator) rangeText() string {
	if v.max == 0 {
		return fmt.Sprintf("a whole number of %s, at least %d", v.unit, v.min)
	}
	return fmt.Sprintf("a whole number of %s from %d to %d", v.unit, v.min, v.max)
}

func (v wholeNumberValidator) Description(context.Context) string {
	return "value must be " + v.rangeText()
}

func (v wholeNumberValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberValidator) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	name := req.Path.String()
	i, acc := f.Int64()
	switch {
	case !f.IsInt():
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is %s, which has a fraction; it must be %s. Write it without a decimal part.", name, f.Text('g', 10), v.rangeText()))
	case acc != big.Exact || i < v.min || v.max != 0 && i > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s is %s; it must be %s.", name, f.Text('g', 20), v.rangeText()))
	}
}

// Int64Of reads a Number that WholeNumber accepted (or null: 0).
func Int64Of(f *big.Float) int64 {
	if f == nil {
		return 0
	}
	i, _ := f.Int64()
	return i
}
