package main

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Panel is one chart of the figure: a phase's wall time against the number of widgets.
type Panel struct {
	Title  string
	Series []Series
}

// Series is one line of a panel.
type Series struct {
	Label  string
	Color  color.RGBA
	Dashed bool // the rate-limit floor is dashed, measured times are solid
	Points []Point
}

// Point is one measurement: X widgets, Y seconds.
type Point struct{ X, Y float64 }

// Figure geometry, in pixels.
const (
	figPanelW   = 620
	figPanelH   = 440
	figTitleH   = 56
	figLegendH  = 44
	figMarginL  = 78
	figMarginR  = 24
	figMarginT  = 40
	figMarginB  = 62
	figLineW    = 2.5
	figMarkerR  = 4.5
	figDashLen  = 9
	figCols     = 2
	figMaxTicks = 6
)

var (
	colorBG    = color.RGBA{255, 255, 255, 255}
	colorAxis  = color.RGBA{60, 60, 60, 255}
	colorGrid  = color.RGBA{228, 228, 228, 255}
	colorText  = color.RGBA{30, 30, 30, 255}
	colorMuted = color.RGBA{100, 100, 100, 255}
)

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

// Figure draws the panels in a grid under a title and a shared legend (taken from the first
// panel's series).
func Figure(title string, panels []Panel) (image.Image, error) {
	fonts, err := loadFonts()
	if err != nil {
		return nil, err
	}
	rows := max(1, (len(panels)+figCols-1)/figCols)
	cols := min(figCols, max(1, len(panels)))
	w := cols * figPanelW
	h := figTitleH + figLegendH + rows*figPanelH
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(colorBG), image.Point{}, draw.Src)

	c := &canvas{img: img, fonts: fonts}
	c.textCentered(fonts.title, title, float64(w)/2, 36, colorText)
	if len(panels) > 0 {
		c.legend(panels[0].Series, float64(w)/2, figTitleH+26)
	}
	for i, p := range panels {
		x0 := float64((i % figCols) * figPanelW)
		y0 := float64(figTitleH + figLegendH + (i/figCols)*figPanelH)
		c.panel(p, x0, y0)
	}
	return img, nil
}

// WritePNG encodes the figure as PNG.
func WritePNG(w io.Writer, img image.Image) error {
	return png.Encode(w, img)
}

type fontSet struct {
	title, label, tick font.Face
}

func loadFonts() (*fontSet, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	face := func(f *opentype.Font, size float64) (font.Face, error) {
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	}
	var fs fontSet
	if fs.title, err = face(bold, 22); err != nil {
		return nil, err
	}
	if fs.label, err = face(regular, 16); err != nil {
		return nil, err
	}
	if fs.tick, err = face(regular, 14); err != nil {
		return nil, err
	}
	return &fs, nil
}

type canvas struct {
	img   *image.RGBA
	fonts *fontSet
}

func (c *canvas) panel(p Panel, x0, y0 float64) {
	left, right := x0+figMarginL, x0+figPanelW-figMarginR
	top, bottom := y0+figMarginT, y0+figPanelH-figMarginB

	var xMax, yMax float64
	for _, s := range p.Series {
		for _, pt := range s.Points {
			xMax, yMax = max(xMax, pt.X), max(yMax, pt.Y)
		}
	}
	xTicks, xStep := niceTicks(xMax, figMaxTicks)
	yTicks, yStep := niceTicks(yMax, figMaxTicks)
	xTop, yTop := xTicks[len(xTicks)-1], yTicks[len(yTicks)-1]
	px := func(x float64) float64 { return left + (right-left)*x/xTop }
	py := func(y float64) float64 { return bottom - (bottom-top)*y/yTop }

	for _, t := range yTicks {
		y := py(t)
		c.line(left, y, right, y, 1, colorGrid)
		c.textRight(c.fonts.tick, formatTick(t, yStep), left-8, y+5, colorMuted)
	}
	for _, t := range xTicks {
		x := px(t)
		c.line(x, top, x, bottom, 1, colorGrid)
		c.textCentered(c.fonts.tick, formatTick(t, xStep), x, bottom+20, colorMuted)
	}
	c.line(left, bottom, right, bottom, 1.5, colorAxis)
	c.line(left, top, left, bottom, 1.5, colorAxis)
	c.textCentered(c.fonts.label, p.Title, (left+right)/2, y0+26, colorText)
	c.textCentered(c.fonts.tick, "widgets (N)", (left+right)/2, bottom+44, colorText)
	c.textVertical(c.fonts.tick, "wall time (s)", x0+18, (top+bottom)/2, colorText)

	for i, s := range p.Series {
		st := styleOf(i, len(p.Series), s.Dashed)
		for j := 1; j < len(s.Points); j++ {
			a, b := s.Points[j-1], s.Points[j]
			if s.Dashed {
				c.dashed(px(a.X), py(a.Y), px(b.X), py(b.Y), st.width, s.Color)
			} else {
				c.line(px(a.X), py(a.Y), px(b.X), py(b.Y), st.width, s.Color)
			}
		}
		for _, pt := range s.Points {
			c.marker(st.marker, px(pt.X), py(pt.Y), st.markerR, s.Color)
		}
	}
}

