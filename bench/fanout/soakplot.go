package main

import (
	"image"
	"strconv"

	"mediagate.dev/mediagate/internal/pngdraw"
)

// The soak's plot: RSS (blue, left scale, MiB) and goroutines (red, right
// scale) against minutes, each scale from 0 to 1.2 times its maximum.
const (
	soakPlotW, soakPlotH = 1000, 500
	soakPlotMargin       = 60
)

// writeSoakPlot draws series into path as a PNG.
func writeSoakPlot(path string, series []soakSample) error {
	img := pngdraw.Canvas(soakPlotW, soakPlotH)
	maxT, maxRSS, maxGR := 1.0, 1.0, 1.0
	for _, s := range series {
		maxT = max(maxT, s.at.Minutes())
		maxRSS = max(maxRSS, 1.2*s.rssMB)
		maxGR = max(maxGR, 1.2*float64(s.goroutines))
	}
	c := chart{img: img, x1: maxT,
		area: image.Rect(soakPlotMargin, soakPlotMargin, soakPlotW-soakPlotMargin, soakPlotH-soakPlotMargin)}
	var ticks []float64
	for i := 0; i <= 10; i++ {
		ticks = append(ticks, maxT*float64(i)/10)
	}
	c.gridX(ticks, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) })
	c.gridY(maxRSS, maxGR, func(v float64) string { return strconv.Itoa(int(v)) })
	pngdraw.Text(img, "minutes", soakPlotW/2, soakPlotH-15, plotAxis)
	pngdraw.Text(img, "RSS MiB (blue)", 5, 20, plotAxis)
	pngdraw.Text(img, "goroutines (red)", soakPlotW-soakPlotMargin-60, 20, plotAxis)
	for i := 1; i < len(series); i++ {
		a, b := series[i-1], series[i]
		c.line(a.at.Minutes(), a.rssMB, b.at.Minutes(), b.rssMB, maxRSS, plotBlue)
		c.line(a.at.Minutes(), float64(a.goroutines), b.at.Minutes(), float64(b.goroutines), maxGR, plotRed)
	}
	return pngdraw.Write(path, img)
}
