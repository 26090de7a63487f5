package gateway

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"mediagate.dev/mediagate/internal/pngdraw"
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
	if err := pngdraw.Write(path, drawREMBPlot(series)); err != nil {
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
	p := rembPlot{img: pngdraw.Canvas(plotW, plotH), maxT: series[len(series)-1].T + 1}
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
		pngdraw.Fill(p.img, image.Rect(x, 10, x+14, 24), l.c)
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
	a, b := image.Pt(p.x(t0), p.y(b0)), image.Pt(p.x(t1), p.y(b1))
	pngdraw.Line(p.img, a, b, image.Rect(-w, -w, w+1, w+1), c)
}

// drawText writes s in plotAxis colour with its top left at (x, y).
func drawText(img *image.RGBA, s string, x, y int) {
	pngdraw.Text(img, s, x, y+pngdraw.Face.Ascent, plotAxis)
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
	if path := os.Getenv("MEDIAGATE_PLOT_PREVIEW"); path != "" {
		if err := pngdraw.Write(path, img); err != nil {
			t.Fatal(err)
		}
	}
}
