// Package pngdraw is the drawing the project's PNG plots share (the
// benchmarks' and the REMB test's): a white canvas, filled rectangles,
// lines drawn with a rectangular pen, text in the basic 7×13 font, and
// the file. It depends on nothing but golang.org/x/image's font.
package pngdraw

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Face is the font Text writes with.
var Face = basicfont.Face7x13

// Canvas returns a white w×h image.
func Canvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	Fill(img, img.Bounds(), color.White)
	return img
}

// Fill paints r, clipped to the image, with c.
func Fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

// Line draws from a to b by stamping pen, a rectangle around the origin,
// at each point on the way.
func Line(img *image.RGBA, a, b image.Point, pen image.Rectangle, c color.Color) {
	d := b.Sub(a)
	steps := max(abs(d.X), abs(d.Y), 1)
	for i := 0; i <= steps; i++ {
		p := a.Add(d.Mul(i).Div(steps))
		Fill(img, pen.Add(p), c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Text writes s in c with its baseline at (x, y).
func Text(img *image.RGBA, s string, x, y int, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: Face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// Write encodes img as a PNG file at path.
func Write(path string, img image.Image) error {
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