// seriesStyle is how a series is drawn. Measured series often lie on top of each other (the
// limit, not the parallelism, decides the time), so earlier ones are drawn wider with larger
// markers of another shape, and stay visible under later ones.
type seriesStyle struct {
	width, markerR float64
	marker         int // index into the marker shapes: disc, diamond, triangle, square
}

func styleOf(i, n int, dashed bool) seriesStyle {
	if dashed {
		return seriesStyle{width: figLineW - 0.5, markerR: figMarkerR - 1, marker: markerSquare}
	}
	wider := float64(max(0, n-2-i)) // the last measured series (before the floor) is the thinnest
	return seriesStyle{width: figLineW + 2.5*wider, markerR: figMarkerR + 2*wider, marker: i % markerSquare}
}

const (
	markerDisc = iota
	markerDiamond
	markerTriangle
	markerSquare
)

func (c *canvas) marker(shape int, cx, cy, r float64, col color.RGBA) {
	switch shape {
	case markerDiamond:
		c.fill(col, [][2]float64{{cx, cy - r*1.3}, {cx + r*1.3, cy}, {cx, cy + r*1.3}, {cx - r*1.3, cy}})
	case markerTriangle:
		c.fill(col, [][2]float64{{cx, cy - r*1.3}, {cx + r*1.2, cy + r*0.8}, {cx - r*1.2, cy + r*0.8}})
	case markerSquare:
		c.square(cx, cy, r, col)
	default:
		c.disc(cx, cy, r, col)
	}
}

// legend draws one entry per series, centred on cx.
func (c *canvas) legend(series []Series, cx, cy float64) {
	const swatch, gap, pad = 28.0, 8.0, 26.0
	width := 0.0
	for i, s := range series {
		if i > 0 {
			width += pad
		}
		width += swatch + gap + float64(font.MeasureString(c.fonts.tick, s.Label).Round())
	}
	x := cx - width/2
	for i, s := range series {
		st := styleOf(i, len(series), s.Dashed)
		if s.Dashed {
			c.dashed(x, cy-5, x+swatch, cy-5, st.width, s.Color)
		} else {
			c.line(x, cy-5, x+swatch, cy-5, st.width, s.Color)
		}
		c.marker(st.marker, x+swatch/2, cy-5, st.markerR, s.Color)
		x += swatch + gap
		c.text(c.fonts.tick, s.Label, x, cy, colorText)
		x += float64(font.MeasureString(c.fonts.tick, s.Label).Round()) + pad
	}
}

// line strokes a segment of the given width as a filled quadrilateral.
func (c *canvas) line(x1, y1, x2, y2, width float64, col color.RGBA) {
	dx, dy := x2-x1, y2-y1
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	c.fill(col, [][2]float64{{x1 + nx, y1 + ny}, {x2 + nx, y2 + ny}, {x2 - nx, y2 - ny}, {x1 - nx, y1 - ny}})
}

