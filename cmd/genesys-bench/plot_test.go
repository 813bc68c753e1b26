package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		hi       float64
		want     []float64
		wantStep float64
	}{
		{500, []float64{0, 100, 200, 300, 400, 500}, 100},
		{317.4, []float64{0, 100, 200, 300, 400}, 100},
		{42, []float64{0, 10, 20, 30, 40, 50}, 10},
		{0.83, []float64{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}, 0.2},
		{0, []float64{0, 1}, 1},
	}
	for _, tt := range tests {
		got, step := niceTicks(tt.hi, 6)
		if !slices.Equal(got, tt.want) || step != tt.wantStep {
			t.Errorf("niceTicks(%v) = %v step %v, want %v step %v", tt.hi, got, step, tt.want, tt.wantStep)
		}
	}
}

func TestFormatTick(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{300, 100, "300"},
		{0.6000000000000001, 0.2, "0.6"},
		{0.05, 0.05, "0.05"},
		{2.5, 0.5, "2.5"},
	}
	for _, tt := range tests {
		if got := formatTick(tt.v, tt.step); got != tt.want {
			t.Errorf("formatTick(%v, %v) = %q, want %q", tt.v, tt.step, got, tt.want)
		}
	}
}

// TestFigureDrawsEverySeries renders a figure and finds each series' colour in its panel.
func TestFigureDrawsEverySeries(t *testing.T) {
	red, blue := color.RGBA{220, 0, 0, 255}, color.RGBA{0, 0, 220, 255}
	panels := []Panel{
		{Title: "left", Series: []Series{{Label: "a", Color: red, Points: []Point{{10, 1}, {100, 10}, {500, 50}}}}},
		{Title: "right", Series: []Series{{Label: "b", Color: blue, Dashed: true, Points: []Point{{10, 0}, {500, 40}}}}},
	}
	img, err := Figure("title", panels)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 2*figPanelW || b.Dy() != figTitleH+figLegendH+figPanelH {
		t.Fatalf("figure is %v, want two panels side by side", b)
	}
	body := func(x0, x1 int) image.Rectangle { return image.Rect(x0, figTitleH+figLegendH, x1, b.Max.Y) }
	if n := countColor(img, body(0, figPanelW), red); n < 200 {
		t.Errorf("the left panel has %d pixels of its series' colour", n)
	}
	if n := countColor(img, body(figPanelW, b.Max.X), blue); n < 100 {
		t.Errorf("the right panel has %d pixels of its dashed series' colour", n)
	}
	if n := countColor(img, body(figPanelW, b.Max.X), red); n != 0 {
		t.Errorf("the left series drew %d pixels in the right panel", n)
	}
	var buf bytes.Buffer
	if err := WritePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
}

func countColor(img image.Image, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == c {
				n++
			}
		}
	}
	return n
}
