package main

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"mediagate.dev/mediagate/internal/pngdraw"
)

// The benchmark's plot, fanout.png next to fanout.csv: CPU per packet per
// viewer (top) and memory per viewer (bottom) against the viewer count on a
// logarithmic scale, mediagate in blue and janus in red; a count a server
// could not be measured at has no point.
const (
	fanoutPlotW, fanoutPlotH = 1000, 720
	fanoutPlotLeft           = 70
	fanoutPlotRight          = 940
)

// fanoutSeries are the servers drawn and their colours.
var fanoutSeries = []struct {
	server string
	col    color.Color
}{{colMediagate, plotBlue}, {colJanus, plotRed}}

// writeFanoutPlot draws rows' CPU and memory per viewer into dir/fanout.png
// and returns its path.
func writeFanoutPlot(dir string, rows []row, counts []int) (string, error) {
	img := pngdraw.Canvas(fanoutPlotW, fanoutPlotH)
	pngdraw.Text(img, "fan-out: one H.264 stream, cost per viewer against viewers (log scale)", fanoutPlotLeft, 20, plotAxis)
	pngdraw.Text(img, "mediagate", fanoutPlotLeft+560, 20, plotBlue)
	pngdraw.Text(img, "janus", fanoutPlotLeft+640, 20, plotRed)
	panels := []struct {
		metric, title string
		area          image.Rectangle
	}{
		{metricPerPkt, "CPU per packet per viewer, microseconds", image.Rect(fanoutPlotLeft, 60, fanoutPlotRight, 320)},
		{metricMemory, "KiB RSS per viewer", image.Rect(fanoutPlotLeft, 390, fanoutPlotRight, 650)},
	}
	for _, p := range panels {
		drawPanel(img, p.area, p.title, rows, counts, p.metric)
	}
	pngdraw.Text(img, "viewers", fanoutPlotW/2, fanoutPlotH-20, plotAxis)
	pngdraw.Text(img, "a missing point was not measured: see the table", fanoutPlotLeft, fanoutPlotH-5, plotAxis)
	path := filepath.Join(dir, "fanout.png")
	return path, pngdraw.Write(path, img)
}

// drawPanel draws one metric's series on area.
func drawPanel(img *image.RGBA, area image.Rectangle, title string, rows []row, counts []int, metric string) {
	lo, hi := math.Inf(1), 1.0
	for _, n := range counts {
		lo, hi = min(lo, float64(n)), max(hi, float64(n))
	}
	if hi <= lo {
		hi = lo * 10
	}
	top := 0.0
	for _, r := range rows {
		if r.metric == metric {
			for _, v := range r.values {
				if !math.IsNaN(v) {
					top = max(top, 1.2*v)
				}
			}
		}
	}
	top = niceTop(top)
	// A little room on both sides of the first and last count.
	c := chart{img: img, area: area, x0: lo / 1.3, x1: hi * 1.3, logX: true}
	xs := make([]float64, len(counts))
	for i, n := range counts {
		xs[i] = float64(n)
	}
	c.gridX(xs, func(v float64) string { return strconv.Itoa(int(v)) })
	decimals := max(0, 1-int(math.Floor(math.Log10(top/plotTicks))))
	c.gridY(top, 0, func(v float64) string { return strconv.FormatFloat(v, 'f', decimals, 64) })
	pngdraw.Text(img, title, area.Min.X, area.Min.Y-8, plotAxis)
	for _, s := range fanoutSeries {
		drawSeries(c, rows, metric, s.server, top, s.col)
	}
}

// niceTop returns the smallest of 1, 2, 2.5 and 5 times a power of ten that
// is at least v (1 for v ≤ 0), so that the grid's labels are round.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// drawSeries draws one server's points of metric, joined in count order.
func drawSeries(c chart, rows []row, metric, server string, top float64, col color.Color) {
	havePrev := false
	var px, pv float64
	for _, r := range rows {
		v := r.value(server)
		if r.metric != metric || math.IsNaN(v) {
			continue
		}
		x := float64(r.viewers)
		c.dot(x, v, top, col)
		if havePrev {
			c.line(px, pv, x, v, top, col)
		}
		px, pv, havePrev = x, v, true
	}
}
