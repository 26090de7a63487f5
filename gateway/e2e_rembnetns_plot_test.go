package gateway

import (
	"image"
	"image/color"
	"image/png"

	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The REMB plot: bitrate (0 to plotMaxBps) against time (0 to the end of
// the run), with a grid every 5 s and every 1 Mbit/s labelled in seconds
// and Mbit/s. The link cap is a thick grey step, the REMB the sender
// received blue, the rate it sent red.
const (
	plotW, plotH = 1000, 500
	plotMargin   = 50
	plotMaxBps   = 7_000_000
)

var (
	plotGrid = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	plotAxis = color.RGBA{0x20, 0x20, 0x20, 0xff}
	plotCap  = color.RGBA{0x90, 0x90, 0x90, 0xff}
	plotREMB = color.RGBA{0x1f, 0x5f, 0xd0, 0xff}
	plotSent = color.RGBA{0xd0, 0x30, 0x30, 0xff}
)

// writeREMBPlot draws series into build/plots/remb_cut_recover.png at the
// repository's root and logs the path.
func writeREMBPlot(t *testing.T, series []rembPoint) {
	t.Helper()
	if len(series) == 0 {
		return
	}
	dir, err := filepath.Abs(filepath.Join("..", "build", "plots"))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Errorf("plot directory: %v", err)
		return
	}
	path := filepath.Join(dir, "remb_cut_recover.png")
	f, err := os.Create(path)
	if err == nil {
		err = png.Encode(f, drawREMBPlot(series))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Errorf("write %s: %v", path, err)
		return
	}
	t.Logf("plot of bitrate against time: %s", path)
}

// rembPlot maps seconds and bit/s onto an image.
type rembPlot struct {
	img  *image.RGBA
	maxT float64
}

func (p rembPlot) x(sec float64) int {
	return plotMargin + int(sec/p.maxT*float64(plotW-2*plotMargin))
}

func (p rembPlot) y(bps float64) int {
	return plotH - plotMargin - int(bps/plotMaxBps*float64(plotH-2*plotMargin))
}

// drawREMBPlot renders the series.
func drawREMBPlot(series []rembPoint) *image.RGBA {
	p := rembPlot{img: image.NewRGBA(image.Rect(0, 0, plotW, plotH)), maxT: series[len(series)-1].T + 1}
	fillRect(p.img, p.img.Bounds(), color.White)
	p.grid()
	for i := 1; i < len(series); i++ {
		a, b := series[i-1], series[i]
		p.line(a.T, float64(a.Cap), b.T, float64(a.Cap), plotCap, 2)
		p.line(b.T, float64(a.Cap), b.T, float64(b.Cap), plotCap, 2)
		p.line(a.T, a.Sent, b.T, b.Sent, plotSent, 0)
		p.line(a.T, a.REMB, b.T, b.REMB, plotREMB, 1)
	}
	legend := []struct {
		c    color.Color
		name string
	}{{plotCap, "link cap (tc tbf)"}, {plotREMB, "REMB received"}, {plotSent, "sent"}}
	for i, l := range legend {
		x := plotW - plotMargin - 430 + 150*i
		fillRect(p.img, image.Rect(x, 10, x+14, 24), l.c)
		drawText(p.img, l.name, x+18, 10)
	}
	return p.img
}

// grid draws the axes, a line every 5 s and every 1 Mbit/s, and their
// labels.
func (p rembPlot) grid() {
	for s := 0; float64(s) <= p.maxT; s += 5 {
		p.line(float64(s), 0, float64(s), plotMaxBps, plotGrid, 0)
		drawText(p.img, strconv.Itoa(s), p.x(float64(s))-4, plotH-plotMargin+8)
	}
	for m := 0; m*1_000_000 <= plotMaxBps; m++ {
		bps := float64(m * 1_000_000)
		p.line(0, bps, p.maxT, bps, plotGrid, 0)
		drawText(p.img, strconv.Itoa(m), plotMargin-16, p.y(bps)-7)
	}
	p.line(0, 0, p.maxT, 0, plotAxis, 0)
	p.line(0, 0, 0, plotMaxBps, plotAxis, 0)
	drawText(p.img, "Mbit/s", 8, plotMargin-30)
	drawText(p.img, "time (s)", plotW/2-28, plotH-18)
	drawText(p.img, "REMB to the sender, link cut from 4 to 1 Mbit/s and back", plotMargin+10, 12)
}

// line draws a straight line of half-width w from (t0, b0) to (t1, b1).
func (p rembPlot) line(t0, b0, t1, b1 float64, c color.Color, w int) {
	x0, y0, x1, y1 := p.x(t0), p.y(b0), p.x(t1), p.y(b1)
	steps := max(plotAbs(x1-x0), plotAbs(y1-y0), 1)
	for i := 0; i <= steps; i++ {
		x := x0 + (x1-x0)*i/steps
		y := y0 + (y1-y0)*i/steps
		fillRect(p.img, image.Rect(x-w, y-w, x+w+1, y+w+1), c)
	}
}

func plotAbs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// fillRect paints r (clipped to the image) with c.
func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, c)
		}
	}
}

// drawText writes s in plotAxis colour with its top left at (x, y).
func drawText(img *image.RGBA, s string, x, y int) {
	face := basicfont.Face7x13
	d := font.Drawer{Dst: img, Src: image.NewUniform(plotAxis), Face: face,
		Dot: fixed.P(x, y+face.Ascent)}
	d.DrawString(s)
}

// TestREMBPlotDraws draws a synthetic cut-and-recover series, so the plot
// keeps working where the namespace test cannot run: every series colour
// and the axis text must appear.
func TestREMBPlotDraws(t *testing.T) {
	var series []rembPoint
	for i := range 300 {
		tt := float64(i) / 10
		c := 4_000_000
		if tt >= 10 && tt < 20 {
			c = 1_000_000
		}
		series = append(series, rembPoint{T: tt, Cap: c, REMB: float64(c) * 0.9, Sent: float64(c) * 0.8})
	}
	img := drawREMBPlot(series)
	seen := map[color.RGBA]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			seen[img.RGBAAt(x, y)] = true
		}
	}
	for name, c := range map[string]color.RGBA{"cap": plotCap, "REMB": plotREMB, "sent": plotSent} {
		if !seen[c] {
			t.Errorf("no %s pixels in the plot", name)
		}
	}
	if os.Getenv("MEDIAGATE_PLOT_PREVIEW") != "" {
		f, err := os.Create(os.Getenv("MEDIAGATE_PLOT_PREVIEW"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
}
