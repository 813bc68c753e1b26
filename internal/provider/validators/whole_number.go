package validators

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// WholeNumber checks a Number attribute that holds a count: a whole number from min to max (max 0:
// no upper bound) of unit ("pixels", "bytes"). Such attributes are Number rather than Int64 in the
// schema so that 1.5 or 1e30 reach this validator, which names the attribute and the range,
// instead of failing in the framework's conversion to int64 with a message about the provider.
func WholeNumber(minimum, maximum int64, unit string) validator.Number {
	rangeText := fmt.Sprintf("a whole number of %s from %d to %d", unit, minimum, maximum)
	if maximum == 0 {
		rangeText = fmt.Sprintf("a whole number of %s, at least %d", unit, minimum)
	}
	return numberRule{rule[*big.Float]{"value must be " + rangeText, func(p path.Path, f *big.Float) (string, string) {
		name := p.String()
		i, acc := f.Int64()
		switch {
		case !f.IsInt():
			return invalid(p), fmt.Sprintf("%s is %s, which has a fraction; it must be %s. Write it without a decimal part.",
				name, f.Text('g', 10), rangeText)
		case acc != big.Exact || i < minimum || maximum != 0 && i > maximum:
			return invalid(p), fmt.Sprintf("%s is %s; it must be %s.", name, f.Text('g', 20), rangeText)
		}
		return "", ""
	}}}
}

// Int64Of reads a Number that WholeNumber accepted (or null: 0).
func Int64Of(f *big.Float) int64 {
	if f == nil {
		return 0
	}
	i, _ := f.Int64()
	return i
}
