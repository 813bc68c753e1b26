package main

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// metric is one column of the figure: a measure of each phase against N.
type metric struct {
	title string
	value func(PhaseResult) float64
	floor bool // also draw the floor, dashed
}

var metrics = []metric{
	{"wall time (s)", func(p PhaseResult) float64 { return p.WallSeconds }, true},
	{"requests per widget", func(p PhaseResult) float64 { return p.PerWidget }, false},
	{"tokens minted", func(p PhaseResult) float64 { return float64(p.TokensMinted) }, false},
	{"provider CPU per widget (ms)", func(p PhaseResult) float64 { return p.CPUPerWidgetMs }, false},
}

// seriesColors are told apart also by readers with the common colour-vision deficiencies
// (the Okabe-Ito palette).
var seriesColors = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{213, 94, 0, 255},    // vermillion
	{0, 158, 115, 255},   // green
	{204, 121, 167, 255}, // purple
	{230, 159, 0, 255},   // orange
	{86, 180, 233, 255},  // sky blue
}

// Figure size: one row per phase, one column per metric.
const (
	plotCellW = 3.2 * vg.Inch
	plotCellH = 2.1 * vg.Inch
	plotDPI   = 110
)

// seriesKey is one line of every panel: the runs of one access-token setting and parallelism.
type seriesKey struct {
	tokens      string
	parallelism int
}

// PlotPoints is, for one phase and metric, each series' points (N, value) in order of N, and
// the floor's when the metric has one. Failed phases are left out.
func PlotPoints(res Result, phase string, m metric) (keys []seriesKey, values, floors map[seriesKey]plotter.XYs) {
	values, floors = map[seriesKey]plotter.XYs{}, map[seriesKey]plotter.XYs{}
	for _, r := range res.Runs {
		k := seriesKey{r.AccessTokens, r.Parallelism}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
		for _, ph := range r.Phases {
			if ph.Phase != phase || ph.Error != "" {
				continue
			}
			values[k] = append(values[k], plotter.XY{X: float64(r.Widgets), Y: m.value(ph)})
			if m.floor {
				floors[k] = append(floors[k], plotter.XY{X: float64(r.Widgets), Y: ph.FloorSeconds})
			}
		}
	}
	byN := func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) }
	for _, xys := range values {
		slices.SortFunc(xys, byN)
	}
	for _, xys := range floors {
		slices.SortFunc(xys, byN)
	}
	return keys, values, floors
}

func (k seriesKey) label(parallelisms int) string {
	s := "max_access_tokens " + k.tokens
	if parallelisms > 1 {
		s += fmt.Sprintf(", parallelism %d", k.parallelism)
	}
	return s
}

// WritePlot draws every phase's measures against N as a PNG: rows are phases, columns the
// metrics, lines the access-token settings (and parallelisms).
func WritePlot(w io.Writer, res Result) error {
	var rows []string
	for _, phase := range phases {
		if slices.ContainsFunc(res.Runs, func(r Run) bool {
			return slices.ContainsFunc(r.Phases, func(p PhaseResult) bool { return p.Phase == phase })
		}) {
			rows = append(rows, phase)
		}
	}
	if len(rows) == 0 {
		rows = []string{PhaseCreate} // an empty figure still says what it would show
	}
	grid := make([][]*plot.Plot, len(rows))
	for i, phase := range rows {
		grid[i] = make([]*plot.Plot, len(metrics))
		for j, m := range metrics {
			p, err := panel(res, phase, m, i == 0)
			if err != nil {
				return err
			}
			grid[i][j] = p
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(plotCellW*vg.Length(len(metrics)), plotCellH*vg.Length(len(rows))), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	tiles := draw.Tiles{
		Rows: len(rows), Cols: len(metrics),
		PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2,
	}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// panel is one phase's metric against N.
func panel(res Result, phase string, m metric, legend bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = phase + ": " + m.title
	p.X.Label.Text = "widgets (N)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = nTicks(res.Settings.Widgets)
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	keys, values, floors := PlotPoints(res, phase, m)
	for i, k := range keys {
		c := seriesColors[i%len(seriesColors)]
		if err := addSeries(p, values[k], c, false); err != nil {
			return nil, err
		}
		if legend {
			p.Legend.Add(k.label(len(res.Settings.Parallelism)), &plotter.Line{LineStyle: lineStyle(c, false)})
		}
		if m.floor {
			if err := addSeries(p, floors[k], c, true); err != nil {
				return nil, err
			}
		}
	}
	if legend && m.floor && len(keys) > 0 {
		p.Legend.Add("floor (dashed)", &plotter.Line{LineStyle: lineStyle(color.RGBA{90, 90, 90, 255}, true)})
	}
	if math.IsInf(p.X.Min, 0) { // nothing measured: an empty panel over the usual range
		p.X.Min, p.X.Max = 10, 1000
	}
	if p.X.Min == p.X.Max { // one N: a log axis needs a range
		p.X.Min, p.X.Max = p.X.Min/2, p.X.Max*2
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	// The Y axis starts at 0 and ends above the largest value, so a flat line is visible.
	p.Y.Max = max(p.Y.Max*1.1, 1)
	return p, nil
}

func lineStyle(c color.Color, dashed bool) draw.LineStyle {
	s := draw.LineStyle{Color: c, Width: vg.Points(1.5)}
	if dashed {
		s.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return s
}

func addSeries(p *plot.Plot, xys plotter.XYs, c color.Color, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.LineStyle = lineStyle(c, dashed)
	points.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	if dashed {
		points.Shape = draw.RingGlyph{}
	}
	p.Add(line, points)
	return nil
}

// nTicks marks each N the run measured, which on a log axis says more than decades.
func nTicks(widgets []int) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		for _, n := range widgets {
			if x := float64(n); x >= lo && x <= hi {
				ticks = append(ticks, plot.Tick{Value: x, Label: fmt.Sprint(n)})
			}
		}
		return ticks
	})
}
