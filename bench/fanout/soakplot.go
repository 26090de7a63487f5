package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The soak's plot: RSS (blue, left scale, MiB) and goroutines (red, right
// scale) against minutes, each scale from 0 to 1.2 times its maximum.
const (
	soakPlotW, soakPlotH = 1000, 500
	soakPlotMargin       = 60
)

var (
	soakGrid = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	soakAxis = color.RGBA{0x20, 0x20, 0x20, 0xff}
	soakRSS  = color.RGBA{0x1f, 0x5f, 0xd0, 0xff}
	soakGor  = color.RGBA{0xd0, 0x30, 0x30, 0xff}
)

// soakPlot maps the series onto the image.
type soakPlot struct {
	img           *image.RGBA
	maxT          float64 // minutes
	maxRSS, maxGR float64
}

func (p soakPlot) x(min float64) int {
	return soakPlotMargin + int(min/p.maxT*float64(soakPlotW-2*soakPlotMargin))
}

func (p soakPlot) y(v, top float64) int {
	return soakPlotH - soakPlotMargin - int(v/top*float64(soakPlotH-2*soakPlotMargin))
}

// writeSoakPlot draws series into path as a PNG.
func writeSoakPlot(path string, series []soakSample) error {
	img := image.NewRGBA(image.Rect(0, 0, soakPlotW, soakPlotH))
	fillSoakRect(img, img.Bounds(), color.White)
	p := soakPlot{img: img, maxT: 1, maxRSS: 1, maxGR: 1}
	for _, s := range series {
		p.maxT = max(p.maxT, s.at.Minutes())
		p.maxRSS = max(p.maxRSS, 1.2*s.rssMB)
		p.maxGR = max(p.maxGR, 1.2*float64(s.goroutines))
	}
	for i := 0; i <= 10; i++ {
		x := p.x(p.maxT * float64(i) / 10)
		fillSoakRect(img, image.Rect(x, soakPlotMargin, x+1, soakPlotH-soakPlotMargin), soakGrid)
		soakText(img, strconv.FormatFloat(p.maxT*float64(i)/10, 'f', 1, 64), x-8, soakPlotH-soakPlotMargin+15)
		y := p.y(p.maxRSS*float64(i)/10, p.maxRSS)
		fillSoakRect(img, image.Rect(soakPlotMargin, y, soakPlotW-soakPlotMargin, y+1), soakGrid)
		soakText(img, strconv.Itoa(int(p.maxRSS*float64(i)/10)), 5, y+4)
		soakText(img, strconv.Itoa(int(p.maxGR*float64(i)/10)), soakPlotW-soakPlotMargin+5, y+4)
	}
	fillSoakRect(img, image.Rect(soakPlotMargin, soakPlotH-soakPlotMargin, soakPlotW-soakPlotMargin, soakPlotH-soakPlotMargin+1), soakAxis)
	soakText(img, "minutes", soakPlotW/2, soakPlotH-15)
	soakText(img, "RSS MiB (blue)", 5, 20)
	soakText(img, "goroutines (red)", soakPlotW-soakPlotMargin-60, 20)
	for i := 1; i < len(series); i++ {
		a, b := series[i-1], series[i]
		p.line(a.at.Minutes(), a.rssMB, b.at.Minutes(), b.rssMB, p.maxRSS, soakRSS)
		p.line(a.at.Minutes(), float64(a.goroutines), b.at.Minutes(), float64(b.goroutines), p.maxGR, soakGor)
	}
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

// line draws a 2-pixel line from (t0, v0) to (t1, v1) on the scale top.
func (p soakPlot) line(t0, v0, t1, v1, top float64, c color.Color) {
	x0, y0, x1, y1 := p.x(t0), p.y(v0, top), p.x(t1), p.y(v1, top)
	steps := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= steps; i++ {
		x := x0 + (x1-x0)*i/steps
		y := y0 + (y1-y0)*i/steps
		fillSoakRect(p.img, image.Rect(x, y, x+2, y+2), c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// fillSoakRect paints r with c.
func fillSoakRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, c)
		}
	}
}

// soakText writes s with its baseline at (x, y).
func soakText(img *image.RGBA, s string, x, y int) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(soakAxis), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
