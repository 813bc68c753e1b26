package widget

import (
	"errors"
	"fmt"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// Refresh interval bounds, in milliseconds. 0 means the widget does not refresh.
const (
	MinRefreshIntervalMs = 1000       // faster refreshes hammer the app for no visible gain
	MaxRefreshIntervalMs = 86_400_000 // one day; anything slower is "never"
)

// Default sandbox limits, from the Genesys Cloud render frame.
const (
	DefaultMaxPayloadBytes = 10240
	DefaultMaxWidth        = 800
	DefaultMaxHeight       = 600
)

// Constraints are the limits every widget of one provider configuration is checked against.
type Constraints struct {
	AllowedOrigins  []string // host patterns (package hostmatch); empty allows any https host
	MaxPayloadBytes int64    // largest integration configuration, as sent
	MaxWidth        int64    // widest render frame, in pixels
	MaxHeight       int64    // tallest render frame, in pixels
}

// Defaults returns the Genesys Cloud sandbox limits: any origin, 10240 bytes, 800x600 pixels.
func Defaults() Constraints {
	return Constraints{
		MaxPayloadBytes: DefaultMaxPayloadBytes,
		MaxWidth:        DefaultMaxWidth,
		MaxHeight:       DefaultMaxHeight,
	}
}

// Validate checks a provider's constraints and reports every problem at once, each naming the
// limit it is about.
func (c Constraints) Validate() error {
	var errs []error
	for i, p := range c.AllowedOrigins {
		if err := hostmatch.ValidatePattern(p); err != nil {
			errs = append(errs, fmt.Errorf("allowed origin %d: %w", i+1, err))
		}
	}
	for _, f := range []struct {
		name  string
		value int64
		unit  string
	}{
		{"the payload size limit", c.MaxPayloadBytes, "bytes"},
		{"the width limit", c.MaxWidth, "pixels"},
		{"the height limit", c.MaxHeight, "pixels"},
	} {
		if f.value <= 0 {
			errs = append(errs, fmt.Errorf("%s is %d; it must be a positive number of %s", f.name, f.value, f.unit))
		}
	}
	return errors.Join(errs...)
}

// DimensionError reports a render frame dimension outside its limits.
type DimensionError struct {
	Dimension string // "width" or "height"
	Value     int64
	Max       int64
}

func (e *DimensionError) Error() string {
	if e.Value <= 0 {
		return fmt.Sprintf("%s is %d; it must be a positive number of pixels", e.Dimension, e.Value)
	}
	return fmt.Sprintf("%s %d exceeds the render frame limit of %d pixels", e.Dimension, e.Value, e.Max)
}

// CheckDimensions checks a widget's render frame against the limits. Each failing dimension is
// a *DimensionError; when both fail, the errors are joined (errors.Join), so a caller can attach
// each to its own attribute by unwrapping.
func CheckDimensions(width, height, maxWidth, maxHeight int64) error {
	var errs []error
	if width <= 0 || width > maxWidth {
		errs = append(errs, &DimensionError{Dimension: "width", Value: width, Max: maxWidth})
	}
	if height <= 0 || height > maxHeight {
		errs = append(errs, &DimensionError{Dimension: "height", Value: height, Max: maxHeight})
	}
	return errors.Join(errs...)
}

// PayloadSizeError reports a configuration larger than the sandbox accepts.
type PayloadSizeError struct {
	Size int
	Max  int
}

func (e *PayloadSizeError) Error() string {
	return fmt.Sprintf("the widget configuration is %s as sent to Genesys Cloud, %s over the limit of %s",
		bytesText(e.Size), bytesText(e.Size-e.Max), bytesText(e.Max))
}

// CheckPayloadSize checks the size of a configuration. payload must be exactly the bytes the
// client sends, so that what is measured is what the sandbox will see.
func CheckPayloadSize(payload []byte, limit int) error {
	if limit <= 0 {
		return fmt.Errorf("the payload size limit is %d bytes; it must be positive", limit)
	}
	if len(payload) > limit {
		return &PayloadSizeError{Size: len(payload), Max: limit}
	}
	return nil
}

func bytesText(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
