package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The drawing shared by the benchmark's plots (fanout.png) and the soak's
// (soak.png): a white canvas, charts with a linear or logarithmic x scale
// and one or two y scales from zero, lines, dots and text.

var (
	plotGrid = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	plotAxis = color.RGBA{0x20, 0x20, 0x20, 0xff}
	plotBlue = color.RGBA{0x1f, 0x5f, 0xd0, 0xff}
	plotRed  = color.RGBA{0xd0, 0x30, 0x30, 0xff}
)

// plotTicks is the number of grid intervals on a y scale.
const plotTicks = 10

// newCanvas returns a white w×h image.
func newCanvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, img.Bounds(), color.White)
	return img
}

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
		fillRect(c.img, image.Rect(x, c.area.Min.Y, x+1, c.area.Max.Y), plotGrid)
		drawText(c.img, label(v), x-8, c.area.Max.Y+15, plotAxis)
	}
	fillRect(c.img, image.Rect(c.area.Min.X, c.area.Max.Y, c.area.Max.X, c.area.Max.Y+1), plotAxis)
}

// gridY draws plotTicks+1 horizontal grid lines labelled on the left with
// the scale 0…left and, when right > 0, on the right with 0…right.
func (c chart) gridY(left, right float64, label func(float64) string) {
	for i := 0; i <= plotTicks; i++ {
		y := c.py(left*float64(i)/plotTicks, left)
		fillRect(c.img, image.Rect(c.area.Min.X, y, c.area.Max.X, y+1), plotGrid)
		drawText(c.img, label(left*float64(i)/plotTicks), c.area.Min.X-55, y+4, plotAxis)
		if right > 0 {
			drawText(c.img, label(right*float64(i)/plotTicks), c.area.Max.X+5, y+4, plotAxis)
		}
	}
}

// line draws a 2-pixel line from (x0, v0) to (x1, v1) on the scale top.
func (c chart) line(x0, v0, x1, v1, top float64, col color.Color) {
	ax, ay, bx, by := c.px(x0), c.py(v0, top), c.px(x1), c.py(v1, top)
	steps := max(abs(bx-ax), abs(by-ay), 1)
	for i := 0; i <= steps; i++ {
		x := ax + (bx-ax)*i/steps
		y := ay + (by-ay)*i/steps
		fillRect(c.img, image.Rect(x, y, x+2, y+2), col)
	}
}

// dot marks (x, v) on the scale top with a 6-pixel square.
func (c chart) dot(x, v, top float64, col color.Color) {
	px, py := c.px(x), c.py(v, top)
	fillRect(c.img, image.Rect(px-3, py-3, px+3, py+3), col)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// fillRect paints r with c.
func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, c)
		}
	}
}

// drawText writes s in col with its baseline at (x, y).
func drawText(img *image.RGBA, s string, x, y int, col color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// writePNG encodes img into path.
func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