func (c *canvas) dashed(x1, y1, x2, y2, width float64, col color.RGBA) {
	l := math.Hypot(x2-x1, y2-y1)
	for s := 0.0; s < l; s += 2 * figDashLen {
		e := min(s+figDashLen, l)
		c.line(x1+(x2-x1)*s/l, y1+(y2-y1)*s/l, x1+(x2-x1)*e/l, y1+(y2-y1)*e/l, width, col)
	}
}

func (c *canvas) square(cx, cy, r float64, col color.RGBA) {
	c.fill(col, [][2]float64{{cx - r, cy - r}, {cx + r, cy - r}, {cx + r, cy + r}, {cx - r, cy + r}})
}

func (c *canvas) disc(cx, cy, r float64, col color.RGBA) {
	const n = 20
	pts := make([][2]float64, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	c.fill(col, pts)
}

// fill paints a polygon, anti-aliased. It rasterizes only the polygon's bounding box: a
// figure is hundreds of small shapes.
func (c *canvas) fill(col color.RGBA, pts [][2]float64) {
	minX, minY, maxX, maxY := pts[0][0], pts[0][1], pts[0][0], pts[0][1]
	for _, p := range pts[1:] {
		minX, minY = min(minX, p[0]), min(minY, p[1])
		maxX, maxY = max(maxX, p[0]), max(maxY, p[1])
	}
	box := image.Rect(int(math.Floor(minX))-2, int(math.Floor(minY))-2, int(math.Ceil(maxX))+2, int(math.Ceil(maxY))+2)
	if box = box.Intersect(c.img.Bounds()); box.Empty() {
		return
	}
	z := vector.NewRasterizer(box.Dx(), box.Dy())
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	z.MoveTo(float32(pts[0][0])-ox, float32(pts[0][1])-oy)
	for _, p := range pts[1:] {
		z.LineTo(float32(p[0])-ox, float32(p[1])-oy)
	}
	z.ClosePath()
	z.Draw(c.img, box, image.NewUniform(col), image.Point{})
}

// text draws s with its baseline starting at (x, y).
func (c *canvas) text(face font.Face, s string, x, y float64, col color.RGBA) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face, Dot: fixed.P(int(math.Round(x)), int(math.Round(y)))}
	d.DrawString(s)
}

func (c *canvas) textCentered(face font.Face, s string, cx, y float64, col color.RGBA) {
	c.text(face, s, cx-float64(font.MeasureString(face, s).Round())/2, y, col)
}

func (c *canvas) textRight(face font.Face, s string, right, y float64, col color.RGBA) {
	c.text(face, s, right-float64(font.MeasureString(face, s).Round()), y, col)
}

// textVertical draws s rotated a quarter turn anticlockwise, centred on (cx, cy).
func (c *canvas) textVertical(face font.Face, s string, cx, cy float64, col color.RGBA) {
	w := font.MeasureString(face, s).Round()
	m := face.Metrics()
	h := (m.Ascent + m.Descent).Ceil()
	tmp := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(tmp, tmp.Bounds(), image.NewUniform(colorBG), image.Point{}, draw.Src)
	d := font.Drawer{Dst: tmp, Src: image.NewUniform(col), Face: face, Dot: fixed.P(0, m.Ascent.Ceil())}
	d.DrawString(s)
	ox, oy := int(cx)-h/2, int(cy)-w/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c.img.Set(ox+y, oy+w-1-x, tmp.At(x, y))
		}
	}
}

// niceTicks returns ticks from 0 to at least hi, at a step of 1, 2 or 5 times a power of ten,
// at most about n of them, and the step.
func niceTicks(hi float64, n int) ([]float64, float64) {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return []float64{0, 1}, 1
	}
	raw := hi / float64(max(1, n-1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		t := float64(i) * step
		ticks = append(ticks, t)
		if t >= hi {
			return ticks, step
		}
	}
}

// formatTick prints a tick with as many decimals as its step needs (0.2 steps: one).
func formatTick(v, step float64) string {
	decimals := max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
