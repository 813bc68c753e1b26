package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

func TestPlotPoints(t *testing.T) {
	res := sampleResult()
	res.Runs = append(res.Runs, Run{Widgets: 10, Parallelism: 10, AccessTokens: "1", PoolSize: 1, Phases: []PhaseResult{
		phaseOf(PhaseCreate, 10, 30, 30, 1, 2*time.Second, 1, 6),
	}})
	res.Runs[1].Phases[0].Error = "boom" // failed phases are left out
	keys, values, floors := PlotPoints(res, PhaseCreate, metrics[0])
	if len(keys) != 2 || keys[0] != (seriesKey{"1", 10}) || keys[1] != (seriesKey{defaultAccessTokens, 10}) {
		t.Fatalf("series = %+v; want max_access_tokens 1, then default", keys)
	}
	one := values[keys[0]]
	if len(one) != 2 || one[0].X != 10 || one[0].Y != 2 || one[1].X != 500 || one[1].Y != 245 {
		t.Errorf("one token's wall times = %v; want (10, 2), (500, 245) in order of N", one)
	}
	if f := floors[keys[0]]; len(f) != 2 || f[1].Y != 240 {
		t.Errorf("one token's floors = %v; want 240 s at N=500", f)
	}
	if pooled := values[keys[1]]; len(pooled) != 0 {
		t.Errorf("a failed phase was plotted: %v", pooled)
	}
	_, cpu, _ := PlotPoints(res, PhaseUpdate, metrics[3])
	if got := cpu[keys[0]]; len(got) != 1 || got[0].Y != 8 {
		t.Errorf("update CPU per widget = %v; want 8 ms at N=500", got)
	}
}

// TestWritePlot renders the figure and finds both series' colours in it.
func TestWritePlot(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePlot(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	b := img.Bounds()
	wantW, wantH := int(float64(plotCellW/vg.Inch)*plotDPI)*len(metrics), int(float64(plotCellH/vg.Inch)*plotDPI)*len(phases)
	if d := b.Dx() - wantW; d < -2 || d > 2 || b.Dy() < wantH-2 || b.Dy() > wantH+2 {
		t.Fatalf("figure is %v, want about %dx%d: a row per phase, a column per metric", b, wantW, wantH)
	}
	for i, c := range seriesColors[:2] {
		if n := countColor(img, b, c); n < 200 {
			t.Errorf("series %d: %d pixels of its colour", i, n)
		}
	}

	// Nothing measured still draws (empty panels), rather than failing the report.
	buf.Reset()
	if err := WritePlot(&buf, Result{}); err != nil {
		t.Fatal(err)
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
