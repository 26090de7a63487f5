package testpattern

import (
	"time"

	"mediagate.dev/mediagate/transcoder"
)

// segments are the lit segments of each digit of a seven-segment display,
// bits a (top) through g (middle): a=1, b=2 (top right), c=4 (bottom
// right), d=8 (bottom), e=16 (bottom left), f=32 (top left), g=64.
var segments = [10]byte{0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f}

var (
	white = [3]byte{235, 128, 128}
	black = [3]byte{16, 128, 128}
)

// drawClock draws wall as HH:MM:SS.t in seven-segment digits on a black
// panel across the top of the picture.
func (v *Video) drawClock(wall time.Time) {
	digits := []int{
		wall.Hour() / 10, wall.Hour() % 10, -1, wall.Minute() / 10, wall.Minute() % 10, -1,
		wall.Second() / 10, wall.Second() % 10, -2, wall.Nanosecond() / 1e8,
	}
	dh := v.h / 8
	dw := dh / 2
	gap := dw / 3
	total := 0
	for _, d := range digits {
		total += cellWidth(d, dw, gap)
	}
	x := (v.w - total) / 2
	y := v.h / 24
	fillRect(v.pic, x-gap, y-gap, total+2*gap, dh+2*gap, black)
	for _, d := range digits {
		drawDigit(v.pic, x, y, dw, dh, d)
		x += cellWidth(d, dw, gap)
	}
}

// cellWidth is the advance of a digit (>= 0), a colon (-1) or a point (-2).
func cellWidth(d, dw, gap int) int {
	if d < 0 {
		return dw/2 + gap
	}
	return dw + gap
}

// drawDigit draws one digit, colon or point with its top left at x, y.
func drawDigit(p *transcoder.Picture, x, y, dw, dh, d int) {
	t := max(2, dh/10)
	switch d {
	case -1:
		fillRect(p, x, y+dh/3, t, t, white)
		fillRect(p, x, y+2*dh/3, t, t, white)
		return
	case -2:
		fillRect(p, x, y+dh-t, t, t, white)
		return
	}
	half := dh / 2
	s := segments[d]
	rects := [7][4]int{
		{x, y, dw, t},                   // a
		{x + dw - t, y, t, half},        // b
		{x + dw - t, y + half, t, half}, // c
		{x, y + dh - t, dw, t},          // d
		{x, y + half, t, half},          // e
		{x, y, t, half},                 // f
		{x, y + half - t/2, dw, t},      // g
	}
	for i, r := range rects {
		if s&(1<<i) != 0 {
			fillRect(p, r[0], r[1], r[2], r[3], white)
		}
	}
}
