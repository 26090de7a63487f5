package main

import (
	"image"
	"image/color"
	"math"

	"mediagate.dev/mediagate/internal/pngdraw"
)

// The drawing shared by the benchmark's plots (fanout.png) and the soak's
// (soak.png): charts with a linear or logarithmic x scale and one or two
// y scales from zero, lines and dots, on internal/pngdraw's canvas.

var (
	plotGrid = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	plotAxis = color.RGBA{0x20, 0x20, 0x20, 0xff}
	plotBlue = color.RGBA{0x1f, 0x5f, 0xd0, 0xff}
	plotRed  = color.RGBA{0xd0, 0x30, 0x30, 0xff}
)

// plotTicks is the number of grid intervals on a y scale.
const plotTicks = 10

// chart maps values onto area, a rectangle of img: x from x0 to x1
// (logarithmic when logX; then x0 must be above 0), each y scale from 0 to
// the top it is drawn with.
type chart struct {
	img    *image.RGBA
	area   image.Rectangle
	x0, x1 float64
	logX   bool
}

// px returns the column of x.
func (c chart) px(x float64) int {
	lo, hi := c.x0, c.x1
	if c.logX {
		x, lo, hi = math.Log10(x), math.Log10(lo), math.Log10(hi)
	}
	if hi == lo {
		return c.area.Min.X
	}
	return c.area.Min.X + int((x-lo)/(hi-lo)*float64(c.area.Dx()))
}

// py returns the row of v on the scale from 0 to top.
func (c chart) py(v, top float64) int {
	return c.area.Max.Y - int(v/top*float64(c.area.Dy()))
}

// gridX draws a vertical grid line at each of xs, labelled below the area,
// and the x axis.
func (c chart) gridX(xs []float64, label func(float64) string) {
	for _, v := range xs {
		x := c.px(v)
		pngdraw.Fill(c.img, image.Rect(x, c.area.Min.Y, x+1, c.area.Max.Y), plotGrid)
		pngdraw.Text(c.img, label(v), x-8, c.area.Max.Y+15, plotAxis)
	}
	pngdraw.Fill(c.img, image.Rect(c.area.Min.X, c.area.Max.Y, c.area.Max.X, c.area.Max.Y+1), plotAxis)
}

// gridY draws plotTicks+1 horizontal grid lines labelled on the left with
// the scale 0…left and, when right > 0, on the right with 0…right.
func (c chart) gridY(left, right float64, label func(float64) string) {
	for i := 0; i <= plotTicks; i++ {
		y := c.py(left*float64(i)/plotTicks, left)
		pngdraw.Fill(c.img, image.Rect(c.area.Min.X, y, c.area.Max.X, y+1), plotGrid)
		pngdraw.Text(c.img, label(left*float64(i)/plotTicks), c.area.Min.X-55, y+4, plotAxis)
		if right > 0 {
			pngdraw.Text(c.img, label(right*float64(i)/plotTicks), c.area.Max.X+5, y+4, plotAxis)
		}
	}
}

// line draws a 2-pixel line from (x0, v0) to (x1, v1) on the scale top.
func (c chart) line(x0, v0, x1, v1, top float64, col color.Color) {
	a, b := image.Pt(c.px(x0), c.py(v0, top)), image.Pt(c.px(x1), c.py(v1, top))
	pngdraw.Line(c.img, a, b, image.Rect(0, 0, 2, 2), col)
}

// dot marks (x, v) on the scale top with a 6-pixel square.
func (c chart) dot(x, v, top float64, col color.Color) {
	px, py := c.px(x), c.py(v, top)
	pngdraw.Fill(c.img, image.Rect(px-3, py-3, px+3, py+3), col)
}
