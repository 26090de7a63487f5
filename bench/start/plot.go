package main

import (
	"fmt"
	"image"
	"image/color"

	"mediagate.dev/mediagate/internal/pngdraw"
)

// The plot: one panel per part, a horizontal bar per row, drawn as
// bench/fanout's plots are (internal/pngdraw).
const (
	plotW      = 900
	plotLabelW = 230
	plotBarH   = 22
	plotTitleH = 40
	plotMargin = 20
)

var (
	plotInk    = color.RGBA{0x20, 0x20, 0x20, 0xff}
	plotMG     = color.RGBA{0x1f, 0x5f, 0xd0, 0xff} // mediagate, and bridge
	plotOther  = color.RGBA{0xb0, 0xb0, 0xb0, 0xff} // ffmpeg, and wait
	plotPoints = color.RGBA{0xd0, 0x30, 0x30, 0xff} // each load
)

// bar is one bar of a panel: its value and, for the first-frame panel,
// the single loads drawn as dots on it.
type bar struct {
	label  string
	value  float64
	points []float64
	fill   color.Color
}

// panel is a titled set of bars on one scale.
type panel struct {
	title string
	unit  string
	bars  []bar
}

// panels are the report's panels: CPU per join and first-frame medians.
func (r report) panels() []panel {
	var ps []panel
	if len(r.joins) > 0 {
		p := panel{title: "CPU of one bridged join (mediagate blue, ffmpeg grey)", unit: "ms"}
		for _, j := range r.joins {
			name := fmt.Sprintf("%s join at %v", codecLabel(j.codec), j.at)
			p.bars = append(p.bars, bar{label: name + " mediagate", value: ms(j.mediagate), fill: plotMG},
				bar{label: name + " ffmpeg", value: ms(j.ffmpeg), fill: plotOther})
		}
		ps = append(ps, p)
	}
	if len(r.starts) > 0 {
		p := panel{title: "First frame in chromium: median (bar) and each load (dots)", unit: "ms"}
		for _, s := range r.starts {
			b := bar{label: codecLabel(s.codec) + " " + s.mode, value: ms(median(s.firstFrames())), fill: plotOther}
			if s.mode == modeBridge {
				b.fill = plotMG
			}
			for _, d := range s.firstFrames() {
				b.points = append(b.points, ms(d))
			}
			p.bars = append(p.bars, b)
		}
		ps = append(ps, p)
	}
	return ps
}

// writePlot draws the report's panels into path as a PNG.
func writePlot(path string, r report) error {
	ps := r.panels()
	h := plotMargin
	for _, p := range ps {
		h += plotTitleH + len(p.bars)*plotBarH + plotMargin
	}
	img := pngdraw.Canvas(plotW, h)
	y := plotMargin
	for _, p := range ps {
		y = drawPanel(img, p, y)
	}
	return pngdraw.Write(path, img)
}

// drawPanel draws p from the top y and returns the y below it.
func drawPanel(img *image.RGBA, p panel, y int) int {
	pngdraw.Text(img, p.title, plotMargin, y+15, plotInk)
	y += plotTitleH
	top := 0.0
	for _, b := range p.bars {
		top = max(top, b.value)
		for _, v := range b.points {
			top = max(top, v)
		}
	}
	if top <= 0 {
		top = 1
	}
	width := float64(plotW - plotLabelW - 2*plotMargin - 90)
	x0 := plotMargin + plotLabelW
	for _, b := range p.bars {
		pngdraw.Text(img, b.label, plotMargin, y+15, plotInk)
		end := x0 + int(b.value/top*width)
		pngdraw.Fill(img, image.Rect(x0, y+3, max(end, x0+1), y+plotBarH-3), b.fill)
		pngdraw.Text(img, fmt.Sprintf("%.0f %s", b.value, p.unit), x0+int(width)+22, y+15, plotInk)
		for _, v := range b.points {
			x := x0 + int(v/top*width)
			pngdraw.Fill(img, image.Rect(x-2, y+plotBarH/2-2, x+3, y+plotBarH/2+3), plotPoints)
		}
		y += plotBarH
	}
	return y + plotMargin
}
