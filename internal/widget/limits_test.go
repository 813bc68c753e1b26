package widget

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	d := Defaults()
	if d.AllowedOrigins != nil || d.MaxPayloadBytes != 10240 || d.MaxWidth != 800 || d.MaxHeight != 600 {
		t.Fatalf("Defaults() = %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Defaults().Validate() = %v", err)
	}
}

func TestConstraintsValidate(t *testing.T) {
	c := Defaults()
	c.AllowedOrigins = []string{"s3.amazonaws.com", "*.cloudfront.net", "cdn.example.com:8443"}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}

	bad := Constraints{AllowedOrigins: []string{"ok.example.com", "https://cdn.example.com", "*.com"}, MaxPayloadBytes: 0, MaxWidth: -1, MaxHeight: 600}
	err := bad.Validate()
	if err == nil {
		t.Fatal("Validate() = nil; want errors")
	}
	for _, want := range []string{
		`allowed origin 2: host pattern "https://cdn.example.com" is a URL`,
		`allowed origin 3: host pattern "*.com"`,
		"the payload size limit is 0; it must be a positive number of bytes",
		"the width limit is -1; it must be a positive number of pixels",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q; want it to mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "allowed origin 1") || strings.Contains(err.Error(), "height") {
		t.Errorf("Validate() reports valid fields: %q", err)
	}
}

func TestCheckDimensions(t *testing.T) {
	tests := []struct {
		w, h         int64
		wantW, wantH bool // which dimensions fail
	}{
		{750, 500, false, false},
		{800, 600, false, false},
		{1, 1, false, false},
		{801, 600, true, false},
		{800, 601, false, true},
		{900, 700, true, true},
		{0, 500, true, false},
		{750, -1, false, true},
	}
	for _, tt := range tests {
		err := CheckDimensions(tt.w, tt.h, 800, 600)
		var got []*DimensionError
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var de *DimensionError
				if !errors.As(e, &de) {
					t.Fatalf("CheckDimensions(%d, %d) joined a %T", tt.w, tt.h, e)
				}
				got = append(got, de)
			}
		}
		var gotW, gotH bool
		for _, de := range got {
			gotW = gotW || de.Dimension == "width" && de.Value == tt.w && de.Max == 800
			gotH = gotH || de.Dimension == "height" && de.Value == tt.h && de.Max == 600
		}
		if gotW != tt.wantW || gotH != tt.wantH || len(got) != btoi(tt.wantW)+btoi(tt.wantH) {
			t.Errorf("CheckDimensions(%d, %d, 800, 600) = %v", tt.w, tt.h, err)
		}
	}

	err := CheckDimensions(900, 500, 800, 600)
	want := "width 900 exceeds the render frame limit of 800 pixels"
	if err == nil || err.Error() != want {
		t.Errorf("CheckDimensions(900, 500) = %q; want %q", err, want)
	}
	if err := CheckDimensions(750, 0, 800, 600); err == nil || err.Error() != "height is 0; it must be a positive number of pixels" {
		t.Errorf("CheckDimensions(750, 0) = %v", err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestCheckPayloadSize(t *testing.T) {
	if err := CheckPayloadSize(make([]byte, 10240), 10240); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if err := CheckPayloadSize(nil, 10240); err != nil {
		t.Errorf("empty: %v", err)
	}
	err := CheckPayloadSize(make([]byte, 10500), 10240)
	var pe *PayloadSizeError
	if !errors.As(err, &pe) || pe.Size != 10500 || pe.Max != 10240 {
		t.Fatalf("CheckPayloadSize = %#v", err)
	}
	want := "the widget configuration is 10500 bytes as sent to Genesys Cloud, 260 bytes over the limit of 10240 bytes"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	if err := CheckPayloadSize(make([]byte, 11), 10); err == nil || !strings.Contains(err.Error(), "1 byte over") {
		t.Errorf("one over: %v", err)
	}
	if err := CheckPayloadSize([]byte("{}"), 0); err == nil || !strings.Contains(err.Error(), "must be positive") {
		t.Errorf("zero limit: %v", err)
	}
}
